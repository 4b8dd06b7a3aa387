// The recorded resource graph of an offline plan: what `--json` writes and what
// coverage, policies and diffs read. Plain data only.

export interface PlannedResource {
  /** Pulumi type token, e.g. `alicloud:cms/eventRule:EventRule`. */
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

export const TYPES = {
  eventRule: "alicloud:cms/eventRule:EventRule",
  dynamicTagGroup: "alicloud:cms/dynamicTagGroup:DynamicTagGroup",
  alarmContact: "alicloud:cms/alarmContact:AlarmContact",
  alarmContactGroup: "alicloud:cms/alarmContactGroup:AlarmContactGroup",
  queue: "alicloud:message/serviceQueue:ServiceQueue",
  fcFunction: "alicloud:fc/v3Function:V3Function",
  ramRole: "alicloud:ram/role:Role",
  ramPolicy: "alicloud:ram/policy:Policy",
  ramRolePolicyAttachment: "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment",
  applicationGroup: "eventops:index:ApplicationGroup",
} as const;

export function ofType(graph: Pick<PlanGraph, "resources">, type: string): PlannedResource[] {
  return graph.resources.filter((r) => r.type === type);
}

export function childrenOf(graph: Pick<PlanGraph, "resources">, parent: PlannedResource): PlannedResource[] {
  return graph.resources.filter((r) => r.parent === parent.urn);
}
