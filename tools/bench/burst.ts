// npm run bench:burst: N simultaneous spot interruptions (default 10, 100,
// 1000) behind 12 CLBs, 2 vServer groups and 2 ALB groups, on the local cloud
// with its limits on (per-call server limits, ALB jobs of 2 s one at a time
// per group, the assumed write quotas of local-cloud/rate-limits.ts), through
// both paths in the same run:
// - per-instance: CloudMonitor's FC target, one invocation of the bundled
//   spot-drain per event;
// - batched: CloudMonitor → MNS queue → FC queue trigger (local-cloud/
//   queue-trigger.ts) → the bundled spot-drain with a batch of CloudEvents.
// Time is virtual (tools/virtual-timers.ts): the handlers' drain waits, back-offs
// and the quotas' refill run on the fake's clock, every call still a signed
// HTTP request. Reported per run: time until every instance is at weight 0 and
// until every instance is removed (also as ratios to the floor,
// local-cloud/floor.ts), mutating calls, throttles, conflicts, duplicates,
// outcomes; no pass/fail, except exit 3 when a run could not be made.
import { randomUUID } from "node:crypto";
import type { Outcome } from "../../handlers/core/outcome";
import { DEFAULT_BATCH_WINDOWS, RANGES } from "../../handlers/contract";
import { ASSUMED_WRITE_QUOTAS, drainFloor, FakeClock, QueueTrigger, startFakeCloud, type Floor, type MnsCloudEvent } from "../../local-cloud";
import { ensureBundles, loadBundledHandler, withEnv } from "../bundle-loader";
import { parseCommand, progressLog, runScript, UsageError, writeOutput, type Command } from "../cli/command";
import { measureBurst, type BurstMeasure } from "./burst-measure";
import { seedTopology, TOPOLOGY } from "./burst-topology";
import { VirtualTimers } from "../virtual-timers";

const FLAGS = {
  sizes: { type: "string", value: "<n,n,...>", help: "burst sizes, each 1-5000 (default 10,100,1000)" },
  paths: { type: "string", value: "<batched,per-instance>", help: "paths to run (default both)" },
  "count-window": { type: "string", value: "<n>", help: `queue trigger CountBasedWindow, 1-10000 (default ${DEFAULT_BATCH_WINDOWS["spot-drain"].countBasedWindow}, the stack's)` },
  "time-window": { type: "string", value: "<s>", help: `queue trigger TimeBasedWindow seconds, 0-15 (default ${DEFAULT_BATCH_WINDOWS["spot-drain"].timeBasedWindowSeconds}, the stack's)` },
  "trigger-concurrency": { type: "string", value: "<n>", help: "queue trigger invocations in flight, 1-100 (default 1: a synchronous trigger waits for each batch)" },
  "job-seconds": { type: "string", value: "<s>", help: "ALB job duration, 0-60 (default 2)" },
  json: { type: "string", value: "<file>", help: "also write the figures as JSON; `-` is stdout (the table then goes to stderr)" },
  progress: { type: "boolean", help: "show each run on stderr (shown anyway when stderr is a terminal)" },
  help: { type: "boolean", short: "h", help: "this help" },
} as const;

export const BENCH_BURST: Command<typeof FLAGS> = {
  name: "npm run bench:burst --",
  summary: "Mass spot interruption on the local cloud with its limits on: batched (MNS queue trigger) and per-instance paths, times as ratios to the floor.",
  usage: ["[--sizes 10,100,1000] [--paths batched,per-instance] [--count-window <n>] [--time-window <s>] [--json <file|->]"],
  flags: FLAGS,
  exits: { 0: "measured", 2: "bad arguments", 3: "a run could not be made" },
  notes: [
    "The write quotas (CLB 90/min, ALB 200/min) are assumptions: no published figure was found (local-cloud/rate-limits.ts).",
    "Times are virtual: measured from the notices on the fake's clock, not wall time.",
  ],
};

const PATHS = ["batched", "per-instance"] as const;
type PathName = (typeof PATHS)[number];

export interface BurstSettings {
  countWindow: number;
  timeWindowSeconds: number;
  triggerConcurrency: number;
  albJobMs: number;
  drainWaitSeconds: number;
  timeoutSeconds: number;
}

export interface BurstRun extends BurstMeasure {
  path: PathName;
  n: number;
  floor: Floor;
  weightZeroRatio: number;
  removedRatio: number;
  outcomes: Record<string, number>;
  invocations: number;
  batches?: number[];
  deadLettered: number;
  /** A few distinct reasons of failed outcomes. */
  failureReasons: string[];
  wallMs: number;
}

const QUEUE = "bench-spot-events";
const DLQ = "bench-dlq";
const SCOPE = { key: "event-ops", value: "managed" };
const START = Date.parse("2026-11-20T00:00:00Z");
/** Virtual time a run may take before it is cut off (the instances are released at 5 minutes anyway). */
const CUTOFF_MS = 15 * 60_000;

function listFlag(v: string | undefined, flag: string, allowed?: readonly string[]): string[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(",").map((s) => s.trim()).filter(Boolean);
  if (xs.length === 0) throw new UsageError(`--${flag} ${v}: give at least one value`);
  const bad = allowed && xs.find((x) => !allowed.includes(x));
  if (bad) throw new UsageError(`--${flag}: ${bad} is not one of ${allowed!.join(", ")}`);
  return xs;
}

function numberFlag(v: string | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(n >= min && n <= max)) throw new UsageError(`--${flag} ${v}: a number from ${min} to ${max}`);
  return n;
}

const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});

/** One run: a fresh fake, the topology, N notices at once, the path until every invocation is over. */
export async function runBurst(path: PathName, n: number, s: BurstSettings): Promise<BurstRun> {
  const wall0 = performance.now();
  const clock = new FakeClock(START);
  const fake = await startFakeCloud({ clock, rateLimits: ASSUMED_WRITE_QUOTAS });
  fake.state.albJobDurationMs = s.albJobMs;
  const topo = seedTopology(fake, n, { [SCOPE.key]: SCOPE.value });
  fake.state.addTopic("bench-alerts");
  fake.state.addQueue(QUEUE);
  fake.state.addQueue(DLQ);
  const timers = new VirtualTimers(clock, () => fake.nextScheduledAt()).install();
  const outcomes: string[] = [];
  const failures = new Set<string>();
  const note = (o: Outcome) => {
    outcomes.push(o.outcome);
    if (o.outcome === "failed" && failures.size < 3) failures.add((o.reason ?? "").replace(/i-burst\d+/g, "i-…").replace(/request id: \S+/g, "").slice(0, 240));
  };
  let inFlight = 0;
  let invocations = 0;
  let trigger: QueueTrigger | undefined;
  const env = {
    SCOPE_TAG_KEY: SCOPE.key,
    SCOPE_TAG_VALUE: SCOPE.value,
    DRAIN_WAIT_SECONDS: String(s.drainWaitSeconds),
    MIN_HEALTHY_BACKENDS: "1",
    IDEMPOTENCY_BUCKET: "bench-markers",
    DEAD_LETTER_QUEUE: DLQ,
    ALERT_TOPIC: "bench-alerts",
    ALIBABA_CLOUD_ACCOUNT_ID: fake.state.accountId,
    ALIBABA_CLOUD_REGION_ID: fake.state.defaultRegion,
    ...Object.fromEntries(["ECS", "SLB", "ALB", "ESS", "CMS", "OSS", "MNS"].map((p) => [`ALIBABA_CLOUD_ENDPOINT_${p}`, fake.url])),
    ALIBABA_CLOUD_ACCESS_KEY_ID: fake.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: fake.accessKeySecret,
  };
  try {
    return await withEnv(env, async () => {
      const handler = loadBundledHandler("spot-drain");
      const context = () => ({ requestId: randomUUID(), function: { name: "spot-drain", timeout: s.timeoutSeconds }, region: fake.state.defaultRegion, accountId: fake.state.accountId });
      const invoke = async (body: unknown): Promise<Outcome> => {
        inFlight++;
        invocations++;
        try {
          return await handler(Buffer.from(JSON.stringify(body)), context());
        } finally {
          inFlight--;
        }
      };
      if (path === "per-instance") {
        fake.onSystemEvent((e) => {
          void invoke(e).then(
            (o) => note(o),
            (err: Error) => outcomes.push(`threw: ${err.message.slice(0, 80)}`),
          );
        });
      } else {
        fake.routeSystemEventsToQueue(QUEUE);
        trigger = new QueueTrigger(fake, {
          queue: QUEUE,
          countBasedWindow: s.countWindow,
          timeBasedWindowSeconds: s.timeWindowSeconds,
          concurrency: s.triggerConcurrency,
          deadLetterQueue: DLQ,
          invoke: async (events: MnsCloudEvent[]) => {
            const o = await invoke(events);
            const results = (o as Outcome & { results?: Array<{ outcome: Outcome }> }).results;
            if (results) for (const r of results) note(r.outcome);
            else for (const _ of events) note(o);
            return o;
          },
        });
      }
      const noticeAt = clock.now();
      for (const id of topo.ids) fake.spotInterruption(id, { releaseAfterMs: null });
      const finished = await timers.run(() => inFlight === 0 && (trigger?.idle ?? true) && outcomes.length >= n, noticeAt + CUTOFF_MS);
      trigger?.stop();
      const m = measureBurst(fake, topo, noticeAt);
      const floor = drainFloor(topo.floorTargets, { clbWrites: ASSUMED_WRITE_QUOTAS[0], albWrites: ASSUMED_WRITE_QUOTAS[1], albJobMs: s.albJobMs, drainWaitMs: s.drainWaitSeconds * 1000 });
      const lost = n - outcomes.length;
      return {
        path,
        n,
        ...m,
        floor,
        weightZeroRatio: m.allWeightZeroMs / floor.weightZeroMs,
        removedRatio: m.allRemovedMs / floor.removedMs,
        outcomes: { ...count(outcomes), ...(lost > 0 ? { [finished ? "lost" : "unfinished at cut-off"]: lost } : {}) },
        invocations,
        batches: trigger?.stats.batchSizes,
        deadLettered: (trigger?.stats.deadLettered ?? 0) + fake.state.getQueue(DLQ)!.Messages.length,
        failureReasons: [...failures],
        wallMs: performance.now() - wall0,
      };
    });
  } finally {
    timers.uninstall();
    await fake.close();
  }
}

const secs = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "never");
const ratio = (x: number) => (Number.isFinite(x) ? `×${x.toFixed(2)}` : "—");

export function renderRuns(runs: BurstRun[], s: BurstSettings): string {
  const lines = [
    `bench:burst — ${TOPOLOGY.clbs} CLBs, ${TOPOLOGY.vServerGroups} vServer groups, ${TOPOLOGY.albGroups} ALB groups (each instance in one of each, ${TOPOLOGY.neighboursPerTarget} neighbours per target);`,
    `  ALB jobs ${s.albJobMs / 1000} s; quotas (assumed) CLB writes ${ASSUMED_WRITE_QUOTAS[0].perMinute}/min, ALB writes ${ASSUMED_WRITE_QUOTAS[1].perMinute}/min; drain wait ${s.drainWaitSeconds} s; function timeout ${s.timeoutSeconds} s;`,
    `  queue trigger CountBasedWindow ${s.countWindow}, TimeBasedWindow ${s.timeWindowSeconds} s, concurrency ${s.triggerConcurrency}. Times virtual, from the notices.`,
    "",
    `  ${"path".padEnd(13)} ${"N".padStart(5)}  ${"weight 0".padStart(9)} ${"/floor".padStart(7)}  ${"removed".padStart(9)} ${"/floor".padStart(7)}  ${"mutating".padStart(8)} ${"(ok)".padStart(6)} ${"throttled".padStart(9)} ${"conflicts".padStart(9)} ${"dups".padStart(5)}  outcomes`,
  ];
  for (const r of runs) {
    lines.push(
      `  ${r.path.padEnd(13)} ${String(r.n).padStart(5)}  ${secs(r.allWeightZeroMs).padStart(9)} ${ratio(r.weightZeroRatio).padStart(7)}  ${secs(r.allRemovedMs).padStart(9)} ${ratio(r.removedRatio).padStart(7)}  ${String(r.mutatingSent).padStart(8)} ${String(r.mutatingAccepted).padStart(6)} ${String(r.throttled).padStart(9)} ${String(r.conflicts).padStart(9)} ${String(r.duplicates).padStart(5)}  ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    );
  }
  lines.push("", "  floors (least time under the limits) and what binds them:");
  for (const n of [...new Set(runs.map((r) => r.n))]) {
    const f = runs.find((r) => r.n === n)!.floor;
    lines.push(`    N=${n}: weight 0 ${secs(f.weightZeroMs)} (${f.bindsWeightZero}); removed ${secs(f.removedMs)} (${f.bindsRemoved})`);
  }
  lines.push("", "  per run: not at weight 0 / still in a load balancer / neighbours changed / dead letters / invocations / wall");
  for (const r of runs) {
    lines.push(`    ${r.path} N=${r.n}: ${r.notAtWeightZero} / ${r.stillInALoadBalancer} / ${r.neighboursChanged} / ${r.deadLettered} / ${r.invocations}${r.batches ? ` (batches ${r.batches.join(",")})` : ""} / ${(r.wallMs / 1000).toFixed(1)} s`);
    for (const f of r.failureReasons) lines.push(`      failed: ${f}`);
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  const values = parseCommand(BENCH_BURST, process.argv.slice(2));
  if (!values) return 0;
  const sizes = (listFlag(values.sizes, "sizes") ?? ["10", "100", "1000"]).map((x) => numberFlag(x, "sizes", 1, 5000, 0));
  if (sizes.some((x) => !Number.isInteger(x))) throw new UsageError(`--sizes ${values.sizes}: whole numbers`);
  const paths = (listFlag(values.paths, "paths", PATHS) ?? [...PATHS]) as PathName[];
  const settings: BurstSettings = {
    // The stack's own defaults for spot-drain's queue trigger (handlers/contract/batching.ts).
    countWindow: numberFlag(values["count-window"], "count-window", 1, 10_000, DEFAULT_BATCH_WINDOWS["spot-drain"].countBasedWindow),
    timeWindowSeconds: numberFlag(values["time-window"], "time-window", 0, 15, DEFAULT_BATCH_WINDOWS["spot-drain"].timeBasedWindowSeconds),
    // One batch at a time: the stack's trigger is synchronous, and a synchronous MNS trigger "waits for the
    // function's return before delivering the next event or batch" (FC doc "Simple Message Queue (formerly
    // MNS) queue triggers"); DeliveryOption.concurrency is for Kafka sources only (SDK fc-20230330).
    triggerConcurrency: numberFlag(values["trigger-concurrency"], "trigger-concurrency", 1, 100, 1),
    albJobMs: numberFlag(values["job-seconds"], "job-seconds", 0, 60, 2) * 1000,
    drainWaitSeconds: RANGES.drainWaitSeconds.default,
    timeoutSeconds: 300,
  };
  const progress = progressLog("bench:burst", values.progress);
  const say = values.json === "-" ? console.error : console.log;
  await ensureBundles();
  const runs: BurstRun[] = [];
  for (const n of sizes) {
    for (const p of paths) {
      progress(`${p} N=${n}`);
      runs.push(await runBurst(p, n, settings));
    }
  }
  say(renderRuns(runs, settings));
  if (values.json) writeOutput(values.json, `${JSON.stringify({ settings, runs }, (_k, v) => (v === Infinity ? "Infinity" : v), 2)}\n`);
  return 0;
}

if (require.main === module) runScript(BENCH_BURST, main);
