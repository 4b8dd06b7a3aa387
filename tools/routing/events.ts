// CMS system events as the platform emits them (the documented ECS
// notification shape, test/handlers/fixtures/events/*.json), built from the
// catalogue; and the reading of a delivered event that routing needs.
import { CatalogueEntry, EventStatus, Level, STATUSES, baseName, lookup } from "../../handlers/catalogue";

export interface CmsEvent {
  ver?: string;
  id?: string;
  product: string;
  resourceId: string;
  level: string;
  name: string;
  userId?: string;
  eventTime?: string;
  regionId: string;
  content: Record<string, unknown> | string;
  [extra: string]: unknown;
}

export interface EventSpec {
  /** Catalogue base name (`Instance:SystemMaintenance.Reboot`) or full name with status. */
  name: string;
  status?: EventStatus;
  /** Default: the first level the catalogue lists. */
  level?: Level;
  instanceId?: string;
  regionId?: string;
  accountId?: string;
  /** Epoch ms of emission (default: 2026-11-20T00:00:00Z). */
  at?: number;
  notBefore?: number;
  eventId?: string;
  /** Extra / overriding content fields (e.g. `state: Deleted`). */
  content?: Record<string, unknown>;
}

export class EventSpecError extends Error {
  override name = "EventSpecError";
}

export const DEFAULT_EVENT_TIME = Date.parse("2026-11-20T00:00:00Z");

/** Resolves a catalogue name (+ status) into its entry and the status to emit. */
export function resolveCatalogueName(name: string, status?: EventStatus): { entry: CatalogueEntry; status?: EventStatus } {
  const hit = lookup(name);
  if (!hit) throw new EventSpecError(`"${name}" is not in the event catalogue (handlers/catalogue.ts)`);
  const s = status ?? hit.nameStatus;
  if (hit.nameStatus && status && status !== hit.nameStatus) throw new EventSpecError(`"${name}" already names status ${hit.nameStatus}; got status ${status} too`);
  if (hit.entry.statuses.length === 0) {
    if (s) throw new EventSpecError(`${baseName(hit.entry)} is a status notification: it has no status (got ${s})`);
    return { entry: hit.entry };
  }
  if (!s) throw new EventSpecError(`${baseName(hit.entry)} needs a status, one of ${hit.entry.statuses.join(", ")}`);
  if (!hit.entry.statuses.includes(s)) throw new EventSpecError(`${baseName(hit.entry)} is never ${s}; its statuses are ${hit.entry.statuses.join(", ")}`);
  return { entry: hit.entry, status: s };
}

/** Compact UTC+8 `yyyyMMddTHHmmss.SSS+0800`, as CMS stamps `eventTime`. */
export function compactUtc8(ms: number): string {
  const d = new Date(ms + 8 * 3600_000).toISOString(); // 2026-11-20T08:00:00.000Z
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}T${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 23)}+0800`;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

let counter = 0;
const pseudoId = (prefix: string) => `${prefix}${(++counter).toString(36).padStart(6, "0")}`;

/** One CMS event as the platform would emit it. */
export function buildEvent(spec: EventSpec): CmsEvent {
  const { entry, status } = resolveCatalogueName(spec.name, spec.status);
  const at = spec.at ?? DEFAULT_EVENT_TIME;
  const regionId = spec.regionId ?? "cn-hangzhou";
  const accountId = spec.accountId ?? "1234567890123456";
  const instanceId = spec.instanceId ?? "i-drill000000000000001";
  const level = spec.level ?? entry.levels[0];
  if (!entry.levels.includes(level)) throw new EventSpecError(`${baseName(entry)} is sent with level ${entry.levels.join(" or ")}, not ${level}`);
  let content: Record<string, unknown>;
  if (entry.statuses.length > 0) {
    content = {
      eventId: spec.eventId ?? pseudoId("e-drill"),
      publishTime: isoSeconds(at),
      ...(entry.cmsEventType === "Maintenance" ? { notBefore: isoSeconds(spec.notBefore ?? at + 3 * 86400_000) } : {}),
      instanceId,
      eventType: entry.event,
      eventStatus: status,
    };
  } else if (entry.event === "StateChange") {
    content = { resourceId: instanceId, resourceType: "ALIYUN::ECS::Instance", state: "Running" };
  } else if (entry.event === "PreemptibleInstanceInterruption") {
    content = { instanceId, action: "delete" };
  } else {
    content = { instanceId };
  }
  const resourceType = entry.resource.toLowerCase();
  const resourceId = entry.resource === "Instance" ? instanceId : `${entry.resource === "Disk" ? "d" : "s"}-of-${instanceId}`;
  return {
    ver: "1.0",
    id: pseudoId("DRILL-EVENT-"),
    product: entry.product,
    resourceId: `acs:ecs:${regionId}:${accountId}:${resourceType}/${resourceId}`,
    level,
    name: status ? `${baseName(entry)}:${status}` : baseName(entry),
    userId: accountId,
    eventTime: compactUtc8(at),
    regionId,
    content: { ...content, ...spec.content },
  };
}

/** What routing reads from a delivered event. */
export interface EventFacts {
  product: string;
  name: string;
  level: string;
  entry?: CatalogueEntry;
  cmsEventType?: string;
  /** content.eventStatus when it is a known status, else the name's suffix. */
  status?: EventStatus;
  content: Record<string, unknown>;
  instanceId?: string;
  /** The JSON text as delivered (sqlFilter matches against it). */
  text: string;
}

export function eventFacts(event: CmsEvent): EventFacts {
  let content: Record<string, unknown> = {};
  if (typeof event.content === "string") {
    try {
      const parsed = JSON.parse(event.content);
      if (parsed && typeof parsed === "object") content = parsed;
    } catch {
      /* not JSON: no content fields */
    }
  } else if (event.content && typeof event.content === "object") content = event.content;
  const hit = lookup(event.name);
  const contentStatus = typeof content.eventStatus === "string" && (STATUSES as readonly string[]).includes(content.eventStatus) ? (content.eventStatus as EventStatus) : undefined;
  const payloadType = typeof event.eventType === "string" ? event.eventType : undefined;
  const arnTail = String(event.resourceId ?? "").split("/").pop();
  const instanceId = [content.instanceId, content.resourceId, arnTail].find((v): v is string => typeof v === "string" && v.length > 0);
  return {
    product: String(event.product),
    name: String(event.name),
    level: String(event.level),
    entry: hit?.entry,
    cmsEventType: hit?.entry.cmsEventType ?? payloadType,
    status: contentStatus ?? hit?.nameStatus,
    content,
    instanceId,
    text: JSON.stringify(event),
  };
}
