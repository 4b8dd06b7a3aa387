// When some items of a list fail their schema, the problems found in the
// other items still name the index those items have in the stack file.
import { strict as assert } from "node:assert";
import { validateConfig, type RawConfig } from "../../infra/config/validate";
import { shippedRaw } from "./raw";

const paths = (raw: RawConfig) => {
  const r = validateConfig(raw);
  assert.equal(r.ok, false);
  return !r.ok ? r.issues.map((i) => i.path) : [];
};

describe("config list indices when items fail", () => {
  const cases: [string, (v: Record<string, any>) => number, (n: number) => string][] = [
    [
      "contacts: a plaintext webhook after a contact with no channel",
      (v) => v.contacts.push({ name: "no-channel" }, { name: "late", dingtalkWebhook: "https://oapi.dingtalk.com/robot/send?access_token=x" }),
      (n) => `event-ops:contacts[${n - 1}].dingtalkWebhook`,
    ],
    [
      "groups: a tag value outside the taxonomy after a group with a bad spot path",
      (v) => v.groups.push({ name: "broken", spotPath: "lambda" }, { name: "mobile" }),
      (n) => `event-ops:groups[${n - 1}].name`,
    ],
    [
      "contactGroups: an unknown member after a group with no members",
      (v) => v.contactGroups.push({ name: "empty", role: "sre", members: [] }, { name: "ghosts", role: "sre", members: ["nobody"] }),
      (n) => `event-ops:contactGroups[${n - 1}].members[0]`,
    ],
    [
      "webhooks: a plaintext URL after a webhook with a bad method",
      (v) => v.webhooks.push({ name: "bad-method", url: "https://x.example.com", method: "PUT" }, { name: "late", url: "https://y.example.com" }),
      (n) => `event-ops:webhooks[${n - 1}].url`,
    ],
  ];
  for (const [title, edit, expected] of cases) {
    it(title, () => {
      const raw = shippedRaw("prod");
      raw.values.groups ??= [];
      raw.values.webhooks ??= [];
      const n = edit(raw.values as Record<string, any>);
      const found = paths(raw);
      assert.ok(found.includes(expected(n)), `expected ${expected(n)} among ${found.join(", ")}`);
      assert.ok(!found.includes(expected(n - 1)), `${expected(n - 1)} would be the index among the valid items only`);
    });
  }
});
