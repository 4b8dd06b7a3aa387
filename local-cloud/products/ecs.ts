// ECS 2014-05-26: instances, their status, system events, maintenance
// attributes, renewal. Shapes follow the public API reference.
import { ApiError, invalidParameter } from "../errors";
import { isoMinutes, isoSeconds } from "../encoding";
import { STARTS_EXECUTING } from "../lifecycle";
import { jsonParam, objectList, optBool, optInt, optStr, page, pageParams, repeatList, reqStr, tokenPage, type Params } from "../params";
import { ACTIVE_EVENT_STATUSES, FINISHED_EVENT_STATUSES, type CloudState, type EcsInstance, type EventCycleStatus, type SystemEvent } from "../state";
import type { RpcContext, RpcHandler, RpcProduct } from "./rpc";

/** Limit documented for CreateSimulatedSystemEvents: scheduled simulated events per user. */
export const SIMULATED_EVENT_LIMIT = 1000;

export const SIMULATABLE_EVENT_TYPES = [
  "SystemMaintenance.Reboot",
  "SystemMaintenance.Stop",
  "SystemMaintenance.Redeploy",
  "SystemFailure.Reboot",
  "SystemFailure.Redeploy",
  "SystemFailure.Stop",
  "InstanceFailure.Reboot",
] as const;

// Numeric codes in DescribeInstanceHistoryEvents. Confirmed by documented
// examples: Executed 0, Avoided 8, Scheduled 24; SystemMaintenance.Reboot 1,
// SystemFailure.Reboot 65, InstanceExpiration.Stop 34. The others are
// (unconfirmed) placeholders: consumers must read `Name`, never `Code`.
const STATUS_CODES: Record<EventCycleStatus, number> = { Executed: 0, Avoided: 8, Scheduled: 24, Executing: 32, Canceled: 16, Failed: 64, Inquiring: 128 };
const TYPE_CODES: Record<string, number> = { "SystemMaintenance.Reboot": 1, "SystemFailure.Reboot": 65, "InstanceExpiration.Stop": 34 };

const notFound = (): ApiError => new ApiError(404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.");
const incorrectStatus = (): ApiError => new ApiError(403, "IncorrectInstanceStatus", "The current status of the resource does not support this operation.");
const dryRunPassed = (): ApiError => new ApiError(400, "DryRunOperation", "Request validation has been passed with DryRun flag set.");

function instanceOf(state: CloudState, id: string): EcsInstance {
  const inst = state.instances.get(id);
  if (!inst) throw notFound();
  return inst;
}

function inRegion(p: Params, regionId: string): boolean {
  const r = optStr(p, "RegionId");
  return r === undefined || r === regionId;
}

function instanceView(i: EcsInstance): Record<string, unknown> {
  return {
    InstanceId: i.InstanceId,
    InstanceName: i.InstanceName,
    RegionId: i.RegionId,
    ZoneId: i.ZoneId,
    InstanceType: i.InstanceType,
    Status: i.Status,
    InstanceChargeType: i.InstanceChargeType,
    ExpiredTime: isoMinutes(i.ExpiredTime),
    SpotStrategy: i.SpotStrategy,
    CreationTime: isoMinutes(i.CreationTime),
    Tags: { Tag: i.Tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })) },
  };
}

const describeInstances: RpcHandler = ({ p, state }) => {
  const ids = jsonParam<unknown>(p, "InstanceIds");
  if (ids !== undefined && (!Array.isArray(ids) || ids.length > 100 || ids.some((x) => typeof x !== "string"))) {
    throw invalidParameter("InstanceIds", "must be a JSON array of at most 100 instance IDs");
  }
  const tags = objectList(p, "Tag").filter((t) => t.Key !== undefined);
  const status = optStr(p, "Status");
  const chargeType = optStr(p, "InstanceChargeType");
  const source: Iterable<EcsInstance> = ids
    ? (ids as string[]).map((id) => state.instances.get(id)).filter((i): i is EcsInstance => i !== undefined)
    : state.instances.values();
  const matched: EcsInstance[] = [];
  for (const i of source) {
    if (!inRegion(p, i.RegionId)) continue;
    if (status && i.Status !== status) continue;
    if (chargeType && i.InstanceChargeType !== chargeType) continue;
    if (!tags.every((t) => i.Tags.some((x) => x.TagKey === t.Key && (t.Value === undefined || x.TagValue === t.Value)))) continue;
    matched.push(i);
  }
  if (optStr(p, "NextToken") !== undefined || optStr(p, "MaxResults") !== undefined) {
    const r = tokenPage(p, matched, { defaultMax: 10, maxMax: 100, tokenCode: "InvalidParameter.NextToken" });
    return { TotalCount: matched.length, NextToken: r.nextToken, Instances: { Instance: r.items.map(instanceView) } };
  }
  const { pageNumber, pageSize } = pageParams(p, { defaultSize: 10, maxSize: 100 });
  return { TotalCount: matched.length, PageNumber: pageNumber, PageSize: pageSize, Instances: { Instance: page(matched, pageNumber, pageSize).map(instanceView) } };
};

const describeInstanceStatus: RpcHandler = ({ p, state }) => {
  const ids = repeatList(p, "InstanceId");
  if (ids.length > 100) throw new ApiError(403, "InstanceIdLimitExceeded", "The number of InstanceId.N exceeds 100.");
  const source = ids.length ? ids.map((id) => state.instances.get(id)).filter((i): i is EcsInstance => !!i) : [...state.instances.values()];
  const matched = source.filter((i) => inRegion(p, i.RegionId));
  const { pageNumber, pageSize } = pageParams(p, { defaultSize: 10, maxSize: 50 });
  return {
    TotalCount: matched.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    InstanceStatuses: { InstanceStatus: page(matched, pageNumber, pageSize).map((i) => ({ InstanceId: i.InstanceId, Status: i.Status })) },
  };
};

/**
 * An instance action that the ECS API accepts only in one status (IncorrectInstanceStatus
 * otherwise) and that a DryRun only checks (DryRunOperation).
 */
function instanceAction(required: "Running" | "Stopped", act: (ctx: RpcContext, inst: EcsInstance) => void): RpcHandler {
  return (ctx) => {
    const inst = instanceOf(ctx.state, reqStr(ctx.p, "InstanceId"));
    if (inst.Status !== required) throw incorrectStatus();
    if (optBool(ctx.p, "DryRun")) throw dryRunPassed();
    act(ctx, inst);
    return {};
  };
}

const rebootInstance = instanceAction("Running", ({ life }, inst) => {
  life.avoidByReboot(inst.InstanceId);
  life.reboot(inst);
});
const stopInstance = instanceAction("Running", ({ life }, inst) => life.stop(inst));
const startInstance = instanceAction("Stopped", ({ life }, inst) => life.start(inst));

// RedeployInstance's doc (SDK ecs-20140526 client.ts, "system event types and
// event states that RedeployInstance can respond to"): the instance must be
// Running or Stopped; simulated events cannot be responded to. (Local-disk
// SystemFailure.Reboot:Executing is left out: the fake has no local disks.)
export const REDEPLOY_RESPONDS_TO: Readonly<Record<string, readonly EventCycleStatus[]>> = {
  "SystemMaintenance.Reboot": ["Inquiring", "Scheduled"],
  "SystemMaintenance.Redeploy": ["Inquiring", "Scheduled"],
  "SystemMaintenance.RebootAndIsolateErrorDisk": ["Inquiring"],
  "SystemMaintenance.RebootAndReInitErrorDisk": ["Inquiring"],
  "SystemFailure.Redeploy": ["Inquiring"],
  "SystemMaintenance.IsolateErrorDisk": ["Inquiring"],
  "SystemMaintenance.ReInitErrorDisk": ["Inquiring"],
};

// The error code for "no event it can respond to" is (unconfirmed); this fake
// answers 403 IncorrectInstanceStatus with an explanatory message. What the
// answered event becomes is (unconfirmed) too: here it ends Avoided.
const redeployInstance: RpcHandler = ({ p, state, life }) => {
  const inst = instanceOf(state, reqStr(p, "InstanceId"));
  if (inst.Status !== "Running" && inst.Status !== "Stopped") throw incorrectStatus();
  const answered = state.eventsOf(inst.InstanceId).filter((e) => !e.Simulated && (REDEPLOY_RESPONDS_TO[e.EventType] ?? []).includes(e.Status));
  if (answered.length === 0) {
    throw new ApiError(403, "IncorrectInstanceStatus", "The instance has no (non-simulated) system event in a status RedeployInstance responds to.");
  }
  for (const e of answered) life.transition(e, "Avoided");
  if (inst.Status === "Running") life.reboot(inst, 30_000);
  else life.start(inst);
  return { TaskId: `t-${state.newId("redeploy").slice(9)}` };
};

const acceptInquiredSystemEvent: RpcHandler = ({ p, state, life }) => {
  const id = reqStr(p, "EventId");
  const ev = state.events.get(id);
  if (!ev) throw new ApiError(404, "InvalidEventId.NotFound", `The specified EventId "${id}" does not exist.`);
  // (unconfirmed) error code when the event is not waiting for an answer.
  if (ev.Status !== "Inquiring") throw new ApiError(403, "IncorrectEventStatus", `The event is ${ev.Status}, not Inquiring.`);
  life.transition(ev, "Executing");
  return {};
};

function eventView(e: SystemEvent): Record<string, unknown> {
  const v: Record<string, unknown> = {
    EventId: e.EventId,
    InstanceId: e.InstanceId,
    ResourceType: "instance",
    EventType: { Code: TYPE_CODES[e.EventType] ?? 0, Name: e.EventType },
    EventCycleStatus: { Code: STATUS_CODES[e.Status], Name: e.Status },
    EventPublishTime: isoSeconds(e.PublishTime),
    Reason: e.Reason,
    ImpactLevel: "100",
    ExtendedAttribute: {},
  };
  if (e.NotBefore !== undefined) v.NotBefore = isoSeconds(e.NotBefore);
  if (e.FinishTime !== undefined) v.EventFinishTime = isoSeconds(e.FinishTime);
  return v;
}

function timeRange(p: Params, name: string): [number, number] {
  const parse = (k: string, dflt: number): number => {
    const raw = optStr(p, k);
    if (raw === undefined) return dflt;
    const t = Date.parse(raw);
    if (Number.isNaN(t)) throw invalidParameter(k, "must be ISO-8601 UTC (yyyy-MM-ddTHH:mm:ssZ)");
    return t;
  };
  return [parse(`${name}.Start`, -Infinity), parse(`${name}.End`, Infinity)];
}

const describeInstanceHistoryEvents: RpcHandler = ({ p, state }) => {
  const eventIds = repeatList(p, "EventId");
  if (eventIds.length > 100) throw new ApiError(403, "EventIdLimitExceeded", "At most 100 EventId.N may be given.");
  let statuses = repeatList(p, "InstanceEventCycleStatus");
  if (statuses.length === 0) {
    const one = optStr(p, "EventCycleStatus");
    // Documented default: only finished events when no status filter is given.
    statuses = one ? [one] : [...FINISHED_EVENT_STATUSES];
  }
  let types = repeatList(p, "InstanceEventType");
  if (types.length === 0 && optStr(p, "EventType")) types = [optStr(p, "EventType")!];
  const instanceId = optStr(p, "InstanceId");
  const [nbStart, nbEnd] = timeRange(p, "NotBefore");
  const [pubStart, pubEnd] = timeRange(p, "EventPublishTime");

  let source: Iterable<SystemEvent>;
  if (eventIds.length) source = eventIds.map((id) => state.events.get(id)).filter((e): e is SystemEvent => !!e);
  else if (instanceId) source = state.eventsOf(instanceId);
  else source = state.events.values();

  const matched: SystemEvent[] = [];
  for (const e of source) {
    if (instanceId && e.InstanceId !== instanceId) continue;
    if (!inRegion(p, e.RegionId)) continue;
    if (!statuses.includes(e.Status)) continue;
    if (types.length && !types.includes(e.EventType)) continue;
    if (e.NotBefore !== undefined ? e.NotBefore < nbStart || e.NotBefore > nbEnd : nbStart !== -Infinity || nbEnd !== Infinity) continue;
    if (e.PublishTime < pubStart || e.PublishTime > pubEnd) continue;
    matched.push(e);
  }
  const { pageNumber, pageSize } = pageParams(p, { defaultSize: 10, maxSize: 100 });
  return {
    TotalCount: matched.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    InstanceSystemEventSet: { InstanceSystemEventType: page(matched, pageNumber, pageSize).map(eventView) },
  };
};

/** The instances named by id, or (none named) every instance of the request's region: how the ECS attribute describes select. */
function listedOrInRegion(state: CloudState, p: Params, ids: string[]): EcsInstance[] {
  return ids.length ? ids.map((id) => instanceOf(state, id)) : [...state.instances.values()].filter((i) => inRegion(p, i.RegionId));
}

const describeInstanceMaintenanceAttributes: RpcHandler = ({ p, state }) => {
  const ids = repeatList(p, "InstanceId");
  if (ids.length > 100) throw new ApiError(403, "InstanceIdLimitExceeded", "The number of InstanceId.N exceeds 100.");
  const source = listedOrInRegion(state, p, ids);
  const { pageNumber, pageSize } = pageParams(p, { defaultSize: 10, maxSize: 100 });
  return {
    TotalCount: source.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    MaintenanceAttributes: {
      MaintenanceAttribute: page(source, pageNumber, pageSize).map((i) => ({
        InstanceId: i.InstanceId,
        NotifyOnMaintenance: i.Maintenance.NotifyOnMaintenance,
        MaintenanceWindows: { MaintenanceWindow: i.Maintenance.Windows.map((w) => ({ StartTime: w.StartTime, EndTime: w.EndTime })) },
        ActionOnMaintenance: {
          Value: i.Maintenance.ActionOnMaintenance,
          DefaultValue: "AutoRecover",
          SupportedValues: { SupportedValue: ["Stop", "AutoRecover", "AutoRedeploy"] },
        },
      })),
    },
  };
};

const WHOLE_HOUR = /^([01]\d|2[0-3]):00:00$/;

const modifyInstanceMaintenanceAttributes: RpcHandler = ({ p, state }) => {
  const ids = repeatList(p, "InstanceId");
  if (ids.length > 100) throw new ApiError(403, "InstanceIdLimitExceeded", "The number of InstanceId.N exceeds 100.");
  const instances = ids.map((id) => instanceOf(state, id));
  const windows = objectList(p, "MaintenanceWindow");
  if (windows.length > 1) throw new ApiError(403, "InvalidParameter", "Only MaintenanceWindow.1 is supported.");
  for (const w of windows) {
    if (!w.StartTime || !w.EndTime) throw new ApiError(403, "InvalidParameter", "MaintenanceWindow.N.StartTime and EndTime must be given together.");
    if (!WHOLE_HOUR.test(w.StartTime) || !WHOLE_HOUR.test(w.EndTime)) {
      throw new ApiError(403, "InvalidParameter", "Maintenance window times must be whole hours in HH:00:00 (UTC+8).");
    }
    const span = (Number(w.EndTime.slice(0, 2)) - Number(w.StartTime.slice(0, 2)) + 24) % 24;
    if (span < 1 || span > 23) throw new ApiError(403, "InvalidParameter", "EndTime must be 1 to 23 hours after StartTime.");
  }
  const action = optStr(p, "ActionOnMaintenance");
  if (action !== undefined && !["Stop", "AutoRecover", "AutoRedeploy"].includes(action)) throw new ApiError(403, "InvalidParameter", `ActionOnMaintenance "${action}" is not supported.`);
  const notify = optBool(p, "NotifyOnMaintenance");
  for (const i of instances) {
    if (windows.length) i.Maintenance.Windows = windows.map((w) => ({ StartTime: w.StartTime, EndTime: w.EndTime }));
    if (action) i.Maintenance.ActionOnMaintenance = action as EcsInstance["Maintenance"]["ActionOnMaintenance"];
    if (notify !== undefined) i.Maintenance.NotifyOnMaintenance = notify;
  }
  return {};
};

const PERIOD_UNIT_MS = { Week: 7 * 86400_000, Month: 30 * 86400_000, Year: 365 * 86400_000 } as const;

function addPeriod(from: number, n: number, unit: "Week" | "Month" | "Year"): number {
  const d = new Date(from);
  if (unit === "Month") d.setUTCMonth(d.getUTCMonth() + n);
  else if (unit === "Year") d.setUTCFullYear(d.getUTCFullYear() + n);
  else return from + n * PERIOD_UNIT_MS.Week;
  return d.getTime();
}

const renewInstance: RpcHandler = ({ p, state, life }) => {
  const inst = instanceOf(state, reqStr(p, "InstanceId"));
  // Only subscription instances can be renewed.
  if (inst.InstanceChargeType !== "PrePaid") throw new ApiError(403, "InstanceChargeType.NotSupported", "Only PrePaid (subscription) instances can be renewed.");
  const period = optInt(p, "Period", { min: 1, max: 60 });
  const unit = (optStr(p, "PeriodUnit") ?? "Month") as "Week" | "Month" | "Year";
  if (!(unit in PERIOD_UNIT_MS)) throw invalidParameter("PeriodUnit", "must be Week, Month or Year");
  if (period === undefined) throw new ApiError(400, "MissingParameter", 'The input parameter "Period" that is mandatory for processing this request is not supplied.');
  inst.ExpiredTime = addPeriod(inst.ExpiredTime, period, unit);
  // A renewal past an expiry event's NotBefore ends that event: the platform does not stop or release a
  // renewed instance. Which status it ends in is unconfirmed; Avoided is "the user acted in time".
  for (const ev of state.eventsOf(inst.InstanceId)) if (ev.Status === "Scheduled" && ev.EventType.startsWith("InstanceExpiration.") && (ev.NotBefore ?? 0) < inst.ExpiredTime) life.transition(ev, "Avoided");
  return { OrderId: state.newId("order").replace(/\D/g, "").padStart(15, "2") };
};

const modifyInstanceAutoRenewAttribute: RpcHandler = ({ p, state }) => {
  const ids = reqStr(p, "InstanceId").split(",").map((s) => s.trim()).filter(Boolean);
  if (ids.length > 100) throw new ApiError(403, "InstanceIdLimitExceeded", "At most 100 instance IDs.");
  const instances = ids.map((id) => instanceOf(state, id));
  const autoRenew = optBool(p, "AutoRenew");
  const duration = optInt(p, "Duration", { min: 1, max: 60 });
  const unit = optStr(p, "PeriodUnit") as "Week" | "Month" | "Year" | undefined;
  const renewalStatus = optStr(p, "RenewalStatus") as EcsInstance["AutoRenew"]["RenewalStatus"] | undefined;
  if (renewalStatus && !["AutoRenewal", "Normal", "NotRenewal"].includes(renewalStatus)) throw invalidParameter("RenewalStatus");
  for (const i of instances) {
    if (autoRenew !== undefined) {
      i.AutoRenew.AutoRenewEnabled = autoRenew;
      i.AutoRenew.RenewalStatus = autoRenew ? "AutoRenewal" : "Normal";
    }
    if (renewalStatus) {
      i.AutoRenew.RenewalStatus = renewalStatus;
      i.AutoRenew.AutoRenewEnabled = renewalStatus === "AutoRenewal";
    }
    if (duration !== undefined) i.AutoRenew.Duration = duration;
    if (unit) i.AutoRenew.PeriodUnit = unit;
  }
  return {};
};

const describeInstanceAutoRenewAttribute: RpcHandler = ({ p, state }) => {
  const ids = (optStr(p, "InstanceId") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const source = listedOrInRegion(state, p, ids);
  const { pageNumber, pageSize } = pageParams(p, { defaultSize: 10, maxSize: 100 });
  return {
    TotalCount: source.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    InstanceRenewAttributes: {
      InstanceRenewAttribute: page(source, pageNumber, pageSize).map((i) => ({
        InstanceId: i.InstanceId,
        AutoRenewEnabled: i.AutoRenew.AutoRenewEnabled,
        Duration: i.AutoRenew.Duration,
        PeriodUnit: i.AutoRenew.PeriodUnit,
        RenewalStatus: i.AutoRenew.RenewalStatus,
      })),
    },
  };
};

const createSimulatedSystemEvents: RpcHandler = ({ p, state, life, now }) => {
  const type = reqStr(p, "EventType");
  if (!(SIMULATABLE_EVENT_TYPES as readonly string[]).includes(type)) throw invalidParameter("EventType", `"${type}" cannot be simulated`);
  const ids = repeatList(p, "InstanceId");
  if (ids.length === 0) throw new ApiError(400, "MissingParameter", 'The input parameter "InstanceId" that is mandatory for processing this request is not supplied.');
  if (ids.length > 100) throw new ApiError(403, "InstanceIdLimitExceeded", "The number of InstanceId.N exceeds 100.");
  const nbRaw = reqStr(p, "NotBefore");
  const notBefore = Date.parse(nbRaw);
  if (Number.isNaN(notBefore)) throw invalidParameter("NotBefore", "must be ISO-8601 UTC (yyyy-MM-ddTHH:mm:ssZ)");
  if (notBefore < now) throw new ApiError(403, "InvalidNotBefore.Passed", "The specified NotBefore is earlier than the current time.");
  for (const id of ids) instanceOf(state, id);
  if (state.activeSimulatedEvents + ids.length > SIMULATED_EVENT_LIMIT) {
    throw new ApiError(403, "SimulatedEventLimitExceeded", `A user may hold at most ${SIMULATED_EVENT_LIMIT} scheduled simulated events.`);
  }
  const created = ids.map((id) =>
    life.createEvent({ InstanceId: id, EventType: type, NotBefore: notBefore, Simulated: true, Status: STARTS_EXECUTING.test(type) ? "Executing" : "Scheduled" }),
  );
  return { EventIdSet: { EventId: created.map((e) => e.EventId) } };
};

const cancelSimulatedSystemEvents: RpcHandler = ({ p, state, life }) => {
  const ids = repeatList(p, "EventId");
  if (ids.length === 0) throw new ApiError(400, "MissingParameter", 'The input parameter "EventId" that is mandatory for processing this request is not supplied.');
  if (ids.length > 100) throw new ApiError(403, "EventIdLimitExceeded", "At most 100 EventId.N may be given.");
  const events = ids.map((id) => {
    const e = state.events.get(id);
    if (!e) throw new ApiError(404, "InvalidEventId.NotFound", `The specified EventId "${id}" does not exist.`);
    if (!e.Simulated) throw new ApiError(403, "CannotCancelSystemEvent.NotSimulated", `The event "${id}" is not a simulated event.`);
    return e;
  });
  // Scheduled or Executing → Canceled; events already finished are left as they are.
  for (const e of events) if (ACTIVE_EVENT_STATUSES.includes(e.Status)) life.transition(e, "Canceled");
  return {};
};

export const ecs: RpcProduct = {
  product: "ECS",
  version: "2014-05-26",
  host: "ecs.aliyuncs.com",
  handlers: {
    DescribeInstances: describeInstances,
    DescribeInstanceStatus: describeInstanceStatus,
    DescribeInstanceHistoryEvents: describeInstanceHistoryEvents,
    DescribeInstanceMaintenanceAttributes: describeInstanceMaintenanceAttributes,
    ModifyInstanceMaintenanceAttributes: modifyInstanceMaintenanceAttributes,
    RebootInstance: rebootInstance,
    StopInstance: stopInstance,
    StartInstance: startInstance,
    RedeployInstance: redeployInstance,
    AcceptInquiredSystemEvent: acceptInquiredSystemEvent,
    RenewInstance: renewInstance,
    ModifyInstanceAutoRenewAttribute: modifyInstanceAutoRenewAttribute,
    DescribeInstanceAutoRenewAttribute: describeInstanceAutoRenewAttribute,
    CreateSimulatedSystemEvents: createSimulatedSystemEvents,
    CancelSimulatedSystemEvents: cancelSimulatedSystemEvents,
  },
};

export type { RpcContext };
