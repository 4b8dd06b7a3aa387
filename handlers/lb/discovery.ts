// Finds every place an instance serves traffic from: the default server group
// of every classic load balancer (CLB), every CLB vServer group, and every ALB
// server group. Read-only. Works on a list of instances (a batch shares the
// scans); discoverMemberships is the one-instance form.
import type { ClbDiscovery } from "../contract";
import { ALB, SLB } from "../core/apis";
import { forEachLimited, throwIfFailed } from "../core/concurrency";
import { isAlreadyGone, type CloudGateway } from "../core/gateway";
import { codeOf } from "../core/errors";
import { listOf, num, str } from "../cloud/rpc-response";
import { ALB_LIMITS, eachPage, listAlbServers } from "./alb";
import { toBackend } from "./clb";
import { describeTarget, type Backend, type Membership } from "./targets";

export { describeTarget, type Backend, type Membership } from "./targets";

/** The reads discovery makes (for the RAM policy). */
export const DISCOVERY_APIS = [SLB.describeLoadBalancers, SLB.describeLoadBalancerAttribute, SLB.describeVServerGroups, SLB.describeVServerGroupAttribute, ALB.listServerGroups, ALB.listServerGroupServers] as const;

export function summarize(memberships: readonly Membership[]): string {
  const count = (kind: Membership["kind"]) => memberships.filter((m) => m.kind === kind).length;
  return `${count("clb-default")} CLB default group(s), ${count("clb-vserver")} vServer group(s), ${count("alb")} ALB server group(s)`;
}

export interface DiscoveryOptions {
  regionId: string;
  /**
   * `all` (default): every CLB of the region, each one's default group and
   * vServer groups. `server-id`: DescribeLoadBalancers?ServerId= — documented as
   * "the ID of the backend server that is added to the CLB instance"; whether it
   * also matches vServer-only membership is unconfirmed (the
   * DescribeLoadBalancerAttribute doc points to DescribeVServerGroupAttribute
   * for vServer backends), so it is an opt-in.
   */
  clbDiscovery: ClbDiscovery;
  concurrency: number;
}

/** DescribeLoadBalancers PageSize: at most 100 (SDK model). */
const CLB_PAGE_SIZE = 100;
const MAX_PAGES = 100;

export async function discoverMemberships(cloud: CloudGateway, instanceId: string, o: DiscoveryOptions): Promise<Membership[]> {
  return (await discoverAll(cloud, [instanceId], o)).get(instanceId) ?? [];
}

/** Every target of each instance (instances in none map to []). */
export async function discoverAll(cloud: CloudGateway, instanceIds: readonly string[], o: DiscoveryOptions): Promise<Map<string, Membership[]>> {
  const wanted = new Set(instanceIds);
  const [clb, alb] = await Promise.all([discoverClb(cloud, wanted, o), discoverAlb(cloud, wanted, o)]);
  return new Map(instanceIds.map((id) => [id, [...(clb.get(id) ?? []), ...(alb.get(id) ?? [])]]));
}

function addTo(map: Map<string, Membership[]>, instanceId: string, m: Membership): void {
  map.set(instanceId, [...(map.get(instanceId) ?? []), m]);
}

// ---- CLB ----

async function clbIds(cloud: CloudGateway, regionId: string, serverId?: string): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await cloud.read(SLB.describeLoadBalancers, { RegionId: regionId, ...(serverId ? { ServerId: serverId } : {}), PageNumber: page, PageSize: CLB_PAGE_SIZE });
    const found = listOf(body, "LoadBalancers", "LoadBalancer").map((lb) => str(lb.LoadBalancerId)).filter((id): id is string => !!id);
    ids.push(...found);
    const total = num(body.TotalCount);
    if (found.length < CLB_PAGE_SIZE || (total !== undefined && ids.length >= total)) break;
  }
  return ids;
}

async function discoverClb(cloud: CloudGateway, wanted: Set<string>, o: DiscoveryOptions): Promise<Map<string, Membership[]>> {
  const lbIds = o.clbDiscovery === "server-id" ? (await Promise.all([...wanted].map((id) => clbIds(cloud, o.regionId, id)))).flat() : await clbIds(cloud, o.regionId);
  const { results, failures } = await forEachLimited([...new Set(lbIds)], o.concurrency, (id) => clbTargets(cloud, id, wanted, o));
  throwIfFailed("CLB discovery", failures, (id) => `CLB ${id}`);
  const out = new Map<string, Membership[]>();
  for (const found of results) for (const [instanceId, m] of found) addTo(out, instanceId, m);
  return out;
}

/** Splits a target's backends into each wanted instance's entries and the others. */
function membershipsIn(backends: readonly Backend[], wanted: Set<string>, target: (entries: Backend[], others: Backend[]) => Membership): [string, Membership][] {
  const ids = new Set(backends.map((b) => b.serverId).filter((id) => wanted.has(id)));
  return [...ids].map((id) => [id, target(backends.filter((b) => b.serverId === id), backends.filter((b) => b.serverId !== id))]);
}

/** One CLB's default group and vServer groups; a CLB or group deleted meanwhile is skipped. */
async function clbTargets(cloud: CloudGateway, loadBalancerId: string, wanted: Set<string>, o: DiscoveryOptions): Promise<[string, Membership][]> {
  const [attribute, groups] = await Promise.all([
    cloud.readUnlessGone(SLB.describeLoadBalancerAttribute, { RegionId: o.regionId, LoadBalancerId: loadBalancerId }),
    cloud.readUnlessGone(SLB.describeVServerGroups, { RegionId: o.regionId, LoadBalancerId: loadBalancerId }),
  ]);
  const defaults = listOf(attribute, "BackendServers", "BackendServer").map(toBackend);
  const out = membershipsIn(defaults, wanted, (entries, others) => ({ kind: "clb-default", loadBalancerId, entries, others }));
  const groupIds = listOf(groups, "VServerGroups", "VServerGroup").map((g) => str(g.VServerGroupId)).filter((id): id is string => !!id);
  const { results, failures } = await forEachLimited(groupIds, o.concurrency, async (vServerGroupId) => {
    const group = await cloud.readUnlessGone(SLB.describeVServerGroupAttribute, { RegionId: o.regionId, VServerGroupId: vServerGroupId });
    const backends = listOf(group, "BackendServers", "BackendServer").map(toBackend);
    return membershipsIn(backends, wanted, (entries, others) => ({ kind: "clb-vserver", loadBalancerId, vServerGroupId, entries, others }));
  });
  throwIfFailed("vServer group discovery", failures, (id) => `vServer group ${id}`);
  return [...out, ...results.flat()];
}

// ---- ALB ----

/**
 * ListServerGroupServers with ServerIds and no ServerGroupId: one query finds
 * every group holding the instances (ServerGroupId is optional in the SDK
 * model and each returned server names its group), instead of listing every
 * group and its servers. Should the API refuse the group-less query (a
 * parameter error), the groups are scanned instead.
 */
async function discoverAlb(cloud: CloudGateway, wanted: Set<string>, o: DiscoveryOptions): Promise<Map<string, Membership[]>> {
  let rows;
  try {
    rows = await listAlbServers(cloud, { serverIds: [...wanted] });
  } catch (err) {
    if (!/^(MissingParameter|InvalidParameter|IllegalParam)/.test(codeOf(err) ?? "")) throw err;
    rows = await scanAlbGroups(cloud, wanted, o);
  }
  const byGroup = new Map<string, Backend[]>();
  for (const { serverGroupId, ...b } of rows) {
    if (!serverGroupId || !wanted.has(b.serverId)) continue;
    byGroup.set(serverGroupId, [...(byGroup.get(serverGroupId) ?? []), b]);
  }
  const out = new Map<string, Membership[]>();
  for (const [serverGroupId, servers] of byGroup) {
    for (const id of new Set(servers.map((s) => s.serverId))) addTo(out, id, { kind: "alb", serverGroupId, entries: servers.filter((s) => s.serverId === id) });
  }
  return out;
}

/** Every server group (ListServerGroups, every page), each asked for the wanted servers. */
async function scanAlbGroups(cloud: CloudGateway, wanted: Set<string>, o: DiscoveryOptions) {
  const groupIds: string[] = [];
  await eachPage(cloud, ALB.listServerGroups, { MaxResults: ALB_LIMITS.pageSize }, (body) =>
    groupIds.push(...listOf(body, "ServerGroups").map((g) => str(g.ServerGroupId)).filter((id): id is string => !!id)),
  );
  const { results, failures } = await forEachLimited(groupIds, o.concurrency, async (serverGroupId) => {
    try {
      return (await listAlbServers(cloud, { serverGroupId, serverIds: [...wanted] })).map((s) => ({ ...s, serverGroupId }));
    } catch (err) {
      if (isAlreadyGone(ALB.listServerGroupServers, err)) return []; // deleted since it was listed
      throw err;
    }
  });
  throwIfFailed("ALB discovery", failures, (id) => describeTarget({ kind: "alb", serverGroupId: id }));
  return results.flat();
}
