// One CloudMonitor application group that follows a tag value, with one event
// rule per severity tier of the template, scoped to it.
//
// Mechanism: a CMS dynamic tag group (tag key + match expression). CloudMonitor
// itself adds and removes instances as their tags change: no code change, no
// redeploy. Limits: dynamic tag groups cover ECS, RDS and SLB only, take at most
// 3 match expressions, and the provider does not export the group ID they
// create, so it is looked up by the dynamic tag rule ID.
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

export class ApplicationGroup extends pulumi.ComponentResource {
  /** ID of the CloudMonitor group the dynamic tag rule created; the tier rules are scoped to it. */
  readonly groupId: pulumi.Output<string>;
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
    this.groupId = alicloud.cms
      .getMonitorGroupsOutput({ dynamicTagRuleId: dynamic.id }, { parent: this })
      .apply((found) => {
        if (found.groups.length !== 1) {
          // Whether CloudMonitor creates the group before any instance carries the tag is
          // not documented: say what to check instead of declaring rules scoped to nothing.
          throw new Error(
            `application group ${args.groupName}: expected one CloudMonitor group for dynamic tag rule ${found.dynamicTagRuleId} ` +
              `(${args.tagKey}=${args.tagValue}), found ${found.groups.length}. If no instance carries that tag yet, tag one and run again.`,
          );
        }
        return found.groups[0].groupId;
      });
    for (const rule of rules) declareEventRule(rule, args, this.groupId, { parent: this });
    this.ruleNames = rules.map((rule) => rule.ruleName);
    this.registerOutputs({ groupId: this.groupId, ruleNames: this.ruleNames });
  }
}
