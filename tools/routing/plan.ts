// Gets a stack's recorded plan graph by running the offline plan in a child
// process (Pulumi's mocks are process-global, so never in-process here).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PlanGraph } from "../../policies/plan-graph";

export const ROOT = path.resolve(__dirname, "../..");

export class PlanRunError extends Error {
  override name = "PlanRunError";
}

const cache = new Map<string, PlanGraph>();

/** Runs `npm run plan -- --stack <stack> --json <tmp> --quiet` and reads the graph (cached per process). */
export function planGraph(stack: string, root = ROOT): PlanGraph {
  const key = `${root}|${stack}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "routing-plan-"));
  const json = path.join(dir, "plan.json");
  try {
    const r = spawnSync(process.execPath, ["--max-semi-space-size=64", path.join(ROOT, "tools/plan/run.js"), "--stack", stack, "--json", json, "--quiet"], { cwd: root, encoding: "utf8" });
    if (!fs.existsSync(json)) {
      throw new PlanRunError(`the offline plan of stack '${stack}' failed (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error ?? "")).trim().slice(0, 2000)}`);
    }
    const graph = JSON.parse(fs.readFileSync(json, "utf8")) as PlanGraph;
    cache.set(key, graph);
    return graph;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A graph from a `--json` file written earlier, or a fresh plan of the stack. */
export function loadGraph(opts: { stack: string; planFile?: string; root?: string }): PlanGraph {
  if (opts.planFile) return JSON.parse(fs.readFileSync(opts.planFile, "utf8")) as PlanGraph;
  return planGraph(opts.stack, opts.root);
}
