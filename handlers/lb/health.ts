// Backend health from the health APIs, apart from configuration state:
// CLB DescribeHealthStatus, ALB GetListenerHealthStatus. Unknown health (no
// report, checks off, no data yet) is never counted as healthy.
import { ALB, SLB } from "../core/apis";
import type { CloudGateway } from "../core/gateway";
import { listOf, str } from "../cloud/rpc-response";
import type { Json } from "../core/ports";
import { albGroup, eachPage, ALB_LIMITS } from "./alb";
import { describeTarget, type Backend, type Membership, type Target } from "./targets";

export type Health = "healthy" | "unhealthy" | "unknown";

/** The reads health takes (for the RAM policy). */
export const HEALTH_READS = [SLB.describeHealthStatus, ALB.listServerGroups, ALB.listListeners, ALB.getListenerHealthStatus] as const;

/**
 * CLB ServerHealthStatus: "normal: healthy; abnormal: unhealthy; unavailable:
 * The health check is not completed" (DescribeHealthStatus, doc-detail/27635).
 * A server counts as healthy when one of its listeners says normal.
 */
function clbHealth(statuses: readonly string[] | undefined): Health {
  if (!statuses?.length) return "unknown";
  if (statuses.includes("normal")) return "healthy";
  return statuses.includes("abnormal") ? "unhealthy" : "unknown";
}

/** What the listeners of an ALB server group report about it. */
interface AlbGroupHealth {
  /** At least one listener (or forwarding rule) reported the group. */
  reported: boolean;
  /** Every report says `HealthCheckEnabled: on`. */
  checksOn: boolean;
  /**
   * NonNormalServers by `serverId:port`: only servers that are not normal are
   * listed. Status: Initial (no data yet), Unhealthy, Unused (weight 0),
   * Unavailable (checks disabled) — GetListenerHealthStatus SDK model.
   */
  nonNormal: Map<string, string[]>;
}

function albHealth(g: AlbGroupHealth, b: Backend): Health {
  // A server being added, changed or removed has no settled weight to judge.
  if (b.status !== undefined && b.status !== "Available") return "unknown";
  if (!g.reported || !g.checksOn) return "unknown";
  const statuses = [...g.nonNormal.entries()].filter(([k]) => k === `${b.serverId}:${b.port}` || (b.port === undefined && k.startsWith(`${b.serverId}:`))).flatMap(([, s]) => s);
  if (statuses.length === 0) return "healthy";
  return statuses.includes("Unhealthy") ? "unhealthy" : "unknown";
}

/** Reads health once per load balancer, listener and group for one invocation. */
export class HealthReader {
  private readonly clb = new Map<string, Promise<Map<string, string[]>>>();
  private readonly listeners = new Map<string, Promise<string[]>>();
  private readonly listenerReports = new Map<string, Promise<Json[]>>();
  private readonly groups = new Map<string, Promise<AlbGroupHealth>>();

  constructor(
    private readonly cloud: CloudGateway,
    private readonly regionId: string,
  ) {}

  async of(t: Target, b: Backend): Promise<Health> {
    if (t.kind === "alb") return albHealth(await this.albGroup(t.serverGroupId), b);
    return clbHealth((await this.clbStatuses(t.loadBalancerId)).get(b.serverId));
  }

  private clbStatuses(loadBalancerId: string): Promise<Map<string, string[]>> {
    return once(this.clb, loadBalancerId, async () => {
      const body = await this.cloud.readUnlessGone(SLB.describeHealthStatus, { RegionId: this.regionId, LoadBalancerId: loadBalancerId });
      const byServer = new Map<string, string[]>();
      for (const row of listOf(body, "BackendServers", "BackendServer")) {
        const id = str(row.ServerId);
        const s = str(row.ServerHealthStatus);
        if (id && s) byServer.set(id, [...(byServer.get(id) ?? []), s]);
      }
      return byServer;
    });
  }

  private albGroup(serverGroupId: string): Promise<AlbGroupHealth> {
    return once(this.groups, serverGroupId, async () => {
      const health: AlbGroupHealth = { reported: false, checksOn: true, nonNormal: new Map() };
      const group = await albGroup(this.cloud, serverGroupId);
      const listenerIds = (await Promise.all((group?.loadBalancerIds ?? []).map((id) => this.listenersOf(id)))).flat();
      for (const report of (await Promise.all([...new Set(listenerIds)].map((id) => this.reportsOf(id)))).flat()) {
        for (const info of listOf(report, "ServerGroupInfos")) {
          if (str(info.ServerGroupId) !== serverGroupId) continue;
          health.reported = true;
          if (str(info.HealthCheckEnabled) !== "on") health.checksOn = false;
          for (const s of listOf(info, "NonNormalServers")) {
            const key = `${str(s.ServerId)}:${str(s.Port) ?? ""}`;
            health.nonNormal.set(key, [...(health.nonNormal.get(key) ?? []), str(s.Status) ?? "Unknown"]);
          }
        }
      }
      return health;
    });
  }

  /** Listener ids of one ALB instance (ListListeners LoadBalancerIds, every page). */
  private listenersOf(loadBalancerId: string): Promise<string[]> {
    return once(this.listeners, loadBalancerId, async () => {
      const ids: string[] = [];
      await eachPage(this.cloud, ALB.listListeners, { LoadBalancerIds: [loadBalancerId], MaxResults: ALB_LIMITS.pageSize }, (body) =>
        ids.push(...listOf(body, "Listeners").map((l) => str(l.ListenerId)).filter((id): id is string => !!id)),
      );
      return ids;
    });
  }

  /**
   * The listener's reports, its default forwarding and (IncludeRule) its
   * forwarding rules, every page (MaxResults 1–30, SDK model).
   */
  private reportsOf(listenerId: string): Promise<Json[]> {
    return once(this.listenerReports, listenerId, async () => {
      const reports: Json[] = [];
      await eachPage(this.cloud, ALB.getListenerHealthStatus, { ListenerId: listenerId, IncludeRule: true, MaxResults: 30 }, (body) =>
        reports.push(...listOf(body, "ListenerHealthStatus"), ...listOf(body, "RuleHealthStatus")),
      );
      return reports;
    });
  }
}

function once<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) cache.set(key, (p = load()));
  return p;
}

export interface TargetHealth {
  target: string;
  serverId: string;
  port?: number;
  health: Health;
}

/**
 * The instance's own health on every target it is in (for a check after
 * maintenance): healthy only when every entry reports healthy. An entry at
 * weight 0 is reported by ALB as `Unused`, i.e. unknown, until its weight is back.
 */
export async function instanceHealth(cloud: CloudGateway, memberships: readonly Membership[], regionId: string): Promise<{ healthy: boolean; targets: TargetHealth[] }> {
  const reader = new HealthReader(cloud, regionId);
  const targets: TargetHealth[] = [];
  for (const m of memberships) {
    for (const b of m.entries) targets.push({ target: describeTarget(m), serverId: b.serverId, port: b.port, health: await reader.of(m, b) });
  }
  return { healthy: targets.every((t) => t.health === "healthy"), targets };
}
