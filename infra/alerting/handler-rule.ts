// The account-wide rule that routes a handler's events to its function: exactly
// the catalogue names the handler acts on, every level. Handlers check the scope
// tag themselves, so the rule needs no group scope. Pure: route in, rule args out.
import * as pulumi from "@pulumi/pulumi";
import { HandlerName, lookup, namesHandledBy } from "../../handlers/catalogue";
import { EventRuleArgs } from "./event-rule";

export interface HandlerRouteArgs {
  /** Catalogue handler whose events are routed, e.g. `spot-drain`. */
  readonly handler: HandlerName;
  /** CMS rule name, unique in the account; also the rule resource's Pulumi name. */
  readonly ruleName: string;
  /** Function Compute 3.0 function the events invoke. */
  readonly functionName: pulumi.Input<string>;
  /** The function, when `functionName` is a plain string: the rule waits for it. */
  readonly dependsOn?: readonly pulumi.Resource[];
}

export function handlerRule(route: HandlerRouteArgs): EventRuleArgs {
  const names = namesHandledBy(route.handler);
  const types = [...new Set(names.map((n) => lookup(n)!.entry.cmsEventType))];
  return {
    ruleName: route.ruleName,
    description: `Routes ${names.length} event names to the ${route.handler} handler`,
    eventPattern: { product: "ECS", eventTypeLists: types, levelLists: ["*"], nameLists: names },
    silenceTime: 0,
    contacts: [],
    queues: [],
    functions: [route.functionName],
    webhookUrls: [],
    dependsOn: route.dependsOn,
  };
}
