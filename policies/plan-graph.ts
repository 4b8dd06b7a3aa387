// The recorded resource graph of an offline plan (what `npm run plan --json`
// writes, plain data only), and its adapter to the resources and context rules
// read: `inputs` → `props`, parent URN → parent. The pack owns this shape; the
// plan tools (tools/plan) record and read it.
import { evaluate } from "./evaluate";
import { EvaluationContext, PolicyResourceLike, Violation } from "./model";

export interface PlannedResource {
  /** Pulumi type token, e.g. `alicloud:cms/eventRule:EventRule` (policies/stack.ts `T`). */
  type: string;
  /** Pulumi logical name. */
  name: string;
  urn: string;
  /** URN of the parent resource (component), if any. */
  parent?: string;
  /** URNs of explicit dependencies (`dependsOn`). */
  dependsOn?: string[];
  /** True for cloud resources, false for components. */
  custom: boolean;
  /** The mock's ID for custom resources (offline, deterministic). */
  id?: string;
  /** Resolved inputs as the program declared them; secrets appear as "[secret]". */
  inputs: Record<string, unknown>;
}

export interface PlannedInvoke {
  token: string;
  args: Record<string, unknown>;
  /** What the offline stand-in answered. */
  result: Record<string, unknown>;
}

export interface PlanGraph {
  project: string;
  stack: string;
  resources: PlannedResource[];
  invokes: PlannedInvoke[];
  outputs: Record<string, unknown>;
}

export function ofType(graph: Pick<PlanGraph, "resources">, type: string): PlannedResource[] {
  return graph.resources.filter((r) => r.type === type);
}

export function childrenOf(graph: Pick<PlanGraph, "resources">, parent: PlannedResource): PlannedResource[] {
  return graph.resources.filter((r) => r.parent === parent.urn);
}

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
