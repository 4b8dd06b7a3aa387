// The local drill: one simulated event's whole lifecycle on the twin —
// Scheduled → Executing → Executed, or Avoided when a handler acts first, or
// Canceled with --cancel — and what every status reached and caused.
import { CATALOGUE, lookup, type CatalogueEntry } from "../../handlers/catalogue";
import { endpointEnv, type CallRecord, type FakeCloud } from "../../local-cloud";
import { drillCloud } from "./cloud";
import { DRILL_APIS, DRILL_TAG, DrillError } from "./live";
import type { DrillStack } from "./stack";
import { Twin, type TimelineEntry } from "./twin";
import { wallNow } from "./virtual-time";

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
/** The spot notice: the instance is released about five minutes after the event. */
export const SPOT_NOTICE_MS = 5 * MINUTE;
/** CLB SetBackendServers takes at most 20 servers: the twin's load balancers hold blocks of 20. */
const BLOCK = 20;
const ALB_BLOCK = 100;

export interface LocalDrillOptions {
  stack: DrillStack;
  /** `SystemMaintenance.Reboot`, `Instance:SystemMaintenance.Reboot`, `PreemptibleInstanceInterruption`, ... */
  event: string;
  instanceIds: string[];
  /** Tags of the drilled instances; default: scope tag + drill tag + the first group's tag. */
  tags?: Record<string, string>;
  /** notBefore (epoch ms); default start + 3 days. */
  at?: number;
  /** Virtual start; default now, to the minute. */
  start?: number;
  cancel?: boolean;
  /** Virtual step between timer ticks (default 10 minutes). */
  stepMs?: number;
  concurrency?: number;
  redeliverFraction?: number;
  random?: () => number;
  /** Faults to inject before the event (burst drills). */
  faults?: (fake: FakeCloud) => void;
}

export interface InstanceResult {
  instanceId: string;
  eventId?: string;
  finalStatus?: string;
  instanceStatus: string;
  /** Weights on every load-balancer target, before and after (`clb:lb-1=100`). */
  before: string[];
  after: string[];
}

export interface LocalDrillResult {
  stack: string;
  event: string;
  entry: CatalogueEntry;
  startedAt: number;
  notBefore?: number;
  timeline: TimelineEntry[];
  instances: InstanceResult[];
  /** Target queues and the handlers' dead-letter queue, with their depth. */
  queues: { name: string; depth: number }[];
  deadLetters: number;
  deadLetterQueue?: string;
  wallMs: number;
  /** Every API call the fake answered (for counting destructive actions). */
  calls: CallRecord[];
  /** Event-triggered handler invocations started and finished. */
  invocations: { started: number; finished: number };
}

export function resolveEvent(event: string): CatalogueEntry {
  const hit = lookup(event) ?? lookup(`Instance:${event}`);
  if (hit && !hit.nameStatus) return hit.entry;
  if (hit?.nameStatus) throw new DrillError(`give the event without a status (${event.slice(0, event.lastIndexOf(":"))}): the drill plays its whole lifecycle`, "Usage");
  const known = CATALOGUE.filter((e) => e.resource === "Instance").map((e) => e.event);
  throw new DrillError(`unknown event ${event}; instance events: ${known.join(", ")}`, "Usage");
}

export function defaultTags(stack: DrillStack): Record<string, string> {
  const tags: Record<string, string> = { [DRILL_TAG.key]: DRILL_TAG.value };
  const scope = [...stack.deployments.values()][0]?.env;
  if (scope?.SCOPE_TAG_KEY) tags[scope.SCOPE_TAG_KEY] = scope.SCOPE_TAG_VALUE ?? "true";
  const group = stack.model.groups.find((g) => g.matchExpresses[0]?.tagValueMatchFunction === "equals");
  if (group) tags[group.tagKey] = group.matchExpresses[0].tagValue ?? "";
  return tags;
}

/** Every drilled instance behind a CLB (default group and a vServer group, 20 instances + 2 healthy peers each) and an ALB server group (100 + 2 peers). */
export function seedFleet(fake: FakeCloud, ids: string[], tags: Record<string, string>): void {
  const s = fake.state;
  const peerTags = Object.fromEntries(Object.entries(tags).filter(([k]) => k !== DRILL_TAG.key));
  for (let b = 0; b < ids.length; b += BLOCK) {
    const block = ids.slice(b, b + BLOCK);
    for (const id of block) s.addInstance({ InstanceId: id, InstanceName: `drill-${id}`, Tags: tags });
    const peers = [0, 1].map((k) => s.addInstance({ InstanceId: `${block[0]}-peer${k}`, InstanceName: "drill-peer", Tags: peerTags }).InstanceId);
    const members = [...block, ...peers];
    const lb = s.addLoadBalancer({ LoadBalancerName: `drill-clb-${b / BLOCK}`, BackendServers: members.map((ServerId) => ({ ServerId, Weight: 100 })) });
    s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, VServerGroupName: `drill-vsg-${b / BLOCK}`, BackendServers: members.map((ServerId) => ({ ServerId, Port: 8080, Weight: 100 })) });
  }
  // ALB discovery lists every server group, so the twin keeps them few: one per 100 instances.
  for (let b = 0; b < ids.length; b += ALB_BLOCK) {
    const block = ids.slice(b, b + ALB_BLOCK);
    const members = [...block, `${block[0]}-peer0`, `${block[0]}-peer1`];
    s.addAlbServerGroup({ ServerGroupName: `drill-alb-${b / ALB_BLOCK}`, Servers: members.map((ServerId) => ({ ServerId, Port: 80, Weight: 100, Status: "Available" })) });
  }
}

/** The instance's weight on every target that lists it. */
export function weightsOf(fake: FakeCloud, instanceId: string): string[] {
  const s = fake.state;
  const out: string[] = [];
  for (const lb of s.loadBalancers.values()) for (const b of lb.BackendServers) if (b.ServerId === instanceId) out.push(`clb:${lb.LoadBalancerId}=${b.Weight}`);
  for (const g of s.vServerGroups.values()) for (const b of g.BackendServers) if (b.ServerId === instanceId) out.push(`vsg:${g.VServerGroupId}:${b.Port}=${b.Weight}`);
  for (const g of s.albServerGroups.values()) for (const b of g.Servers) if (b.ServerId === instanceId) out.push(`alb:${g.ServerGroupId}:${b.Port}=${b.Weight}`);
  return out.sort();
}

export async function runLocalDrill(o: LocalDrillOptions): Promise<LocalDrillResult> {
  const entry = resolveEvent(o.event);
  const start = o.start ?? Math.floor(Date.now() / MINUTE) * MINUTE;
  const notBefore = o.at ?? start + 3 * DAY;
  if (entry.statuses.length > 0 && notBefore <= start) throw new DrillError(`--at ${new Date(notBefore).toISOString()} must be after the drill's start ${new Date(start).toISOString()}`, "Usage");
  if (o.cancel && entry.statuses.length === 0) throw new DrillError(`${entry.event} has no lifecycle to cancel`, "Usage");
  const tags = o.tags ?? defaultTags(o.stack);
  const wall0 = wallNow();
  const twin = await Twin.start({ stack: o.stack, start, concurrency: o.concurrency, redeliverFraction: o.redeliverFraction, random: o.random });
  try {
    seedFleet(twin.fake, o.instanceIds, tags);
    for (const id of o.instanceIds) twin.tags.set(id, tags);
    const before = new Map(o.instanceIds.map((id) => [id, weightsOf(twin.fake, id)]));
    o.faults?.(twin.fake);
    const stepMs = o.stepMs ?? 10 * MINUTE;
    const eventIds = new Map<string, string>();

    if (entry.statuses.length === 0) {
      twin.note(`inject ${entry.resource}:${entry.event} (${entry.event === "PreemptibleInstanceInterruption" ? "not simulatable by the API: synthetic event, release 5 minutes later" : "synthetic status notification"})`);
      for (const id of o.instanceIds) {
        if (entry.event === "PreemptibleInstanceInterruption") twin.fake.spotInterruption(id, { releaseAfterMs: SPOT_NOTICE_MS });
        else if (entry.event === "StateChange") twin.fake.releaseInstance(id);
        else twin.fake.emitStatusNotification(id, entry.event, {});
      }
      await twin.runUntil(start + SPOT_NOTICE_MS + MINUTE, MINUTE, () => false);
    } else {
      if (entry.simulatable) {
        twin.note(`CreateSimulatedSystemEvents ${entry.event} NotBefore ${iso(notBefore)} for ${o.instanceIds.length} instance(s)`);
        const cloud = drillCloud({ env: endpointEnv(twin.fake), credentials: { accessKeyId: twin.fake.accessKeyId, accessKeySecret: twin.fake.accessKeySecret } });
        for (let i = 0; i < o.instanceIds.length; i += 100) {
          const batch = o.instanceIds.slice(i, i + 100);
          const body = await cloud.call({ api: DRILL_APIS.createSimulatedSystemEvents, regionId: o.stack.region, params: { RegionId: o.stack.region, EventType: entry.event, InstanceId: batch, NotBefore: iso(notBefore) } });
          const ids = ((body.EventIdSet as { EventId?: string[] } | undefined)?.EventId ?? []) as string[];
          ids.forEach((id, k) => eventIds.set(batch[k], id));
        }
      } else {
        twin.note(`inject ${entry.event} (not simulatable by the API: seeded as a platform event)`);
        const status = entry.statuses.includes("Scheduled") ? "Scheduled" : entry.statuses[0];
        for (const id of o.instanceIds) eventIds.set(id, twin.fake.addSystemEvent({ InstanceId: id, EventType: entry.event, NotBefore: notBefore, Simulated: true, Status: status as never }).EventId);
      }
      const allFinal = () => [...eventIds.values()].every((e) => twin.isFinal(e));
      let canceled = false;
      const cancelIfDue = async () => {
        if (!o.cancel || canceled) return;
        const drained = o.instanceIds.some((id) => weightsOf(twin.fake, id).join() !== before.get(id)!.join());
        if (drained || twin.clock.now() + stepMs >= notBefore) {
          canceled = true;
          twin.note(`CancelSimulatedSystemEvents (--cancel)${drained ? ", after the handler drained the instance" : ", before notBefore"}`);
          const cloud = drillCloud({ env: endpointEnv(twin.fake), credentials: { accessKeyId: twin.fake.accessKeyId, accessKeySecret: twin.fake.accessKeySecret } });
          const ids = [...eventIds.values()];
          for (let i = 0; i < ids.length; i += 100) {
            await cloud.call({ api: DRILL_APIS.cancelSimulatedSystemEvents, regionId: o.stack.region, params: { RegionId: o.stack.region, EventId: ids.slice(i, i + 100) } });
          }
          await twin.settle();
        }
      };
      await twin.runUntil(notBefore + 2 * 60 * MINUTE, stepMs, allFinal, cancelIfDue);
      // Let timers finish what a final status set off (restoring weights, ...).
      await twin.runUntil(twin.clock.now() + 3 * MINUTE, MINUTE, () => false);
    }

    await twin.settle();
    const instances = o.instanceIds.map((id): InstanceResult => {
      const eventId = eventIds.get(id);
      return { instanceId: id, eventId, finalStatus: eventId ? twin.eventStatus(eventId) : undefined, instanceStatus: twin.fake.state.getInstance(id)?.Status ?? "released", before: before.get(id)!, after: weightsOf(twin.fake, id) };
    });
    const queues = [...twin.fake.state.queues.values()].map((q) => ({ name: q.QueueName, depth: q.Messages.length })).sort((a, b) => a.name.localeCompare(b.name));
    const dlq = [...o.stack.deployments.values()][0]?.env.DEAD_LETTER_QUEUE;
    return {
      stack: o.stack.stack,
      event: `${entry.resource}:${entry.event}`,
      entry,
      startedAt: start,
      notBefore: entry.statuses.length ? notBefore : undefined,
      timeline: twin.timeline,
      instances,
      queues,
      deadLetters: dlq ? (twin.fake.state.getQueue(dlq)?.Messages.length ?? 0) : 0,
      deadLetterQueue: dlq,
      wallMs: wallNow() - wall0,
      calls: twin.fake.calls(),
      invocations: { ...twin.invocations },
    };
  } finally {
    await twin.close();
  }
}

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
