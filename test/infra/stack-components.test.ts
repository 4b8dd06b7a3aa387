// How the stack uses the component library: every cloud resource of both
// shipped stacks sits in a component, and the automation rules sit under one
// AutomationRules component with names that replace, not update, the 0.2.0 rules.
import assert from "node:assert/strict";
import { T } from "../../policies/stack";
import { runPlan } from "../plan/helpers";

describe("the stack's components", () => {
  for (const stack of ["dev", "prod"]) {
    it(`${stack}: every cloud resource has an eventops component as its parent`, () => {
      const r = runPlan(stack);
      assert.equal(r.status, 0, r.stderr);
      const byUrn = new Map(r.graph!.resources.map((x) => [x.urn, x]));
      const orphans = r.graph!.resources.filter((x) => x.custom && !byUrn.get(x.parent ?? "")?.type.startsWith("eventops:index:"));
      assert.deepEqual(orphans.map((x) => `${x.type}::${x.name}`), []);
    });
  }

  it("prod: the automation rules are the children of one AutomationRules component", () => {
    const graph = runPlan("prod").graph!;
    const [parent, ...more] = graph.resources.filter((x) => x.type === "eventops:index:AutomationRules");
    assert.equal(more.length, 0);
    const rules = graph.resources.filter((x) => x.type === T.eventRule && x.parent === parent.urn);
    assert.deepEqual(rules.map((x) => x.name).sort(), ["expiry", "instance-cleanup", "maintenance", "spot-drain", "state-record"].map((h) => `eventops-prod-route-${h}`));
    for (const rule of rules) assert.equal(rule.inputs.groupId, undefined, `${rule.name} is account-wide`);
  });

  it("names the automation rules route-<handler>, never the 0.2.0 names whose rules had a Function Compute target", () => {
    // The provider updates targets with PutEventRuleTargets only and never deletes one
    // (resource_alicloud_cms_event_rule.go): renamed, the old rule is deleted with its FC target
    // after the new one is created, instead of keeping it beside the new queue target.
    const graph = runPlan("prod").graph!;
    const rules = graph.resources.filter((x) => x.type === T.eventRule && !x.inputs.groupId).map((x) => String(x.inputs.ruleName));
    for (const h of ["expiry", "instance-cleanup", "maintenance", "spot-drain", "state-record"]) {
      assert.ok(rules.includes(`eventops-prod-route-${h}`), h);
      assert.ok(!rules.includes(`eventops-prod-auto-${h}`), `${h}: the 0.2.0 name would be updated in place and keep its FC target`);
    }
  });
});
