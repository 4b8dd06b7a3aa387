// The outcome contract: every invocation returns and logs exactly one of these.
import type { RecordedAction } from "./gateway";
import type { Timings } from "./timings";

export const OUTCOMES = ["acted", "skipped", "dry-run", "duplicate", "rejected", "failed"] as const;
export type OutcomeKind = (typeof OUTCOMES)[number];

export interface Outcome {
  outcome: OutcomeKind;
  handler: string;
  /** Envelope id, else the derived event key, else "unknown" (rejected before parsing). */
  eventId: string;
  name: string;
  instanceId?: string;
  reason?: string;
  actions: RecordedAction[];
  warnings?: string[];
  durationMs: number;
  /** Where the time went; own overhead = totalMs − apiMs − waitMs. Set on every outcome the shared runtime reports. */
  timings?: Timings;
  /** Set when the event was handled in a queue-trigger batch (spot-drain/batch.ts): `actions` are then the batch's calls that covered this event, shared with the others. */
  batch?: { id: string; events: number; mutatingCalls: number };
  /** A queue-trigger invocation's answer (runtime/trigger-batch.ts): every message's own outcome, in batch order. */
  results?: Array<{ index: number; messageId?: string; outcome: Outcome }>;
}

/** One line, stable key order, for log queries. */
export function outcomeLine(o: Outcome): string {
  const { outcome, handler, eventId, name, instanceId, reason, actions, warnings, durationMs, timings, batch } = o;
  return JSON.stringify({ outcome, handler, eventId, name, instanceId, reason, actions, warnings: warnings?.length ? warnings : undefined, durationMs, timings, batch });
}
