// Events about a disk or a snapshot, which the fake cloud does not model:
// the drill emits them itself, shaped as ECS documents them, about a disk of
// the drilled instance (which carries the instance's tags).
//   Disk system events: "Block Storage event notifications" (resourceId
//     .../disk/d-..., content eventId, diskId, device, eventType,
//     executeStartTime [, executeFinishTime], ecsInstanceId, ecsInstanceName).
//   Snapshot:CreateSnapshotCompleted: "Snapshot event notifications" (content
//     result, snapshotId, snapshotName, snapshotType, diskId, startTime, endTime).
//   Disk status notifications (DiskOperationCompleted, OverduePaymentRelease):
//     content beyond diskId and the instance is unconfirmed.
import type { CatalogueEntry } from "../../handlers/catalogue";
import { resourceEventMessage, type CmsSystemEvent } from "../../local-cloud/cms-events";

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The disk (or snapshot) a drill plays an event about: named after the instance, so it reads back. */
export function resourceIdFor(entry: Pick<CatalogueEntry, "resource">, instanceId: string): string {
  const suffix = instanceId.replace(/^i-/, "");
  return entry.resource === "Snapshot" ? `s-${suffix}` : entry.resource === "Disk" ? `d-${suffix}` : instanceId;
}

export interface ResourceEventInput {
  entry: CatalogueEntry;
  instanceId: string;
  instanceName?: string;
  status?: string;
  eventId: string;
  startedAt: number;
  at: number;
  account: { accountId: string };
  regionId: string;
}

/** One notification about the disk or snapshot of `instanceId`. */
export function resourceEvent(i: ResourceEventInput): CmsSystemEvent {
  const id = resourceIdFor(i.entry, i.instanceId);
  const diskId = `d-${i.instanceId.replace(/^i-/, "")}`;
  const name = `${i.entry.resource}:${i.entry.event}${i.status ? `:${i.status}` : ""}`;
  let content: Record<string, unknown>;
  if (i.entry.resource === "Snapshot") {
    content = { result: "accomplished", snapshotId: id, snapshotName: `drill-${i.instanceId}`, snapshotType: "user", diskId, startTime: iso(i.startedAt), endTime: iso(i.at) };
  } else if (i.status) {
    content = { eventId: i.eventId, diskId, device: "/dev/xvdb", eventType: i.entry.event, executeStartTime: iso(i.startedAt), ...(i.status === "Executed" ? { executeFinishTime: iso(i.at) } : {}), ecsInstanceId: i.instanceId, ecsInstanceName: i.instanceName ?? i.instanceId };
  } else {
    content = { diskId, ecsInstanceId: i.instanceId };
  }
  return resourceEventMessage(i.account, i.regionId, { type: i.entry.resource === "Snapshot" ? "snapshot" : "disk", id }, name, i.at, content);
}
