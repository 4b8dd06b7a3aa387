// `npm run bench:plan`: wall time of the offline plan, Node start-up included,
// as medians over several runs (shared machines are noisy: no single timing
// means much). Stacks: the shipped `prod`, and a generated stack of 500
// application groups (about 2000 resources). Each run is a child process
// running tools/plan/run.js, as `npm run plan` does.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import type { PlanGraph } from "../../policies/plan-graph";

const root = path.resolve(__dirname, "../..");
const runner = path.join(root, "tools/plan/run.js");
const runs = Number(process.env.BENCH_RUNS || 5);

interface Timing {
  stack: string;
  resources: number;
  medianMs: number;
  minMs: number;
  runs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Milliseconds `fn` takes, `runs` times. */
function timed(fn: () => void): number[] {
  return Array.from({ length: runs }, () => {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  });
}

function timePlan(cwd: string, stack: string): Timing {
  const json = path.join(os.tmpdir(), `bench-plan-${process.pid}.json`);
  const times = timed(() =>
    execFileSync(process.execPath, ["--max-semi-space-size=64", runner, "--stack", stack, "--quiet", "--json", json], { cwd, stdio: ["ignore", "ignore", "inherit"] }),
  );
  const resources = (JSON.parse(fs.readFileSync(json, "utf8")) as PlanGraph).resources.length;
  fs.rmSync(json, { force: true });
  return { stack, resources, medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), runs };
}

/** A stack of `n` application groups built from the prod config's shape. */
function generatedStack(n: number): { dir: string; stack: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eventops-bench-"));
  fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const prod = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"));
  prod.config["event-ops:tags"].keys.app.values = Array.from({ length: n }, (_, i) => `app-${String(i).padStart(3, "0")}`);
  delete prod.config["event-ops:groups"]; // one group per tag value
  fs.writeFileSync(path.join(dir, `Pulumi.bench${n}.yaml`), YAML.stringify(prod));
  return { dir, stack: `bench${n}` };
}

// Warm the compiled plan once so every timed run measures the same thing.
execFileSync(process.execPath, [runner, "--stack", "prod", "--quiet"], { cwd: root, stdio: "ignore" });
const sdkLoadMs = Math.round(median(timed(() => execFileSync(process.execPath, ["-e", "require('@pulumi/pulumi')"], { cwd: root }))));

const results = [timePlan(root, "prod")];
const big = generatedStack(500);
try {
  results.push(timePlan(big.dir, big.stack));
} finally {
  fs.rmSync(big.dir, { recursive: true, force: true });
}

console.log(`node + require('@pulumi/pulumi') alone: median ${sdkLoadMs} ms`);
for (const r of results) {
  console.log(`plan ${r.stack}: ${r.resources} resources, median ${r.medianMs} ms (min ${r.minMs} ms, ${r.runs} runs), ${(r.medianMs / sdkLoadMs).toFixed(2)}x the SDK load`);
}
