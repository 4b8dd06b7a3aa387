// Application Load Balancer (ALB 2020-06-16): server groups, listeners, health.
// Written from the API reference and the SDK models (@alicloud/alb20200616),
// not from the handlers.
//
// Server-group changes are asynchronous jobs. "UpdateServerGroupServersAttribute
// is an asynchronous operation. After you send a request, the system returns a
// request ID and runs the task in the background. The configurations of the
// backend servers are not updated in real time": the group is `Configuring`
// while the job runs and `Available` after; the servers are `Configuring`
// (update), `Removing` (remove, "If the backend server cannot be found, the
// backend server is no longer in the server group") or `Adding` (add) until it
// ends (API reference of each, and the SDK client.ts doc comments). So here:
// - a change answers at once with a JobId; nothing changes but the statuses
//   until the job finishes `state.albJobDurationMs` later on the state's clock
//   (0 = by the next request); old weights stay visible until then;
// - a change to a group that is not Available is refused with 400
//   IncorrectStatus.ServerGroup, the code terraform-provider-alicloud retries for
//   exactly these three calls (resource_alicloud_alb_server_group.go:850, 957,
//   1014) and the Kubernetes cloud controller manager handles too
//   (pkg/provider/alibaba/alb/server_group.go). The ALB error table itself was
//   not retrievable; the message follows NLB's documented one ("The status of
//   servergroup [%s] is incorrect");
// - `state.albJobFailures` makes jobs end Failed (ListAsynJobs Status), the
//   servers back as they were.
//
// Per-call limits (SDK models): UpdateServerGroupServersAttribute at most 40
// servers ("You can specify at most 40 ... in each call"); Add/Remove at most
// 200; ListServerGroupServers ServerIds at most 40 (CN API reference
// document_detail/2254863); MaxResults 1–100 (ListListeners, ListServerGroups,
// ListServerGroupServers) and 1–30 (GetListenerHealthStatus). Over a limit: 400
// InvalidParameter naming it (the real code for this case is unconfirmed).
//
// A server that is not in the group: 404 ResourceNotFound.BackendServer — the
// code NLB's error tables document (ALB's unconfirmed). Adding a server that is
// already there: 400 ResourceAlreadyExist.BackendServer (unconfirmed code).
//
// Health (GetListenerHealthStatus) is apart from status: each server has a
// settable health (`state.setAlbServerHealth`); only servers that are not
// normal are listed, as Initial, Unhealthy, Unused (weight 0) or Unavailable
// (checks disabled), with `HealthCheckEnabled: "on"` per group (SDK model).
import { randomUUID } from "node:crypto";
import { ApiError, invalidParameter } from "../errors";
import { objectList, optBool, optInt, optStr, repeatList, reqStr, tokenPage, type Params } from "../params";
import type { AlbJob, AlbListener, AlbServer, AlbServerGroup, CloudState } from "../state";
import type { RpcHandler, RpcProduct } from "./rpc";

export const ALB_LIMITS = { update: 40, addOrRemove: 200, serverIds: 40, loadBalancerIds: 20, healthPage: 30 } as const;

function groupOf(state: CloudState, id: string): AlbServerGroup {
  const g = state.albServerGroups.get(id);
  if (!g) throw new ApiError(404, "ResourceNotFound.ServerGroup", `The specified resource of ServerGroup "${id}" is not found.`);
  return g;
}

const notFoundServer = (id: string): ApiError => new ApiError(404, "ResourceNotFound.BackendServer", `The specified resource of BackendServer "${id}" is not found.`);
const dryRunPassed = (): ApiError => new ApiError(400, "DryRunOperation", "Request validation has been passed with DryRun flag set.");
const incorrectStatus = (g: AlbServerGroup): ApiError => new ApiError(400, "IncorrectStatus.ServerGroup", `The status of ServerGroup [${g.ServerGroupId}] is incorrect: ${g.ServerGroupStatus}.`);

interface ServerInput {
  ServerId: string;
  ServerType: AlbServer["ServerType"];
  Port?: number;
  Weight?: number;
  Description?: string;
  ServerIp?: string;
}

function serversParam(p: Params, max: number): ServerInput[] {
  const list = objectList(p, "Servers");
  if (list.length === 0) throw new ApiError(400, "MissingParameter", 'The input parameter "Servers" that is mandatory for processing this request is not supplied.');
  if (list.length > max) throw invalidParameter("Servers", `may list at most ${max} servers per call, got ${list.length}`);
  return list.map((s, i) => {
    if (!s.ServerId) throw new ApiError(400, "MissingParameter", `The input parameter "Servers.${i + 1}.ServerId" that is mandatory for processing this request is not supplied.`);
    if (!s.ServerType) throw new ApiError(400, "MissingParameter", `The input parameter "Servers.${i + 1}.ServerType" that is mandatory for processing this request is not supplied.`);
    const port = s.Port === undefined ? undefined : Number(s.Port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) throw invalidParameter(`Servers.${i + 1}.Port`, "must be 1..65535");
    const weight = s.Weight === undefined ? undefined : Number(s.Weight);
    if (weight !== undefined && !(Number.isInteger(weight) && weight >= 0 && weight <= 100)) throw invalidParameter(`Servers.${i + 1}.Weight`, "must be 0..100");
    return { ServerId: s.ServerId, ServerType: s.ServerType as AlbServer["ServerType"], Port: port, Weight: weight, Description: s.Description, ServerIp: s.ServerIp };
  });
}

function repeatParam(p: Params, name: string, max: number): string[] {
  const list = repeatList(p, name);
  if (list.length > max) throw invalidParameter(name, `may list at most ${max} values per call, got ${list.length}`);
  return list;
}

const matches = (s: AlbServer, x: ServerInput): boolean => s.ServerId === x.ServerId && (x.Port === undefined || s.Port === x.Port);

const serverView = (g: AlbServerGroup, s: AlbServer): Record<string, unknown> => ({
  ServerGroupId: g.ServerGroupId,
  ServerId: s.ServerId,
  ServerType: s.ServerType,
  Port: s.Port,
  Weight: s.Weight,
  Status: s.Status,
  ServerIp: s.ServerIp,
  Description: s.Description,
});

/** A token-paged answer (MaxResults 1–100, default 20): TotalCount, MaxResults, NextToken and one page of `key`. */
function paged<T>(p: Params, key: string, items: readonly T[], view: (item: T) => Record<string, unknown>): Record<string, unknown> {
  const r = tokenPage(p, items, { defaultMax: 20, maxMax: 100 });
  return { TotalCount: items.length, MaxResults: r.maxResults, NextToken: r.nextToken, [key]: r.items.map(view) };
}

const listServerGroups: RpcHandler = ({ p, state }) => {
  const ids = repeatList(p, "ServerGroupIds");
  const names = repeatParam(p, "ServerGroupNames", 10);
  const all = ids.length ? ids.map((id) => state.albServerGroups.get(id)).filter((g): g is AlbServerGroup => !!g) : [...state.albServerGroups.values()];
  const matched = all.filter((g) => names.length === 0 || names.includes(g.ServerGroupName));
  return paged(p, "ServerGroups", matched, (g) => ({
    ServerGroupId: g.ServerGroupId,
    ServerGroupName: g.ServerGroupName,
    ServerGroupType: g.ServerGroupType,
    ServerGroupStatus: g.ServerGroupStatus,
    Protocol: g.Protocol,
    VpcId: g.VpcId,
    ServerCount: g.Servers.length,
    RelatedLoadBalancerIds: [...g.RelatedLoadBalancerIds],
    HealthCheckConfig: { HealthCheckEnabled: g.HealthCheckEnabled },
  }));
};

/** ServerGroupId is optional (SDK model: no "This parameter is required"); without it, servers of every group, each naming its group. */
const listServerGroupServers: RpcHandler = ({ p, state }) => {
  const groupId = optStr(p, "ServerGroupId");
  const serverIds = repeatParam(p, "ServerIds", ALB_LIMITS.serverIds);
  const groups = groupId ? [groupOf(state, groupId)] : [...state.albServerGroups.values()];
  const rows: Array<[AlbServerGroup, AlbServer]> = [];
  for (const g of groups) for (const s of g.Servers) if (serverIds.length === 0 || serverIds.includes(s.ServerId)) rows.push([g, s]);
  return paged(p, "Servers", rows, ([g, s]) => serverView(g, s));
};

/** Refuses a change to a group whose job still runs; else validates (and answers a DryRun). */
function changeOf(state: CloudState, p: Params, max: number): { g: AlbServerGroup; inputs: ServerInput[] } {
  const g = groupOf(state, reqStr(p, "ServerGroupId"));
  const inputs = serversParam(p, max);
  if (g.ServerGroupStatus !== "Available") throw incorrectStatus(g);
  return { g, inputs };
}

/** The touched servers show `during` until the job ends; then Available (applied) or as they were (failed). */
function startJob(state: CloudState, g: AlbServerGroup, apiName: string, touched: AlbServer[], during: AlbServer["Status"], apply: () => void, abandon: () => void = () => undefined): Record<string, unknown> {
  const before = touched.map((s) => s.Status);
  for (const s of touched) s.Status = during;
  const job: Pick<AlbJob, "JobId" | "ApiName" | "apply" | "abandon"> = {
    JobId: randomUUID().toUpperCase(),
    ApiName: apiName,
    apply: () => {
      apply();
      for (const s of touched) s.Status = "Available";
    },
    abandon: () => {
      touched.forEach((s, i) => (s.Status = before[i]));
      abandon();
    },
  };
  return { JobId: state.startAlbJob(g, job).JobId };
}

const updateServerGroupServersAttribute: RpcHandler = ({ p, state }) => {
  const { g, inputs } = changeOf(state, p, ALB_LIMITS.update);
  const targets = inputs.map((x) => {
    const found = g.Servers.filter((s) => matches(s, x));
    if (found.length === 0) throw notFoundServer(x.ServerId);
    return [x, found] as const;
  });
  if (optBool(p, "DryRun")) throw dryRunPassed();
  const touched = targets.flatMap(([, found]) => found);
  return startJob(state, g, "UpdateServerGroupServersAttribute", touched, "Configuring", () => {
    for (const [x, found] of targets) {
      for (const s of found) {
        if (x.Weight !== undefined) s.Weight = x.Weight;
        if (x.Description !== undefined) s.Description = x.Description;
      }
    }
  });
};

const addServersToServerGroup: RpcHandler = ({ p, state }) => {
  const { g, inputs } = changeOf(state, p, ALB_LIMITS.addOrRemove);
  for (const x of inputs) {
    if (x.Port === undefined) throw new ApiError(400, "MissingParameter", 'The input parameter "Servers.N.Port" is required for this server type.');
    if (g.Servers.some((s) => s.ServerId === x.ServerId && s.Port === x.Port)) {
      throw new ApiError(400, "ResourceAlreadyExist.BackendServer", `The BackendServer "${x.ServerId}:${x.Port}" already exists in the server group.`);
    }
  }
  if (optBool(p, "DryRun")) throw dryRunPassed();
  // Listed as Adding at once ("If a backend server is in the Adding state ..."), Available when the job ends.
  const added: AlbServer[] = inputs.map((x) => ({ ServerId: x.ServerId, ServerType: x.ServerType, Port: x.Port!, Weight: x.Weight ?? 100, Status: "Adding", ServerIp: x.ServerIp ?? "", Description: x.Description ?? "", Health: "Initial" }));
  g.Servers.push(...added);
  return startJob(
    state,
    g,
    "AddServersToServerGroup",
    added,
    "Adding",
    () => added.forEach((s) => (s.Health = "Healthy")),
    () => (g.Servers = g.Servers.filter((s) => !added.includes(s))),
  );
};

const removeServersFromServerGroup: RpcHandler = ({ p, state }) => {
  const { g, inputs } = changeOf(state, p, ALB_LIMITS.addOrRemove);
  for (const x of inputs) if (!g.Servers.some((s) => matches(s, x))) throw notFoundServer(x.ServerId);
  if (optBool(p, "DryRun")) throw dryRunPassed();
  const leaving = g.Servers.filter((s) => inputs.some((x) => matches(s, x)));
  return startJob(state, g, "RemoveServersFromServerGroup", leaving, "Removing", () => (g.Servers = g.Servers.filter((s) => !leaving.includes(s))));
};

/** ListListeners: LoadBalancerIds / ListenerIds at most 20 each, MaxResults 1–100 (SDK model). */
const listListeners: RpcHandler = ({ p, state }) => {
  const lbs = repeatParam(p, "LoadBalancerIds", ALB_LIMITS.loadBalancerIds);
  const ids = repeatParam(p, "ListenerIds", ALB_LIMITS.loadBalancerIds);
  const matched = [...state.albListeners.values()].filter((l) => (lbs.length === 0 || lbs.includes(l.LoadBalancerId)) && (ids.length === 0 || ids.includes(l.ListenerId)));
  return paged(p, "Listeners", matched, (l) => ({
    ListenerId: l.ListenerId,
    LoadBalancerId: l.LoadBalancerId,
    ListenerPort: l.ListenerPort,
    ListenerProtocol: l.ListenerProtocol,
    ListenerStatus: l.ListenerStatus,
    DefaultActions: [{ Type: "ForwardGroup", ForwardGroupConfig: { ServerGroupTuples: l.ServerGroupIds.map((ServerGroupId) => ({ ServerGroupId })) } }],
  }));
};

/** A server as NonNormalServers shows it, or undefined when it is normal (not listed). */
function nonNormal(g: AlbServerGroup, s: AlbServer): Record<string, unknown> | undefined {
  const status = !g.HealthCheckEnabled ? "Unavailable" : s.Weight === 0 ? "Unused" : s.Status === "Adding" ? "Initial" : (s.Health ?? "Healthy");
  if (status === "Healthy") return undefined;
  return { ServerId: s.ServerId, ServerIp: s.ServerIp, Port: s.Port, Status: status, ...(status === "Unhealthy" ? { Reason: { ReasonCode: "CONNECT_FAILED" } } : {}) };
}

/**
 * GetListenerHealthStatus: the listener's default forwarding (ListenerHealthStatus)
 * and, with IncludeRule, its rules (RuleHealthStatus; none modelled). How the
 * real API pages is not documented beyond MaxResults 1–30 and NextToken: here
 * it pages the server-group entries.
 */
const getListenerHealthStatus: RpcHandler = ({ p, state }) => {
  const id = reqStr(p, "ListenerId");
  const l: AlbListener | undefined = state.albListeners.get(id);
  if (!l) throw new ApiError(404, "ResourceNotFound.Listener", `The specified resource of Listener "${id}" is not found.`);
  optInt(p, "MaxResults", { min: 1, max: ALB_LIMITS.healthPage });
  const infos = l.ServerGroupIds.map((gid) => state.albServerGroups.get(gid)).filter((g): g is AlbServerGroup => !!g).map((g) => ({
    ServerGroupId: g.ServerGroupId,
    ActionType: "ForwardGroup",
    HealthCheckEnabled: g.HealthCheckEnabled ? "on" : "off",
    NonNormalServers: g.Servers.map((s) => nonNormal(g, s)).filter((x) => !!x),
  }));
  const r = tokenPage(p, infos, { defaultMax: 20, maxMax: ALB_LIMITS.healthPage });
  return {
    NextToken: r.nextToken,
    ListenerHealthStatus: [{ ListenerId: l.ListenerId, ListenerPort: l.ListenerPort, ListenerProtocol: l.ListenerProtocol.toLowerCase(), ServerGroupInfos: r.items }],
    ...(optBool(p, "IncludeRule") ? { RuleHealthStatus: [] } : {}),
  };
};

/** Every handler first finishes the jobs whose time has come. */
const settled = (h: RpcHandler): RpcHandler => (ctx) => {
  ctx.state.settleAlbJobs();
  return h(ctx);
};

export const alb: RpcProduct = {
  product: "ALB",
  version: "2020-06-16",
  host: "alb.cn-hangzhou.aliyuncs.com",
  handlers: Object.fromEntries(
    Object.entries({
      ListServerGroups: listServerGroups,
      ListServerGroupServers: listServerGroupServers,
      UpdateServerGroupServersAttribute: updateServerGroupServersAttribute,
      AddServersToServerGroup: addServersToServerGroup,
      RemoveServersFromServerGroup: removeServersFromServerGroup,
      ListListeners: listListeners,
      GetListenerHealthStatus: getListenerHealthStatus,
    }).map(([name, h]) => [name, settled(h)]),
  ),
};
