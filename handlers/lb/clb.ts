// Classic Load Balancer (SLB 2014-05-15) backends of one target: read them,
// set their weights, remove them. CLB applies these synchronously.
import { SLB } from "../core/apis";
import type { CloudGateway } from "../core/gateway";
import { listOf, num, str } from "../cloud/rpc-response";
import { chunks, type Backend, type ClbTarget } from "./targets";

/**
 * At most 20 backend servers per call: SDK model remarks of SetBackendServers,
 * RemoveBackendServers, SetVServerGroupAttribute and
 * RemoveVServerGroupBackendServers ("at most 20 backend servers in each call").
 */
export const CLB_SERVERS_PER_CALL = 20;

/** `BackendServers`: a JSON string (SDK model), e.g. `[{"ServerId":"i-…","Weight":"0","Type":"ecs","Port":"80"}]`. */
function backendsJson(entries: readonly Backend[], withWeight: boolean, withPort: boolean): string {
  return JSON.stringify(
    entries.map((b) => ({
      ServerId: b.serverId,
      ...(withPort && b.port !== undefined ? { Port: String(b.port) } : {}),
      ...(withWeight ? { Weight: String(b.weight ?? 0) } : {}),
      Type: b.type ?? "ecs",
    })),
  );
}

export function toBackend(b: Record<string, unknown>): Backend {
  return { serverId: str(b.ServerId) ?? "", port: num(b.Port), weight: num(b.Weight), type: str(b.Type) ?? str(b.ServerType) };
}

/** The target's backends now; undefined when the load balancer or vServer group is gone. */
export async function clbBackends(cloud: CloudGateway, regionId: string, t: ClbTarget): Promise<Backend[] | undefined> {
  const body =
    t.kind === "clb-default"
      ? await cloud.readUnlessGone(SLB.describeLoadBalancerAttribute, { RegionId: regionId, LoadBalancerId: t.loadBalancerId })
      : await cloud.readUnlessGone(SLB.describeVServerGroupAttribute, { RegionId: regionId, VServerGroupId: t.vServerGroupId });
  return body && listOf(body, "BackendServers", "BackendServer").map(toBackend);
}

const WEIGHTS = { "clb-default": SLB.setBackendServers, "clb-vserver": SLB.setVServerGroupAttribute, withWeight: true } as const;
const REMOVAL = { "clb-default": SLB.removeBackendServers, "clb-vserver": SLB.removeVServerGroupBackendServers, withWeight: false } as const;

/** Each given entry of `t` to its own `weight`, 20 per call. A target that is gone counts as done. */
export function setClbWeights(cloud: CloudGateway, regionId: string, t: ClbTarget, servers: readonly Backend[], tokenKey: string): Promise<void> {
  return writeClb(cloud, regionId, t, servers, tokenKey, WEIGHTS);
}

/** The given entries out of `t`, 20 per call. Entries no longer there are ignored by the API ("No error message is returned", RemoveVServerGroupBackendServers doc). */
export function removeFromClb(cloud: CloudGateway, regionId: string, t: ClbTarget, servers: readonly Backend[], tokenKey: string): Promise<void> {
  return writeClb(cloud, regionId, t, servers, tokenKey, REMOVAL);
}

async function writeClb(cloud: CloudGateway, regionId: string, t: ClbTarget, servers: readonly Backend[], tokenKey: string, op: typeof WEIGHTS | typeof REMOVAL): Promise<void> {
  const where = t.kind === "clb-default" ? { LoadBalancerId: t.loadBalancerId } : { VServerGroupId: t.vServerGroupId };
  for (const part of chunks(servers, CLB_SERVERS_PER_CALL)) {
    const params = { RegionId: regionId, ...where, BackendServers: backendsJson(part, op.withWeight, t.kind === "clb-vserver") };
    await cloud.mutate(op[t.kind], params, tokenKey, { tolerateGone: true });
  }
}
