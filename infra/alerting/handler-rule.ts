// The account-wide rules that route a handler's events to its queue (and from
// there, through the queue trigger, to its function): exactly
// the catalogue names the handler acts on, every level. Handlers check the scope
// tag themselves, so the rules need no group scope. One rule per product (the
// provider takes one event pattern per rule) and at most 50 names per rule
// (PutEventRule NameList, N from 1 to 50): a longer list is split into parts.
// Pure: route in, rule args out.
import * as pulumi from "@pulumi/pulumi";
import { HandlerName, lookup, namesHandledBy } from "../../handlers/catalogue";
import { MAX_NAMES_PER_PATTERN } from "../cms-terms";
import { EventRuleArgs } from "./event-rule";

export interface HandlerRouteArgs {
  /** Catalogue handler whose events are routed, e.g. `spot-drain`. */
  readonly handler: HandlerName;
  /** CMS rule name, unique in the account; also the rule resource's Pulumi name. Parts of a split list append `-2`, `-3`, ... */
  readonly ruleName: string;
  /** MNS queue the events go to; the handler's queue trigger takes them from there in batches. */
  readonly queueName: pulumi.Input<string>;
  /** The queue, when `queueName` is a plain string: the rule waits for it. */
  readonly dependsOn?: readonly pulumi.Resource[];
}

/** `items` in runs of at most `size`, in order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The rules of one route. The first part keeps the route's name (a list that grows past 50
 * names adds rules, it never renames the existing one); products other than ECS append their
 * code, as the tier rules do.
 */
export function handlerRules(route: HandlerRouteArgs): EventRuleArgs[] {
  const byProduct = new Map<string, string[]>();
  for (const name of namesHandledBy(route.handler)) {
    const product = lookup(name)!.entry.product;
    byProduct.set(product, [...(byProduct.get(product) ?? []), name]);
  }
  return [...byProduct].flatMap(([product, names]) => {
    const parts = chunk(names, MAX_NAMES_PER_PATTERN);
    return parts.map((part, i): EventRuleArgs => {
      const types = [...new Set(part.map((n) => lookup(n)!.entry.cmsEventType))];
      const base = product.toUpperCase() === "ECS" ? route.ruleName : `${route.ruleName}-${product.toLowerCase()}`;
      return {
        ruleName: i === 0 ? base : `${base}-${i + 1}`,
        description: `Routes ${part.length} ${product} event names to the ${route.handler} handler${parts.length > 1 ? ` (part ${i + 1} of ${parts.length})` : ""}`,
        eventPattern: { product, eventTypeLists: types, levelLists: ["*"], nameLists: part },
        silenceTime: 0,
        contacts: [],
        queues: [route.queueName],
        functions: [],
        webhookUrls: [],
        dependsOn: route.dependsOn,
      };
    });
  });
}

/** The route's single rule; throws when the route needs several (use handlerRules). */
export function handlerRule(route: HandlerRouteArgs): EventRuleArgs {
  const rules = handlerRules(route);
  if (rules.length !== 1) throw new Error(`handler ${route.handler} needs ${rules.length} rules (one per product, at most ${MAX_NAMES_PER_PATTERN} names each): use handlerRules`);
  return rules[0];
}
