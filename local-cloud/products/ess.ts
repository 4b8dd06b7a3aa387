// Auto Scaling (ESS 2014-08-28): scaling groups, their instances and scaling
// activities. Sources: the DetachInstances / RemoveInstances references (legacy
// 2014-08-28 doc with its error table; ess-20220222 DetachInstances model) and
// the DescribeScalingActivities model (StatusCode values).
// - A group with a scaling activity in progress refuses another: 400
//   ScalingActivityInProgress ("You cannot delete a scaling group or launch a new
//   scaling activity while there is a scaling activity in progress").
// - "The number of ... instances in the scaling group minus the number of
//   instances being removed cannot be [less than MinSize]": 400
//   IncorrectCapacity.MinSize, for DetachInstances as for RemoveInstances;
//   DecreaseDesiredCapacity does not change that count.
// - An instance that is not in the group: 404 InvalidInstanceId.NotFound.
// - DetachOption=both "detaches the ... instances ... from the associated load
//   balancers": the group's attached CLBs, vServer groups and ALB server groups.
// - "A successful call only means that Auto Scaling accepts your request": the
//   answer is a ScalingActivityId. The fake applies the removal when it accepts
//   and keeps the activity InProgress for LifecycleTiming.scalingActivityMs (an
//   assumption), so a second removal meanwhile meets ScalingActivityInProgress.
// With RemovePolicy=release (default) an auto-created or entrusted instance is
// released from ECS (Instance:StateChange Deleted), as RemoveInstances describes.
import { ApiError } from "../errors";
import { isoSeconds } from "../encoding";
import { optBool, optStr, page, pageParams, repeatList, reqStr } from "../params";
import { scalingActivityStatus, type CloudState, type ScalingActivity, type ScalingGroup, type ScalingInstance } from "../state";
import type { RpcContext, RpcHandler, RpcProduct } from "./rpc";

function groupOf(state: CloudState, id: string): ScalingGroup {
  const g = state.scalingGroups.get(id);
  if (!g) throw new ApiError(404, "InvalidScalingGroupId.NotFound", "The specified scaling group does not exist.");
  return g;
}

const describeScalingGroups: RpcHandler = ({ p, state }) => {
  const ids = repeatList(p, "ScalingGroupId");
  const names = repeatList(p, "ScalingGroupName");
  const region = optStr(p, "RegionId");
  const source = ids.length ? ids.map((id) => state.scalingGroups.get(id)).filter((g): g is ScalingGroup => !!g) : [...state.scalingGroups.values()];
  const matched = source.filter((g) => (region === undefined || g.RegionId === region) && (names.length === 0 || names.includes(g.ScalingGroupName)));
  const { pageNumber, pageSize } = pageParams(p, { defaultSize: 10, maxSize: 50 });
  return {
    TotalCount: matched.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    ScalingGroups: {
      ScalingGroup: page(matched, pageNumber, pageSize).map((g) => ({
        ScalingGroupId: g.ScalingGroupId,
        ScalingGroupName: g.ScalingGroupName,
        RegionId: g.RegionId,
        LifecycleState: g.LifecycleState,
        MinSize: g.MinSize,
        MaxSize: g.MaxSize,
        DesiredCapacity: g.DesiredCapacity,
        TotalCapacity: g.Instances.size,
        ActiveCapacity: [...g.Instances.values()].filter((i) => i.LifecycleState === "InService").length,
        LoadBalancerIds: { LoadBalancerId: [...g.LoadBalancerIds] },
        VServerGroups: { VServerGroup: groupVServerGroups(state, g) },
        AlbServerGroups: { AlbServerGroup: g.AlbServerGroups.map((a) => ({ ...a })) },
      })),
    },
  };
};

/** DescribeScalingGroups VServerGroups: per load balancer, its vServer groups and ports. */
function groupVServerGroups(state: CloudState, g: ScalingGroup): Array<Record<string, unknown>> {
  const byLb = new Map<string, Array<{ VServerGroupId: string; Port: number }>>();
  for (const v of g.VServerGroups) {
    const lb = state.getVServerGroup(v.VServerGroupId)?.LoadBalancerId ?? "";
    byLb.set(lb, [...(byLb.get(lb) ?? []), v]);
  }
  return [...byLb].map(([LoadBalancerId, attrs]) => ({ LoadBalancerId, VServerGroupAttributes: { VServerGroupAttribute: attrs } }));
}

const instanceView = (i: ScalingInstance): Record<string, unknown> => ({
  InstanceId: i.InstanceId,
  ScalingGroupId: i.ScalingGroupId,
  LifecycleState: i.LifecycleState,
  HealthStatus: i.HealthStatus,
  CreationType: i.CreationType,
  Entrusted: i.Entrusted,
  CreatedTime: isoSeconds(i.CreatedTime),
  CreationTime: isoSeconds(i.CreatedTime).replace(/:\d{2}Z$/, "Z"),
  WarmupState: "NoNeedWarmup",
});

const describeScalingInstances: RpcHandler = ({ p, state }) => {
  const groupId = optStr(p, "ScalingGroupId");
  const ids = repeatList(p, "InstanceId");
  if (ids.length > 20) throw new ApiError(400, "InvalidParameter", "At most 20 InstanceId.N may be given.");
  const lifecycle = optStr(p, "LifecycleState");
  const creationType = optStr(p, "CreationType");
  const health = optStr(p, "HealthStatus");
  let source: ScalingInstance[];
  if (ids.length) {
    // Unknown or inactive instances are left out without an error, as documented.
    source = ids
      .map((id) => {
        const gid = state.scalingGroupByInstance.get(id);
        return gid ? state.scalingGroups.get(gid)?.Instances.get(id) : undefined;
      })
      .filter((i): i is ScalingInstance => !!i);
  } else if (groupId) {
    source = [...groupOf(state, groupId).Instances.values()];
  } else {
    source = [...state.scalingGroups.values()].flatMap((g) => [...g.Instances.values()]);
  }
  const matched = source.filter(
    (i) =>
      (groupId === undefined || i.ScalingGroupId === groupId) &&
      (lifecycle === undefined || i.LifecycleState === lifecycle) &&
      (creationType === undefined || i.CreationType === creationType) &&
      (health === undefined || i.HealthStatus === health),
  );
  const { pageNumber, pageSize } = pageParams(p, { defaultSize: 10, maxSize: 50 });
  return { TotalCount: matched.length, PageNumber: pageNumber, PageSize: pageSize, ScalingInstances: { ScalingInstance: page(matched, pageNumber, pageSize).map(instanceView) } };
};

function removal(ctx: RpcContext, action: "RemoveInstances" | "DetachInstances"): Record<string, unknown> {
  const { p, state, life, now } = ctx;
  const g = groupOf(state, reqStr(p, "ScalingGroupId"));
  const ids = repeatList(p, "InstanceId");
  if (ids.length === 0) throw new ApiError(400, "MissingParameter", 'The input parameter "InstanceId" that is mandatory for processing this request is not supplied.');
  if (ids.length > 20) throw new ApiError(400, "InvalidParameter", "At most 20 InstanceId.N may be given.");
  if (g.LifecycleState !== "Active") throw new ApiError(400, "IncorrectScalingGroupStatus", "The current status of the specified scaling group does not support this action.");
  const members = ids.map((id) => {
    const si = g.Instances.get(id);
    if (!si) throw new ApiError(404, "InvalidInstanceId.NotFound", `Instance "${id}" does not exist.`);
    return si;
  });
  if (g.Instances.size - members.length < g.MinSize) {
    throw new ApiError(400, "IncorrectCapacity.MinSize", "To remove the instances, the total capacity will be lesser than the MinSize.");
  }
  // Which check wins when several fail is not documented: the request is validated first, the group's state last.
  if (state.scalingActivities.some((a) => a.ScalingGroupId === g.ScalingGroupId && scalingActivityStatus(a, now) === "InProgress")) {
    throw new ApiError(400, "ScalingActivityInProgress", "You cannot delete a scaling group or launch a new scaling activity while there is a scaling activity in progress.");
  }
  const removePolicy = optStr(p, "RemovePolicy") ?? "release";
  if (!["release", "recycle"].includes(removePolicy)) throw new ApiError(400, "InvalidParameter", `RemovePolicy "${removePolicy}" is not supported.`);
  const detachOption = optStr(p, "DetachOption");
  if (detachOption !== undefined && detachOption !== "both") throw new ApiError(400, "InvalidParameter", `DetachOption "${detachOption}" is not supported.`);
  const decrease = optBool(p, "DecreaseDesiredCapacity") ?? true;
  for (const si of members) {
    state.removeScalingInstance(g, si.InstanceId);
    if (action === "DetachInstances" && detachOption === "both") detachFromGroupLoadBalancers(state, g, si.InstanceId);
    if (action === "RemoveInstances" && removePolicy === "release" && (si.CreationType === "AutoCreated" || si.Entrusted)) life.release(si.InstanceId);
  }
  if (decrease) g.DesiredCapacity = Math.max(g.MinSize, g.DesiredCapacity - members.length);
  const activity: ScalingActivity = {
    ScalingActivityId: state.newId("asa"),
    ScalingGroupId: g.ScalingGroupId,
    Action: action,
    InstanceIds: ids,
    Description: `Remove "${ids.length}" ECS instance(s)`,
    StartTime: now,
    EndTime: now + life.scalingActivityMs,
    Outcome: "Successful",
  };
  state.scalingActivities.push(activity);
  return { ScalingActivityId: activity.ScalingActivityId };
}

/** DetachOption=both: off the group's attached CLB default groups, vServer groups and ALB server groups. */
function detachFromGroupLoadBalancers(state: CloudState, g: ScalingGroup, instanceId: string): void {
  for (const id of g.LoadBalancerIds) {
    const lb = state.getLoadBalancer(id);
    if (lb) state.detachClbBackend(lb, instanceId);
  }
  for (const v of g.VServerGroups) {
    const vsg = state.getVServerGroup(v.VServerGroupId);
    if (vsg) state.detachVServerBackend(vsg, instanceId, v.Port);
  }
  for (const a of g.AlbServerGroups) {
    const sg = state.getAlbServerGroup(a.AlbServerGroupId);
    if (sg) sg.Servers = sg.Servers.filter((s) => !(s.ServerId === instanceId && s.Port === a.Port));
  }
}

const activityView = (a: ScalingActivity, now: number): Record<string, unknown> => {
  const status = scalingActivityStatus(a, now);
  return {
    ScalingActivityId: a.ScalingActivityId,
    ScalingGroupId: a.ScalingGroupId,
    StatusCode: status,
    StatusMessage: status === "InProgress" ? "" : `"${a.InstanceIds.length}" ECS instances are ${a.Action === "ScaleOut" ? "added" : "removed"}`,
    Progress: status === "InProgress" ? 50 : 100,
    Description: a.Description,
    Cause: `A user requested to execute ${a.Action}.`,
    StartTime: isoSeconds(a.StartTime).replace(/:\d{2}Z$/, "Z"),
    ...(status === "InProgress" ? {} : { EndTime: isoSeconds(a.EndTime).replace(/:\d{2}Z$/, "Z") }),
    ScalingInstanceNumber: a.InstanceIds.length,
  };
};

// DescribeScalingActivities: by ScalingActivityId.N or by ScalingGroupId (the ess-20220222 doc: one of the two is required).
const describeScalingActivities: RpcHandler = ({ p, state, now }) => {
  const ids = repeatList(p, "ScalingActivityId");
  const groupId = optStr(p, "ScalingGroupId");
  if (ids.length === 0 && groupId === undefined) throw new ApiError(400, "MissingParameter", 'The input parameter "ScalingGroupId" that is mandatory for processing this request is not supplied.');
  if (ids.length > 20) throw new ApiError(400, "InvalidParameter", "At most 20 ScalingActivityId.N may be given.");
  if (groupId !== undefined) groupOf(state, groupId);
  const status = optStr(p, "StatusCode");
  const matched = state.scalingActivities
    .filter((a) => (ids.length === 0 || ids.includes(a.ScalingActivityId)) && (groupId === undefined || a.ScalingGroupId === groupId))
    .filter((a) => status === undefined || scalingActivityStatus(a, now) === status)
    .sort((a, b) => b.StartTime - a.StartTime);
  const { pageNumber, pageSize } = pageParams(p, { defaultSize: 10, maxSize: 50 });
  return { TotalCount: matched.length, PageNumber: pageNumber, PageSize: pageSize, ScalingActivities: { ScalingActivity: page(matched, pageNumber, pageSize).map((a) => activityView(a, now)) } };
};

export const ess: RpcProduct = {
  product: "ESS",
  version: "2014-08-28",
  host: "ess.aliyuncs.com",
  handlers: {
    DescribeScalingGroups: describeScalingGroups,
    DescribeScalingInstances: describeScalingInstances,
    DescribeScalingActivities: describeScalingActivities,
    RemoveInstances: (ctx) => removal(ctx, "RemoveInstances"),
    DetachInstances: (ctx) => removal(ctx, "DetachInstances"),
  },
};
