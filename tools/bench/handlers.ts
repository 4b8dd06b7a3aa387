// Handler overhead per event, measured on the bundled zips against the local
// fake cloud. Each outcome carries its timings (total, api = time with a port
// call in flight, wait = drain wait); own overhead = total − api − wait is the
// handler's own work (decoding, validation, planning, logging setup), the
// figure the issue wants at "a few milliseconds". Prints medians and ratios
// (no pass/fail), plus each zip's size and cold-require time.
import * as fs from "node:fs";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { endpointEnv, startFakeCloud, type FakeCloud } from "../../local-cloud";
import { ensureBundles, loadBundledHandler, withEnv, type FcHandler } from "../bundle-loader";
import { OUT_DIR, MANIFEST_PATH, type BundleManifest } from "../bundle";
import { intFlag, parseCommand, progressLog, runScript, writeOutput, type Command } from "../cli/command";

const FLAGS = {
  runs: { type: "string", value: "<n>", help: "runs per scenario (default: $BENCH_RUNS or 25)" },
  json: { type: "string", value: "<file>", help: "also write the medians as JSON; `-` is stdout (the table then goes to stderr)" },
  progress: { type: "boolean", help: "show each scenario on stderr (shown anyway when stderr is a terminal)" },
  help: { type: "boolean", short: "h", help: "this help" },
} as const;

export const BENCH_HANDLERS: Command<typeof FLAGS> = {
  name: "npm run bench:handlers --",
  summary: "Per-event handler overhead on the bundled zips against the local fake cloud: total, API and own time (medians), bundle sizes and cold require.",
  usage: ["[--runs <n>] [--json <file|->] [--progress]"],
  flags: FLAGS,
  exits: { 0: "measured", 2: "bad arguments", 3: "a scenario failed" },
};

let RUNS = 25;
let progress: (line: string) => void = () => {};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function event(name: string, instanceId: string, content: Record<string, unknown> = {}) {
  return Buffer.from(JSON.stringify({ id: randomUUID(), product: "ECS", name, level: "WARN", regionId: "cn-hangzhou", resourceId: `acs:ecs:cn-hangzhou:1:instance/${instanceId}`, content: { instanceId, ...content } }));
}

interface Row {
  label: string;
  total: number;
  api: number;
  own: number;
  outcomes: string[];
}

async function timeRuns(label: string, fake: FakeCloud, handler: FcHandler, prepare: (i: number) => Buffer): Promise<Row> {
  const total: number[] = [];
  const api: number[] = [];
  const own: number[] = [];
  const outcomes = new Set<string>();
  progress(`${label} (${RUNS} runs)`);
  for (let i = 0; i < RUNS; i++) {
    const body = prepare(i);
    const out = await handler(body, { requestId: randomUUID(), function: { name: label, timeout: 300 }, region: "cn-hangzhou", accountId: "1234567890123456" });
    const t = out.timings!;
    total.push(t.totalMs);
    api.push(t.apiMs);
    own.push(t.totalMs - t.apiMs - t.waitMs);
    outcomes.add(out.outcome);
  }
  fake.callLog.clear();
  return { label, total: median(total), api: median(api), own: median(own), outcomes: [...outcomes] };
}

async function main(): Promise<number> {
  const values = parseCommand(BENCH_HANDLERS, process.argv.slice(2));
  if (!values) return 0;
  RUNS = intFlag(values.runs ?? process.env.BENCH_RUNS, "runs", 1, 1000) ?? 25;
  progress = progressLog("bench:handlers", values.progress);
  const say = values.json === "-" ? console.error : console.log;
  await ensureBundles();
  const manifest: BundleManifest = JSON.parse(fs.readFileSync(MANIFEST_PATH, "utf8"));
  say("bundle sizes and cold require:");
  for (const [name, e] of Object.entries(manifest)) {
    const file = path.join(OUT_DIR, name, "index.js");
    const t = process.hrtime.bigint();
    require(file);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    say(`  ${name.padEnd(17)} zip ${(e.bytes / 1024).toFixed(1)} KiB, index.js ${(e.jsBytes / 1024).toFixed(1)} KiB, cold require ${ms.toFixed(1)} ms`);
  }

  const fake = await startFakeCloud();
  const env = {
    ...endpointEnv(fake),
    SCOPE_TAG_KEY: "event-ops",
    SCOPE_TAG_VALUE: "managed",
    DRAIN_WAIT_SECONDS: "0",
    MIN_HEALTHY_BACKENDS: "1",
    IDEMPOTENCY_BUCKET: "bench-markers",
    DEAD_LETTER_QUEUE: "bench-dlq",
    ALERT_TOPIC: "bench-alerts",
  };
  fake.state.addTopic(env.ALERT_TOPIC);
  const [spot, cleanup, record] = ["spot-drain", "instance-cleanup", "state-record"].map(loadBundledHandler);
  const s = fake.state;
  const results = await withEnv(env, async () => {
    const rows = [];
    rows.push(await timeRuns("state-record (no cloud calls)", fake, record, (i) => event("Instance:StateChange", `i-rec${i}`, { state: "Running" })));
    rows.push(
      await timeRuns("spot-drain: 2 CLB + 2 vServer + 2 ALB groups", fake, spot, (i) => {
        const v = `i-spot${i}`;
        const peer = `${v}-peer`;
        s.addInstance({ InstanceId: v, Tags: { "event-ops": "managed" } });
        for (let k = 0; k < 2; k++) {
          const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: v, Weight: 100 }, { ServerId: peer, Weight: 100 }] });
          s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: [{ ServerId: v, Port: 80 }, { ServerId: peer, Port: 80 }] });
          s.addAlbServerGroup({ Servers: [{ ServerId: v, Port: 80, Status: "Available" }, { ServerId: peer, Port: 80, Status: "Available" }] });
        }
        return event("Instance:PreemptibleInstanceInterruption", v, { action: "delete" });
      }),
    );
    const repeated = event("Instance:PreemptibleInstanceInterruption", "i-spot0", { action: "delete" });
    await spot(repeated, { requestId: randomUUID(), function: { timeout: 300 }, region: "cn-hangzhou" }); // leaves a done marker
    rows.push(await timeRuns("spot-drain duplicate (marker says done)", fake, spot, () => repeated));
    rows.push(
      await timeRuns("instance-cleanup: ESS + 1 CLB", fake, cleanup, (i) => {
        const v = `i-gone${i}`;
        const g = s.addScalingGroup({ MinSize: 0 });
        s.addScalingInstance(g.ScalingGroupId, { InstanceId: v });
        s.addLoadBalancer({ BackendServers: [{ ServerId: v, Weight: 100 }] });
        return event("Instance:StateChange", v, { resourceId: v, state: "Deleted" });
      }),
    );
    rows.push(await timeRuns("rejected (invalid JSON → DLQ)", fake, spot, () => Buffer.from("{oops")));
    return rows;
  });
  await fake.close();

  const base = results[0];
  const ms = (x: number) => `${x.toFixed(2).padStart(7)} ms`;
  say(`\nmedians over ${RUNS} runs (fake cloud on loopback, zero drain wait, growing state); own = total − api − wait:`);
  say(`  ${"scenario".padEnd(46)} ${"total".padStart(10)} ${"api".padStart(10)} ${"own".padStart(10)}  own/total  own ×state-record`);
  for (const r of results) {
    say(`  ${r.label.padEnd(46)} ${ms(r.total)} ${ms(r.api)} ${ms(r.own)}  ${`${((r.own / r.total) * 100).toFixed(0)}%`.padStart(9)}  ${`×${(r.own / base.own).toFixed(1)}`.padStart(17)}  [${r.outcomes.join(",")}]`);
  }
  if (values.json) writeOutput(values.json, `${JSON.stringify({ runs: RUNS, bundles: manifest, scenarios: results }, null, 2)}\n`);
  return 0;
}

if (require.main === module) runScript(BENCH_HANDLERS, main);
