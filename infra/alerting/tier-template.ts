// The "alert template" as code: severity tiers defined once, expanded into one
// CMS event rule per tier (and product) for an application group, filtered by
// the tier's level and the catalogue's names of that level. Pure: plain values
// in, rule args out (Inputs and resources pass through untouched).
import * as pulumi from "@pulumi/pulumi";
import { CATALOGUE, CatalogueEntry, LEVELS, Level, fullNames, lookup } from "../../handlers/catalogue";
import { CHANNEL_LEVELS, ChannelLevel } from "../cms-terms";
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

/** Which catalogue events the tier rules select. */
export interface EventSelection {
  /** Cloud products; with more than one, each tier gets a rule per product. */
  readonly products: readonly CatalogueEntry["product"][];
  /** CMS event types (`Maintenance`, `Exception`, `StatusNotification`), or `*` for all. */
  readonly eventTypes: readonly string[];
  /** Catalogue names (with or without status) to restrict to; empty = every catalogue event of the tier's level. */
  readonly names: readonly string[];
  /** Optional CMS SQL filter (Log Service query syntax) applied to every tier rule. */
  readonly sqlFilter?: string;
}

/** Every ECS catalogue event of each tier's level. */
export const ALL_ECS_EVENTS: EventSelection = { products: ["ECS"], eventTypes: ["*"], names: [] };

export interface TierRulesArgs {
  /** The group's name in rule descriptions, e.g. `checkout`. */
  readonly groupName: string;
  /** Tag key whose value defines the group's membership, e.g. `app`. */
  readonly tagKey: string;
  /** The value the group's instances carry. */
  readonly tagValue: string;
  /** Start of every rule name: `<ruleNamePrefix>-critical`, `-warn`, `-info` (then `-<product>` with several products). */
  readonly ruleNamePrefix: string;
  /** What each tier tells whom. */
  readonly tiers: TierTemplate;
  /** Which catalogue events the rules select; default every ECS event of the tier's level. */
  readonly events?: EventSelection;
}

/** Catalogue names for one tier, narrowed by the event selection. */
export function tierNameList(events: EventSelection, level: Level, product: string): string[] {
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

/** One rule per tier (and product), named, levelled and routed as its tier says. */
export function tierRules(args: TierRulesArgs): EventRuleArgs[] {
  const events = args.events ?? ALL_ECS_EVENTS;
  const multiProduct = events.products.length > 1;
  return LEVELS.flatMap((level) =>
    events.products.map((product): EventRuleArgs => {
      const tier = args.tiers[level];
      if (!tier) throw new Error(`tier rules of group ${args.groupName}: the template has no ${level} tier (it needs ${LEVELS.join(", ")})`);
      return {
        ruleName: [args.ruleNamePrefix, level.toLowerCase(), ...(multiProduct ? [product.toLowerCase()] : [])].join("-"),
        description: `${level} events of application group ${args.groupName} (${args.tagKey}=${args.tagValue})`,
        eventPattern: {
          product,
          eventTypeLists: [...events.eventTypes],
          levelLists: [level],
          nameLists: tierNameList(events, level, product),
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
