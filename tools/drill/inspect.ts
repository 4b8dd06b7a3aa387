// What a drill leaves behind, read from the fake cloud: weights on every load
// balancer, messages on the declared queues and topics, maintenance records in
// the marker bucket — per drilled resource, so several drills can share one
// twin and each still reads only its own.
import type { CallRecord, FakeCloud } from "../../local-cloud";
import type { DrillStack } from "./stack";

/**
 * Which of `ids` a text mentions, as whole tokens (`i-a` is not mentioned by
 * `i-a-peer0`). One pass over the text however many ids there are.
 */
export function mentionIndex(ids: Iterable<string>): (text: string) => Set<string> {
  const known = new Set(ids);
  return (text) => {
    const found = new Set<string>();
    for (const token of text.match(/[\w.-]+/g) ?? []) if (known.has(token)) found.add(token);
    return found;
  };
}

/** A queue or topic body as text: MNS bodies may be Base64 (the dead-letter writer's choice), events are JSON. */
export function messageText(body: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) return body;
  const decoded = Buffer.from(body, "base64").toString("utf8");
  return /^\s*[[{]/.test(decoded) ? decoded : body;
}

/** The instance's weight on every target that lists it (`clb:lb-1=100`), sorted. */
export function weightsOf(fake: FakeCloud, instanceId: string): string[] {
  const s = fake.state;
  const out: string[] = [];
  for (const lb of s.loadBalancers.values()) for (const b of lb.BackendServers) if (b.ServerId === instanceId) out.push(`clb:${lb.LoadBalancerId}=${b.Weight}`);
  for (const g of s.vServerGroups.values()) for (const b of g.BackendServers) if (b.ServerId === instanceId) out.push(`vsg:${g.VServerGroupId}:${b.Port}=${b.Weight}`);
  for (const g of s.albServerGroups.values()) for (const b of g.Servers) if (b.ServerId === instanceId) out.push(`alb:${g.ServerGroupId}:${b.Port}=${b.Weight}`);
  return out.sort();
}

/** A message a handler published on a declared topic: what its subscriptions would have been sent. */
export interface DrillAlert {
  topic: string;
  /** The published body, parsed when it is JSON (core/alerts.ts writes JSON). */
  message: Record<string, unknown>;
  /** MessageAttributes (DirectMail / DirectSMS) by name, as published. */
  attributes?: Record<string, string>;
  /** `<pushType>:<subscription name>` of the topic's declared subscriptions. */
  reaches: string[];
  at: number;
}

/** A maintenance record as last written (maintenance/store.ts keeps one object per version). */
export interface RecordView {
  eventId: string;
  instanceId: string;
  phase: string;
  outcome?: string;
  action?: string;
}

const RECORD_KEY = /\/records\/([^/]+)\/v(\d+)\.json$/;

/** The latest version of every maintenance record in the declared buckets. */
export function maintenanceRecords(fake: FakeCloud, stack: DrillStack): RecordView[] {
  const latest = new Map<string, { version: number; body: Buffer }>();
  for (const bucket of stack.declared.buckets) {
    for (const [key, object] of fake.state.buckets.get(bucket) ?? []) {
      const m = RECORD_KEY.exec(key);
      if (!m) continue;
      const id = `${bucket}/${m[1]}`;
      const version = Number(m[2]);
      if ((latest.get(id)?.version ?? 0) < version) latest.set(id, { version, body: object.body });
    }
  }
  const out: RecordView[] = [];
  for (const { body } of latest.values()) {
    try {
      const r = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      out.push({ eventId: String(r.eventId), instanceId: String(r.instanceId), phase: String(r.phase), ...(r.outcome ? { outcome: String(r.outcome) } : {}), ...(r.action ? { action: String(r.action) } : {}) });
    } catch {
      /* not a record of ours */
    }
  }
  return out.sort((a, b) => a.eventId.localeCompare(b.eventId));
}

/** Everything a drill reads at the end, indexed by the resource ids it mentions. */
export interface DrillSnapshot {
  calls: { call: CallRecord; ids: Set<string> }[];
  queues: { name: string; messages: Set<string>[] }[];
  alerts: { alert: DrillAlert; ids: Set<string> }[];
  records: RecordView[];
}

export function snapshot(fake: FakeCloud, stack: DrillStack, ids: Iterable<string>): DrillSnapshot {
  const mentions = mentionIndex(ids);
  const reaches = new Map(stack.declared.topics.map((t) => [t.name, t.subscriptions]));
  return {
    calls: fake.calls().map((call) => ({ call, ids: mentions(Object.values(call.params).join(" ")) })),
    queues: [...fake.state.queues.values()].map((q) => ({ name: q.QueueName, messages: q.Messages.map((m) => mentions(messageText(m.MessageBody))) })).sort((a, b) => a.name.localeCompare(b.name)),
    alerts: [...fake.state.topics.values()].flatMap((t) =>
      t.Messages.map((m) => ({
        alert: { topic: t.TopicName, message: parseObject(m.MessageBody), ...(m.MessageAttributes ? { attributes: m.MessageAttributes } : {}), reaches: reaches.get(t.TopicName) ?? [], at: m.PublishTime },
        ids: mentions(m.MessageBody),
      })),
    ),
    records: maintenanceRecords(fake, stack),
  };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" ? v : { body: text };
  } catch {
    return { body: text };
  }
}
