// Every cloud API the handlers call, as constants: the vocabulary of the
// CloudApi port. Handlers pass these to the port, and the RAM policy
// (registry.ts) is derived from the same constants, so the code and its
// permissions cannot drift apart.

export const PRODUCTS = ["ecs", "slb", "alb", "ess", "cms", "oss", "mns"] as const;
export type Product = (typeof PRODUCTS)[number];

export interface ApiAction {
  product: Product;
  action: string;
  /** Changes cloud state: goes through the recorded, dry-run-aware path. */
  mutating: boolean;
  /** Takes a ClientToken (idempotent retries). */
  clientToken?: boolean;
}

const read = (product: Product, action: string): ApiAction => ({ product, action, mutating: false });
const write = (product: Product, action: string, clientToken = false): ApiAction => ({ product, action, mutating: true, clientToken });

export const ECS = {
  describeInstances: read("ecs", "DescribeInstances"),
  // Maintenance and expiry handlers.
  describeInstanceHistoryEvents: read("ecs", "DescribeInstanceHistoryEvents"),
  describeInstanceMaintenanceAttributes: read("ecs", "DescribeInstanceMaintenanceAttributes"),
  describeInstanceAutoRenewAttribute: read("ecs", "DescribeInstanceAutoRenewAttribute"),
  rebootInstance: write("ecs", "RebootInstance"),
  redeployInstance: write("ecs", "RedeployInstance"),
  acceptInquiredSystemEvent: write("ecs", "AcceptInquiredSystemEvent"),
  // RenewInstance takes a ClientToken, but ours comes from the instance's expiry
  // (expiry/decide.ts renewClientToken), not from the event: passed explicitly.
  renewInstance: write("ecs", "RenewInstance"),
} as const;

export const SLB = {
  describeLoadBalancers: read("slb", "DescribeLoadBalancers"),
  describeLoadBalancerAttribute: read("slb", "DescribeLoadBalancerAttribute"),
  describeVServerGroups: read("slb", "DescribeVServerGroups"),
  describeVServerGroupAttribute: read("slb", "DescribeVServerGroupAttribute"),
  describeHealthStatus: read("slb", "DescribeHealthStatus"),
  setBackendServers: write("slb", "SetBackendServers"),
  setVServerGroupAttribute: write("slb", "SetVServerGroupAttribute"),
  removeBackendServers: write("slb", "RemoveBackendServers"),
  removeVServerGroupBackendServers: write("slb", "RemoveVServerGroupBackendServers"),
} as const;

export const ALB = {
  listServerGroups: read("alb", "ListServerGroups"),
  listServerGroupServers: read("alb", "ListServerGroupServers"),
  updateServerGroupServersAttribute: write("alb", "UpdateServerGroupServersAttribute", true),
  removeServersFromServerGroup: write("alb", "RemoveServersFromServerGroup", true),
} as const;

export const ESS = {
  describeScalingInstances: read("ess", "DescribeScalingInstances"),
  detachInstances: write("ess", "DetachInstances", true),
} as const;

/** Idempotency markers and oversized dead-letter bodies. */
export const OSS = {
  putObject: write("oss", "PutObject"),
  getObject: read("oss", "GetObject"),
} as const;

export const MNS = {
  /** The dead-letter queue. */
  sendMessage: write("mns", "SendMessage"),
  /** CRITICAL alerts (ALERT_TOPIC): the topic's subscriptions reach people. */
  publishMessage: write("mns", "PublishMessage"),
} as const;

/** What a handler that raises CRITICAL alerts (ctx.alerts) lists in its `apis`. */
export const ALERT_APIS: readonly ApiAction[] = [MNS.publishMessage];

export function ramAction(api: ApiAction): string {
  return `${api.product}:${api.action}`;
}
