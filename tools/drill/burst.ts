// The burst drill: the same local drill fanned out over N instances at once,
// with throttling injected and some events delivered twice (a second message
// on the handler's queue), to show the queue path holds under load: every
// event taken off its queue in batches and answered, nothing lost, nothing
// done twice, throttling absorbed.
import type { FakeCloud } from "../../local-cloud";
import { runLocalDrill, type LocalDrillResult } from "./local";
import type { DrillStack } from "./stack";
import type { DeliveryCounts } from "./twin";

/** Calls that change something: each (action, target, parameters) may succeed once per instance. */
export const DESTRUCTIVE_ACTIONS = [
  "SetBackendServers",
  "RemoveBackendServers",
  "SetVServerGroupAttribute",
  "RemoveVServerGroupBackendServers",
  "UpdateServerGroupServersAttribute",
  "RemoveServersFromServerGroup",
  "DetachInstances",
  "RemoveInstances",
  "RebootInstance",
  "RedeployInstance",
  "StopInstance",
  "StartInstance",
  "RenewInstance",
] as const;

/** Actions the burst throttles (`Throttling.User`) `throttle` times each. */
export const THROTTLED_ACTIONS = ["DescribeInstances", "DescribeLoadBalancers", "SetBackendServers", "RemoveBackendServers", "SetVServerGroupAttribute", "RemoveVServerGroupBackendServers", "ListServerGroupServers", "RemoveServersFromServerGroup"];

export interface BurstOptions {
  stack: DrillStack;
  event: string;
  count: number;
  tags?: Record<string, string>;
  at?: number;
  start?: number;
  /** Every n-th call of each action in THROTTLED_ACTIONS answers Throttling.User (default 20, i.e. 5%; 0 = none). */
  throttleEvery?: number;
  /** Fraction of events delivered twice: a copy on the queue, up to 30 s later (default 0.1). */
  redeliverFraction?: number;
  concurrency?: number;
}

export interface BurstResult {
  event: string;
  instances: number;
  events: number;
  eventsByName: Record<string, number>;
  outcomes: Record<string, number>;
  outcomesByHandler: Record<string, Record<string, number>>;
  /** Function invocations (queue-trigger batches and direct ones) started and finished. */
  invocations: { started: number; finished: number };
  /** Queue-trigger batches per handler, their sizes in order. */
  batches: Record<string, number[]>;
  /** Events handed to handlers (messages on their queues, direct invocations) and what became of them. */
  deliveries: DeliveryCounts;
  /** Outcomes of redelivered copies. */
  redelivered: number;
  /** Events handed to a handler that got no outcome and are on no queue or dead-letter queue, plus messages missing from the queues no trigger reads. */
  lost: number;
  failed: number;
  /** Destructive calls that succeeded more than once for the same instance, action, target and parameters. */
  duplicates: number;
  duplicateExamples: string[];
  destructiveCalls: number;
  throttled: number;
  /** Messages on the queues no trigger reads (the tiers' own): routed there, and found there. */
  queueMessages: { expected: number; found: number };
  deadLetters: number;
  finalStatuses: Record<string, number>;
  stillInALoadBalancer: number;
  wallMs: number;
  /** Wall time per function invocation (a batch counts once). */
  medianHandlerMs: number;
  p95HandlerMs: number;
  drill: LocalDrillResult;
}

const inc = (m: Record<string, number>, k: string, by = 1) => void (m[k] = (m[k] ?? 0) + by);

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export function burstIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `i-burst${String(i).padStart(5, "0")}`);
}

/** Deterministic pseudo-randomness (mulberry32), so a burst is repeatable. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runBurst(o: BurstOptions): Promise<BurstResult> {
  const ids = burstIds(o.count);
  const every = o.throttleEvery ?? 20;
  // Spread evenly (every n-th call), as a rate limit under steady load answers:
  // a retrying caller meets it now and then, not on every attempt.
  const expectedCalls = o.count * 4;
  const drill = await runLocalDrill({
    stack: o.stack,
    event: o.event,
    instanceIds: ids,
    tags: o.tags,
    at: o.at,
    start: o.start,
    concurrency: o.concurrency ?? 64,
    redeliverFraction: o.redeliverFraction ?? 0.1,
    random: seeded(42),
    faults: (fake: FakeCloud) => {
      if (every > 0) for (const a of THROTTLED_ACTIONS) for (let n = every; n <= expectedCalls; n += every) fake.faults.failNth(a, n, { status: 400, code: "Throttling.User", message: "Request was denied due to user flow control." });
    },
  });
  return analyseBurst(drill, ids);
}

export function analyseBurst(drill: LocalDrillResult, ids: string[]): BurstResult {
  const idSet = new Set(ids);
  // Messages on a queue a trigger reads are taken off and accounted for as deliveries; the others stay.
  const read = new Set(drill.queues.filter((q) => q.readBy).map((q) => q.name));
  const eventsByName: Record<string, number> = {};
  let expectedQueue = 0;
  for (const e of drill.timeline) {
    if (e.kind !== "event") continue;
    inc(eventsByName, e.event.name);
    expectedQueue += e.routing.queues.filter((q) => !read.has(q)).length;
  }
  const outcomes: Record<string, number> = {};
  const outcomesByHandler: Record<string, Record<string, number>> = {};
  const wall = drill.batches.map((b) => b.wallMs ?? 0);
  let redelivered = 0;
  for (const e of drill.timeline) {
    if (e.kind !== "handler" || e.trigger !== "event") continue;
    inc(outcomes, e.outcome.outcome);
    inc((outcomesByHandler[e.handler] ??= {}), e.outcome.outcome);
    if (!e.batch) wall.push(e.wallMs);
    if (e.redelivery) redelivered++;
  }
  const batches: Record<string, number[]> = {};
  for (const b of drill.batches) (batches[b.handler] ??= []).push(b.size);
  // Destructive calls: the same call succeeding twice for one instance is a duplicate.
  const seen = new Map<string, number>();
  let destructive = 0;
  let throttled = 0;
  for (const c of drill.calls) {
    if (c.outcome.code?.startsWith("Throttling")) throttled++;
    if (!(DESTRUCTIVE_ACTIONS as readonly string[]).includes(c.action) || c.outcome.status >= 300 || c.replayed) continue;
    destructive++;
    const params = Object.entries(c.params).filter(([k]) => k !== "ClientToken" && k !== "RequestId").sort(([a], [b]) => a.localeCompare(b));
    const mentioned = new Set(params.flatMap(([, v]) => String(v).match(/i-burst\d{5}(?!\d|-peer)/g) ?? []).filter((id) => idSet.has(id)));
    for (const id of mentioned) {
      const key = `${id} ${c.action} ${JSON.stringify(params)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  const dups = [...seen].filter(([, n]) => n > 1);
  const finalStatuses: Record<string, number> = {};
  for (const i of drill.instances) inc(finalStatuses, i.finalStatus ?? `instance ${i.instanceStatus}`);
  const queueFound = drill.queues.filter((q) => !read.has(q.name) && !drill.deadLetterQueues.includes(q.name)).reduce((n, q) => n + q.depth, 0);
  const lost = drill.deliveries.lost + Math.max(0, expectedQueue - queueFound);
  return {
    event: drill.event,
    instances: ids.length,
    events: Object.values(eventsByName).reduce((a, b) => a + b, 0),
    eventsByName,
    outcomes,
    outcomesByHandler,
    invocations: drill.invocations,
    batches,
    deliveries: drill.deliveries,
    redelivered,
    lost,
    failed: outcomes.failed ?? 0,
    duplicates: dups.length,
    duplicateExamples: dups.slice(0, 5).map(([k, n]) => `${k} ×${n}`),
    destructiveCalls: destructive,
    throttled,
    queueMessages: { expected: expectedQueue, found: queueFound },
    deadLetters: drill.deadLetters,
    finalStatuses,
    stillInALoadBalancer: drill.instances.filter((i) => i.after.length > 0).length,
    wallMs: drill.wallMs,
    medianHandlerMs: quantile(wall, 0.5),
    p95HandlerMs: quantile(wall, 0.95),
    drill,
  };
}

export function renderBurst(r: BurstResult): string {
  const fmt = (m: Record<string, number>) => Object.entries(m).sort().map(([k, v]) => `${k} ${v}`).join(", ") || "—";
  return [
    `burst drill: ${r.event} × ${r.instances} instance(s) on stack ${r.drill.stack}`,
    `  events emitted and routed: ${r.events} (${fmt(r.eventsByName)})`,
    `  function invocations: ${r.invocations.started} started, ${r.invocations.finished} finished; queue-trigger batches: ${Object.entries(r.batches).map(([h, b]) => `${h} ${b.length} (${sizesText(b)})`).join(", ") || "—"}`,
    `  events handed to handlers: ${r.deliveries.sent}; with an outcome ${r.deliveries.answered}, waiting ${r.deliveries.waiting}, dead-lettered ${r.deliveries.deadLettered}; ${r.redelivered} outcome(s) of redelivered copies`,
    `  outcomes: ${fmt(r.outcomes)}`,
    ...Object.entries(r.outcomesByHandler).map(([h, m]) => `    ${h}: ${fmt(m)}`),
    `  messages on the tiers' queues: ${r.queueMessages.found} of ${r.queueMessages.expected} routed; dead letters: ${r.deadLetters}`,
    `  lost: ${r.lost}   failed: ${r.failed}   duplicate destructive actions: ${r.duplicates}${r.duplicateExamples.length ? ` (${r.duplicateExamples.join("; ")})` : ""}`,
    `  destructive calls: ${r.destructiveCalls}   throttled answers absorbed: ${r.throttled}`,
    `  final: ${fmt(r.finalStatuses)}; instances still in a load balancer: ${r.stillInALoadBalancer}`,
    `  wall time: ${(r.wallMs / 1000).toFixed(1)} s; per function invocation: median ${r.medianHandlerMs.toFixed(1)} ms, p95 ${r.p95HandlerMs.toFixed(1)} ms`,
  ].join("\n");
}

/** Batch sizes in order, runs of one size written once: `1000, 97` or `10 ×99, 7`. */
export function sizesText(sizes: number[]): string {
  const runs: { size: number; n: number }[] = [];
  for (const size of sizes) {
    const last = runs[runs.length - 1];
    if (last?.size === size) last.n++;
    else runs.push({ size, n: 1 });
  }
  return runs.map((r) => (r.n > 1 ? `${r.size} ×${r.n}` : String(r.size))).join(", ");
}
