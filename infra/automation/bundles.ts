// Reads the handler bundles built by `npm run bundle` (dist/handlers): the zip
// to deploy, its checksum, and the RAM actions the handler's code calls. Infra
// learns handler facts from this manifest, never from handler internals.
import * as fs from "node:fs";
import * as path from "node:path";

export interface HandlerBundle {
  handler: string;
  zipPath: string;
  bytes: number;
  sha256: string;
  /** CRC-64/ECMA-182 of the zip: Function Compute's `code.checksum`. */
  crc64: string;
  /** Exact RAM actions the handler calls (sorted, unique). */
  ramActions: string[];
}

/**
 * dist/handlers of this repository: found by walking up from this module, so it
 * works from the TypeScript sources and from the compiled plan in .build/.
 */
export function bundleDir(): string {
  if (process.env.EVENTOPS_BUNDLE_DIR) return path.resolve(process.env.EVENTOPS_BUNDLE_DIR);
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "handlers"))) return path.join(dir, "dist/handlers");
    if (path.dirname(dir) === dir) return path.resolve("dist/handlers");
  }
}

export class MissingBundleError extends Error {}

export function readBundles(dir = bundleDir()): Record<string, HandlerBundle> {
  const manifestPath = path.join(dir, "manifest.json");
  if (!fs.existsSync(manifestPath)) {
    throw new MissingBundleError(`no handler bundles at ${manifestPath}: run \`npm run bundle\` first`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Record<string, Omit<HandlerBundle, "handler" | "zipPath"> & { zip: string }>;
  return Object.fromEntries(
    Object.entries(manifest).map(([handler, m]) => [
      handler,
      { handler, zipPath: path.join(dir, m.zip), bytes: m.bytes, sha256: m.sha256, crc64: m.crc64, ramActions: [...m.ramActions] },
    ]),
  );
}

export function zipBase64(bundle: HandlerBundle): string {
  return fs.readFileSync(bundle.zipPath).toString("base64");
}
