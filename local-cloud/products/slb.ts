// Classic Load Balancer (SLB 2014-05-15): load balancers, the default server
// group, vServer groups, backend health.
//
// Removing a server that is not a backend: the API reference states that
// RemoveBackendServers and RemoveVServerGroupBackendServers ignore such servers
// and report no error; this fake does the same (success, state unchanged).
// SetBackendServers / SetVServerGroupAttribute for a server that is not a
// backend: (unconfirmed) — ignored here too.
//
// At most 20 backend servers per call (SDK model remarks of Add/Set/Remove
// BackendServers and the vServer group calls); more: 400 InvalidParameter
// naming the limit (the real code for this case is unconfirmed). CLB applies
// these changes synchronously (no job, no asynchronous wording in their API
// reference, unlike ALB). Health (DescribeHealthStatus ServerHealthStatus
// normal / abnormal / unavailable, doc-detail/27635) is per backend and apart
// from weight: `state.setBackendHealth`.
import { ApiError, invalidParameter } from "../errors";
import { isoSeconds } from "../encoding";
import { jsonParam, optStr, page, pageParams, reqStr } from "../params";
import type { BackendType, ClbBackend, CloudState, LoadBalancer, VServerBackend, VServerGroup } from "../state";
import type { RpcHandler, RpcProduct } from "./rpc";

export const MAX_BACKENDS_PER_CALL = 20;

const lbNotFound = (id: string): ApiError => new ApiError(404, "InvalidLoadBalancerId.NotFound", `The specified LoadBalancerId "${id}" does not exist.`);
// Real answer seen by terraform-provider-alicloud: InvalidParameter with this message.
const vsgNotFound = (): ApiError => new ApiError(400, "InvalidParameter", "The specified VServerGroupId does not exist.");

function lbOf(state: CloudState, id: string): LoadBalancer {
  const lb = state.loadBalancers.get(id);
  if (!lb) throw lbNotFound(id);
  return lb;
}

function vsgOf(state: CloudState, id: string): VServerGroup {
  const g = state.vServerGroups.get(id);
  if (!g) throw vsgNotFound();
  return g;
}

interface BackendInput {
  ServerId: string;
  Weight?: number;
  Type: BackendType;
  Port?: number;
  Description?: string;
}

/** `BackendServers`: a JSON string; a list of objects, or (older form, removal only) of IDs. */
function backendsParam(p: Parameters<RpcHandler>[0]["p"], opts: { needPort?: boolean } = {}): BackendInput[] {
  const raw = jsonParam<unknown>(p, "BackendServers");
  if (raw === undefined) throw new ApiError(400, "MissingParameter", 'The input parameter "BackendServers" that is mandatory for processing this request is not supplied.');
  if (!Array.isArray(raw)) throw invalidParameter("BackendServers", "must be a JSON array");
  if (raw.length > MAX_BACKENDS_PER_CALL) throw invalidParameter("BackendServers", `may list at most ${MAX_BACKENDS_PER_CALL} servers per call`);
  return raw.map((item): BackendInput => {
    if (typeof item === "string") return { ServerId: item, Type: "ecs" };
    if (!item || typeof item !== "object" || typeof (item as { ServerId?: unknown }).ServerId !== "string") {
      throw invalidParameter("BackendServers", "items need a ServerId");
    }
    const o = item as Record<string, unknown>;
    const weight = o.Weight === undefined ? undefined : Number(o.Weight);
    if (weight !== undefined && !(Number.isInteger(weight) && weight >= 0 && weight <= 100)) throw invalidParameter("BackendServers", "Weight must be 0..100");
    const port = o.Port === undefined ? undefined : Number(o.Port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) throw invalidParameter("BackendServers", "Port must be 1..65535");
    if (opts.needPort && port === undefined) throw invalidParameter("BackendServers", "Port is required for vServer group backends");
    const type = (o.Type === undefined ? "ecs" : String(o.Type)) as BackendType;
    if (!["ecs", "eni", "eci"].includes(type)) throw invalidParameter("BackendServers", "Type must be ecs, eni or eci");
    return { ServerId: o.ServerId as string, Weight: weight, Type: type, Port: port, Description: o.Description === undefined ? undefined : String(o.Description) };
  });
}

const clbView = (b: ClbBackend): Record<string, unknown> => ({ ServerId: b.ServerId, Weight: b.Weight, Type: b.Type, Description: b.Description });
const vsgBackendView = (b: VServerBackend): Record<string, unknown> => ({ ServerId: b.ServerId, Port: b.Port, Weight: b.Weight, Type: b.Type, Description: b.Description });

function lbSummary(lb: LoadBalancer): Record<string, unknown> {
  return {
    LoadBalancerId: lb.LoadBalancerId,
    LoadBalancerName: lb.LoadBalancerName,
    LoadBalancerStatus: lb.LoadBalancerStatus,
    Address: lb.Address,
    AddressType: "intranet",
    NetworkType: "vpc",
    RegionId: lb.RegionId,
    RegionIdAlias: lb.RegionId,
    CreateTime: isoSeconds(lb.CreateTime).replace(/:\d{2}Z$/, "Z"),
    CreateTimeStamp: lb.CreateTime,
  };
}

/**
 * `ServerId`: "The ID of the backend server that is added to the CLB instance"
 * (API reference). Whether a server only in a vServer group counts is not
 * documented: by default it does not (state.clbServerIdMatchesVServerGroups).
 */
function holdsServer(state: CloudState, lb: LoadBalancer, serverId: string): boolean {
  if (state.clbServerIdMatchesVServerGroups) return !!state.lbsByServer.get(serverId)?.has(lb.LoadBalancerId);
  return lb.BackendServers.some((b) => b.ServerId === serverId);
}

const describeLoadBalancers: RpcHandler = ({ p, state }) => {
  const serverId = optStr(p, "ServerId");
  const ids = optStr(p, "LoadBalancerId")?.split(",").map((s) => s.trim()).filter(Boolean);
  const region = optStr(p, "RegionId");
  let source: LoadBalancer[];
  if (ids) source = ids.map((id) => state.loadBalancers.get(id)).filter((lb): lb is LoadBalancer => !!lb);
  else if (serverId) source = state.loadBalancerIdsOfServer(serverId).map((id) => state.loadBalancers.get(id)!);
  else source = [...state.loadBalancers.values()];
  const matched = source.filter((lb) => (region === undefined || lb.RegionId === region) && (serverId === undefined || holdsServer(state, lb, serverId)));
  const { pageNumber, pageSize } = pageParams(p, { defaultSize: 50, maxSize: 100 });
  return { TotalCount: matched.length, PageNumber: pageNumber, PageSize: pageSize, LoadBalancers: { LoadBalancer: page(matched, pageNumber, pageSize).map(lbSummary) } };
};

const describeLoadBalancerAttribute: RpcHandler = ({ p, state }) => {
  const lb = lbOf(state, reqStr(p, "LoadBalancerId"));
  return {
    ...lbSummary(lb),
    ListenerPorts: { ListenerPort: [...lb.ListenerPorts] },
    BackendServers: { BackendServer: lb.BackendServers.map(clbView) },
  };
};

const backendsResult = (lb: LoadBalancer): Record<string, unknown> => ({
  LoadBalancerId: lb.LoadBalancerId,
  BackendServers: { BackendServer: lb.BackendServers.map(clbView) },
});

const setBackendServers: RpcHandler = ({ p, state }) => {
  const lb = lbOf(state, reqStr(p, "LoadBalancerId"));
  for (const b of backendsParam(p)) {
    const existing = lb.BackendServers.find((x) => x.ServerId === b.ServerId);
    if (!existing) continue;
    if (b.Weight !== undefined) existing.Weight = b.Weight;
    if (b.Description !== undefined) existing.Description = b.Description;
  }
  return backendsResult(lb);
};

const addBackendServers: RpcHandler = ({ p, state }) => {
  const lb = lbOf(state, reqStr(p, "LoadBalancerId"));
  for (const b of backendsParam(p)) state.attachClbBackend(lb, { ServerId: b.ServerId, Weight: b.Weight ?? 100, Type: b.Type, Description: b.Description ?? "" });
  return backendsResult(lb);
};

const removeBackendServers: RpcHandler = ({ p, state }) => {
  const lb = lbOf(state, reqStr(p, "LoadBalancerId"));
  for (const b of backendsParam(p)) state.detachClbBackend(lb, b.ServerId); // not a backend: ignored, as documented
  return backendsResult(lb);
};

const describeVServerGroups: RpcHandler = ({ p, state }) => {
  const lb = lbOf(state, reqStr(p, "LoadBalancerId"));
  return {
    VServerGroups: {
      VServerGroup: lb.VServerGroupIds.map((id) => state.vServerGroups.get(id)!).map((g) => ({
        VServerGroupId: g.VServerGroupId,
        VServerGroupName: g.VServerGroupName,
        AssociatedObjects: { Listeners: { Listener: [] }, Rules: { Rule: [] } },
      })),
    },
  };
};

const vsgResult = (g: VServerGroup): Record<string, unknown> => ({
  VServerGroupId: g.VServerGroupId,
  VServerGroupName: g.VServerGroupName,
  LoadBalancerId: g.LoadBalancerId,
  BackendServers: { BackendServer: g.BackendServers.map(vsgBackendView) },
});

const describeVServerGroupAttribute: RpcHandler = ({ p, state }) => vsgResult(vsgOf(state, reqStr(p, "VServerGroupId")));

const setVServerGroupAttribute: RpcHandler = ({ p, state }) => {
  const g = vsgOf(state, reqStr(p, "VServerGroupId"));
  const name = optStr(p, "VServerGroupName");
  if (name !== undefined) g.VServerGroupName = name;
  if (optStr(p, "BackendServers") !== undefined) {
    for (const b of backendsParam(p, { needPort: true })) {
      const existing = g.BackendServers.find((x) => x.ServerId === b.ServerId && x.Port === b.Port);
      if (!existing) continue;
      if (b.Weight !== undefined) existing.Weight = b.Weight;
      if (b.Description !== undefined) existing.Description = b.Description;
    }
  }
  return vsgResult(g);
};

const addVServerGroupBackendServers: RpcHandler = ({ p, state }) => {
  const g = vsgOf(state, reqStr(p, "VServerGroupId"));
  for (const b of backendsParam(p, { needPort: true })) {
    state.attachVServerBackend(g, { ServerId: b.ServerId, Port: b.Port!, Weight: b.Weight ?? 100, Type: b.Type, Description: b.Description ?? "" });
  }
  return vsgResult(g);
};

const removeVServerGroupBackendServers: RpcHandler = ({ p, state }) => {
  const g = vsgOf(state, reqStr(p, "VServerGroupId"));
  for (const b of backendsParam(p, { needPort: true })) state.detachVServerBackend(g, b.ServerId, b.Port); // absent: ignored, as documented
  return vsgResult(g);
};

const describeHealthStatus: RpcHandler = ({ p, state }) => {
  const lb = lbOf(state, reqStr(p, "LoadBalancerId"));
  const listenerPort = optStr(p, "ListenerPort");
  const ports = listenerPort ? [Number(listenerPort)] : lb.ListenerPorts;
  const rows: Array<Record<string, unknown>> = [];
  for (const lp of ports) {
    for (const b of lb.BackendServers) {
      rows.push({ ListenerPort: lp, Port: lp, Protocol: "http", ServerId: b.ServerId, ServerIp: "", ServerHealthStatus: lb.Health.get(b.ServerId) ?? "normal" });
    }
  }
  for (const id of lb.VServerGroupIds) {
    for (const b of state.vServerGroups.get(id)!.BackendServers) {
      rows.push({ ListenerPort: ports[0] ?? 80, Port: b.Port, Protocol: "http", ServerId: b.ServerId, ServerIp: "", ServerHealthStatus: lb.Health.get(b.ServerId) ?? "normal" });
    }
  }
  return { BackendServers: { BackendServer: rows } };
};

export const slb: RpcProduct = {
  product: "SLB",
  version: "2014-05-15",
  host: "slb.aliyuncs.com",
  handlers: {
    DescribeLoadBalancers: describeLoadBalancers,
    DescribeLoadBalancerAttribute: describeLoadBalancerAttribute,
    SetBackendServers: setBackendServers,
    AddBackendServers: addBackendServers,
    RemoveBackendServers: removeBackendServers,
    DescribeVServerGroups: describeVServerGroups,
    DescribeVServerGroupAttribute: describeVServerGroupAttribute,
    SetVServerGroupAttribute: setVServerGroupAttribute,
    AddVServerGroupBackendServers: addVServerGroupBackendServers,
    RemoveVServerGroupBackendServers: removeVServerGroupBackendServers,
    DescribeHealthStatus: describeHealthStatus,
  },
};
