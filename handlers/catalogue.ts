// The event catalogue: the single source for event names, levels, statuses and
// which handler acts on what. Infra builds rule name lists from it, the
// dispatcher routes with it, tests enumerate it. A correction is one edit here.
//
// Facts come from the ECS / CloudMonitor system-event lists; entries whose CMS
// notification name is not confirmed by documentation say so (`confirmed: false`).

export const LEVELS = ["CRITICAL", "WARN", "INFO"] as const;
export type Level = (typeof LEVELS)[number];

export const CMS_EVENT_TYPES = ["Maintenance", "Exception", "StatusNotification"] as const;
export type CmsEventType = (typeof CMS_EVENT_TYPES)[number];

export const STATUSES = [
  "Inquiring",
  "Scheduled",
  "Executing",
  "Executed",
  "Avoided",
  "Canceled",
  "Failed",
] as const;
export type EventStatus = (typeof STATUSES)[number];

/** Final statuses: nothing more will happen to the event after one of these. */
export const FINAL_STATUSES: readonly EventStatus[] = ["Executed", "Avoided", "Canceled", "Failed"];

/** The Function Compute handlers this project deploys, one bundle each. */
export const HANDLER_NAMES = ["spot-drain", "instance-cleanup", "maintenance", "expiry", "state-record"] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export interface HandlerRoute {
  handler: HandlerName;
  /** Statuses the handler acts on; absent = every status (or a status-less event). */
  statuses?: readonly EventStatus[];
  /** For status notifications: a `content` field that must equal a value. */
  contentEquals?: { field: string; value: string };
}

export interface CatalogueEntry {
  product: "ECS";
  /** `Instance`, `Disk`, `Snapshot`: the first segment of the event name. */
  resource: "Instance" | "Disk" | "Snapshot";
  /** The event itself: `SystemMaintenance.Reboot`, `StateChange`, ... */
  event: string;
  cmsEventType: CmsEventType;
  /** Levels the platform sends it with (more than one where sources conflict). */
  levels: readonly Level[];
  /** Lifecycle statuses; empty for status notifications (no `:<Status>` suffix). */
  statuses: readonly EventStatus[];
  /** False where the CMS notification name is not confirmed by documentation. */
  confirmed: boolean;
  /** Which handler acts, on which statuses. Empty: alert only, no automation. */
  routes: readonly HandlerRoute[];
  /** Can ECS CreateSimulatedSystemEvents produce it (drills)? */
  simulatable: boolean;
}

const MAINTENANCE_STATUSES: readonly EventStatus[] = ["Scheduled", "Inquiring", "Executing", "Executed", "Avoided", "Canceled", "Failed"];
const maintenance: HandlerRoute = { handler: "maintenance" };
const cleanupOnExecuted: HandlerRoute = { handler: "instance-cleanup", statuses: ["Executed"] };
const expiry: HandlerRoute = { handler: "expiry" };

function entry(e: Omit<CatalogueEntry, "product" | "confirmed" | "simulatable"> & Partial<CatalogueEntry>): CatalogueEntry {
  return { product: "ECS", confirmed: true, simulatable: false, ...e };
}

export const CATALOGUE: readonly CatalogueEntry[] = [
  // Maintenance
  entry({ resource: "Instance", event: "SystemMaintenance.Reboot", cmsEventType: "Maintenance", levels: ["CRITICAL"], statuses: MAINTENANCE_STATUSES, routes: [maintenance], simulatable: true }),
  entry({ resource: "Instance", event: "SystemMaintenance.Redeploy", cmsEventType: "Maintenance", levels: ["CRITICAL"], statuses: ["Scheduled", "Inquiring", "Executing", "Executed", "Avoided", "Canceled"], routes: [maintenance], simulatable: true }),
  entry({ resource: "Instance", event: "SystemMaintenance.Stop", cmsEventType: "Maintenance", levels: ["CRITICAL"], statuses: ["Scheduled", "Executing", "Executed", "Avoided", "Canceled", "Failed"], routes: [maintenance], simulatable: true }),
  ...["RebootAndIsolateErrorDisk", "RebootAndReInitErrorDisk", "IsolateErrorDisk", "ReInitErrorDisk"].map((event) =>
    entry({ resource: "Instance", event: `SystemMaintenance.${event}`, cmsEventType: "Maintenance", levels: ["CRITICAL"], statuses: ["Inquiring", "Executing", "Executed", "Avoided", "Canceled"], routes: [maintenance] }),
  ),
  entry({ resource: "Instance", event: "SystemMaintenance.PerformanceImpact", cmsEventType: "Maintenance", levels: ["WARN"], statuses: ["Executing", "Executed"], routes: [] }),
  // Exceptions
  entry({ resource: "Instance", event: "SystemFailure.Reboot", cmsEventType: "Exception", levels: ["CRITICAL"], statuses: ["Executing", "Executed", "Failed"], routes: [{ handler: "state-record" }], simulatable: true }),
  entry({ resource: "Instance", event: "InstanceFailure.Reboot", cmsEventType: "Exception", levels: ["CRITICAL"], statuses: ["Executing", "Executed"], routes: [{ handler: "state-record" }], simulatable: true }),
  entry({ resource: "Instance", event: "SystemFailure.Redeploy", cmsEventType: "Exception", levels: ["CRITICAL"], statuses: ["Scheduled", "Executing", "Executed", "Avoided", "Canceled"], routes: [maintenance], simulatable: true }),
  entry({ resource: "Instance", event: "SystemFailure.Stop", cmsEventType: "Exception", levels: ["CRITICAL"], statuses: ["Executing", "Executed"], routes: [{ handler: "state-record" }], simulatable: true }),
  entry({ resource: "Instance", event: "SystemFailure.Delete", cmsEventType: "Exception", levels: ["CRITICAL"], statuses: ["Executing", "Executed", "Avoided"], routes: [cleanupOnExecuted] }),
  entry({ resource: "Disk", event: "Stalled", cmsEventType: "Exception", levels: ["CRITICAL"], statuses: ["Executing", "Executed"], routes: [] }),
  entry({ resource: "Disk", event: "ErrorDetected", cmsEventType: "Exception", levels: ["CRITICAL"], statuses: ["Executing", "Executed"], routes: [] }),
  // Expiry: the ECS system-event types exist; their CMS notification names are unconfirmed.
  ...["InstanceExpiration.Stop", "InstanceExpiration.Delete", "AccountUnbalanced.Stop", "AccountUnbalanced.Delete"].map((event) =>
    entry({
      resource: "Instance",
      event,
      cmsEventType: "Maintenance",
      levels: ["CRITICAL"],
      statuses: ["Scheduled", "Executing", "Executed", "Avoided", "Canceled"],
      confirmed: false,
      routes: event.endsWith(".Delete") ? [{ ...expiry, statuses: ["Scheduled", "Executing"] }, cleanupOnExecuted] : [expiry],
    }),
  ),
  // Status notifications
  entry({ resource: "Instance", event: "StateChange", cmsEventType: "StatusNotification", levels: ["INFO"], statuses: [], routes: [{ handler: "instance-cleanup", contentEquals: { field: "state", value: "Deleted" } }, { handler: "state-record" }] }),
  // WARN in the CMS list, INFO in an ECS example: match both.
  entry({ resource: "Instance", event: "PreemptibleInstanceInterruption", cmsEventType: "StatusNotification", levels: ["WARN", "INFO"], statuses: [], routes: [{ handler: "spot-drain" }] }),
  entry({ resource: "Instance", event: "BurstablePerformanceRestricted", cmsEventType: "StatusNotification", levels: ["WARN"], statuses: [], routes: [] }),
  ...(["PerformanceModeChange", "LiveMigrationAcrossDDH"] as const).map((event) =>
    entry({ resource: "Instance", event, cmsEventType: "StatusNotification", levels: ["INFO"], statuses: [], routes: [] }),
  ),
  entry({ resource: "Disk", event: "DiskOperationCompleted", cmsEventType: "StatusNotification", levels: ["INFO"], statuses: [], routes: [] }),
  entry({ resource: "Snapshot", event: "CreateSnapshotCompleted", cmsEventType: "StatusNotification", levels: ["INFO"], statuses: [], routes: [] }),
  entry({ resource: "Disk", event: "OverduePaymentRelease", cmsEventType: "StatusNotification", levels: ["CRITICAL"], statuses: [], routes: [] }),
];

/** `Instance:SystemMaintenance.Reboot` — the name without a status suffix. */
export function baseName(e: Pick<CatalogueEntry, "resource" | "event">): string {
  return `${e.resource}:${e.event}`;
}

/** Every full event name an entry can be sent with (`<base>:<Status>` per status, or the base). */
export function fullNames(e: CatalogueEntry): string[] {
  return e.statuses.length === 0 ? [baseName(e)] : e.statuses.map((s) => `${baseName(e)}:${s}`);
}

const byBaseName = new Map(CATALOGUE.map((e) => [baseName(e), e]));

/**
 * Splits a full event name into its catalogue entry and status.
 * `Instance:SystemMaintenance.Reboot:Scheduled` → entry + "Scheduled".
 */
export function lookup(name: string): { entry: CatalogueEntry; nameStatus?: EventStatus } | undefined {
  const direct = byBaseName.get(name);
  if (direct) return { entry: direct };
  const cut = name.lastIndexOf(":");
  if (cut < 0) return undefined;
  const found = byBaseName.get(name.slice(0, cut));
  const status = name.slice(cut + 1) as EventStatus;
  if (!found || !found.statuses.includes(status)) return undefined;
  return { entry: found, nameStatus: status };
}

/**
 * The handlers that act on an event, given its status (trusted from
 * `content.eventStatus` over the name suffix) and content.
 */
export function handlersFor(
  entry: CatalogueEntry,
  status: EventStatus | undefined,
  content: Record<string, unknown>,
): HandlerName[] {
  return entry.routes
    .filter((r) => !r.statuses || (status !== undefined && r.statuses.includes(status)))
    .filter((r) => !r.contentEquals || content[r.contentEquals.field] === r.contentEquals.value)
    .map((r) => r.handler);
}

/** Every full name a handler may receive: the name list of its automation rule. */
export function namesHandledBy(handler: HandlerName): string[] {
  return CATALOGUE.flatMap((e) => {
    const routes = e.routes.filter((r) => r.handler === handler);
    if (routes.length === 0) return [];
    if (e.statuses.length === 0) return [baseName(e)];
    const statuses = new Set(routes.flatMap((r) => r.statuses ?? e.statuses));
    return e.statuses.filter((s) => statuses.has(s)).map((s) => `${baseName(e)}:${s}`);
  });
}
