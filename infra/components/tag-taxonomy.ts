// The account's tag taxonomy, declared so the cloud enforces it: preset tags for
// every allowed key/value, and a tag policy that allows only those. Account-wide
// (one per account: declare it in one stack only), and served in fixed regions,
// so each API gets its own explicit provider:
// - preset tags: "Meta Tag Only Support cn-hangzhou Region" (TF docs r/tag_meta_tag;
//   the resource sends RegionId = the provider's region, resource_alicloud_tag_meta_tag.go);
// - tag policies: cn-shanghai on the China site, ap-southeast-1 on the international
//   site (Tag CreatePolicy doc; TF connectivity/regions.go TagPolicySupportRegions).
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";

/** Allowed values by tag key. */
export type AllowedTags = Readonly<Record<string, { readonly values: readonly string[] }>>;

export interface TagTaxonomyArgs {
  /** Allowed values by tag key: one preset tag per key, and the only values the tag policy accepts. */
  readonly keys: AllowedTags;
  /** Tag policy name: 1–128 letters, digits and underscores (TF docs r/tag_policy; CreatePolicy doc). */
  readonly policyName: string;
  /** Tag policy description. */
  readonly policyDescription: string;
  /** Account the tag policy is attached to. */
  readonly accountId: pulumi.Input<string>;
  /** Region of the preset-tag API, e.g. `cn-hangzhou`. */
  readonly metaTagRegion: string;
  /** Region of the tag-policy API, e.g. `cn-shanghai` or `ap-southeast-1`. */
  readonly policyRegion: string;
  /** Credentials and other settings for the explicit providers (an explicit provider reads the environment, not the `alicloud:*` stack config). */
  readonly providerArgs?: Omit<alicloud.ProviderArgs, "region">;
}

/** Tag policy document: each declared key may carry only its declared values. */
export function tagPolicyContent(tags: { readonly keys: AllowedTags }): string {
  const policy: Record<string, unknown> = {};
  for (const [key, { values }] of Object.entries(tags.keys)) {
    policy[key] = {
      tag_key: { "@@assign": key },
      tag_value: { "@@assign": values },
      enforced_for: { "@@assign": ["ecs:instance"] },
    };
  }
  return JSON.stringify({ tags: policy });
}

export class TagTaxonomy extends pulumi.ComponentResource {
  /** ID of the tag policy. */
  readonly policyId: pulumi.Output<string>;

  constructor(name: string, args: TagTaxonomyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:TagTaxonomy", name, {}, opts);
    const metaTags = new alicloud.Provider(`${name}-meta-tags`, { ...args.providerArgs, region: args.metaTagRegion }, { parent: this });
    const policies = new alicloud.Provider(`${name}-policies`, { ...args.providerArgs, region: args.policyRegion }, { parent: this });
    for (const [key, { values }] of Object.entries(args.keys)) {
      // `values` is ForceNew and the delete removes every value in state: create-before-delete
      // would let the old resource's delete wipe the values the new one just wrote
      // (resource_alicloud_tag_meta_tag.go), so the old one goes first.
      new alicloud.tag.MetaTag(`${name}-${key}`, { key, values: [...values] }, { parent: this, provider: metaTags, deleteBeforeReplace: true });
    }
    const policy = new alicloud.tag.Policy(
      `${name}-policy`,
      {
        policyName: args.policyName,
        policyDesc: args.policyDescription,
        policyContent: tagPolicyContent(args),
        userType: "USER",
      },
      { parent: this, provider: policies },
    );
    new alicloud.tag.PolicyAttachment(
      `${name}-attachment`,
      { policyId: policy.id, targetId: args.accountId, targetType: "USER" },
      // Its ID is `<policyId>:<targetId>:<targetType>`: a new policy gets a new attachment, never a shared one.
      { parent: this, provider: policies },
    );
    this.policyId = policy.id;
    this.registerOutputs({ policyId: this.policyId });
  }
}
