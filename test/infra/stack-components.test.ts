// How the stack uses the component library: every cloud resource of both
// shipped stacks sits in a component, and the automation rules, which moved
// under AutomationRules, keep their old root URNs as aliases.
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { declaredAtStackRoot } from "../../infra/stack";
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
    assert.deepEqual(rules.map((x) => x.name).sort(), ["expiry", "instance-cleanup", "maintenance", "spot-drain", "state-record"].map((h) => `eventops-prod-auto-${h}`));
    for (const rule of rules) assert.equal(rule.inputs.groupId, undefined, `${rule.name} is account-wide`);
  });

  describe("declaredAtStackRoot (the automation rules' move under a parent)", () => {
    const resource = {} as pulumi.Resource;
    const dependency = {} as pulumi.Resource;
    const args = (type: string): pulumi.ResourceTransformationArgs => ({ type, name: "r", resource, props: { ruleName: "r" }, opts: { parent: resource, dependsOn: [dependency] } });

    it("aliases an event rule to the URN it had at the stack root, keeping its props and other options", () => {
      const out = declaredAtStackRoot(args(T.eventRule));
      assert.ok(out);
      assert.deepEqual(out.props, { ruleName: "r" });
      assert.deepEqual(out.opts.aliases, [{ parent: pulumi.rootStackResource }]);
      assert.equal(out.opts.parent, resource);
      assert.deepEqual(out.opts.dependsOn, [dependency]);
    });

    it("leaves every other resource alone", () => {
      assert.equal(declaredAtStackRoot(args("eventops:index:AutomationRules")), undefined);
      assert.equal(declaredAtStackRoot(args(T.fcFunction)), undefined);
    });
  });
});
