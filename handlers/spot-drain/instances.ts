// The batch's instances described together: DescribeInstances takes
// "a JSON array that consists of up to 100 instance IDs" (InstanceIds) and
// MaxResults "Maximum value: 100" (SDK model DescribeInstancesRequest), so
// 100 instances cost one call instead of 100.
import { ECS } from "../core/apis";
import type { CloudGateway } from "../core/gateway";
import { instancesOf, type EcsInstance } from "../ecs/instance";
import { chunks } from "../lb/targets";

export const INSTANCE_IDS_PER_CALL = 100;

/** Each id's record; an id DescribeInstances does not list (released) is absent from the map. */
export async function describeInstances(cloud: CloudGateway, instanceIds: readonly string[], regionId: string): Promise<Map<string, EcsInstance>> {
  const found = new Map<string, EcsInstance>();
  const parts = chunks([...new Set(instanceIds)], INSTANCE_IDS_PER_CALL);
  await Promise.all(
    parts.map(async (ids) => {
      const body = await cloud.read(ECS.describeInstances, { RegionId: regionId, InstanceIds: JSON.stringify(ids), MaxResults: INSTANCE_IDS_PER_CALL });
      for (const i of instancesOf(body)) if (ids.includes(i.instanceId)) found.set(i.instanceId, i);
    }),
  );
  return found;
}
