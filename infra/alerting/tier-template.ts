// The "alert template" as code: severity tiers defined once, expanded into one
// CMS event rule per tier and product for an application group, selecting the
// product's events by type and level (so it works for any product CloudMonitor
// emits events for), optionally narrowed to chosen catalogue names. Pure: plain
// values in, rule args out (Inputs and resources pass through untouched).
import * as pulumi from "@pulumi/pulumi";
import { CATALOGUE, CatalogueEntry, LEVELS, Level, fullNames, lookup } from "../../handlers/catalogue";
import { CHANNEL_LEVELS, ChannelLevel, MAX_NAMES_PER_PATTERN } from "../cms-terms";
import { EventRuleArgs } from "./event-rule";

/** What one severity tier tells whom. */
export interface Tier {
  /** CMS contact group names told at this tier. */
  readonly contactGroups: readonly pulumi.Input<string>[];
  /** How they are told: `phone` (phone, SMS, email, DingTalk), `sms` (SMS, email, DingTalk) or `chat` (email, DingTalk). */
  readonly channels: ChannelLevel;
  /** Seconds during which a repeat of the same alert is not sent again. */
  readonly silenceSeconds: number;
  /** MNS queue names the tier's events are sent to. */
  readonly queues?: readonly pulumi.Input<string>[];
  /** Function Compute 3.0 function names the tier's events invoke. */
  readonly functions?: readonly pulumi.Input<string>[];
  /** Webhook URLs the tier's events are POSTed to (declared as secrets). */
  readonly webhookUrls?: readonly pulumi.Input<string>[];
  /** Receivers the targets above name by plain string: the tier's rules wait for them. */
  readonly dependsOn?: readonly pulumi.Resource[];
}

/** The tiers, one per level: every group gets a rule for each. */
export type TierTemplate = Readonly<Record<Level, Tier>>;

/**
 * Which events the tier rules select. They route by product, event type and level, so a tier
 * covers every event CloudMonitor emits for its products, catalogued or not; `names` narrows
 * that to chosen catalogue events.
 */
export interface EventSelection {
  /** CloudMonitor product codes (ECS, RDS, SLB, ...); with more than one, each tier gets a rule per product. */
  readonly products: readonly string[];
  /** CMS event types (`Maintenance`, `Exception`, `StatusNotification`), or `*` for all. */
  readonly eventTypes: readonly string[];
  /** Catalogue names (with or without status) to restrict to; empty = every event of the tier's level. */
  readonly names: readonly string[];
  /** Optional CMS SQL filter (Log Service query syntax) applied to every tier rule. */
  readonly sqlFilter?: string;
}

/** Every ECS event of each tier's level. */
export const ALL_ECS_EVENTS: EventSelection = { products: ["ECS"], eventTypes: ["*"], names: [] };

export interface TierRulesArgs {
  /** The group's name in rule descriptions, e.g. `checkout`. */
  readonly groupName: string;
  /** Tag key whose value defines the group's membership, e.g. `app`. */
  readonly tagKey: string;
  /** The value the group's instances carry. */
  readonly tagValue: string;
  /** Start of every rule name: `<ruleNamePrefix>-critical`, `-warn`, `-info`, then `-<product>` (lower case) for products other than ECS. */
  readonly ruleNamePrefix: string;
  /** What each tier tells whom. */
  readonly tiers: TierTemplate;
  /** Which catalogue events the rules select; default every ECS event of the tier's level. */
  readonly events?: EventSelection;
}

/**
 * The names a product's rules list: the selection's catalogue names of that product, each
 * base name expanded to every status CMS sends it with; empty when the selection names none
 * (then the rule routes by type and level alone, an absent NameList being no filter).
 */
export function selectedNames(events: Pick<EventSelection, "names">, product: string): string[] {
  const wanted = new Set<string>();
  for (const n of events.names) {
    const hit = lookup(n);
    if (!hit || hit.entry.product.toUpperCase() !== product.toUpperCase()) continue;
    for (const full of hit.nameStatus ? [n] : fullNames(hit.entry)) wanted.add(full);
  }
  return [...wanted];
}

/** The catalogue's names a tier rule of this level and product matches (what the tier covers of the catalogue; the rule itself lists no names). */
export function tierNameList(events: EventSelection, level: Level, product: string): string[] {
  const selected = new Set(selectedNames(events, product));
  const typeOk = (e: CatalogueEntry) => events.eventTypes.includes("*") || events.eventTypes.includes(e.cmsEventType);
  return CATALOGUE.filter((e) => e.product.toUpperCase() === product.toUpperCase() && e.levels.includes(level) && typeOk(e))
    .flatMap(fullNames)
    .filter((n) => selected.size === 0 || selected.has(n));
}

/**
 * `<prefix>-critical` for ECS, `<prefix>-critical-rds` for another product: ECS rules keep the
 * plain tier name, so adding a product adds rules and never renames (replaces) existing ones
 * (`rule_name` is ForceNew, resource_alicloud_cms_event_rule.go).
 */
export function tierRuleName(prefix: string, level: Level, product: string): string {
  return [prefix, level.toLowerCase(), ...(product.toUpperCase() === "ECS" ? [] : [product.toLowerCase()])].join("-");
}

/** One rule per tier and product, named, levelled and routed as its tier says. */
export function tierRules(args: TierRulesArgs): EventRuleArgs[] {
  const events = args.events ?? ALL_ECS_EVENTS;
  return LEVELS.flatMap((level) =>
    events.products.map((product): EventRuleArgs => {
      const tier = args.tiers[level];
      if (!tier) throw new Error(`tier rules of group ${args.groupName}: the template has no ${level} tier (it needs ${LEVELS.join(", ")})`);
      const names = selectedNames(events, product);
      if (names.length > MAX_NAMES_PER_PATTERN) throw new Error(`tier rules of group ${args.groupName}: ${names.length} ${product} event names; an event pattern takes at most ${MAX_NAMES_PER_PATTERN} (PutEventRule)`);
      return {
        ruleName: tierRuleName(args.ruleNamePrefix, level, product),
        description: `${level} ${product} events of application group ${args.groupName} (${args.tagKey}=${args.tagValue})`,
        eventPattern: {
          product,
          eventTypeLists: [...events.eventTypes],
          levelLists: [level],
          // No long name list (at most 50 per pattern, PutEventRule): the product, type and level select the events.
          nameLists: names,
          ...(events.sqlFilter ? { sqlFilter: events.sqlFilter } : {}),
        },
        silenceTime: tier.silenceSeconds,
        contacts: tier.contactGroups.map((contactGroupName) => ({ contactGroupName, level: CHANNEL_LEVELS[tier.channels] })),
        queues: [...(tier.queues ?? [])],
        functions: [...(tier.functions ?? [])],
        webhookUrls: [...(tier.webhookUrls ?? [])],
        dependsOn: tier.dependsOn,
      };
    }),
  );
}
