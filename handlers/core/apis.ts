// Every cloud API the handlers call, as constants: the vocabulary of the
// CloudApi port. Handlers pass these to the port, and the RAM policy
// (registry.ts) is derived from the same constants, so the code and its
// permissions cannot drift apart.

export const PRODUCTS = ["ecs", "slb", "alb", "ess", "cms", "oss", "mns"] as const;
export type Product = (typeof PRODUCTS)[number];

/**
 * An answer meaning "the thing is not there (any more)": an exact error code,
 * or an exact code with a message fragment where the API answers with a
 * generic code (CLB's InvalidParameter for a deleted vServer group).
 */
export type GoneAnswer = string | { readonly code: string; readonly message: string };

export interface ApiAction {
  product: Product;
  action: string;
  /** Changes cloud state: goes through the recorded, dry-run-aware path. */
  mutating: boolean;
  /** Takes a ClientToken (idempotent retries). */
  clientToken?: boolean;
  /**
   * The exact answers of this API that mean "already gone" (core/gateway.ts
   * tolerateGone). An allow-list, never a pattern and never an HTTP status:
   * InvalidAccessKeyId.NotFound, InvalidApi.NotFound, InvalidRegionId.NotFound
   * and Forbidden.InstanceNotFound all say "NotFound" (several with 404) and
   * mean a broken call, not a finished one.
   */
  gone?: readonly GoneAnswer[];
  /** Exact codes meaning "busy or conflicting, try again shortly": retried with backoff within the deadline (core/gateway.ts). */
  busy?: readonly string[];
}

interface Answers {
  gone?: readonly GoneAnswer[];
  busy?: readonly string[];
}

const read = (product: Product, action: string, answers: Answers = {}): ApiAction => ({ product, action, mutating: false, ...answers });
const write = (product: Product, action: string, clientToken = false, answers: Answers = {}): ApiAction => ({ product, action, mutating: true, clientToken, ...answers });

// ---- "already gone" and "busy" answers, per product, with their sources ----

/** CLB: the load balancer is gone (terraform-provider-alicloud service_alicloud_slb.go, 5 call sites). */
const CLB_GONE: readonly GoneAnswer[] = ["InvalidLoadBalancerId.NotFound"];
/**
 * CLB vServer group gone: the API answers the generic InvalidParameter with this
 * message (terraform-provider-alicloud resource_alicloud_slb_server_group.go:408,
 * which matches the message): the code alone is not enough.
 */
const VSERVER_GROUP_GONE: GoneAnswer = { code: "InvalidParameter", message: "The specified VServerGroupId does not exist" };
/**
 * CLB busy states terraform-provider-alicloud retries on backend writes:
 * ServiceIsConfiguring (slb_backend_server.go:82), VServerGroupProcessing and
 * ServiceIsStopping (slb_server_group_server_attachment.go:106,200),
 * BackendServer.configuring (slb_rule.go:214). Throttling and 5xx are the
 * adapter's (cloud/retry.ts).
 */
const CLB_BUSY = ["ServiceIsConfiguring", "VServerGroupProcessing", "ServiceIsStopping", "BackendServer.configuring"] as const;
/**
 * ALB server-group writes are asynchronous jobs; a change while a job runs is
 * refused. terraform-provider-alicloud resource_alicloud_alb_server_group.go
 * (lines 850, 957, 1014: UpdateServerGroupServersAttribute,
 * RemoveServersFromServerGroup, AddServersToServerGroup) retries exactly
 * SystemBusy, IdempotenceProcessing and IncorrectStatus.ServerGroup.
 * Conflict.Lock and ResourceInConfiguring are NOT documented for ALB server
 * groups (Conflict.Lock is NLB's error table; ResourceInConfiguring appears for
 * ALB ACL entries and .Listener for listeners): accepted defensively, because
 * retrying a busy answer within the deadline is harmless.
 */
const ALB_BUSY = ["SystemBusy", "IdempotenceProcessing", "IncorrectStatus.ServerGroup", "Conflict.Lock", "ResourceInConfiguring"] as const;
/**
 * ALB: the server group is gone (resource_alicloud_alb_server_group.go:1073);
 * the server is not in the group: ResourceNotFound.BackendServer, documented for
 * NLB (2022-04-30 error tables) and unconfirmed for ALB; the ALB doc's own
 * statement is "If the backend server cannot be found, the backend server is no
 * longer in the server group" (RemoveServersFromServerGroup), which the job
 * check (lb/alb.ts) verifies by listing.
 */
const ALB_GONE: readonly GoneAnswer[] = ["ResourceNotFound.ServerGroup", "ResourceNotFound.BackendServer"];

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
  describeLoadBalancerAttribute: read("slb", "DescribeLoadBalancerAttribute", { gone: CLB_GONE }),
  describeVServerGroups: read("slb", "DescribeVServerGroups", { gone: CLB_GONE }),
  describeVServerGroupAttribute: read("slb", "DescribeVServerGroupAttribute", { gone: [VSERVER_GROUP_GONE] }),
  describeHealthStatus: read("slb", "DescribeHealthStatus", { gone: CLB_GONE }),
  setBackendServers: write("slb", "SetBackendServers", false, { gone: CLB_GONE, busy: CLB_BUSY }),
  setVServerGroupAttribute: write("slb", "SetVServerGroupAttribute", false, { gone: [...CLB_GONE, VSERVER_GROUP_GONE], busy: CLB_BUSY }),
  // Servers that are not backends are ignored, no error (RemoveVServerGroupBackendServers doc): success, not a code.
  removeBackendServers: write("slb", "RemoveBackendServers", false, { gone: CLB_GONE, busy: CLB_BUSY }),
  removeVServerGroupBackendServers: write("slb", "RemoveVServerGroupBackendServers", false, { gone: [...CLB_GONE, VSERVER_GROUP_GONE], busy: CLB_BUSY }),
} as const;

export const ALB = {
  listServerGroups: read("alb", "ListServerGroups"),
  listServerGroupServers: read("alb", "ListServerGroupServers", { gone: ["ResourceNotFound.ServerGroup"] }),
  // Health (GetListenerHealthStatus needs a listener id; ListListeners finds a group's listeners by its load balancers).
  listListeners: read("alb", "ListListeners"),
  getListenerHealthStatus: read("alb", "GetListenerHealthStatus"),
  updateServerGroupServersAttribute: write("alb", "UpdateServerGroupServersAttribute", true, { gone: ALB_GONE, busy: ALB_BUSY }),
  removeServersFromServerGroup: write("alb", "RemoveServersFromServerGroup", true, { gone: ALB_GONE, busy: ALB_BUSY }),
} as const;

export const ESS = {
  describeScalingInstances: read("ess", "DescribeScalingInstances"),
  // ESS DetachInstances error table: 404 InvalidScalingGroupId.NotFound, 404 InvalidInstanceId.NotFound ("Instance "XXX" does not exist").
  // Busy: 400 ScalingActivityInProgress ("... while there is a scaling activity in progress", same table);
  // terraform-provider-alicloud retries these three on instance removal (resource_alicloud_ess_attachment.go:287,
  // service_alicloud_ess.go:817). IncorrectCapacity.MinSize is an answer, not a busy state (instance-cleanup/scaling-group.ts).
  detachInstances: write("ess", "DetachInstances", true, {
    gone: ["InvalidScalingGroupId.NotFound", "InvalidInstanceId.NotFound"],
    busy: ["ScalingActivityInProgress", "IncorrectScalingGroupStatus", "InvalidOperation.Conflict"],
  }),
  // The activity a DetachInstances started: "A successful call only means that Auto Scaling accepts your request".
  describeScalingActivities: read("ess", "DescribeScalingActivities"),
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
