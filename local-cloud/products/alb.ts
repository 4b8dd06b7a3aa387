// Application Load Balancer (ALB 2020-06-16) server groups. ALB's JSON uses
// plain arrays (`Servers: [...]`), token paging, and returns a JobId for
// changes (applied synchronously here).
//
// A server that is not in the group: 404 ResourceNotFound.BackendServer
// ("The specified resource of BackendServer is not found."), the code
// terraform-provider-alicloud treats as "already removed". Adding a server that
// is already there: 400 ResourceAlreadyExist.BackendServer (unconfirmed code).
import { randomUUID } from "node:crypto";
import { ApiError, invalidParameter } from "../errors";
import { objectList, optBool, optStr, repeatList, reqStr, tokenPage, type Params } from "../params";
import type { AlbServer, AlbServerGroup, CloudState } from "../state";
import type { RpcHandler, RpcProduct } from "./rpc";

const MAX_SERVERS_PER_CALL = 200;

function groupOf(state: CloudState, id: string): AlbServerGroup {
  const g = state.albServerGroups.get(id);
  if (!g) throw new ApiError(404, "ResourceNotFound.ServerGroup", `The specified resource of ServerGroup "${id}" is not found.`);
  return g;
}

const notFoundServer = (id: string): ApiError => new ApiError(404, "ResourceNotFound.BackendServer", `The specified resource of BackendServer "${id}" is not found.`);
const dryRunPassed = (): ApiError => new ApiError(400, "DryRunOperation", "Request validation has been passed with DryRun flag set.");

interface ServerInput {
  ServerId: string;
  ServerType: AlbServer["ServerType"];
  Port?: number;
  Weight?: number;
  Description?: string;
  ServerIp?: string;
}

function serversParam(p: Params): ServerInput[] {
  const list = objectList(p, "Servers");
  if (list.length === 0) throw new ApiError(400, "MissingParameter", 'The input parameter "Servers" that is mandatory for processing this request is not supplied.');
  if (list.length > MAX_SERVERS_PER_CALL) throw invalidParameter("Servers", `may list at most ${MAX_SERVERS_PER_CALL} servers`);
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

const listServerGroups: RpcHandler = ({ p, state }) => {
  const ids = repeatList(p, "ServerGroupIds");
  const names = repeatList(p, "ServerGroupNames");
  const all = ids.length ? ids.map((id) => state.albServerGroups.get(id)).filter((g): g is AlbServerGroup => !!g) : [...state.albServerGroups.values()];
  const matched = all.filter((g) => names.length === 0 || names.includes(g.ServerGroupName));
  const r = tokenPage(p, matched, { defaultMax: 20, maxMax: 100 });
  return {
    TotalCount: matched.length,
    MaxResults: r.maxResults,
    NextToken: r.nextToken,
    ServerGroups: r.items.map((g) => ({
      ServerGroupId: g.ServerGroupId,
      ServerGroupName: g.ServerGroupName,
      ServerGroupType: g.ServerGroupType,
      ServerGroupStatus: g.ServerGroupStatus,
      Protocol: g.Protocol,
      VpcId: g.VpcId,
      ServerCount: g.Servers.length,
    })),
  };
};

const listServerGroupServers: RpcHandler = ({ p, state }) => {
  const groupId = optStr(p, "ServerGroupId");
  const serverIds = repeatList(p, "ServerIds");
  const groups = groupId ? [groupOf(state, groupId)] : [...state.albServerGroups.values()];
  const rows: Array<[AlbServerGroup, AlbServer]> = [];
  for (const g of groups) for (const s of g.Servers) if (serverIds.length === 0 || serverIds.includes(s.ServerId)) rows.push([g, s]);
  const r = tokenPage(p, rows, { defaultMax: 20, maxMax: 100 });
  return { TotalCount: rows.length, MaxResults: r.maxResults, NextToken: r.nextToken, Servers: r.items.map(([g, s]) => serverView(g, s)) };
};

const job = (): Record<string, unknown> => ({ JobId: randomUUID().toUpperCase() });

const updateServerGroupServersAttribute: RpcHandler = ({ p, state }) => {
  const g = groupOf(state, reqStr(p, "ServerGroupId"));
  const inputs = serversParam(p);
  const targets = inputs.map((x) => {
    const found = g.Servers.filter((s) => matches(s, x));
    if (found.length === 0) throw notFoundServer(x.ServerId);
    return [x, found] as const;
  });
  if (optBool(p, "DryRun")) throw dryRunPassed();
  for (const [x, found] of targets) {
    for (const s of found) {
      if (x.Weight !== undefined) s.Weight = x.Weight;
      if (x.Description !== undefined) s.Description = x.Description;
    }
  }
  return job();
};

const addServersToServerGroup: RpcHandler = ({ p, state }) => {
  const g = groupOf(state, reqStr(p, "ServerGroupId"));
  const inputs = serversParam(p);
  for (const x of inputs) {
    if (x.Port === undefined) throw new ApiError(400, "MissingParameter", 'The input parameter "Servers.N.Port" is required for this server type.');
    if (g.Servers.some((s) => s.ServerId === x.ServerId && s.Port === x.Port)) {
      throw new ApiError(400, "ResourceAlreadyExist.BackendServer", `The BackendServer "${x.ServerId}:${x.Port}" already exists in the server group.`);
    }
  }
  if (optBool(p, "DryRun")) throw dryRunPassed();
  for (const x of inputs) {
    g.Servers.push({ ServerId: x.ServerId, ServerType: x.ServerType, Port: x.Port!, Weight: x.Weight ?? 100, Status: "Available", ServerIp: x.ServerIp ?? "", Description: x.Description ?? "" });
  }
  return job();
};

const removeServersFromServerGroup: RpcHandler = ({ p, state }) => {
  const g = groupOf(state, reqStr(p, "ServerGroupId"));
  const inputs = serversParam(p);
  for (const x of inputs) if (!g.Servers.some((s) => matches(s, x))) throw notFoundServer(x.ServerId);
  if (optBool(p, "DryRun")) throw dryRunPassed();
  g.Servers = g.Servers.filter((s) => !inputs.some((x) => matches(s, x)));
  return job();
};

export const alb: RpcProduct = {
  product: "ALB",
  version: "2020-06-16",
  host: "alb.cn-hangzhou.aliyuncs.com",
  handlers: {
    ListServerGroups: listServerGroups,
    ListServerGroupServers: listServerGroupServers,
    UpdateServerGroupServersAttribute: updateServerGroupServersAttribute,
    AddServersToServerGroup: addServersToServerGroup,
    RemoveServersFromServerGroup: removeServersFromServerGroup,
  },
};
