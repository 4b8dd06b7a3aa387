// What the plan needs before it runs the program: a program that type-checks
// and current handler bundles.
//
// A real `pulumi preview` type-checks: the Node.js language host runs the
// program through ts-node with type checking unless PULUMI_NODEJS_TRANSPILE_ONLY
// or the tsconfig's noCheck says otherwise (@pulumi/pulumi cmd/run/run.js), so a
// program tsc rejects never previews. The plan compiles with esbuild, which
// does not check types; this gate runs the TypeScript checker over the program
// (infra/index.ts and everything it imports, with tsconfig.json's options)
// first. The result is remembered with the sources' mtimes: a plan whose
// sources did not change since the last clean check does not check again.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as TS from "typescript";

/** This repository: the folder above this module holding package.json and infra/ (works from tools/plan/ and from .build/). */
export function repoRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "infra/index.ts"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository with infra/index.ts above ${from}`);
  }
}

export interface TypecheckResult {
  ok: boolean;
  /** tsc-style diagnostics, empty when ok. */
  diagnostics: string;
  /** The checker ran (false: a clean result for unchanged sources was reused). */
  ran: boolean;
  files: number;
}

interface Stamp {
  typescript: string;
  /** Every input of the last clean check (sources, tsconfig, lock file) → mtime in ms. */
  inputs: Record<string, number>;
}

/** Inputs besides the program's own sources: compiler options and installed packages. */
const EXTRA_INPUTS = ["tsconfig.json", "package.json", "node_modules/.package-lock.json"];

function unchanged(root: string, stampFile: string): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile, "utf8")) as Stamp;
    const entries = Object.entries(stamp.inputs);
    return entries.length > 0 && entries.every(([f, mtime]) => fs.statSync(path.join(root, f)).mtimeMs === mtime);
  } catch {
    return false;
  }
}

/**
 * Type-checks `entry` (default infra/index.ts) with the root tsconfig.json's
 * options, reusing the last clean result while no input changed.
 */
export function typecheckProgram(root: string, entry = "infra/index.ts", stampFile = path.join(root, ".build/typecheck-infra.json")): TypecheckResult {
  if (unchanged(root, stampFile)) return { ok: true, diagnostics: "", ran: false, files: 0 };
  // Loaded only when the checker runs: requiring TypeScript alone costs more than a warm plan.
  const ts = require("typescript") as typeof TS;
  const config = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
  // Resolved from the repository, not the working directory: `types` (mocha, node) are looked up from the
  // config file's folder when its path is given, else from the current directory, which for a plan run
  // elsewhere (`npm run plan` from a stack's own folder) holds no node_modules.
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, path.join(root, "tsconfig.json"));
  const options = { ...parsed.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  host.getCurrentDirectory = () => root;
  const program = ts.createProgram({ rootNames: [path.join(root, entry)], options, host });
  const found = [...(config.error ? [config.error] : []), ...ts.getPreEmitDiagnostics(program)];
  const sources = program.getSourceFiles().map((f) => path.relative(root, f.fileName)).filter((f) => !f.startsWith("node_modules") && !f.startsWith(".."));
  if (found.length > 0) {
    const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
    fs.rmSync(stampFile, { force: true });
    return { ok: false, diagnostics: ts.formatDiagnostics(found, host).trimEnd(), ran: true, files: sources.length };
  }
  const inputs: Record<string, number> = {};
  for (const f of [...sources, ...EXTRA_INPUTS]) if (fs.existsSync(path.join(root, f))) inputs[f] = fs.statSync(path.join(root, f)).mtimeMs;
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  const tmp = `${stampFile}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify({ typescript: ts.version, inputs } satisfies Stamp));
  fs.renameSync(tmp, stampFile); // atomic: plans may run side by side
  return { ok: true, diagnostics: "", ran: true, files: sources.length };
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the handler bundles (`npm run bundle`) when missing or older than their sources; false when that failed. */
export function ensureHandlerBundles(root: string): boolean {
  const manifest = path.join(root, "dist/handlers/manifest.json");
  if (fs.existsSync(manifest) && fs.statSync(manifest).mtimeMs >= newestSource(path.join(root, "handlers"))) return true;
  const built = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(root, "tools/bundle.ts")], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  return built.status === 0;
}

/**
 * The program type-checks and its bundles are current: undefined, or the exit
 * code after saying why not (2: tsc rejects the program, 3: the bundles failed).
 */
export function prepareProgram(progress: (line: string) => void, err: (line: string) => void = console.error): number | undefined {
  const root = repoRoot();
  const t0 = Date.now();
  progress("type-checking infra/ (as pulumi preview does)");
  const check = typecheckProgram(root);
  progress(check.ran ? `type-checked ${check.files} files in ${Date.now() - t0} ms` : "type-check: sources unchanged since the last clean check");
  if (!check.ok) {
    err(`${check.diagnostics}\n\nplan refused: infra/ does not type-check (a real pulumi preview would stop here). Fix the errors above; \`npm run typecheck\` shows them for the whole repository.`);
    return 2;
  }
  progress("handler bundles");
  if (!ensureHandlerBundles(root)) {
    err("plan failed: `npm run bundle` did not build the handler bundles");
    return 3;
  }
  return undefined;
}
