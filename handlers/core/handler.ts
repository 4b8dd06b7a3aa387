// What a handler is: a plain function over a typed event and a few ports.
import type { HandlerName } from "../catalogue";
import type { ApiAction } from "../cloud/apis";
import type { Deadline } from "../cloud/retry";
import type { HandlerConfig } from "../contract";
import type { SystemEvent } from "./event";
import type { CloudGateway } from "./gateway";
import type { Clock } from "./ports";

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

export interface HandlerContext {
  event: SystemEvent;
  cloud: CloudGateway;
  alerts: AlertSink;
  clock: Clock;
  config: HandlerConfig;
  deadline: Deadline;
}

export interface HandlerResult {
  outcome: "acted" | "skipped";
  reason?: string;
  warnings?: string[];
}

export interface EventHandler {
  name: HandlerName;
  /** Destructive handlers claim an idempotency marker before running. */
  destructive: boolean;
  /** Every cloud API the handler may call: its RAM policy (see iam.ts). */
  apis: readonly ApiAction[];
  run(ctx: HandlerContext): Promise<HandlerResult>;
}
