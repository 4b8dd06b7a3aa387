// When a drill failed: what the drill exits 1 for, as sentences. Pure: a
// drill's result in, problems out. A handler that "worked" but left an
// instance drained, a record open or an event in the dead-letter queue is a
// failed drill too.
import { FINAL_STATUSES, type EventStatus } from "../../handlers/catalogue";
import type { RecordView } from "./inspect";
import type { TimelineEntry } from "./twin";

export interface VerdictInput {
  timeline: readonly TimelineEntry[];
  instances: readonly { instanceId: string; finalStatus?: string; instanceStatus: string; before: readonly string[]; after: readonly string[] }[];
  invocations: { started: number; finished: number };
  deadLetters: number;
  deadLetterQueue?: string;
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
  const lost = r.invocations.started - r.invocations.finished;
  if (lost > 0) problems.push(`${lost} handler invocation(s) ended without an outcome`);
  if (r.deadLetters > 0) problems.push(`${r.deadLetters} message(s) in the dead-letter queue ${r.deadLetterQueue ?? ""}`.trim());
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
