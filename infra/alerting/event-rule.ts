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
  /** Full event names, e.g. `Instance:SystemMaintenance.Reboot:Executed`, at most 50; empty = no name filter. */
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
}

/** Where a rule is scoped and whether it is on: the application group's state (components/application-group.ts). */
export interface RuleScope {
  /** CMS application group ID; absent = account-wide. */
  readonly groupId?: pulumi.Input<string | undefined>;
  /** `ENABLED` (default) or `DISABLED`. */
  readonly status?: pulumi.Input<"ENABLED" | "DISABLED">;
}

/** CMS identifies targets of one kind on a rule by a small numeric id. */
const ids = <T>(list: readonly T[]) => list.map((item, i) => ({ item, id: String(i + 1) }));

export function declareEventRule(rule: EventRuleArgs, at: RuleTargetLocation, scope: RuleScope, opts: pulumi.CustomResourceOptions): alicloud.cms.EventRule {
  const pattern = rule.eventPattern;
  return new alicloud.cms.EventRule(
    rule.ruleName,
    {
      ruleName: rule.ruleName,
      description: rule.description,
      groupId: scope.groupId as pulumi.Input<string> | undefined,
      status: scope.status ?? "ENABLED",
      silenceTime: rule.silenceTime,
      eventPattern: {
        product: pattern.product,
        eventTypeLists: [...pattern.eventTypeLists],
        levelLists: [...pattern.levelLists],
        ...(pattern.nameLists.length > 0 ? { nameLists: [...pattern.nameLists] } : {}),
        ...(pattern.sqlFilter ? { sqlFilter: pattern.sqlFilter } : {}),
      },
      contactParameters: ids(rule.contacts).map(({ item, id }) => ({ contactParametersId: id, ...item })),
      mnsParameters: ids(rule.queues).map(({ item, id }) => ({ mnsParametersId: id, queue: item, region: at.region })),
      // `arn` is computed-only (resource_alicloud_cms_event_rule.go fc_parameters: Computed, not
      // Optional): setting it fails the preview. The provider sends Id, ServiceName, FunctionName
      // and Region. Whether CMS reaches an FC 3.0 function this way is unconfirmed (issue 14
      // moves automation to CMS → MNS queue → FC trigger).
      fcParameters: ids(rule.functions).map(({ item, id }) => ({ fcParametersId: id, functionName: item, region: at.region })),
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
