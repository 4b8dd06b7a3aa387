// One CMS system-event rule in cloud terms (what it matches, whom it tells),
// and its declaration as a resource.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";

/** Which system events a rule matches (the EventPattern of CMS PutEventRule). */
export interface EventPattern {
  /** Cloud product, e.g. `ECS`. */
  readonly product: string;
  /** CMS event types (`Maintenance`, `Exception`, `StatusNotification`), or `*`. */
  readonly eventTypeLists: readonly string[];
  /** Event levels (`CRITICAL`, `WARN`, `INFO`), or `*`. */
  readonly levelLists: readonly string[];
  /** Full event names, e.g. `Instance:SystemMaintenance.Reboot:Executed`. */
  readonly nameLists: readonly string[];
  /** Optional CMS SQL filter over the event (Log Service query syntax). */
  readonly sqlFilter?: string;
}

/** A contact group a rule tells, and by which channels. */
export interface ContactTarget {
  /** CMS alarm contact group name. */
  readonly contactGroupName: pulumi.Input<string>;
  /** CMS notification level: "2" phone+SMS+email+DingTalk, "3" SMS+email+DingTalk, "4" email+DingTalk. */
  readonly level: string;
}

export interface EventRuleArgs {
  /** CMS rule name, unique in the account; also the rule resource's Pulumi name. */
  readonly ruleName: string;
  /** Shown with the rule in the CloudMonitor console. */
  readonly description: string;
  /** The events the rule matches. */
  readonly eventPattern: EventPattern;
  /** Seconds during which a repeat of the same alert is not sent again. */
  readonly silenceTime: number;
  /** Contact groups told. */
  readonly contacts: readonly ContactTarget[];
  /** MNS queue names the events are sent to. */
  readonly queues: readonly pulumi.Input<string>[];
  /** Function Compute 3.0 function names the events invoke. */
  readonly functions: readonly pulumi.Input<string>[];
  /** Webhook URLs the events are POSTed to; always declared as secrets (they carry tokens). */
  readonly webhookUrls: readonly pulumi.Input<string>[];
  /** Receivers the targets above name by plain string: the rule waits for them (an Output name carries its own dependency). */
  readonly dependsOn?: readonly pulumi.Resource[];
}

/** Where a rule's targets live. */
export interface RuleTargetLocation {
  /** Region of the target queues and functions, e.g. `cn-hangzhou`. */
  readonly region: string;
  /** Account that owns the target functions (part of their ARNs). */
  readonly accountId: pulumi.Input<string>;
}

/** CMS identifies targets of one kind on a rule by a small numeric id. */
const ids = <T>(list: readonly T[]) => list.map((item, i) => ({ item, id: String(i + 1) }));

export function declareEventRule(
  rule: EventRuleArgs,
  at: RuleTargetLocation,
  groupId: pulumi.Input<string> | undefined,
  opts: pulumi.CustomResourceOptions,
): alicloud.cms.EventRule {
  const pattern = rule.eventPattern;
  return new alicloud.cms.EventRule(
    rule.ruleName,
    {
      ruleName: rule.ruleName,
      description: rule.description,
      groupId,
      status: "ENABLED",
      silenceTime: rule.silenceTime,
      eventPattern: {
        product: pattern.product,
        eventTypeLists: [...pattern.eventTypeLists],
        levelLists: [...pattern.levelLists],
        nameLists: [...pattern.nameLists],
        ...(pattern.sqlFilter ? { sqlFilter: pattern.sqlFilter } : {}),
      },
      contactParameters: ids(rule.contacts).map(({ item, id }) => ({ contactParametersId: id, ...item })),
      mnsParameters: ids(rule.queues).map(({ item, id }) => ({ mnsParametersId: id, queue: item, region: at.region })),
      // FC 3.0 functions are addressed by ARN (provider >= 1.211.1); whether CMS
      // accepts an FC 3.0 ARN without a service name is unconfirmed upstream.
      fcParameters: ids(rule.functions).map(({ item, id }) => ({
        fcParametersId: id,
        functionName: item,
        region: at.region,
        arn: pulumi.interpolate`acs:fc:${at.region}:${at.accountId}:functions/${item}`,
      })),
      webhookParameters: ids(rule.webhookUrls).map(({ item, id }) => ({
        webhookParametersId: id,
        protocol: "http",
        method: "POST",
        url: pulumi.secret(item),
      })),
    },
    { ...opts, dependsOn: [...(rule.dependsOn ?? [])] },
  );
}
