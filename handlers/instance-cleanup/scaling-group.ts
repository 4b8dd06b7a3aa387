// Auto Scaling (ESS) membership of a released instance, and its detach.
// DetachInstances never stops or releases anything (DetachInstances doc);
// DecreaseDesiredCapacity=false keeps the desired capacity, so the group
// launches a replacement; DetachOption=both also takes the instance off the
// group's own load balancers (the handler removes it from every one anyway).
// The gateway retries the documented busy answers (ScalingActivityInProgress,
// ...; core/apis.ts) with backoff within the deadline.
import { ESS } from "../core/apis";
import { codeOf } from "../core/errors";
import type { CloudGateway, InstanceCalls } from "../core/gateway";
import { listOf, str } from "../cloud/rpc-response";

export interface ScalingMembership {
  scalingGroupId: string;
  lifecycleState?: string;
}

export async function scalingGroupsOf(cloud: CloudGateway, instanceId: string, regionId: string): Promise<ScalingMembership[]> {
  const body = await cloud.read(ESS.describeScalingInstances, { RegionId: regionId, InstanceId: [instanceId] });
  return listOf(body, "ScalingInstances", "ScalingInstance")
    .filter((i) => str(i.InstanceId) === instanceId && str(i.ScalingGroupId))
    .map((i) => ({ scalingGroupId: str(i.ScalingGroupId)!, lifecycleState: str(i.LifecycleState) }));
}

/** What became of one scaling group's membership. */
export type DetachResult =
  | { kind: "detached"; scalingGroupId: string; note: string }
  /** ESS refused for a documented reason it resolves itself (MinSize): reported, not failed. */
  | { kind: "left-to-ess"; scalingGroupId: string; note: string };

/** Polls of the activity a detach started: 1 s, 2 s, 4 s, then every 5 s (jittered), within the deadline, about a minute at most. */
const ACTIVITY_POLL = { firstMs: 1_000, maxMs: 5_000 };
const MAX_ACTIVITY_POLLS = 12;

/**
 * DetachInstances for one group, then the activity it started until it ends
 * (or the deadline is near: then "accepted, still in progress"). Throws when
 * ESS refuses for another reason or the activity fails.
 */
export async function detachReleased(m: ScalingMembership, { cloud, instanceId, regionId }: InstanceCalls): Promise<DetachResult> {
  const group = m.scalingGroupId;
  let body;
  try {
    body = await cloud.mutate(
      ESS.detachInstances,
      { RegionId: regionId, ScalingGroupId: group, InstanceId: [instanceId], DecreaseDesiredCapacity: false, DetachOption: "both" },
      `${group}/${instanceId}`,
      { tolerateGone: true },
    );
  } catch (err) {
    // DetachInstances error table: "To remove the instances, the total capacity will be lesser than the MinSize" —
    // DecreaseDesiredCapacity does not change that count. An instance that is not Running is unhealthy to ESS, which
    // "automatically removes unhealthy ECS instances from scaling groups" (Auto Scaling, instance lifecycle, doc-detail 25911).
    if (codeOf(err) === "IncorrectCapacity.MinSize") {
      return { kind: "left-to-ess", scalingGroupId: group, note: `scaling group ${group}: DetachInstances refused (IncorrectCapacity.MinSize: the group would fall below MinSize); ESS removes the unhealthy instance itself` };
    }
    throw err;
  }
  if (cloud.dryRun) return { kind: "detached", scalingGroupId: group, note: `scaling group ${group}: would detach` };
  const activityId = body && str(body.ScalingActivityId);
  if (!activityId) return { kind: "detached", scalingGroupId: group, note: `scaling group ${group}: no longer lists it` };
  return { kind: "detached", scalingGroupId: group, note: await activityOutcome(cloud, regionId, group, activityId) };
}

/** DescribeScalingActivities StatusCode: Successful, Warning, Failed, InProgress, Rejected (SDK model). */
async function activityOutcome(cloud: CloudGateway, regionId: string, group: string, activityId: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const body = await cloud.read(ESS.describeScalingActivities, { RegionId: regionId, ScalingActivityId: [activityId] });
    const activity = listOf(body, "ScalingActivities", "ScalingActivity").find((a) => str(a.ScalingActivityId) === activityId);
    const status = str(activity?.StatusCode);
    if (status === "Successful" || status === "Warning") return `scaling group ${group}: detached (activity ${activityId} ${status})`;
    if (status === "Failed" || status === "Rejected") {
      throw Object.assign(new Error(`scaling group ${group}: detach activity ${activityId} ${status}: ${str(activity?.StatusMessage) ?? "no message"}`), { code: `ScalingActivity.${status}` });
    }
    if (attempt >= MAX_ACTIVITY_POLLS || !(await cloud.backoff(attempt, ACTIVITY_POLL))) return `scaling group ${group}: detach accepted (activity ${activityId} still ${status ?? "not listed"}; ESS carries it out)`;
  }
}

export const describeScalingGroup = (m: ScalingMembership): string => `scaling group ${m.scalingGroupId}`;
