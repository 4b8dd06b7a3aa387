// Auto Scaling (ESS 2014-08-28): scaling groups and their instances.
// An instance that is not in the group: 404 InvalidInstanceId.NotFound, as the
// RemoveInstances reference documents. Removal is applied synchronously; with
// RemovePolicy=release (default) an auto-created or entrusted instance is
// released from ECS (Instance:StateChange Deleted), as the reference describes.
import { ApiError } from "../errors";
import { isoSeconds } from "../encoding";
import { optBool, optStr, page, pageParams, repeatList, reqStr } from "../params";
import type { CloudState, ScalingGroup, ScalingInstance } from "../state";
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
      })),
    },
  };
};

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
  if (action === "RemoveInstances" && g.Instances.size - members.length < g.MinSize) {
    throw new ApiError(400, "IncorrectCapacity.MinSize", "To remove the instances, the total capacity will be lesser than the MinSize.");
  }
  const removePolicy = optStr(p, "RemovePolicy") ?? "release";
  if (!["release", "recycle"].includes(removePolicy)) throw new ApiError(400, "InvalidParameter", `RemovePolicy "${removePolicy}" is not supported.`);
  const decrease = optBool(p, "DecreaseDesiredCapacity") ?? true;
  for (const si of members) {
    state.removeScalingInstance(g, si.InstanceId);
    if (action === "RemoveInstances" && removePolicy === "release" && (si.CreationType === "AutoCreated" || si.Entrusted)) life.release(si.InstanceId);
  }
  if (decrease) g.DesiredCapacity = Math.max(g.MinSize, g.DesiredCapacity - members.length);
  const activity = { ScalingActivityId: state.newId("asa"), ScalingGroupId: g.ScalingGroupId, Action: action, InstanceIds: ids, At: now };
  state.scalingActivities.push(activity);
  return { ScalingActivityId: activity.ScalingActivityId };
}

export const ess: RpcProduct = {
  product: "ESS",
  version: "2014-08-28",
  host: "ess.aliyuncs.com",
  handlers: {
    DescribeScalingGroups: describeScalingGroups,
    DescribeScalingInstances: describeScalingInstances,
    RemoveInstances: (ctx) => removal(ctx, "RemoveInstances"),
    DetachInstances: (ctx) => removal(ctx, "DetachInstances"),
  },
};
