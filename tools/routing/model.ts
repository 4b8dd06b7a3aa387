// The routing model: the CMS event rules, application groups and queue
// triggers a stack declares, read from its recorded plan graph (what the
// program declared, not what the config says). Pure: plain data in, plain data out.
import { CHANNEL_LABELS } from "../plan/coverage";
import { PlanGraph, PlannedResource, ofType } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { offlineGroupId } from "../plan/mocks";
import { EventPattern, MatchExpress, ruleEnabled } from "./cms-semantics";
import { DeclaredQueueTrigger, declaredQueueTriggers } from "./queue-triggers";

export type { DeclaredQueueTrigger };

export interface ContactTarget {
  contactGroupName: string;
  /** CMS channel level ("2", "3", "4") and its label (phone, sms, chat). */
  level: string;
  channel: string;
}

export interface DeclaredRule {
  ruleName: string;
  enabled: boolean;
  /** CMS application group ID the rule is scoped to; absent = account-wide. */
  groupId?: string;
  pattern: EventPattern;
  silenceTime?: number;
  contacts: ContactTarget[];
  /** MNS queues the rule sends to (mnsParameters). */
  queues: string[];
  /** Functions the rule invokes itself (fcParameters: CloudMonitor's FC target). */
  functions: string[];
  /** Webhook URLs are secrets in the plan, so a webhook is named `<rule>#<id>`. */
  webhooks: string[];
}

export interface DeclaredGroup {
  /** Application group name (the component's name without `group-`). */
  name: string;
  /** The CMS group ID rules refer to: `offlineGroupId(<dynamic tag group id>)` in an offline plan. */
  groupId: string;
  tagKey: string;
  matchExpresses: MatchExpress[];
  relation: string;
}

export interface RoutingModel {
  stack: string;
  rules: DeclaredRule[];
  groups: DeclaredGroup[];
  /** FC triggers that read a queue and invoke their function with its messages (queue → function). */
  queueTriggers: DeclaredQueueTrigger[];
}

type Props = Record<string, any>;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function declaredRule(r: PlannedResource): DeclaredRule {
  const p = r.inputs as Props;
  const pattern = (p.eventPattern ?? {}) as Props;
  const ruleName = String(p.ruleName ?? r.name);
  return {
    ruleName,
    enabled: ruleEnabled(p.status),
    ...(p.groupId ? { groupId: String(p.groupId) } : {}),
    pattern: {
      product: pattern.product === undefined ? undefined : String(pattern.product),
      eventTypeLists: strings(pattern.eventTypeLists),
      levelLists: strings(pattern.levelLists),
      nameLists: strings(pattern.nameLists),
      ...(pattern.sqlFilter ? { sqlFilter: String(pattern.sqlFilter) } : {}),
    },
    silenceTime: typeof p.silenceTime === "number" ? p.silenceTime : undefined,
    contacts: ((p.contactParameters ?? []) as Props[]).map((c) => ({
      contactGroupName: String(c.contactGroupName),
      level: String(c.level),
      channel: CHANNEL_LABELS[String(c.level)] ?? `level ${c.level}`,
    })),
    queues: ((p.mnsParameters ?? []) as Props[]).map((m) => String(m.queue ?? m.topic)),
    functions: ((p.fcParameters ?? []) as Props[]).map((f) => String(f.functionName ?? f.arn)),
    webhooks: ((p.webhookParameters ?? []) as Props[]).map((w, i) => `${ruleName}#${w.webhookParametersId ?? i + 1}`),
  };
}

export function declaredGroups(graph: Pick<PlanGraph, "resources">): DeclaredGroup[] {
  const components = new Map(ofType(graph, T.applicationGroup).map((g) => [g.urn, g]));
  return ofType(graph, T.dynamicTagGroup).map((dtg) => {
    const parent = dtg.parent ? components.get(dtg.parent) : undefined;
    const p = dtg.inputs as Props;
    return {
      name: parent ? parent.name.replace(/^group-/, "") : dtg.name.replace(/-tags$/, ""),
      groupId: offlineGroupId(String(dtg.id ?? dtg.name)),
      tagKey: String(p.tagKey),
      matchExpresses: ((p.matchExpresses ?? []) as Props[]).map((m) => ({ tagValue: m.tagValue === undefined ? undefined : String(m.tagValue), tagValueMatchFunction: String(m.tagValueMatchFunction) })),
      relation: String(p.matchExpressFilterRelation ?? "and"),
    };
  });
}

export function routingModel(graph: PlanGraph): RoutingModel {
  return { stack: graph.stack, rules: ofType(graph, T.eventRule).map(declaredRule), groups: declaredGroups(graph), queueTriggers: declaredQueueTriggers(graph) };
}
