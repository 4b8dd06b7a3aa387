// Adapter from the offline plan's recorded graph (tools/plan/graph.ts) to the
// resources and context rules read: `inputs` → `props`, parent URN → parent.
import type { PlanGraph } from "../tools/plan/graph";
import { evaluate } from "./evaluate";
import { EvaluationContext, PolicyResourceLike, Violation } from "./model";

const GET_MONITOR_GROUPS = "alicloud:cms/getMonitorGroups:getMonitorGroups";

export function fromPlanGraph(graph: Pick<PlanGraph, "resources">): PolicyResourceLike[] {
  const byUrn = new Map<string, PolicyResourceLike>();
  for (const r of graph.resources) {
    byUrn.set(r.urn, { type: r.type, name: r.name, urn: r.urn, props: r.inputs ?? {}, ...(r.id ? { id: r.id } : {}) });
  }
  for (const r of graph.resources) {
    if (r.parent && byUrn.has(r.parent)) byUrn.get(r.urn)!.parent = byUrn.get(r.parent);
  }
  return [...byUrn.values()];
}

/** What the graph knows beyond its resources: the group ID CloudMonitor gives each dynamic tag rule. */
export function planContext(graph: Pick<PlanGraph, "invokes">): EvaluationContext {
  const ids = new Map<string, string>();
  for (const inv of graph.invokes ?? []) {
    if (inv.token !== GET_MONITOR_GROUPS) continue;
    const rule = inv.args.dynamicTagRuleId;
    const groups = inv.result.groups as { groupId?: unknown }[] | undefined;
    if (typeof rule === "string" && groups?.length === 1 && typeof groups[0].groupId === "string") ids.set(rule, groups[0].groupId);
  }
  return { monitorGroupIdByDynamicTagRule: ids };
}

/** The whole pack over an offline plan. `requiredTagKeys`: the stack config's `tags.required`. */
export function evaluatePlan(graph: Pick<PlanGraph, "resources" | "invokes">, extra: EvaluationContext = {}): Violation[] {
  return evaluate(fromPlanGraph(graph), { ...planContext(graph), ...extra });
}
