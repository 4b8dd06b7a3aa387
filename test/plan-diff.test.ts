// The plan diff: added / removed / changed resources by URN, property changes
// at deep paths, secrets compared only as "[secret]", stable markdown.
import { strict as assert } from "node:assert";
import { diffPlans, diffValues, isEmptyDiff, renderDiffMarkdown, showValue, StackMismatchError } from "../tools/plan/diff";
import { FORCE_NEW, forceNewField } from "../tools/plan/force-new";
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

  it("says update or replace from the provider's ForceNew fields", () => {
    const head = mutated((g) => {
      (byName(g, WARN).inputs as Record<string, any>).silenceTime = 60;
      (byName(g, "group-checkout-tags").inputs as Record<string, any>).matchExpresses[0].tagValue = "shop";
      (byName(g, "contacts-alice").inputs as Record<string, any>).alarmContactName = "eo-test-alice2";
    });
    const d = diffPlans(compliantGraph(), head);
    const action = (name: string) => d.changed.find((r) => r.name === name)!;
    assert.equal(action(WARN).action, "update");
    assert.deepEqual(action(WARN).forceNew, []);
    assert.equal(action("group-checkout-tags").action, "replace");
    assert.deepEqual(action("group-checkout-tags").forceNew.map((f) => f.input), ["matchExpresses"], "a field inside a ForceNew block replaces too");
    assert.equal(action("contacts-alice").action, "replace");
    const md = renderDiffMarkdown(d);
    assert.match(md, /3 changed \(2 replaced\)/);
    assert.match(md, /`contacts-alice` \(AlarmContact\): \*\*replace\*\* \(ForceNew: `alarmContactName`\)/);
    assert.ok(md.indexOf("**replace**") < md.indexOf(": update"), "replacements come first");
  });

  it("looks up ForceNew by the input path, without list indices, and not inside a JSON string", () => {
    assert.equal(forceNewField("alicloud:cms/dynamicTagGroup:DynamicTagGroup", "matchExpresses[2].tagValueMatchFunction")?.input, "matchExpresses");
    assert.equal(forceNewField("alicloud:log/store:Store", "encryptConf.encryptType")?.input, "encryptConf.encryptType");
    assert.equal(forceNewField("alicloud:log/store:Store", "encryptConf.enable"), undefined);
    assert.equal(forceNewField("alicloud:cms/eventRule:EventRule", "ruleNameSuffix"), undefined, "a prefix of a name is not the name");
    assert.equal(forceNewField("alicloud:oos/execution:Execution", "parameters#regionId")?.input, "parameters");
    for (const [type, entry] of Object.entries(FORCE_NEW)) {
      assert.match(entry.file, /^resource_alicloud_[a-z0-9_]+\.go$/, type);
      for (const f of entry.fields) assert.match(f.source, /^[a-z_.]+ :\d+/, `${type} ${f.input}: cites the provider line`);
    }
  });

  it("calls a change of a cloud type missing from the ForceNew table an update, and says it is not known", () => {
    const head = mutated((g) => g.resources.forEach((r) => r.name === WARN && (r.type = "alicloud:cms/newThing:NewThing")));
    const base = mutated((g) => g.resources.forEach((r) => r.name === WARN && (r.type = "alicloud:cms/newThing:NewThing")));
    (byName(head, WARN).inputs as Record<string, any>).silenceTime = 1;
    const [r] = diffPlans(base, head).changed;
    assert.equal(r.action, "update");
    assert.equal(r.unknownSchema, true);
    assert.match(renderDiffMarkdown(diffPlans(base, head)), /update \(type not in the ForceNew table\)/);
  });

  it("compares JSON held in a string inside it: a policy document or GROUP_POLICIES shows the key that changed", () => {
    const doc = (groups: object) => JSON.stringify({ tagKey: "app", groups });
    const base = mutated((g) => ((byName(g, "handler-spot-drain-function").inputs as Record<string, any>).environmentVariables = { GROUP_POLICIES: doc({ a: { policy: "notify" } }) }));
    const head = mutated((g) => ((byName(g, "handler-spot-drain-function").inputs as Record<string, any>).environmentVariables = { GROUP_POLICIES: doc({ a: { policy: "proactive" }, b: {} }) }));
    assert.deepEqual(diffPlans(base, head).changed[0].changes, [
      { path: "environmentVariables.GROUP_POLICIES#groups.a.policy", kind: "changed", before: "notify", after: "proactive" },
      { path: "environmentVariables.GROUP_POLICIES#groups.b", kind: "added", after: {} },
    ]);
  });

  it("shows resources of one type with the same change as one block", () => {
    const b = new GraphBuilder();
    const more = mutated((g) => {
      b.applicationGroup("alpha", { WARN: {} });
      g.resources.push(...b.graph.resources);
    });
    const head = mutated((g) => {
      g.resources.push(...b.graph.resources.map((r) => JSON.parse(JSON.stringify(r))));
      for (const r of g.resources) if (/-warn$/.test(r.name)) (r.inputs as Record<string, any>).silenceTime = 60;
    });
    const md = renderDiffMarkdown(diffPlans(more, head));
    assert.match(md, /update, the same change in 2 resources: `eo-test-alpha-warn` \(EventRule\), `eo-test-checkout-warn` \(EventRule\)/);
    assert.equal(md.match(/\| `silenceTime` \|/g)?.length, 1);
  });

  it("bounds the markdown and says which changed resources it left out and where they are", () => {
    const base = compliantGraph();
    const head = mutated((g) => g.resources.forEach((r, i) => ((r.inputs as Record<string, any>).description = `changed ${i}`)));
    const full = renderDiffMarkdown(diffPlans(base, head));
    const cut = renderDiffMarkdown(diffPlans(base, head), { maxChars: 2000, where: "the job artifact" });
    assert.ok(cut.length <= 2000, `${cut.length} characters`);
    const left = Number(/_(\d+) more changed resource\(s\) are not shown here/.exec(cut)?.[1]);
    assert.ok(left > 0 && cut.includes("The full diff is in the job artifact"), cut);
    const shown = (cut.match(/\| `description` \|/g) ?? []).length;
    assert.equal(shown + left, diffPlans(base, head).changed.length, "every changed resource is shown or counted");
    assert.ok(full.length > cut.length);
  });

  it("refuses to diff against a plan of another stack", () => {
    const other = { ...compliantGraph(), stack: "dev" };
    assert.throws(() => diffPlans(other, compliantGraph()), (e: unknown) => e instanceof StackMismatchError && /stack 'dev'.*stack 'test'/.test((e as Error).message));
  });

  it("never shows an email address or a phone number", () => {
    const head = mutated((g) => Object.assign(byName(g, "contacts-alice").inputs, { channelsMail: "alice.new@example.com", channelsSms: "+86 138 0000 0009" }));
    const md = renderDiffMarkdown(diffPlans(compliantGraph(), head));
    assert.match(md, /`channelsMail` \| `"\[email\]"` \| `"\[email\]"` \|/);
    assert.doesNotMatch(md, /@|138/);
  });
});
