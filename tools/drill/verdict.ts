// When a drill failed: what the drill exits 1 for, as sentences. Pure: a
// drill's result in, problems out. A handler that "worked" but left an
// instance drained, a record open or an event in the dead-letter queue is a
// failed drill too.
import { FINAL_STATUSES, type EventStatus } from "../../handlers/catalogue";
import type { RecordView } from "./inspect";
import type { DeliveryCounts, TimelineEntry } from "./twin";

export interface VerdictInput {
  timeline: readonly TimelineEntry[];
  instances: readonly { instanceId: string; finalStatus?: string; instanceStatus: string; before: readonly string[]; after: readonly string[] }[];
  /** Function invocations started and finished (direct ones and queue-trigger batches). */
  invocations: { started: number; finished: number };
  /** The events handed to handlers and what became of them. */
  deliveries: DeliveryCounts;
  deadLetters: number;
  deadLetterQueues: readonly string[];
  records: readonly RecordView[];
  /** Problems the twin saw outside any handler (routing to an undeclared queue, ...). */
  twinProblems: readonly string[];
}

const isFinal = (s: string | undefined) => s !== undefined && (FINAL_STATUSES as readonly string[]).includes(s as EventStatus);

export function drillProblems(r: VerdictInput): string[] {
  const problems = [...r.twinProblems];
  for (const e of r.timeline) {
    if (e.kind === "handler" && e.outcome.outcome === "failed") problems.push(`${e.handler}${e.trigger === "timer" ? " (timer)" : ""} failed on ${e.eventName}: ${e.outcome.reason ?? "no reason given"}`);
  }
  const unfinished = r.invocations.started - r.invocations.finished;
  if (unfinished > 0) problems.push(`${unfinished} handler invocation(s) never ended`);
  if (r.deliveries.lost > 0) problems.push(`${r.deliveries.lost} event(s) handed to a handler got no outcome and are on no queue or dead-letter queue: lost`);
  if (r.deliveries.waiting > 0) problems.push(`${r.deliveries.waiting} message(s) still wait on a handler's queue at the end`);
  if (r.deadLetters > 0) problems.push(`${r.deadLetters} message(s) in the dead-letter queue(s) ${r.deadLetterQueues.join(", ")}`);
  for (const i of r.instances) {
    if (i.instanceStatus === "released") {
      if (i.after.length > 0) problems.push(`${i.instanceId} was released but is still a backend of ${i.after.join(", ")}`);
    } else if (i.finalStatus !== "Failed" && i.after.join() !== i.before.join()) {
      // After a Failed maintenance the drained weights stay at 0 on purpose: a person decides.
      problems.push(`${i.instanceId} was left with weights ${i.after.join(", ") || "(none)"}; before the drill: ${i.before.join(", ")}`);
    }
    for (const rec of r.records.filter((x) => x.instanceId === i.instanceId && x.phase !== "done")) {
      if (isFinal(i.finalStatus) || i.instanceStatus === "released") problems.push(`maintenance record ${rec.eventId} of ${i.instanceId} is still ${rec.phase} after the event ended ${i.finalStatus ?? i.instanceStatus}`);
    }
  }
  return problems;
}
