// Turns a RuleSpec into a CMS event rule resource.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { RuleSpec } from "./tier-rules";

export interface RuleContext {
  region: string;
  accountId: pulumi.Input<string>;
  /** Secret URLs of configured webhooks, by name. */
  webhookUrls: Record<string, pulumi.Input<string>>;
  /** Declared receivers (contact groups, queues, functions) by cloud name: a rule depends on the ones it names. */
  receivers: ReadonlyMap<string, pulumi.Resource>;
}

/** CMS identifies targets of one kind on a rule by a small numeric id. */
const ids = <T>(list: T[]) => list.map((item, i) => ({ item, id: String(i + 1) }));

export function declareEventRule(
  spec: RuleSpec,
  ctx: RuleContext,
  groupId: pulumi.Input<string> | undefined,
  opts: pulumi.CustomResourceOptions,
): alicloud.cms.EventRule {
  return new alicloud.cms.EventRule(
    spec.ruleName,
    {
      ruleName: spec.ruleName,
      description: spec.description,
      groupId,
      status: "ENABLED",
      silenceTime: spec.silenceTime,
      eventPattern: spec.eventPattern,
      contactParameters: ids(spec.contacts).map(({ item, id }) => ({ contactParametersId: id, ...item })),
      mnsParameters: ids(spec.queues).map(({ item, id }) => ({ mnsParametersId: id, queue: item, region: ctx.region })),
      // FC 3.0 functions are addressed by ARN (provider >= 1.211.1); whether CMS
      // accepts an FC 3.0 ARN without a service name is unconfirmed upstream.
      fcParameters: ids(spec.functions).map(({ item, id }) => ({
        fcParametersId: id,
        functionName: item,
        region: ctx.region,
        arn: pulumi.interpolate`acs:fc:${ctx.region}:${ctx.accountId}:functions/${item}`,
      })),
      webhookParameters: ids(spec.webhooks).map(({ item, id }) => ({
        webhookParametersId: id,
        protocol: "http",
        method: "POST",
        url: pulumi.secret(ctx.webhookUrls[item]),
      })),
    },
    { ...opts, dependsOn: [...spec.contacts.map((c) => c.contactGroupName), ...spec.queues, ...spec.functions].flatMap((n) => ctx.receivers.get(n) ?? []) },
  );
}
