import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { PlanGraph } from "../../policies/plan-graph";

export const ROOT = path.resolve(__dirname, "../..");
const RUNNER = path.join(ROOT, "tools/plan/run.js");

export interface PlanRun {
  status: number | null;
  stdout: string;
  stderr: string;
  graph?: PlanGraph;
  markdown?: string;
}

const cache = new Map<string, PlanRun>();

/** Runs `npm run plan`'s program as a child process (mocks are process-global). */
export function runPlan(stack: string, cwd = ROOT, extra: string[] = []): PlanRun {
  const key = `${cwd}|${stack}|${extra.join(" ")}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
  const json = path.join(out, "plan.json");
  const md = path.join(out, "plan.md");
  const r = spawnSync(process.execPath, [RUNNER, "--stack", stack, "--json", json, "--markdown", md, ...extra], { cwd, encoding: "utf8" });
  const run: PlanRun = {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    graph: fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, "utf8")) : undefined,
    markdown: fs.existsSync(md) ? fs.readFileSync(md, "utf8") : undefined,
  };
  fs.rmSync(out, { recursive: true, force: true });
  cache.set(key, run);
  return run;
}

/** A temp project holding a copy of a shipped stack's config, changed by `edit`. */
export function stackVariant(stack: string, edit: (config: Record<string, any>) => void): { dir: string; stack: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-variant-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  edit(doc.config);
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify(doc));
  return { dir, stack };
}
