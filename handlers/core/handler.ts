// What a handler is: a plain function over a typed event and a few ports.
import type { HandlerName } from "../catalogue";
import type { ApiAction } from "../cloud/apis";
import type { Deadline } from "../cloud/retry";
import type { HandlerConfig } from "./config";
import type { SystemEvent } from "./event";
import type { CloudGateway } from "./gateway";
import type { Clock } from "./ports";

/** Raises a CRITICAL notification (CMS custom event, routed to the CRITICAL tier by infra). */
export interface AlertSink {
  critical(eventName: string, content: Record<string, unknown>): Promise<void>;
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
