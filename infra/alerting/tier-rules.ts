// The "alert template" as code: the severity tiers, defined once, expanded
// into one CMS event rule per application group and tier. Pure: plain config
// in, plain rule specs out; components turn specs into resources.
import {
  CATALOGUE,
  CatalogueEntry,
  HandlerName,
  LEVELS,
  fullNames,
  lookup,
  namesHandledBy,
} from "../../handlers/catalogue";
import { CHANNEL_LEVELS, Events, Level, StackConfig } from "../config/schema";
import { Naming, automationRuleName, contactGroupName, functionName, queueName, tierRuleName } from "../naming";

export interface EventPatternSpec {
  product: string;
  eventTypeLists: string[];
  levelLists: string[];
  nameLists: string[];
  sqlFilter?: string;
}

export interface RuleSpec {
  /** Pulumi resource name and CMS rule name (the same, stack-scoped). */
  ruleName: string;
  group?: string;
  level?: Level;
  description: string;
  eventPattern: EventPatternSpec;
  silenceTime: number;
  contacts: { contactGroupName: string; level: string }[];
  queues: string[];
  functions: string[];
  /** Names of configured webhooks (their secret URLs are filled in by the component). */
  webhooks: string[];
}

/** Catalogue names for one tier, narrowed by the configured event selection. */
export function tierNameList(events: Events, level: Level, product: string): string[] {
  const wanted = new Set<string>();
  for (const n of events.names) {
    const hit = lookup(n);
    if (!hit) continue;
    for (const full of hit.nameStatus ? [n] : fullNames(hit.entry)) wanted.add(full);
  }
  const typeOk = (e: CatalogueEntry) => events.eventTypes.includes("*") || events.eventTypes.includes(e.cmsEventType);
  return CATALOGUE.filter((e) => e.product === product && e.levels.includes(level) && typeOk(e))
    .flatMap(fullNames)
    .filter((n) => wanted.size === 0 || wanted.has(n));
}

export function tierRuleSpecs(config: StackConfig): RuleSpec[] {
  const naming: Naming = { prefix: config.namePrefix, stack: config.stack };
  const multiProduct = config.events.products.length > 1;
  return config.groups.flatMap((group) =>
    LEVELS.flatMap((level) =>
      config.events.products.map((product): RuleSpec => {
        const tier = config.tiers[level];
        return {
          ruleName: tierRuleName(naming, group.name, level, multiProduct ? product : undefined),
          group: group.name,
          level,
          description: `${level} events of application group ${group.name} (${config.tags.groupBy}=${group.tagValue})`,
          eventPattern: {
            product,
            eventTypeLists: [...config.events.eventTypes],
            levelLists: [level],
            nameLists: tierNameList(config.events, level, product),
            ...(config.events.sqlFilter ? { sqlFilter: config.events.sqlFilter } : {}),
          },
          silenceTime: tier.silenceSeconds,
          contacts: tier.contactGroups.map((g) => ({ contactGroupName: contactGroupName(naming, g), level: CHANNEL_LEVELS[tier.channels] })),
          queues: tier.targets.queues.map((q) => queueName(naming, q)),
          functions: tier.targets.functions.map((f) => functionName(naming, f)),
          webhooks: [...tier.targets.webhooks],
        };
      }),
    ),
  );
}

/**
 * One account-wide rule per deployed handler, listing exactly the catalogue
 * names it acts on. Handlers check the scope tag themselves, so the rule needs
 * no group scope; a group can opt its spot interruptions out to OOS.
 */
export function automationRuleSpecs(config: StackConfig): RuleSpec[] {
  if (!config.automation) return [];
  const naming: Naming = { prefix: config.namePrefix, stack: config.stack };
  return config.automation.handlers.map((handler: HandlerName): RuleSpec => {
    const names = namesHandledBy(handler);
    const types = [...new Set(names.map((n) => lookup(n)!.entry.cmsEventType))];
    return {
      ruleName: automationRuleName(naming, handler),
      description: `Routes ${names.length} event names to the ${handler} handler`,
      eventPattern: { product: "ECS", eventTypeLists: types, levelLists: ["*"], nameLists: names },
      silenceTime: 0,
      contacts: [],
      queues: [],
      functions: [functionName(naming, handler)],
      webhooks: [],
    };
  });
}

