// One CloudMonitor application group that follows a tag value, with one event
// rule per severity tier (and product) of the template, scoped to it.
//
// Mechanism: a CMS dynamic tag group (tag key + match expression). CloudMonitor
// itself adds and removes instances as their tags change: no code change, no
// redeploy. Limits: dynamic tag groups cover ECS, RDS and SLB only and take at
// most 3 match expressions (CreateDynamicTagGroup doc), and the provider does
// not export the group ID they create (resource_alicloud_cms_dynamic_tag_group.go:
// the ID is the dynamic tag rule's), so it is looked up by the rule ID.
//
// A fresh account or a new tag value has no group yet: CloudMonitor makes groups
// from the tagged resources it finds ("把符合的资源按相同的Key-Value，添加到相同的分组内",
// CreateDynamicTagGroup doc). Then the look-up finds none, and instead of
// aborting `up` the group is PENDING: its tier rules are declared DISABLED and
// unscoped (they fire for nobody), with a warning, and the next `up` after an
// instance carries the tag scopes and enables them in place (`group_id` and
// `status` are not ForceNew, resource_alicloud_cms_event_rule.go).
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { MatchFunction } from "../cms-terms";
import { RuleTargetLocation, declareEventRule } from "../alerting/event-rule";
import { TierRulesArgs, tierRules } from "../alerting/tier-template";

export interface ApplicationGroupArgs extends TierRulesArgs, RuleTargetLocation {
  /** How instances' tag values are matched against `tagValue`; default `equals`. */
  readonly match?: MatchFunction;
  /** CMS contact group names CloudMonitor tells about the group itself. */
  readonly contactGroups: readonly pulumi.Input<string>[];
}

/** What the look-up of the group's CloudMonitor group found. */
export interface GroupLookup {
  /** The group's ID; absent while no resource carries the tag. */
  readonly groupId?: string;
  /** `scoped`: one group, rules enabled and scoped to it; `pending`: no group yet, rules disabled. */
  readonly state: "scoped" | "pending";
  /** What to tell the operator (for `pending`, or when CloudMonitor made several groups). */
  readonly warning?: string;
}

/**
 * Pure decision over the groups `cms.getMonitorGroups` returned for the dynamic tag rule.
 * Several groups arise when a non-`equals` match covers several tag values (CloudMonitor makes
 * one group per value): the rules scope to the first by ID and the warning names the rest.
 */
export function decideGroup(what: string, groupIds: readonly string[]): GroupLookup {
  if (groupIds.length === 0) {
    return {
      state: "pending",
      warning:
        `application group ${what}: CloudMonitor has no group for it yet (no ECS, RDS or SLB resource carries the tag). ` +
        "Its tier rules are declared DISABLED and unscoped; tag a resource and run `pulumi up` again to scope and enable them.",
    };
  }
  const sorted = [...groupIds].sort();
  return {
    state: "scoped",
    groupId: sorted[0],
    ...(sorted.length > 1 ? { warning: `application group ${what}: CloudMonitor made ${sorted.length} groups (${sorted.join(", ")}); the tier rules are scoped to ${sorted[0]} only. Use match: equals for one group per tag value.` } : {}),
  };
}

export class ApplicationGroup extends pulumi.ComponentResource {
  /** ID of the CloudMonitor group the dynamic tag rule created; undefined while the group is pending. */
  readonly groupId: pulumi.Output<string | undefined>;
  /** `scoped` or `pending` (no member yet: rules disabled until the next `up`). */
  readonly state: pulumi.Output<GroupLookup["state"]>;
  /** Rule names are deterministic (from `ruleNamePrefix`): plain strings, no Output to resolve. */
  readonly ruleNames: string[];

  constructor(name: string, args: ApplicationGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:ApplicationGroup", name, {}, opts);
    const rules = tierRules(args);
    const dynamic = new alicloud.cms.DynamicTagGroup(
      `${name}-tags`,
      {
        tagKey: args.tagKey,
        matchExpressFilterRelation: "and",
        matchExpresses: [{ tagValue: args.tagValue, tagValueMatchFunction: args.match ?? "equals" }],
        contactGroupLists: [...args.contactGroups],
      },
      { parent: this },
    );
    const lookup = alicloud.cms.getMonitorGroupsOutput({ dynamicTagRuleId: dynamic.id }, { parent: this }).apply((found) => {
      const decided = decideGroup(`${args.groupName} (${args.tagKey}=${args.tagValue})`, found.groups.map((g) => g.groupId));
      if (decided.warning) void pulumi.log.warn(decided.warning, this);
      return decided;
    });
    this.groupId = lookup.apply((l) => l.groupId);
    this.state = lookup.apply((l) => l.state);
    const status = this.state.apply((s) => (s === "pending" ? ("DISABLED" as const) : ("ENABLED" as const)));
    for (const rule of rules) declareEventRule(rule, args, { groupId: this.groupId, status }, { parent: this });
    this.ruleNames = rules.map((rule) => rule.ruleName);
    this.registerOutputs({ groupId: this.groupId, state: this.state, ruleNames: this.ruleNames });
  }
}
