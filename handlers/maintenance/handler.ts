// Planned maintenance (SystemMaintenance.Reboot / .Redeploy / .Stop,
// SystemFailure.Redeploy): per the instance's group policy, plan our own
// reboot/redeploy in the owner's window before the platform's notBefore (the
// event then ends Avoided), or notify, or ignore. Planning only persists a
// pending action; the timer (`onTimer`, every minute) runs the reconciler
// (reconciler.ts), which carries it out over the following hours. Final
// statuses advance the pending record at once.
import type { EventStatus } from "../catalogue";
import { groupLabel, groupPolicyFor, requireGroupPolicies, type GroupPolicies, type GroupPolicy, type HandlerConfig } from "../contract";
import { ALERT_APIS, ECS } from "../core/apis";
import type { AlertSink, CriticalAlert, EventHandler, HandlerContext, HandlerResult, TimerContext } from "../core/handler";
import { decideScope } from "../core/scope";
import { describeInstance } from "../ecs/instance";
import { listOf, str } from "../cloud/rpc-response";
import { decideMaintenance } from "./decide";
import { newPendingAction } from "./pending";
import { RECONCILER_APIS, advancePending, pendingStore, reconcile, type ReconcilePorts, type ReconcileReport } from "./reconciler";
import type { StoredPending } from "./store";
import { parseApiWindows, parseWindowConfig, type MaintenanceWindow } from "./window";

export const NOTICE_EVENT_NAME = "EventOps:MaintenanceNotice";

/** GROUP_POLICIES (required here), each group's window checked up front: a bad one fails every invocation, naming its path. */
function maintenancePolicies(config: HandlerConfig): GroupPolicies {
  const policies = requireGroupPolicies(config, "maintenance");
  for (const [tagValue, g] of Object.entries(policies.groups)) {
    if (g.maintenance.window) parseWindowConfig([g.maintenance.window], `GROUP_POLICIES.groups.${tagValue}.maintenance.window`);
  }
  return policies;
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
async function windowsFor(ctx: HandlerContext, group: GroupPolicy | undefined): Promise<{ windows: MaintenanceWindow[]; source: string }> {
  const window = group?.maintenance.window;
  if (group && window) return { windows: parseWindowConfig([window]), source: `group ${group.group} window ${window.start}–${window.end} UTC+8` };
  const body = await ctx.cloud.read(ECS.describeInstanceMaintenanceAttributes, { RegionId: ctx.event.regionId, InstanceId: [ctx.event.instanceId] });
  const attribute = listOf(body, "MaintenanceAttributes", "MaintenanceAttribute").find((a) => str(a.InstanceId) === ctx.event.instanceId);
  return { windows: attribute ? parseApiWindows(attribute as never) : [], source: "the instance's ECS maintenance window" };
}

async function run(ctx: HandlerContext): Promise<HandlerResult> {
  const { event, cloud, config, clock } = ctx;
  const policies = maintenancePolicies(config);
  const { instanceId, regionId } = event;
  const now = clock.now();
  const status = event.status;
  if (!status) return { outcome: "skipped", reason: `${event.name} carries no status` };
  const eventType = str(event.content.eventType) ?? event.entry.event;
  const eventId = str(event.content.eventId) ?? event.id ?? event.key;

  const instance = await describeInstance(cloud, instanceId, regionId);
  const scope = decideScope(instanceId, instance, config.scope);
  if (!scope.inScope) return { outcome: "skipped", reason: scope.reason };
  if (!instance) return { outcome: "skipped", reason: `instance ${instanceId} no longer exists: no maintenance to plan` };
  const group = groupPolicyFor(policies, instance.tags);
  const policy = group?.maintenance.policy ?? config.maintenance.defaultPolicy;
  const label = groupLabel(policies, instance.tags);

  const ports: ReconcilePorts = { gatewayFor: () => cloud, objects: ctx.objects, clock, config, writer: ctx.requestId, deadline: ctx.deadline, alerts: () => ctx.alerts };
  const store = pendingStore(ports);
  const existing = await store.load(eventId);
  // A record is one instance's: an event about another instance never plans over, advances or closes it.
  if (existing && existing.record.instanceId !== instanceId) {
    return { outcome: "skipped", reason: `pending record ${eventId} is about ${existing.record.instanceId}, but this event is about ${instanceId}: neither is touched` };
  }
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
    safetyMarginMinutes: config.maintenance.safetyMarginMinutes,
    actionDurationMinutes: config.maintenance.actionDurationMinutes,
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
      const reason = `${label}: ${decision.reason} (window from ${source})`;
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
      return { outcome: "acted", reason: `${label}: ${decision.reason}` };
    }
    case "notify": {
      if (decision.severity === "INFO") return { outcome: "skipped", reason: `${decision.reason} (informational: no alert)` };
      await notice(decision.reason);
      return { outcome: "acted", reason: `notified (${label}): ${decision.reason}` };
    }
    case "drop-pending-and-restore":
    case "verify-and-restore": {
      const advanced = await advancePending(ports, eventId, { eventStatus: status as EventStatus, instanceId });
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
      if (hasPending) await advancePending({ ...ports, alerts: () => counted }, eventId, { eventStatus: status as EventStatus, instanceId }).catch((err: unknown) => (advanceError = err));
      if (delivered === 0) await ctx.alerts.critical({ ...noticeAlert(eventType, instanceId, notBefore, decision.reason, facts), summary: `maintenance ${eventType} of ${instanceId} failed: ${decision.reason}`, short: `maint failed ${instanceId}` });
      if (advanceError !== undefined) throw advanceError;
      return { outcome: "acted", reason: `escalated: ${decision.reason}` };
    }
    case "nothing":
      return { outcome: "skipped", reason: `${label}: ${decision.reason}` };
  }
}

/** One timer tick: advance every pending action that is due (reconciler.ts). */
async function onTimer(ctx: TimerContext): Promise<HandlerResult> {
  maintenancePolicies(ctx.config); // a broken deployment says so on every tick
  const report = await reconcile({
    // One gateway per record, keyed by its event, in its region; its escalations name that event.
    gatewayFor: (record) => ctx.gateway(`maintenance/${record.eventId}`, record.regionId),
    objects: ctx.objects,
    clock: ctx.clock,
    config: ctx.config,
    writer: ctx.requestId,
    deadline: ctx.deadline,
    alerts: (cloud, record) => ctx.alerts(cloud, { eventId: record.eventId, instanceId: record.instanceId }),
  });
  return { outcome: report.records.some((r) => r.steps.length > 0) ? "acted" : "skipped", reason: describeReport(report), warnings: report.warnings };
}

function describeReport(report: ReconcileReport): string {
  if (report.records.length === 0) return "no pending maintenance actions";
  return report.records.map((r) => `${r.eventId} ${r.instanceId}: ${[...r.steps, `phase ${r.phase}${r.outcome ? ` (${r.outcome})` : ""}`, ...(r.note ? [r.note] : [])].join("; ")}`).join(" | ");
}

export const maintenance: EventHandler = {
  name: "maintenance",
  destructive: true,
  apis: [...RECONCILER_APIS, ECS.describeInstanceMaintenanceAttributes, ECS.acceptInquiredSystemEvent, ...ALERT_APIS],
  run,
  onTimer,
};
