// The plan's command line for people and scripts: JSON on stdout, an exit
// code for "changes present", stack files it must refuse, and the type-check
// gate a real preview has.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import type { PlanGraph } from "../../policies/plan-graph";
import { typecheckProgram } from "../../tools/plan/prepare";
import { ROOT, runScript } from "./run";

/** A temp folder holding Pulumi.yaml and a copy of the prod stack file, changed by `edit`. */
function prodVariant(edit: (doc: Record<string, any>) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
  edit(doc);
  fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), YAML.stringify(doc));
  return dir;
}

describe("npm run plan: for scripts", function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const temp = (dir: string) => (dirs.push(dir), dir);
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  let base: string;
  before(() => {
    base = path.join(temp(fs.mkdtempSync(path.join(os.tmpdir(), "plan-base-"))), "base.json");
    const r = runScript("plan", ["--stack", "prod", "--quiet", "--json", base]);
    assert.equal(r.status, 0, r.stderr);
  });

  it("--json - writes the plan to stdout and the report to stderr", () => {
    const r = runScript("plan", ["--stack", "prod", "--json", "-"]);
    assert.equal(r.status, 0, r.stderr);
    const graph = JSON.parse(r.stdout) as PlanGraph;
    assert.equal(graph.stack, "prod");
    assert.deepEqual(graph.resources.map((x) => x.urn), (JSON.parse(fs.readFileSync(base, "utf8")) as PlanGraph).resources.map((x) => x.urn));
    assert.match(r.stderr, /Coverage: application group × tier/);
  });

  it("--markdown - writes the summary to stdout", () => {
    const r = runScript("plan", ["--stack", "prod", "--markdown", "-"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /### Coverage/);
    assert.doesNotMatch(r.stdout, /Resources by type:/, "the text report is on stderr");
  });

  it("--diff --exit-code: 0 without changes, 4 with changes", () => {
    const same = runScript("plan", ["--stack", "prod", "--quiet", "--diff", base, "--exit-code"]);
    assert.equal(same.status, 0, same.stderr);
    const dir = temp(prodVariant((doc) => (doc.config["event-ops:tiers"].WARN.silenceSeconds += 60)));
    const changed = runScript("plan", ["--stack", "prod", "--quiet", "--diff", base, "--exit-code"], dir);
    assert.equal(changed.status, 4, changed.stderr);
    assert.match(changed.stdout, /silence/i);
    const without = runScript("plan", ["--stack", "prod", "--quiet", "--diff", base], dir);
    assert.equal(without.status, 0, "without --exit-code, changes are not a failure");
  });

  it("a misspelt namespace exits 2 naming the key and the namespace meant", () => {
    const dir = temp(
      prodVariant((doc) => {
        doc.config["eventops:automation"] = doc.config["event-ops:automation"];
        delete doc.config["event-ops:automation"];
      }),
    );
    const r = runScript("plan", ["--stack", "prod"], dir);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /- eventops:automation: unknown config namespace 'eventops'.*did you mean event-ops:automation\?/);
    assert.match(r.stderr, /No resource was declared/);
    assert.equal(r.stdout, "");
  });

  it("a stack file importing Pulumi ESC environments exits 2 saying what to do", () => {
    const dir = temp(prodVariant((doc) => (doc.environment = ["event-ops/common", "event-ops/prod"])));
    const r = runScript("plan", ["--stack", "prod"], dir);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Pulumi\.prod\.yaml imports Pulumi ESC environments \(environment: event-ops\/common, event-ops\/prod\)/);
    assert.match(r.stderr, /pulumi preview --stack prod/);
    assert.match(r.stderr, /pulumi config --stack prod/);
  });
});

describe("npm run plan: the type-check gate", function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("refuses a program tsc rejects: exit 2 with the diagnostics, nothing planned", () => {
    // A copy of the repository whose infra/ no longer type-checks.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "plan-tsc-"));
    dirs.push(copy);
    for (const entry of ["infra", "handlers", "policies", "tools", "tsconfig.json", "package.json", "Pulumi.yaml", "Pulumi.prod.yaml"]) {
      fs.cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
    fs.appendFileSync(path.join(copy, "infra/naming.ts"), '\nexport const notANumber: number = "a string";\n');
    // The copy's own runner: it checks the program beside it.
    const r = spawnSync(process.execPath, [path.join(copy, "tools/plan/run.js"), "--stack", "prod", "--json", path.join(copy, "plan.json")], { cwd: copy, encoding: "utf8" });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /infra\/naming\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
    assert.match(r.stderr, /plan refused: infra\/ does not type-check/);
    assert.ok(!fs.existsSync(path.join(copy, "plan.json")), "no plan written");
  });

  it("checks again only when a source, the compiler options or the packages changed", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "typecheck-"));
    dirs.push(dir);
    // Without the standard library (noLib, the few globals the checker needs declared here), each check takes milliseconds.
    const options = { strict: true, module: "commonjs", types: [], noLib: true };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: options }));
    fs.writeFileSync(path.join(dir, "globals.d.ts"), ["Array<T>", "Boolean", "Function", "CallableFunction", "NewableFunction", "IArguments", "Number", "Object", "RegExp", "String"].map((t) => `interface ${t} {}`).join("\n"));
    fs.mkdirSync(path.join(dir, "infra"));
    const write = (file: string, text: string, mtime: number) => {
      fs.writeFileSync(path.join(dir, file), text);
      fs.utimesSync(path.join(dir, file), mtime, mtime);
    };
    const header = '/// <reference path="../globals.d.ts" />\nimport { n } from "./part";\n';
    write("infra/part.ts", "export const n: number = 1;\n", 1_000_000);
    write("infra/index.ts", `${header}export const s: string = n;\n`, 1_000_000);

    const broken = typecheckProgram(dir);
    assert.equal(broken.ok, false);
    assert.match(broken.diagnostics, /infra\/index\.ts\(3,14\): error TS2322/);
    assert.equal(typecheckProgram(dir).ran, true, "a failing result is never reused");

    write("infra/index.ts", `${header}export const s: number = n;\n`, 1_000_100);
    const fixed = typecheckProgram(dir);
    assert.deepEqual([fixed.ok, fixed.ran, fixed.files], [true, true, 3]);
    assert.deepEqual([typecheckProgram(dir).ok, typecheckProgram(dir).ran], [true, false], "unchanged: the clean result is reused");

    write("infra/part.ts", 'export const n: string = "x";\n', 1_000_200);
    const imported = typecheckProgram(dir);
    assert.deepEqual([imported.ok, imported.ran], [false, true], "a change in an imported file is seen");
    write("infra/part.ts", "export const n: number = 2;\n", 1_000_300);
    assert.equal(typecheckProgram(dir).ok, true);

    write("tsconfig.json", JSON.stringify({ compilerOptions: { ...options, noImplicitAny: true } }), 1_000_400);
    assert.equal(typecheckProgram(dir).ran, true, "new compiler options are checked");
    fs.rmSync(path.join(dir, "infra/part.ts"));
    assert.equal(typecheckProgram(dir).ok, false, "a deleted import fails");
  });

  it("finds the compiler options' `types` in the repository whatever the working directory (a plan run from a stack's own folder)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "typecheck-types-"));
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "typecheck-cwd-"));
    dirs.push(dir, elsewhere);
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "commonjs", types: ["ambient"], noLib: true } }));
    fs.mkdirSync(path.join(dir, "node_modules/@types/ambient"), { recursive: true });
    const globals = ["Array<T>", "Boolean", "Function", "CallableFunction", "NewableFunction", "IArguments", "Number", "Object", "RegExp", "String"].map((t) => `interface ${t} {}`).join("\n");
    fs.writeFileSync(path.join(dir, "node_modules/@types/ambient/index.d.ts"), `${globals}\ndeclare const AMBIENT: number;\n`);
    fs.mkdirSync(path.join(dir, "infra"));
    fs.writeFileSync(path.join(dir, "infra/index.ts"), "export const n: number = AMBIENT;\n");
    const cwd = process.cwd();
    process.chdir(elsewhere);
    try {
      const r = typecheckProgram(dir);
      assert.equal(r.ok, true, r.diagnostics);
      assert.equal(r.ran, true);
    } finally {
      process.chdir(cwd);
    }
  });
});
