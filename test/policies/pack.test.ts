// The whole pack through the one entry the plan calls: a compliant stack is
// clean; deliberately broken stacks are caught by every policy they break.
import { strict as assert } from "node:assert";
import { blocks, renderViolationsMarkdown } from "../../policies/evaluate";
import { evaluatePlan, fromPlanGraph } from "../../policies/plan-graph";
import { RULES } from "../../policies/rules";
import type { PlanGraph } from "../../policies/plan-graph";
import { byName, compliantGraph, mutated } from "./builders";

const REQUIRED = { requiredTagKeys: ["env"] };

/** One graph breaking every policy at once. */
function brokenEverywhere(): PlanGraph {
  return mutated((g) => {
    const inputs = (name: string) => byName(g, name).inputs as Record<string, any>;
    inputs("eo-test-checkout-warn").contactParameters = [];                                   // tier-coverage: WARN reaches no one
    inputs("eo-test-checkout-info").contactParameters = [{ contactGroupName: "eo-test-ghosts", level: "4" }]; // no-dangling-targets
    inputs("queue-events").sseType = "KMS";                                                   // queue-dead-letter: KMS without a key
    inputs("handler-spot-drain-policy").policyDocument = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }); // handler-least-privilege
    inputs("contacts-alice").channelsDingWebHook = "https://oapi.dingtalk.com/robot/send?access_token=t0k3n"; // no-plaintext-secrets
    inputs("eo-test-checkout-critical").silenceTime = 86400;                                   // silence-bounds
    inputs("queue-events").tags = {};                                                         // required-tags
    inputs("contacts-alice").lang = "zh_CN";                                                   // enum-values
    inputs("eo-test-auto-spot-drain").mnsParameters[0].arn = "acs:mns:cn-shanghai:1:/queues/x"; // computed-only-inputs
    inputs("handler-spot-drain-queue").triggerConfig = inputs("handler-spot-drain-queue").triggerConfig.replace('"ALL"', '"NONE"'); // automation-queue-trigger
    inputs("eo-test-checkout-info").eventPattern.nameLists = Array.from({ length: 51 }, (_, i) => `Instance:E${i}`); // event-rule-limits
    inputs("taxonomy-policy").policyName = "eo-test-tags";                                    // cloud-name-rules
    byName(g, "taxonomy-env").provider = byName(g, "queue-events").provider;                  // region-support: MetaTag on the cn-shanghai default
    inputs("automation-markers").bucket = "eo-test-markers";                                  // globally-unique-names
    inputs("handler-spot-drain-function").memorySize = 500;                                   // fc-memory-cpu
    inputs("oos-checkout-template").content = JSON.stringify({ Tasks: [{ Name: "t", Action: "ACS::EventTrigger" }] }); // oos-execution-completes
    g.resources = g.resources.filter((r) => !r.type.endsWith(":ServiceSubscription"));         // alert-topic-subscribed
  });
}

describe("the whole pack", () => {
  it("finds nothing in the compliant stack and does not block", () => {
    const found = evaluatePlan(compliantGraph(), REQUIRED);
    assert.deepEqual(found, []);
    assert.equal(blocks(found), false);
    assert.equal(renderViolationsMarkdown(found), "All policies pass.\n");
  });

  it("finds every policy's violation in a stack broken everywhere, and blocks", () => {
    const found = evaluatePlan(brokenEverywhere(), REQUIRED);
    assert.deepEqual([...new Set(found.map((v) => v.policy))].sort(), RULES.map((r) => r.id).sort());
    assert.equal(blocks(found), true);
    for (const v of found) assert.equal(v.undecided, false, v.message);
    assert.ok(!JSON.stringify(found).includes("t0k3n"), "a violation must never carry the secret");
  });

  it("blocks only on mandatory policies: advisory findings alone pass", () => {
    const found = evaluatePlan(mutated((g) => ((byName(g, "queue-events").inputs as Record<string, any>).tags = {})), REQUIRED);
    assert.deepEqual(found.map((v) => [v.policy, v.enforcement]), [["required-tags", "advisory"]]);
    assert.equal(blocks(found), false);
  });

  it("reports violations in a stable order (policy, resource, message)", () => {
    const a = evaluatePlan(brokenEverywhere(), REQUIRED);
    const shuffled = brokenEverywhere();
    shuffled.resources.reverse();
    assert.deepEqual(evaluatePlan(shuffled, REQUIRED), a);
  });

  it("renders mandatory findings first in markdown", () => {
    const md = renderViolationsMarkdown(evaluatePlan(brokenEverywhere(), REQUIRED));
    const lines = md.split("\n").filter((l) => l.startsWith("- "));
    const firstAdvisory = lines.findIndex((l) => l.includes("**advisory**"));
    const lastMandatory = lines.map((l) => l.includes("**mandatory**")).lastIndexOf(true);
    assert.ok(lastMandatory < firstAdvisory, md);
  });

  it("maps the plan graph: inputs become props, parent URNs become parent resources", () => {
    const g = compliantGraph();
    const resources = fromPlanGraph(g);
    const rule = resources.find((r) => r.name === "eo-test-checkout-warn")!;
    assert.equal(rule.parent?.type, "eventops:index:ApplicationGroup");
    assert.equal(rule.parent?.name, "group-checkout");
    assert.equal(rule.props, byName(g, "eo-test-checkout-warn").inputs);
  });
});
