// One invocation, start to finish: decode → dispatch → claim → run → report.
// Nothing is dropped: a malformed or failed event goes to the dead-letter
// queue; only when that write fails does this throw (FC's onFailure
// destination, also the DLQ, is the backstop).
import { handlersFor } from "../catalogue";
import type { Deadline } from "../cloud/retry";
import { alertSinkFor } from "./alerts";
import type { HandlerConfig } from "../contract";
import { decodeEvent, type SystemEvent } from "./event";
import { CloudGateway } from "./gateway";
import type { AlertSink, EventHandler, HandlerResult } from "./handler";
import { MarkerLedger, type Claim } from "./idempotency";
import type { Outcome, OutcomeKind } from "./outcome";
import type { Clock, CloudApi, DeadLetter, ObjectStore, TopicPublisher } from "./ports";
import { InvocationTimer } from "./timings";

export interface InvocationDeps {
  handler: EventHandler;
  config: HandlerConfig;
  cloudApi: CloudApi;
  markerStore: ObjectStore;
  deadLetter: DeadLetter;
  clock: Clock;
  deadline: Deadline;
  requestId: string;
  /** Marker lease: longer than the function timeout (see idempotency.ts). */
  leaseMs: number;
  /** MNS topics, for CRITICAL alerts to config.alertTopic. */
  topics?: TopicPublisher;
  /** Test seam; defaults to the ALERT_TOPIC sink for handlers listing ALERT_APIS (core/alerts.ts alertSinkFor). */
  alerts?: (cloud: CloudGateway, event: SystemEvent) => AlertSink;
  /** Started by the caller to include its own setup (fc-entry: config, adapters); else started here. */
  timer?: InvocationTimer;
}

export function bodyBase64(body: unknown): string {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return Buffer.from(body).toString("base64");
  if (typeof body === "string") return Buffer.from(body, "utf8").toString("base64");
  return Buffer.from(JSON.stringify(body ?? null) ?? "", "utf8").toString("base64");
}

export async function runInvocation(body: unknown, deps: InvocationDeps): Promise<Outcome> {
  const { handler, config } = deps;
  const timer = deps.timer ?? InvocationTimer.forClock(deps.clock);
  // Every port call is timed (apiMs), and so is the drain wait (waitMs).
  const clock = timer.clock(deps.clock);
  const cloudApi = timer.cloudApi(deps.cloudApi);
  const markerStore = timer.objectStore(deps.markerStore);
  const deadLetter = timer.deadLetter(deps.deadLetter);
  const topics = deps.topics && timer.topicPublisher(deps.topics);
  const started = clock.now();
  const report = (outcome: OutcomeKind, fields: Partial<Outcome>): Outcome => ({
    outcome,
    handler: handler.name,
    eventId: "unknown",
    name: "unknown",
    actions: [],
    ...fields,
    durationMs: clock.now() - started,
    timings: timer.snapshot(),
  });
  const keep = (reason: string, extra: { eventKey?: string; error?: { code?: string; message: string } } = {}) =>
    deadLetter.send({ reason, handler: handler.name, requestId: deps.requestId, receivedAt: new Date(started).toISOString(), bodyBase64: bodyBase64(body), ...extra });

  const intake = decodeEvent(body);
  if (!intake.ok) {
    await keep(`rejected: ${intake.reason}`); // throws if the message cannot be kept
    return report("rejected", { reason: intake.reason });
  }
  const event = intake.event;
  const ids = { eventId: event.id ?? event.key, name: event.name, instanceId: event.instanceId };

  const routed = handlersFor(event.entry, event.status, event.content);
  if (!routed.includes(handler.name)) {
    const to = routed.length ? `handled by ${routed.join(", ")}` : "no automation for it";
    return report("skipped", { ...ids, reason: `${handler.name} does not act on ${event.name}${event.status ? ` (${event.status})` : ""}: ${to}` });
  }

  const cloud = new CloudGateway(cloudApi, { dryRun: config.dryRun, eventKey: event.key, regionId: event.regionId });
  const warnings: string[] = [];
  const ledger = new MarkerLedger(markerStore, { prefix: config.idempotency.prefix, handler: handler.name, owner: deps.requestId, leaseMs: deps.leaseMs, now: clock.now });
  let claim: Extract<Claim, { owned: true }> | undefined;
  // Dry runs write nothing, markers included.
  if (handler.destructive && !config.dryRun) {
    try {
      const c = await ledger.claim(event.key);
      if (!c.owned) return report("duplicate", { ...ids, reason: c.reason });
      claim = c;
    } catch (err) {
      return fail(err);
    }
  }

  let result: HandlerResult;
  try {
    const alerts = (deps.alerts ?? defaultAlerts)(cloud, event);
    result = await handler.run({ event, cloud, alerts, clock, config, deadline: deps.deadline });
  } catch (err) {
    return fail(err);
  }
  const outcome: OutcomeKind = result.outcome === "acted" && config.dryRun ? "dry-run" : result.outcome;
  warnings.push(...(result.warnings ?? []));
  if (claim) {
    try {
      await ledger.settle(claim, "done", { outcome });
    } catch (err) {
      warnings.push(`could not mark ${claim.objectKey} done (a redelivery after the lease may act again): ${messageOf(err)}`);
    }
  }
  return report(outcome, { ...ids, reason: result.reason, actions: cloud.actions, warnings: warnings.length ? warnings : undefined });

  /** ALERT_TOPIC for handlers listing ALERT_APIS (route and RAM follow one list); see alertSinkFor. */
  function defaultAlerts(gateway: CloudGateway, e: SystemEvent): AlertSink {
    return alertSinkFor(handler, config, gateway, topics, { handler: handler.name, eventId: e.id ?? e.key, instanceId: e.instanceId }, clock.now);
  }

  async function fail(err: unknown): Promise<Outcome> {
    const error = { code: codeOf(err), message: messageOf(err) };
    try {
      await keep(`failed: ${error.message}`, { eventKey: event.key, error });
    } catch (dlqErr) {
      // Let a retry take the event over instead of seeing it as in progress.
      if (claim) await ledger.settle(claim, "released", { error: error.message }).catch(() => undefined);
      throw new Error(`${handler.name}: could not keep failed event ${ids.eventId} in the dead-letter queue (${messageOf(dlqErr)}); original failure: ${error.message}`);
    }
    if (claim) {
      await ledger.settle(claim, "failed", { error: error.message }).catch((e) => warnings.push(`could not mark ${claim?.objectKey} failed: ${messageOf(e)}`));
    }
    return report("failed", { ...ids, reason: error.message, actions: cloud.actions, warnings: warnings.length ? warnings : undefined });
  }
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : JSON.stringify(err);
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}
