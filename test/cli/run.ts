// Runs a command line as `npm run <script>` does (the script's own node
// command, without npm's banner), capturing exit code and both streams.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The argv of an npm script: `node …` or `ts-node …` with its arguments. */
export function scriptArgv(script: string): string[] {
  const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
  const words = scripts[script]?.split(/\s+/).map((w) => (w.startsWith("tools/") ? path.join(ROOT, w) : w));
  if (!words) throw new Error(`no npm script '${script}'`);
  if (words[0] === "node") return words.slice(1);
  if (words[0] === "ts-node" && words[1] === "--transpile-only") return ["-r", "ts-node/register/transpile-only", ...words.slice(2)];
  throw new Error(`npm script '${script}' is not a node or ts-node command: ${scripts[script]}`);
}

export function runScript(script: string, args: string[], cwd = ROOT): CliRun {
  const r = spawnSync(process.execPath, [...scriptArgv(script), ...args], { cwd, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
