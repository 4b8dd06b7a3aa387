// The account-wide event rules that hand events to the handlers: per handler,
// the catalogue names it acts on, split into rules of at most 50 names and one
// product each (alerting/handler-rule.ts).
import * as pulumi from "@pulumi/pulumi";
import { RuleTargetLocation, declareEventRule } from "../alerting/event-rule";
import { HandlerRouteArgs, handlerRules } from "../alerting/handler-rule";

export interface AutomationRulesArgs extends RuleTargetLocation {
  /** One route per handler: its catalogue events to its function. */
  readonly routes: readonly HandlerRouteArgs[];
}

export class AutomationRules extends pulumi.ComponentResource {
  /** Rule names, every part of every route: plain strings, no Output to resolve. */
  readonly ruleNames: string[];

  constructor(name: string, args: AutomationRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:AutomationRules", name, {}, opts);
    const rules = args.routes.flatMap(handlerRules);
    // No group scope: handlers check the scope tag on the instance themselves.
    for (const rule of rules) declareEventRule(rule, args, {}, { parent: this });
    this.ruleNames = rules.map((rule) => rule.ruleName);
    this.registerOutputs({ ruleNames: this.ruleNames });
  }
}
