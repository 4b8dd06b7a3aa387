// The plan's SDK trims (tools/plan/sdk-trims.js) against the installed
// @pulumi/pulumi: each test fails when the SDK no longer has the shape a trim
// patches, or the trim no longer changes what it should. Trims patch the
// process's module cache, so every case runs in a fresh Node process.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./helpers";

interface SdkTrims {
  SUPPORTED: { from: string; below: string };
  compareVersions(a: string, b: string): number;
  isSupported(version: string): boolean;
  installedVersion(): string;
}
// A plain-JS module (run.js loads it before anything is compiled).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const trims = require("../../tools/plan/sdk-trims") as SdkTrims;

const SDK_DIR = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

/** Runs `body` (JS, may `return` a value) in a new Node process at the repository root; returns its value. */
function inFreshNode(body: string): any {
  const program = `
    const trims = require("./tools/plan/sdk-trims");
    const warnings = [];
    const tsLoaded = () => Boolean(require.cache[require.resolve("typescript")]);
    const out = (() => { ${body} })();
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ["-e", program], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** SDK JS files other than `except`, relative to the SDK's directory. */
function sdkFiles(dir = SDK_DIR): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "vendor" || e.name === "node_modules" ? [] : sdkFiles(full);
    return e.name.endsWith(".js") ? [path.relative(SDK_DIR, full)] : [];
  });
}

describe("the plan's SDK trims", () => {
  it("the installed @pulumi/pulumi is a version the trims were checked on", () => {
    const version = trims.installedVersion();
    assert.ok(trims.isSupported(version), `@pulumi/pulumi ${version} is outside ${JSON.stringify(trims.SUPPORTED)}: check the shape tests below pass, then widen SUPPORTED`);
  });

  it("compares versions numerically, not as text", () => {
    const cases: [string, string, number][] = [
      ["3.270.0", "3.270.0", 0],
      ["3.270.0", "3.270.1", -1],
      ["3.270.10", "3.270.9", 1],
      ["3.99.0", "3.270.0", -1],
      ["4.0.0", "3.270.0", 1],
      ["3.270.0-alpha.1", "3.270.0", 0],
    ];
    for (const [a, b, sign] of cases) assert.equal(Math.sign(trims.compareVersions(a, b)), sign, `${a} vs ${b}`);
    assert.equal(trims.isSupported(trims.SUPPORTED.from), true);
    assert.equal(trims.isSupported(trims.SUPPORTED.below), false);
    assert.equal(trims.isSupported("not-a-version"), false);
  });

  describe("lazy TypeScript", () => {
    it("the SDK loads TypeScript when it loads, through the shim the trim replaces", () => {
      const shimPath = require.resolve("@pulumi/pulumi/typescript-shim");
      const eager = fs.readFileSync(path.join(SDK_DIR, "runtime/closure/parseFunction.js"), "utf8");
      assert.match(eager, /^const ts = require\("\.\.\/\.\.\/typescript-shim"\);$/m, "parseFunction.js requires the shim at load time");
      assert.equal(require.resolve("../../typescript-shim", { paths: [path.join(SDK_DIR, "runtime/closure")] }), shimPath);
      const r = inFreshNode(`
        require("@pulumi/pulumi");
        return { tsLoaded: tsLoaded(), shimIsTypescript: require("@pulumi/pulumi/typescript-shim") === require("typescript") };`);
      assert.deepEqual(r, { tsLoaded: true, shimIsTypescript: true });
      const direct = sdkFiles().filter((f) => /require\("typescript"\)/.test(fs.readFileSync(path.join(SDK_DIR, f), "utf8")));
      assert.deepEqual(direct.sort(), ["tsutils.js", "typescript-shim.js"], "only the shim and tsutils (lazily) require typescript directly");
    });

    it("with the trim the SDK loads without TypeScript, and the shim still answers with it on first use", () => {
      const r = inFreshNode(`
        const result = trims.applySdkTrims({ warn: (w) => warnings.push(w) });
        require("@pulumi/pulumi");
        const before = tsLoaded();
        const forwarded = require("@pulumi/pulumi/typescript-shim").SyntaxKind === require("typescript").SyntaxKind;
        return { applied: result.applied, warnings, before, forwarded };`);
      assert.deepEqual(r, { applied: ["lazy TypeScript", "plain promises"], warnings: [], before: false, forwarded: true });
    });

    it("is skipped, with its reason, when the shim was loaded first", () => {
      const r = inFreshNode(`
        require("@pulumi/pulumi");
        const result = trims.applySdkTrims({ warn: (w) => warnings.push(w) });
        return { applied: result.applied, skipped: result.skipped, warnings };`);
      assert.deepEqual(r.applied, ["plain promises"]);
      assert.deepEqual(r.skipped, ["lazy TypeScript"]);
      assert.match(r.warnings.join("\n"), /trim "lazy TypeScript" skipped: @pulumi\/pulumi\/typescript-shim is already loaded/);
    });
  });

  describe("plain promises", () => {
    it("debuggablePromise(p, ctx) decorates the promise and returns a chained one, and the SDK calls it through the module object", () => {
      const r = inFreshNode(`
        const d = require("@pulumi/pulumi/runtime/debuggable");
        const p = Promise.resolve(1);
        const chained = d.debuggablePromise(p, "test") !== p;
        return { chained, arity: d.debuggablePromise.length, stack: Object.getOwnPropertyNames(p).includes("_debugStackTrace") };`);
      assert.deepEqual(r, { chained: true, arity: 2, stack: true });
      // A caller holding its own reference (destructured import) would not see the replaced export.
      const uses = sdkFiles()
        .filter((f) => f !== path.join("runtime", "debuggable.js"))
        .flatMap((f) => [...fs.readFileSync(path.join(SDK_DIR, f), "utf8").matchAll(/(.)debuggablePromise\b/g)].map((m) => ({ f, through: m[1] })));
      assert.ok(uses.length >= 10, `expected the SDK to use debuggablePromise widely, found ${uses.length}`);
      assert.deepEqual(uses.filter((u) => u.through !== "."), [], "every SDK use reads debuggablePromise off the module object");
    });

    it("with the trim a promise stays as it is", () => {
      const r = inFreshNode(`
        trims.applySdkTrims({ warn: (w) => warnings.push(w) });
        const d = require("@pulumi/pulumi/runtime/debuggable");
        const p = Promise.resolve(1);
        return { same: d.debuggablePromise(p, "test") === p, props: Object.getOwnPropertyNames(p), warnings };`);
      assert.deepEqual(r, { same: true, props: [], warnings: [] });
    });
  });

  it("outside the supported versions nothing is trimmed and stderr says so", () => {
    const r = inFreshNode(`
      const result = trims.applySdkTrims({ version: "3.999.0", warn: (w) => warnings.push(w) });
      require("@pulumi/pulumi");
      const p = Promise.resolve(1);
      require("@pulumi/pulumi/runtime/debuggable").debuggablePromise(p, "test");
      return { ...result, warnings, tsLoaded: tsLoaded(), decorated: Object.getOwnPropertyNames(p).includes("_debugStackTrace") };`);
    assert.deepEqual(r.applied, []);
    assert.deepEqual(r.skipped, ["lazy TypeScript", "plain promises"]);
    assert.equal(r.tsLoaded, true);
    assert.equal(r.decorated, true);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /@pulumi\/pulumi 3\.999\.0 is outside the versions its trims were checked on \(>=\d+\.\d+\.\d+ <\d+\.\d+\.\d+\): planning without them/);
  });

  it("the default warning goes to stderr", () => {
    const r = spawnSync(process.execPath, ["-e", `require("./tools/plan/sdk-trims").applySdkTrims({ version: "0.0.1" })`], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^plan: @pulumi\/pulumi 0\.0\.1 is outside/);
  });
});
