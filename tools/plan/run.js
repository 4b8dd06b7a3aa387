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

const root = path.resolve(__dirname, "../..");
const outfile = path.join(root, ".build/plan.js");
esbuild.buildSync({
  entryPoints: [path.join(root, "tools/plan/main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  packages: "external",
  logLevel: "error",
});

require(outfile)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err) => {
    Error.stackTraceLimit = 50;
    console.error(`plan failed: ${err && err.stack ? err.stack : err}`);
    process.exit(3);
  });
