// event-rule-limits: list maxima of a CMS event rule. The provider checks none
// of the list lengths (no MaxItems on name_list or any *_parameters), so a
// preview passes and PutEventRule / PutEventRuleTargets fail during `up`.
import { Finding, PolicyRule } from "../model";
import { StackIndex, T } from "../stack";
import { isUnknown, list } from "../values";
import { Fact, SOURCE, broken, unverified } from "./provider-facts";

/** PutEventRule: "Valid values of N: 1 to 50" for NameList, EventTypeList and LevelList. */
export const MAX_PATTERN_LIST = 50;
/** PutEventRuleTargets: "Valid values of N: 1 to 5" for each target kind. */
export const MAX_TARGETS_PER_KIND = 5;

const PATTERN_LISTS = ["nameLists", "eventTypeLists", "levelLists"] as const;
const TARGET_KINDS = ["contactParameters", "mnsParameters", "fcParameters", "webhookParameters", "slsParameters", "openApiParameters"] as const;

const ONE_PATTERN: Fact = { says: "a rule takes exactly one event pattern (event_pattern MaxItems: 1), i.e. one product: split it into one rule per product", source: SOURCE.tfEventRule };
const PATTERN_LIST: Fact = { says: `each event-pattern list holds at most ${MAX_PATTERN_LIST} entries`, source: SOURCE.putEventRule };
const TARGETS: Fact = { says: `a rule takes at most ${MAX_TARGETS_PER_KIND} targets of each kind`, source: SOURCE.putEventRuleTargets };

export const eventRuleLimits: PolicyRule = {
  id: "event-rule-limits",
  displayName: "Event rules stay within CloudMonitor's list limits",
  severity: "high",
  enforcement: "mandatory",
  description:
    `Each cms.EventRule has one event pattern (one product), at most ${MAX_PATTERN_LIST} event names, event types and levels ` +
    `in it, and at most ${MAX_TARGETS_PER_KIND} targets of each kind (contact groups, MNS, FC, webhooks, SLS, OpenAPI).`,
  remediation:
    "Route by product, event type and level instead of long name lists, or split a rule (infra/alerting builds them); " +
    "split a tier's receivers when it needs more than 5 of one kind.",
  sources: [SOURCE.tfEventRule, SOURCE.putEventRule, SOURCE.putEventRuleTargets],
  check(resources) {
    const findings: Finding[] = [];
    for (const rule of StackIndex.of(resources).ofType(T.eventRule)) {
      const pattern = rule.props.eventPattern;
      if (isUnknown(pattern)) findings.push(unverified(rule, "eventPattern", PATTERN_LIST));
      else if (Array.isArray(pattern) && pattern.length > 1) findings.push(broken(rule, `eventPattern holds ${pattern.length} patterns`, ONE_PATTERN));
      const patterns = Array.isArray(pattern) ? pattern : pattern ? [pattern] : [];
      patterns.forEach((p, i) => {
        for (const key of PATTERN_LISTS) {
          const at = Array.isArray(pattern) ? `eventPattern[${i}].${key}` : `eventPattern.${key}`;
          const v = (p as Record<string, unknown>)?.[key];
          if (isUnknown(v)) findings.push(unverified(rule, at, PATTERN_LIST));
          else if (list(v).length > MAX_PATTERN_LIST) findings.push(broken(rule, `${at} holds ${list(v).length} entries`, PATTERN_LIST));
        }
      });
      for (const kind of TARGET_KINDS) {
        const targets = rule.props[kind];
        if (isUnknown(targets)) findings.push(unverified(rule, kind, TARGETS));
        else if (list(targets).length > MAX_TARGETS_PER_KIND) findings.push(broken(rule, `${kind} holds ${list(targets).length} targets`, TARGETS));
      }
    }
    return findings;
  },
};
