// The pending maintenance action: what a timer-triggered reconciler stores, and
// the pure state machine that says what to do next.
//
// Contract with the reconciler (the only impure part):
//   1. load the record, observe the cloud, call `nextStep(record, observation, now, options)`;
//   2. PERSIST the returned record;
//   3. only then perform the returned step.
// Because the record is written before the step runs, a crash at any point
// leaves a record that already says "the action may have been issued"
// (`actIssuedAt`). The action is at-most-once: it is issued again only after
// the API answered with a definite rejection (`recordActRejected`), never on
// mere absence of evidence.

import type { EventStatus } from "../catalogue";
import { actionAllowed, type MaintenanceAction } from "./decide";
import { type MaintenanceWindow, planSlot } from "./window";

export const PHASES = ["planned", "draining", "acting", "waiting-healthy", "restoring", "done"] as const;
export type Phase = (typeof PHASES)[number];

/** The instance's weight on one load-balancer target (`clb:lb-x`, `vsg:rsp-y`, `alb:sgp-z`: opaque here). */
export interface BackendWeight {
  readonly target: string;
  readonly weight: number;
  /** A change to it is still being applied (an ALB job): the weight shown is not yet the one it will have. */
  readonly applying?: boolean;
}

export type Outcome =
  | "completed" // we acted, the instance came back, weights restored
  | "canceled" // the platform canceled before we acted
  | "avoided-elsewhere" // someone else acted first
  | "executed-by-platform" // the platform acted before us
  | "no-slot" // missed the slot and no other fits before notBefore
  | "aborted" // drain never completed or the action was rejected for good
  | "restore-failed"
  | "unconfirmed" // issued, but no evidence it took effect (escalated, not repeated)
  | "restored-unhealthy" // weights back, but the instance did not report healthy on every target in time (escalated)
  | "out-of-scope" // the instance lost the scope tag: nothing more of ours (our weight changes undone)
  | "instance-gone"; // the instance was released: nothing left to act on

export interface PendingAction {
  readonly version: 1;
  readonly eventId: string;
  readonly instanceId: string;
  readonly eventType: string;
  readonly action: MaintenanceAction;
  /** Epoch ms. */
  readonly notBefore: number;
  readonly slot: { readonly start: number; readonly end: number };
  readonly phase: Phase;
  /** Weights before draining, captured once when draining starts. */
  readonly savedWeights: readonly BackendWeight[];
  readonly attempts: { readonly drain: number; readonly act: number; readonly restore: number; readonly replan: number };
  /** When every saved target first showed weight 0 (changes applied). */
  readonly drainedAt?: number;
  /** When every saved weight was back: the health check after an action runs from then. */
  readonly restoredAt?: number;
  /** Write-ahead mark: set, and persisted, before the action call is made. */
  readonly actIssuedAt?: number;
  /** The API definitely refused the last action call (so it did not happen). */
  readonly actRejected?: { readonly at: number; readonly code: string };
  /** Escalations already raised (so each is raised once). */
  readonly escalations: readonly string[];
  readonly outcome?: Outcome;
  /** Why the record ended early (out of scope, instance gone), in words. */
  readonly closedReason?: string;
  readonly updatedAt: number;
}

/** The DescribeInstances `Status` values the state machine tells apart (anything else is `Unknown`). */
export const OBSERVED_INSTANCE_STATUSES = ["Pending", "Running", "Starting", "Stopping", "Stopped"] as const;

/** What the cloud shows now. Gathered by the reconciler, judged here. */
export interface Observation {
  /**
   * The record's instance as DescribeInstances shows it now: `in` (carries the
   * scope tag), `out` (described, without it) or `gone` (not listed: released).
   */
  scope: "in" | "out" | "gone";
  /** From DescribeInstanceHistoryEvents (with InstanceEventCycleStatus). `Unknown`: not found. */
  eventStatus: EventStatus | "Unknown";
  /** DescribeInstances `Status`. */
  instanceStatus: (typeof OBSERVED_INSTANCE_STATUSES)[number] | "Unknown";
  /** DescribeInstances `StartTime` (epoch ms): when the instance last started. */
  instanceStartTime?: number;
  /** The instance's current weight on every target it is attached to. */
  backends: readonly BackendWeight[];
  /**
   * Running, and every load balancer reports the instance healthy, by the
   * health APIs — except where an API cannot tell while the weight is 0 (ALB
   * reports such a server as Unused): those count once the weight is back.
   */
  healthy: boolean;
}

export interface ReconcileOptions {
  windows: readonly MaintenanceWindow[];
  safetyMarginMinutes: number;
  actionDurationMinutes: number;
  /** Wait after weights reach 0 so open connections finish. */
  drainWaitSeconds: number;
  /** How late after `slot.start` we may still start draining (default 10). */
  startToleranceMinutes?: number;
  /** No evidence of the action after this long: escalate (never repeat). Default 15. */
  actGraceMinutes?: number;
  /** Not healthy this long after the action: escalate. Default 30. */
  healthTimeoutMinutes?: number;
  maxDrainAttempts?: number;
  maxRestoreAttempts?: number;
  /** Total action calls allowed, counting ones the API rejected. Default 2. */
  maxActAttempts?: number;
  maxReplans?: number;
}

export type Step =
  | { kind: "wait"; until?: number; reason: string }
  | { kind: "drain"; targets: readonly BackendWeight[] }
  | { kind: "act"; action: MaintenanceAction; instanceId: string }
  /** StopStartInstance only: the instance is stopped, start it (safe to repeat). */
  | { kind: "start-instance"; instanceId: string }
  | { kind: "restore"; weights: readonly BackendWeight[] }
  | { kind: "escalate"; reason: string }
  | { kind: "done"; outcome: Outcome };

export interface Next {
  record: PendingAction;
  step: Step;
}

const MIN = 60_000;

/** A fresh record for a planned action. */
export function newPendingAction(p: {
  eventId: string;
  instanceId: string;
  eventType: string;
  action: MaintenanceAction;
  notBefore: number;
  slot: { start: number; end: number };
  now: number;
}): PendingAction {
  return {
    version: 1,
    eventId: p.eventId,
    instanceId: p.instanceId,
    eventType: p.eventType,
    action: p.action,
    notBefore: p.notBefore,
    slot: p.slot,
    phase: "planned",
    savedWeights: [],
    attempts: { drain: 0, act: 0, restore: 0, replan: 0 },
    escalations: [],
    updatedAt: p.now,
  };
}

/**
 * The reconciler calls this when the action API answered with a definite
 * rejection (e.g. `IncorrectInstanceStatus`): the action did not happen, so it
 * may be retried. Timeouts and 5xx are NOT rejections: they may have acted.
 */
export function recordActRejected(record: PendingAction, code: string, now: number): PendingAction {
  if (record.phase !== "acting") return record;
  const { actIssuedAt: _dropped, ...rest } = record;
  return { ...rest, actRejected: { at: now, code }, updatedAt: now };
}

/** Did the action (ours, or the platform's) already take effect? */
export function actionEvidence(record: PendingAction, obs: Observation): string | undefined {
  if (obs.eventStatus === "Avoided") return "event is Avoided";
  if (obs.eventStatus === "Executed") return "event is Executed";
  if (record.actIssuedAt === undefined) return undefined;
  if (obs.instanceStartTime !== undefined && obs.instanceStartTime >= record.actIssuedAt) return "instance started after the action was issued";
  if (obs.instanceStatus === "Starting" || obs.instanceStatus === "Stopping" || obs.instanceStatus === "Stopped" || obs.instanceStatus === "Pending") {
    return `instance is ${obs.instanceStatus}`;
  }
  return undefined;
}

function isApplying(obs: Observation, target: string): boolean {
  return obs.backends.some((b) => b.target === target && b.applying === true);
}

function weightOf(obs: Observation, target: string): number | undefined {
  return obs.backends.find((b) => b.target === target)?.weight;
}

/** The record's instance released or out of scope: why the record ends early (undefined: go on). */
function closeFor(r: PendingAction, obs: Observation): { outcome: Outcome; reason: string } | undefined {
  if (obs.scope === "gone") return { outcome: "instance-gone", reason: `instance ${r.instanceId} is no longer listed by DescribeInstances (released): nothing to act on` };
  if (obs.scope === "out") return { outcome: "out-of-scope", reason: `instance ${r.instanceId} no longer carries the scope tag: no drain or action of ours from here on` };
  return undefined;
}

/**
 * Next step for a persisted record, given what the cloud shows. Idempotent:
 * called twice with the same inputs it returns the same step; restart-safe: a
 * record persisted at any phase resumes without repeating the action.
 */
export function nextStep(record: PendingAction, obs: Observation, now: number, options: ReconcileOptions): Next {
  const o = {
    startToleranceMinutes: 10,
    actGraceMinutes: 15,
    healthTimeoutMinutes: 30,
    maxDrainAttempts: 5,
    maxRestoreAttempts: 5,
    maxActAttempts: 2,
    maxReplans: 3,
    ...options,
  };
  let r: PendingAction = record;
  const set = (patch: Partial<PendingAction>): PendingAction => (r = { ...r, ...patch, updatedAt: now });
  const escalateOnce = (key: string, reason: string): Step | undefined => {
    if (r.escalations.includes(key)) return undefined;
    set({ escalations: [...r.escalations, key] });
    return { kind: "escalate", reason: `${r.eventId} ${r.instanceId}: ${reason}` };
  };
  const finish = (outcome: Outcome): Next => ({ record: set({ phase: "done", outcome }), step: { kind: "done", outcome } });

  // Phases chain within one call when nothing external is needed (bounded).
  for (let hop = 0; hop < PHASES.length + 2; hop++) {
    const closing = r.phase === "done" ? undefined : closeFor(r, obs);
    if (closing) {
      // Nothing of ours was changed yet, or the instance is gone: end here. Otherwise put back our weights, act no more.
      if (r.phase === "planned" || closing.outcome === "instance-gone") return { record: set({ phase: "done", outcome: closing.outcome, closedReason: closing.reason }), step: { kind: "done", outcome: closing.outcome } };
      if (r.phase === "draining" || (r.phase === "acting" && r.actIssuedAt === undefined)) {
        set({ phase: "restoring", outcome: closing.outcome, closedReason: closing.reason });
        continue;
      }
    }
    switch (r.phase) {
      case "done":
        return { record: r, step: { kind: "done", outcome: r.outcome ?? "completed" } };

      case "planned": {
        // Nothing drained yet: a final event simply ends our work.
        if (obs.eventStatus === "Canceled") return finish("canceled");
        if (obs.eventStatus === "Avoided") return finish("avoided-elsewhere");
        if (obs.eventStatus === "Executed") return finish("executed-by-platform");
        if (obs.eventStatus === "Failed") {
          const step = escalateOnce("platform-failed", "the platform's maintenance failed");
          set({ phase: "done", outcome: "executed-by-platform" });
          return { record: r, step: step ?? { kind: "done", outcome: "executed-by-platform" } };
        }
        if (obs.eventStatus === "Executing") return { record: r, step: { kind: "wait", reason: "the platform is acting; nothing of ours to do" } };
        if (now < r.slot.start) return { record: r, step: { kind: "wait", until: r.slot.start, reason: "slot not yet open" } };
        if (now > r.slot.start + o.startToleranceMinutes * MIN && r.action !== "DrainOnly") {
          // Missed the slot (the reconciler was down or late): plan again.
          const plan = r.attempts.replan < o.maxReplans
            ? planSlot({ now, notBefore: r.notBefore, windows: o.windows, safetyMarginMinutes: o.safetyMarginMinutes, actionDurationMinutes: o.actionDurationMinutes })
            : undefined;
          if (!plan || plan.kind === "none") {
            const step = escalateOnce("no-slot", `missed slot ${new Date(r.slot.start).toISOString()} and no other fits before notBefore`);
            set({ phase: "done", outcome: "no-slot" });
            return { record: r, step: step ?? { kind: "done", outcome: "no-slot" } };
          }
          set({ slot: { start: plan.start, end: plan.end }, attempts: { ...r.attempts, replan: r.attempts.replan + 1 } });
          if (plan.start <= now) continue; // still inside a window: go on now
          return { record: r, step: { kind: "wait", until: plan.start, reason: "missed the slot; re-planned" } };
        }
        // Capture weights once, before any is changed. Already-zero targets need no restore.
        set({ phase: "draining", savedWeights: obs.backends.filter((b) => b.weight > 0) });
        continue;
      }

      case "draining": {
        if (obs.eventStatus === "Canceled" || obs.eventStatus === "Avoided") {
          set({ phase: "restoring", outcome: obs.eventStatus === "Canceled" ? "canceled" : "avoided-elsewhere" });
          continue;
        }
        if (obs.eventStatus === "Executing" || obs.eventStatus === "Executed") {
          // The platform acted first; weights are (partly) drained: restore once healthy.
          set({ phase: "waiting-healthy", outcome: "executed-by-platform", actIssuedAt: r.actIssuedAt ?? now });
          continue;
        }
        const applying = r.savedWeights.filter((s) => isApplying(obs, s.target));
        if (applying.length > 0) return { record: r, step: { kind: "wait", reason: `changes still applying on ${applying.map((a) => a.target).join(", ")} (ALB job); not drained until applied` } };
        const pending = r.savedWeights.filter((s) => (weightOf(obs, s.target) ?? 0) !== 0);
        if (pending.length > 0) {
          if (r.attempts.drain >= o.maxDrainAttempts) {
            set({ phase: "restoring", outcome: "aborted" });
            const step = escalateOnce("drain-failed", `weights did not reach 0 after ${r.attempts.drain} attempts; aborting, restoring`);
            if (step) return { record: r, step };
            continue;
          }
          set({ attempts: { ...r.attempts, drain: r.attempts.drain + 1 } });
          return { record: r, step: { kind: "drain", targets: pending.map((p) => ({ target: p.target, weight: 0 })) } };
        }
        const drainedAt = r.drainedAt ?? now;
        if (r.drainedAt === undefined) set({ drainedAt });
        const readyAt = r.savedWeights.length === 0 ? drainedAt : drainedAt + options.drainWaitSeconds * 1000;
        if (now < readyAt) return { record: r, step: { kind: "wait", until: readyAt, reason: "connections draining" } };
        if (r.action === "DrainOnly") {
          // The platform acts at notBefore (Executing/Executed above take it on from there).
          if (now >= r.notBefore + o.actGraceMinutes * MIN) {
            const step = escalateOnce("platform-late", `drained for the platform, which has not acted ${o.actGraceMinutes} minutes after notBefore (event ${obs.eventStatus}); weights stay at 0`);
            if (step) return { record: r, step };
          }
          return { record: r, step: { kind: "wait", reason: `drained; the platform acts at notBefore ${new Date(r.notBefore).toISOString()} (no call of ours answers ${r.eventType} ${obs.eventStatus})` } };
        }
        if (!actionAllowed(r.action, r.eventType, obs.eventStatus)) {
          return { record: r, step: { kind: "wait", reason: `event is ${obs.eventStatus}; ${r.action} does not answer ${r.eventType} in that status` } };
        }
        // Write-ahead: the record says "issued" before the call is made.
        set({ phase: "acting", actIssuedAt: now, attempts: { ...r.attempts, act: r.attempts.act + 1 } });
        return { record: r, step: { kind: "act", action: r.action, instanceId: r.instanceId } };
      }

      case "acting": {
        const evidence = actionEvidence(r, obs);
        if (evidence) {
          set({ phase: "waiting-healthy", actIssuedAt: r.actIssuedAt ?? now });
          continue;
        }
        if (obs.eventStatus === "Failed") {
          set({ phase: "done", outcome: "aborted" });
          return { record: r, step: escalateOnce("platform-failed", "the platform's maintenance failed while we were acting; weights left drained") ?? { kind: "done", outcome: "aborted" } };
        }
        if (r.actIssuedAt === undefined) {
          // Only `recordActRejected` clears the mark: the call surely did not act.
          const timeLeft = now + o.actionDurationMinutes * MIN + o.safetyMarginMinutes * MIN <= r.notBefore;
          if (r.attempts.act < o.maxActAttempts && timeLeft && actionAllowed(r.action, r.eventType, obs.eventStatus)) {
            const { actRejected: _cleared, ...rest } = r;
            r = { ...rest, actIssuedAt: now, attempts: { ...r.attempts, act: r.attempts.act + 1 }, updatedAt: now };
            return { record: r, step: { kind: "act", action: r.action, instanceId: r.instanceId } };
          }
          set({ phase: "restoring", outcome: "aborted" });
          const step = escalateOnce("act-rejected", `${r.action} was rejected (${r.actRejected?.code ?? "unknown"}) and will not be retried`);
          if (step) return { record: r, step };
          continue;
        }
        if (now < r.actIssuedAt + o.actGraceMinutes * MIN) {
          return { record: r, step: { kind: "wait", until: r.actIssuedAt + o.actGraceMinutes * MIN, reason: "waiting for evidence the action took effect" } };
        }
        // No evidence, no rejection: it may or may not have acted. Never repeat it.
        set({ phase: "waiting-healthy", outcome: "unconfirmed" });
        const step = escalateOnce("no-evidence", `no evidence ${r.action} took effect ${o.actGraceMinutes} minutes after it was issued; not repeating it`);
        if (step) return { record: r, step };
        continue;
      }

      case "waiting-healthy": {
        if (r.action === "StopStartInstance" && obs.instanceStatus === "Stopped") {
          return { record: r, step: { kind: "start-instance", instanceId: r.instanceId } };
        }
        if (obs.healthy && obs.instanceStatus === "Running") {
          set({ phase: "restoring" });
          continue;
        }
        const since = r.actIssuedAt ?? r.updatedAt;
        if (now >= since + o.healthTimeoutMinutes * MIN) {
          const step = escalateOnce("unhealthy", `not healthy ${o.healthTimeoutMinutes} minutes after the action; weights stay at 0`);
          if (step) return { record: r, step };
        }
        return { record: r, step: { kind: "wait", reason: "waiting for the instance to be healthy" } };
      }

      case "restoring": {
        const applying = r.savedWeights.filter((s) => isApplying(obs, s.target));
        if (applying.length > 0) return { record: r, step: { kind: "wait", reason: `changes still applying on ${applying.map((a) => a.target).join(", ")} (ALB job)` } };
        // Targets the instance left meanwhile cannot be restored: skip them.
        const todo = r.savedWeights.filter((s) => {
          const w = weightOf(obs, s.target);
          return w !== undefined && w !== s.weight;
        });
        if (todo.length === 0) {
          // After an action, the instance must come back healthy where the weights now let every API tell.
          if (r.actIssuedAt === undefined || r.outcome === "out-of-scope" || obs.healthy) return finish(r.outcome ?? "completed");
          const restoredAt = r.restoredAt ?? now;
          if (r.restoredAt === undefined) set({ restoredAt });
          if (now < restoredAt + o.healthTimeoutMinutes * MIN) return { record: r, step: { kind: "wait", until: restoredAt + o.healthTimeoutMinutes * MIN, reason: "weights restored; waiting for every load balancer to report the instance healthy" } };
          set({ phase: "done", outcome: "restored-unhealthy" });
          return { record: r, step: escalateOnce("restored-unhealthy", `weights restored, but not reported healthy on every target ${o.healthTimeoutMinutes} minutes later`) ?? { kind: "done", outcome: "restored-unhealthy" } };
        }
        if (r.attempts.restore >= o.maxRestoreAttempts) {
          set({ phase: "done", outcome: "restore-failed" });
          return { record: r, step: escalateOnce("restore-failed", `weights not restored after ${r.attempts.restore} attempts`) ?? { kind: "done", outcome: "restore-failed" } };
        }
        set({ attempts: { ...r.attempts, restore: r.attempts.restore + 1 } });
        return { record: r, step: { kind: "restore", weights: todo } };
      }
    }
  }
  // Unreachable with a well-formed record: every hop moves forward.
  return { record: r, step: { kind: "wait", reason: "no progress possible this tick" } };
}
