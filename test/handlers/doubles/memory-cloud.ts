// An in-memory cloud behind the CloudApi port: just enough ECS, SLB, ALB, ESS
// and CMS behaviour for handler unit tests, with a call log and fault hooks.
import type { ApiCall, CloudApi, Json } from "../../../handlers/core/ports";

export interface ClbBackend { ServerId: string; Weight: number; Type?: string; Port?: number }
export interface Clb { id: string; backends: ClbBackend[]; vServerGroups: Record<string, ClbBackend[]> }
export interface AlbServer { ServerId: string; Weight: number; Port: number; ServerType: string; Status: string }

export class ApiFault extends Error {
  constructor(readonly code: string, readonly statusCode = 400, message = code) {
    super(message);
  }
}

export class MemoryCloud implements CloudApi {
  instances = new Map<string, Record<string, string>>();
  /** DescribeInstances Status per instance (Running when not set). */
  statuses = new Map<string, string>();
  clbs = new Map<string, Clb>();
  albGroups = new Map<string, AlbServer[]>();
  scaling = new Map<string, string[]>(); // scaling group → instance ids
  health = new Map<string, string>(); // server id → normal | abnormal
  customEvents: Json[] = [];
  /** Instances RebootInstance was sent for, in order. */
  reboots: string[] = [];
  calls: ApiCall[] = [];
  /** Fail calls of an action: `times` failures with the given error, then succeed. */
  private faults: { action: string; error: () => Error; times: number }[] = [];

  fail(action: string, error: () => Error, times = Infinity): this {
    this.faults.push({ action, error, times });
    return this;
  }

  addInstance(id: string, tags: Record<string, string> = {}, status?: string): this {
    this.instances.set(id, tags);
    if (status) this.statuses.set(id, status);
    return this;
  }

  addClb(id: string, backends: ClbBackend[] = [], vServerGroups: Record<string, ClbBackend[]> = {}): this {
    this.clbs.set(id, { id, backends, vServerGroups });
    return this;
  }

  addAlbGroup(id: string, servers: AlbServer[]): this {
    this.albGroups.set(id, servers);
    return this;
  }

  mutations(): ApiCall[] {
    return this.calls.filter((c) => c.api.mutating);
  }

  async call(call: ApiCall): Promise<Json> {
    this.calls.push(call);
    const fault = this.faults.find((f) => f.action === call.api.action && f.times > 0);
    if (fault) {
      fault.times--;
      throw fault.error();
    }
    const p = call.params;
    const handler = (this as unknown as Record<string, (p: Record<string, unknown>) => Json>)[call.api.action];
    if (typeof handler !== "function") throw new ApiFault("InvalidAction.NotFound", 404, `${call.api.action} not simulated`);
    return handler.call(this, p);
  }

  // ECS
  DescribeInstances(p: Record<string, unknown>): Json {
    const ids = JSON.parse(String(p.InstanceIds)) as string[];
    const found = ids.filter((id) => this.instances.has(id));
    return { Instances: { Instance: found.map((id) => ({ InstanceId: id, Status: this.statuses.get(id) ?? "Running", Tags: { Tag: Object.entries(this.instances.get(id)!).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) } })) } };
  }

  RebootInstance(p: Record<string, unknown>): Json {
    const id = String(p.InstanceId);
    if (!this.instances.has(id)) throw new ApiFault("InvalidInstanceId.NotFound", 404);
    this.reboots.push(id);
    return {};
  }

  // SLB
  DescribeLoadBalancers(p: Record<string, unknown>): Json {
    const all = [...this.clbs.values()].filter((lb) => !p.ServerId || lb.backends.some((b) => b.ServerId === p.ServerId) || Object.values(lb.vServerGroups).some((g) => g.some((b) => b.ServerId === p.ServerId)));
    const size = Number(p.PageSize ?? 10);
    const page = Number(p.PageNumber ?? 1);
    return { TotalCount: all.length, LoadBalancers: { LoadBalancer: all.slice((page - 1) * size, page * size).map((lb) => ({ LoadBalancerId: lb.id })) } };
  }
  DescribeLoadBalancerAttribute(p: Record<string, unknown>): Json {
    return { LoadBalancerId: p.LoadBalancerId, BackendServers: { BackendServer: this.clb(p.LoadBalancerId).backends.map((b) => ({ ...b })) } };
  }
  DescribeVServerGroups(p: Record<string, unknown>): Json {
    return { VServerGroups: { VServerGroup: Object.keys(this.clb(p.LoadBalancerId).vServerGroups).map((VServerGroupId) => ({ VServerGroupId })) } };
  }
  DescribeVServerGroupAttribute(p: Record<string, unknown>): Json {
    return { VServerGroupId: p.VServerGroupId, BackendServers: { BackendServer: this.vGroup(p.VServerGroupId).map((b) => ({ ...b })) } };
  }
  DescribeHealthStatus(p: Record<string, unknown>): Json {
    const lb = this.clb(p.LoadBalancerId);
    const ids = new Set([...lb.backends, ...Object.values(lb.vServerGroups).flat()].map((b) => b.ServerId));
    return { BackendServers: { BackendServer: [...ids].map((ServerId) => ({ ServerId, ServerHealthStatus: this.health.get(ServerId) ?? "normal" })) } };
  }
  SetBackendServers(p: Record<string, unknown>): Json {
    const lb = this.clb(p.LoadBalancerId);
    for (const s of JSON.parse(String(p.BackendServers)) as { ServerId: string; Weight: string }[]) {
      const b = lb.backends.find((x) => x.ServerId === s.ServerId);
      if (!b) throw new ApiFault("BackendServer.NotExist");
      b.Weight = Number(s.Weight);
    }
    return {};
  }
  SetVServerGroupAttribute(p: Record<string, unknown>): Json {
    const group = this.vGroup(p.VServerGroupId);
    for (const s of JSON.parse(String(p.BackendServers)) as { ServerId: string; Port: string; Weight: string }[]) {
      const b = group.find((x) => x.ServerId === s.ServerId && String(x.Port) === String(s.Port));
      if (!b) throw new ApiFault("BackendServer.NotExist");
      b.Weight = Number(s.Weight);
    }
    return {};
  }
  RemoveBackendServers(p: Record<string, unknown>): Json {
    const lb = this.clb(p.LoadBalancerId);
    const ids = (JSON.parse(String(p.BackendServers)) as { ServerId: string }[]).map((s) => s.ServerId);
    lb.backends = lb.backends.filter((b) => !ids.includes(b.ServerId));
    return {};
  }
  RemoveVServerGroupBackendServers(p: Record<string, unknown>): Json {
    const lb = [...this.clbs.values()].find((l) => String(p.VServerGroupId) in l.vServerGroups)!;
    const gone = JSON.parse(String(p.BackendServers)) as { ServerId: string; Port: string }[];
    lb.vServerGroups[String(p.VServerGroupId)] = this.vGroup(p.VServerGroupId).filter((b) => !gone.some((g) => g.ServerId === b.ServerId && String(g.Port) === String(b.Port)));
    return {};
  }

  // ALB (changes apply at once; each group sits behind one listener `lsn-<group>` of ALB `alb-<group>`,
  // reporting `health` per server: normal → not listed, abnormal → Unhealthy, other values as given)
  ListServerGroups(p: Record<string, unknown>): Json {
    const wanted = p.ServerGroupIds as string[] | undefined;
    const ids = [...this.albGroups.keys()].filter((id) => !wanted || wanted.includes(id));
    const start = Number(p.NextToken ?? 0);
    const size = Number(p.MaxResults ?? 20);
    const next = start + size < ids.length ? String(start + size) : undefined;
    return { ServerGroups: ids.slice(start, start + size).map((ServerGroupId) => ({ ServerGroupId, ServerGroupStatus: "Available", RelatedLoadBalancerIds: [`alb-${ServerGroupId}`] })), NextToken: next };
  }
  ListServerGroupServers(p: Record<string, unknown>): Json {
    const groups = p.ServerGroupId === undefined ? [...this.albGroups.keys()] : [String(p.ServerGroupId)];
    if (p.ServerGroupId !== undefined && !this.albGroups.has(groups[0])) throw new ApiFault("ResourceNotFound.ServerGroup", 404);
    const ids = p.ServerIds as string[] | undefined;
    return { Servers: groups.flatMap((g) => this.albGroups.get(g)!.filter((s) => !ids || ids.includes(s.ServerId)).map((s) => ({ ...s, ServerGroupId: g }))) };
  }
  ListListeners(p: Record<string, unknown>): Json {
    const groups = (p.LoadBalancerIds as string[]).map((lb) => lb.replace(/^alb-/, "")).filter((g) => this.albGroups.has(g));
    return { Listeners: groups.map((g) => ({ ListenerId: `lsn-${g}`, LoadBalancerId: `alb-${g}` })) };
  }
  GetListenerHealthStatus(p: Record<string, unknown>): Json {
    const g = String(p.ListenerId).replace(/^lsn-/, "");
    const nonNormal = this.albGroups.get(g)!.map((s) => ({ s, h: s.Weight === 0 ? "Unused" : (this.health.get(s.ServerId) ?? "normal") })).filter(({ h }) => h !== "normal");
    const status = (h: string) => (h === "abnormal" ? "Unhealthy" : h);
    return { ListenerHealthStatus: [{ ListenerId: p.ListenerId, ServerGroupInfos: [{ ServerGroupId: g, HealthCheckEnabled: "on", NonNormalServers: nonNormal.map(({ s, h }) => ({ ServerId: s.ServerId, Port: s.Port, Status: status(h) })) }] }] };
  }
  UpdateServerGroupServersAttribute(p: Record<string, unknown>): Json {
    const servers = this.albGroups.get(String(p.ServerGroupId))!;
    for (const s of p.Servers as { ServerId: string; Port: number; Weight: number }[]) {
      const found = servers.find((x) => x.ServerId === s.ServerId && x.Port === s.Port);
      if (!found) throw new ApiFault("ResourceNotFound.BackendServer", 404);
      found.Weight = s.Weight;
    }
    return {};
  }
  RemoveServersFromServerGroup(p: Record<string, unknown>): Json {
    const gone = p.Servers as { ServerId: string; Port: number }[];
    this.albGroups.set(String(p.ServerGroupId), this.albGroups.get(String(p.ServerGroupId))!.filter((s) => !gone.some((g) => g.ServerId === s.ServerId && g.Port === s.Port)));
    return {};
  }

  // ESS
  DescribeScalingInstances(p: Record<string, unknown>): Json {
    const ids = p.InstanceId as string[];
    const rows = [...this.scaling].flatMap(([ScalingGroupId, members]) => members.filter((m) => ids.includes(m)).map((InstanceId) => ({ InstanceId, ScalingGroupId, LifecycleState: "InService" })));
    return { ScalingInstances: { ScalingInstance: rows } };
  }
  DetachInstances(p: Record<string, unknown>): Json {
    const members = this.scaling.get(String(p.ScalingGroupId)) ?? [];
    this.scaling.set(String(p.ScalingGroupId), members.filter((m) => !(p.InstanceId as string[]).includes(m)));
    return { ScalingActivityId: "asa-1" };
  }
  DescribeScalingActivities(p: Record<string, unknown>): Json {
    return { ScalingActivities: { ScalingActivity: (p.ScalingActivityId as string[]).map((ScalingActivityId) => ({ ScalingActivityId, StatusCode: "Successful" })) } };
  }

  // CMS
  PutCustomEvent(p: Record<string, unknown>): Json {
    this.customEvents.push(...(p.EventInfo as Json[]));
    return { Code: "200" };
  }

  private clb(id: unknown): Clb {
    const lb = this.clbs.get(String(id));
    if (!lb) throw new ApiFault("InvalidLoadBalancerId.NotFound", 404);
    return lb;
  }
  private vGroup(id: unknown): ClbBackend[] {
    for (const lb of this.clbs.values()) if (String(id) in lb.vServerGroups) return lb.vServerGroups[String(id)];
    throw new ApiFault("VServerGroup.NotExist", 404);
  }
}
