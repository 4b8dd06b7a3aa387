// automation-queue-trigger: automation events reach a handler only through its
// MNS queue and an FC 3.0 queue trigger that reads it in bounded batches and
// keeps what it cannot deliver; no event rule targets an FC 3.0 function.
//
// Why each check (sources in `sources` below):
// - `errorsTolerance` must be ALL: "NONE: does not tolerate exceptions" (the default),
//   so a failing batch stops the stream and the queue backs up (RunOptions).
// - a dead-letter queue: "By default, dead-letter queues are not enabled and
//   messages are discarded when the retry policy is exhausted" (RunOptions).
// - `mode: event-streaming`: event-driven pushes one message at a time, "batch
//   configurations are not supported" (RunOptions).
// - batch bounds: 1-10,000 messages, 0-15 s ("Advanced features of triggers");
//   the API types both as long, so integers (BatchWindow).
// - no CMS → FC target: PutEventRuleTargets models FC 2.0 (ServiceName +
//   FunctionName); whether it reaches an FC 3.0 function is unconfirmed (issue
//   14, real-cloud review finding S10), so handlers are reached via queues only.
import { Finding, PolicyResourceLike, PolicyRule } from "../model";
import { StackIndex, T, describe, providerRegion } from "../stack";
import { isUnknown, list, record, text } from "../values";
import { SOURCE } from "./provider-facts";
import { QueueTrigger, automationQueues, eventbridgeTriggers, handlerFunctions, parseMnsQueueArn, readsQueue } from "./queue-triggers";

const FC_MODELS = "@alicloud/fc20230330 src/models";

/** Batch window bounds ("Advanced features of triggers": Batch Push Messages [1, 10000], Batch Push Interval [0, 15] s). */
export const BATCH_BOUNDS = {
  CountBasedWindow: { min: 1, max: 10_000, unit: "messages" },
  TimeBasedWindow: { min: 0, max: 15, unit: "seconds" },
} as const;

export const automationQueueTrigger: PolicyRule = {
  id: "automation-queue-trigger",
  displayName: "Automation queues are read by a bounded, dead-lettered queue trigger; no rule targets Function Compute",
  severity: "high",
  enforcement: "mandatory",
  description:
    "Every automation queue (the main queue of a handler's AutomationQueue component, and every queue an AutomationRules rule targets) " +
    "is read by an enabled `eventbridge` trigger with `eventSourceType: MNS` on a handler function declared in this stack; every such trigger " +
    "runs in `event-streaming` mode with `batchWindow.CountBasedWindow` an integer 1-10000 and `TimeBasedWindow` an integer 0-15, " +
    "`errorsTolerance: ALL`, and `deadLetterQueue.Arn` naming another MNS queue declared in this stack (`acs:mns:<region>:<account>:/queues/<name>`). " +
    "No event rule has a Function Compute target on an FC 3.0 function: CloudMonitor's FC target models FC 2.0, so events reach handlers via queues only.",
  remediation:
    "Declare each handler with its queue trigger (infra/components/handler-function.ts `queueTrigger`, config built by infra/automation/queue-trigger.ts) " +
    "and route its events to its queue (`mnsParameters`), never to the function (`fcParameters`); set batching with event-ops:automation.batching within the bounds.",
  sources: [
    `${FC_MODELS}/RunOptions.ts (mode, errorsTolerance, deadLetterQueue)`,
    `${FC_MODELS}/BatchWindow.ts`,
    "https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/advanced-features-of-triggers (Batch Push Messages [1, 10000], Batch Push Interval [0, 15] s)",
    "https://alibabacloud.com/help/en/functioncompute/fc-2-0/developer-reference/api-fc-open-2021-04-06-struct-batchwindow (CountBasedWindow, TimeBasedWindow: long)",
    SOURCE.ptV3Trigger,
    SOURCE.putEventRuleTargets,
  ],
  check(resources, context) {
    const index = StackIndex.of(resources);
    const triggers = eventbridgeTriggers(index);
    return [...coverageFindings(index, triggers), ...triggers.flatMap((t) => triggerFindings(index, t, context.accountId)), ...fcTargetFindings(index)];
  },
};

/** `queue trigger handler-spot-drain-queue (function eventops-prod-spot-drain)`. */
function triggerName(t: QueueTrigger): string {
  const fn = text(t.functionName);
  return `queue trigger ${t.resource.name}${fn && !isUnknown(fn) ? ` (function ${fn})` : ""}`;
}

/** Each automation queue has an enabled MNS queue trigger reading it. */
function coverageFindings(index: StackIndex, triggers: QueueTrigger[]): Finding[] {
  const { byName, someUnknown } = automationQueues(index);
  const findings: Finding[] = [];
  if (someUnknown) findings.push({ undecided: true, message: "could not verify that every automation queue has a queue trigger: some automation queue names or rule targets are unknown until apply" });
  const declared = index.queues();
  for (const [name, why] of [...byName.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const queue = declared.byName.get(name);
    if (!queue) continue; // an undeclared rule target: no-dangling-targets reports it
    const what = `automation queue ${describe(queue)} (${why.join(", ")})`;
    const reading = triggers.filter((t) => readsQueue(t, name) === true);
    const live = reading.filter((t) => t.enabled !== false && !isUnknown(t.enabled));
    if (live.length > 0) continue;
    const undecided = triggers.filter((t) => readsQueue(t, name) === "unknown" || (readsQueue(t, name) === true && isUnknown(t.enabled)));
    if (undecided.length > 0) {
      findings.push({ resource: queue, undecided: true, message: `could not verify that ${what} has a queue trigger: the source or triggerEnable of ${undecided.map(triggerName).join(", ")} is unknown until apply` });
      continue;
    }
    const disabled = reading.length > 0 ? ` (${reading.map(triggerName).join(", ")} has triggerEnable false)` : "";
    findings.push({ resource: queue, message: `${what} has no enabled eventbridge trigger with eventSourceType MNS reading it${disabled}: its events reach no handler` });
  }
  return findings;
}

/** A value in a bound, as an integer; the message part when not. */
function outOfBounds(value: unknown, field: keyof typeof BATCH_BOUNDS): string | undefined {
  const b = BATCH_BOUNDS[field];
  const ok = typeof value === "number" && Number.isInteger(value) && value >= b.min && value <= b.max;
  if (ok) return undefined;
  const shown = value === undefined ? "not set" : JSON.stringify(value);
  return `runOptions.batchWindow.${field} is ${shown}: it must be an integer ${b.min}-${b.max} (${b.unit})`;
}

/** The configuration of one eventbridge trigger whose source is an MNS queue. */
function triggerFindings(index: StackIndex, t: QueueTrigger, accountId: string | undefined): Finding[] {
  const r = t.resource;
  const what = triggerName(t);
  if (t.unreadable) {
    return [{ resource: r, undecided: t.unreadable.unknown, message: t.unreadable.unknown ? `could not verify ${what}: ${t.unreadable.reason}` : `${what}: ${t.unreadable.reason}` }];
  }
  if (isUnknown(t.sourceType) || isUnknown(r.props.triggerType)) return [{ resource: r, undecided: true, message: `could not verify ${what}: its type or event source is unknown until apply` }];
  if (text(t.sourceType) !== "MNS") return []; // another event source: not a queue trigger
  const out: Finding[] = [];
  const fail = (message: string) => out.push({ resource: r, message: `${what}: ${message}` });
  const unsure = (message: string) => out.push({ resource: r, undecided: true, message: `could not verify ${what}: ${message}` });

  // What it reads, and where: a queue of this stack, in the queue's own region.
  const queues = index.queues();
  const source = isUnknown(t.queue) ? undefined : queues.byName.get(text(t.queue) ?? "");
  if (isUnknown(t.queue)) unsure("sourceMNSParameters.QueueName is unknown until apply");
  else if (!source) {
    if (queues.someUnknown) unsure(`whether queue ${text(t.queue)} it reads is declared: some queue names are unknown until apply`);
    else fail(`it reads MNS queue ${text(t.queue) ?? "(no QueueName)"}, which this stack does not declare (eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName)`);
  }
  const queueRegion = source ? providerRegion(source) : undefined;
  if (isUnknown(t.region)) unsure("sourceMNSParameters.RegionId is unknown until apply");
  else if (source && queueRegion && !isUnknown(queueRegion) && text(t.region) !== queueRegion) {
    fail(`sourceMNSParameters.RegionId is ${JSON.stringify(t.region ?? null)}, but queue ${text(t.queue)} is in ${queueRegion}: the trigger would read another region's queue`);
  }

  // The function it invokes: a handler's.
  const handlers = handlerFunctions(index);
  if (isUnknown(t.functionName)) unsure("functionName is unknown until apply");
  else if (!handlers.byName.has(text(t.functionName) ?? "")) {
    if (handlers.someUnknown) unsure(`whether function ${text(t.functionName)} is a handler: some handler function names are unknown until apply`);
    else fail(`it invokes function ${text(t.functionName) ?? "(no functionName)"}, which is not a handler function declared in this stack (the FC 3.0 function of a HandlerFunction component)`);
  }

  // Bounded batches.
  if (isUnknown(t.mode)) unsure("runOptions.mode is unknown until apply");
  else if (t.mode !== "event-streaming") fail(`runOptions.mode is ${JSON.stringify(t.mode ?? null)}: only "event-streaming" pushes batches (event-driven pushes one message per call and takes no batch window)`);
  for (const field of ["CountBasedWindow", "TimeBasedWindow"] as const) {
    const value = field === "CountBasedWindow" ? t.countBasedWindow : t.timeBasedWindow;
    if (isUnknown(value)) unsure(`runOptions.batchWindow.${field} is unknown until apply`);
    else {
      const wrong = outOfBounds(value, field);
      if (wrong) fail(wrong);
    }
  }

  // Failures kept, not dropped, and the stream going on.
  if (isUnknown(t.errorsTolerance)) unsure("runOptions.errorsTolerance is unknown until apply");
  else if (t.errorsTolerance !== "ALL") {
    fail(`runOptions.errorsTolerance is ${t.errorsTolerance === undefined ? "not set (NONE by default)" : JSON.stringify(t.errorsTolerance)}: with NONE the stream stops at the first batch that still fails after its retries; set "ALL" with a dead-letter queue`);
  }
  deadLetterChecks(index, t, accountId, fail, unsure);
  return out;
}

/** The dead-letter queue: an MNS queue ARN naming another queue of this stack, in its region and account. */
function deadLetterChecks(index: StackIndex, t: QueueTrigger, accountId: string | undefined, fail: (m: string) => void, unsure: (m: string) => void): void {
  const arn = t.deadLetterArn;
  if (isUnknown(arn)) return unsure("runOptions.deadLetterQueue.Arn is unknown until apply");
  if (typeof arn !== "string" || arn === "") return fail("it has no runOptions.deadLetterQueue.Arn: a batch whose retries are spent is discarded");
  const parsed = parseMnsQueueArn(arn);
  if (!parsed) return fail(`runOptions.deadLetterQueue.Arn ${JSON.stringify(arn)} is not an MNS queue ARN (acs:mns:<region>:<account>:/queues/<name>)`);
  const queues = index.queues();
  if (parsed.queue === text(t.queue)) fail(`runOptions.deadLetterQueue.Arn names the queue it reads (${parsed.queue}): a failed batch would come straight back`);
  else if (!queues.byName.has(parsed.queue)) {
    if (queues.someUnknown) unsure(`whether dead-letter queue ${parsed.queue} is declared: some queue names are unknown until apply`);
    else fail(`runOptions.deadLetterQueue.Arn names MNS queue ${parsed.queue}, which this stack does not declare`);
  }
  if (!isUnknown(t.region) && text(t.region) && parsed.region !== text(t.region)) fail(`runOptions.deadLetterQueue.Arn is in region ${parsed.region}, but the queue it reads is in ${text(t.region)}`);
  if (accountId && parsed.account !== accountId) fail(`runOptions.deadLetterQueue.Arn names account ${parsed.account}, not the stack's account ${accountId}`);
}

/** No event rule targets an FC 3.0 function declared in this stack (every `fc.V3Function` is FC 3.0). */
function fcTargetFindings(index: StackIndex): Finding[] {
  const findings: Finding[] = [];
  const functions = index.functions();
  const handlers = handlerFunctions(index);
  for (const rule of index.ofType(T.eventRule)) {
    const fc = rule.props.fcParameters;
    if (isUnknown(fc)) {
      findings.push({ resource: rule, undecided: true, message: `could not verify that rule ${describe(rule)} has no Function Compute target: fcParameters is unknown until apply` });
      continue;
    }
    list(fc).map(record).forEach((f, i) => {
      const name = f.functionName;
      if (isUnknown(name)) {
        findings.push({ resource: rule, undecided: true, message: `could not verify Function Compute target fcParameters[${i}] of rule ${describe(rule)}: functionName is unknown until apply` });
        return;
      }
      const fn: PolicyResourceLike | undefined = functions.byName.get(text(name) ?? "");
      if (!fn) return; // not declared here: no-dangling-targets reports it
      const handler = handlers.byName.get(text(name)!);
      const who = handler ? `the ${handler.handler} handler's function ${text(name)}` : `FC 3.0 function ${text(name)}`;
      findings.push({
        resource: rule,
        message:
          `rule ${describe(rule)} targets ${who} directly (fcParameters[${i}]): CloudMonitor's Function Compute target models FC 2.0 (ServiceName + FunctionName) ` +
          `and is not known to reach FC 3.0 functions; send the events to ${handler ? "the handler's queue" : "an MNS queue with a queue trigger"} (mnsParameters) instead`,
      });
    });
  }
  return findings;
}
