// The fake's typed in-memory model. Tests seed and read it directly (not over
// HTTP). Every lookup the APIs need is a Map: a 1000-instance burst stays fast.
import type { Clock } from "./clock";

// ---------- ECS ----------

export type InstanceStatus = "Pending" | "Starting" | "Running" | "Stopping" | "Stopped";
export type ChargeType = "PrePaid" | "PostPaid";
export type SpotStrategy = "NoSpot" | "SpotWithPriceLimit" | "SpotAsPriceGo";

export interface Tag {
  TagKey: string;
  TagValue: string;
}

/** A maintenance window, whole hours, `hh:00:00` in UTC+8 as ECS documents it. */
export interface MaintenanceWindow {
  StartTime: string;
  EndTime: string;
}

export interface EcsInstance {
  InstanceId: string;
  InstanceName: string;
  RegionId: string;
  ZoneId: string;
  InstanceType: string;
  Status: InstanceStatus;
  Tags: Tag[];
  InstanceChargeType: ChargeType;
  /** Epoch ms; PrePaid instances expire, PostPaid ones carry a far-future date. */
  ExpiredTime: number;
  SpotStrategy: SpotStrategy;
  CreationTime: number;
  AutoRenew: { AutoRenewEnabled: boolean; Duration: number; PeriodUnit: "Week" | "Month" | "Year"; RenewalStatus: "AutoRenewal" | "Normal" | "NotRenewal" };
  Maintenance: { Windows: MaintenanceWindow[]; ActionOnMaintenance: "Stop" | "AutoRecover" | "AutoRedeploy"; NotifyOnMaintenance: boolean };
}

export type InstanceSeed = Partial<Omit<EcsInstance, "Tags" | "AutoRenew" | "Maintenance">> & {
  Tags?: Tag[] | Record<string, string>;
  AutoRenew?: Partial<EcsInstance["AutoRenew"]>;
  Maintenance?: Partial<EcsInstance["Maintenance"]>;
};

export type EventCycleStatus = "Inquiring" | "Scheduled" | "Executing" | "Executed" | "Avoided" | "Canceled" | "Failed";
export const ACTIVE_EVENT_STATUSES: readonly EventCycleStatus[] = ["Inquiring", "Scheduled", "Executing"];
export const FINISHED_EVENT_STATUSES: readonly EventCycleStatus[] = ["Executed", "Avoided", "Canceled", "Failed"];

export interface SystemEvent {
  EventId: string;
  InstanceId: string;
  RegionId: string;
  EventType: string;
  Status: EventCycleStatus;
  /** Created by CreateSimulatedSystemEvents (drills): no effect on the instance. */
  Simulated: boolean;
  PublishTime: number;
  NotBefore?: number;
  ExecuteStartTime?: number;
  ExecuteFinishTime?: number;
  /** When it reached a final status. */
  FinishTime?: number;
  Reason: string;
}

export type SystemEventSeed = Partial<SystemEvent> & { InstanceId: string; EventType: string };

// ---------- SLB (classic) ----------

export type BackendType = "ecs" | "eni" | "eci";
export type HealthStatus = "normal" | "abnormal" | "unavailable";

export interface ClbBackend {
  ServerId: string;
  Weight: number;
  Type: BackendType;
  Description: string;
}

export interface VServerBackend extends ClbBackend {
  Port: number;
}

export interface VServerGroup {
  VServerGroupId: string;
  VServerGroupName: string;
  LoadBalancerId: string;
  BackendServers: VServerBackend[];
}

export interface LoadBalancer {
  LoadBalancerId: string;
  LoadBalancerName: string;
  RegionId: string;
  Address: string;
  LoadBalancerStatus: "active" | "inactive" | "locked";
  CreateTime: number;
  ListenerPorts: number[];
  /** The default server group. */
  BackendServers: ClbBackend[];
  VServerGroupIds: string[];
  /** Per-backend health, keyed by ServerId (default: normal). */
  Health: Map<string, HealthStatus>;
}

export type LoadBalancerSeed = Partial<Omit<LoadBalancer, "BackendServers" | "Health" | "VServerGroupIds">> & {
  BackendServers?: Array<Partial<ClbBackend> & { ServerId: string }>;
};

export type VServerGroupSeed = Partial<Omit<VServerGroup, "BackendServers">> & {
  LoadBalancerId: string;
  BackendServers?: Array<Partial<VServerBackend> & { ServerId: string; Port: number }>;
};

// ---------- ALB ----------

/**
 * A server's health, apart from its configuration `Status`. GetListenerHealthStatus
 * lists only servers that are not normal, with Status Initial (no data yet),
 * Unhealthy, Unused (weight 0) or Unavailable (checks disabled) (SDK model);
 * `Healthy` here means "not listed".
 */
export type AlbHealth = "Healthy" | "Unhealthy" | "Initial" | "Unavailable";

export interface AlbServer {
  ServerId: string;
  ServerType: "Ecs" | "Eni" | "Eci" | "Ip" | "Fc";
  Port: number;
  Weight: number;
  /** Configuration state (ListServerGroupServers SDK model), not health. */
  Status: "Adding" | "Available" | "Configuring" | "Removing";
  ServerIp: string;
  Description: string;
  /** Unset = Healthy. */
  Health?: AlbHealth;
}

export interface AlbServerGroup {
  ServerGroupId: string;
  ServerGroupName: string;
  ServerGroupType: "Instance" | "Ip" | "Fc";
  ServerGroupStatus: "Creating" | "Available" | "Configuring";
  Protocol: string;
  VpcId: string;
  RegionId: string;
  /** HealthCheckConfig.HealthCheckEnabled (ListServerGroups). */
  HealthCheckEnabled: boolean;
  /** ALB instances whose listeners forward to the group (ListServerGroups RelatedLoadBalancerIds). */
  RelatedLoadBalancerIds: string[];
  Servers: AlbServer[];
}

export type AlbServerGroupSeed = Partial<Omit<AlbServerGroup, "Servers" | "RelatedLoadBalancerIds">> & {
  Servers?: Array<Partial<AlbServer> & { ServerId: string }>;
  /**
   * The ALB instance whose HTTP:80 listener forwards to the group: one of its
   * own is created when left out; `null` for a group no listener uses (its
   * health is then reported nowhere).
   */
  LoadBalancerId?: string | null;
};

/** An ALB listener and the server groups its default action forwards to (ListListeners DefaultActions ForwardGroupConfig). */
export interface AlbListener {
  ListenerId: string;
  LoadBalancerId: string;
  ListenerPort: number;
  ListenerProtocol: "HTTP" | "HTTPS" | "QUIC";
  ListenerStatus: "Running";
  ServerGroupIds: string[];
}

/**
 * A server-group change running in the background (an ALB asynchronous job;
 * ListAsynJobs Status: Processing, Succeeded, Failed). While it runs the group
 * is Configuring and the old weights stay visible (products/alb.ts).
 */
export interface AlbJob {
  JobId: string;
  ApiName: string;
  ServerGroupId: string;
  CreateTime: number;
  DueAt: number;
  FinishTime?: number;
  Status: "Processing" | "Succeeded" | "Failed";
  /** Carries the change out (Succeeded) or puts the servers back as they were (Failed). */
  apply: () => void;
  abandon: () => void;
  willFail: boolean;
}

// ---------- ESS ----------

export type ScalingLifecycleState = "InService" | "Pending" | "Pending:Wait" | "Protected" | "Standby" | "Stopped" | "Removing" | "Removing:Wait";

export interface ScalingInstance {
  InstanceId: string;
  ScalingGroupId: string;
  LifecycleState: ScalingLifecycleState;
  CreationType: "AutoCreated" | "Attached";
  HealthStatus: "Healthy" | "Unhealthy";
  Entrusted: boolean;
  CreatedTime: number;
}

export interface ScalingGroup {
  ScalingGroupId: string;
  ScalingGroupName: string;
  RegionId: string;
  LifecycleState: "Active" | "Inactive" | "Deleting";
  MinSize: number;
  MaxSize: number;
  DesiredCapacity: number;
  Instances: Map<string, ScalingInstance>;
  /** The load balancers attached to the group (DescribeScalingGroups LoadBalancerIds, VServerGroups, AlbServerGroups): DetachOption=both takes a removed instance off them. */
  LoadBalancerIds: string[];
  VServerGroups: Array<{ VServerGroupId: string; Port: number }>;
  AlbServerGroups: Array<{ AlbServerGroupId: string; Port: number }>;
}

export type ScalingGroupSeed = Partial<Omit<ScalingGroup, "Instances">> & {
  Instances?: Array<Partial<ScalingInstance> & { InstanceId: string }>;
};

/** DescribeScalingActivities StatusCode (SDK model ess-20220222): Successful, Warning, Failed, InProgress, Rejected. */
export type ScalingActivityStatus = "Successful" | "Warning" | "Failed" | "InProgress" | "Rejected";

export interface ScalingActivity {
  ScalingActivityId: string;
  ScalingGroupId: string;
  /** What started it: our RemoveInstances / DetachInstances, or one seeded for a test (a scale-out, say). */
  Action: string;
  InstanceIds: string[];
  Description: string;
  StartTime: number;
  /** Until then the activity is InProgress; from then on it is `Outcome`. */
  EndTime: number;
  Outcome: Exclude<ScalingActivityStatus, "InProgress">;
}

/** An activity's status at `now` (InProgress until its EndTime). */
export function scalingActivityStatus(a: ScalingActivity, now: number): ScalingActivityStatus {
  return now < a.EndTime ? "InProgress" : a.Outcome;
}

// ---------- CMS, OSS, MNS ----------

export interface CustomEvent {
  EventName: string;
  Content: string;
  GroupId?: string;
  Time?: string;
  ReceivedAt: number;
}

/** A bucket's attributes (its objects are in `CloudState.buckets`). */
export interface OssBucket {
  Name: string;
  Region: string;
  /** Creation time (ms): buckets created from 2025-09-01 take only V4 signatures (products/oss.ts). */
  CreationDate: number;
}

export interface OssObject {
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: number;
  meta: Record<string, string>;
}

export interface MnsMessage {
  MessageId: string;
  MessageBody: string;
  MessageBodyMD5: string;
  Priority: number;
  EnqueueTime: number;
  NextVisibleTime: number;
  FirstDequeueTime?: number;
  DequeueCount: number;
  ReceiptHandle?: string;
}

export interface MnsQueue {
  QueueName: string;
  /** Seconds a received message stays invisible. */
  VisibilityTimeout: number;
  /** Bytes of message body the queue takes, 1,024–65,536 (CreateQueue; default 65,536). */
  MaximumMessageSize: number;
  Messages: MnsMessage[];
}

/** A message published to a topic (what its subscriptions would have been pushed). */
export interface MnsTopicMessage {
  MessageId: string;
  MessageBody: string;
  MessageBodyMD5: string;
  MessageTag?: string;
  /**
   * `<MessageAttributes>` as published: each child element's text by its name
   * (`DirectMail`, `DirectSMS`: JSON strings, as the mail and SMS subscriptions
   * would read them). Absent when the message carried none.
   */
  MessageAttributes?: Record<string, string>;
  PublishTime: number;
}

export interface MnsTopic {
  TopicName: string;
  /** Bytes of message body the topic takes, 1,024–65,536 (CreateTopic; default 65,536). */
  MaximumMessageSize: number;
  /** Every message published, in order (the fake pushes to no subscription). */
  Messages: MnsTopicMessage[];
}

export const DEFAULT_ACCOUNT_ID = "1234567890123456";
export const DEFAULT_REGION = "cn-hangzhou";

function tagsFrom(t: InstanceSeed["Tags"]): Tag[] {
  if (!t) return [];
  if (Array.isArray(t)) return t.map((x) => ({ TagKey: x.TagKey, TagValue: x.TagValue }));
  return Object.entries(t).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}

/** Everything the fake knows, with seed (`add*`) and read (`get*`) helpers. */
export class CloudState {
  readonly instances = new Map<string, EcsInstance>();
  readonly events = new Map<string, SystemEvent>();
  readonly eventsByInstance = new Map<string, Set<string>>();
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly vServerGroups = new Map<string, VServerGroup>();
  /** ServerId → load balancers it is attached to (default group or vServer group), with a reference count. */
  readonly lbsByServer = new Map<string, Map<string, number>>();
  /**
   * Whether DescribeLoadBalancers?ServerId= also finds CLBs where the server is
   * only in a vServer group. The API reference says only "the ID of the backend
   * server that is added to the CLB instance" (unconfirmed either way), so by
   * default it finds default-group membership only, the reading a handler must
   * survive; tests that want the other reading set it.
   */
  clbServerIdMatchesVServerGroups = false;
  readonly albServerGroups = new Map<string, AlbServerGroup>();
  readonly albListeners = new Map<string, AlbListener>();
  /** Every ALB job so far, in order of creation. */
  readonly albJobs: AlbJob[] = [];
  /** How long (ms on this state's clock) an ALB server-group job runs; 0 = finished by the next request. */
  albJobDurationMs = 0;
  /** The next this-many ALB jobs end Failed, changing nothing (as a job can; tests set it). */
  albJobFailures = 0;
  readonly scalingGroups = new Map<string, ScalingGroup>();
  readonly scalingGroupByInstance = new Map<string, string>();
  readonly scalingActivities: ScalingActivity[] = [];
  readonly customEvents: CustomEvent[] = [];
  /** Objects by bucket, then key; `bucketInfo` holds each bucket's attributes. */
  readonly buckets = new Map<string, Map<string, OssObject>>();
  readonly bucketInfo = new Map<string, OssBucket>();
  readonly queues = new Map<string, MnsQueue>();
  readonly topics = new Map<string, MnsTopic>();
  /** Simulated events still Scheduled/Executing/Inquiring (the per-user limit counts these). */
  activeSimulatedEvents = 0;
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    readonly accountId = DEFAULT_ACCOUNT_ID,
    readonly defaultRegion = DEFAULT_REGION,
  ) {}

  /** Fake resource ids: a product prefix, the region's short code and a counter. */
  newId(prefix: string, width = 17): string {
    const n = (++this.seq).toString(36);
    return `${prefix}-fake${"0".repeat(Math.max(0, width - 4 - n.length))}${n}`;
  }

  // ----- ECS -----

  addInstance(seed: InstanceSeed = {}): EcsInstance {
    const now = this.clock.now();
    const chargeType = seed.InstanceChargeType ?? "PostPaid";
    const inst: EcsInstance = {
      InstanceId: seed.InstanceId ?? this.newId("i"),
      InstanceName: seed.InstanceName ?? "fake-instance",
      RegionId: seed.RegionId ?? this.defaultRegion,
      ZoneId: seed.ZoneId ?? `${seed.RegionId ?? this.defaultRegion}-h`,
      InstanceType: seed.InstanceType ?? "ecs.g7.large",
      Status: seed.Status ?? "Running",
      Tags: tagsFrom(seed.Tags),
      InstanceChargeType: chargeType,
      ExpiredTime: seed.ExpiredTime ?? (chargeType === "PrePaid" ? now + 30 * 86400_000 : Date.parse("2099-12-31T15:59:00Z")),
      SpotStrategy: seed.SpotStrategy ?? "NoSpot",
      CreationTime: seed.CreationTime ?? now,
      AutoRenew: { AutoRenewEnabled: false, Duration: 0, PeriodUnit: "Month", RenewalStatus: "Normal", ...seed.AutoRenew },
      Maintenance: { Windows: [], ActionOnMaintenance: "AutoRecover", NotifyOnMaintenance: false, ...seed.Maintenance },
    };
    if (this.instances.has(inst.InstanceId)) throw new Error(`addInstance: ${inst.InstanceId} already exists`);
    this.instances.set(inst.InstanceId, inst);
    return inst;
  }

  getInstance(id: string): EcsInstance | undefined {
    return this.instances.get(id);
  }

  eventsOf(instanceId: string): SystemEvent[] {
    const ids = this.eventsByInstance.get(instanceId);
    return ids ? [...ids].map((id) => this.events.get(id)!) : [];
  }

  /** Stores an event record (use `FakeCloud.addSystemEvent` to also emit and schedule it). */
  putEvent(ev: SystemEvent): void {
    this.events.set(ev.EventId, ev);
    let set = this.eventsByInstance.get(ev.InstanceId);
    if (!set) this.eventsByInstance.set(ev.InstanceId, (set = new Set()));
    set.add(ev.EventId);
  }

  // ----- SLB -----

  addLoadBalancer(seed: LoadBalancerSeed = {}): LoadBalancer {
    const lb: LoadBalancer = {
      LoadBalancerId: seed.LoadBalancerId ?? this.newId("lb"),
      LoadBalancerName: seed.LoadBalancerName ?? "fake-clb",
      RegionId: seed.RegionId ?? this.defaultRegion,
      Address: seed.Address ?? "10.0.0.1",
      LoadBalancerStatus: seed.LoadBalancerStatus ?? "active",
      CreateTime: seed.CreateTime ?? this.clock.now(),
      ListenerPorts: seed.ListenerPorts ?? [80],
      BackendServers: [],
      VServerGroupIds: [],
      Health: new Map(),
    };
    if (this.loadBalancers.has(lb.LoadBalancerId)) throw new Error(`addLoadBalancer: ${lb.LoadBalancerId} already exists`);
    this.loadBalancers.set(lb.LoadBalancerId, lb);
    for (const b of seed.BackendServers ?? []) {
      this.attachClbBackend(lb, { ServerId: b.ServerId, Weight: b.Weight ?? 100, Type: b.Type ?? "ecs", Description: b.Description ?? "" });
    }
    return lb;
  }

  addVServerGroup(seed: VServerGroupSeed): VServerGroup {
    const lb = this.loadBalancers.get(seed.LoadBalancerId);
    if (!lb) throw new Error(`addVServerGroup: load balancer ${seed.LoadBalancerId} does not exist`);
    const g: VServerGroup = {
      VServerGroupId: seed.VServerGroupId ?? this.newId("rsp"),
      VServerGroupName: seed.VServerGroupName ?? "fake-vsg",
      LoadBalancerId: lb.LoadBalancerId,
      BackendServers: [],
    };
    this.vServerGroups.set(g.VServerGroupId, g);
    lb.VServerGroupIds.push(g.VServerGroupId);
    for (const b of seed.BackendServers ?? []) {
      this.attachVServerBackend(g, { ServerId: b.ServerId, Port: b.Port, Weight: b.Weight ?? 100, Type: b.Type ?? "ecs", Description: b.Description ?? "" });
    }
    return g;
  }

  getLoadBalancer(id: string): LoadBalancer | undefined {
    return this.loadBalancers.get(id);
  }

  getVServerGroup(id: string): VServerGroup | undefined {
    return this.vServerGroups.get(id);
  }

  setBackendHealth(loadBalancerId: string, serverId: string, status: HealthStatus): void {
    const lb = this.loadBalancers.get(loadBalancerId);
    if (!lb) throw new Error(`setBackendHealth: load balancer ${loadBalancerId} does not exist`);
    lb.Health.set(serverId, status);
  }

  /** Load balancers where the server is a backend (default group or a vServer group). */
  loadBalancerIdsOfServer(serverId: string): string[] {
    return [...(this.lbsByServer.get(serverId)?.keys() ?? [])];
  }

  attachClbBackend(lb: LoadBalancer, b: ClbBackend): void {
    const existing = lb.BackendServers.find((x) => x.ServerId === b.ServerId);
    if (existing) {
      Object.assign(existing, b);
      return;
    }
    lb.BackendServers.push(b);
    this.indexServer(b.ServerId, lb.LoadBalancerId, +1);
  }

  detachClbBackend(lb: LoadBalancer, serverId: string): boolean {
    const i = lb.BackendServers.findIndex((x) => x.ServerId === serverId);
    if (i < 0) return false;
    lb.BackendServers.splice(i, 1);
    this.indexServer(serverId, lb.LoadBalancerId, -1);
    return true;
  }

  attachVServerBackend(g: VServerGroup, b: VServerBackend): void {
    const existing = g.BackendServers.find((x) => x.ServerId === b.ServerId && x.Port === b.Port);
    if (existing) {
      Object.assign(existing, b);
      return;
    }
    g.BackendServers.push(b);
    this.indexServer(b.ServerId, g.LoadBalancerId, +1);
  }

  detachVServerBackend(g: VServerGroup, serverId: string, port: number | undefined): number {
    let removed = 0;
    for (let i = g.BackendServers.length - 1; i >= 0; i--) {
      const b = g.BackendServers[i];
      if (b.ServerId === serverId && (port === undefined || b.Port === port)) {
        g.BackendServers.splice(i, 1);
        this.indexServer(serverId, g.LoadBalancerId, -1);
        removed++;
      }
    }
    return removed;
  }

  private indexServer(serverId: string, lbId: string, delta: number): void {
    let m = this.lbsByServer.get(serverId);
    if (!m) this.lbsByServer.set(serverId, (m = new Map()));
    const n = (m.get(lbId) ?? 0) + delta;
    if (n > 0) m.set(lbId, n);
    else m.delete(lbId);
    if (m.size === 0) this.lbsByServer.delete(serverId);
  }

  // ----- ALB -----

  addAlbServerGroup(seed: AlbServerGroupSeed = {}): AlbServerGroup {
    const g: AlbServerGroup = {
      ServerGroupId: seed.ServerGroupId ?? this.newId("sgp"),
      ServerGroupName: seed.ServerGroupName ?? "fake-alb-sg",
      ServerGroupType: seed.ServerGroupType ?? "Instance",
      ServerGroupStatus: seed.ServerGroupStatus ?? "Available",
      Protocol: seed.Protocol ?? "HTTP",
      VpcId: seed.VpcId ?? "vpc-fake0000000000001",
      RegionId: seed.RegionId ?? this.defaultRegion,
      HealthCheckEnabled: seed.HealthCheckEnabled ?? true,
      RelatedLoadBalancerIds: [],
      Servers: (seed.Servers ?? []).map((s) => ({
        ServerId: s.ServerId,
        ServerType: s.ServerType ?? "Ecs",
        Port: s.Port ?? 80,
        Weight: s.Weight ?? 100,
        Status: s.Status ?? "Available",
        ServerIp: s.ServerIp ?? "",
        Description: s.Description ?? "",
        Health: s.Health ?? "Healthy",
      })),
    };
    this.albServerGroups.set(g.ServerGroupId, g);
    if (seed.LoadBalancerId !== null) this.addAlbListener({ LoadBalancerId: seed.LoadBalancerId ?? this.newId("alb"), ServerGroupIds: [g.ServerGroupId] });
    return g;
  }

  /** A listener of an ALB instance forwarding to the given groups (which then name the instance among their RelatedLoadBalancerIds). */
  addAlbListener(seed: Partial<AlbListener> & { LoadBalancerId: string; ServerGroupIds: string[] }): AlbListener {
    const l: AlbListener = { ListenerId: seed.ListenerId ?? this.newId("lsn"), ListenerPort: seed.ListenerPort ?? 80, ListenerProtocol: seed.ListenerProtocol ?? "HTTP", ListenerStatus: "Running", ...seed };
    this.albListeners.set(l.ListenerId, l);
    for (const id of l.ServerGroupIds) {
      const g = this.albServerGroups.get(id);
      if (!g) throw new Error(`addAlbListener: server group ${id} does not exist`);
      if (!g.RelatedLoadBalancerIds.includes(l.LoadBalancerId)) g.RelatedLoadBalancerIds.push(l.LoadBalancerId);
    }
    return l;
  }

  /** The group with its finished jobs applied. */
  getAlbServerGroup(id: string): AlbServerGroup | undefined {
    this.settleAlbJobs();
    return this.albServerGroups.get(id);
  }

  /** A server's health as the listeners will report it (every port of it unless `port` says which). */
  setAlbServerHealth(serverGroupId: string, serverId: string, health: AlbHealth, port?: number): void {
    const g = this.albServerGroups.get(serverGroupId);
    const servers = g?.Servers.filter((s) => s.ServerId === serverId && (port === undefined || s.Port === port)) ?? [];
    if (servers.length === 0) throw new Error(`setAlbServerHealth: ${serverId} is not in server group ${serverGroupId}`);
    for (const s of servers) s.Health = health;
  }

  /** Starts a job on a group: Configuring until it finishes, `albJobDurationMs` from now. */
  startAlbJob(g: AlbServerGroup, job: Pick<AlbJob, "JobId" | "ApiName" | "apply" | "abandon">): AlbJob {
    const now = this.clock.now();
    const j: AlbJob = { ...job, ServerGroupId: g.ServerGroupId, CreateTime: now, DueAt: now + this.albJobDurationMs, Status: "Processing", willFail: this.albJobFailures > 0 };
    if (j.willFail) this.albJobFailures--;
    g.ServerGroupStatus = "Configuring";
    this.albJobs.push(j);
    return j;
  }

  /** Finishes every job whose time has come, in order; its group is Available again. */
  settleAlbJobs(): void {
    const now = this.clock.now();
    for (const j of this.albJobs) {
      if (j.Status !== "Processing" || j.DueAt > now) continue;
      if (j.willFail) j.abandon();
      else j.apply();
      j.Status = j.willFail ? "Failed" : "Succeeded";
      j.FinishTime = j.DueAt;
      const g = this.albServerGroups.get(j.ServerGroupId);
      if (g) g.ServerGroupStatus = "Available";
    }
  }

  // ----- ESS -----

  addScalingGroup(seed: ScalingGroupSeed = {}): ScalingGroup {
    const g: ScalingGroup = {
      ScalingGroupId: seed.ScalingGroupId ?? this.newId("asg"),
      ScalingGroupName: seed.ScalingGroupName ?? "fake-asg",
      RegionId: seed.RegionId ?? this.defaultRegion,
      LifecycleState: seed.LifecycleState ?? "Active",
      MinSize: seed.MinSize ?? 0,
      MaxSize: seed.MaxSize ?? 1000,
      DesiredCapacity: seed.DesiredCapacity ?? 0,
      Instances: new Map(),
      LoadBalancerIds: [...(seed.LoadBalancerIds ?? [])],
      VServerGroups: (seed.VServerGroups ?? []).map((v) => ({ ...v })),
      AlbServerGroups: (seed.AlbServerGroups ?? []).map((v) => ({ ...v })),
    };
    this.scalingGroups.set(g.ScalingGroupId, g);
    for (const i of seed.Instances ?? []) this.addScalingInstance(g.ScalingGroupId, i);
    if (seed.DesiredCapacity === undefined) g.DesiredCapacity = g.Instances.size;
    return g;
  }

  addScalingInstance(scalingGroupId: string, seed: Partial<ScalingInstance> & { InstanceId: string }): ScalingInstance {
    const g = this.scalingGroups.get(scalingGroupId);
    if (!g) throw new Error(`addScalingInstance: scaling group ${scalingGroupId} does not exist`);
    const si: ScalingInstance = {
      InstanceId: seed.InstanceId,
      ScalingGroupId: scalingGroupId,
      LifecycleState: seed.LifecycleState ?? "InService",
      CreationType: seed.CreationType ?? "AutoCreated",
      HealthStatus: seed.HealthStatus ?? "Healthy",
      Entrusted: seed.Entrusted ?? seed.CreationType !== "Attached",
      CreatedTime: seed.CreatedTime ?? this.clock.now(),
    };
    g.Instances.set(si.InstanceId, si);
    this.scalingGroupByInstance.set(si.InstanceId, scalingGroupId);
    return si;
  }

  removeScalingInstance(g: ScalingGroup, instanceId: string): void {
    g.Instances.delete(instanceId);
    if (this.scalingGroupByInstance.get(instanceId) === g.ScalingGroupId) this.scalingGroupByInstance.delete(instanceId);
  }

  /** A scaling activity of the group, InProgress for `durationMs` from now (e.g. a scale-out a release lands in). */
  addScalingActivity(seed: { ScalingGroupId: string; durationMs: number; Action?: string; Description?: string; InstanceIds?: string[]; Outcome?: ScalingActivity["Outcome"] }): ScalingActivity {
    if (!this.scalingGroups.has(seed.ScalingGroupId)) throw new Error(`addScalingActivity: scaling group ${seed.ScalingGroupId} does not exist`);
    const now = this.clock.now();
    const a: ScalingActivity = {
      ScalingActivityId: this.newId("asa"),
      ScalingGroupId: seed.ScalingGroupId,
      Action: seed.Action ?? "ScaleOut",
      InstanceIds: seed.InstanceIds ?? [],
      Description: seed.Description ?? "Add \"1\" ECS instance(s)",
      StartTime: now,
      EndTime: now + seed.durationMs,
      Outcome: seed.Outcome ?? "Successful",
    };
    this.scalingActivities.push(a);
    return a;
  }

  getScalingGroup(id: string): ScalingGroup | undefined {
    return this.scalingGroups.get(id);
  }

  // ----- OSS / MNS -----

  getObject(bucket: string, key: string): OssObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** A bucket (created now, in the default region, unless said otherwise); an existing one is returned as it is. */
  addBucket(name: string, opts: { Region?: string; CreationDate?: number | string } = {}): OssBucket {
    let b = this.bucketInfo.get(name);
    if (!b) {
      const created = opts.CreationDate === undefined ? this.clock.now() : typeof opts.CreationDate === "string" ? Date.parse(opts.CreationDate) : opts.CreationDate;
      this.bucketInfo.set(name, (b = { Name: name, Region: opts.Region ?? this.defaultRegion, CreationDate: created }));
      if (!this.buckets.has(name)) this.buckets.set(name, new Map());
    }
    return b;
  }

  getBucket(name: string): OssBucket | undefined {
    return this.bucketInfo.get(name);
  }

  addQueue(name: string, opts: { VisibilityTimeout?: number; MaximumMessageSize?: number } = {}): MnsQueue {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = { QueueName: name, VisibilityTimeout: opts.VisibilityTimeout ?? 30, MaximumMessageSize: opts.MaximumMessageSize ?? 65_536, Messages: [] }));
    else {
      if (opts.VisibilityTimeout !== undefined) q.VisibilityTimeout = opts.VisibilityTimeout;
      if (opts.MaximumMessageSize !== undefined) q.MaximumMessageSize = opts.MaximumMessageSize;
    }
    return q;
  }

  getQueue(name: string): MnsQueue | undefined {
    return this.queues.get(name);
  }

  addTopic(name: string): MnsTopic {
    let t = this.topics.get(name);
    if (!t) this.topics.set(name, (t = { TopicName: name, MaximumMessageSize: 65_536, Messages: [] }));
    return t;
  }

  getTopic(name: string): MnsTopic | undefined {
    return this.topics.get(name);
  }

  /** The bodies published to a topic, in order ([] for an unknown topic). */
  topicMessages(name: string): string[] {
    return (this.topics.get(name)?.Messages ?? []).map((m) => m.MessageBody);
  }

  /** The MessageAttributes of each message published to a topic, in order (undefined for a message without any). */
  topicMessageAttributes(name: string): (Record<string, string> | undefined)[] {
    return (this.topics.get(name)?.Messages ?? []).map((m) => m.MessageAttributes);
  }
}
