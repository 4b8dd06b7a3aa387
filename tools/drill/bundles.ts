// Loads a handler the way Function Compute runs it: index.js out of
// dist/handlers/<name>.zip, `handler(event, context)`. Bundles are built
// (npm run bundle) when missing or older than the handler sources, so a
// handler added under handlers/entries/ is picked up without drill changes.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inflateRawSync } from "node:zlib";
import type { HandlerName } from "../../handlers/catalogue";
import type { Outcome } from "../../handlers/core/outcome";
import { bundleHandlers, ENTRIES_DIR, MANIFEST_PATH, OUT_DIR } from "../bundle";

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

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the bundles when missing or stale. */
export async function ensureBundles(): Promise<void> {
  const handlersDir = path.dirname(ENTRIES_DIR);
  const stale = !fs.existsSync(MANIFEST_PATH) || fs.statSync(MANIFEST_PATH).mtimeMs < newest(handlersDir);
  if (stale) await bundleHandlers();
}

export function bundleExists(name: HandlerName): boolean {
  return fs.existsSync(path.join(OUT_DIR, `${name}.zip`)) || fs.existsSync(path.join(ENTRIES_DIR, `${name}.ts`));
}

const loaded = new Map<string, FcHandler>();

export function loadBundledHandler(name: HandlerName): FcHandler | undefined {
  const hit = loaded.get(name);
  if (hit) return hit;
  const zipPath = path.join(OUT_DIR, `${name}.zip`);
  if (!fs.existsSync(zipPath)) return undefined;
  const index = unzip(fs.readFileSync(zipPath)).get("index.js");
  if (!index) throw new Error(`${zipPath}: no index.js inside`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `drill-${name}-`));
  fs.writeFileSync(path.join(dir, "index.js"), index);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(dir, "index.js"));
  if (typeof mod.handler !== "function") throw new Error(`${zipPath}: index.js does not export handler(event, context)`);
  loaded.set(name, mod.handler);
  return mod.handler;
}
