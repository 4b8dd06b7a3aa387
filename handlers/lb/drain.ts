// Drains instances out of their load-balancer targets: weight 0 (no new
// connections), then removal, and the capacity guard in between. The
// per-target operations take a list of servers, so one instance (spot drains,
// released-instance cleanup, the maintenance reconciler) and a batch of many
// use the same calls, chunked by each API's per-call limit; an ALB change
// returns once its job has applied. "Already gone" answers (each API's own
// list, core/apis.ts) count as done.
import { ALB, SLB } from "../core/apis";
import { forEachLimited, throwIfFailed } from "../core/concurrency";
import type { CloudGateway, InstanceCalls } from "../core/gateway";
import { ALB_JOB_APIS, albGroupSettled, listAlbServers, removeFromAlb, setAlbWeights } from "./alb";
import { clbBackends, removeFromClb, setClbWeights } from "./clb";
import { HEALTH_READS, HealthReader, type Health } from "./health";
import { describeTarget, targetId, type Backend, type Membership, type Target } from "./targets";

export const WEIGHT_APIS = [SLB.setBackendServers, SLB.setVServerGroupAttribute, ALB.updateServerGroupServersAttribute, ...ALB_JOB_APIS] as const;
export const REMOVAL_APIS = [SLB.removeBackendServers, SLB.removeVServerGroupBackendServers, ALB.removeServersFromServerGroup, ...ALB_JOB_APIS] as const;
/** The capacity guard: each target's backends now (CLB attribute reads, ALB server lists) and their health. */
export const HEALTH_APIS = [SLB.describeLoadBalancerAttribute, SLB.describeVServerGroupAttribute, ALB.listServerGroupServers, ...HEALTH_READS] as const;

/** A target's own id with the instance's, for ClientTokens: one token per (event, action, target). */
export function targetKey(t: Target, instanceId: string): string {
  return `${targetId(t)}/${instanceId}`;
}

/**
 * Sets each given entry of `t` to its own `weight`: CLB 20 per call; ALB 40
 * per call, each call's job applied before the next and before this resolves.
 * `tokenKey` makes the ClientTokens (chunks get their own).
 */
export function setTargetWeights(cloud: CloudGateway, regionId: string, t: Target, servers: readonly Backend[], tokenKey: string): Promise<void> {
  return t.kind === "alb" ? setAlbWeights(cloud, t, servers, tokenKey) : setClbWeights(cloud, regionId, t, servers, tokenKey);
}

/** The given entries out of `t`: CLB 20 per call, ALB 200 per call with each job applied. */
export function removeFromTarget(cloud: CloudGateway, regionId: string, t: Target, servers: readonly Backend[], tokenKey: string): Promise<void> {
  return t.kind === "alb" ? removeFromAlb(cloud, t, servers, tokenKey) : removeFromClb(cloud, regionId, t, servers, tokenKey);
}

/** Weight 0 on every entry the instance has in target `m`: no new connections. `applied` is told once it applied (time to first weight 0). */
export async function setWeightZero(m: Membership, on: InstanceCalls & { applied?: () => void }): Promise<void> {
  await setWeights(on.cloud, m, m.entries.map((b) => ({ ...b, weight: 0 })), on.instanceId, on.regionId);
  on.applied?.();
}

/**
 * Sets each given entry of target `m` to its own `weight`. `attempt` tells
 * repeated settings of one target apart in their ClientTokens (the maintenance
 * reconciler drains and restores the same target more than once per event).
 * For ALB it resolves once the job has applied: the target is drained (or
 * restored) only then.
 */
export async function setWeights(cloud: CloudGateway, m: Target, entries: readonly Backend[], instanceId: string, regionId: string, attempt?: string): Promise<void> {
  const key = attempt === undefined ? targetKey(m, instanceId) : `${targetKey(m, instanceId)}/${attempt}`;
  await setTargetWeights(cloud, regionId, m, entries, key);
}

/** The instance out of target `m`. */
export async function removeInstance(m: Membership, { cloud, instanceId, regionId }: InstanceCalls): Promise<void> {
  await removeFromTarget(cloud, regionId, m, m.entries, targetKey(m, instanceId));
}

export interface CapacityShortfall {
  target: string;
  healthyRemaining: number;
  /** Backends whose health could not be told (no report, checks off, still changing): counted as not healthy. */
  unknown: number;
}

/** Looks the guard takes at an ALB group that is still changing before it judges the weights it shows. */
const SETTLE_POLLS = 5;

/** The target's backends now: after an ALB group's running job, so its weights are the applied ones. */
async function currentBackends(cloud: CloudGateway, regionId: string, t: Target): Promise<Backend[]> {
  if (t.kind !== "alb") return (await clbBackends(cloud, regionId, t)) ?? [];
  await albGroupSettled(cloud, t.serverGroupId, SETTLE_POLLS);
  return listAlbServers(cloud, { serverGroupId: t.serverGroupId });
}

/**
 * Healthy backends `t` keeps once the `leaving` servers are gone: other
 * servers with weight > 0 that report healthy on some entry (a weight-0 peer is
 * no capacity). Servers reporting neither healthy nor unhealthy are `unknown`.
 */
export async function remainingCapacity(cloud: CloudGateway, regionId: string, t: Target, leaving: ReadonlySet<string>, health: HealthReader): Promise<{ healthy: number; unknown: number }> {
  const byServer = new Map<string, Backend[]>();
  for (const b of await currentBackends(cloud, regionId, t)) {
    if (leaving.has(b.serverId) || (b.weight ?? 1) <= 0) continue;
    byServer.set(b.serverId, [...(byServer.get(b.serverId) ?? []), b]);
  }
  let healthy = 0;
  let unknown = 0;
  for (const entries of byServer.values()) {
    const seen: Health[] = await Promise.all(entries.map((b) => health.of(t, b)));
    if (seen.includes("healthy")) healthy++;
    else if (!seen.includes("unhealthy")) unknown++;
  }
  return { healthy, unknown };
}

/**
 * The targets that would keep fewer than `minimum` healthy backends once the
 * instance (every server in `memberships`' entries) is gone. Unknown health
 * counts as not healthy, so the guard errs towards alerting.
 */
export async function capacityShortfalls(cloud: CloudGateway, memberships: readonly Membership[], minimum: number, regionId: string, concurrency: number): Promise<CapacityShortfall[]> {
  if (minimum <= 0) return [];
  const health = new HealthReader(cloud, regionId);
  const leaving = new Set(memberships.flatMap((m) => m.entries.map((b) => b.serverId)));
  const { results, failures } = await forEachLimited(memberships, concurrency, async (m): Promise<CapacityShortfall | undefined> => {
    const { healthy, unknown } = await remainingCapacity(cloud, regionId, m, leaving, health);
    return healthy < minimum ? { target: describeTarget(m), healthyRemaining: healthy, unknown } : undefined;
  });
  throwIfFailed("capacity check", failures, describeTarget);
  return results.filter((r): r is CapacityShortfall => !!r);
}
