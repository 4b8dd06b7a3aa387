// The stack's alerting in cloud terms: its configured tiers become the tier
// template (cloud names, webhook URLs, the receivers rules wait for), its groups
// the template's per-group args, its handlers routes. Pure: config in, args out.
import * as pulumi from "@pulumi/pulumi";
import { LEVELS, Level } from "../../handlers/catalogue";
import { StackConfig } from "../config/schema";
import { automationQueueKey, automationRuleName, contactGroupName, queueName, stackNaming, stem } from "../naming";
import { HandlerRouteArgs } from "./handler-rule";
import { Tier, TierRulesArgs, TierTemplate } from "./tier-template";

/** Declared receivers (contact groups, queues, functions) by cloud name: a rule waits for the ones it names. */
export type Receivers = ReadonlyMap<string, pulumi.Resource>;

const waitFor = (receivers: Receivers, names: string[]) => names.flatMap((n) => receivers.get(n) ?? []);

export function tierTemplate(config: StackConfig, receivers: Receivers = new Map()): TierTemplate {
  const naming = stackNaming(config);
  const urls = new Map(config.webhooks.map((w) => [w.name, w.url]));
  const tier = (level: Level): Tier => {
    const t = config.tiers[level];
    const contactGroups = t.contactGroups.map((g) => contactGroupName(naming, g));
    // A tier's handler targets are the handlers' own queues: every handler is reached through its
    // queue trigger, never by CloudMonitor's FC target (real-cloud-findings S10, issue 14).
    const queues = [...t.targets.queues.map((q) => queueName(naming, q)), ...t.targets.functions.map((f) => queueName(naming, automationQueueKey(f)))];
    return {
      contactGroups,
      channels: t.channels,
      silenceSeconds: t.silenceSeconds,
      queues,
      functions: [],
      // validate.ts checks every tier webhook is configured.
      webhookUrls: t.targets.webhooks.map((w) => urls.get(w)!),
      dependsOn: waitFor(receivers, [...contactGroups, ...queues]),
    };
  };
  return Object.fromEntries(LEVELS.map((level) => [level, tier(level)])) as Record<Level, Tier>;
}

/** The tier-rule part of one group's ApplicationGroup args. */
export function groupTierArgs(config: StackConfig, group: StackConfig["groups"][number], tiers: TierTemplate): TierRulesArgs {
  return {
    groupName: group.name,
    tagKey: config.tags.groupBy,
    tagValue: group.tagValue,
    ruleNamePrefix: stem(stackNaming(config), group.name),
    tiers,
    events: config.events,
  };
}

/** One account-wide route per deployed handler, to its queue. */
export function automationRoutes(config: StackConfig, receivers: Receivers = new Map()): HandlerRouteArgs[] {
  if (!config.automation) return [];
  const naming = stackNaming(config);
  return config.automation.handlers.map((handler): HandlerRouteArgs => {
    const queue = queueName(naming, automationQueueKey(handler));
    return { handler, ruleName: automationRuleName(naming, handler), queueName: queue, dependsOn: waitFor(receivers, [queue]) };
  });
}
