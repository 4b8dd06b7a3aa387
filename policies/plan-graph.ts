// The recorded resource graph of an offline plan (what `npm run plan --json`
// writes, plain data only), and its adapter to the resources and context rules
// read: `inputs` → `props`, parent URN → parent. The pack owns this shape; the
// plan tools (tools/plan) record and read it.
import { evaluate } from "./evaluate";
import { EvaluationContext, PolicyProviderLike, PolicyResourceLike, PolicyRule, Violation } from "./model";

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
  /**
   * Outputs the cloud computes that the offline plan answers with documented
   * stand-ins (tools/plan/mocks.ts), e.g. a RAM role's `arn`, a RandomId's `hex`.
   */
  computed?: Record<string, unknown>;
  /**
   * The provider reference Pulumi passes in the registration, `<provider URN>::<provider ID>`
   * (PlanGraph.providers); for a resource that names none, its package's default provider.
   * Absent for components.
   */
  provider?: string;
}

/** A provider resource: explicit (`new alicloud.Provider(...)`) or the default one the engine creates per package. */
export interface PlannedProvider {
  /** `pulumi:providers:<package>`. */
  type: string;
  /** Logical name; the engine names a default provider `default_<version>`, e.g. `default_3_108_0`. */
  name: string;
  urn: string;
  id: string;
  /** True for the default provider, configured from the stack's `<package>:*` config. */
  default: boolean;
  /**
   * alicloud: the region its resources' API calls go to; null when unset (the
   * provider then reads ALICLOUD_REGION or ALIBABA_CLOUD_REGION at deploy time).
   * Absent for packages without regions (random).
   */
  region?: string | null;
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
  /** Provider resources the stack's resources use (absent in plans recorded before providers were). */
  providers?: PlannedProvider[];
}

export function ofType(graph: Pick<PlanGraph, "resources">, type: string): PlannedResource[] {
  return graph.resources.filter((r) => r.type === type);
}

export function childrenOf(graph: Pick<PlanGraph, "resources">, parent: PlannedResource): PlannedResource[] {
  return graph.resources.filter((r) => r.parent === parent.urn);
}

const GET_MONITOR_GROUPS = "alicloud:cms/getMonitorGroups:getMonitorGroups";
const GET_ACCOUNT = "alicloud:index/getAccount:getAccount";

/** The provider record a resource's reference names (by URN and ID), if the plan holds it. */
export function providerOf(graph: Pick<PlanGraph, "providers">, r: Pick<PlannedResource, "provider">): PlannedProvider | undefined {
  return r.provider ? (graph.providers ?? []).find((p) => r.provider === `${p.urn}::${p.id}`) : undefined;
}

/**
 * Resources as rules see them. Props are the inputs, plus the stand-ins of
 * computed outputs (CrossGuard's stack view shows outputs: inputs and what the
 * cloud computed); the provider is the recorded provider resource.
 */
export function fromPlanGraph(graph: Pick<PlanGraph, "resources" | "providers">): PolicyResourceLike[] {
  const byUrn = new Map<string, PolicyResourceLike>();
  for (const r of graph.resources) {
    const p = providerOf(graph, r);
    const provider: PolicyProviderLike | undefined = p ? { type: p.type, name: p.name, urn: p.urn, props: p.inputs } : undefined;
    const props = r.computed ? { ...r.inputs, ...r.computed } : r.inputs ?? {};
    byUrn.set(r.urn, { type: r.type, name: r.name, urn: r.urn, props, ...(r.id ? { id: r.id } : {}), ...(provider ? { provider } : {}) });
  }
  for (const r of graph.resources) {
    if (r.parent && byUrn.has(r.parent)) byUrn.get(r.urn)!.parent = byUrn.get(r.parent);
  }
  return [...byUrn.values()];
}

/** What the graph knows beyond its resources: the group ID CloudMonitor gives each dynamic tag rule, the account ID. */
export function planContext(graph: Pick<PlanGraph, "invokes">): EvaluationContext {
  const ids = new Map<string, string>();
  const account = (graph.invokes ?? []).find((inv) => inv.token === GET_ACCOUNT)?.result.id;
  for (const inv of graph.invokes ?? []) {
    if (inv.token !== GET_MONITOR_GROUPS) continue;
    const rule = inv.args.dynamicTagRuleId;
    const groups = inv.result.groups as { groupId?: unknown }[] | undefined;
    if (typeof rule === "string" && groups?.length === 1 && typeof groups[0].groupId === "string") ids.set(rule, groups[0].groupId);
  }
  return { monitorGroupIdByDynamicTagRule: ids, ...(typeof account === "string" ? { accountId: account } : {}) };
}

/** The pack (or the given rules) over an offline plan. `requiredTagKeys`: the stack config's `tags.required`. */
export function evaluatePlan(graph: Pick<PlanGraph, "resources" | "invokes" | "providers">, extra: EvaluationContext = {}, rules?: readonly PolicyRule[]): Violation[] {
  return evaluate(fromPlanGraph(graph), { ...planContext(graph), ...extra }, rules);
}
