// The example of another Pulumi program (docs/examples/own-groups): it
// type-checks against the package's exports (`alicloud-event-ops/components`,
// resolved the way Node and TypeScript's node16 mode resolve a package), and
// under mocks it registers application groups with one rule per tier of the
// template, parented by their component, that pass the project's policy pack.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import ts from "typescript";
import { evaluatePlan, PlanGraph, PlannedResource } from "../../policies/plan-graph";
import { T } from "../../policies/stack";

const ROOT = path.resolve(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "docs/examples/own-groups/index.ts");

describe("example: another program's own groups (docs/examples/own-groups)", () => {
  describe("type-checks against the package's exports", () => {
    // The example's own tsconfig (node16: package.json `exports` and self-reference by package name, as Node resolves them).
    const config = ts.getParsedCommandLineOfConfigFile(path.join(path.dirname(EXAMPLE), "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) })!;
    const options = config.options;
    const files = new Map<string, ts.SourceFile>();
    let previous: ts.Program | undefined;

    /** Diagnostics of the example with `source` as its text (the other files read once and reused). */
    function check(source: string): string[] {
      const host = ts.createCompilerHost(options);
      host.getSourceFile = (file, language) => {
        if (path.resolve(file) === EXAMPLE) return ts.createSourceFile(file, source, language);
        let sf = files.get(file);
        if (!sf) {
          const text = ts.sys.readFile(file);
          if (text === undefined) return undefined;
          files.set(file, (sf = ts.createSourceFile(file, text, language)));
        }
        return sf;
      };
      previous = ts.createProgram([EXAMPLE], options, host, previous);
      return ts.getPreEmitDiagnostics(previous).map((d) => {
        const where = d.file ? `${path.relative(ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "(options)";
        return `${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
      });
    }
    const original = ts.sys.readFile(EXAMPLE)!;

    it("as written, with its own tsconfig: no diagnostics", () => {
      assert.deepEqual(config.fileNames, [EXAMPLE]);
      assert.equal(options.moduleResolution, ts.ModuleResolutionKind.Node16);
      assert.deepEqual(check(original), []);
      assert.ok(
        previous!.getSourceFiles().some((f) => path.resolve(f.fileName) === path.join(ROOT, "infra/components/index.ts")),
        "alicloud-event-ops/components resolves to infra/components/index.ts",
      );
    });

    const mutations: [string, (s: string) => string, RegExp][] = [
      ["a channel the tiers do not know", (s) => s.replace(`channels: "phone"`, `channels: "email"`), /index\.ts:\d+: TS2322 Type '"email"' is not assignable/],
      ["a template without its INFO tier", (s) => s.replace(/^\s*INFO: .*$/m, ""), /index\.ts:\d+: TS2741 Property 'INFO' is missing/],
      ["a contact group that is a number", (s) => s.replace("contactGroups: [oncall.alarmContactGroupName],\n      tiers", "contactGroups: [42],\n      tiers"), /index\.ts:\d+: TS2322 Type 'number' is not assignable/],
      [
        "a handler name not in the catalogue",
        (s) => `${s}\nimport { AutomationRules } from "alicloud-event-ops/components";\nnew AutomationRules("r", { region, routes: [{ handler: "spot-drian", ruleName: "r", functionName: "f" }] });\n`,
        /index\.ts:\d+: TS\d+ Type '"spot-drian"' is not assignable to type '"spot-drain" \| "instance-cleanup"/,
      ],
    ];
    for (const [name, mutate, expected] of mutations) {
      it(`rejects ${name}`, () => {
        const mutated = mutate(original);
        assert.notEqual(mutated, original, "the mutation applies to the example");
        const diagnostics = check(mutated);
        assert.ok(diagnostics.some((d) => expected.test(d)), diagnostics.join("\n") || "no diagnostics");
      });
    }
  });

  describe("under Pulumi mocks", () => {
    let graph: PlanGraph;
    before(() => {
      const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "run-under-mocks.ts"), EXAMPLE, "own-groups", "test"], { cwd: ROOT, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      graph = JSON.parse(r.stdout) as PlanGraph;
    });
    const ofType = (type: string) => graph.resources.filter((r) => r.type === type);
    const groupOf = (team: string) => graph.resources.find((r) => r.type === T.applicationGroup && r.name === `team-${team}`)!;

    it("registers exactly its own contacts and groups, and per group a dynamic tag group and three rules", () => {
      const counts: Record<string, number> = {};
      for (const r of graph.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
      assert.deepEqual(counts, { [T.applicationGroup]: 2, [T.dynamicTagGroup]: 2, [T.eventRule]: 6, [T.alarmContact]: 2, [T.alarmContactGroup]: 2 });
    });

    it("parents every resource of a group to its ApplicationGroup, children named after it", () => {
      for (const r of [...ofType(T.dynamicTagGroup), ...ofType(T.eventRule)]) {
        const parent = graph.resources.find((p) => p.urn === r.parent);
        assert.equal(parent?.type, T.applicationGroup, `${r.name} is parented by an ApplicationGroup`);
        assert.ok(r.urn.includes(`::${T.applicationGroup}$${r.type}::`), r.urn);
      }
      for (const team of ["storefront", "catalog"]) {
        const children = graph.resources.filter((r) => r.parent === groupOf(team).urn).map((r) => r.name).sort();
        assert.deepEqual(children, [`shop-${team}-critical`, `shop-${team}-info`, `shop-${team}-warn`, `team-${team}-tags`]);
      }
    });

    it("follows the program's own tag and tells its own contact group about the group", () => {
      for (const team of ["storefront", "catalog"]) {
        const dtg = ofType(T.dynamicTagGroup).find((r) => r.parent === groupOf(team).urn)!;
        assert.equal(dtg.inputs.tagKey, "team");
        assert.deepEqual(dtg.inputs.matchExpresses, [{ tagValue: team, tagValueMatchFunction: "equals" }]);
        assert.deepEqual(dtg.inputs.contactGroupLists, ["shop-oncall"]);
      }
    });

    it("gives each group one rule per tier, scoped to its group, telling the tier's contact group at the tier's level", () => {
      const expected = { CRITICAL: ["shop-oncall", "2", 300], WARN: ["shop-owners", "3", 1800], INFO: ["shop-owners", "4", 21600] } as const;
      for (const team of ["storefront", "catalog"]) {
        const group = groupOf(team);
        const dtg = ofType(T.dynamicTagGroup).find((r) => r.parent === group.urn)!;
        const rules = ofType(T.eventRule).filter((r) => r.parent === group.urn);
        for (const [level, [contactGroup, channelLevel, silence]] of Object.entries(expected)) {
          const atLevel = rules.filter((r) => (r.inputs.eventPattern as { levelLists: string[] }).levelLists.join() === level);
          assert.equal(atLevel.length, 1, `${team}: one ${level} rule`);
          const rule = atLevel[0] as PlannedResource;
          assert.equal(rule.inputs.ruleName, `shop-${team}-${level.toLowerCase()}`);
          assert.equal(rule.inputs.groupId, `offline-group:${dtg.id}`, "scoped to the group CloudMonitor made for its dynamic tag rule");
          assert.deepEqual(rule.inputs.contactParameters, [{ contactParametersId: "1", contactGroupName: contactGroup, level: channelLevel }]);
          assert.equal(rule.inputs.silenceTime, silence);
          // Routed by product, type and level: no name list (at most 50 names per pattern, PutEventRule).
          assert.deepEqual(rule.inputs.eventPattern, { product: "ECS", eventTypeLists: ["*"], levelLists: [level] }, `${team}/${level} routes by product, type and level`);
          assert.equal(rule.inputs.status, "ENABLED");
        }
      }
    });

    it("passes the project's policy pack, and fails tier coverage when one tier rule is missing", () => {
      const mandatory = (g: PlanGraph) => evaluatePlan(g).filter((v) => v.enforcement === "mandatory");
      assert.deepEqual(mandatory(graph), []);
      const withoutWarn = { ...graph, resources: graph.resources.filter((r) => r.name !== "shop-catalog-warn") };
      const violations = mandatory(withoutWarn);
      assert.ok(violations.some((v) => v.policy === "tier-coverage" && /catalog/.test(v.message) && /WARN/.test(v.message)), JSON.stringify(violations));
    });
  });
});
