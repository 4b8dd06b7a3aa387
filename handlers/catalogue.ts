// The event catalogue: the single source for event names, levels, statuses and
// which handler acts on what. Infra builds rule name lists from it, the
// dispatcher routes with it, tests enumerate it. A correction is one edit here.
//
// Sources (each entry names its own in `source`):
// - CMS_ECS: CloudMonitor's system-event list for ECS (CloudMonitor doc
//   "System events" → ECS, doc-detail 167388; columns Type | Event name | State |
//   Level). It gives ONE level per event, the same for every state: Avoided and
//   Canceled of SystemMaintenance.* are Critical like Scheduled. The review's
//   per-status levels ("Avoided INFO, Canceled/Failed WARN", said to come from a
//   DescribeSystemEventMetaList answer) are contradicted by that list and by no
//   document confirmed: the DescribeSystemEventMetaList doc's own sample lists
//   ADS events only. So levels here are per event.
// - SDK_EVENT_TYPES: ECS DescribeInstanceHistoryEvents, `InstanceEventType`
//   (SDK model ecs-20140526 DescribeInstanceHistoryEventsRequest): the instance
//   event types, expiry and overdue-payment ones included, and the seven cycle
//   statuses. It confirms the event types, not their CMS names or levels.
// `confirmed: true` only where a source confirms the CMS name, its statuses and
// level; `unconfirmed` says what a source leaves open.

export const LEVELS = ["CRITICAL", "WARN", "INFO"] as const;
export type Level = (typeof LEVELS)[number];

export const CMS_EVENT_TYPES = ["Maintenance", "Exception", "StatusNotification"] as const;
export type CmsEventType = (typeof CMS_EVENT_TYPES)[number];

/** DescribeInstanceHistoryEvents `InstanceEventCycleStatus` (SDK model): the seven cycle statuses. */
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
  /**
   * For status notifications: a `content` field that must equal a value, or be
   * absent when `orAbsent` (the documented value is then implied); `why` goes
   * into the skip reason.
   */
  contentEquals?: { field: string; value: string; orAbsent?: boolean; why: string };
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
  /** True only where `source` confirms the CMS name, statuses and level. */
  confirmed: boolean;
  /** Where the name, statuses and level come from (always set when confirmed). */
  source?: string;
  /** What the sources leave open, if anything. */
  unconfirmed?: string;
  /** Which handler acts, on which statuses. Empty: alert only, no automation. */
  routes: readonly HandlerRoute[];
  /** Can ECS CreateSimulatedSystemEvents produce it (drills)? */
  simulatable: boolean;
}

const CMS_ECS = "CloudMonitor system events, ECS list (doc-detail 167388)";
const SDK_EVENT_TYPES = "ECS DescribeInstanceHistoryEvents InstanceEventType (SDK model ecs-20140526)";

const maintenance: HandlerRoute = { handler: "maintenance" };
const cleanupOnExecuted: HandlerRoute = { handler: "instance-cleanup", statuses: ["Executed"] };
const expiry: HandlerRoute = { handler: "expiry" };
const stateRecord: HandlerRoute = { handler: "state-record" };

type Sourced = { confirmed?: true; source: string } | { confirmed: false; source?: string; unconfirmed: string };
type EntrySpec = Omit<CatalogueEntry, "product" | "confirmed" | "source" | "unconfirmed" | "simulatable" | "routes"> &
  Sourced & { unconfirmed?: string; routes?: readonly HandlerRoute[]; simulatable?: boolean };

/** A confirmed entry needs its source; an unconfirmed one says what is open. */
function entry(e: EntrySpec): CatalogueEntry {
  return { product: "ECS", simulatable: false, routes: [], ...e, confirmed: e.confirmed ?? true };
}

/** Instance:<event> with the given CMS states, Critical, from the CMS list. */
const critical = (cmsEventType: CmsEventType, event: string, statuses: readonly EventStatus[], rest: Pick<EntrySpec, "routes" | "simulatable" | "unconfirmed"> = {}): CatalogueEntry =>
  entry({ resource: "Instance", event, cmsEventType, levels: ["CRITICAL"], statuses, source: CMS_ECS, ...rest });

// The billing events: DescribeInstanceHistoryEvents lists InstanceExpiration.{Stop,Delete}
// and AccountUnbalanced.{Stop,Delete}; no CMS list has rows for them, so their
// names with a status, the statuses and the level are assumptions (the horizon
// scan, expiry/scan.ts, covers what a missing event would miss).
const BILLING_STATUSES: readonly EventStatus[] = ["Scheduled", "Executing", "Executed", "Avoided", "Canceled", "Failed"];
const billing = (event: string, source: string | undefined, unconfirmed: string): CatalogueEntry =>
  entry({
    resource: "Instance",
    event,
    cmsEventType: "Maintenance",
    levels: ["CRITICAL"],
    statuses: BILLING_STATUSES,
    confirmed: false,
    ...(source ? { source } : {}),
    unconfirmed,
    routes: event.endsWith(".Delete") ? [{ ...expiry, statuses: ["Scheduled", "Executing"] }, cleanupOnExecuted] : [expiry],
  });
const BILLING_OPEN = "no CMS list has this event: its CMS name with a status, the statuses (Failed included, as the review says) and the level are assumed";

export const CATALOGUE: readonly CatalogueEntry[] = [
  // Maintenance (CMS list: every state Critical)
  critical("Maintenance", "SystemMaintenance.Reboot", ["Scheduled", "Inquiring", "Executing", "Executed", "Avoided", "Canceled", "Failed"], { routes: [maintenance], simulatable: true }),
  critical("Maintenance", "SystemMaintenance.Redeploy", ["Scheduled", "Inquiring", "Executing", "Executed", "Avoided", "Canceled"], { routes: [maintenance], simulatable: true }),
  critical("Maintenance", "SystemMaintenance.Stop", ["Scheduled", "Executing", "Executed", "Avoided", "Canceled", "Failed"], { routes: [maintenance], simulatable: true }),
  // Disk repair: the combined reboot events have no Failed row; the plain ones do (H8).
  ...["RebootAndIsolateErrorDisk", "RebootAndReInitErrorDisk"].map((e) => critical("Maintenance", `SystemMaintenance.${e}`, ["Inquiring", "Executing", "Executed", "Avoided", "Canceled"], { routes: [maintenance] })),
  ...["IsolateErrorDisk", "ReInitErrorDisk"].map((e) => critical("Maintenance", `SystemMaintenance.${e}`, ["Inquiring", "Executing", "Executed", "Avoided", "Canceled", "Failed"], { routes: [maintenance] })),
  entry({ resource: "Instance", event: "SystemMaintenance.PerformanceImpact", cmsEventType: "Maintenance", levels: ["WARN"], statuses: ["Executing", "Executed"], source: CMS_ECS }),
  // Exceptions
  critical("Exception", "SystemFailure.Reboot", ["Executing", "Executed", "Failed"], { routes: [stateRecord], simulatable: true }),
  critical("Exception", "InstanceFailure.Reboot", ["Executing", "Executed"], { routes: [stateRecord], simulatable: true }),
  critical("Exception", "SystemFailure.Redeploy", ["Scheduled", "Inquiring", "Executing", "Executed", "Avoided", "Canceled"], {
    routes: [maintenance],
    simulatable: true,
    unconfirmed:
      "Inquiring: not in the CMS list, but RedeployInstance's doc (SDK ecs-20140526 client.ts) answers SystemFailure.Redeploy only in Inquiring, so that name is routed in case it is sent",
  }),
  critical("Exception", "SystemFailure.Stop", ["Executing", "Executed"], { routes: [stateRecord], simulatable: true }),
  critical("Exception", "SystemFailure.Delete", ["Executing", "Executed", "Avoided"], { routes: [cleanupOnExecuted] }),
  entry({ resource: "Instance", event: "Security.TpmAlert", cmsEventType: "Exception", levels: ["WARN"], statuses: ["Executing", "Executed"], source: CMS_ECS }),
  entry({ resource: "Disk", event: "Stalled", cmsEventType: "Exception", levels: ["CRITICAL"], statuses: ["Executing", "Executed"], source: CMS_ECS }),
  entry({ resource: "Disk", event: "ErrorDetected", cmsEventType: "Exception", levels: ["CRITICAL"], statuses: ["Executing", "Executed"], source: CMS_ECS }),
  // Billing (H7): the event types are the SDK model's; everything CMS-side is assumed.
  ...["InstanceExpiration.Stop", "InstanceExpiration.Delete", "AccountUnbalanced.Stop", "AccountUnbalanced.Delete"].map((e) => billing(e, SDK_EVENT_TYPES, BILLING_OPEN)),
  billing(
    "AccountUnbalanced.PerformanceAffect",
    undefined,
    "no source at all: only the review names it (from a DescribeSystemEventMetaList answer); not in the SDK model's event types, the CMS list or any code searched. Kept so the alert reaches someone if it exists",
  ),
  // Status notifications
  entry({
    resource: "Instance",
    event: "StateChange",
    cmsEventType: "StatusNotification",
    levels: ["INFO"],
    statuses: [],
    source: `${CMS_ECS}; content.state per ECS "Instance event notifications" (doc-detail 143663)`,
    routes: [{ handler: "instance-cleanup", contentEquals: { field: "state", value: "Deleted", why: "only a released instance is cleaned up" } }, stateRecord],
  }),
  // WARN in the CMS list, INFO in the ECS notification example: match both.
  entry({
    resource: "Instance",
    event: "PreemptibleInstanceInterruption",
    cmsEventType: "StatusNotification",
    levels: ["WARN", "INFO"],
    statuses: [],
    source: `${CMS_ECS} (Warn); ECS "Instance event notifications" (doc-detail 143663) example (INFO, content.action "delete")`,
    // ECS doc (doc-detail 143663): `action` "The action on the preemptible instance. Set the value to delete."; ECS spot
    // interruption doc: "If the value of the action field ... is delete, the interruption and reclamation of the instance is
    // triggered." Absent = the one documented value; any other value is not a release announced: no drain.
    routes: [{ handler: "spot-drain", contentEquals: { field: "action", value: "delete", orAbsent: true, why: "only action \"delete\" announces a release" } }],
  }),
  entry({ resource: "Instance", event: "BurstablePerformanceRestricted", cmsEventType: "StatusNotification", levels: ["WARN"], statuses: [], source: CMS_ECS }),
  ...["PerformanceModeChange", "LiveMigrationAcrossDDH"].map((event) => entry({ resource: "Instance", event, cmsEventType: "StatusNotification", levels: ["INFO"], statuses: [], source: CMS_ECS })),
  ...["DiskOperationCompleted", "ConvertToPostpaidCompleted"].map((event) => entry({ resource: "Disk", event, cmsEventType: "StatusNotification", levels: ["INFO"], statuses: [], source: CMS_ECS })),
  entry({ resource: "Snapshot", event: "CreateSnapshotCompleted", cmsEventType: "StatusNotification", levels: ["INFO"], statuses: [], source: CMS_ECS }),
  entry({ resource: "Disk", event: "OverduePaymentRelease", cmsEventType: "StatusNotification", levels: ["CRITICAL"], statuses: [], source: CMS_ECS }),
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
    .filter((r) => contentMatches(r, content))
    .map((r) => r.handler);
}

function contentMatches(r: HandlerRoute, content: Record<string, unknown>): boolean {
  const c = r.contentEquals;
  if (!c) return true;
  const v = content[c.field];
  return v === c.value || (c.orAbsent === true && v === undefined);
}

/**
 * Why `handler` does not act on this event, when a route names it but its
 * status or content condition is not met (undefined when no route names it).
 */
export function whyNotRouted(entry: CatalogueEntry, handler: HandlerName, status: EventStatus | undefined, content: Record<string, unknown>): string | undefined {
  const mine = entry.routes.filter((r) => r.handler === handler);
  if (mine.length === 0) return undefined;
  const reasons = mine.map((r) => {
    if (r.statuses && (status === undefined || !r.statuses.includes(status))) return `it acts on ${r.statuses.join("/")} only`;
    const c = r.contentEquals;
    if (c && !contentMatches(r, content)) return `content.${c.field} is ${JSON.stringify(content[c.field]) ?? "absent"}, not "${c.value}": ${c.why}`;
    return undefined;
  });
  return reasons.some((r) => r === undefined) ? undefined : reasons.join("; ");
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
