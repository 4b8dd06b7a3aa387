#!/usr/bin/env node
// `npm run bench:plan`: wall time of the offline plan, Node start-up included,
// as medians over several runs (shared machines are noisy: no single timing
// means much). Stacks: the shipped `prod`, and a generated stack of 500
// application groups (about 2000 resources).
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const YAML = require("yaml");

const root = path.resolve(__dirname, "../..");
const runner = path.join(root, "tools/plan/run.js");
const runs = Number(process.env.BENCH_RUNS || 5);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function timePlan(cwd, stack) {
  const times = [];
  let resources = 0;
  for (let i = 0; i < runs; i++) {
    const json = path.join(os.tmpdir(), `bench-plan-${process.pid}.json`);
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, ["--max-semi-space-size=64", runner, "--stack", stack, "--quiet", "--json", json], { cwd, stdio: ["ignore", "ignore", "inherit"] });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    resources = JSON.parse(fs.readFileSync(json, "utf8")).resources.length;
  }
  return { stack, resources, medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), runs };
}

/** A stack of `n` application groups built from the prod config's shape. */
function generatedStack(n) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eventops-bench-"));
  fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const prod = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"));
  const apps = Array.from({ length: n }, (_, i) => `app-${String(i).padStart(3, "0")}`);
  prod.config["event-ops:tags"].keys.app.values = apps;
  delete prod.config["event-ops:groups"]; // one group per tag value
  fs.writeFileSync(path.join(dir, `Pulumi.bench${n}.yaml`), YAML.stringify(prod));
  return { dir, stack: `bench${n}` };
}

// Warm the compiled plan once so every timed run measures the same thing.
execFileSync(process.execPath, [runner, "--stack", "prod", "--quiet"], { cwd: root, stdio: "ignore" });
const baseline = (() => {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, ["-e", "require('@pulumi/pulumi')"], { cwd: root });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return Math.round(median(times));
})();

const results = [timePlan(root, "prod")];
const big = generatedStack(500);
results.push(timePlan(big.dir, big.stack));
fs.rmSync(big.dir, { recursive: true, force: true });

console.log(`node + require('@pulumi/pulumi') alone: median ${baseline} ms`);
for (const r of results) {
  console.log(`plan ${r.stack}: ${r.resources} resources, median ${r.medianMs} ms (min ${r.minMs} ms, ${r.runs} runs), ${(r.medianMs / baseline).toFixed(2)}x the SDK load`);
}
