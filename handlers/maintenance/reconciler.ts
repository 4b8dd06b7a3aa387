// The impure half of the pending-action state machine (pending.ts): observe the
// cloud, ask `nextStep`, PERSIST the answer (compare-and-swap, store.ts), and
// only then perform the step. A timer runs `reconcile` every minute; the
// maintenance handler runs `advancePending` for one record when an event about
// it arrives (Canceled, Avoided, Executed, Failed).
//
// Restart safety: the action is written as issued before it is called, so a
// crash at any point resumes without repeating it (pending.ts says how).
import { FINAL_STATUSES, STATUSES, type EventStatus } from "../catalogue";
import { ALERT_APIS, ECS } from "../core/apis";
import { isRetryable } from "../cloud/retry";
import type { HandlerConfig } from "../contract";
import type { CloudGateway } from "../core/gateway";
import type { AlertSink, CriticalAlert } from "../core/handler";
import { messageOf } from "../core/errors";
import { decideScope } from "../core/scope";
import type { Clock, Deadline, ObjectStore } from "../core/ports";
import { describeInstance } from "../ecs/instance";
import { DISCOVERY_APIS, discoverMemberships, type Backend, type Membership } from "../lb/discovery";
import { HEALTH_APIS, WEIGHT_APIS, capacityShortfalls, setWeights } from "../lb/drain";
import { HealthReader } from "../lb/health";
import { listOf, str } from "../cloud/rpc-response";
import { OBSERVED_INSTANCE_STATUSES, nextStep, recordActRejected, type BackendWeight, type Observation, type ReconcileOptions, type Step } from "./pending";
import { PendingActionStore, type StoredPending, type Versioned } from "./store";
import { planSlot } from "./window";

export const ESCALATION_EVENT_NAME = "EventOps:MaintenanceEscalation";

export interface ReconcilePorts {
  /** The gateway a record's calls go through (one per record on the timer path; the event's own in the handler). */
  gatewayFor: (record: StoredPending) => CloudGateway;
  objects: ObjectStore;
  clock: Clock;
  /** Margins (`config.maintenance`), the pending prefix, drain wait, capacity guard, dry run. */
  config: HandlerConfig;
  /** Identifies this invocation (FC request id) as the writer of the record versions it makes. */
  writer: string;
  deadline: Deadline;
  /** Where a record's escalations go (ALERT_TOPIC; the event's own sink in the handler). */
  alerts: (cloud: CloudGateway, record: StoredPending) => AlertSink;
}

export interface RecordReport {
  eventId: string;
  instanceId: string;
  /** Steps performed (or, under DRY_RUN, that would be), in order. */
  steps: string[];
  phase: string;
  outcome?: string;
  note?: string;
}

/** What one tick or one event's advance did: the actions themselves are in the gateways'. */
export interface ReconcileReport {
  records: RecordReport[];
  warnings: string[];
}

/** Steps one record may take in one invocation (each re-observes first). */
const MAX_STEPS_PER_TICK = 8;

/** Every API the reconciler may call (for the maintenance function's RAM policy). */
export const RECONCILER_APIS = [
  ECS.describeInstances,
  ECS.describeInstanceHistoryEvents,
  ECS.rebootInstance,
  ECS.redeployInstance,
  ...DISCOVERY_APIS,
  ...WEIGHT_APIS,
  ...HEALTH_APIS,
  ...ALERT_APIS,
] as const;

export function pendingStore(ports: Pick<ReconcilePorts, "objects" | "config" | "writer">): PendingActionStore {
  return new PendingActionStore(ports.objects, ports.config.pendingPrefix, ports.writer);
}

/** One timer tick: advance every pending record that is due. */
export async function reconcile(ports: ReconcilePorts, now: number = ports.clock.now()): Promise<ReconcileReport> {
  const store = pendingStore(ports);
  const report: ReconcileReport = { records: [], warnings: [] };
  const slots = await store.listSlots();
  const finished = new Set<string>();
  const seen = new Set<string>();
  for (const slot of slots) {
    if (seen.has(slot.eventId)) continue;
    seen.add(slot.eventId);
    if (ports.deadline.remainingMs() <= 0) {
      report.warnings.push(`deadline reached; ${slot.eventId} and later records wait for the next tick`);
      break;
    }
    try {
      const current = await store.load(slot.eventId);
      if (!current) {
        if (store.isOrphan(slot, now)) finished.add(slot.eventId);
        continue;
      }
      if (current.record.phase === "done") {
        finished.add(slot.eventId);
        continue;
      }
      if (slot.instanceId && slot.instanceId !== current.record.instanceId) {
        report.warnings.push(`${slot.eventId}: indexed for ${slot.instanceId}, but the record is about ${current.record.instanceId}: left alone`);
        continue;
      }
      const r = await advanceRecord(ports, store, current, now, {}, report);
      if (r.phase === "done") finished.add(slot.eventId);
    } catch (err) {
      report.warnings.push(`${slot.eventId}: ${messageOf(err)}`);
    }
  }
  if (!ports.config.dryRun) {
    await store.advanceCursor(slots, (s) => finished.has(s.eventId)).catch((err) => report.warnings.push(`cursor not advanced: ${messageOf(err)}`));
  }
  return report;
}

/**
 * Advances one record now (the handler's path for Canceled / Avoided / Executed
 * / Failed), with the event's status as a hint. The event must be about the
 * record's own instance: an event id is trusted only with its instance.
 */
export async function advancePending(ports: ReconcilePorts, eventId: string, hint: { eventStatus?: EventStatus; instanceId: string }, now: number = ports.clock.now()): Promise<{ report: ReconcileReport; record?: RecordReport }> {
  const store = pendingStore(ports);
  const report: ReconcileReport = { records: [], warnings: [] };
  const current = await store.load(eventId);
  if (!current) return { report };
  if (current.record.instanceId !== hint.instanceId) {
    report.warnings.push(`${eventId}: the record is about ${current.record.instanceId}, the event about ${hint.instanceId}: record left as it is`);
    return { report };
  }
  await advanceRecord(ports, store, current, now, hint, report);
  return { report, record: report.records[report.records.length - 1] };
}

function optionsFor(record: StoredPending, ports: ReconcilePorts): ReconcileOptions {
  return {
    windows: record.windows,
    safetyMarginMinutes: ports.config.maintenance.safetyMarginMinutes,
    actionDurationMinutes: ports.config.maintenance.actionDurationMinutes,
    drainWaitSeconds: ports.config.drainWaitSeconds,
  };
}

async function advanceRecord(ports: ReconcilePorts, store: PendingActionStore, start: Versioned, now: number, hint: { eventStatus?: EventStatus }, report: ReconcileReport): Promise<RecordReport> {
  let current = start;
  const r0 = start.record;
  const cloud = ports.gatewayFor(r0);
  const alerts = ports.alerts(cloud, r0);
  const out: RecordReport = { eventId: r0.eventId, instanceId: r0.instanceId, steps: [], phase: r0.phase };
  report.records.push(out);
  // Under DRY_RUN nothing is persisted, so one step is all that can be shown.
  const budget = ports.config.dryRun ? 1 : MAX_STEPS_PER_TICK;
  for (let i = 0; i < budget; i++) {
    const record = current.record;
    const seen = await observe(cloud, ports.config, record, hint.eventStatus);
    const next = nextStep(record, seen.obs, now, optionsFor(record, ports));
    let step: Step = next.step;
    let nextRecord = next.record as StoredPending;

    // Capacity guard: before the first weight change, refuse a drain that
    // would leave a target below MIN_HEALTHY_BACKENDS; try the next slot.
    if (step.kind === "drain" && record.phase === "planned") {
      const short = await capacityShortfalls(cloud, seen.memberships, ports.config.minHealthyBackends, record.regionId, ports.config.lbConcurrency);
      if (short.length > 0) {
        const blockedSlots = [...(record.blockedSlots ?? []), record.slot.start];
        const plan = planSlot({ now, notBefore: record.notBefore, windows: record.windows, safetyMarginMinutes: ports.config.maintenance.safetyMarginMinutes, actionDurationMinutes: ports.config.maintenance.actionDurationMinutes, blockedSlots });
        const why = short.map((s) => `${s.target} would keep ${s.healthyRemaining} healthy backend(s)`).join("; ");
        if (plan.kind === "slot") {
          nextRecord = { ...record, slot: { start: plan.start, end: plan.end }, blockedSlots, updatedAt: now };
          step = { kind: "wait", until: plan.start, reason: `capacity guard (MIN_HEALTHY_BACKENDS=${ports.config.minHealthyBackends}): ${why}; moved to ${new Date(plan.start).toISOString()}` };
        } else {
          nextRecord = { ...record, blockedSlots, phase: "done", outcome: "no-slot", escalations: [...record.escalations, "capacity"], updatedAt: now };
          step = { kind: "escalate", reason: `${record.eventId} ${record.instanceId}: capacity guard refused the slot (${why}) and no later slot fits before notBefore (${plan.reason}); the platform will act at ${new Date(record.notBefore).toISOString()}` };
        }
      }
    }

    if (JSON.stringify(nextRecord) !== JSON.stringify(record) && !ports.config.dryRun) {
      const written = await store.advance(current, nextRecord);
      if (!written) {
        out.note = "another reconciler advanced this record first; left to it";
        break;
      }
      current = written;
    } else if (ports.config.dryRun) {
      current = { record: nextRecord, version: current.version };
    }
    out.phase = current.record.phase;
    out.outcome = current.record.outcome;
    if (current.record.closedReason) out.note = current.record.closedReason;

    if (step.kind === "wait") {
      out.note = step.until !== undefined ? `${step.reason} (until ${new Date(step.until).toISOString()})` : step.reason;
      break;
    }
    if (step.kind === "done") break;
    out.steps.push(describeStep(step));
    const performed = await perform(ports, cloud, alerts, current, step, seen.memberships, now);
    if (performed.rejected) {
      // A definite refusal: the action did not happen; the record may retry it.
      const cleared = recordActRejected(current.record, performed.rejected, now) as StoredPending;
      const written = ports.config.dryRun ? undefined : await store.advance(current, cleared);
      if (!written) break;
      current = written;
      out.note = `${current.record.action} refused (${performed.rejected})`;
    }
    if (ports.config.dryRun) break;
  }
  return out;
}

/** E.g. "maintenance SystemMaintenance.Reboot of i-1 escalated: <reason>". */
function escalationAlert(record: StoredPending, reason: string, detail: Record<string, unknown>): CriticalAlert {
  return {
    name: ESCALATION_EVENT_NAME,
    // Reasons from pending.ts may start with "<eventId> <instanceId>: ", which the line already says.
    summary: `maintenance ${record.eventType} of ${record.instanceId} escalated: ${reason.replace(`${record.eventId} ${record.instanceId}: `, "")}`,
    short: `maint escalated ${record.instanceId}`,
    detail: { ...detail, reason },
  };
}

function describeStep(step: Step): string {
  switch (step.kind) {
    case "drain":
      return `drain ${step.targets.map((t) => t.target).join(",")}`;
    case "restore":
      return `restore ${step.weights.map((t) => `${t.target}=${t.weight}`).join(",")}`;
    case "act":
      return `${step.action} ${step.instanceId}`;
    case "start-instance":
      return `StartInstance ${step.instanceId}`;
    case "escalate":
      return `escalate: ${step.reason}`;
    default:
      return step.kind;
  }
}

async function perform(ports: ReconcilePorts, cloud: CloudGateway, alerts: AlertSink, current: Versioned, step: Step, memberships: Membership[], now: number): Promise<{ rejected?: string }> {
  const record = current.record;
  switch (step.kind) {
    case "drain":
      await applyWeights(cloud, memberships, record, step.targets, `drain-${record.attempts.drain}`);
      return {};
    case "restore":
      await applyWeights(cloud, memberships, record, step.weights, `restore-${record.attempts.restore}`);
      return {};
    case "act": {
      const api = step.action === "RebootInstance" ? ECS.rebootInstance : step.action === "RedeployInstance" ? ECS.redeployInstance : undefined;
      if (!api) {
        await alerts.critical(escalationAlert(record, `${step.action} is not automated here; act by hand`, { eventId: record.eventId, instanceId: record.instanceId }));
        return {};
      }
      try {
        await cloud.mutate(api, { RegionId: record.regionId, InstanceId: record.instanceId }, `${record.instanceId}/act-${record.attempts.act}`);
      } catch (err) {
        const code = (err as { code?: unknown })?.code;
        // Only a definite answer proves it did not act; a timeout or 5xx may have.
        if (typeof code === "string" && code !== "DeadlineExceeded" && !isRetryable(err)) return { rejected: code };
        throw err;
      }
      return {};
    }
    case "start-instance":
    case "escalate": {
      const reason = step.kind === "escalate" ? step.reason : `instance ${step.instanceId} is stopped after the action; start it by hand`;
      await alerts.critical(
        escalationAlert(record, reason, {
          eventId: record.eventId,
          instanceId: record.instanceId,
          eventType: record.eventType,
          phase: record.phase,
          notBefore: new Date(record.notBefore).toISOString(),
          at: new Date(now).toISOString(),
        }),
      );
      return {};
    }
    default:
      return {};
  }
}

// ---------------------------------------------------------------------------
// Observation

/** `clb:<lb>`, `vsg:<group>:<port>`, `alb:<group>:<port>`: one weight each. */
export function targetOf(m: Membership, b: Backend): string {
  switch (m.kind) {
    case "clb-default":
      return `clb:${m.loadBalancerId}`;
    case "clb-vserver":
      return `vsg:${m.vServerGroupId}:${b.port ?? ""}`;
    case "alb":
      return `alb:${m.serverGroupId}:${b.port ?? ""}`;
  }
}

async function observe(cloud: CloudGateway, config: HandlerConfig, record: StoredPending, hinted?: EventStatus): Promise<{ obs: Observation; memberships: Membership[] }> {
  const { instanceId, regionId } = record;
  const [events, instance, memberships] = await Promise.all([
    // Every status: without InstanceEventCycleStatus only finished events come back.
    cloud.read(ECS.describeInstanceHistoryEvents, { RegionId: regionId, InstanceId: instanceId, EventId: [record.eventId], InstanceEventCycleStatus: STATUSES }),
    describeInstance(cloud, instanceId, regionId),
    discoverMemberships(cloud, instanceId, { regionId, clbDiscovery: config.clbDiscovery, concurrency: config.lbConcurrency }),
  ]);
  // The event as the platform lists it for the record's own instance only.
  const event = listOf(events, "InstanceSystemEventSet", "InstanceSystemEventType").find((e) => str(e.EventId) === record.eventId && str(e.InstanceId) === instanceId);
  const cycle = event?.EventCycleStatus as { Name?: unknown } | undefined;
  let eventStatus: Observation["eventStatus"] = (str(cycle?.Name) as EventStatus | undefined) ?? "Unknown";
  // A final status from the event itself is authoritative even if the API lags.
  if (hinted && FINAL_STATUSES.includes(hinted) && !(FINAL_STATUSES as readonly string[]).includes(eventStatus)) eventStatus = hinted;

  const status = instance?.status;
  const instanceStatus: Observation["instanceStatus"] = status && (OBSERVED_INSTANCE_STATUSES as readonly string[]).includes(status) ? (status as Observation["instanceStatus"]) : "Unknown";

  // An ALB entry whose Status is not Available has a job still applying (ListServerGroupServers Status: Adding,
  // Available, Configuring, Removing; SDK model): its weight is not the one it will have (H3).
  const backends: BackendWeight[] = memberships.flatMap((m) =>
    m.entries.map((b) => ({ target: targetOf(m, b), weight: b.weight ?? 100, ...(m.kind === "alb" && b.status !== undefined && b.status !== "Available" ? { applying: true } : {}) })),
  );
  const healthy = instanceStatus === "Running" && (await healthyWhereReported(cloud, memberships, regionId));
  // Re-read every step: a tag removed after planning stops us before the next drain or action.
  const scope: Observation["scope"] = !instance ? "gone" : decideScope(instanceId, instance, config.scope).inScope ? "in" : "out";
  return {
    obs: { scope, eventStatus, instanceStatus, ...(instance?.startedAt !== undefined ? { instanceStartTime: instance.startedAt } : {}), backends, healthy },
    memberships,
  };
}

/**
 * The instance healthy on every target, by the health APIs (lb/health.ts:
 * CLB DescribeHealthStatus, ALB GetListenerHealthStatus; unknown is not
 * healthy). ALB does not report a server at weight 0 (NonNormalServers
 * `Unused`, GetListenerHealthStatus SDK model): such a drained entry is judged
 * once its weight is back, in the restoring phase (pending.ts).
 */
async function healthyWhereReported(cloud: CloudGateway, memberships: Membership[], regionId: string): Promise<boolean> {
  const reader = new HealthReader(cloud, regionId);
  for (const m of memberships) {
    for (const b of m.entries) {
      if (m.kind === "alb" && b.weight === 0 && (b.status === undefined || b.status === "Available")) continue;
      if ((await reader.of(m, b)) !== "healthy") return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Weights

/** Sets the instance's weight on the given targets; targets it left meanwhile are skipped. */
async function applyWeights(cloud: CloudGateway, memberships: Membership[], record: StoredPending, weights: readonly BackendWeight[], attempt: string): Promise<void> {
  const wanted = new Map(weights.map((w) => [w.target, w.weight]));
  for (const m of memberships) {
    const entries = m.entries.filter((b) => wanted.has(targetOf(m, b))).map((b) => ({ ...b, weight: wanted.get(targetOf(m, b))! }));
    if (entries.length > 0) await setWeights(cloud, m, entries, record.instanceId, record.regionId, attempt);
  }
}
