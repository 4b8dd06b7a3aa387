// The tier-template diagram: every group → tiers → each tier's receivers and
// targets, one drawing for all groups; a group that differs is listed; empty
// tiers in red, dead receivers dashed; stable output.
import { strict as assert } from "node:assert";
import { renderMermaidMarkdown, tierTemplate } from "../tools/plan/mermaid";
import { GraphBuilder, byName, compliantGraph, contactTarget, mutated } from "./policies/builders";

const diagram = (g: ReturnType<typeof compliantGraph>) => tierTemplate(g).mermaid;

/** The test stack with a second group built from the same tier template. */
function twoGroups(extra: (b: GraphBuilder) => void = () => undefined) {
  const g = compliantGraph();
  const b = new GraphBuilder();
  b.applicationGroup("alpha", {
    CRITICAL: { contactParameters: [contactTarget("oncall", "3")], mnsParameters: [{ mnsParametersId: "1", queue: "eo-test-events", region: "cn-shanghai" }] },
    WARN: { contactParameters: [contactTarget("oncall", "4")] },
    INFO: { contactParameters: [contactTarget("oncall", "4")], silenceTime: 86400 },
  });
  extra(b);
  g.resources.push(...b.graph.resources);
  return g;
}

describe("mermaid: the tier template", () => {
  it("draws every group → tiers → receivers with their channel, names without the stack stem, target shapes", () => {
    const m = diagram(compliantGraph());
    assert.match(m, /^%%\{init: .*\}%%\nflowchart LR\n/);
    assert.match(m, /group\["every application group \(1\)<br\/>checkout"\]/);
    for (const level of ["CRITICAL", "WARN", "INFO"]) assert.match(m, new RegExp(`group --> tier_${level}\\n`));
    assert.match(m, /tier_CRITICAL\["CRITICAL<br\/>silence 600 s"\]/);
    assert.match(m, /critical_0\["contacts: oncall<br\/>by sms"\]/);
    assert.match(m, /warn_0\["contacts: oncall<br\/>by chat"\]/);
    assert.match(m, /critical_1\[\("queue: events"\)\]/);
    assert.match(m, /tier_CRITICAL --> critical_1/);
    assert.doesNotMatch(m, /eo-test-/);
    assert.doesNotMatch(m, /class .* empty/);
  });

  it("is one diagram for all groups built from the template, naming them", () => {
    const g = twoGroups();
    const t = tierTemplate(g);
    assert.deepEqual(t.groups, ["alpha (app=alpha)", "checkout (app=checkout)"]);
    assert.deepEqual(t.deviations, []);
    assert.match(t.mermaid, /every application group \(2\)<br\/>alpha, checkout/);
    const md = renderMermaidMarkdown(g);
    assert.equal(md.match(/```mermaid/g)?.length, 1);
    assert.match(md, /applied to every application group: `alpha \(app=alpha\)`, `checkout \(app=checkout\)`/);
  });

  it("lists a group whose tier differs from the template instead of hiding it", () => {
    const g = twoGroups((b) => b.applicationGroup("beta", { CRITICAL: { contactParameters: [contactTarget("oncall", "3")], mnsParameters: [{ mnsParametersId: "1", queue: "eo-test-events", region: "cn-shanghai" }] }, WARN: { contactParameters: [contactTarget("oncall", "4")] } }));
    const t = tierTemplate(g);
    assert.deepEqual(t.deviations, ["group `beta`, tier INFO: no rule (template: oncall (chat), silence 86400 s)"]);
    assert.match(renderMermaidMarkdown(g), /\*\*Groups that differ from the template\*\*\n\n- group `beta`, tier INFO: no rule/);
  });

  it("draws an empty tier red, and a tier without a rule as 'no rule'", () => {
    const m = diagram(mutated((g) => (g.resources = g.resources.filter((r) => r.name !== "eo-test-checkout-info"))));
    assert.match(m, /tier_INFO\["INFO<br\/>no rule"\]/);
    assert.match(m, /class tier_INFO empty/);
    assert.match(m, /classDef empty fill:#fdd/);
  });

  it("draws a receiver that reaches no one dashed, and its tier red", () => {
    const g = mutated((x) => {
      const b = new GraphBuilder();
      x.resources.push(b.contact("bob", {}), b.contactGroup("silent", ["bob"]));
      (byName(x, "eo-test-checkout-warn").inputs as Record<string, any>).contactParameters = [contactTarget("silent", "4")];
    });
    const m = diagram(g);
    const id = /(warn_\d+)\["contacts: silent<br\/>by chat"\]/.exec(m)?.[1];
    assert.ok(id, m);
    assert.match(m, new RegExp(`class ${id} dead`));
    assert.match(m, /class tier_WARN empty/);
  });

  it("shows function and webhook targets with their own shapes", () => {
    const g = mutated((x) =>
      Object.assign(byName(x, "eo-test-checkout-info").inputs, {
        fcParameters: [{ functionName: "eo-test-spot-drain" }],
        webhookParameters: [{ webhookParametersId: "1", url: "[secret]" }],
      }),
    );
    const m = diagram(g);
    assert.match(m, /\[\["function: spot-drain"\]\]/);
    assert.match(m, />"webhook 1"\]/);
  });

  it("draws a tree: a receiver two tiers share appears under each, so no edge crosses", () => {
    const m = diagram(compliantGraph());
    assert.equal(m.match(/contacts: oncall/g)?.length, 3);
    for (const line of m.split("\n").filter((l) => / --> /.test(l) && !/^ {2}group/.test(l))) assert.match(line, /^ {2}tier_(\w+) --> \1_/i, line);
  });

  it("is stable: the same graph in another order gives the same text", () => {
    const shuffled = twoGroups();
    shuffled.resources.reverse();
    assert.equal(renderMermaidMarkdown(shuffled), renderMermaidMarkdown(twoGroups()));
  });

  it("marks every tier of a group without rules empty, and says there is no group at all", () => {
    const g = compliantGraph();
    g.resources = g.resources.filter((r) => !r.urn.includes("ApplicationGroup"));
    assert.equal(renderMermaidMarkdown(g), "No application group declared.\n");
    const b = new GraphBuilder();
    b.applicationGroup("alpha", {});
    assert.match(diagram(b.graph), /class tier_CRITICAL,tier_WARN,tier_INFO empty/);
  });

  it("against a base plan, draws a receiver the base template lacks (or reaches by another channel) amber", () => {
    const head = mutated((g) => ((byName(g, "eo-test-checkout-warn").inputs as Record<string, any>).contactParameters = [contactTarget("oncall", "3")]));
    const m = tierTemplate(head, compliantGraph()).mermaid;
    assert.match(m, /warn_0\["contacts: oncall<br\/>by sms"\]/);
    assert.match(m, /class warn_0 changed\n/);
    assert.doesNotMatch(m, /critical_\d+.*changed|class [^\n]*critical[^\n]* changed/);
    assert.match(renderMermaidMarkdown(head, compliantGraph()), /Amber: a receiver the base branch's template does not have/);
    assert.doesNotMatch(tierTemplate(compliantGraph(), compliantGraph()).mermaid, /changed/);
  });
});
