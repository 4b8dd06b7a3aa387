// Auto Scaling (ESS) membership of an instance. A released instance is
// detached (DetachInstances never stops or releases anything), keeping the
// desired capacity so the group launches a replacement; DetachOption=both
// also takes it off the group's load balancers and RDS whitelists.
import { ESS } from "../core/apis";
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

export async function detachReleased(m: ScalingMembership, { cloud, instanceId, regionId }: InstanceCalls): Promise<void> {
  await cloud.mutate(
    ESS.detachInstances,
    { RegionId: regionId, ScalingGroupId: m.scalingGroupId, InstanceId: [instanceId], DecreaseDesiredCapacity: false, DetachOption: "both" },
    `${m.scalingGroupId}/${instanceId}`,
    { tolerateGone: true },
  );
}
