// Where things land: the plan records each resource's provider (the reference
// Pulumi passes in the registration; the package's default provider when the
// program names none) and the provider resources with their region, and the
// summaries count resources per region.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import YAML from "yaml";
import { providerOf } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { resourcesPerRegion } from "../../tools/plan/regions";
import { compliantGraph, mutated } from "../policies/builders";
import { ROOT, runPlan } from "./helpers";

for (const stack of ["dev", "prod"]) {
  describe(`offline plan of '${stack}': providers and regions`, () => {
    const region = YAML.parse(fs.readFileSync(`${ROOT}/Pulumi.${stack}.yaml`, "utf8")).config["alicloud:region"];
    const run = () => runPlan(stack);

    it("records the default providers the engine would create, with the stack's alicloud:region", () => {
      const providers = run().graph!.providers!;
      const alicloud = providers.find((p) => p.default && p.type === "pulumi:providers:alicloud")!;
      const version = require("@pulumi/alicloud/package.json").version as string;
      assert.equal(alicloud.name, `default_${version.replace(/\./g, "_")}`);
      assert.equal(alicloud.urn, `urn:pulumi:${stack}::event-ops::pulumi:providers:alicloud::${alicloud.name}`);
      assert.equal(alicloud.region, region);
      assert.equal(alicloud.inputs.region, region);
      for (const p of providers) assert.match(p.type, /^pulumi:providers:/);
    });

    it("gives every cloud resource a provider reference that names a recorded provider, and components none", () => {
      const graph = run().graph!;
      for (const r of graph.resources) {
        if (!r.custom) {
          assert.equal(r.provider, undefined, `${r.name}: a component has no provider`);
          continue;
        }
        const p = providerOf(graph, r);
        assert.ok(p, `${r.name}: provider ${r.provider} is not recorded`);
        assert.equal(p.type, `pulumi:providers:${r.type.split(":")[0]}`, `${r.name}: its package's provider`);
        assert.equal(r.provider, `${p.urn}::${p.id}`);
      }
      // Every explicit provider the program declares is recorded, with the region it was given.
      for (const p of graph.providers!.filter((x) => !x.default && x.type === "pulumi:providers:alicloud")) {
        assert.equal(p.region, typeof p.inputs.region === "string" ? p.inputs.region : null, p.name);
      }
    });

    it("counts resources per region in the text and markdown summaries", () => {
      const r = run();
      const rows = resourcesPerRegion(r.graph!);
      assert.equal(rows.reduce((n, x) => n + x.resources, 0), r.graph!.resources.filter((x) => x.custom).length);
      assert.ok(rows.some((x) => x.region === region && x.providers.some((p) => p.endsWith("(default)"))));
      assert.match(r.stdout, /Resources per region \(each resource's provider\):/);
      assert.match(r.markdown ?? "", /### Resources per region\n\n\| region \| resources \| providers \|/);
      for (const row of rows) {
        assert.match(r.stdout, new RegExp(`\\n  ${row.region.replace(/[()]/g, "\\$&")} +${row.resources}  `), `text row ${row.region}`);
        assert.ok((r.markdown ?? "").includes(`| ${row.region} | ${row.resources} |`), `markdown row ${row.region}`);
      }
    });
  });
}

describe("resources per region", () => {
  it("counts each cloud resource under its provider's region, regions first", () => {
    assert.deepEqual(resourcesPerRegion(compliantGraph()), [
      { region: "cn-hangzhou", resources: 1, providers: ["tags-meta"] },
      { region: "cn-shanghai", resources: compliantGraph().resources.filter((r) => r.custom && r.type !== T.metaTag && r.type !== T.randomId).length, providers: ["default_3_108_0 (default)", "tags-policy"] },
      { region: "(no region: random)", resources: 1, providers: ["default_4_21_2 (default)"] },
    ]);
  });

  it("says so when a provider sets no region, or a plan recorded none", () => {
    const unset = mutated((g) => {
      const meta = g.providers!.find((p) => p.name === "tags-meta")!;
      delete meta.inputs.region;
      meta.region = null;
    });
    assert.ok(resourcesPerRegion(unset).some((r) => r.region === "(unset: from ALICLOUD_REGION at deploy time)" && r.providers.includes("tags-meta")));
    const old = mutated((g) => delete g.providers);
    assert.deepEqual(resourcesPerRegion(old).map((r) => r.region), ["(no provider recorded)"]);
  });

  it("an explicit provider moves a resource to its region", () => {
    const g = mutated((x) => {
      const meta = x.providers!.find((p) => p.name === "tags-meta")!;
      for (const r of x.resources.filter((r) => r.type === T.tagPolicy)) r.provider = `${meta.urn}::${meta.id}`;
    });
    assert.equal(resourcesPerRegion(g).find((r) => r.region === "cn-hangzhou")!.resources, 2);
  });
});
