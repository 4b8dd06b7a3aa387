#!/usr/bin/env node
// Launcher for the offline plan: compiles tools/plan/main.ts (and the infra
// program it loads) with esbuild into one file, then runs it with Node.
// Compiled JS instead of ts-node: type-checking is CI's job (`npm run
// typecheck`), and a plan should take about as long as Node takes to start.
"use strict";
const path = require("node:path");
const esbuild = require("esbuild");

// Source positions mean nothing in an offline plan, and Pulumi records a stack
// trace for every promise and resource: make them cheap (pulumi-notes.md).
Error.stackTraceLimit = 0;
Error.prepareStackTrace = (err) => `${err.name}: ${err.message}`;

const fs = require("node:fs");
// Start-up and per-resource costs of the Pulumi SDK a plan never uses; checked
// against the SDK version and shape they expect (sdk-trims.js).
require("./sdk-trims").applySdkTrims();

const root = path.resolve(__dirname, "../..");
const outfile = path.join(root, ".build/plan.js");
const metafile = `${outfile}.meta.json`;

/** Rebuild only when a source the last build read is newer than its output. */
function upToDate() {
  try {
    const built = fs.statSync(outfile).mtimeMs;
    const inputs = Object.keys(JSON.parse(fs.readFileSync(metafile, "utf8")).inputs);
    return inputs.every((f) => fs.statSync(path.join(root, f)).mtimeMs <= built);
  } catch {
    return false;
  }
}

if (!upToDate()) {
  const result = esbuild.buildSync({
    entryPoints: [path.join(root, "tools/plan/main.ts")],
    outfile,
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    metafile: true,
    logLevel: "error",
  });
  fs.writeFileSync(metafile, JSON.stringify(result.metafile));
}

// The stack deploys the handler bundles: build them when missing or older than their sources.
function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}
const manifest = path.join(root, "dist/handlers/manifest.json");
if (!fs.existsSync(manifest) || fs.statSync(manifest).mtimeMs < newestSource(path.join(root, "handlers"))) {
  const { spawnSync } = require("node:child_process");
  const built = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(root, "tools/bundle.ts")], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  if (built.status !== 0) {
    console.error("plan failed: `npm run bundle` did not build the handler bundles");
    process.exit(3);
  }
}

require(outfile)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err) => {
    Error.stackTraceLimit = 50;
    console.error(`plan failed: ${err && err.stack ? err.stack : err}`);
    process.exit(3);
  });
