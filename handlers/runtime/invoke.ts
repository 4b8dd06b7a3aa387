// One invocation, start to finish, for an event or a timer tick alike: the
// same timed ports, deadline, outcome and report.
// - Event: decode → dispatch (catalogue) → claim marker → run → report.
//   Nothing is dropped: a malformed or failed event goes to the dead-letter
//   queue; only when that write fails does this throw (FC's onFailure
//   destination, also the DLQ, is the backstop).
// - Tick (the handler's timer, contract/timers.ts): onTimer → report. A failure
//   is reported, not dead-lettered: the next tick is the retry.
import { handlersFor, whyNotRouted } from "../catalogue";
import { TIMERS, type HandlerConfig, type TimerSpec } from "../contract";
import { alertSinkFor } from "../core/alerts";
import { codeOf, messageOf } from "../core/errors";
import { decodeEvent, isTickBody } from "../core/event";
import { CloudGateway } from "../core/gateway";
import type { AlertSink, EventHandler, HandlerResult, RunContext } from "../core/handler";
import { MarkerLedger, type Claim } from "../core/idempotency";
import type { Outcome, OutcomeKind } from "../core/outcome";
import type { Clock, CloudApi, DeadLetter, Deadline, ObjectStore, TopicPublisher } from "../core/ports";
import { InvocationTimer } from "../core/timings";

export interface InvocationDeps {
  handler: EventHandler;
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

export function bodyBase64(body: unknown): string {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return Buffer.from(body).toString("base64");
  if (typeof body === "string") return Buffer.from(body, "utf8").toString("base64");
  return Buffer.from(JSON.stringify(body ?? null) ?? "", "utf8").toString("base64");
}

/** The handler's timer, when `body` is one of its ticks; undefined for an event. */
export function tickOf(handler: EventHandler, body: unknown): TimerSpec | undefined {
  const timer = TIMERS[handler.name];
  return timer && handler.onTimer && isTickBody(body, handler.name) ? timer : undefined;
}

/** The outcome ids of a tick: `<idPrefix>/<request id>` and the timer's name. */
export function tickIds(timer: TimerSpec, requestId: string): { eventId: string; name: string } {
  return { eventId: `${timer.idPrefix}/${requestId}`, name: timer.name };
}

/** A tick of the handler's own timer, else an event. */
export function runInvocation(body: unknown, deps: InvocationDeps): Promise<Outcome> {
  const timer = tickOf(deps.handler, body);
  const invocation = new Invocation(deps);
  return timer ? invocation.tick(timer) : invocation.event(body);
}

class Invocation {
  private readonly timer: InvocationTimer;
  private readonly started: number;
  /** The ports every run sees: each call timed (apiMs), and so is the drain wait (waitMs). */
  private readonly ctx: RunContext;
  private readonly cloudApi: CloudApi;
  private readonly deadLetter: DeadLetter;
  private readonly topics?: TopicPublisher;

  constructor(private readonly deps: InvocationDeps) {
    this.timer = deps.timer ?? InvocationTimer.forClock(deps.clock);
    const clock = this.timer.clock(deps.clock);
    this.ctx = { config: deps.config, clock, deadline: deps.deadline, objects: this.timer.objectStore(deps.objects), requestId: deps.requestId };
    this.cloudApi = this.timer.cloudApi(deps.cloudApi);
    this.deadLetter = this.timer.deadLetter(deps.deadLetter);
    this.topics = deps.topics && this.timer.topicPublisher(deps.topics);
    this.started = clock.now();
  }

  private report(outcome: OutcomeKind, fields: Partial<Outcome>): Outcome {
    return {
      outcome,
      handler: this.deps.handler.name,
      eventId: "unknown",
      name: "unknown",
      actions: [],
      ...fields,
      durationMs: this.ctx.clock.now() - this.started,
      timings: this.timer.snapshot(),
    };
  }

  /** `acted` under DRY_RUN is `dry-run`: nothing was sent. */
  private kindOf(result: HandlerResult): OutcomeKind {
    return result.outcome === "acted" && this.deps.config.dryRun ? "dry-run" : result.outcome;
  }

  private gateway(eventKey: string, regionId: string): CloudGateway {
    return new CloudGateway(this.cloudApi, { dryRun: this.deps.config.dryRun, eventKey, regionId });
  }

  /** ALERT_TOPIC for handlers listing ALERT_APIS (route and RAM follow one list); see alertSinkFor. */
  private alerts(cloud: CloudGateway, origin: { eventId: string; instanceId?: string }): AlertSink {
    const { handler, config } = this.deps;
    return alertSinkFor(handler, config, cloud, this.topics, { handler: handler.name, ...origin }, this.ctx.clock.now);
  }

  async tick(spec: TimerSpec): Promise<Outcome> {
    const ids = tickIds(spec, this.deps.requestId);
    const gateways: CloudGateway[] = [];
    const actions = () => gateways.flatMap((g) => g.actions);
    try {
      const result = await this.deps.handler.onTimer!({
        ...this.ctx,
        regionId: this.deps.regionId,
        tickId: ids.eventId,
        gateway: (eventKey, regionId) => {
          const g = this.gateway(eventKey, regionId);
          gateways.push(g);
          return g;
        },
        alerts: (cloud, origin) => this.alerts(cloud, origin),
      });
      return this.report(this.kindOf(result), { ...ids, reason: result.reason, actions: actions(), warnings: result.warnings?.length ? result.warnings : undefined });
    } catch (err) {
      return this.report("failed", { ...ids, reason: messageOf(err), actions: actions() });
    }
  }

  async event(body: unknown): Promise<Outcome> {
    const { handler, config, requestId } = this.deps;
    const keep = (reason: string, extra: { eventKey?: string; error?: { code?: string; message: string } } = {}) =>
      this.deadLetter.send({ reason, handler: handler.name, requestId, receivedAt: new Date(this.started).toISOString(), bodyBase64: bodyBase64(body), ...extra });

    const intake = decodeEvent(body);
    if (!intake.ok) {
      await keep(`rejected: ${intake.reason}`); // throws if the message cannot be kept
      return this.report("rejected", { reason: intake.reason });
    }
    const event = intake.event;
    const ids = { eventId: event.id ?? event.key, name: event.name, instanceId: event.instanceId };

    const routed = handlersFor(event.entry, event.status, event.content);
    if (!routed.includes(handler.name)) {
      const to = whyNotRouted(event.entry, handler.name, event.status, event.content) ?? (routed.length ? `handled by ${routed.join(", ")}` : "no automation for it");
      return this.report("skipped", { ...ids, reason: `${handler.name} does not act on ${event.name}${event.status ? ` (${event.status})` : ""}: ${to}` });
    }

    const cloud = this.gateway(event.key, event.regionId);
    const warnings: string[] = [];
    const ledger = new MarkerLedger(this.ctx.objects, { prefix: config.idempotency.prefix, handler: handler.name, owner: requestId, leaseMs: this.deps.leaseMs, now: this.ctx.clock.now });
    let claim: Extract<Claim, { owned: true }> | undefined;
    const fail = async (err: unknown): Promise<Outcome> => {
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
      return this.report("failed", { ...ids, reason: error.message, actions: cloud.actions, warnings: warnings.length ? warnings : undefined });
    };

    // Dry runs write nothing, markers included.
    if (handler.destructive && !config.dryRun) {
      try {
        const c = await ledger.claim(event.key);
        if (!c.owned) return this.report("duplicate", { ...ids, reason: c.reason });
        claim = c;
      } catch (err) {
        return fail(err);
      }
    }

    let result: HandlerResult;
    try {
      const alerts = this.alerts(cloud, { eventId: ids.eventId, instanceId: event.instanceId });
      result = await handler.run({ ...this.ctx, event, cloud, alerts });
    } catch (err) {
      return fail(err);
    }
    const outcome = this.kindOf(result);
    warnings.push(...(result.warnings ?? []));
    if (claim) {
      try {
        await ledger.settle(claim, "done", { outcome });
      } catch (err) {
        warnings.push(`could not mark ${claim.objectKey} done (a redelivery after the lease may act again): ${messageOf(err)}`);
      }
    }
    return this.report(outcome, { ...ids, reason: result.reason, actions: cloud.actions, warnings: warnings.length ? warnings : undefined });
  }
}
