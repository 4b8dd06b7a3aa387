// What the maintenance handler does with one event, per status and policy.
// Pure: the handler turns the decision into API calls and a pending record.

import type { EventStatus } from "../catalogue";
import type { MaintenancePolicy } from "../contract";
import { type Instant, type MaintenanceWindow, type SlotPlan, occurrenceAt, planSlot, toEpochMs, windowOccurrences } from "./window";

/**
 * The owner-side action that pre-empts an event type.
 * - `RebootInstance` / `RedeployInstance`: acting first inside the window ends
 *   the event Avoided.
 * - `StopStartInstance`: StopInstance then StartInstance. Only used for
 *   `SystemMaintenance.Stop` when the owner opts in (see `stopEventAction`).
 * - `DrainOnly`: no call of ours may answer the event in its status (see
 *   `redeployAnswers`); drain just before notBefore, let the platform act,
 *   restore once the instance is back.
 */
export type MaintenanceAction = "RebootInstance" | "RedeployInstance" | "StopStartInstance" | "DrainOnly";

/**
 * The event types and statuses RedeployInstance responds to, as its API doc
 * tables them (SDK ecs-20140526 client.ts, RedeployInstance: "system event
 * types and event states that RedeployInstance can respond to"). Notably
 * SystemFailure.Redeploy only in Inquiring: a Scheduled one is the platform's.
 */
const REDEPLOY_ANSWERS: Readonly<Record<string, readonly EventStatus[]>> = {
  "SystemMaintenance.Reboot": ["Inquiring", "Scheduled"],
  "SystemMaintenance.Redeploy": ["Inquiring", "Scheduled"],
  "SystemMaintenance.RebootAndIsolateErrorDisk": ["Inquiring"],
  "SystemMaintenance.RebootAndReInitErrorDisk": ["Inquiring"],
  "SystemFailure.Redeploy": ["Inquiring"],
  "SystemFailure.Reboot": ["Executing"], // instances with local disks only
  "SystemMaintenance.IsolateErrorDisk": ["Inquiring"],
  "SystemMaintenance.ReInitErrorDisk": ["Inquiring"],
};

/** May RedeployInstance be called for an event of this type in this status? */
export function redeployAnswers(eventType: string, status: EventStatus | "Unknown"): boolean {
  return status !== "Unknown" && (REDEPLOY_ANSWERS[eventType]?.includes(status) ?? false);
}

/** Is `action` a call the API accepts for an event of this type in this status? */
export function actionAllowed(action: MaintenanceAction, eventType: string, status: EventStatus | "Unknown"): boolean {
  if (action === "DrainOnly") return false;
  if (action === "RedeployInstance") return redeployAnswers(eventType, status);
  return status === "Scheduled" || status === "Inquiring";
}

/**
 * Which action pre-empts an event type, or undefined when there is none we may
 * take automatically.
 *
 * `SystemMaintenance.Stop`: the platform will stop the instance. Whether a
 * user-initiated stop + start beforehand ends the event Avoided is not
 * documented (unconfirmed), and a stop of a pay-as-you-go instance in
 * StopCharging mode can lose its capacity and public IP. So by default it is
 * notify-only; `stopEventAction: "stop-start"` opts in.
 * Disk-repair events (`RebootAndIsolateErrorDisk`, ...) are Inquiring-only:
 * the answer is AcceptInquiredSystemEvent, not an action of ours.
 */
export function actionForEventType(eventType: string, opts: { stopEventAction?: "notify" | "stop-start" } = {}): MaintenanceAction | undefined {
  switch (eventType) {
    case "SystemMaintenance.Reboot":
      return "RebootInstance";
    case "SystemMaintenance.Redeploy":
    case "SystemFailure.Redeploy":
      return "RedeployInstance";
    case "SystemMaintenance.Stop":
      return opts.stopEventAction === "stop-start" ? "StopStartInstance" : undefined;
    default:
      return undefined;
  }
}

export interface MaintenanceInput {
  policy: MaintenancePolicy;
  /** Trusted from `content.eventStatus` over the name suffix. */
  status: EventStatus;
  /** `content.eventType`, e.g. `SystemMaintenance.Reboot`. */
  eventType: string;
  eventId: string;
  instanceId: string;
  now: Instant;
  /** `content.notBefore`; required to plan a Scheduled event. */
  notBefore?: Instant;
  windows: readonly MaintenanceWindow[];
  safetyMarginMinutes: number;
  actionDurationMinutes: number;
  blockedSlots?: readonly Instant[];
  slotStepMinutes?: number;
  /** Is there a pending record of ours for this event (drained weights to put back)? */
  hasPending: boolean;
  stopEventAction?: "notify" | "stop-start";
  /** Inquiring events: may we accept automatically (proactive policy only)? Default true. */
  acceptInquiring?: boolean;
}

export type Severity = "CRITICAL" | "WARN" | "INFO";

export type MaintenanceDecision =
  | { kind: "plan"; action: MaintenanceAction; slot: { start: number; end: number }; reason: string }
  /** Call AcceptInquiredSystemEvent at `at` (now, or the next window opening). */
  | { kind: "accept-inquired"; eventId: string; at: number; reason: string }
  | { kind: "notify"; severity: Severity; reason: string; plan?: SlotPlan }
  /** Canceled / Avoided: forget the pending action and put drained weights back. */
  | { kind: "drop-pending-and-restore"; reason: string }
  /** Executed: check the instance is healthy behind its load balancers, then restore weights. */
  | { kind: "verify-and-restore"; reason: string }
  | { kind: "escalate"; severity: "CRITICAL"; reason: string }
  | { kind: "nothing"; reason: string };

/** Decides per status; each branch says why, so the report reads as prose. */
export function decideMaintenance(input: MaintenanceInput): MaintenanceDecision {
  const { policy, status, eventType, hasPending } = input;
  const label = `${eventType} ${status} for ${input.instanceId}`;

  // Whatever the policy, work we started must never be left half-done.
  const cleanup = (): MaintenanceDecision | undefined => {
    if (!hasPending) return undefined;
    if (status === "Canceled" || status === "Avoided") return { kind: "drop-pending-and-restore", reason: `${label}: the platform will not act; restore drained weights` };
    if (status === "Executed") return { kind: "verify-and-restore", reason: `${label}: done; verify health, then restore weights` };
    return undefined;
  };

  if (policy === "ignore") {
    return cleanup() ?? { kind: "nothing", reason: `${label}: policy is ignore` };
  }

  switch (status) {
    case "Scheduled": {
      if (policy === "notify") return { kind: "notify", severity: "WARN", reason: `${label}: notBefore ${fmt(input.notBefore)}; policy is notify` };
      const action = actionForEventType(eventType, { stopEventAction: input.stopEventAction });
      if (!action) return { kind: "notify", severity: "WARN", reason: `${label}: no owner-side action pre-empts this event type; notBefore ${fmt(input.notBefore)}` };
      if (input.notBefore === undefined) return { kind: "notify", severity: "WARN", reason: `${label}: event has no notBefore, cannot plan` };
      if (action === "RedeployInstance" && !redeployAnswers(eventType, "Scheduled")) return drainOnly(input, label);
      const plan = planSlot({
        now: input.now,
        notBefore: input.notBefore,
        windows: input.windows,
        safetyMarginMinutes: input.safetyMarginMinutes,
        actionDurationMinutes: input.actionDurationMinutes,
        blockedSlots: input.blockedSlots,
        slotStepMinutes: input.slotStepMinutes,
      });
      if (plan.kind === "none") return { kind: "notify", severity: "WARN", reason: `${label}: no slot (${plan.reason}: ${plan.detail})`, plan };
      return { kind: "plan", action, slot: { start: plan.start, end: plan.end }, reason: `${label}: ${action} at ${fmt(plan.start)}, before notBefore ${fmt(input.notBefore)}` };
    }
    case "Inquiring": {
      if (policy !== "proactive" || input.acceptInquiring === false) {
        return { kind: "notify", severity: "WARN", reason: `${label}: awaiting the owner's confirmation (AcceptInquiredSystemEvent)` };
      }
      const now = toEpochMs(input.now, "now");
      const inWindow = occurrenceAt(input.windows, now);
      if (inWindow) return { kind: "accept-inquired", eventId: input.eventId, at: now, reason: `${label}: inside the maintenance window; accept now` };
      const limit = input.notBefore !== undefined ? toEpochMs(input.notBefore, "notBefore") : now + 8 * 86_400_000;
      const next = windowOccurrences(input.windows, now, limit)[0];
      if (!next) return { kind: "notify", severity: "WARN", reason: `${label}: no maintenance window opens before ${fmt(limit)}; accept by hand` };
      return { kind: "accept-inquired", eventId: input.eventId, at: next.start, reason: `${label}: accept when the window opens at ${fmt(next.start)}` };
    }
    case "Executing":
      return { kind: "notify", severity: "WARN", reason: `${label}: the platform is acting now` };
    case "Executed":
      return cleanup() ?? (policy === "notify" ? { kind: "notify", severity: "INFO", reason: `${label}: completed by the platform` } : { kind: "nothing", reason: `${label}: completed, nothing of ours pending` });
    case "Canceled":
    case "Avoided":
      return cleanup() ?? (policy === "notify" ? { kind: "notify", severity: "INFO", reason: `${label}: no longer pending` } : { kind: "nothing", reason: `${label}: nothing of ours pending` });
    case "Failed":
      // Drained weights stay at 0: the instance may be broken; a person decides.
      return { kind: "escalate", severity: "CRITICAL", reason: `${label}: the platform's maintenance failed; a person must look${hasPending ? " (our drained weights are left at 0)" : ""}` };
  }
}

/**
 * RedeployInstance does not answer this event while Scheduled: drain within
 * the safety margin before notBefore (not in the owner's window: the platform
 * acts at notBefore whatever the window), let the platform act, restore after.
 */
function drainOnly(input: MaintenanceInput, label: string): MaintenanceDecision {
  const now = toEpochMs(input.now, "now");
  const notBefore = toEpochMs(input.notBefore!, "notBefore");
  const why = `RedeployInstance answers ${input.eventType} only in ${REDEPLOY_ANSWERS[input.eventType]?.join("/") ?? "no status"}`;
  if (notBefore <= now) return { kind: "notify", severity: "WARN", reason: `${label}: ${why}, and notBefore ${fmt(notBefore)} has passed: the platform is acting` };
  const start = Math.max(now, notBefore - input.safetyMarginMinutes * 60_000);
  return { kind: "plan", action: "DrainOnly", slot: { start, end: notBefore }, reason: `${label}: ${why}; drain at ${fmt(start)}, the platform redeploys at notBefore ${fmt(notBefore)}, restore after` };
}

function fmt(t: Instant | undefined): string {
  return t === undefined ? "(none)" : new Date(toEpochMs(t)).toISOString();
}
