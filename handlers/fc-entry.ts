// Function Compute glue: builds the real adapters from the environment and the
// FC context, runs one invocation, logs its one outcome line. Every entry file
// runs its events through `fcHandler(<its handler>)`; the maintenance and
// expiry entries first tell their timer ticks apart (`isTimerRequest`).
import { ConfigError, parseEnv, type HandlerConfig } from "./contract";
import { bodyToText, isRecord, parseJsonOrBase64 } from "./core/event";
import type { EventHandler } from "./core/handler";
import { bodyBase64, runInvocation } from "./core/invoke";
import { outcomeLine, type Outcome } from "./core/outcome";
import { systemClock, type Clock, type TopicPublisher } from "./core/ports";
import { InvocationTimer } from "./core/timings";
import { credentialSource, type CredentialSource } from "./cloud/credentials";
import { endpointFor, type Endpoint } from "./cloud/endpoints";
import { MnsDeadLetter, MnsTopicPublisher } from "./cloud/mns";
import { OpenApiCloud } from "./cloud/openapi";
import { OssObjectStore } from "./cloud/oss";
import { deadlineAt, type Deadline, type RetryPolicy } from "./cloud/retry";

/** What FC (Node.js 20) passes as the second argument. */
export interface FcContext {
  requestId: string;
  credentials?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  function?: { name?: string; timeout?: number };
  region?: string;
  accountId?: string;
}

/** Margin kept for the dead-letter write even when the work ran out of time. */
const LAST_WORDS_MS = 1_000;
const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

export function fcHandler(def: EventHandler, clock: Clock = systemClock) {
  return async function handler(event: unknown, context: FcContext): Promise<Outcome> {
    const timer = InvocationTimer.forClock(clock); // first: timings include config parsing and adapter setup
    const env = process.env;
    const started = clock.now();
    const timeoutMs = (context?.function?.timeout ?? 60) * 1000;
    const requestId = context?.requestId ?? `local-${started}`;
    const region = context?.region ?? env.FC_REGION ?? env.ALIBABA_CLOUD_REGION_ID ?? "cn-hangzhou";
    const credentials = credentialSource(context?.credentials);
    // The dead-letter path gets the whole function timeout, the work stops earlier.
    const hardDeadline = deadlineAt(started + timeoutMs - LAST_WORDS_MS, clock.now);

    let config: HandlerConfig;
    try {
      config = parseEnv(env);
    } catch (err) {
      if (!(err instanceof ConfigError) || !env.DEAD_LETTER_QUEUE) throw err;
      const dlq = timer.deadLetter(deadLetter(env.DEAD_LETTER_QUEUE, undefined, DEFAULT_RETRY, 10_000));
      await dlq.send({ reason: `failed: ${err.message}`, handler: def.name, requestId, receivedAt: new Date(started).toISOString(), error: { code: "ConfigError", message: err.message }, bodyBase64: bodyBase64(event) });
      return log({ outcome: "failed", handler: def.name, eventId: "unknown", name: "unknown", reason: err.message, actions: [], durationMs: clock.now() - started, timings: timer.snapshot() });
    }

    const workDeadline: Deadline = deadlineAt(started + timeoutMs - config.deadlineMarginMs, clock.now);
    const markers = ossStore(config.idempotency.bucket, workDeadline, config.api, config.api.callTimeoutMs);
    const overflowStore = ossStore(config.idempotency.bucket, hardDeadline, config.api, config.api.callTimeoutMs);
    const outcome = await runInvocation(event, {
      handler: def,
      config,
      cloudApi: new OpenApiCloud({ env, credentials, retry: config.api, deadline: workDeadline, callTimeoutMs: config.api.callTimeoutMs }),
      markerStore: markers,
      deadLetter: deadLetter(config.deadLetterQueue, { store: overflowStore, prefix: `${config.idempotency.prefix}/dead-letter` }, config.api, config.api.callTimeoutMs, config.accountId),
      clock,
      deadline: workDeadline,
      requestId,
      leaseMs: (config.idempotency.leaseSeconds ?? timeoutMs / 1000 + 60) * 1000,
      topics: alertPublisher(config, endpointFor("mns", region, env, context?.accountId ?? config.accountId ?? env.ALIBABA_CLOUD_ACCOUNT_ID), credentials, workDeadline),
      timer,
    });
    return log(outcome);

    function ossStore(bucket: string, deadline: Deadline, retry: RetryPolicy, callTimeoutMs: number) {
      return new OssObjectStore({ bucket, endpoint: endpointFor("oss", region, env), credentials, retry, deadline, callTimeoutMs });
    }
    function deadLetter(queue: string, overflow: ConstructorParameters<typeof MnsDeadLetter>[0]["overflow"], retry: RetryPolicy, callTimeoutMs: number, accountId?: string) {
      return new MnsDeadLetter({ queue, endpoint: endpointFor("mns", region, env, context?.accountId ?? accountId ?? env.ALIBABA_CLOUD_ACCOUNT_ID), credentials, retry, deadline: hardDeadline, callTimeoutMs, overflow });
    }
  };
}

/**
 * Is this invocation a timer tick whose payload `matches`? The payload comes
 * as a direct invocation sends it (`{"reconcile": true}`) or inside the FC
 * timer trigger's envelope (`{"triggerTime", "triggerName", "payload": "<JSON>"}`).
 */
export function isTimerRequest(body: unknown, matches: (payload: Record<string, unknown>) => boolean): boolean {
  const raw = bodyToText(body);
  if ("error" in raw || raw.bytes > 4096) return false;
  const parsed = parseJsonOrBase64(raw.text);
  if (!("value" in parsed) || !isRecord(parsed.value)) return false;
  const v = parsed.value;
  if (matches(v)) return true;
  if (typeof v.triggerName !== "string" || typeof v.payload !== "string") return false;
  try {
    const inner = JSON.parse(v.payload) as unknown;
    return isRecord(inner) && matches(inner);
  } catch {
    return false;
  }
}

/** The ALERT_TOPIC publisher; undefined without ALERT_TOPIC (core/alerts.ts alertSinkFor then says the alert went nowhere). */
export function alertPublisher(config: HandlerConfig, endpoint: Endpoint, credentials: CredentialSource, deadline: Deadline): TopicPublisher | undefined {
  return config.alertTopic ? new MnsTopicPublisher({ endpoint, credentials, retry: config.api, deadline, callTimeoutMs: config.api.callTimeoutMs }) : undefined;
}

function log(outcome: Outcome): Outcome {
  console.log(outcomeLine(outcome));
  return outcome;
}

