// region-support: resource types whose API is served only in some regions are
// managed by a provider of one of those regions. The region is the provider's
// (explicit or default): every call of the resource goes to that region's endpoint.
import { Finding, PolicyRule } from "../model";
import { StackIndex, T, providerRegion } from "../stack";
import { UNKNOWN } from "../values";
import { Fact, SOURCE, broken, unverified } from "./provider-facts";

interface RegionBound {
  type: string;
  regions: readonly string[];
  source: string;
}

export const REGION_BOUND: readonly RegionBound[] = [
  { type: T.metaTag, regions: ["cn-hangzhou"], source: `${SOURCE.tfMetaTagDoc}; ${SOURCE.tfRegions}` },
  { type: T.tagPolicy, regions: ["cn-shanghai", "ap-southeast-1"], source: `${SOURCE.tagCreatePolicy}; ${SOURCE.tfRegions}` },
  { type: T.tagPolicyAttachment, regions: ["cn-shanghai", "ap-southeast-1"], source: `${SOURCE.tagCreatePolicy}; ${SOURCE.tfRegions}` },
];

export const regionSupport: PolicyRule = {
  id: "region-support",
  displayName: "Region-bound resources are managed in a region that serves them",
  severity: "high",
  enforcement: "mandatory",
  description:
    "Preset tags (tag.MetaTag) are served only in cn-hangzhou; tag policies and their attachments only in cn-shanghai " +
    "(China site) or ap-southeast-1 (international site). Each such resource's provider — explicit, or the default one " +
    "from `alicloud:region` — is set to one of them.",
  remediation:
    "Give these resources an explicit `alicloud.Provider` with the supported region (overridable in the stack config), " +
    "instead of the stack's default provider.",
  sources: [SOURCE.tfMetaTagDoc, SOURCE.tagCreatePolicy, SOURCE.tfRegions],
  check(resources) {
    const index = StackIndex.of(resources);
    const findings: Finding[] = [];
    for (const bound of REGION_BOUND) {
      const fact: Fact = { says: `${bound.type.split(":")[1]} is served only in ${bound.regions.join(" or ")}`, source: bound.source };
      for (const r of index.ofType(bound.type)) {
        const region = providerRegion(r);
        if (!r.provider) findings.push(unverified(r, "the region", fact, "no provider is known for it"));
        else if (region === UNKNOWN) findings.push(unverified(r, `the region (provider ${r.provider.name})`, fact));
        else if (region === undefined) {
          findings.push(unverified(r, "the region", fact, `provider ${r.provider.name} sets none (it then reads ALICLOUD_REGION or ALIBABA_CLOUD_REGION at deploy time)`));
        } else if (!bound.regions.includes(region)) findings.push(broken(r, `managed in ${region} by provider ${r.provider.name}`, fact));
      }
    }
    return findings;
  },
};
