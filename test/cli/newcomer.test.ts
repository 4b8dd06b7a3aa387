// A fresh clone with nothing beside it: one Node.js version everywhere, an
// install with no warnings, nothing read from outside the repository, no
// machine's paths, and the files a project ships (LICENSE, CHANGELOG, version).
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { loadBundledModule, ensureBundles } from "../../tools/bundle-loader";
import { ROOT } from "./run";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const pkg = JSON.parse(read("package.json"));

describe("a newcomer's clone", function () {
  this.timeout(60_000);

  describe("one Node.js for the tools: .nvmrc", () => {
    const major = read(".nvmrc").trim();

    it("is a major version, and package.json's engines asks for it", () => {
      assert.match(major, /^\d+$/);
      assert.equal(pkg.engines.node, `>=${major}`);
    });

    it("every workflow's setup-node step reads .nvmrc", () => {
      const dir = path.join(ROOT, ".github/workflows");
      let steps = 0;
      for (const file of fs.readdirSync(dir)) {
        const doc = YAML.parse(fs.readFileSync(path.join(dir, file), "utf8"));
        for (const job of Object.values(doc.jobs) as { steps?: { uses?: string; with?: Record<string, unknown> }[] }[]) {
          for (const step of job.steps ?? []) {
            if (!step.uses?.startsWith("actions/setup-node")) continue;
            steps++;
            assert.equal(step.with?.["node-version-file"], ".nvmrc", `${file}: ${step.uses}`);
            assert.equal(step.with?.["node-version"], undefined, `${file}: no second source of the version`);
          }
        }
      }
      assert.ok(steps > 0, "the workflows set Node up");
    });

    it(".ci/run installs that major from the npm registry, puts it first on PATH and runs install, type-check and the README's test on it", () => {
      const ci = read(".ci/run");
      assert.match(ci, /major="\$\(tr -d '\[:space:\]' < \.nvmrc\)"/);
      assert.match(ci, /npm install --prefix "\$cache" .*"node-linux-\$arch@\$major"/);
      assert.match(ci, /export PATH="\$bin:\$PATH"/);
      const order = ["node --version", "npm ci", "npm run typecheck", "npm test"].map((c) => ci.indexOf(`\n${c}`));
      assert.ok(order.every((i, k) => i > ci.indexOf("export PATH") && (k === 0 || i > order[k - 1])), `in order after PATH: ${order}`);
      assert.doesNotMatch(ci.slice(0, ci.indexOf("cache=")), /\bnpm ci\b/, "nothing installed before Node is chosen");
    });

    it("the README's set-up names it", () => {
      assert.match(read("README.md").split("```")[0], new RegExp(`Node\\.js ${major}\\b`));
    });
  });

  it("npm ci runs no dependency install script unasked: each one is decided in allowScripts", () => {
    // npm 11 skips unapproved install scripts and warns about each (npm help install-scripts).
    const pending: string[] = [];
    const visit = (dir: string) => {
      if (!fs.existsSync(dir)) return;
      for (const name of fs.readdirSync(dir)) {
        if (name.startsWith(".")) continue;
        const full = path.join(dir, name);
        if (name.startsWith("@")) {
          visit(full);
          continue;
        }
        const file = path.join(full, "package.json");
        if (!fs.existsSync(file)) continue;
        const scripts = JSON.parse(fs.readFileSync(file, "utf8")).scripts ?? {};
        const base = name === "node_modules" ? "" : path.relative(path.join(ROOT, "node_modules"), full).split(`${path.sep}node_modules${path.sep}`).pop()!;
        if (["preinstall", "install", "postinstall"].some((s) => scripts[s]) && !(base in (pkg.allowScripts ?? {}))) pending.push(base);
        visit(path.join(full, "node_modules"));
      }
    };
    visit(path.join(ROOT, "node_modules"));
    assert.deepEqual(pending, [], "packages with install scripts not in package.json allowScripts");
  });

  it("nothing in the repository names a path outside it: no machine paths, no sibling folder", () => {
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter((f) => f && f !== "package-lock.json" && fs.existsSync(path.join(ROOT, f)));
    // Written in pieces so that this file does not match itself.
    const outside = new RegExp(["/" + "work/", "/" + "home/", "/" + "Users/", "/" + "root/", "\\.\\./" + "shared"].join("|"));
    const hits = files.flatMap((f) => {
      const text = fs.readFileSync(path.join(ROOT, f));
      if (text.includes(0)) return [];
      return text.toString("utf8").split("\n").flatMap((line, i) => (outside.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : []));
    });
    assert.deepEqual(hits, []);
  });

  it("npx mocha <file> runs that file alone: the spec glob is the test script's, not .mocharc.json's", () => {
    const mocharc = JSON.parse(read(".mocharc.json"));
    assert.equal(mocharc.spec, undefined);
    assert.match(pkg.scripts.test, /^mocha "test\/\*\*\/\*\.test\.ts"$/);
  });

  it("the tests silence one warning only: DEP0169, url.parse() in the Alibaba Cloud SDK", () => {
    // @alicloud/tea-typescript (1.8.0, the newest) builds every request URL with url.parse()
    // (dist/tea.js buildURL). Node 24+ deprecates it at run time (DEP0169) and prints a warning
    // for each test process that calls an API through a bundle; Function Compute's nodejs20
    // prints none. Nothing of ours calls url.parse.
    assert.deepEqual(JSON.parse(read(".mocharc.json"))["node-option"], ["disable-warning=DEP0169"]);
    assert.match(fs.readFileSync(require.resolve("@alicloud/tea-typescript/dist/tea.js"), "utf8"), /url_1\.parse\(url\)/, "the SDK still calls url.parse: otherwise drop the option");
    const ours = spawnSync("git", ["grep", "-n", "-F", "url.parse(", "--", "handlers", "infra", "tools", "local-cloud", "policies"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(ours.stdout, "", "our own code must not need the silenced warning");
  });

  it("a loaded bundle leaves no temporary folder behind", async () => {
    await ensureBundles();
    const before = new Set(fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith("fc-state-record-")));
    const mod = loadBundledModule("state-record");
    assert.equal(typeof mod.handler, "function");
    const after = fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith("fc-state-record-") && !before.has(d));
    assert.deepEqual(after, []);
  });

  it("ships a LICENSE and a CHANGELOG whose newest entry is package.json's version", () => {
    assert.match(read("LICENSE"), /Apache License\s+Version 2\.0/);
    assert.equal(pkg.license, "Apache-2.0");
    const versions = [...read("CHANGELOG.md").matchAll(/^## \[?(\d+\.\d+\.\d+)\]?/gm)].map((m) => m[1]);
    assert.equal(versions[0], pkg.version, "the newest entry");
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
  });
});
