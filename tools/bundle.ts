// Builds one deterministic zip per FC handler entry (handlers/entries/*.ts):
//   dist/handlers/<name>/index.js   the esbuild output (exports `handler`)
//   dist/handlers/<name>.zip        index.js only, fixed mtime/order/mode
//   dist/handlers/manifest.json     { <name>: { zip, bytes, sha256, crc64, ramActions } }
// crc64 is CRC-64/ECMA-182 in the XZ variant that OSS (x-oss-hash-crc64ecma)
// and FC's code.checksum use, as a decimal string.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { crc64 } from "crc64-ecma182.js";
import { ZipFile } from "yazl";
import { parseCommand, progressLog, runScript, type Command } from "./cli/command";
import type { HandlerName } from "../handlers/catalogue";
import { ramActionsFor } from "../handlers/registry";

export interface BundleEntry {
  zip: string;
  bytes: number;
  sha256: string;
  crc64: string;
  /** Minified index.js size, before zipping. */
  jsBytes: number;
  ramActions: string[];
}
export type BundleManifest = Record<string, BundleEntry>;

const ROOT = path.resolve(__dirname, "..");
export const ENTRIES_DIR = path.join(ROOT, "handlers", "entries");
export const OUT_DIR = path.join(ROOT, "dist", "handlers");
export const MANIFEST_PATH = path.join(OUT_DIR, "manifest.json");
/** DOS time has no zone; a local-time date keeps the bytes the same in every TZ. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

export function buildJs(entryFile: string): Buffer {
  const result = buildSync({
    entryPoints: [entryFile],
    bundle: true,
    platform: "node",
    // Function Compute's runtime, not the tools' Node (infra/components/handler-function.ts: nodejs20).
    target: "node20",
    format: "cjs",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "error",
  });
  return Buffer.from(result.outputFiles[0].contents);
}

export function zipDeterministic(files: { name: string; data: Buffer }[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    zip.addBuffer(f.data, f.name, { mtime: FIXED_MTIME, mode: 0o100644, compress: true, forceDosTimestamp: true });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

export async function bundleHandlers(outDir = OUT_DIR, progress: (line: string) => void = () => {}): Promise<BundleManifest> {
  fs.mkdirSync(outDir, { recursive: true });
  const names = fs.readdirSync(ENTRIES_DIR).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
  const manifest: BundleManifest = {};
  for (const [i, name] of names.entries()) {
    progress(`${name} (${i + 1}/${names.length})`);
    const js = buildJs(path.join(ENTRIES_DIR, `${name}.ts`));
    fs.mkdirSync(path.join(outDir, name), { recursive: true });
    fs.writeFileSync(path.join(outDir, name, "index.js"), js);
    const zip = await zipDeterministic([{ name: "index.js", data: js }]);
    fs.writeFileSync(path.join(outDir, `${name}.zip`), zip);
    manifest[name] = {
      zip: `${name}.zip`,
      bytes: zip.length,
      sha256: createHash("sha256").update(zip).digest("hex"),
      crc64: crc64(zip),
      jsBytes: js.length,
      ramActions: ramActionsFor(name as HandlerName),
    };
  }
  fs.writeFileSync(path.join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

const BUNDLE_FLAGS = {
  quiet: { type: "boolean", short: "q", help: "print nothing when it succeeds" },
  progress: { type: "boolean", help: "show each bundle as it is built, on stderr (shown anyway when stderr is a terminal)" },
  help: { type: "boolean", short: "h", help: "this help" },
} as const;

export const BUNDLE: Command<typeof BUNDLE_FLAGS> = {
  name: "npm run bundle --",
  summary: "Builds one deterministic zip per handler (handlers/entries/*.ts) into dist/handlers/, with manifest.json (size, SHA-256, CRC-64, RAM actions).",
  usage: ["[--quiet] [--progress]"],
  flags: BUNDLE_FLAGS,
  exits: { 0: "built", 1: "a handler did not build", 2: "bad arguments" },
};

if (require.main === module) {
  runScript(
    BUNDLE,
    async () => {
      const values = parseCommand(BUNDLE, process.argv.slice(2));
      if (!values) return 0;
      const m = await bundleHandlers(OUT_DIR, progressLog("bundle", values.progress));
      if (!values.quiet) for (const [name, e] of Object.entries(m)) console.log(`${name}: ${e.zip} ${e.bytes} B (index.js ${e.jsBytes} B) crc64=${e.crc64}`);
      return 0;
    },
    1,
  );
}
