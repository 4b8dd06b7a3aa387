// The plan diff: added / removed / changed resources by URN, property changes
// at deep paths, secrets compared only as "[secret]", stable markdown.
import { strict as assert } from "node:assert";
import { diffPlans, diffValues, isEmptyDiff, renderDiffMarkdown, showValue } from "../tools/plan/diff";
import { byName, compliantGraph, GraphBuilder, mutated } from "./policies/builders";

const WARN = "eo-test-checkout-warn";

describe("plan diff", () => {
  it("finds nothing between a plan and itself", () => {
    const d = diffPlans(compliantGraph(), compliantGraph());
    assert.ok(isEmptyDiff(d));
    assert.match(renderDiffMarkdown(d), /No resource added, removed or changed/);
  });

  it("reports added and removed resources by URN, sorted", () => {
    const head = mutated((g) => {
      g.resources = g.resources.filter((r) => r.name !== WARN);
      const b = new GraphBuilder();
      g.resources.push(b.queue("audit"));
      g.resources.push(...b.graph.resources.filter((r) => r.name !== "queue-audit" || r.custom === false));
    });
    const d = diffPlans(compliantGraph(), head);
    assert.deepEqual(d.removed.map((r) => r.name), [WARN]);
    assert.deepEqual(d.added.map((r) => r.urn), [...d.added.map((r) => r.urn)].sort());
    assert.ok(d.added.some((r) => r.name === "queue-audit-dlq"));
    assert.deepEqual(d.changed, []);
  });

  const cases: { name: string; change: (i: Record<string, any>) => void; expect: { path: string; kind: string; before?: unknown; after?: unknown }[] }[] = [
    { name: "a scalar", change: (i) => (i.silenceTime = 60), expect: [{ path: "silenceTime", kind: "changed", before: 3600, after: 60 }] },
    { name: "an array element deep inside", change: (i) => (i.eventPattern.nameLists = ["a", "b", "c", "d"]), expect: ["a", "b", "c", "d"].map((v, n) => ({ path: `eventPattern.nameLists[${n}]`, kind: "added", after: v })) },
    { name: "a removed property", change: (i) => delete i.status, expect: [{ path: "status", kind: "removed", before: "ENABLED" }] },
    { name: "a nested added object", change: (i) => (i.contactParameters[1] = { level: "4" }), expect: [{ path: "contactParameters[1]", kind: "added", after: { level: "4" } }] },
  ];
  for (const c of cases) {
    it(`reports a change of ${c.name} at its deep path`, () => {
      const head = mutated((g) => c.change(byName(g, WARN).inputs as Record<string, any>));
      const d = diffPlans(compliantGraph(), head);
      assert.deepEqual(d.changed.map((r) => r.name), [WARN]);
      assert.deepEqual(d.changed[0].changes, c.expect);
    });
  }

  it("shows a path like eventPattern.nameLists[3] when one name in a long list changes", () => {
    const base = mutated((g) => ((byName(g, WARN).inputs as Record<string, any>).eventPattern.nameLists = ["a", "b", "c", "d"]));
    const head = mutated((g) => ((byName(g, WARN).inputs as Record<string, any>).eventPattern.nameLists = ["a", "b", "c", "e"]));
    assert.deepEqual(diffPlans(base, head).changed[0].changes, [{ path: "eventPattern.nameLists[3]", kind: "changed", before: "d", after: "e" }]);
  });

  it("compares secrets as [secret] only: a secret stays a secret, plain text becoming secret is a change", () => {
    const secretBoth = diffPlans(compliantGraph(), compliantGraph());
    assert.ok(isEmptyDiff(secretBoth));
    const plain = mutated((g) => ((byName(g, "contacts-alice").inputs as Record<string, any>).channelsDingWebHook = "https://x?access_token=1"));
    const d = diffPlans(plain, compliantGraph());
    assert.deepEqual(d.changed[0].changes, [{ path: "channelsDingWebHook", kind: "changed", before: "https://x?access_token=1", after: "[secret]" }]);
  });

  it("reports a move to another parent", () => {
    const head = mutated((g) => (byName(g, WARN).parent = "urn:pulumi:test::event-ops::eventops:index:ApplicationGroup::group-other"));
    assert.equal(diffPlans(compliantGraph(), head).changed[0].changes[0].path, "(parent)");
  });

  it("renders markdown with counts, sections and shortened, escaped values", () => {
    const head = mutated((g) => {
      const i = byName(g, WARN).inputs as Record<string, any>;
      i.silenceTime = 60;
      i.description = "a|b " + "x".repeat(200);
    });
    const md = renderDiffMarkdown(diffPlans(compliantGraph(), head));
    assert.match(md, /^### Plan diff for `test` against the base branch/);
    assert.match(md, /0 added, 0 removed, 1 changed\./);
    assert.match(md, /\| `silenceTime` \| `3600` \| `60` \|/);
    assert.match(md, /\| `description` \|  \| `"a\\\|b x+…\(206 chars\)` \|/);
  });

  it("keeps values short in cells", () => {
    assert.equal(showValue(undefined), "");
    assert.ok(showValue("y".repeat(500)).length < 100);
  });

  it("diffValues lists object keys in sorted order", () => {
    assert.deepEqual(diffValues({ b: 1, a: 1 }, { b: 2, a: 2 }, "").map((c) => c.path), ["a", "b"]);
  });
});
