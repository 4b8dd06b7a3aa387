// Drains an instance out of the load balancers discovery found: weight 0
// everywhere (no new connections), then removal. The same module serves spot
// drains, released-instance cleanup and the maintenance reconciler's drain and
// restore. "Already gone" answers count as done.
import { ALB, SLB } from "../core/apis";
import { forEachLimited, throwIfFailed } from "../core/concurrency";
import type { CloudGateway, InstanceCalls } from "../core/gateway";
import { describeTarget, listAlbServers, type Backend, type Membership } from "./discovery";
import { listOf, str } from "../cloud/rpc-response";

export const WEIGHT_APIS = [SLB.setBackendServers, SLB.setVServerGroupAttribute, ALB.updateServerGroupServersAttribute] as const;
export const REMOVAL_APIS = [SLB.removeBackendServers, SLB.removeVServerGroupBackendServers, ALB.removeServersFromServerGroup] as const;
/** ALB status comes from ListServerGroupServers, already among the discovery reads. */
export const HEALTH_APIS = [SLB.describeHealthStatus, ALB.listServerGroupServers] as const;

const clbJson = (entries: Backend[], withWeight: boolean, withPort: boolean) =>
  JSON.stringify(
    entries.map((b) => ({
      ServerId: b.serverId,
      ...(withPort && b.port !== undefined ? { Port: String(b.port) } : {}),
      ...(withWeight ? { Weight: String(b.weight ?? 0) } : {}),
      Type: b.type ?? "ecs",
    })),
  );

const albServers = (entries: Backend[], withWeight: boolean) =>
  entries.map((b) => ({ ServerId: b.serverId, ServerType: b.type ?? "Ecs", ...(b.port !== undefined ? { Port: b.port } : {}), ...(withWeight ? { Weight: b.weight ?? 0 } : {}) }));

/** A target's own id, for ClientTokens: one token per (event, action, target). */
export function targetKey(m: Membership, instanceId: string): string {
  return `${m.kind === "alb" ? m.serverGroupId : m.kind === "clb-vserver" ? m.vServerGroupId : m.loadBalancerId}/${instanceId}`;
}

/** Weight 0 on every entry the instance has in target `m`: no new connections. */
export async function setWeightZero(m: Membership, on: InstanceCalls): Promise<void> {
  await setWeights(on.cloud, m, m.entries.map((b) => ({ ...b, weight: 0 })), on.instanceId, on.regionId);
}

/**
 * Sets each given entry of target `m` to its own `weight`. `attempt` tells
 * repeated settings of one target apart in their ClientTokens (the maintenance
 * reconciler drains and restores the same target more than once per event).
 */
export async function setWeights(cloud: CloudGateway, m: Membership, entries: Backend[], instanceId: string, regionId: string, attempt?: string): Promise<void> {
  const target = attempt === undefined ? targetKey(m, instanceId) : `${targetKey(m, instanceId)}/${attempt}`;
  switch (m.kind) {
    case "clb-default":
      await cloud.mutate(SLB.setBackendServers, { RegionId: regionId, LoadBalancerId: m.loadBalancerId, BackendServers: clbJson(entries, true, false) }, target, { tolerateGone: true });
      return;
    case "clb-vserver":
      await cloud.mutate(SLB.setVServerGroupAttribute, { RegionId: regionId, VServerGroupId: m.vServerGroupId, BackendServers: clbJson(entries, true, true) }, target, { tolerateGone: true });
      return;
    case "alb":
      await cloud.mutate(ALB.updateServerGroupServersAttribute, { ServerGroupId: m.serverGroupId, Servers: albServers(entries, true) }, target, { tolerateGone: true });
      return;
  }
}

/** The instance out of target `m`. */
export async function removeInstance(m: Membership, { cloud, instanceId, regionId }: InstanceCalls): Promise<void> {
  const target = targetKey(m, instanceId);
  switch (m.kind) {
    case "clb-default":
      await cloud.mutate(SLB.removeBackendServers, { RegionId: regionId, LoadBalancerId: m.loadBalancerId, BackendServers: clbJson(m.entries, false, false) }, target, { tolerateGone: true });
      return;
    case "clb-vserver":
      await cloud.mutate(SLB.removeVServerGroupBackendServers, { RegionId: regionId, VServerGroupId: m.vServerGroupId, BackendServers: clbJson(m.entries, false, true) }, target, { tolerateGone: true });
      return;
    case "alb":
      await cloud.mutate(ALB.removeServersFromServerGroup, { ServerGroupId: m.serverGroupId, Servers: albServers(m.entries, false) }, target, { tolerateGone: true });
      return;
  }
}

export interface CapacityShortfall {
  target: string;
  healthyRemaining: number;
  /** Backends whose health could not be read (counted as not healthy). */
  unknown: number;
}

/**
 * Healthy backends each target keeps once the instance is gone: other backends
 * with weight > 0 whose health is `normal` (CLB DescribeHealthStatus) or whose
 * ALB server status is `Available`. Unknown health counts as not healthy, so
 * the guard errs towards alerting.
 */
export async function capacityShortfalls(cloud: CloudGateway, memberships: Membership[], minimum: number, regionId: string, concurrency: number): Promise<CapacityShortfall[]> {
  if (minimum <= 0) return [];
  const clbHealth = new Map<string, Promise<Map<string, string>>>();
  const healthOf = (loadBalancerId: string) => {
    if (!clbHealth.has(loadBalancerId)) {
      clbHealth.set(
        loadBalancerId,
        cloud.read(SLB.describeHealthStatus, { RegionId: regionId, LoadBalancerId: loadBalancerId }).then((body) => {
          const status = new Map<string, string>();
          for (const row of listOf(body, "BackendServers", "BackendServer")) {
            const id = str(row.ServerId);
            const s = str(row.ServerHealthStatus);
            // A server is healthy if any of its listeners says so.
            if (id && s && status.get(id) !== "normal") status.set(id, s);
          }
          return status;
        }),
      );
    }
    return clbHealth.get(loadBalancerId)!;
  };
  const { results, failures } = await forEachLimited(memberships, concurrency, async (m): Promise<CapacityShortfall | undefined> => {
    let healthy = 0;
    let unknown = 0;
    if (m.kind === "alb") {
      const servers = (await listAlbServers(cloud, m.serverGroupId)).filter((s) => s.serverId !== m.entries[0]?.serverId);
      const ids = new Set(servers.filter((s) => (s.weight ?? 1) > 0 && s.status === "Available").map((s) => s.serverId));
      healthy = ids.size;
    } else {
      const health = await healthOf(m.loadBalancerId);
      const others = new Set(m.others.filter((b) => (b.weight ?? 1) > 0).map((b) => b.serverId));
      for (const id of others) {
        const s = health.get(id);
        if (s === "normal") healthy++;
        else if (s === undefined) unknown++;
      }
    }
    return healthy < minimum ? { target: describeTarget(m), healthyRemaining: healthy, unknown } : undefined;
  });
  throwIfFailed("capacity check", failures, describeTarget);
  return results.filter((r): r is CapacityShortfall => !!r);
}
