// The drill runs handlers as Function Compute does (tools/bundle-loader.ts).
// Bundles are built when missing or stale, so a handler added under
// handlers/entries/ is picked up without drill changes.
import * as fs from "node:fs";
import * as path from "node:path";
import type { HandlerName } from "../../handlers/catalogue";
import { ENTRIES_DIR } from "../bundle";
import { bundleZipPath, ensureBundles, loadBundledHandler as loadBundled, type FcHandler } from "../bundle-loader";

export { ensureBundles, type FcHandler };

export function bundleExists(name: HandlerName): boolean {
  return fs.existsSync(bundleZipPath(name)) || fs.existsSync(path.join(ENTRIES_DIR, `${name}.ts`));
}

const loaded = new Map<string, FcHandler>();

/** The bundled handler, loaded once per drill; undefined when the handler has no bundle. */
export function loadBundledHandler(name: HandlerName): FcHandler | undefined {
  const hit = loaded.get(name);
  if (hit) return hit;
  if (!fs.existsSync(bundleZipPath(name))) return undefined;
  const handler = loadBundled(name);
  loaded.set(name, handler);
  return handler;
}
