// Function Compute glue, the same for every function: reads the environment
// (contract/env.ts) and the FC context once, builds the real adapters, runs one
// invocation (an event or the handler's timer tick, runtime/invoke.ts) and logs
// its one outcome line. Each entry file is `export const { handler, createHandler } = fcEntry(<handler>)`.
import { randomUUID } from "node:crypto";
import { ConfigError, MARKER_LEASE_EXTRA_SECONDS, OBJECT_PREFIXES, RANGES, parseEnv, type HandlerConfig } from "../contract";
import type { EventHandler } from "../core/handler";
import { isRegionId, shown } from "../core/ids";
import { outcomeLine, type Outcome } from "../core/outcome";
import { deadlineAt, systemClock, type Clock, type Deadline } from "../core/ports";
import { InvocationTimer } from "../core/timings";
import { credentialSource, type CredentialSource } from "../cloud/credentials";
import { endpointFor } from "../cloud/endpoints";
import { MnsDeadLetter, MnsTopicPublisher } from "../cloud/mns";
import { OpenApiCloud } from "../cloud/openapi";
import { OssObjectStore } from "../cloud/oss";
import type { RetryPolicy } from "../cloud/retry";
import { bodyBase64, runInvocation, tickIds, tickOf } from "./invoke";

/** What FC (Node.js 20) passes as the second argument. */
export interface FcContext {
  requestId: string;
  credentials?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  function?: { name?: string; timeout?: number };
  region?: string;
  accountId?: string;
}

export type FcHandler = (event: unknown, context: FcContext) => Promise<Outcome>;

/** Margin kept for the dead-letter write even when the work ran out of time. */
const LAST_WORDS_MS = 1_000;
/** Where a dead letter too big for one MNS message keeps its body (cloud/mns-dead-letter.ts). */
const deadLetterPrefix = (markersPrefix: string): string => `${markersPrefix}/dead-letter`;
/** FC's own default timeout, when the context does not say. */
const DEFAULT_TIMEOUT_SECONDS = 60;
/** Where an FC context names no region (local runs). */
const DEFAULT_REGION = "cn-hangzhou";
/** Retries for the dead letter of a config error: the contract's defaults, the config being what failed. */
const DEFAULT_API = { maxAttempts: RANGES.apiMaxAttempts.default, baseDelayMs: RANGES.retryBaseDelayMs.default, maxDelayMs: RANGES.retryMaxDelayMs.default, callTimeoutMs: RANGES.apiCallTimeoutMs.default };

/** The FC handler for `def`, and its clock-injectable factory (tests and drills run it on a virtual clock). */
export function fcEntry(def: EventHandler): { handler: FcHandler; createHandler: (clock?: Clock) => FcHandler } {
  const createHandler = (clock: Clock = systemClock): FcHandler => (body, context) => invoke(def, clock, body, context);
  return { handler: createHandler(), createHandler };
}

async function invoke(def: EventHandler, clock: Clock, body: unknown, context: FcContext): Promise<Outcome> {
  const timer = InvocationTimer.forClock(clock); // first: timings include config parsing and adapter setup
  const env = process.env;
  const started = clock.now();
  const timeoutMs = (context?.function?.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const requestId = context?.requestId ?? `local-${started}-${randomUUID()}`;
  const region = context?.region ?? env.FC_REGION ?? env.ALIBABA_CLOUD_REGION_ID ?? DEFAULT_REGION;
  const credentials = credentialSource(context?.credentials);
  // The dead-letter path gets the whole function timeout, the work stops earlier.
  const hardDeadline = deadlineAt(started + timeoutMs - LAST_WORDS_MS, clock.now);
  const adapters = new Adapters(env, region, credentials, context?.accountId);

  let config: HandlerConfig;
  try {
    config = parseEnv(env);
    // Events must be of this region (core/event.ts) and every host is built from it (cloud/endpoints.ts).
    if (!isRegionId(region)) throw new ConfigError(`the function's region (FC context.region, FC_REGION or ALIBABA_CLOUD_REGION_ID) must be a region id such as cn-hangzhou, got ${shown(region)}`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const tick = tickOf(def, body);
    const ids = tick ? tickIds(tick, requestId) : { eventId: "unknown", name: "unknown" };
    const failed = (): Outcome => ({ outcome: "failed", handler: def.name, ...ids, reason: err.message, actions: [], durationMs: clock.now() - started, timings: timer.snapshot() });
    // A tick carries nothing to keep (the next one is the retry); an event cannot be kept without a queue.
    if (tick) return log(failed());
    if (!env.DEAD_LETTER_QUEUE) throw err;
    // A body too big for one message still needs a place: the marker bucket, when the environment names one.
    const bucketName = env.IDEMPOTENCY_BUCKET?.trim();
    const overflow = bucketName ? { store: adapters.objects(bucketName, DEFAULT_API, hardDeadline), prefix: deadLetterPrefix(env.IDEMPOTENCY_PREFIX?.trim() || OBJECT_PREFIXES.markers) } : undefined;
    const dlq = timer.deadLetter(adapters.deadLetter(env.DEAD_LETTER_QUEUE, DEFAULT_API, hardDeadline, env.ALIBABA_CLOUD_ACCOUNT_ID, overflow));
    await dlq.send({ reason: `failed: ${err.message}`, handler: def.name, requestId, receivedAt: new Date(started).toISOString(), error: { code: "ConfigError", message: err.message }, bodyBase64: bodyBase64(body) });
    return log(failed());
  }

  const workDeadline = deadlineAt(started + timeoutMs - config.deadlineMarginMs, clock.now);
  const bucket = config.idempotency.bucket;
  const outcome = await runInvocation(body, {
    handler: def,
    config,
    cloudApi: new OpenApiCloud({ env, credentials, retry: config.api, deadline: workDeadline, callTimeoutMs: config.api.callTimeoutMs }),
    objects: adapters.objects(bucket, config.api, workDeadline),
    deadLetter: adapters.deadLetter(config.deadLetterQueue, config.api, hardDeadline, config.accountId, {
      store: adapters.objects(bucket, config.api, hardDeadline),
      prefix: deadLetterPrefix(config.idempotency.prefix),
    }),
    clock,
    deadline: workDeadline,
    requestId,
    regionId: region,
    leaseMs: (config.idempotency.leaseSeconds ?? timeoutMs / 1000 + MARKER_LEASE_EXTRA_SECONDS) * 1000,
    // Without ALERT_TOPIC there is no publisher; core/alerts.ts alertSinkFor then says the alert went nowhere.
    topics: config.alertTopic ? adapters.topics(config.api, workDeadline, config.accountId) : undefined,
    timer,
  });
  return log(outcome);
}

/** The OSS and MNS adapters of one invocation: its region, credentials and account. */
class Adapters {
  constructor(
    private readonly env: Record<string, string | undefined>,
    private readonly region: string,
    private readonly credentials: CredentialSource,
    private readonly contextAccountId?: string,
  ) {}

  objects(bucket: string, api: RetryPolicy & { callTimeoutMs: number }, deadline: Deadline): OssObjectStore {
    return new OssObjectStore({ bucket, region: this.region, endpoint: endpointFor("oss", this.region, this.env), credentials: this.credentials, retry: api, deadline, callTimeoutMs: api.callTimeoutMs });
  }

  deadLetter(queue: string, api: RetryPolicy & { callTimeoutMs: number }, deadline: Deadline, accountId: string | undefined, overflow?: { store: OssObjectStore; prefix: string }): MnsDeadLetter {
    return new MnsDeadLetter({ queue, endpoint: this.mns(accountId), credentials: this.credentials, retry: api, deadline, callTimeoutMs: api.callTimeoutMs, overflow });
  }

  topics(api: RetryPolicy & { callTimeoutMs: number }, deadline: Deadline, accountId: string | undefined): MnsTopicPublisher {
    return new MnsTopicPublisher({ endpoint: this.mns(accountId), credentials: this.credentials, retry: api, deadline, callTimeoutMs: api.callTimeoutMs });
  }

  /** The MNS endpoint names the account: FC's context first, then ALIBABA_CLOUD_ACCOUNT_ID. */
  private mns(accountId: string | undefined) {
    return endpointFor("mns", this.region, this.env, this.contextAccountId ?? accountId ?? this.env.ALIBABA_CLOUD_ACCOUNT_ID);
  }
}

/** One line per event: a trigger batch logs each message's outcome, then its own summary. */
function log(outcome: Outcome): Outcome {
  for (const r of outcome.results ?? []) console.log(outcomeLine(r.outcome));
  console.log(outcomeLine(outcome));
  return outcome;
}
