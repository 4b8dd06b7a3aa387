// The triggerConfig of FC 3.0's MNS-queue trigger: an `eventbridge` trigger
// whose event source is the queue (FC doc "Simple Message Queue (formerly MNS)
// queue triggers": the trigger is an EventBridge event stream). Field names and
// values are the SDK models' (fc-20230330 EventBridgeTriggerConfig,
// EventSourceConfig, SourceMNSParameters, RunOptions, BatchWindow,
// RetryStrategy, DeadLetterQueue, EventSinkConfig/DeliveryOption). Pure.
import type { BatchWindow } from "../../handlers/contract";

/** FC's trigger type for every EventBridge-backed trigger, MNS queues included (TF fcv3_trigger: "... mns_topic and eventbridge"). */
export const EVENTBRIDGE_TRIGGER_TYPE = "eventbridge";
/** Name of the queue trigger on each handler function (unique per function). */
export const QUEUE_TRIGGER_NAME = "queue";

export interface QueueTriggerInput {
  /** Region of the queue: the function's own. */
  readonly region: string;
  readonly queueName: string;
  /** ARN of the MNS queue batches go to once their retries are spent. */
  readonly deadLetterQueueArn: string;
  readonly window: BatchWindow;
}

/**
 * The trigger's configuration. Choices, each for a reason:
 * - `mode: event-streaming`: events arrive as an array, batched by `batchWindow`
 *   (RunOptions.mode; `event-driven` pushes one message per call and "does not
 *   support batching").
 * - `IsBase64Decode: false`: the body reaches the function as MNS holds it; the
 *   handlers' intake reads raw or base64 JSON alike (core/event.ts), so no
 *   decode step can garble a plain-JSON body.
 * - `errorsTolerance: ALL` with a dead-letter queue: a batch that still fails
 *   after its retries is kept there and the stream goes on ("NONE" stops on the
 *   error; without a DLQ "messages are discarded when the retry policy is
 *   exhausted", RunOptions doc).
 * - `BACKOFF_RETRY`: 3 retries 10-20 s apart (EventBridge "Retry policies and
 *   dead-letter queues"): a batch is retried inside the spot notice, not over
 *   hours as EXPONENTIAL_DECAY_RETRY's 176 tries would.
 * - `eventSchema: CloudEvents` (the default, pinned): the runtime decodes
 *   CloudEvents (handlers/runtime/trigger-batch.ts).
 * - `asyncInvocationType: false` (synchronous): the stream learns each batch's
 *   result and retries or dead-letters it; an async call would succeed on
 *   enqueue and leave failures to FC's async retries instead.
 */
export function queueTriggerConfig(t: QueueTriggerInput): Record<string, unknown> {
  return {
    triggerEnable: true,
    asyncInvocationType: false,
    eventSourceConfig: {
      eventSourceType: "MNS",
      eventSourceParameters: { sourceMNSParameters: { RegionId: t.region, QueueName: t.queueName, IsBase64Decode: false } },
    },
    eventRuleFilterPattern: "{}",
    eventSinkConfig: { deliveryOption: { eventSchema: "CloudEvents" } },
    runOptions: {
      mode: "event-streaming",
      batchWindow: { CountBasedWindow: t.window.countBasedWindow, TimeBasedWindow: t.window.timeBasedWindowSeconds },
      retryStrategy: { PushRetryStrategy: "BACKOFF_RETRY" },
      errorsTolerance: "ALL",
      deadLetterQueue: { Arn: t.deadLetterQueueArn },
    },
  };
}

/** ARN of an MNS queue as EventBridge names a queue target (`acs:mns:<region>:<account>:/queues/<name>`, TF message_service_event_rule example). */
export function mnsQueueArn(region: string, accountId: string, queueName: string): string {
  return `acs:mns:${region}:${accountId}:/queues/${queueName}`;
}
