// The tag taxonomy, declared so the cloud enforces it: preset tags for every
// allowed key/value, and a tag policy that allows only those.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";

/** Allowed values by tag key. */
export type AllowedTags = Readonly<Record<string, { readonly values: readonly string[] }>>;

export interface TagTaxonomyArgs {
  /** Allowed values by tag key: one preset tag per key, and the only values the tag policy accepts. */
  readonly keys: AllowedTags;
  /** Tag policy name. */
  readonly policyName: string;
  /** Tag policy description. */
  readonly policyDescription: string;
  /** Account the tag policy is attached to. */
  readonly accountId: pulumi.Input<string>;
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
    for (const [key, { values }] of Object.entries(args.keys)) {
      new alicloud.tag.MetaTag(`${name}-${key}`, { key, values: [...values] }, { parent: this });
    }
    const policy = new alicloud.tag.Policy(
      `${name}-policy`,
      {
        policyName: args.policyName,
        policyDesc: args.policyDescription,
        policyContent: tagPolicyContent(args),
        userType: "USER",
      },
      { parent: this },
    );
    new alicloud.tag.PolicyAttachment(
      `${name}-attachment`,
      { policyId: policy.id, targetId: args.accountId, targetType: "USER" },
      { parent: this },
    );
    this.policyId = policy.id;
    this.registerOutputs({ policyId: this.policyId });
  }
}
