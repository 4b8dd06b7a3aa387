#!/usr/bin/env node
// Launcher for the offline plan: compiles tools/plan/main.ts (and the infra
// program it loads) with esbuild into one file, then runs it with Node.
// Compiled JS instead of ts-node, so a plan takes about as long as Node takes
// to start; the program is still type-checked first, as a real preview does
// (prepare.ts, cached by source mtimes).
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
  let result;
  try {
    result = esbuild.buildSync({
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
  } catch {
    // esbuild has printed where: a program that does not even parse is refused like one tsc rejects.
    console.error("plan refused: the program does not compile (errors above)");
    process.exit(2);
  }
  fs.writeFileSync(metafile, JSON.stringify(result.metafile));
}

require(outfile)
  .main(process.argv.slice(2))
  // Exit once stdout is flushed: a pipe is asynchronous, and exiting at once cuts a large `--json -`.
  .then((code) => process.stdout.write("", () => process.exit(code)))
  .catch((err) => {
    Error.stackTraceLimit = 50;
    console.error(`plan failed: ${err && err.stack ? err.stack : err}`);
    process.exit(3);
  });
