// The account-wide event rules that hand events to the handlers: one per
// handler, listing exactly the catalogue names it acts on (alerting/handler-rule.ts).
import * as pulumi from "@pulumi/pulumi";
import { RuleTargetLocation, declareEventRule } from "../alerting/event-rule";
import { HandlerRouteArgs, handlerRule } from "../alerting/handler-rule";

export interface AutomationRulesArgs extends RuleTargetLocation {
  /** One rule per route: a handler's catalogue events to its function. */
  readonly routes: readonly HandlerRouteArgs[];
}

export class AutomationRules extends pulumi.ComponentResource {
  /** Rule names are the routes' own: plain strings, no Output to resolve. */
  readonly ruleNames: string[];

  constructor(name: string, args: AutomationRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:AutomationRules", name, {}, opts);
    // No group scope: handlers check the scope tag on the instance themselves.
    for (const route of args.routes) declareEventRule(handlerRule(route), args, undefined, { parent: this });
    this.ruleNames = args.routes.map((route) => route.ruleName);
    this.registerOutputs({ ruleNames: this.ruleNames });
  }
}
