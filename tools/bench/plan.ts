// `npm run bench:plan`: wall time of the offline plan, Node start-up included,
// as medians over several runs (shared machines are noisy: no single timing
// means much). Stacks: the shipped `prod`, and a generated stack of 500
// application groups (about 2000 resources). Each run is a child process
// running tools/plan/run.js, as `npm run plan` does. The plan type-checks
// infra/ first unless its sources are unchanged since the last clean check:
// `prod` is timed both ways (cold: that record removed before each run).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import type { PlanGraph } from "../../policies/plan-graph";
import { intFlag, parseCommand, progressLog, runScript, writeOutput, type Command } from "../cli/command";

const root = path.resolve(__dirname, "../..");
const runner = path.join(root, "tools/plan/run.js");
/** The type-check gate's record of its last clean check (tools/plan/prepare.ts). */
const typecheckStamp = path.join(root, ".build/typecheck-infra.json");

const FLAGS = {
  runs: { type: "string", value: "<n>", help: "runs per measurement (default: $BENCH_RUNS or 5)" },
  groups: { type: "string", value: "<n>", help: "application groups of the generated stack (default 500)" },
  json: { type: "string", value: "<file>", help: "also write the figures as JSON; `-` is stdout (the table then goes to stderr)" },
  progress: { type: "boolean", help: "show each run on stderr (shown anyway when stderr is a terminal)" },
  help: { type: "boolean", short: "h", help: "this help" },
} as const;

export const BENCH_PLAN: Command<typeof FLAGS> = {
  name: "npm run bench:plan --",
  summary: "Times the offline plan (medians, Node start-up included): prod with the type-check gate cold and warm, and a generated stack of many groups.",
  usage: ["[--runs <n>] [--groups <n>] [--json <file|->] [--progress]"],
  flags: FLAGS,
  exits: { 0: "measured", 2: "bad arguments", 3: "a plan failed" },
};

let runs = 5;
let progress: (line: string) => void = () => {};

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
function timed(fn: () => void, label = ""): number[] {
  return Array.from({ length: runs }, (_, i) => {
    if (label) progress(`${label}: run ${i + 1}/${runs}`);
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  });
}

function timePlan(cwd: string, stack: string, label = stack, before: () => void = () => {}): Timing {
  const json = path.join(os.tmpdir(), `bench-plan-${process.pid}.json`);
  const times = timed(() => {
    before();
    execFileSync(process.execPath, ["--max-semi-space-size=64", runner, "--stack", stack, "--quiet", "--json", json], { cwd, stdio: ["ignore", "ignore", "inherit"] });
  }, label);
  const resources = (JSON.parse(fs.readFileSync(json, "utf8")) as PlanGraph).resources.length;
  fs.rmSync(json, { force: true });
  return { stack: label, resources, medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), runs };
}

/** A stack of `n` application groups built from the prod config's shape. */
function generatedStack(n: number): { dir: string; stack: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eventops-bench-"));
  fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const prod = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"));
  const apps = Array.from({ length: n }, (_, i) => `app-${String(i).padStart(3, "0")}`);
  prod.config["event-ops:tags"].keys.app.values = apps;
  // The account's taxonomy, when the stack declares one, must hold every value the stack uses.
  const accountApp = prod.config["event-ops:account"]?.tags?.app;
  if (accountApp) accountApp.values = apps;
  delete prod.config["event-ops:groups"]; // one group per tag value
  fs.writeFileSync(path.join(dir, `Pulumi.bench${n}.yaml`), YAML.stringify(prod));
  return { dir, stack: `bench${n}` };
}

async function main(): Promise<number> {
  const values = parseCommand(BENCH_PLAN, process.argv.slice(2));
  if (!values) return 0;
  runs = intFlag(values.runs ?? process.env.BENCH_RUNS, "runs", 1, 100) ?? 5;
  const groups = intFlag(values.groups, "groups", 1, 5000) ?? 500;
  progress = progressLog("bench:plan", values.progress);
  const say = values.json === "-" ? console.error : console.log;

  // Warm the compiled plan once so every timed run measures the same thing.
  progress("warming the compiled plan");
  execFileSync(process.execPath, [runner, "--stack", "prod", "--quiet"], { cwd: root, stdio: "ignore" });
  const sdkLoadMs = Math.round(median(timed(() => execFileSync(process.execPath, ["-e", "require('@pulumi/pulumi')"], { cwd: root }), "SDK load")));

  const results = [
    timePlan(root, "prod", "prod, type-check cold", () => fs.rmSync(typecheckStamp, { force: true })),
    timePlan(root, "prod", "prod, type-check warm"),
  ];
  const big = generatedStack(groups);
  try {
    results.push(timePlan(big.dir, big.stack));
  } finally {
    fs.rmSync(big.dir, { recursive: true, force: true });
  }

  say(`node + require('@pulumi/pulumi') alone: median ${sdkLoadMs} ms`);
  for (const r of results) {
    say(`plan ${r.stack}: ${r.resources} resources, median ${r.medianMs} ms (min ${r.minMs} ms, ${r.runs} runs), ${(r.medianMs / sdkLoadMs).toFixed(2)}x the SDK load`);
  }
  if (values.json) writeOutput(values.json, `${JSON.stringify({ sdkLoadMs, plans: results }, null, 2)}\n`);
  return 0;
}

if (require.main === module) runScript(BENCH_PLAN, main);
