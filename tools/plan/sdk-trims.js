// @ts-check
// The offline plan's two trims of @pulumi/pulumi internals: start-up and
// per-resource costs of the SDK that a plan never needs.
// - lazy TypeScript: runtime/closure/parseFunction.js requires
//   `../../typescript-shim` (which requires the TypeScript compiler) when the
//   SDK loads, for closure serialization a plan never does. The shim's
//   require-cache entry is seeded with a proxy that loads TypeScript on first use.
// - plain promises: runtime/debuggable.js `debuggablePromise` gives every
//   internal promise three properties (one a `new Error().stack`), a set entry
//   and two chained promises, for leak diagnostics. The SDK calls it through
//   the module object (`debuggable_1.debuggablePromise(...)`), so replacing
//   the export keeps each promise as it is.
// Both reach into SDK internals, so they apply only to the SDK versions they
// were checked on (SUPPORTED) and only when each patched module looks as
// expected; otherwise the plan runs untrimmed (same result, slower) and says so
// on stderr. test/plan/sdk-trims.test.ts fails when the SDK's shape changes:
// after an SDK upgrade, run it, then widen SUPPORTED.
"use strict";
const Module = require("node:module");

/** @pulumi/pulumi versions the trims were checked on: `from` inclusive, `below` exclusive. */
const SUPPORTED = { from: "3.270.0", below: "3.271.0" };

const SHIM = "@pulumi/pulumi/typescript-shim";
const DEBUGGABLE = "@pulumi/pulumi/runtime/debuggable";

/** @returns {string} */
function installedVersion() {
  return require("@pulumi/pulumi/package.json").version;
}

/** Numeric order of `major.minor.patch` (a pre-release suffix is ignored). @param {string} a @param {string} b */
function compareVersions(a, b) {
  const parts = (/** @type {string} */ v) => v.split("-")[0].split(".").map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) - (y[i] || 0);
  return 0;
}

/** @param {string} version */
function isSupported(version) {
  return /^\d+\.\d+\.\d+/.test(version) && compareVersions(version, SUPPORTED.from) >= 0 && compareVersions(version, SUPPORTED.below) < 0;
}

/**
 * @typedef {{ name: string, problem(): string | undefined, apply(): void }} Trim
 * `problem` says why the trim cannot apply (undefined: it can).
 */

/** @type {Trim[]} */
const TRIMS = [
  {
    name: "lazy TypeScript",
    problem() {
      let shimPath;
      try {
        shimPath = require.resolve(SHIM);
      } catch {
        return `${SHIM} does not exist`;
      }
      if (require.cache[shimPath]) return `${SHIM} is already loaded`;
      return undefined;
    },
    apply() {
      const shimPath = require.resolve(SHIM);
      const shim = new Module(shimPath);
      shim.filename = shimPath;
      shim.loaded = true;
      /** @type {Record<string | symbol, unknown> | undefined} */
      let ts;
      shim.exports = new Proxy({}, { get: (_, key) => (ts ??= /** @type {Record<string | symbol, unknown>} */ (require("typescript")))[key] });
      require.cache[shimPath] = shim;
    },
  },
  {
    name: "plain promises",
    problem() {
      /** @type {{ debuggablePromise?: unknown }} */
      let debuggable;
      try {
        debuggable = require(DEBUGGABLE);
      } catch {
        return `${DEBUGGABLE} does not exist`;
      }
      const fn = debuggable.debuggablePromise;
      if (typeof fn !== "function" || fn.length !== 2) return `${DEBUGGABLE} has no debuggablePromise(p, ctx)`;
      return undefined;
    },
    apply() {
      require(DEBUGGABLE).debuggablePromise = (/** @type {Promise<unknown>} */ p) => p;
    },
  },
];

/**
 * Applies every trim that fits the installed SDK, before @pulumi/pulumi is
 * loaded. Returns what was applied and why anything was skipped; skips are
 * written to `warn` (stderr).
 * @param {{ version?: string, warn?: (line: string) => void }} [opts] `version` stands in for the installed one (tests).
 * @returns {{ version: string, applied: string[], skipped: string[] }}
 */
function applySdkTrims(opts = {}) {
  const version = opts.version ?? installedVersion();
  const warn = opts.warn ?? ((line) => process.stderr.write(`${line}\n`));
  if (!isSupported(version)) {
    warn(
      `plan: @pulumi/pulumi ${version} is outside the versions its trims were checked on (>=${SUPPORTED.from} <${SUPPORTED.below}): ` +
        "planning without them (same result, slower). Run test/plan/sdk-trims.test.ts, then widen SUPPORTED in tools/plan/sdk-trims.js.",
    );
    return { version, applied: [], skipped: TRIMS.map((t) => t.name) };
  }
  const applied = [];
  const skipped = [];
  for (const trim of TRIMS) {
    const problem = trim.problem();
    if (problem) {
      warn(`plan: SDK trim "${trim.name}" skipped: ${problem} (same result, slower)`);
      skipped.push(trim.name);
    } else {
      trim.apply();
      applied.push(trim.name);
    }
  }
  return { version, applied, skipped };
}

module.exports = { SUPPORTED, TRIMS, applySdkTrims, compareVersions, installedVersion, isSupported };
