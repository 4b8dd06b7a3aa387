// What a handler is: a declaration `{ name, destructive, apis, run, onTimer? }`
// of plain functions over typed input and a few ports. The one runtime
// (runtime/invoke.ts) runs `run` for an event and `onTimer` for a tick of the
// handler's timer (contract/timers.ts), through the same adapters, deadline,
// outcome and report.
import type { HandlerName } from "../catalogue";
import type { HandlerConfig } from "../contract";
import type { ApiAction } from "./apis";
import type { SystemEvent } from "./event";
import type { CloudGateway } from "./gateway";
import type { Outcome } from "./outcome";
import type { Clock, CloudApi, DeadLetter, Deadline, ObjectStore, TopicPublisher } from "./ports";
import type { InvocationTimer } from "./timings";

/** A CRITICAL alert as a handler raises it (core/alerts.ts turns it into a topic message). */
export interface CriticalAlert {
  /** `EventOps:<kind>`, e.g. `EventOps:CapacityBelowMinimum`. */
  name: string;
  /** One human line, without the severity, e.g. "capacity below minimum: lb-xyz has 1 healthy backend (min 2)": the mail subject. */
  summary: string;
  /** The SMS text (≤ 35 characters); the summary, cut, when absent. */
  short?: string;
  /** The facts, as JSON: the body webhooks and mail readers get. */
  detail: Record<string, unknown>;
}

/** Raises a CRITICAL alert: published to ALERT_TOPIC, whose subscriptions reach the CRITICAL tier. Rejects when it was not delivered. */
export interface AlertSink {
  critical(alert: CriticalAlert): Promise<void>;
}

/** What every run gets, for an event or a tick. */
export interface RunContext {
  config: HandlerConfig;
  clock: Clock;
  deadline: Deadline;
  /** The marker bucket (IDEMPOTENCY_BUCKET): markers, pending maintenance actions. */
  objects: ObjectStore;
  /** This invocation (the FC request id): the writer of what it stores. */
  requestId: string;
}

export interface HandlerContext extends RunContext {
  event: SystemEvent;
  /** The event's gateway: its mutations are the outcome's actions. */
  cloud: CloudGateway;
  /** Alerts about this event. */
  alerts: AlertSink;
  /** Tells the invocation's timings that a weight 0 was applied (the first is `firstWeightZeroMs`). */
  weightZero?(): void;
}

export interface TimerContext extends RunContext {
  /** The function's own region. */
  regionId: string;
  /** The tick's outcome id (`<idPrefix>/<requestId>`), for alerts about the tick itself. */
  tickId: string;
  /** A gateway whose mutations join the tick's actions; `eventKey` scopes its ClientTokens. */
  gateway(eventKey: string, regionId: string): CloudGateway;
  /** Alerts about `origin` (the event and instance they concern), published through `cloud`. */
  alerts(cloud: CloudGateway, origin: { eventId: string; instanceId?: string }): AlertSink;
}

export interface HandlerResult {
  outcome: "acted" | "skipped";
  reason?: string;
  warnings?: string[];
}

export interface EventHandler {
  name: HandlerName;
  /** Destructive handlers claim an idempotency marker before running on an event. */
  destructive: boolean;
  /** Every cloud API the handler may call: its RAM policy (see registry.ts). */
  apis: readonly ApiAction[];
  run(ctx: HandlerContext): Promise<HandlerResult>;
  /** A tick of the handler's timer. Its failure is reported, not dead-lettered: the next tick is the retry. */
  onTimer?(ctx: TimerContext): Promise<HandlerResult>;
  /**
   * The valid events of one queue-trigger batch, handled together (spot-drain/batch.ts, instance-cleanup/batch.ts); one outcome per item, in
   * order. Without it the runtime runs each message through `run` as one event (runtime/trigger-batch.ts).
   */
  runBatch?(batch: BatchInvocation): Promise<Outcome[]>;
}

/** The ports of one invocation, as the runtime builds them (runtime/fc-entry.ts) for an event, a tick or a batch. */
export interface InvocationPorts {
  config: HandlerConfig;
  cloudApi: CloudApi;
  /** The marker bucket: markers, oversized dead letters' neighbours, pending actions. */
  objects: ObjectStore;
  deadLetter: DeadLetter;
  clock: Clock;
  deadline: Deadline;
  requestId: string;
  /** The function's region (a tick acts there). */
  regionId: string;
  /** Marker lease: longer than the function timeout (see idempotency.ts). */
  leaseMs: number;
  /** MNS topics, for CRITICAL alerts to config.alertTopic. */
  topics?: TopicPublisher;
  /** Started by the caller to include its own setup (fc-entry: config, adapters); else started here. */
  timer?: InvocationTimer;
}

/** One valid event of a trigger batch and the message body it came in (kept for the claim journal and the dead-letter queue). */
export interface BatchItem {
  event: SystemEvent;
  body: unknown;
}

export type BatchInvocation = InvocationPorts & { items: readonly BatchItem[] };
