// One ECS instance as DescribeInstances shows it: the one place its record is
// read, for the scope check, the expiry decisions and the maintenance
// reconciler's observations alike.
import { ECS } from "../core/apis";
import type { CloudGateway } from "../core/gateway";
import type { Json } from "../core/ports";
import { listOf, str } from "../cloud/rpc-response";

export interface EcsInstance {
  instanceId: string;
  name?: string;
  regionId?: string;
  /** `Running`, `Stopped`, ... */
  status?: string;
  /** `StartTime`, epoch ms: when the instance last started. */
  startedAt?: number;
  /** `InstanceChargeType`: `PrePaid` (subscription) or `PostPaid`. */
  chargeType?: string;
  /** `ExpiredTime` as the API writes it (UTC, to the minute). */
  expiredTime?: string;
  tags: Record<string, string>;
}

/** One record of a DescribeInstances answer (`Instances.Instance[]`). */
export function instanceOf(record: Json): EcsInstance {
  const started = str(record.StartTime) ? Date.parse(str(record.StartTime)!) : NaN;
  return {
    instanceId: str(record.InstanceId) ?? "",
    ...(str(record.InstanceName) ? { name: str(record.InstanceName) } : {}),
    ...(str(record.RegionId) ? { regionId: str(record.RegionId) } : {}),
    ...(str(record.Status) ? { status: str(record.Status) } : {}),
    ...(Number.isFinite(started) ? { startedAt: started } : {}),
    ...(str(record.InstanceChargeType) ? { chargeType: str(record.InstanceChargeType) } : {}),
    ...(str(record.ExpiredTime) ? { expiredTime: str(record.ExpiredTime) } : {}),
    tags: tagsOf(record),
  };
}

/** The instances of a DescribeInstances answer (one page). */
export function instancesOf(body: Json): EcsInstance[] {
  return listOf(body, "Instances", "Instance").map(instanceOf);
}

/** DescribeInstances for one id; undefined when the instance is gone (released). */
export async function describeInstance(cloud: CloudGateway, instanceId: string, regionId: string): Promise<EcsInstance | undefined> {
  const body = await cloud.read(ECS.describeInstances, { RegionId: regionId, InstanceIds: JSON.stringify([instanceId]) });
  return instancesOf(body).find((i) => i.instanceId === instanceId);
}

/** Tags as key → value (`TagKey`/`TagValue`, or `Key`/`Value`). */
function tagsOf(record: Json): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of listOf(record, "Tags", "Tag")) {
    const key = str(t.TagKey ?? t.Key);
    if (key) tags[key] = str(t.TagValue ?? t.Value) ?? "";
  }
  return tags;
}
