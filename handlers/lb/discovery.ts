// Finds every place an instance serves traffic from: the default server group
// of every classic load balancer (CLB), every CLB vServer group, and every ALB
// server group. Read-only.
import { ALB, SLB } from "../core/apis";
import { forEachLimited, throwIfFailed } from "../core/concurrency";
import type { CloudGateway } from "../core/gateway";
import { listOf, num, str } from "../cloud/rpc-response";

/** One backend entry (an instance can sit in one group on several ports). */
export interface Backend {
  serverId: string;
  port?: number;
  weight?: number;
  type?: string;
}

export type Membership =
  | { kind: "clb-default"; loadBalancerId: string; entries: Backend[]; others: Backend[] }
  | { kind: "clb-vserver"; loadBalancerId: string; vServerGroupId: string; entries: Backend[]; others: Backend[] }
  | { kind: "alb"; serverGroupId: string; entries: Backend[]; others: Backend[] };

export function describeTarget(m: Membership): string {
  switch (m.kind) {
    case "clb-default":
      return `CLB ${m.loadBalancerId}`;
    case "clb-vserver":
      return `CLB ${m.loadBalancerId} vServer group ${m.vServerGroupId}`;
    case "alb":
      return `ALB server group ${m.serverGroupId}`;
  }
}

/** The reads discovery makes (for the RAM policy). */
export const DISCOVERY_APIS = [SLB.describeLoadBalancers, SLB.describeLoadBalancerAttribute, SLB.describeVServerGroups, SLB.describeVServerGroupAttribute, ALB.listServerGroups, ALB.listServerGroupServers] as const;

export function summarize(memberships: Membership[]): string {
  const count = (kind: Membership["kind"]) => memberships.filter((m) => m.kind === kind).length;
  return `${count("clb-default")} CLB default group(s), ${count("clb-vserver")} vServer group(s), ${count("alb")} ALB server group(s)`;
}

export interface DiscoveryOptions {
  regionId: string;
  /** `server-id`: DescribeLoadBalancers filtered by ServerId; `all`: every CLB in the region. */
  clbDiscovery: "server-id" | "all";
  concurrency: number;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 100;

export async function discoverMemberships(cloud: CloudGateway, instanceId: string, o: DiscoveryOptions): Promise<Membership[]> {
  const [clb, alb] = await Promise.all([discoverClb(cloud, instanceId, o), discoverAlb(cloud, instanceId, o)]);
  return [...clb, ...alb];
}

async function discoverClb(cloud: CloudGateway, instanceId: string, o: DiscoveryOptions): Promise<Membership[]> {
  const ids: string[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await cloud.read(SLB.describeLoadBalancers, {
      RegionId: o.regionId,
      ...(o.clbDiscovery === "server-id" ? { ServerId: instanceId } : {}),
      PageNumber: page,
      PageSize: PAGE_SIZE,
    });
    const found = listOf(body, "LoadBalancers", "LoadBalancer").map((lb) => str(lb.LoadBalancerId)).filter((id): id is string => !!id);
    ids.push(...found);
    const total = num(body.TotalCount);
    if (found.length < PAGE_SIZE || (total !== undefined && ids.length >= total)) break;
  }
  const { results, failures } = await forEachLimited([...new Set(ids)], o.concurrency, (id) => clbMemberships(cloud, instanceId, id, o));
  throwIfFailed("CLB discovery", failures, (id) => `CLB ${id}`);
  return results.flat();
}

async function clbMemberships(cloud: CloudGateway, instanceId: string, loadBalancerId: string, o: DiscoveryOptions): Promise<Membership[]> {
  const out: Membership[] = [];
  const [attribute, groups] = await Promise.all([
    cloud.read(SLB.describeLoadBalancerAttribute, { RegionId: o.regionId, LoadBalancerId: loadBalancerId }),
    cloud.read(SLB.describeVServerGroups, { RegionId: o.regionId, LoadBalancerId: loadBalancerId }),
  ]);
  const defaults = listOf(attribute, "BackendServers", "BackendServer").map(toBackend);
  const mine = defaults.filter((b) => b.serverId === instanceId);
  if (mine.length) out.push({ kind: "clb-default", loadBalancerId, entries: mine, others: defaults.filter((b) => b.serverId !== instanceId) });

  const groupIds = listOf(groups, "VServerGroups", "VServerGroup").map((g) => str(g.VServerGroupId)).filter((id): id is string => !!id);
  const { results, failures } = await forEachLimited(groupIds, o.concurrency, async (vServerGroupId): Promise<Membership | undefined> => {
    const group = await cloud.read(SLB.describeVServerGroupAttribute, { RegionId: o.regionId, VServerGroupId: vServerGroupId });
    const backends = listOf(group, "BackendServers", "BackendServer").map(toBackend);
    const entries = backends.filter((b) => b.serverId === instanceId);
    return entries.length ? { kind: "clb-vserver", loadBalancerId, vServerGroupId, entries, others: backends.filter((b) => b.serverId !== instanceId) } : undefined;
  });
  throwIfFailed("vServer group discovery", failures, (id) => `vServer group ${id}`);
  return [...out, ...results.filter((m): m is Membership => !!m)];
}

async function discoverAlb(cloud: CloudGateway, instanceId: string, o: DiscoveryOptions): Promise<Membership[]> {
  const groupIds: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await cloud.read(ALB.listServerGroups, { MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) });
    groupIds.push(...listOf(body, "ServerGroups").map((g) => str(g.ServerGroupId)).filter((id): id is string => !!id));
    token = str(body.NextToken);
    if (!token) break;
  }
  const { results, failures } = await forEachLimited(groupIds, o.concurrency, async (serverGroupId): Promise<Membership | undefined> => {
    const servers = await listAlbServers(cloud, serverGroupId);
    const entries = servers.filter((s) => s.serverId === instanceId);
    return entries.length ? { kind: "alb", serverGroupId, entries, others: servers.filter((s) => s.serverId !== instanceId) } : undefined;
  });
  throwIfFailed("ALB discovery", failures, (id) => `ALB server group ${id}`);
  return results.filter((m): m is Membership => !!m);
}

/** Every server of an ALB server group, with its status (for the capacity guard too). */
export async function listAlbServers(cloud: CloudGateway, serverGroupId: string): Promise<(Backend & { status?: string })[]> {
  const servers: (Backend & { status?: string })[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await cloud.read(ALB.listServerGroupServers, { ServerGroupId: serverGroupId, MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) });
    servers.push(...listOf(body, "Servers").map((s) => ({ ...toBackend(s), type: str(s.ServerType), status: str(s.Status) })));
    token = str(body.NextToken);
    if (!token) break;
  }
  return servers;
}

function toBackend(b: Record<string, unknown>): Backend {
  return { serverId: str(b.ServerId) ?? "", port: num(b.Port), weight: num(b.Weight), type: str(b.Type) ?? str(b.ServerType) };
}
