// Runs the routing cases in test/routing/cases/<stack>.yaml against each
// stack's real plan graph (the plan runs in a child process), and checks the
// cases cover every catalogue event × status and every declared rule.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CATALOGUE, baseName, fullNames } from "../../handlers/catalogue";
import { CaseFileError, ConcreteCase, checkCase, expandCase, loadCaseFile, parseCaseFile } from "../../tools/routing/cases";
import { RoutingModel, routingModel } from "../../tools/routing/model";
import { planGraph } from "../../tools/routing/plan";

const CASES_DIR = path.join(__dirname, "cases");
const STACKS = ["dev", "prod"];

function concreteCases(stack: string): { cases: ConcreteCase[]; error?: Error } {
  const file = path.join(CASES_DIR, `${stack}.yaml`);
  try {
    return { cases: loadCaseFile(file).flatMap((c) => expandCase(c, path.relative(process.cwd(), file))) };
  } catch (e) {
    return { cases: [], error: e as Error };
  }
}

for (const stack of STACKS) {
  describe(`routing cases: ${stack}`, function () {
    this.timeout(120_000);
    const { cases, error } = concreteCases(stack);
    let model: RoutingModel;
    before(() => {
      model = routingModel(planGraph(stack));
    });

    it("the case file loads", () => {
      if (error) throw error;
      assert.ok(cases.length > 0);
    });

    for (const c of cases) it(c.name, () => void checkCase(model, c));

    it("covers every catalogue event × status and level", () => {
      const seen = new Set(cases.flatMap((c) => (c.covers ? [`${c.covers.base}:${c.covers.status ?? ""}`, `${c.covers.base}@${c.covers.level}`] : [])));
      const missing = CATALOGUE.flatMap((e) => [
        ...(e.statuses.length ? e.statuses.map((s) => `${baseName(e)}:${s}`) : [`${baseName(e)}:`]).filter((k) => !seen.has(k)),
        ...e.levels.map((l) => `${baseName(e)}@${l}`).filter((k) => !seen.has(k)),
      ]);
      assert.deepEqual(missing, [], `${stack}.yaml has no case for: ${missing.join(", ")}`);
      // Sanity: the expansion produced one check per full name at least.
      assert.ok(cases.length >= CATALOGUE.flatMap(fullNames).length);
    });

    it("covers every declared rule (every group × tier, every automation rule)", () => {
      const expected = new Set(cases.flatMap((c) => c.expect.rules));
      const missing = model.rules.map((r) => r.ruleName).filter((r) => !expected.has(r));
      assert.deepEqual(missing, [], `no case of ${stack}.yaml expects these rules to fire: ${missing.join(", ")}`);
      const groups = new Set(cases.flatMap((c) => c.expect.groups));
      assert.deepEqual(model.groups.map((g) => g.name).filter((g) => !groups.has(g)), [], "every application group appears in a case");
    });
  });
}

describe("routing cases: a wrong expectation fails readably", function () {
  this.timeout(120_000);
  let model: RoutingModel;
  before(() => {
    model = routingModel(planGraph("prod"));
  });

  const wrong = `
cases:
  - name: deliberately wrong spot expectation
    event: Instance:PreemptibleInstanceInterruption
    level: WARN
    tags: { app: batch }
    expect:
      groups: [batch]
      rules: [eventops-prod-batch-critical, eventops-prod-route-spot-drain]
      contacts: ["eventops-prod-sre:sms", "eventops-prod-owners:sms"]
      queues: [eventops-prod-events, eventops-prod-auto-spot-drain]
      functions: [eventops-prod-spot-drain]
      handlers: [instance-cleanup]
`;

  it("names the case and lists missing and unexpected entries per field", () => {
    const [c] = parseCaseFile(wrong, "inline.yaml").flatMap((x) => expandCase(x, "inline.yaml"));
    let failure: unknown;
    try {
      checkCase(model, c);
    } catch (e) {
      failure = e;
    }
    assert.ok(failure instanceof assert.AssertionError, "a wrong case must throw an AssertionError");
    const text = failure.message;
    assert.match(text, /routing case "deliberately wrong spot expectation" \(inline\.yaml, stack prod\)/);
    assert.match(text, /rules: expected \[eventops-prod-batch-critical, eventops-prod-route-spot-drain\], got \[eventops-prod-batch-warn, eventops-prod-route-spot-drain\]/);
    assert.match(text, /missing: {4}eventops-prod-batch-critical/);
    assert.match(text, /unexpected: eventops-prod-batch-warn/);
    assert.match(text, /handlers: expected \[instance-cleanup\], got \[spot-drain\]/);
    // Fields that match are not in the diff.
    assert.doesNotMatch(text, /^  queues:/m);
    // mocha's own diff gets sorted lists on both sides.
    assert.deepEqual((failure.expected as Record<string, string[]>).rules, ["eventops-prod-batch-critical", "eventops-prod-route-spot-drain"]);
    assert.deepEqual((failure.actual as Record<string, string[]>).rules, ["eventops-prod-batch-warn", "eventops-prod-route-spot-drain"]);
  });

  it("a field left out of `expect` is expected empty, so forgetting one fails", () => {
    const [c] = parseCaseFile(wrong.replace(/\n\s+webhooks:.*|\n\s+queues:.*/g, ""), "inline.yaml").flatMap((x) => expandCase(x));
    assert.throws(() => checkCase(model, c), /queues: expected \[\], got \[eventops-prod-auto-spot-drain, eventops-prod-events\]/);
  });
});

describe("routing cases: the file format", () => {
  const one = (body: string) => parseCaseFile(`cases:\n${body}`, "inline.yaml").flatMap((c) => expandCase(c, "inline.yaml"));

  it("expands statuses: '*' over the catalogue's statuses, with byStatus overrides", () => {
    const cs = one(`  - name: delete
    event: Instance:SystemFailure.Delete
    statuses: "*"
    expect: { rules: [a] }
    byStatus: { Executed: { rules: [b], handlers: [instance-cleanup] } }
`);
    assert.deepEqual(cs.map((c) => c.name), ["delete [Executing]", "delete [Executed]", "delete [Avoided]"]);
    assert.deepEqual(cs.map((c) => c.expect.rules), [["a"], ["b"], ["a"]]);
    assert.deepEqual(cs[1].expect.handlers, ["instance-cleanup"]);
    assert.equal(cs[1].event.name, "Instance:SystemFailure.Delete:Executed");
  });

  it("rejects a status the catalogue does not list for the event, naming the case", () => {
    assert.throws(() => one(`  - { name: bad status, event: Instance:SystemFailure.Reboot, status: Scheduled, expect: {} }\n`), (e: unknown) => e instanceof CaseFileError && /case "bad status".*never Scheduled/.test(e.message));
  });

  it("rejects an unknown event name and a misspelled field with its path", () => {
    assert.throws(() => one(`  - { name: typo, event: "Instance:SystemMaintenance.Reboat", status: Scheduled, expect: {} }\n`), /not in the event catalogue/);
    assert.throws(() => one(`  - { name: field, event: Instance:StateChange, expect: { rule: [x] } }\n`), /cases\[0\] \("field"\)\.expect: Unrecognized key: "rule"/);
  });

  it("the shipped case files exist for every stack with a Pulumi config", () => {
    const root = path.resolve(__dirname, "../..");
    const stacks = fs.readdirSync(root).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => f.split(".")[1]).sort();
    assert.deepEqual(stacks.filter((s) => !fs.existsSync(path.join(CASES_DIR, `${s}.yaml`))), []);
  });
});
