// CloudMonitor system-event messages, in the documented ECS notification shape
// (see test/handlers/fixtures/events/*.json). Levels come from the project's
// event catalogue, the single source for names and levels.
import { randomUUID } from "node:crypto";
import { lookup } from "../handlers/catalogue";
import { compactUtc8, isoSeconds } from "./encoding";
import type { SystemEvent } from "./state";

export interface CmsSystemEvent {
  ver: "1.0";
  id: string;
  product: string;
  resourceId: string;
  level: string;
  name: string;
  userId: string;
  eventTime: string;
  regionId: string;
  content: Record<string, unknown>;
}

export interface Account {
  accountId: string;
}

/** The level the platform sends an event with (first listed in the catalogue). */
export function levelOf(resourceAndEvent: string, fallback = "CRITICAL"): string {
  return lookup(resourceAndEvent)?.entry.levels[0] ?? fallback;
}

function envelope(
  account: Account,
  regionId: string,
  instanceId: string,
  name: string,
  level: string,
  at: number,
  content: Record<string, unknown>,
): CmsSystemEvent {
  return {
    ver: "1.0",
    id: randomUUID().toUpperCase(),
    product: "ECS",
    resourceId: `acs:ecs:${regionId}:${account.accountId}:instance/${instanceId}`,
    level,
    name,
    userId: account.accountId,
    eventTime: compactUtc8(at),
    regionId,
    content,
  };
}


const isMaintenance = (type: string): boolean => type.startsWith("SystemMaintenance.") || /^(InstanceExpiration|AccountUnbalanced)\./.test(type);

/** `Instance:<EventType>:<Status>` for one status transition of a system event. */
export function systemEventMessage(account: Account, ev: SystemEvent, at: number): CmsSystemEvent {
  const content: Record<string, unknown> = {
    eventId: ev.EventId,
    publishTime: isoSeconds(ev.PublishTime),
  };
  // Documented samples: maintenance events carry notBefore, a SystemFailure.Reboot:Executing does not
  // (test/handlers/fixtures/events). That a Scheduled SystemFailure.* carries it is (unconfirmed): the fake
  // sends it for a Scheduled event of any type, since that status means "planned for notBefore".
  if (ev.NotBefore !== undefined && (isMaintenance(ev.EventType) || ev.Status === "Scheduled")) content.notBefore = isoSeconds(ev.NotBefore);
  content.instanceId = ev.InstanceId;
  content.eventType = ev.EventType;
  content.eventStatus = ev.Status;
  if (ev.ExecuteStartTime !== undefined) content.executeStartTime = isoSeconds(ev.ExecuteStartTime);
  if (ev.ExecuteFinishTime !== undefined) content.executeFinishTime = isoSeconds(ev.ExecuteFinishTime);
  return envelope(account, ev.RegionId, ev.InstanceId, `Instance:${ev.EventType}:${ev.Status}`, levelOf(`Instance:${ev.EventType}`), at, content);
}

/** `Instance:StateChange` with `content.state`. */
export function stateChangeMessage(account: Account, regionId: string, instanceId: string, state: string, at: number): CmsSystemEvent {
  return envelope(account, regionId, instanceId, "Instance:StateChange", levelOf("Instance:StateChange", "INFO"), at, {
    resourceId: instanceId,
    resourceType: "ALIYUN::ECS::Instance",
    state,
  });
}

/** Any status notification (`Instance:PreemptibleInstanceInterruption`, ...), content as given. */
export function statusNotificationMessage(
  account: Account,
  regionId: string,
  instanceId: string,
  event: string,
  content: Record<string, unknown>,
  at: number,
  level?: string,
): CmsSystemEvent {
  const name = `Instance:${event}`;
  return envelope(account, regionId, instanceId, name, level ?? levelOf(name, "INFO"), at, { instanceId, ...content });
}

/**
 * A notification about a disk or a snapshot (`Disk:Stalled:Executing`,
 * `Snapshot:CreateSnapshotCompleted`): the ARN names the disk or snapshot, not
 * an instance (ECS "Block Storage event notifications" and "Snapshot event
 * notifications" samples); `content` as the caller builds it from those samples.
 */
export function resourceEventMessage(account: Account, regionId: string, resource: { type: "disk" | "snapshot"; id: string }, name: string, at: number, content: Record<string, unknown>): CmsSystemEvent {
  const message = envelope(account, regionId, resource.id, name, levelOf(name.split(":").slice(0, 2).join(":")), at, content);
  return { ...message, resourceId: `acs:ecs:${regionId}:${account.accountId}:${resource.type}/${resource.id}` };
}
