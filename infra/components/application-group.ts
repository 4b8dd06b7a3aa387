// One CloudMonitor application group that follows a tag value, with one event
// rule per severity tier scoped to it.
//
// Mechanism: a CMS dynamic tag group (tag key + match expression). CloudMonitor
// itself adds and removes instances as their tags change: no code change, no
// redeploy. Limits: dynamic tag groups cover ECS, RDS and SLB only, take at most
// 3 match expressions, and the provider does not export the group ID they
// create, so it is looked up by the dynamic tag rule ID.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { Group } from "../config/schema";
import { declareEventRule, RuleContext } from "../alerting/event-rule";
import { RuleSpec } from "../alerting/tier-rules";

export interface ApplicationGroupArgs {
  readonly group: Group & { tagValue: string };
  /** The tag key whose value defines membership. */
  readonly tagKey: string;
  /** Cloud names of the contact groups told about the group itself (CRITICAL tier). */
  readonly contactGroupNames: pulumi.Input<string>[];
  /** This group's tier rules, from the alert template. */
  readonly rules: RuleSpec[];
  readonly ruleContext: RuleContext;
}

export class ApplicationGroup extends pulumi.ComponentResource {
  readonly groupId: pulumi.Output<string>;
  /** Rule names are deterministic (infra/naming.ts): plain strings, no Output to resolve. */
  readonly ruleNames: string[];

  constructor(name: string, args: ApplicationGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:ApplicationGroup", name, {}, opts);
    const dynamic = new alicloud.cms.DynamicTagGroup(
      `${name}-tags`,
      {
        tagKey: args.tagKey,
        matchExpressFilterRelation: "and",
        matchExpresses: [{ tagValue: args.group.tagValue, tagValueMatchFunction: args.group.match }],
        contactGroupLists: args.contactGroupNames,
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
            `application group ${args.group.name}: expected one CloudMonitor group for dynamic tag rule ${found.dynamicTagRuleId} ` +
              `(${args.tagKey}=${args.group.tagValue}), found ${found.groups.length}. If no instance carries that tag yet, tag one and run again.`,
          );
        }
        return found.groups[0].groupId;
      });
    for (const spec of args.rules) declareEventRule(spec, args.ruleContext, this.groupId, { parent: this });
    this.ruleNames = args.rules.map((spec) => spec.ruleName);
    this.registerOutputs({ groupId: this.groupId, ruleNames: this.ruleNames });
  }
}
