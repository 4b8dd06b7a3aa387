// The local drill: events played on the twin through their whole lifecycle —
// Scheduled → Executing → Executed, or Avoided when a handler acts first, or
// Canceled with --cancel — and what every status reached and caused.
//
// Events are played as the platform sends them, not as simulated events:
// RedeployInstance does not respond to events made by CreateSimulatedSystemEvents
// (ECS RedeployInstance API doc) and a simulated event never touches the
// instance, so only the platform's own event shows what the handlers do and
// what the platform does at notBefore (reboot, stop, release). The live drill
// (live.ts) is where simulated events are used, on a real account.
//
// Several drills can share one twin (runDrills): one fake cloud, one virtual
// clock, each drill on its own instances and load balancers, each result read
// back for its own resources only.
import { CATALOGUE, FINAL_STATUSES, baseName, lookup, type CatalogueEntry, type EventStatus } from "../../handlers/catalogue";
import type { CallRecord, FakeCloud, InstanceSeed } from "../../local-cloud";
import { DRILL_TAG, DrillError } from "./live";
import { snapshot, weightsOf, type DrillAlert, type DrillSnapshot, type RecordView } from "./inspect";
import { resourceEvent, resourceIdFor } from "./resource-events";
import type { DrillStack } from "./stack";
import { Twin, type BatchRecord, type DeliveryCounts, type TimelineEntry } from "./twin";
import { drillProblems } from "./verdict";
import { wallNow } from "./virtual-time";

export { weightsOf };

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
/** The spot notice: the instance is released about five minutes after the event. */
export const SPOT_NOTICE_MS = 5 * MINUTE;
/** How long a disk system event stays Executing in the twin (the fake's own events take a minute too). */
const RESOURCE_EVENT_MS = MINUTE;
/**
 * Drilled instances per CLB: with its 2 peers, 100 servers in the default
 * group and 100 in a vServer group, the default quota of 200 backend servers
 * per CLB instance (CLB doc "Limits": slb_quota_backendservers_num), so 1000
 * instances take 11 CLBs, inside the default 30 per account. The handlers
 * split their calls to the 20-servers-per-call limit themselves.
 */
const BLOCK = 98;
/** Drilled instances per ALB server group: with its 2 peers, 500 of the 1,000 backend servers a server group holds (ALB doc "Quotas and limits"). */
const ALB_BLOCK = 498;

/** One event played on some instances. */
export interface DrillPlay {
  /** `SystemMaintenance.Reboot`, `Instance:SystemMaintenance.Reboot`, `Disk:Stalled`, `PreemptibleInstanceInterruption`, ... */
  event: string;
  instanceIds: string[];
  /** Tags of the drilled instances; default: scope tag + drill tag + the first group's tag. */
  tags?: Record<string, string>;
  /** The platform cancels the event once a handler has drained the instance (else just before notBefore). */
  cancel?: boolean;
}

export interface DrillRunOptions {
  stack: DrillStack;
  /** notBefore (epoch ms); default start + 3 days. */
  at?: number;
  /** Virtual start; default now, to the minute. */
  start?: number;
  /** Virtual step between timer ticks (default 10 minutes). */
  stepMs?: number;
  concurrency?: number;
  redeliverFraction?: number;
  random?: () => number;
  /** Faults to inject before the events (burst drills). */
  faults?: (fake: FakeCloud) => void;
}

export interface LocalDrillOptions extends DrillRunOptions, DrillPlay {}

export interface InstanceResult {
  instanceId: string;
  /** The disk or snapshot the event was about, when not the instance itself. */
  resourceId?: string;
  eventId?: string;
  finalStatus?: string;
  instanceStatus: string;
  /** Weights on every load-balancer target, before and after (`clb:lb-1=100`). */
  before: string[];
  after: string[];
  /** Subscription instances: ExpiredTime before and after (ISO; no after once released). */
  expiry?: { before: string; after?: string };
}

export interface LocalDrillResult {
  stack: string;
  event: string;
  entry: CatalogueEntry;
  startedAt: number;
  notBefore?: number;
  timeline: TimelineEntry[];
  instances: InstanceResult[];
  /** Every declared queue with the messages about this drill's resources left on it; `readBy`: the function whose queue trigger takes them off. */
  queues: { name: string; depth: number; readBy?: string }[];
  /** Messages about this drill's resources in the dead-letter queues. */
  deadLetters: number;
  /** The dead-letter queues counted: the handlers' own (failed and rejected events) and the queue triggers' (batches whose retries are spent). */
  deadLetterQueues: string[];
  /** What handlers published on the declared topics about this drill's instances. */
  alerts: DrillAlert[];
  /** Maintenance records about this drill's instances, as last written. */
  records: RecordView[];
  /** Why the drill failed (exit 1); empty when it passed. */
  problems: string[];
  wallMs: number;
  /** Every API call the fake answered about this drill's resources (all of them for a drill alone). */
  calls: CallRecord[];
  /** Function invocations for this drill's events started and finished: direct ones, and queue-trigger batches (each once, whatever its size). */
  invocations: { started: number; finished: number };
  /** The queue-trigger batches that carried this drill's events. */
  batches: BatchRecord[];
  /** The events handed to handlers, and what became of them. */
  deliveries: DeliveryCounts;
}

export function resolveEvent(event: string): CatalogueEntry {
  const hit = lookup(event) ?? lookup(`Instance:${event}`);
  if (hit && !hit.nameStatus) return hit.entry;
  if (hit?.nameStatus) throw new DrillError(`give the event without a status (${event.slice(0, event.lastIndexOf(":"))}): the drill plays its whole lifecycle`, "Usage");
  throw new DrillError(`unknown event ${event}; catalogue events: ${CATALOGUE.map(baseName).join(", ")}`, "Usage");
}

export function defaultTags(stack: DrillStack): Record<string, string> {
  const tags: Record<string, string> = { [DRILL_TAG.key]: DRILL_TAG.value };
  const scope = [...stack.deployments.values()][0]?.env;
  if (scope?.SCOPE_TAG_KEY) tags[scope.SCOPE_TAG_KEY] = scope.SCOPE_TAG_VALUE ?? "true";
  const group = stack.model.groups.find((g) => g.matchExpresses[0]?.tagValueMatchFunction === "equals");
  if (group) tags[group.tagKey] = group.matchExpresses[0].tagValue ?? "";
  return tags;
}

/**
 * What the drilled instance must be for the event to make sense: expiry events
 * are about subscription (PrePaid) instances that expire at notBefore; a spot
 * interruption is about a spot instance.
 */
export function instanceSeedFor(entry: CatalogueEntry, notBefore: number): InstanceSeed {
  if (entry.event.startsWith("InstanceExpiration.")) return { InstanceChargeType: "PrePaid", ExpiredTime: notBefore };
  if (entry.event === "PreemptibleInstanceInterruption") return { SpotStrategy: "SpotAsPriceGo" };
  return {};
}

/** A drilled instance as seeded: its id, tags and what it is (charge type, spot, ...). */
export interface FleetMember {
  id: string;
  tags: Record<string, string>;
  seed?: InstanceSeed;
}

/**
 * Every drilled instance behind a CLB (default group and a vServer group,
 * BLOCK instances + 2 healthy peers each) and an ALB server group (ALB_BLOCK
 * + 2 peers). Drills sharing a twin share these load balancers: discovery
 * scans every load balancer of the region, so fewer of them keep the twin fast.
 */
export function seedFleet(fake: FakeCloud, members: FleetMember[]): void {
  const s = fake.state;
  const peerTags = (m: FleetMember) => Object.fromEntries(Object.entries(m.tags).filter(([k]) => k !== DRILL_TAG.key));
  for (const m of members) s.addInstance({ ...m.seed, InstanceId: m.id, InstanceName: `drill-${m.id}`, Tags: m.tags });
  for (let b = 0; b < members.length; b += BLOCK) {
    const block = members.slice(b, b + BLOCK);
    const peers = [0, 1].map((k) => s.addInstance({ InstanceId: `${block[0].id}-peer${k}`, InstanceName: "drill-peer", Tags: peerTags(block[0]) }).InstanceId);
    const servers = [...block.map((m) => m.id), ...peers];
    const lb = s.addLoadBalancer({ LoadBalancerName: `drill-clb-${block[0].id}`, BackendServers: servers.map((ServerId) => ({ ServerId, Weight: 100 })) });
    s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, VServerGroupName: `drill-vsg-${block[0].id}`, BackendServers: servers.map((ServerId) => ({ ServerId, Port: 8080, Weight: 100 })) });
  }
  // ALB discovery lists every server group, so the twin keeps them few.
  for (let b = 0; b < members.length; b += ALB_BLOCK) {
    const block = members.slice(b, b + ALB_BLOCK);
    const servers = [...block.map((m) => m.id), `${block[0].id}-peer0`, `${block[0].id}-peer1`];
    s.addAlbServerGroup({ ServerGroupName: `drill-alb-${block[0].id}`, Servers: servers.map((ServerId) => ({ ServerId, Port: 80, Weight: 100, Status: "Available" })) });
  }
}

/** The status a platform event starts in: Scheduled where it has one, else Inquiring, else its first. */
export function firstStatus(entry: CatalogueEntry): EventStatus {
  return entry.statuses.includes("Scheduled") ? "Scheduled" : entry.statuses.includes("Inquiring") ? "Inquiring" : entry.statuses[0];
}

interface Prepared extends DrillPlay {
  entry: CatalogueEntry;
  tags: Record<string, string>;
  eventIds: Map<string, string>;
  before: Map<string, string[]>;
  expiryBefore: Map<string, number>;
  canceled: boolean;
}

/** One drill alone on its own twin. */
export async function runLocalDrill(o: LocalDrillOptions): Promise<LocalDrillResult> {
  const [result] = await runDrills({ ...o, plays: [{ event: o.event, instanceIds: o.instanceIds, tags: o.tags, cancel: o.cancel }] });
  return result;
}

/** Several drills on one twin (one fake cloud, one virtual clock), each on its own instances; one result per play, in order. */
export async function runDrills(o: DrillRunOptions & { plays: DrillPlay[] }): Promise<LocalDrillResult[]> {
  const start = o.start ?? Math.floor(Date.now() / MINUTE) * MINUTE;
  const notBefore = o.at ?? start + 3 * DAY;
  const plays = o.plays.map((p) => prepare(p, o.stack, start, notBefore));
  const all = plays.flatMap((p) => p.instanceIds);
  const dup = all.find((id, i) => all.indexOf(id) !== i);
  if (dup) throw new DrillError(`instance ${dup} is drilled twice: every play needs its own instances`, "Usage");

  const wall0 = wallNow();
  const twin = await Twin.start({ stack: o.stack, start, concurrency: o.concurrency, redeliverFraction: o.redeliverFraction, random: o.random });
  try {
    seedFleet(twin.fake, plays.flatMap((p) => p.instanceIds.map((id) => ({ id, tags: p.tags, seed: instanceSeedFor(p.entry, notBefore) }))));
    for (const p of plays) {
      for (const id of p.instanceIds) {
        twin.tags.set(id, p.tags);
        twin.tags.set(resourceIdFor(p.entry, id), p.tags);
        p.before.set(id, weightsOf(twin.fake, id));
        const seeded = twin.fake.state.getInstance(id)!;
        if (seeded.InstanceChargeType === "PrePaid") p.expiryBefore.set(id, seeded.ExpiredTime);
      }
    }
    o.faults?.(twin.fake);
    const stepMs = o.stepMs ?? 10 * MINUTE;
    for (const p of plays) begin(twin, p, start, notBefore);

    // Status notifications and disk events play out within minutes; lifecycles run to notBefore and past it.
    if (plays.some((p) => !hasInstanceLifecycle(p.entry))) await twin.runUntil(start + SPOT_NOTICE_MS + MINUTE, MINUTE, () => false);
    const lifecycles = plays.filter((p) => hasInstanceLifecycle(p.entry));
    if (lifecycles.length > 0) {
      const allFinal = () => lifecycles.every((p) => [...p.eventIds.values()].every((e) => twin.isFinal(e)));
      const cancelIfDue = async () => {
        for (const p of lifecycles) cancelIfDueFor(twin, p, notBefore, stepMs);
        await twin.settle();
      };
      await twin.runUntil(notBefore + 2 * 60 * MINUTE, stepMs, allFinal, cancelIfDue);
      // Let timers finish what a final status set off (restoring weights, ...).
      await twin.runUntil(twin.clock.now() + 3 * MINUTE, MINUTE, () => false);
    }
    await twin.settle();

    const snap = snapshot(twin.fake, o.stack, plays.flatMap((p) => p.instanceIds.flatMap((id) => [id, resourceIdFor(p.entry, id)])));
    const wallMs = wallNow() - wall0;
    return plays.map((p) => resultOf(twin, snap, p, { start, notBefore, wallMs, alone: plays.length === 1 }));
  } finally {
    await twin.close();
  }
}

function prepare(p: DrillPlay, stack: DrillStack, start: number, notBefore: number): Prepared {
  const entry = resolveEvent(p.event);
  if (hasInstanceLifecycle(entry) && notBefore <= start) throw new DrillError(`--at ${iso(notBefore)} must be after the drill's start ${iso(start)}`, "Usage");
  if (p.cancel && !hasInstanceLifecycle(entry)) throw new DrillError(`${baseName(entry)} has no lifecycle to cancel`, "Usage");
  if (p.instanceIds.length === 0) throw new DrillError(`${baseName(entry)}: no instance to drill`, "Usage");
  return { ...p, entry, tags: p.tags ?? defaultTags(stack), eventIds: new Map(), before: new Map(), expiryBefore: new Map(), canceled: false };
}

/** An instance system event with statuses: the fake runs its lifecycle. */
const hasInstanceLifecycle = (e: CatalogueEntry) => e.resource === "Instance" && e.statuses.length > 0;

/** Emits (or seeds) the play's event at the start. */
function begin(twin: Twin, p: Prepared, start: number, notBefore: number): void {
  const { entry } = p;
  const fake = twin.fake;
  if (entry.resource !== "Instance") {
    const status = entry.statuses.length ? entry.statuses[0] : undefined;
    twin.note(`${baseName(entry)} about ${entry.resource.toLowerCase()} ${p.instanceIds.map((id) => resourceIdFor(entry, id)).join(", ")} of the drilled instance(s), which carries the instance's tags (whether a CMS tag group counts disks is unconfirmed)`, p.instanceIds);
    const emit = (id: string, s: string | undefined) => {
      const eventId = p.eventIds.get(id) ?? fake.state.newId("e", 21);
      p.eventIds.set(id, eventId);
      twin.deliver(resourceEvent({ entry, instanceId: id, status: s, eventId, startedAt: start, at: twin.clock.now(), account: fake.state, regionId: twin.o.stack.region }));
    };
    for (const id of p.instanceIds) emit(id, status);
    if (status && status !== "Executed" && entry.statuses.includes("Executed")) twin.schedule(start + RESOURCE_EVENT_MS, () => p.instanceIds.forEach((id) => emit(id, "Executed")));
    return;
  }
  if (entry.statuses.length === 0) {
    const how = entry.event === "PreemptibleInstanceInterruption" ? "release 5 minutes later" : entry.event === "StateChange" ? "the instance is released" : "synthetic status notification";
    twin.note(`inject ${baseName(entry)} (${how})`, p.instanceIds);
    for (const id of p.instanceIds) {
      if (entry.event === "PreemptibleInstanceInterruption") fake.spotInterruption(id, { releaseAfterMs: SPOT_NOTICE_MS });
      else if (entry.event === "StateChange") fake.releaseInstance(id);
      else fake.emitStatusNotification(id, entry.event, {});
    }
    return;
  }
  const status = firstStatus(entry);
  // Failure events have happened already: they carry no notBefore (maintenance events do).
  const withNotBefore = status === "Scheduled" || status === "Inquiring";
  twin.note(`the platform announces ${entry.event} ${status}${withNotBefore ? ` NotBefore ${iso(notBefore)}` : ""} for ${p.instanceIds.length} instance(s)`, p.instanceIds);
  for (const id of p.instanceIds) {
    p.eventIds.set(id, fake.addSystemEvent({ InstanceId: id, EventType: entry.event, Status: status, ...(withNotBefore ? { NotBefore: notBefore } : {}), Simulated: false }).EventId);
  }
}

function cancelIfDueFor(twin: Twin, p: Prepared, notBefore: number, stepMs: number): void {
  if (!p.cancel || p.canceled) return;
  const drained = p.instanceIds.some((id) => weightsOf(twin.fake, id).join() !== p.before.get(id)!.join());
  if (!drained && twin.clock.now() + stepMs < notBefore) return;
  p.canceled = true;
  twin.note(`the platform cancels the event (--cancel)${drained ? ", after the handler drained the instance" : ", before notBefore"}`, p.instanceIds);
  for (const eventId of p.eventIds.values()) {
    const ev = twin.fake.state.events.get(eventId);
    if (ev && !(FINAL_STATUSES as readonly string[]).includes(ev.Status)) twin.fake.setSystemEventStatus(ev, "Canceled");
  }
}

function resultOf(twin: Twin, snap: DrillSnapshot, p: Prepared, o: { start: number; notBefore: number; wallMs: number; alone: boolean }): LocalDrillResult {
  const ids = new Set(p.instanceIds.flatMap((id) => [id, resourceIdFor(p.entry, id)]));
  const ours = (found: Set<string>) => o.alone || [...found].some((id) => ids.has(id));
  const instances = p.instanceIds.map((id): InstanceResult => {
    const eventId = p.eventIds.get(id);
    const live = twin.fake.state.getInstance(id);
    const expiredBefore = p.expiryBefore.get(id);
    return {
      instanceId: id,
      ...(p.entry.resource !== "Instance" ? { resourceId: resourceIdFor(p.entry, id) } : {}),
      eventId,
      finalStatus: eventId && hasInstanceLifecycle(p.entry) ? twin.eventStatus(eventId) : undefined,
      instanceStatus: live?.Status ?? "released",
      before: p.before.get(id)!,
      after: weightsOf(twin.fake, id),
      ...(expiredBefore !== undefined ? { expiry: { before: iso(expiredBefore), ...(live ? { after: iso(live.ExpiredTime) } : {}) } } : {}),
    };
  });
  const handlerDlq = [...twin.o.stack.deployments.values()][0]?.env.DEAD_LETTER_QUEUE;
  const deadLetterQueues = [...new Set([...(handlerDlq ? [handlerDlq] : []), ...twin.triggerDeadLetterQueues])].sort();
  const readers = new Map(twin.o.stack.model.queueTriggers.filter((t) => t.enabled).map((t) => [t.queue, t.functionName]));
  const queues = snap.queues.map((q) => ({ name: q.name, depth: q.messages.filter(ours).length, ...(readers.has(q.name) ? { readBy: readers.get(q.name) } : {}) }));
  const timeline = twin.timeline.filter((e) => belongs(e, ids, o.alone));
  const records = snap.records.filter((r) => o.alone || ids.has(r.instanceId));
  const scope = o.alone ? undefined : ids;
  const deliveries = twin.deliveryCounts(scope);
  const batches = twin.batchesFor(scope);
  const direct = [...twin.deliveries.values()].filter((d) => d.id.startsWith("direct:") && (!scope || scope.has(d.resourceId)));
  const invocations = { started: direct.length + batches.length, finished: direct.filter((d) => d.outcomes > 0).length + batches.filter((b) => b.wallMs !== undefined).length };
  const deadLetters = queues.filter((q) => deadLetterQueues.includes(q.name)).reduce((n, q) => n + q.depth, 0);
  // A problem about no instance in particular (a trigger the twin cannot run) is every play's.
  const twinProblems = twin.problems.filter((x) => o.alone || x.instanceIds.length === 0 || x.instanceIds.some((id) => ids.has(id))).map((x) => x.text);
  return {
    stack: twin.o.stack.stack,
    event: baseName(p.entry),
    entry: p.entry,
    startedAt: o.start,
    notBefore: hasInstanceLifecycle(p.entry) ? o.notBefore : undefined,
    timeline,
    instances,
    queues,
    deadLetters,
    deadLetterQueues,
    alerts: snap.alerts.filter((a) => ours(a.ids)).map((a) => a.alert),
    records,
    problems: drillProblems({ timeline, instances, invocations, deliveries, deadLetters, deadLetterQueues, records, twinProblems }),
    wallMs: o.wallMs,
    calls: snap.calls.filter((c) => ours(c.ids)).map((c) => c.call),
    invocations,
    batches,
    deliveries,
  };
}

/** Is a timeline entry about these resources? Entries about none of the drilled resources (a failed timer tick, a drill-wide note) belong to every play. */
function belongs(e: TimelineEntry, ids: Set<string>, alone: boolean): boolean {
  if (alone) return true;
  if (e.kind === "note") return !e.instanceIds || e.instanceIds.some((id) => ids.has(id));
  const about = e.kind === "event" ? [e.resourceId] : e.resourceIds;
  return about.length === 0 || about.some((id) => ids.has(id));
}

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
