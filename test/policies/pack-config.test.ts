// The pack config CI passes to `pulumi preview` comes from the stack's own config.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { packConfigFromStackYaml } from "../../policies/pack-config";

describe("policy pack config from stack config", () => {
  it("takes required-tags keys from event-ops:tags.required", () => {
    const yaml = "config:\n  event-ops:tags:\n    groupBy: app\n    required: [env, team]\n";
    assert.deepEqual(packConfigFromStackYaml(yaml), { "required-tags": { requiredKeys: ["env", "team"] } });
  });

  it("gives an empty key list when the stack requires none", () => {
    assert.deepEqual(packConfigFromStackYaml("config:\n  alicloud:region: cn-shanghai\n"), { "required-tags": { requiredKeys: [] } });
  });

  for (const stack of ["dev", "prod"]) {
    it(`reads the shipped ${stack} stack`, () => {
      const file = path.resolve(__dirname, `../../Pulumi.${stack}.yaml`);
      const keys = (packConfigFromStackYaml(fs.readFileSync(file, "utf8"))["required-tags"] as { requiredKeys: string[] }).requiredKeys;
      assert.ok(keys.includes("env"), `${stack} requires env: ${keys.join(",")}`);
    });
  }
});
