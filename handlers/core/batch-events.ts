// The per-event bookkeeping of a handler's batch executor (spot-drain/batch.ts,
// instance-cleanup/batch.ts): each valid event of one trigger batch is routed,
// claimed and settled as the single-event path (runtime/invoke.ts) does it —
// the same journaled marker per event, `duplicate` for one another invocation
// holds (or a second copy in the batch), a failed event in the dead-letter
// queue with its body and its marker `failed`.
import { handlersFor, whyNotRouted, type HandlerName } from "../catalogue";
import { ClaimJournal } from "./claim-journal";
import { codeOf, messageOf } from "./errors";
import { bodyBase64, sha256, type SystemEvent } from "./event";
import { CloudGateway, type RecordedAction } from "./gateway";
import type { BatchInvocation, BatchItem, InvocationPorts } from "./handler";
import { MarkerLedger, type Claim } from "./idempotency";
import type { Outcome, OutcomeKind } from "./outcome";
import { InvocationTimer, type Timings } from "./timings";
import type { Clock, CloudApi, DeadLetter, ObjectStore } from "./ports";
import { forEachLimited } from "./concurrency";

/** Claims, progress and settle writes in flight at once (OSS calls). */
export const MARKER_CONCURRENCY = 16;

/** One event's state through a batch. */
export interface BatchEvent {
  event: SystemEvent;
  body: unknown;
  ids: { eventId: string; name: string; instanceId: string };
  result?: { outcome: OutcomeKind; reason?: string; error?: unknown };
  claim?: Extract<Claim, { owned: true }>;
  ledger?: MarkerLedger;
  warnings: string[];
  actions: RecordedAction[];
}

export function batchEvents(items: readonly BatchItem[]): BatchEvent[] {
  return items.map(({ event, body }) => ({ event, body, ids: { eventId: event.id ?? event.key, name: event.name, instanceId: event.instanceId }, warnings: [], actions: [] }));
}

export const pendingOf = <T extends BatchEvent>(events: readonly T[]): T[] => events.filter((e) => !e.result);

/** Events not routed to `handler` are skipped with the single-event path's reason; a second copy of one event in the batch is a duplicate. */
export function triage(events: readonly BatchEvent[], handler: HandlerName): void {
  const seen = new Set<string>();
  for (const i of events) {
    const { entry, status, content, name } = i.event;
    if (!handlersFor(entry, status, content).includes(handler)) {
      const to = whyNotRouted(entry, handler, status, content) ?? "no automation for it";
      i.result = { outcome: "skipped", reason: `${handler} does not act on ${name}${status ? ` (${status})` : ""}: ${to}` };
    } else if (seen.has(i.event.key)) i.result = { outcome: "duplicate", reason: `event ${i.event.key} appears earlier in the same batch` };
    seen.add(i.event.key);
  }
}

/**
 * One marker per open event, journaled with its body first (the sweeper's way
 * back to it). `objects` is the timed store; the journal's neighbours go to
 * the ports' own. Dry runs claim nothing.
 */
export async function claimEach(events: readonly BatchEvent[], handler: HandlerName, b: Pick<InvocationPorts, "config" | "requestId" | "leaseMs" | "objects">, objects: ObjectStore, now: () => number): Promise<void> {
  const { config, requestId, leaseMs } = b;
  if (config.dryRun) return;
  const journal = new ClaimJournal(objects, config.idempotency.prefix, handler, b.objects);
  await forEachLimited(pendingOf(events), MARKER_CONCURRENCY, async (i) => {
    // A ledger per event: its progress writes are serialised per ledger.
    const ledger = new MarkerLedger(objects, { prefix: config.idempotency.prefix, handler, owner: requestId, leaseMs, now, journal });
    try {
      const c = await ledger.claim(i.event.key, bodyBase64(i.body));
      if (!c.owned) i.result = { outcome: "duplicate", reason: c.reason };
      else Object.assign(i, { claim: c, ledger });
    } catch (err) {
      i.result = { outcome: "failed", reason: messageOf(err), error: err };
    }
  });
}

/** `acted` under DRY_RUN is `dry-run`: nothing was sent. */
export const kindUnder = (dryRun: boolean, kind: OutcomeKind): OutcomeKind => (kind === "acted" && dryRun ? "dry-run" : kind);

/**
 * Keeps each failed event in the dead-letter queue, then settles each claim.
 * Throws only when a failed event could not be kept (its claim released first,
 * so a redelivery takes it over).
 */
export async function settleEach(events: readonly BatchEvent[], handler: HandlerName, o: { deadLetter: DeadLetter; requestId: string; receivedAt: string; dryRun: boolean }): Promise<void> {
  const kept = await forEachLimited(events, MARKER_CONCURRENCY, async (i) => {
    const r = i.result!;
    if (r.outcome === "failed") {
      const error = { code: codeOf(r.error), message: r.reason ?? messageOf(r.error) };
      try {
        await o.deadLetter.send({ reason: `failed: ${error.message}`, handler, requestId: o.requestId, receivedAt: o.receivedAt, bodyBase64: bodyBase64(i.body), eventKey: i.event.key, error });
      } catch (dlqErr) {
        if (i.claim) await i.ledger!.settle(i.claim, "released", { error: error.message }).catch(() => undefined);
        throw new Error(`${handler}: could not keep failed event ${i.ids.eventId} in the dead-letter queue (${messageOf(dlqErr)}); original failure: ${error.message}`);
      }
    }
    if (!i.claim) return;
    const settled = r.outcome === "failed" ? i.ledger!.settle(i.claim, "failed", { error: r.reason }) : i.ledger!.settle(i.claim, "done", { outcome: kindUnder(o.dryRun, r.outcome) });
    await settled.catch((err) => i.warnings.push(`could not mark ${i.claim!.objectKey} ${r.outcome === "failed" ? "failed" : "done"}: ${messageOf(err)}`));
  });
  if (kept.failures.length > 0) throw kept.failures[0].error;
}

/** One event's outcome in a batch: its own result, actions and warnings; the batch's duration, timings and size. */
export function batchOutcome(i: BatchEvent, handler: HandlerName, o: { dryRun: boolean; durationMs: number; timings: Timings; batch: NonNullable<Outcome["batch"]> }): Outcome {
  return {
    outcome: kindUnder(o.dryRun, i.result!.outcome),
    handler,
    ...i.ids,
    reason: i.result!.reason,
    actions: i.actions,
    warnings: i.warnings.length ? i.warnings : undefined,
    durationMs: o.durationMs,
    timings: o.timings,
    batch: o.batch,
  };
}

/**
 * What a batch executor holds for one batch: the invocation's timed ports,
 * each event's state (`state` adds the executor's own fields), the batch's
 * key (the ClientTokens of its shared calls: the same batch redelivered sends
 * the same tokens) and gateways over them.
 */
export class BatchPorts<T extends BatchEvent> {
  protected readonly timer: InvocationTimer;
  protected readonly clock: Clock;
  protected readonly cloudApi: CloudApi;
  protected readonly started: number;
  protected readonly items: T[];
  protected readonly batchKey: string;
  /** The batch's shared reads (describe, discovery). */
  protected readonly readGateway: CloudGateway;
  /** Mutating calls sent, for each outcome's `batch`. */
  protected mutatingCalls = 0;

  constructor(protected readonly b: BatchInvocation, state: (e: BatchEvent) => T) {
    this.timer = b.timer ?? InvocationTimer.forClock(b.clock);
    this.clock = this.timer.clock(b.clock);
    this.cloudApi = this.timer.cloudApi(b.cloudApi);
    this.started = this.clock.now();
    this.items = batchEvents(b.items).map(state);
    this.batchKey = `batch:${sha256(this.items.map((i) => i.event.key).sort().join("\n")).slice(0, 24)}`;
    this.readGateway = this.gateway();
  }

  /** A gateway whose ClientTokens are scoped by `eventKey` (the batch's by default), paced on the invocation's clock and deadline. */
  protected gateway(eventKey: string = this.batchKey): CloudGateway {
    return new CloudGateway(this.cloudApi, { dryRun: this.b.config.dryRun, eventKey, regionId: this.b.regionId, pacing: { clock: this.clock, deadline: this.b.deadline } });
  }
}
