// A key under a namespace nothing reads is an error naming the nearest valid
// namespace: a misspelt `eventops:automation` would otherwise deploy no
// handler and still pass every check.
import { strict as assert } from "node:assert";
import { editDistance, closest } from "../../infra/config/closest";
import { validateConfig } from "../../infra/config/validate";
import { shippedRaw } from "./raw";

describe("config namespaces", () => {
  it("the shipped stacks validate as they are", () => {
    for (const stack of ["dev", "prod"]) {
      const r = validateConfig(shippedRaw(stack));
      assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    }
  });

  const misspelt: [string, string][] = [
    ["eventops:automation", "did you mean event-ops:automation?"],
    ["event_ops:tiers", "did you mean event-ops:tiers?"],
    ["alicoud:region", "did you mean alicloud:region?"],
    ["aws:region", "did you mean alicloud:region?"],
    ["ops:groups", "did you mean event-ops:groups?"],
    ["pulumii:disable-default-providers", "did you mean pulumi:disable-default-providers?"],
  ];
  for (const [key, hint] of misspelt) {
    it(`${key}: an error at that key naming it and the nearest namespace`, () => {
      const raw = shippedRaw("prod");
      raw.otherKeys = [...(raw.otherKeys ?? []), key];
      const r = validateConfig(raw);
      assert.equal(r.ok, false);
      const issues = !r.ok ? r.issues.filter((i) => i.path === key) : [];
      assert.equal(issues.length, 1, JSON.stringify(!r.ok && r.issues));
      assert.match(issues[0].message, new RegExp(`unknown config namespace '${key.split(":")[0]}'`));
      assert.ok(issues[0].message.endsWith(hint), issues[0].message);
    });
  }

  it("the provider's and the engine's namespaces are fine", () => {
    const raw = shippedRaw("prod");
    raw.otherKeys = [...(raw.otherKeys ?? []), "alicloud:profile", "alicloud:skipRegionValidation", "pulumi:disable-default-providers"];
    assert.ok(validateConfig(raw).ok);
  });

  it("moving a whole key to a misspelt namespace is refused, not silently dropped", () => {
    const raw = shippedRaw("prod");
    delete raw.values.automation;
    raw.otherKeys = [...(raw.otherKeys ?? []), "eventops:automation"];
    const r = validateConfig(raw);
    assert.equal(r.ok, false, "a stack without its automation would pass");
  });

  it("an unknown key of the project's namespace names the nearest key", () => {
    const raw = shippedRaw("prod");
    raw.values.contactgroup = raw.values.contactGroups;
    const r = validateConfig(raw);
    const issue = !r.ok ? r.issues.find((i) => i.path === "event-ops:contactgroup") : undefined;
    assert.ok(issue, JSON.stringify(!r.ok && r.issues));
    assert.match(issue.message, /^unknown key \(did you mean event-ops:contactGroups\?\); allowed keys: /);
  });

  it("edit distance and nearest name", () => {
    const table: [string, string, number][] = [["", "abc", 3], ["kitten", "sitting", 3], ["eventops", "event-ops", 1], ["same", "same", 0], ["ab", "ba", 2]];
    for (const [a, b, d] of table) {
      assert.equal(editDistance(a, b), d, `${a} → ${b}`);
      assert.equal(editDistance(b, a), d, `${b} → ${a}`);
    }
    assert.equal(closest("stak", ["stack", "json", "check"]), "stack");
    assert.equal(closest("STACK", ["stack", "json"]), "stack", "case-insensitive");
    assert.equal(closest("zzzzzz", ["stack", "json"], 3), undefined, "none within the bound");
  });
});
