// Loads a handler the way FC does: from its deterministic zip (dist/handlers/<name>.zip),
// extracted to a temp dir, requiring index.js. Builds the bundles when missing or stale.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inflateRawSync } from "node:zlib";
import { bundleHandlers, OUT_DIR, MANIFEST_PATH } from "../../../tools/bundle";
import type { Outcome } from "../../../handlers/core/outcome";

export type FcHandler = (event: unknown, context: unknown) => Promise<Outcome>;

/** Reads a zip's entries (stored or deflated), checking the local headers as it goes. */
export function unzip(zip: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let at = 0;
  while (zip.readUInt32LE(at) === 0x04034b50) {
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

export async function ensureBundles(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..", "..");
  const stale = !fs.existsSync(MANIFEST_PATH) || fs.statSync(MANIFEST_PATH).mtimeMs < Math.max(newestSource(path.join(root, "handlers")), fs.statSync(path.join(root, "tools", "bundle.ts")).mtimeMs);
  if (stale) await bundleHandlers();
}

export function loadBundledHandler(name: string): FcHandler {
  const files = unzip(fs.readFileSync(path.join(OUT_DIR, `${name}.zip`)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fc-${name}-`));
  fs.writeFileSync(path.join(dir, "index.js"), files.get("index.js")!);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(dir, "index.js"));
  if (typeof mod.handler !== "function") throw new Error(`${name}.zip: index.js does not export handler`);
  return mod.handler;
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
