// A handler's RAM policy document: only the actions its code calls, each
// narrowed as far as RAM lets it be. Data-plane actions go to this stack's
// marker bucket prefixes, dead-letter queue and alert topic; mutating cloud
// actions to the resource types their "RAM authorization" tables name, in the
// stack's region and account, and ECS instance actions also to instances
// carrying the scope tag (`acs:ResourceTag/<key>`). What RAM cannot scope is
// listed with its source and named in the policy's description. Pure, so it is
// tested directly and the policy pack re-checks it (handler-least-privilege).

export interface RolePolicyInput {
  actions: string[];
  region: string;
  accountId: string;
  markerBucket: string;
  /** Object prefixes the handler reads and writes (markers, pending actions). */
  objectPrefixes: string[];
  deadLetterQueue: string;
  /** MNS topic for the handler's own CRITICAL alerts. */
  alertTopic: string;
  /** The handlers' scope tag (automation.scopeTag): instance actions are allowed only on instances carrying it. */
  scopeTag?: { key: string; value: string };
}

/** MNS actions on topics; every other MNS action the handlers use is on the dead-letter queue. */
const TOPIC_ACTIONS = new Set(["mns:PublishMessage"]);

/**
 * RAM's read access levels (get, list) by name: Describe*, List*, Get*, Query*, Check*. Everything
 * else changes something (update, create, delete: the "Access level" column of each API's RAM table).
 */
export function isReadAction(action: string): boolean {
  return /^[a-z0-9-]+:(Describe|List|Get|Query|Check)[A-Z]/.test(action);
}

type ResourceKind = "ecs-instance" | "clb" | "alb";

/**
 * Mutating actions and the resources their RAM authorization tables name.
 * - ECS instance actions: `*Instance acs:ecs:{#regionId}:{#accountId}:instance/{#instanceId}` (RebootInstances
 *   doc table; the ECS RAM reference gives instance-level authorization for the instance actions), and ECS
 *   evaluates `acs:ResourceTag/<tag-key>` against the instance's tags (RAM "Use tags to restrict RAM users to
 *   managing specific ECS instances").
 * - CLB backend writes: `loadbalancer acs:slb:{#regionId}:{#accountId}:loadbalancer/{#loadbalancerId}` and the
 *   backend `instance acs:ecs:…:instance/{#instanceId}` (RemoveVServerGroupBackendServers; "Use RAM to manage CLB
 *   permissions", example 2). No tag condition: it would apply to the load balancer too, which carries no scope tag.
 * - ALB server-group writes: `*ServerGroup acs:alb:{#regionId}:{#accountId}:servergroup/{#servergroupId}` and the
 *   backend (UpdateServerGroupServersAttribute names `acs:ecs:…:ecs/{#ecsId}`, RemoveServersFromServerGroup
 *   `acs:alb:…:ecs/{#InstanceId}`); group ids are found at run time, so `servergroup/*` of this region and account.
 */
export const SCOPED_ACTIONS: Readonly<Record<string, ResourceKind>> = {
  "ecs:RebootInstance": "ecs-instance",
  "ecs:RedeployInstance": "ecs-instance",
  "ecs:RenewInstance": "ecs-instance",
  "slb:SetBackendServers": "clb",
  "slb:SetVServerGroupAttribute": "clb",
  "slb:RemoveBackendServers": "clb",
  "slb:RemoveVServerGroupBackendServers": "clb",
  "alb:UpdateServerGroupServersAttribute": "alb",
  "alb:RemoveServersFromServerGroup": "alb",
};

/** Mutating actions RAM cannot scope by resource: `Resource: "*"` is the only form it accepts. Each with its source. */
export const UNSCOPABLE_ACTIONS: Readonly<Record<string, string>> = {
  "ecs:AcceptInquiredSystemEvent": 'its RAM table lists "All Resources" (ECS API AcceptInquiredSystemEvent, RAM authorization)',
  "ess:DetachInstances": "ESS publishes no authorization information for it (ESS API DetachInstances, 2014-08-28)",
};

function resourcesOf(kind: ResourceKind, p: RolePolicyInput): string[] {
  const at = `${p.region}:${p.accountId}`;
  switch (kind) {
    case "ecs-instance":
      return [`acs:ecs:${at}:instance/*`];
    case "clb":
      return [`acs:slb:${at}:loadbalancer/*`, `acs:ecs:${at}:instance/*`];
    case "alb":
      return [`acs:alb:${at}:servergroup/*`, `acs:ecs:${at}:ecs/*`, `acs:alb:${at}:ecs/*`];
  }
}

/** The statements for the cloud (non-OSS, non-MNS) actions: reads on `*`, mutations scoped per SCOPED_ACTIONS. */
interface PolicyStatement {
  Effect: "Allow";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

function cloudStatements(actions: string[], p: RolePolicyInput): PolicyStatement[] {
  const unknown = actions.filter((a) => !isReadAction(a) && !SCOPED_ACTIONS[a] && !UNSCOPABLE_ACTIONS[a]);
  if (unknown.length) throw new Error(`no RAM resource scope is known for ${unknown.join(", ")}: add each to SCOPED_ACTIONS (with its RAM table) or UNSCOPABLE_ACTIONS (with the source saying RAM cannot scope it), infra/automation/role-policy.ts`);
  const reads = actions.filter(isReadAction);
  const unscopable = actions.filter((a) => UNSCOPABLE_ACTIONS[a]);
  const byKind = (kind: ResourceKind) => actions.filter((a) => SCOPED_ACTIONS[a] === kind);
  const tag = p.scopeTag && { StringEquals: { [`acs:ResourceTag/${p.scopeTag.key}`]: [p.scopeTag.value] } };
  const statements: (PolicyStatement | false)[] = [
    reads.length > 0 && { Effect: "Allow", Action: reads, Resource: ["*"] },
    ...(["ecs-instance", "clb", "alb"] as const).map((kind): PolicyStatement | false => {
      const scoped = byKind(kind);
      return scoped.length > 0 && { Effect: "Allow", Action: scoped, Resource: resourcesOf(kind, p), ...(kind === "ecs-instance" && tag ? { Condition: tag } : {}) };
    }),
    unscopable.length > 0 && { Effect: "Allow", Action: unscopable, Resource: ["*"] },
  ];
  return statements.filter((s): s is PolicyStatement => s !== false);
}

export function handlerPolicyDocument(p: RolePolicyInput): string {
  const oss = p.actions.filter((a) => a.startsWith("oss:"));
  const mns = p.actions.filter((a) => a.startsWith("mns:") && !TOPIC_ACTIONS.has(a));
  const topic = p.actions.filter((a) => TOPIC_ACTIONS.has(a));
  const rest = p.actions.filter((a) => !a.startsWith("oss:") && !a.startsWith("mns:"));
  const statements = [
    ...cloudStatements(rest, p),
    oss.length > 0 && { Effect: "Allow", Action: oss, Resource: p.objectPrefixes.map((prefix) => `acs:oss:*:${p.accountId}:${p.markerBucket}/${prefix}/*`) },
    mns.length > 0 && { Effect: "Allow", Action: mns, Resource: [`acs:mns:${p.region}:${p.accountId}:/queues/${p.deadLetterQueue}/messages`] },
    topic.length > 0 && { Effect: "Allow", Action: topic, Resource: [`acs:mns:${p.region}:${p.accountId}:/topics/${p.alertTopic}/messages`] },
  ].filter(Boolean);
  return JSON.stringify({ Version: "1", Statement: statements });
}

/**
 * The policy's description: what it allows, and which of its actions stand on all resources because RAM
 * cannot scope them. RAM statements have no Sid or description element (RAM "Policy structure and syntax":
 * Effect, Action/NotAction, Resource, Condition), so this is where the policy says so. At most 1,024 characters (CreatePolicy).
 */
export function handlerPolicyDescription(handler: string, actions: readonly string[]): string {
  const unscopable = actions.filter((a) => UNSCOPABLE_ACTIONS[a]);
  const base = `Only the actions ${handler} calls; mutations scoped by resource (and scope tag for ECS instances) where RAM allows it`;
  const why = unscopable.map((a) => `${a}: ${UNSCOPABLE_ACTIONS[a]}`).join("; ");
  return (unscopable.length ? `${base}. On all resources because RAM cannot scope them: ${why}` : base).slice(0, 1024);
}

/** Function Compute assumes the handler's role. */
export const FC_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "1",
  Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: ["fc.aliyuncs.com"] } }],
});
