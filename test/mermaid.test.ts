// Per-group flowcharts: group → tiers → receivers and targets, empty tiers in
// red, dead receivers dashed, stable output.
import { strict as assert } from "node:assert";
import { groupDiagrams, renderMermaidMarkdown } from "../tools/plan/mermaid";
import { GraphBuilder, byName, compliantGraph, contactTarget, mutated } from "./policies/builders";

const diagram = (g: ReturnType<typeof compliantGraph>, group = "checkout") => groupDiagrams(g).find((d) => d.group === group)!.mermaid;

describe("mermaid diagrams", () => {
  it("draws group → tiers → receivers with channel levels and target shapes", () => {
    const m = diagram(compliantGraph());
    assert.match(m, /^flowchart LR\n/);
    assert.match(m, /group\["checkout<br\/>app=checkout"\]/);
    for (const level of ["CRITICAL", "WARN", "INFO"]) assert.match(m, new RegExp(`group --> tier_${level}\\n`));
    assert.match(m, /tier_CRITICAL\["CRITICAL<br\/>silence 600 s"\]/);
    assert.match(m, /r0\["contacts: eo-test-oncall"\]/);
    assert.match(m, /tier_CRITICAL -- sms --> r0/);
    assert.match(m, /tier_WARN -- chat --> r0/);
    assert.match(m, /\[\("queue: eo-test-events"\)\]/);
    assert.match(m, /tier_CRITICAL --> r1/);
    assert.doesNotMatch(m, /class .* empty/);
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
    const id = /(r\d+)\["contacts: eo-test-silent"\]/.exec(m)?.[1];
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
    assert.match(m, /\[\["function: eo-test-spot-drain"\]\]/);
    assert.match(m, />"webhook 1"\]/);
  });

  it("is stable: the same graph in another order gives the same text", () => {
    const shuffled = compliantGraph();
    shuffled.resources.reverse();
    assert.equal(renderMermaidMarkdown(shuffled), renderMermaidMarkdown(compliantGraph()));
  });

  it("sorts groups by name and renders one mermaid block per group", () => {
    const g = compliantGraph();
    const b = new GraphBuilder();
    b.applicationGroup("alpha", { CRITICAL: {}, WARN: {}, INFO: {} });
    g.resources.push(...b.graph.resources);
    assert.deepEqual(groupDiagrams(g).map((d) => d.group), ["alpha", "checkout"]);
    const md = renderMermaidMarkdown(g);
    assert.equal(md.match(/```mermaid/g)?.length, 2);
    assert.match(diagram(g, "alpha"), /class tier_CRITICAL,tier_WARN,tier_INFO empty/);
  });
});
