// The FC 3.0 triggers that read an MNS queue, read from the plan graph: an
// `eventbridge` trigger whose event source is MNS (FC doc "Simple Message Queue
// (formerly MNS) queue triggers": the trigger is an EventBridge event stream;
// TF fcv3_trigger trigger_type "eventbridge", trigger_config a JSON string).
// Field names are the SDK models' (fc-20230330 EventBridgeTriggerConfig,
// EventSourceConfig, SourceMNSParameters, RunOptions, BatchWindow,
// RetryStrategy, DeadLetterQueue). Pure.
import type { PlanGraph, PlannedResource } from "../../policies/plan-graph";
import { EVENTBRIDGE, parseMnsQueueArn, readQueueTrigger, type QueueTrigger } from "../../policies/rules/queue-triggers";
import { T } from "../../policies/stack";

export interface TriggerWindow {
  /** Messages per invocation (BatchWindow.CountBasedWindow). */
  countBasedWindow: number;
  /** Seconds a batch waits to fill after its first message (BatchWindow.TimeBasedWindow). */
  timeBasedWindowSeconds: number;
}

export interface DeclaredQueueTrigger {
  /** The trigger's Pulumi name (for messages). */
  resource: string;
  functionName: string;
  triggerName: string;
  /** The queue it reads (SourceMNSParameters.QueueName) and its region. */
  queue: string;
  region?: string;
  /** triggerEnable: a disabled trigger reads nothing. */
  enabled: boolean;
  /**
   * The batches it pushes. `event-driven` mode pushes one message per call
   * (RunOptions.mode: it "does not support batching"); `event-streaming`
   * without a batchWindow: undefined (FC documents no default).
   */
  window?: TriggerWindow;
  /** RetryStrategy.PushRetryStrategy, as declared. */
  retryStrategy?: string;
  /** RunOptions.errorsTolerance, as declared (`ALL`: a failed batch goes to the dead-letter queue and the stream goes on). */
  errorsTolerance?: string;
  /** The dead-letter queue's name, from RunOptions.deadLetterQueue.Arn. */
  deadLetterQueue?: string;
  /** SourceMNSParameters.IsBase64Decode, as declared (FC's default: true). */
  isBase64Decode?: boolean;
  /** asyncInvocationType: the stream does not wait for the function's answer. */
  asyncInvocation: boolean;
}

export class QueueTriggerConfigError extends Error {
  override name = "QueueTriggerConfigError";
}

/** The queue name in an MNS queue ARN (`acs:mns:<region>:<account>:/queues/<name>`; also the `queues/<name>` form of EventBridge's examples), or the text itself when it is a plain name. */
export function queueOfArn(arn: string): string {
  return parseMnsQueueArn(arn)?.queue ?? /:\/?queues\/([^/]+)$/.exec(arn)?.[1] ?? arn;
}

/**
 * The trigger as a queue trigger, or undefined when it is not one (a timer,
 * an HTTP trigger, an eventbridge trigger of another source). A queue trigger
 * whose config cannot be read is an error naming the trigger and the field.
 * The fields are read by the policy pack's reader (policies/rules/queue-triggers.ts),
 * the one place that knows where each sits in the triggerConfig.
 */
export function declaredQueueTrigger(r: PlannedResource): DeclaredQueueTrigger | undefined {
  if (r.inputs.triggerType !== EVENTBRIDGE) return undefined;
  const where = `trigger ${r.name} (function ${String(r.inputs.functionName)})`;
  const t = readQueueTrigger({ type: r.type, name: r.name, urn: r.urn, props: r.inputs });
  if (t.unreadable) throw new QueueTriggerConfigError(`${where}: ${t.unreadable.reason}`);
  if (t.sourceType !== "MNS") return undefined;
  if (typeof t.queue !== "string" || t.queue === "") throw new QueueTriggerConfigError(`${where}: eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName is missing`);
  return {
    resource: r.name,
    functionName: String(r.inputs.functionName),
    triggerName: String(r.inputs.triggerName ?? r.name),
    queue: t.queue,
    ...(typeof t.region === "string" ? { region: t.region } : {}),
    enabled: t.enabled !== false,
    window: windowOf(t, where),
    ...(typeof t.retryStrategy === "string" ? { retryStrategy: t.retryStrategy } : {}),
    ...(typeof t.errorsTolerance === "string" ? { errorsTolerance: t.errorsTolerance } : {}),
    ...(typeof t.deadLetterArn === "string" ? { deadLetterQueue: queueOfArn(t.deadLetterArn) } : {}),
    ...(typeof t.isBase64Decode === "boolean" ? { isBase64Decode: t.isBase64Decode } : {}),
    asyncInvocation: t.asyncInvocation === true,
  };
}

function windowOf(t: QueueTrigger, where: string): TriggerWindow | undefined {
  if (t.mode === "event-driven") return { countBasedWindow: 1, timeBasedWindowSeconds: 0 };
  if (t.countBasedWindow === undefined && t.timeBasedWindow === undefined) return undefined;
  const count = Number(t.countBasedWindow);
  const time = Number(t.timeBasedWindow ?? 0);
  if (!Number.isInteger(count) || count < 1) throw new QueueTriggerConfigError(`${where}: runOptions.batchWindow.CountBasedWindow must be a whole number of messages, got ${JSON.stringify(t.countBasedWindow)}`);
  if (!(time >= 0)) throw new QueueTriggerConfigError(`${where}: runOptions.batchWindow.TimeBasedWindow must be seconds >= 0, got ${JSON.stringify(t.timeBasedWindow)}`);
  return { countBasedWindow: count, timeBasedWindowSeconds: time };
}

/** Every queue trigger the graph declares. */
export function declaredQueueTriggers(graph: Pick<PlanGraph, "resources">): DeclaredQueueTrigger[] {
  return graph.resources.filter((r) => r.type === T.fcTrigger).flatMap((r) => declaredQueueTrigger(r) ?? []);
}
