// One invocation, start to finish, for an event or a timer tick alike: the
// same timed ports, deadline, outcome and report.
// - Event: decode → dispatch (catalogue) → claim marker → run → report.
//   Nothing is dropped: a malformed or failed event goes to the dead-letter
//   queue; only when that write fails does this throw (FC's onFailure
//   destination, also the DLQ, is the backstop).
// - Tick (the handler's timer, contract/timers.ts): sweep (destructive handlers:
//   resume claims whose owner died, runtime/sweeper.ts) → onTimer → report. A
//   failure is reported, not dead-lettered: the next tick is the retry.
import { handlersFor, whyNotRouted } from "../catalogue";
import { TIMERS, type HandlerConfig, type TimerSpec } from "../contract";
import { alertSinkFor } from "../core/alerts";
import { codeOf, messageOf } from "../core/errors";
import { ClaimJournal } from "../core/claim-journal";
import { bodyBase64, decodeEvent, isTickBody } from "../core/event";
import { CloudGateway } from "../core/gateway";
import type { AlertSink, EventHandler, HandlerResult, InvocationPorts, RunContext } from "../core/handler";
import { MarkerLedger, type Claim } from "../core/idempotency";
import type { Outcome, OutcomeKind } from "../core/outcome";
import type { Clock, CloudApi, DeadLetter, Deadline, ObjectStore, TopicPublisher } from "../core/ports";
import { InvocationTimer } from "../core/timings";
import { randomUUID } from "node:crypto";
import { ResumableCloud } from "./resumable-cloud";
import { batchKind, runTriggerBatch, triggerBatchOf } from "./trigger-batch";
import { sweepExpiredClaims, sweepSummary, type SweepResult } from "./sweeper";

/** The ports of the invocation (core/handler.ts) and the handler it runs. */
export interface InvocationDeps extends InvocationPorts {
  handler: EventHandler;
}

export { bodyBase64 };

/** The handler's timer, when `body` is one of its ticks; undefined for an event. */
export function tickOf(handler: EventHandler, body: unknown): TimerSpec | undefined {
  const timer = TIMERS[handler.name];
  return timer && (handler.onTimer || handler.destructive) && isTickBody(body, handler.name) ? timer : undefined;
}

/** The outcome ids of a tick: `<idPrefix>/<request id>` and the timer's name. */
export function tickIds(timer: TimerSpec, requestId: string): { eventId: string; name: string } {
  return { eventId: `${timer.idPrefix}/${requestId}`, name: timer.name };
}

/** A tick of the handler's own timer, a queue-trigger batch, else an event. */
export function runInvocation(body: unknown, deps: InvocationDeps): Promise<Outcome> {
  const timer = tickOf(deps.handler, body);
  if (timer) return new Invocation(deps).tick(timer);
  const batch = triggerBatchOf(body);
  return batch ? runBatch(body, batch, deps) : new Invocation(deps).event(body);
}

/** A trigger batch: each message rejected alone or run (runtime/trigger-batch.ts); one outcome carrying every message's. */
async function runBatch(body: unknown, batch: NonNullable<ReturnType<typeof triggerBatchOf>>, deps: InvocationDeps): Promise<Outcome> {
  const { handler, requestId, clock } = deps;
  const timer = deps.timer ?? InvocationTimer.forClock(clock);
  const started = clock.now();
  const receivedAt = new Date(started).toISOString();
  const report = (outcome: OutcomeKind, fields: Partial<Outcome>): Outcome => ({ outcome, handler: handler.name, eventId: `batch/${requestId}`, name: "trigger-batch", actions: [], ...fields, durationMs: clock.now() - started, timings: timer.snapshot() });
  const deadLetter = timer.deadLetter(deps.deadLetter);
  if ("error" in batch) {
    await deadLetter.send({ reason: `rejected: ${batch.error}`, handler: handler.name, requestId, receivedAt, bodyBase64: bodyBase64(body) });
    return report("rejected", { reason: batch.error });
  }
  const runBatchOf = handler.runBatch?.bind(handler);
  const results = await runTriggerBatch(batch.messages, {
    functionRegion: deps.regionId,
    reject: async (m, reason) => {
      await deadLetter.send({ reason: `rejected: ${reason}`, handler: handler.name, requestId, receivedAt, bodyBase64: bodyBase64(m.body) });
      return { outcome: "rejected", handler: handler.name, eventId: m.messageId ?? "unknown", name: "unknown", reason, actions: [], durationMs: 0 };
    },
    single: (messageBody) => new Invocation({ ...deps, requestId: `${requestId}/${randomUUID().slice(0, 8)}`, timer }).event(messageBody),
    batch: runBatchOf && ((items) => runBatchOf({ ...deps, timer, items })),
  });
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome.outcome, (counts.get(r.outcome.outcome) ?? 0) + 1);
  return report(batchKind(results), { reason: `${results.length} message(s): ${[...counts].map(([k, n]) => `${k} ${n}`).join(", ")}`, results });
}

class Invocation {
  private readonly timer: InvocationTimer;
  private readonly started: number;
  /** The ports every run sees: each call timed (apiMs), and so is the drain wait (waitMs). */
  private readonly ctx: RunContext;
  /** Timed; for a claimed event also resumable (resumable-cloud.ts): one Invocation runs one event or tick. */
  private cloudApi: CloudApi;
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
    // Busy retries and ALB job waits sleep on the invocation's clock (counted as waitMs) and stop at its deadline.
    return new CloudGateway(this.cloudApi, { dryRun: this.deps.config.dryRun, eventKey, regionId, pacing: { clock: this.ctx.clock, deadline: this.deps.deadline } });
  }

  /** ALERT_TOPIC for handlers listing ALERT_APIS (route and RAM follow one list); see alertSinkFor. */
  private alerts(cloud: CloudGateway, origin: { eventId: string; instanceId?: string }): AlertSink {
    const { handler, config } = this.deps;
    return alertSinkFor(handler, config, cloud, this.topics, { handler: handler.name, ...origin }, this.ctx.clock.now);
  }

  private ledger(owner: string): MarkerLedger {
    const { config, handler } = this.deps;
    const journal = new ClaimJournal(this.ctx.objects, config.idempotency.prefix, handler.name, this.deps.objects);
    return new MarkerLedger(this.ctx.objects, { prefix: config.idempotency.prefix, handler: handler.name, owner, leaseMs: this.deps.leaseMs, now: this.ctx.clock.now, journal });
  }

  /** Resumes claims whose owner died (destructive handlers; nothing under DRY_RUN, which claims nothing). Never throws: a failed sweep is a warning. */
  private async sweep(): Promise<{ result?: SweepResult; warning?: string }> {
    const { handler, config, requestId } = this.deps;
    if (!handler.destructive || config.dryRun) return {};
    try {
      const result = await sweepExpiredClaims({
        journal: new ClaimJournal(this.ctx.objects, config.idempotency.prefix, handler.name, this.deps.objects),
        ledger: this.ledger(requestId),
        now: this.ctx.clock.now,
        deadline: this.deps.deadline,
        leaseMs: this.deps.leaseMs,
        resume: (body, n) => new Invocation({ ...this.deps, requestId: `${requestId}/resume-${n}`, timer: this.timer }).event(body),
      });
      return { result, warning: result.errors.length ? `sweep: ${result.errors.join("; ")}` : undefined };
    } catch (err) {
      return { warning: `sweep failed (the next tick tries again): ${messageOf(err)}` };
    }
  }

  async tick(spec: TimerSpec): Promise<Outcome> {
    const ids = tickIds(spec, this.deps.requestId);
    const gateways: CloudGateway[] = [];
    const swept = await this.sweep();
    const resumed = swept.result?.resumed ?? [];
    const actions = () => [...resumed.flatMap((r) => r.outcome.actions), ...gateways.flatMap((g) => g.actions)];
    const sweepWarnings = swept.warning ? [swept.warning] : [];
    try {
      // spot-drain and instance-cleanup tick only to sweep; maintenance and expiry have their own timer work too.
      const result: HandlerResult = !this.deps.handler.onTimer ? { outcome: "skipped" } : await this.deps.handler.onTimer({
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
      const kind = resumed.some((r) => r.outcome.outcome === "acted") ? "acted" : this.kindOf(result);
      // A sweep-only tick always says what it looked at; another tick mentions the sweep only when it resumed something.
      const summary = swept.result && (!this.deps.handler.onTimer || resumed.length > 0) ? sweepSummary(swept.result) : undefined;
      const reason = [result.reason, summary].filter(Boolean).join("; ") || undefined;
      const warnings = [...(result.warnings ?? []), ...sweepWarnings];
      return this.report(kind, { ...ids, reason, actions: actions(), warnings: warnings.length ? warnings : undefined });
    } catch (err) {
      return this.report("failed", { ...ids, reason: messageOf(err), actions: actions(), warnings: sweepWarnings.length ? sweepWarnings : undefined });
    }
  }

  async event(body: unknown): Promise<Outcome> {
    const { handler, config, requestId } = this.deps;
    const keep = (reason: string, extra: { eventKey?: string; error?: { code?: string; message: string } } = {}) =>
      this.deadLetter.send({ reason, handler: handler.name, requestId, receivedAt: new Date(this.started).toISOString(), bodyBase64: bodyBase64(body), ...extra });

    const intake = decodeEvent(body, { functionRegion: this.deps.regionId });
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

    const warnings: string[] = [];
    const ledger = this.ledger(requestId);
    let claim: Extract<Claim, { owned: true }> | undefined;
    let resumable: ResumableCloud | undefined;
    let cloud: CloudGateway | undefined;
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
      warnings.push(...(resumable?.warnings() ?? []));
      return this.report("failed", { ...ids, reason: error.message, actions: cloud?.actions ?? [], warnings: warnings.length ? warnings : undefined });
    };

    // Dry runs write nothing, markers included.
    if (handler.destructive && !config.dryRun) {
      try {
        // Journaled first with the body, so the sweeper can finish it if this invocation dies.
        const c = await ledger.claim(event.key, bodyBase64(body));
        if (!c.owned) return this.report("duplicate", { ...ids, reason: c.reason });
        claim = c;
        this.cloudApi = resumable = new ResumableCloud(this.cloudApi, ledger, c);
      } catch (err) {
        return fail(err);
      }
    }
    cloud = this.gateway(event.key, event.regionId);
    const eventCloud = cloud;

    let result: HandlerResult;
    try {
      const alerts = this.alerts(eventCloud, { eventId: ids.eventId, instanceId: event.instanceId });
      result = await handler.run({ ...this.ctx, event, cloud: eventCloud, alerts, weightZero: () => void this.timer.weightZero() });
    } catch (err) {
      return fail(err);
    }
    const outcome = this.kindOf(result);
    warnings.push(...(result.warnings ?? []), ...(resumable?.warnings() ?? []));
    if (claim) {
      try {
        await ledger.settle(claim, "done", { outcome });
      } catch (err) {
        warnings.push(`could not mark ${claim.objectKey} done (a redelivery after the lease may act again): ${messageOf(err)}`);
      }
    }
    return this.report(outcome, { ...ids, reason: result.reason, actions: eventCloud.actions, warnings: warnings.length ? warnings : undefined });
  }
}
