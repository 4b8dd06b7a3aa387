// Handlers that also run on a Function Compute timer trigger: when, with which
// payload, and how a tick is told from an event. infra declares the trigger
// (infra/stack.ts HANDLER_SCHEDULES), the runtime recognises the tick
// (runtime/invoke.ts), drills replay it (tools/drill/stack.ts).
import type { HandlerName } from "../catalogue";

export interface TimerSpec {
  /** FC timer `cronExpression`: `@every 1m`, or a 6-field cron in UTC (`0 0 1 * * *` = 01:00 UTC = 09:00 UTC+8). */
  readonly schedule: string;
  /** The trigger's payload (FC hands it over as a JSON string in `payload`). */
  readonly payload: Readonly<Record<string, string | boolean>>;
  /** Outcome `name` of a tick. */
  readonly name: string;
  /** Outcome `eventId` of a tick: `<idPrefix>/<FC request id>`. */
  readonly idPrefix: string;
}

/**
 * Every destructive handler's tick also runs the sweeper (runtime/sweeper.ts): claims whose owner
 * died are resumed. spot-drain and instance-cleanup have no other timer work: theirs is only that,
 * every minute, so a crashed drain is finished within the bound handlers/README.md states.
 */
const SWEEP = (): TimerSpec => ({ schedule: "@every 1m", payload: { sweep: true }, name: "timer:sweep", idPrefix: "sweep" });

export const TIMERS: Readonly<Partial<Record<HandlerName, TimerSpec>>> = {
  "spot-drain": SWEEP(),
  "instance-cleanup": SWEEP(),
  /** The reconciler advances pending maintenance actions every minute. */
  maintenance: { schedule: "@every 1m", payload: { reconcile: true }, name: "timer:reconcile", idPrefix: "reconcile" },
  /** The horizon scan looks at subscription instances daily at 09:00 UTC+8, for what expiry events miss. */
  expiry: { schedule: "0 0 1 * * *", payload: { scan: "expiry" }, name: "timer:expiry-scan", idPrefix: "scan" },
};

/** Is `payload` (already unwrapped from FC's trigger envelope) the tick of `handler`'s timer? Every field of its payload, equal. */
export function isTick(handler: HandlerName, payload: unknown): boolean {
  const timer = TIMERS[handler];
  if (!timer || typeof payload !== "object" || payload === null || Array.isArray(payload)) return false;
  const p = payload as Record<string, unknown>;
  return Object.entries(timer.payload).every(([k, v]) => Object.hasOwn(p, k) && p[k] === v);
}
