// The FC 3.0 triggers that read an MNS queue, read from the plan graph: an
// `eventbridge` trigger whose event source is MNS (FC doc "Simple Message Queue
// (formerly MNS) queue triggers": the trigger is an EventBridge event stream;
// TF fcv3_trigger trigger_type "eventbridge", trigger_config a JSON string).
// Field names are the SDK models' (fc-20230330 EventBridgeTriggerConfig,
// EventSourceConfig, SourceMNSParameters, RunOptions, BatchWindow,
// RetryStrategy, DeadLetterQueue). Pure.
import type { PlanGraph, PlannedResource } from "../../policies/plan-graph";
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

type Props = Record<string, any>;
const isRecord = (v: unknown): v is Props => typeof v === "object" && v !== null && !Array.isArray(v);

/** The queue name in an MNS queue ARN (`acs:mns:<region>:<account>:/queues/<name>`, TF message_service_event_rule example), or the text itself when it is a plain name. */
export function queueOfArn(arn: string): string {
  const m = /:\/?queues\/([^/]+)$/.exec(arn);
  return m ? m[1] : arn;
}

/**
 * The trigger as a queue trigger, or undefined when it is not one (a timer,
 * an HTTP trigger, an eventbridge trigger of another source). A queue trigger
 * whose config cannot be read is an error naming the trigger and the field.
 */
export function declaredQueueTrigger(r: PlannedResource): DeclaredQueueTrigger | undefined {
  const p = r.inputs as Props;
  if (p.triggerType !== "eventbridge") return undefined;
  const where = `trigger ${r.name} (function ${String(p.functionName)})`;
  let cfg: unknown = p.triggerConfig;
  if (typeof cfg === "string") {
    try {
      cfg = JSON.parse(cfg);
    } catch (e) {
      throw new QueueTriggerConfigError(`${where}: triggerConfig is not JSON (${(e as Error).message})`);
    }
  }
  if (!isRecord(cfg)) throw new QueueTriggerConfigError(`${where}: triggerConfig is not an object`);
  const source = cfg.eventSourceConfig;
  if (!isRecord(source) || source.eventSourceType !== "MNS") return undefined;
  const mns = source.eventSourceParameters?.sourceMNSParameters;
  if (!isRecord(mns) || typeof mns.QueueName !== "string" || mns.QueueName === "") throw new QueueTriggerConfigError(`${where}: eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName is missing`);
  const run = isRecord(cfg.runOptions) ? cfg.runOptions : {};
  const dlq = isRecord(run.deadLetterQueue) && typeof run.deadLetterQueue.Arn === "string" ? queueOfArn(run.deadLetterQueue.Arn) : undefined;
  return {
    resource: r.name,
    functionName: String(p.functionName),
    triggerName: String(p.triggerName ?? r.name),
    queue: mns.QueueName,
    ...(typeof mns.RegionId === "string" ? { region: mns.RegionId } : {}),
    enabled: cfg.triggerEnable !== false,
    window: windowOf(run, where),
    ...(isRecord(run.retryStrategy) && typeof run.retryStrategy.PushRetryStrategy === "string" ? { retryStrategy: run.retryStrategy.PushRetryStrategy } : {}),
    ...(typeof run.errorsTolerance === "string" ? { errorsTolerance: run.errorsTolerance } : {}),
    ...(dlq ? { deadLetterQueue: dlq } : {}),
    ...(typeof mns.IsBase64Decode === "boolean" ? { isBase64Decode: mns.IsBase64Decode } : {}),
    asyncInvocation: cfg.asyncInvocationType === true,
  };
}

function windowOf(run: Props, where: string): TriggerWindow | undefined {
  if (run.mode === "event-driven") return { countBasedWindow: 1, timeBasedWindowSeconds: 0 };
  const w = run.batchWindow;
  if (w === undefined) return undefined;
  const count = Number(w?.CountBasedWindow);
  const time = Number(w?.TimeBasedWindow ?? 0);
  if (!Number.isInteger(count) || count < 1) throw new QueueTriggerConfigError(`${where}: runOptions.batchWindow.CountBasedWindow must be a whole number of messages, got ${JSON.stringify(w?.CountBasedWindow)}`);
  if (!(time >= 0)) throw new QueueTriggerConfigError(`${where}: runOptions.batchWindow.TimeBasedWindow must be seconds >= 0, got ${JSON.stringify(w?.TimeBasedWindow)}`);
  return { countBasedWindow: count, timeBasedWindowSeconds: time };
}

/** Every queue trigger the graph declares. */
export function declaredQueueTriggers(graph: Pick<PlanGraph, "resources">): DeclaredQueueTrigger[] {
  return graph.resources.filter((r) => r.type === T.fcTrigger).flatMap((r) => declaredQueueTrigger(r) ?? []);
}
