// Planned maintenance (SystemMaintenance.Reboot / .Redeploy / .Stop,
// SystemFailure.Redeploy): per the instance's group policy, plan our own
// reboot/redeploy in the owner's window before the platform's notBefore (the
// event then ends Avoided), or notify, or ignore. Planning only persists a
// pending action; the timer-driven reconciler (reconciler.ts) carries it out
// over the following hours. Final statuses advance the pending record at once.
import { randomUUID } from "node:crypto";
import { ALERT_APIS, ECS } from "../cloud/apis";
import type { EventStatus } from "../catalogue";
import { requireGroupPolicies, type HandlerConfig } from "../contract";
import type { AlertSink, CriticalAlert, EventHandler, HandlerContext, HandlerResult } from "../core/handler";
import type { ObjectStore } from "../core/ports";
import { decideScope, describeInstance } from "../actions/scope";
import { listOf, str } from "../lb/responses";
import { decideMaintenance, type MaintenancePolicy } from "./decide";
import { newPendingAction } from "./pending";
import { RECONCILER_APIS, advancePending, pendingStore, type MaintenanceTiming, type ReconcilePorts } from "./reconciler";
import type { StoredPending } from "./store";
import { parseApiWindows, parseWindowConfig, type MaintenanceWindow } from "./window";

export const NOTICE_EVENT_NAME = "EventOps:MaintenanceNotice";

export interface MaintenanceGroup {
  group: string;
  policy: MaintenancePolicy;
  /** Config window (UTC+8 whole hours); absent: the instance's ECS maintenance windows. */
  window?: { start: string; end: string };
}

export interface MaintenanceSettings extends MaintenanceTiming {
  tagKey: string;
  groups: Record<string, MaintenanceGroup>;
  /** Policy for instances without a known group tag value. */
  defaultPolicy: MaintenancePolicy;
}

/** The maintenance settings of the parsed config; GROUP_POLICIES is required and its windows are checked up front. */
export function parseMaintenanceSettings(config: HandlerConfig): MaintenanceSettings {
  const policies = requireGroupPolicies(config, "maintenance");
  const groups: Record<string, MaintenanceGroup> = {};
  for (const [tagValue, g] of Object.entries(policies.groups)) {
    const m = g.maintenance;
    if (m.window) parseWindowConfig([m.window], `GROUP_POLICIES.groups.${tagValue}.maintenance.window`); // fail early, with the path
    groups[tagValue] = { group: g.group, policy: m.policy, ...(m.window ? { window: m.window } : {}) };
  }
  return {
    tagKey: policies.tagKey,
    groups,
    defaultPolicy: config.maintenance.defaultPolicy,
    safetyMarginMinutes: config.maintenance.safetyMarginMinutes,
    actionDurationMinutes: config.maintenance.actionDurationMinutes,
    pendingPrefix: config.pendingPrefix,
  };
}

/** E.g. "maintenance SystemMaintenance.Reboot of i-1 (notBefore 2026-11-20T02:00:00Z) needs a person: <reason>". */
function noticeAlert(eventType: string, instanceId: string, notBefore: string | undefined, reason: string, facts: Record<string, unknown>): CriticalAlert {
  return {
    name: NOTICE_EVENT_NAME,
    summary: `maintenance ${eventType} of ${instanceId}${notBefore ? ` (notBefore ${notBefore})` : ""} needs a person: ${reason}`,
    short: `maint ${eventType.split(".").at(-1)} ${instanceId}`,
    detail: { ...facts, reason },
  };
}

/** The windows to plan in: the group's config window, else the instance's ECS maintenance windows. */
async function windowsFor(ctx: HandlerContext, group: MaintenanceGroup | undefined): Promise<{ windows: MaintenanceWindow[]; source: string }> {
  if (group?.window) return { windows: parseWindowConfig([group.window]), source: `group ${group.group} window ${group.window.start}–${group.window.end} UTC+8` };
  const body = await ctx.cloud.read(ECS.describeInstanceMaintenanceAttributes, { RegionId: ctx.event.regionId, InstanceId: [ctx.event.instanceId] });
  const attribute = listOf(body, "MaintenanceAttributes", "MaintenanceAttribute").find((a) => str(a.InstanceId) === ctx.event.instanceId);
  return { windows: attribute ? parseApiWindows(attribute as never) : [], source: "the instance's ECS maintenance window" };
}

export interface MaintenanceDeps {
  /** The knobs of this invocation (GROUP_POLICIES from `config.groupPolicies`). */
  settings: (config: HandlerConfig) => MaintenanceSettings;
  /** Where pending actions are kept (the idempotency bucket); not part of the shared handler context. */
  objects: (config: HandlerConfig) => ObjectStore;
  /** This invocation's id (FC request id), written into record versions. */
  writer?: string;
}

export function createMaintenanceHandler(deps: MaintenanceDeps): EventHandler {
  async function run(ctx: HandlerContext): Promise<HandlerResult> {
    const { event, cloud, config, clock } = ctx;
    const settings = deps.settings(config);
    const { instanceId, regionId } = event;
    const now = clock.now();
    const status = event.status;
    if (!status) return { outcome: "skipped", reason: `${event.name} carries no status` };
    const eventType = str(event.content.eventType) ?? event.entry.event;
    const eventId = str(event.content.eventId) ?? event.id ?? event.key;

    const view = await describeInstance(cloud, instanceId, regionId);
    const scope = decideScope(instanceId, view, config.scope);
    if (!scope.inScope) return { outcome: "skipped", reason: scope.reason };
    if (scope.released) return { outcome: "skipped", reason: `instance ${instanceId} no longer exists: no maintenance to plan` };
    const tagValue = view.found ? view.tags[settings.tagKey] : undefined;
    // Own keys only: a tag value like `constructor` must not find an Object member.
    const group = tagValue !== undefined && Object.hasOwn(settings.groups, tagValue) ? settings.groups[tagValue] : undefined;
    const policy = group?.policy ?? settings.defaultPolicy;
    const groupLabel = group ? `group ${group.group}` : `no group (${settings.tagKey}=${tagValue ?? "unset"}), default policy`;

    const ports: ReconcilePorts = { gatewayFor: () => cloud, objects: deps.objects(config), clock, config, timing: settings, writer: deps.writer ?? randomUUID(), deadline: ctx.deadline, alerts: () => ctx.alerts };
    const store = pendingStore(ports);
    const existing = await store.load(eventId);
    const hasPending = !!existing && existing.record.phase !== "done";

    const needsWindows = policy === "proactive" && (status === "Scheduled" || status === "Inquiring");
    const { windows, source } = needsWindows ? await windowsFor(ctx, group) : { windows: [], source: "" };
    const notBefore = str(event.content.notBefore);
    const decision = decideMaintenance({
      policy,
      status,
      eventType,
      eventId,
      instanceId,
      now,
      notBefore,
      windows,
      safetyMarginMinutes: settings.safetyMarginMinutes,
      actionDurationMinutes: settings.actionDurationMinutes,
      hasPending,
    });
    const facts = { eventId, eventName: event.name, instanceId, regionId, group: group?.group, policy, severity: "CRITICAL", notBefore };
    const notice = (reason: string) => ctx.alerts.critical(noticeAlert(eventType, instanceId, notBefore, reason, facts));

    switch (decision.kind) {
      case "plan": {
        if (existing) return { outcome: "skipped", reason: `${eventId} already has a pending action (phase ${existing.record.phase}, slot ${new Date(existing.record.slot.start).toISOString()})` };
        const record: StoredPending = {
          ...newPendingAction({ eventId, instanceId, eventType, action: decision.action, notBefore: Date.parse(notBefore!), slot: decision.slot, now }),
          regionId,
          ...(group ? { group: group.group } : {}),
          windows,
        };
        const reason = `${groupLabel}: ${decision.reason} (window from ${source})`;
        if (config.dryRun) return { outcome: "acted", reason: `would persist a pending action: ${reason}` };
        const { created, current } = await store.create(record, now);
        if (!created) return { outcome: "skipped", reason: `${eventId} already has a pending action (phase ${current.record.phase})` };
        return { outcome: "acted", reason: `planned: ${reason}; pending at ${store.recordKey(eventId, 1)}` };
      }
      case "accept-inquired": {
        if (decision.at > now) {
          // Not inside a window now; waiting hours inside one invocation is not an option.
          await notice(`${decision.reason}; the window is not open now, accept it by hand or wait for the platform`);
          return { outcome: "acted", reason: `notified: ${decision.reason}` };
        }
        await cloud.mutate(ECS.acceptInquiredSystemEvent, { RegionId: regionId, EventId: eventId }, eventId);
        return { outcome: "acted", reason: `${groupLabel}: ${decision.reason}` };
      }
      case "notify": {
        if (decision.severity === "INFO") return { outcome: "skipped", reason: `${decision.reason} (informational: no alert)` };
        await notice(decision.reason);
        return { outcome: "acted", reason: `notified (${groupLabel}): ${decision.reason}` };
      }
      case "drop-pending-and-restore":
      case "verify-and-restore": {
        const advanced = await advancePending(ports, eventId, { eventStatus: status as EventStatus });
        const r = advanced.record;
        return {
          outcome: "acted",
          reason: `${decision.reason}: ${r ? `${r.steps.join("; ") || "no step needed"}; phase ${r.phase}${r.outcome ? ` (${r.outcome})` : ""}${r.note ? `; ${r.note}` : ""}` : "no record"}`,
          warnings: advanced.report.warnings,
        };
      }
      case "escalate": {
        // One alert per event: advancing the record may escalate on its own
        // (with the record's detail); only if it did not does the notice go.
        let delivered = 0;
        const counted: AlertSink = { critical: async (a) => { await ctx.alerts.critical(a); delivered++; } };
        let advanceError: unknown;
        if (hasPending) await advancePending({ ...ports, alerts: () => counted }, eventId, { eventStatus: status as EventStatus }).catch((err: unknown) => (advanceError = err));
        if (delivered === 0) await ctx.alerts.critical({ ...noticeAlert(eventType, instanceId, notBefore, decision.reason, facts), summary: `maintenance ${eventType} of ${instanceId} failed: ${decision.reason}`, short: `maint failed ${instanceId}` });
        if (advanceError !== undefined) throw advanceError;
        return { outcome: "acted", reason: `escalated: ${decision.reason}` };
      }
      case "nothing":
        return { outcome: "skipped", reason: `${groupLabel}: ${decision.reason}` };
    }
  }

  return {
    name: "maintenance",
    destructive: true,
    apis: [...RECONCILER_APIS, ECS.describeInstanceMaintenanceAttributes, ECS.acceptInquiredSystemEvent, ...ALERT_APIS],
    run,
  };
}

/** The deployed handler's shape (for the RAM policy); the entry builds it per invocation with real ports. */
export const maintenance: EventHandler = createMaintenanceHandler({
  settings: parseMaintenanceSettings,
  objects: () => {
    throw new Error("maintenance: no object store; build the handler with createMaintenanceHandler (see entries/maintenance.ts)");
  },
});
