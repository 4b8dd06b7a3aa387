// How FC 3.0's MNS-queue trigger hands each handler its events: the batch
// window, one value per handler, that infra declares on the trigger and the
// local cloud's trigger model (local-cloud/queue-trigger.ts) enforces.
// Bounds: SDK fc-20230330 BatchWindow (CountBasedWindow, TimeBasedWindow) and
// FC doc "Advanced features of triggers": 1-10,000 messages, 0-15 seconds.
import type { HandlerName } from "../catalogue";
import type { Range } from "./limits";

export const BATCH_WINDOW_RANGES = {
  /** Messages per invocation. */
  countBasedWindow: { min: 1, max: 10_000 },
  /** Seconds a batch waits to fill after its first message (0 = push at once). */
  timeBasedWindowSeconds: { min: 0, max: 15 },
} as const satisfies Record<string, Range>;

export interface BatchWindow {
  readonly countBasedWindow: number;
  readonly timeBasedWindowSeconds: number;
}

/**
 * Defaults. spot-drain plans one change per load-balancer target for the whole
 * batch (spot-drain/plan.ts), so a large batch is what keeps a mass interruption
 * inside the write quotas; 2 s of waiting costs little of the 5-minute notice.
 * The other handlers run each event of a batch through the single-event path,
 * 8 at a time (runtime/trigger-batch.ts): small batches keep one batch well
 * inside the function timeout.
 */
export const DEFAULT_BATCH_WINDOWS: Record<HandlerName, BatchWindow> = {
  "spot-drain": { countBasedWindow: 1000, timeBasedWindowSeconds: 2 },
  "instance-cleanup": { countBasedWindow: 10, timeBasedWindowSeconds: 1 },
  "state-record": { countBasedWindow: 50, timeBasedWindowSeconds: 2 },
  maintenance: { countBasedWindow: 10, timeBasedWindowSeconds: 1 },
  expiry: { countBasedWindow: 10, timeBasedWindowSeconds: 1 },
};

/** The window of `handler`: the configured fields over its default. */
export function batchWindowOf(handler: HandlerName, configured?: Partial<BatchWindow>): BatchWindow {
  return { ...DEFAULT_BATCH_WINDOWS[handler], ...(configured ?? {}) };
}
