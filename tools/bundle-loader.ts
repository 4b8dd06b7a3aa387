// Loads a handler the way Function Compute runs it: index.js out of
// dist/handlers/<name>.zip, extracted to a temp dir and required. Tests, drills
// and benchmarks all go through here, so they run exactly what is deployed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inflateRawSync } from "node:zlib";
import type { Outcome } from "../handlers/core/outcome";
import type { Clock } from "../handlers/core/ports";
import { bundleHandlers, ENTRIES_DIR, MANIFEST_PATH, OUT_DIR } from "./bundle";

export type FcHandler = (event: unknown, context: unknown) => Promise<Outcome>;

/** The entries of a zip (stored or deflated), read from the local headers. */
export function unzip(zip: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let at = 0;
  while (at + 30 <= zip.length && zip.readUInt32LE(at) === 0x04034b50) {
    const method = zip.readUInt16LE(at + 8);
    const size = zip.readUInt32LE(at + 18);
    const nameLength = zip.readUInt16LE(at + 26);
    const extraLength = zip.readUInt16LE(at + 28);
    const name = zip.toString("utf8", at + 30, at + 30 + nameLength);
    const start = at + 30 + nameLength + extraLength;
    const data = zip.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at = start + size;
  }
  return files;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the bundles when missing or older than the handler sources or the bundler. */
export async function ensureBundles(): Promise<void> {
  const sources = Math.max(newestSource(path.dirname(ENTRIES_DIR)), fs.statSync(path.join(__dirname, "bundle.ts")).mtimeMs);
  if (!fs.existsSync(MANIFEST_PATH) || fs.statSync(MANIFEST_PATH).mtimeMs < sources) await bundleHandlers();
}

export function bundleZipPath(name: string): string {
  return path.join(OUT_DIR, `${name}.zip`);
}

/** The module exported by a bundle's index.js (a fresh copy per call). */
export function loadBundledModule(name: string): Record<string, unknown> {
  const zipPath = bundleZipPath(name);
  const index = unzip(fs.readFileSync(zipPath)).get("index.js");
  if (!index) throw new Error(`${zipPath}: no index.js inside`);
  // A folder of its own per load, so every load is a fresh module; removed once
  // loaded: a bundle is one self-contained index.js that reads no file beside it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fc-${name}-`));
  const file = path.join(dir, "index.js");
  let mod;
  try {
    fs.writeFileSync(file, index);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file);
  } finally {
    delete require.cache[file];
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (typeof mod.handler !== "function") throw new Error(`${zipPath}: index.js does not export handler(event, context)`);
  return mod;
}

export function loadBundledHandler(name: string): FcHandler {
  return loadBundledModule(name).handler as FcHandler;
}

/** A bundle's clock-injectable factory (its `handler` uses the real clock), for runs on a virtual clock. */
export function loadBundledFactory(name: string): (clock: Clock) => FcHandler {
  const mod = loadBundledModule(name);
  if (typeof mod.createHandler !== "function") throw new Error(`${name}.zip does not export createHandler`);
  return mod.createHandler as (clock: Clock) => FcHandler;
}

/** Runs `fn` with extra environment variables and console.log captured (handlers read env per invocation). */
export async function withEnv<T>(env: Record<string, string>, fn: (lines: string[]) => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  const log = console.log;
  const lines: string[] = [];
  Object.assign(process.env, env);
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    return await fn(lines);
  } finally {
    console.log = log;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
