// The local twin of the event path: the fake cloud emits CMS events as the
// platform would; each is routed through the stack's declared rules (the
// routing model over the plan graph) to its queues (the fake's MNS). A queue
// the stack's FC queue trigger reads is taken off by a local QueueTrigger with
// the declared window, retry strategy and dead-letter queue, which invokes the
// bundled handler with the CloudEvent batch, the way FC runs it; a rule's own
// FC target (fcParameters, still possible in other stacks) invokes it
// directly. Everything runs against the fake's APIs on the fake's virtual
// clock: every setTimeout (drain waits, back-offs, the triggers' windows) and
// Date.now of the process follow it (tools/virtual-timers.ts).
import { randomUUID } from "node:crypto";
import { FINAL_STATUSES, type HandlerName } from "../../handlers/catalogue";
import type { Outcome } from "../../handlers/core/outcome";
import { endpointEnv, FakeClock, QueueTrigger, RETRY_STRATEGIES, startFakeCloud, type CmsSystemEvent, type FakeCloud, type MnsCloudEvent, type PushRetryStrategy } from "../../local-cloud";
import type { CmsEvent } from "../routing/events";
import type { DeclaredQueueTrigger } from "../routing/queue-triggers";
import { handlerOfFunction, route, type Routing } from "../routing/route";
import { VirtualTimers } from "../virtual-timers";
import { loadBundledHandler, type FcHandler } from "./bundles";
import { mentionIndex, messageText } from "./inspect";
import type { DeclaredStores, Deployment, DrillStack } from "./stack";
import { wallNow } from "./virtual-time";

/** Where an invocation's event came from: a queue-trigger batch (its queue, its number on that trigger, its size). */
export interface BatchRef {
  queue: string;
  seq: number;
  size: number;
}

export type TimelineEntry =
  /** `resourceId`: the instance (or disk, snapshot) the event is about. `invoked`: the handlers it reaches. */
  | { kind: "event"; at: number; event: CmsEvent; resourceId: string; routing: Routing; invoked: HandlerName[] }
  /**
   * One event's outcome. `resourceIds`: the drilled resources it was about (its event's, or those a timer run's
   * outcome names). `batch`: the queue-trigger batch it came in (absent: a direct or timer invocation).
   * `wallMs`: the whole invocation's wall time.
   */
  | { kind: "handler"; at: number; handler: HandlerName; trigger: "event" | "timer"; eventName: string; resourceIds: string[]; outcome: Outcome; wallMs: number; redelivery?: boolean; batch?: BatchRef }
  /** `instanceIds`: the resources the note is about (absent: about the whole drill). */
  | { kind: "note"; at: number; text: string; instanceIds?: string[] };

/** One event handed to a handler: a message on a queue a trigger reads, or a direct invocation (a rule's own FC target). */
export interface Delivery {
  /** The MNS message id, or `direct:<n>`. */
  id: string;
  /** The handlers the event is meant for (a queue read by two triggers gives each message to one of them). */
  handlers: HandlerName[];
  queue?: string;
  resourceId: string;
  eventName: string;
  /** A second copy of an event already delivered (CMS and MNS deliver at least once). */
  redelivery: boolean;
  /** Outcomes reported for it (a batch retried after its invocation threw may answer again). */
  outcomes: number;
}

/** A function invocation by a queue trigger. */
export interface BatchRecord extends BatchRef {
  handler: HandlerName;
  at: number;
  messageIds: string[];
  /** Virtual time the invocation returned or threw. */
  endedAt?: number;
  /** Wall time of the invocation, once it returned or threw. */
  wallMs?: number;
  /** Why the invocation threw (the trigger then retries the batch, and dead-letters it after its retries). */
  threw?: string;
}

/** What became of the deliveries: `lost` got no outcome and is neither on its queue nor in a dead-letter queue. */
export interface DeliveryCounts {
  sent: number;
  answered: number;
  waiting: number;
  deadLettered: number;
  lost: number;
}

export interface TwinOptions {
  stack: DrillStack;
  /** Virtual start (epoch ms). */
  start: number;
  /** Function invocations in flight at once (FC instances). */
  concurrency?: number;
  /** Env overrides for every handler. */
  envOverrides?: Record<string, string>;
  /** Deliver this fraction of events twice: a second message on the queue (or a second direct invocation). */
  redeliverFraction?: number;
  /** Seeded randomness for redeliveries and the triggers' retry waits. */
  random?: () => number;
  /** Only route events about these instances (others' events are the platform's business). */
  onlyInstances?: Set<string>;
}

/**
 * When a redelivered copy arrives after the original: within this many ms, at
 * random, so a copy lands in the original's batch or, mostly, a later one.
 * An assumption: CMS and MNS say "at least once", not how much later.
 */
export const REDELIVERY_SPREAD_MS = 30_000;

/** A declared queue trigger run by the twin, for a handler the stack deploys. */
interface TwinTrigger {
  declared: DeclaredQueueTrigger;
  handler: HandlerName;
  trigger: QueueTrigger;
  seq: number;
}

export class Twin {
  readonly timeline: TimelineEntry[] = [];
  readonly fake: FakeCloud;
  readonly clock: FakeClock;
  /** Tags of instances seen, kept after release (a released instance's tags are no longer describable). */
  readonly tags = new Map<string, Record<string, string>>();
  /** Every event handed to a handler, by message id (or `direct:<n>`). */
  readonly deliveries = new Map<string, Delivery>();
  /** Every queue-trigger invocation, in start order. */
  readonly batches: BatchRecord[] = [];
  /** Direct (event) invocations started and finished. */
  readonly direct = { started: 0, finished: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private readonly triggers: TwinTrigger[] = [];
  private timers?: VirtualTimers;
  private restoreLog?: () => void;
  private savedEnv?: Record<string, string | undefined>;
  private unsubscribe?: () => void;
  private readonly handlers = new Map<HandlerName, FcHandler>();
  private directSeq = 0;

  private constructor(
    readonly o: TwinOptions,
    fake: FakeCloud,
    clock: FakeClock,
  ) {
    this.fake = fake;
    this.clock = clock;
    this.oosTriggers = oosEventTriggers(o.stack.declared.oosTemplates);
  }

  static async start(o: TwinOptions): Promise<Twin> {
    const clock = new FakeClock(o.start);
    // Nothing is created on first use, as in the account: the twin creates what the stack declares.
    const fake = await startFakeCloud({ clock, accountId: o.stack.accountId, defaultRegion: o.stack.region, mnsAutoCreateQueues: false, ossAutoCreateBuckets: false, mnsAutoCreateTopics: false });
    provision(fake, o.stack.declared);
    const twin = new Twin(o, fake, clock);
    twin.timers = new VirtualTimers(clock, () => fake.nextScheduledAt()).install();
    // Handlers log one outcome line each; the drill reports outcomes itself.
    const log = console.log;
    console.log = () => undefined;
    twin.restoreLog = () => {
      console.log = log;
    };
    const env = twin.handlerEnv();
    twin.savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    twin.startTriggers();
    twin.unsubscribe = fake.onSystemEvent((e) => twin.deliver(e));
    return twin;
  }

  /** One environment for every handler: the shared contract, pointed at the fake. */
  handlerEnv(): Record<string, string> {
    const deployments = [...this.o.stack.deployments.values()];
    const base = Object.assign({}, ...deployments.map((d) => d.env)) as Record<string, string>;
    return { ...base, ...endpointEnv(this.fake), ALIBABA_CLOUD_REGION_ID: this.o.stack.region, ...this.o.envOverrides };
  }

  note(text: string, instanceIds?: string[]): void {
    this.timeline.push({ kind: "note", at: this.clock.now(), text, ...(instanceIds ? { instanceIds } : {}) });
  }

  private get random(): () => number {
    return this.o.random ?? Math.random;
  }

  /**
   * A local QueueTrigger for every declared queue trigger of a deployed
   * handler. One batch at a time per trigger: the trigger invokes
   * synchronously (asyncInvocationType false), and a synchronous MNS trigger
   * "waits for the function's return before delivering the next event or
   * batch" (FC doc "Simple Message Queue (formerly MNS) queue triggers",
   * invocation methods); DeliveryOption.concurrency applies to Kafka sources
   * only (SDK fc-20230330 DeliveryOption).
   */
  private startTriggers(): void {
    const declaredQueues = new Set(this.o.stack.declared.queues.map((q) => q.name));
    for (const t of this.o.stack.model.queueTriggers) {
      const handler = handlerOfFunction(t.functionName);
      if (!t.enabled || !handler || this.o.stack.deployments.get(handler)?.deployed !== true) continue;
      const where = `queue trigger ${t.resource} of ${t.functionName}`;
      if (!declaredQueues.has(t.queue)) {
        this.problem(`${where} reads queue ${t.queue}, which the stack does not declare`, []);
        continue;
      }
      if (!t.window) {
        this.problem(`${where} declares no runOptions.batchWindow: the twin cannot tell its batches (FC documents no default)`, []);
        continue;
      }
      if (!this.handlerFor(handler)) {
        this.note(`${handler}: no bundle at dist/handlers/${handler}.zip (npm run bundle); its queue ${t.queue} is not read`);
        continue;
      }
      const retryStrategy = t.retryStrategy ?? "BACKOFF_RETRY";
      if (!(retryStrategy in RETRY_STRATEGIES)) this.problem(`${where}: retry strategy ${retryStrategy} is not one of ${Object.keys(RETRY_STRATEGIES).join(", ")}`, []);
      if (t.deadLetterQueue && !declaredQueues.has(t.deadLetterQueue)) this.problem(`${where}: its dead-letter queue ${t.deadLetterQueue} is not declared, so a batch whose retries are spent is discarded`, []);
      if (t.errorsTolerance !== "ALL") this.note(`${where}: errorsTolerance ${t.errorsTolerance ?? "(none)"}; the twin runs it as ALL (a failed batch is dead-lettered and the stream goes on)`);
      if (t.asyncInvocation) this.note(`${where}: asynchronous invocation; the twin invokes synchronously (the trigger learns each batch's result)`);
      const run: TwinTrigger = { declared: t, handler, seq: 0, trigger: undefined as unknown as QueueTrigger };
      run.trigger = new QueueTrigger(
        this.fake,
        {
          queue: t.queue,
          countBasedWindow: t.window.countBasedWindow,
          timeBasedWindowSeconds: t.window.timeBasedWindowSeconds,
          retryStrategy: retryStrategy in RETRY_STRATEGIES ? (retryStrategy as PushRetryStrategy) : "BACKOFF_RETRY",
          deadLetterQueue: t.deadLetterQueue && declaredQueues.has(t.deadLetterQueue) ? t.deadLetterQueue : undefined,
          isBase64Decode: t.isBase64Decode,
          invoke: (events) => this.invokeBatch(run, events),
        },
        this.random,
      );
      this.triggers.push(run);
    }
  }

  /** Queues the twin's triggers read. */
  get triggeredQueues(): Set<string> {
    return new Set(this.triggers.map((t) => t.declared.queue));
  }

  /** The trigger dead-letter queues. */
  get triggerDeadLetterQueues(): string[] {
    return [...new Set(this.triggers.flatMap((t) => (t.declared.deadLetterQueue ? [t.declared.deadLetterQueue] : [])))];
  }

  /** Routes one emitted event: its messages to the queues of the firing rules, direct invocations to the rules' own function targets. */
  deliver(e: CmsSystemEvent): void {
    const event = e as unknown as CmsEvent;
    const resourceId = eventResourceId(event);
    if (this.o.onlyInstances && !this.o.onlyInstances.has(resourceId)) return;
    const live = this.fake.state.getInstance(resourceId);
    if (live) this.tags.set(resourceId, Object.fromEntries(live.Tags.map((t) => [t.TagKey, t.TagValue])));
    const tags = this.tags.get(resourceId) ?? {};
    const routing = route(this.o.stack.model, event, tags);
    const deployments = this.o.stack.deployments;
    const invoked = [...routing.handlers, ...routing.unreached.filter((h) => deployments.get(h)?.deployed === false)].filter((h) => deployments.has(h));
    this.timeline.push({ kind: "event", at: this.clock.now(), event, resourceId, routing, invoked });
    for (const h of routing.unreached.filter((h) => deployments.get(h)?.deployed === true)) {
      this.problem(`${event.name}: the catalogue routes it to ${h}, whose function ${deployments.get(h)!.functionName} the stack deploys, but it reaches that function neither from a rule nor through a queue trigger`, [resourceId]);
    }
    const body = JSON.stringify(event);
    const redeliver = () => (this.o.redeliverFraction ?? 0) > 0 && this.random() < this.o.redeliverFraction!;

    for (const queue of routing.queues) {
      // A rule targeting a queue the stack does not declare reaches nothing (MNS answers QueueNotExist).
      if (!this.fake.state.getQueue(queue)) {
        this.problem(`${event.name}: a rule targets queue ${queue}, which the stack does not declare`, [resourceId]);
        continue;
      }
      const readers = routing.viaQueue.filter((h) => h.queue === queue).flatMap((h) => handlerOfFunction(h.function) ?? []).filter((h) => deployments.get(h)?.deployed === true);
      const send = (redelivery: boolean) => {
        const m = this.fake.mns.send(queue, body);
        if (readers.length > 0) this.deliveries.set(m.MessageId, { id: m.MessageId, handlers: readers, queue, resourceId, eventName: event.name, redelivery, outcomes: 0 });
      };
      send(false);
      // A queue delivers at least once: the copy is a second message, a little later.
      if (readers.length > 0 && redeliver()) this.fake.after(Math.floor(this.random() * REDELIVERY_SPREAD_MS), () => send(true));
    }

    for (const t of this.oosTriggers.filter((t) => t.names.includes(event.name) && t.tags.every(({ key, value }) => tags[key] === value))) {
      this.note(`OOS template ${t.template} is triggered by ${event.name} (the twin does not run OOS templates)`, [resourceId]);
    }

    // A rule's own function target (CloudMonitor's FC target), and handlers the stack does not deploy (--include-undeployed).
    const firing = new Set(routing.rules);
    const targeted = new Set(this.o.stack.model.rules.filter((r) => firing.has(r.ruleName)).flatMap((r) => r.functions));
    for (const h of invoked.filter((h) => deployments.get(h)!.deployed === false || targeted.has(deployments.get(h)!.functionName))) {
      this.invokeDirect(h, body, event.name, resourceId);
      if (redeliver()) this.invokeDirect(h, body, event.name, resourceId, true);
    }
  }

  /** What went wrong outside any handler (routing to something undeclared, ...); no instance ids: about the whole drill. */
  readonly problems: { text: string; instanceIds: string[] }[] = [];
  problem(text: string, instanceIds: string[]): void {
    this.problems.push({ text, instanceIds });
    this.note(`PROBLEM: ${text}`, instanceIds.length ? instanceIds : undefined);
  }

  private readonly oosTriggers: OosEventTrigger[];

  /** Runs `run` once virtual time reaches `at` (platform emissions the fake does not model), in time order with the fake's own work. */
  schedule(at: number, run: () => void): void {
    this.fake.after(Math.max(0, at - this.clock.now()), run);
  }

  private readonly timerDue = new Map<HandlerName, number>();

  /**
   * Fires the timers that came due since the last call, once each (a timer
   * faster than the drill's step is coalesced to one run per step).
   */
  tickTimers(): void {
    const now = this.clock.now();
    for (const d of this.o.stack.deployments.values()) {
      if (d.timerPayload === undefined || !d.timerSchedule) continue;
      const sched = d.timerSchedule;
      const next = (from: number) => ("everyMs" in sched ? from + sched.everyMs : nextDaily(from, sched.dailyAtMs));
      const due = this.timerDue.get(d.handler) ?? next(this.o.start);
      if (now < due) continue;
      let following = due;
      while (following <= now) following = next(following);
      this.timerDue.set(d.handler, following);
      this.invokeTimer(d.handler, JSON.stringify(d.timerPayload));
    }
  }

  private handlerFor(name: HandlerName): FcHandler | undefined {
    let h = this.handlers.get(name);
    if (!h) {
      h = loadBundledHandler(name);
      if (h) this.handlers.set(name, h);
    }
    return h;
  }

  private context(name: HandlerName): unknown {
    const d = this.o.stack.deployments.get(name) as Deployment;
    return { requestId: randomUUID(), function: { name: d.functionName, timeout: d.timeoutSeconds }, region: this.o.stack.region, accountId: this.fake.state.accountId };
  }

  /** Runs `work` in an FC instance slot, tracked until it ends. */
  private track(work: () => Promise<void>): void {
    const p = (async () => {
      await this.slot();
      try {
        await work();
      } finally {
        this.release();
      }
    })();
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private invokeDirect(name: HandlerName, body: string, eventName: string, resourceId: string, redelivery = false): void {
    const fn = this.handlerFor(name);
    if (!fn) {
      this.note(`${name}: no bundle at dist/handlers/${name}.zip (npm run bundle); the event is not handled`);
      return;
    }
    const id = `direct:${++this.directSeq}`;
    const delivery: Delivery = { id, handlers: [name], resourceId, eventName, redelivery, outcomes: 0 };
    this.deliveries.set(id, delivery);
    const at = this.clock.now();
    this.direct.started++;
    this.track(async () => {
      const { outcome, wallMs } = await this.runHandler(fn, name, body, eventName, " (FC would retry, then the onFailure destination)");
      delivery.outcomes++;
      this.direct.finished++;
      this.timeline.push({ kind: "handler", at, handler: name, trigger: "event", eventName, resourceIds: [resourceId], outcome, wallMs, ...(redelivery ? { redelivery } : {}) });
    });
  }

  private invokeTimer(name: HandlerName, body: string): void {
    const fn = this.handlerFor(name);
    if (!fn) return;
    const at = this.clock.now();
    this.track(async () => {
      const { outcome, wallMs } = await this.runHandler(fn, name, body, "timer", "");
      if (outcome.outcome === "skipped") return; // idle ticks are noise
      const resourceIds = [...mentionIndex(this.tags.keys())(JSON.stringify(outcome))];
      this.timeline.push({ kind: "handler", at, handler: name, trigger: "timer", eventName: "timer", resourceIds, outcome, wallMs });
    });
  }

  /** Invokes the bundled handler once; a throw becomes a `failed` outcome (`next`: what FC does then). */
  private async runHandler(fn: FcHandler, name: HandlerName, body: string, eventName: string, next: string): Promise<{ outcome: Outcome; wallMs: number }> {
    const t0 = wallNow();
    try {
      return { outcome: await fn(Buffer.from(body), this.context(name)), wallMs: wallNow() - t0 };
    } catch (err) {
      const outcome: Outcome = { outcome: "failed", handler: name, eventId: "unknown", name: eventName, reason: `invocation threw${next}: ${(err as Error).message}`, actions: [], durationMs: 0 };
      return { outcome, wallMs: wallNow() - t0 };
    }
  }

  /**
   * One queue-trigger invocation: the bundled handler with the CloudEvent
   * array, each message's outcome (the runtime answers them in `results`,
   * handlers/runtime/trigger-batch.ts) put on the timeline. A throw is passed
   * on: the trigger retries the batch, then dead-letters it.
   */
  private invokeBatch(t: TwinTrigger, events: MnsCloudEvent[]): Promise<Outcome> {
    const fn = this.handlerFor(t.handler)!;
    const batch: BatchRecord = { handler: t.handler, queue: t.declared.queue, seq: ++t.seq, size: events.length, at: this.clock.now(), messageIds: events.map((e) => e.data.messageId) };
    this.batches.push(batch);
    return new Promise<Outcome>((resolve, reject) => {
      this.track(async () => {
        const t0 = wallNow();
        try {
          const outcome = await fn(Buffer.from(JSON.stringify(events)), this.context(t.handler));
          batch.wallMs = wallNow() - t0;
          batch.endedAt = this.clock.now();
          this.recordBatch(t, batch, events, outcome);
          resolve(outcome);
        } catch (err) {
          batch.wallMs = wallNow() - t0;
          batch.endedAt = this.clock.now();
          batch.threw = (err as Error).message;
          const ids = [...new Set(events.flatMap((e) => this.deliveries.get(e.data.messageId)?.resourceId ?? []))];
          this.note(`${t.handler}: batch ${batch.seq} of ${events.length} message(s) from ${batch.queue} threw (the trigger retries it, then dead-letters it): ${batch.threw}`, ids);
          reject(err);
        }
      });
    });
  }

  private recordBatch(t: TwinTrigger, batch: BatchRecord, events: MnsCloudEvent[], outcome: Outcome): void {
    // Without `results` (the batch as a whole was rejected), the one outcome is every message's.
    const results = outcome.results ?? events.map((_, index) => ({ index, messageId: undefined, outcome }));
    const ref: BatchRef = { queue: batch.queue, seq: batch.seq, size: batch.size };
    for (const r of results) {
      const messageId = r.messageId ?? events[r.index]?.data.messageId;
      const delivery = messageId ? this.deliveries.get(messageId) : undefined;
      if (delivery) delivery.outcomes++;
      const resourceIds = delivery ? [delivery.resourceId] : [...mentionIndex(this.tags.keys())(messageText(events[r.index]?.data.messageBody ?? ""))];
      const eventName = delivery?.eventName ?? r.outcome.name;
      this.timeline.push({ kind: "handler", at: batch.at, handler: t.handler, trigger: "event", eventName, resourceIds, outcome: r.outcome, wallMs: batch.wallMs ?? 0, ...(delivery?.redelivery ? { redelivery: true } : {}), batch: ref });
    }
  }

  /** What became of the deliveries about `ids` (all of them without ids). */
  deliveryCounts(ids?: Set<string>): DeliveryCounts {
    const onQueue = new Set<string>();
    for (const q of this.triggeredQueues) for (const m of this.fake.state.getQueue(q)?.Messages ?? []) onQueue.add(m.MessageId);
    const dead = new Set<string>();
    for (const q of this.triggerDeadLetterQueues) {
      for (const m of this.fake.state.getQueue(q)?.Messages ?? []) {
        const id = deadLetteredMessageId(m.MessageBody);
        if (id) dead.add(id);
      }
    }
    const c: DeliveryCounts = { sent: 0, answered: 0, waiting: 0, deadLettered: 0, lost: 0 };
    for (const d of this.deliveries.values()) {
      if (ids && !ids.has(d.resourceId)) continue;
      c.sent++;
      if (d.outcomes > 0) c.answered++;
      else if (onQueue.has(d.id)) c.waiting++;
      else if (dead.has(d.id)) c.deadLettered++;
      else c.lost++;
    }
    return c;
  }

  /** Queue-trigger invocations that carried a message about `ids` (all of them without ids). */
  batchesFor(ids?: Set<string>): BatchRecord[] {
    if (!ids) return [...this.batches];
    return this.batches.filter((b) => b.messageIds.some((m) => ids.has(this.deliveries.get(m)?.resourceId ?? "")));
  }

  private slot(): Promise<void> {
    if (this.running < (this.o.concurrency ?? 64)) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  /** Nothing in flight, nothing waiting on a trigger's queue, nothing for a trigger to retry. */
  get idle(): boolean {
    return this.inFlight.size === 0 && this.triggers.every((t) => t.trigger.idle);
  }

  /**
   * Lets virtual time run until the twin is idle (invocations may cause
   * events, which cause invocations; a batch waits for its window), or until
   * `until` (virtual epoch ms).
   */
  async settle(until = Infinity): Promise<void> {
    await this.timers!.run(() => this.idle, until);
  }

  /**
   * Moves virtual time to `until` in steps of `stepMs`: within a step every
   * wait, window and scheduled emission runs at its own moment; at each step's
   * end the function timers fire. Stops early when `done()` says so.
   */
  async runUntil(until: number, stepMs: number, done: () => boolean, beforeStep?: () => Promise<void> | void): Promise<void> {
    await this.settle(until);
    while (!done() && this.clock.now() < until) {
      await beforeStep?.();
      if (done()) break;
      const stepEnd = Math.min(this.clock.now() + stepMs, until);
      await this.timers!.run(() => false, stepEnd);
      if (this.clock.now() < stepEnd) this.clock.advance(stepEnd - this.clock.now());
      this.tickTimers();
      await this.timers!.run(() => false, this.clock.now());
    }
  }

  eventStatus(eventId: string): string | undefined {
    return this.fake.state.events.get(eventId)?.Status;
  }

  isFinal(eventId: string): boolean {
    const s = this.eventStatus(eventId);
    return s !== undefined && (FINAL_STATUSES as readonly string[]).includes(s);
  }

  async close(): Promise<void> {
    await this.settle();
    for (const t of this.triggers) t.trigger.stop();
    this.unsubscribe?.();
    this.timers?.uninstall();
    this.restoreLog?.();
    for (const [k, v] of Object.entries(this.savedEnv ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await this.fake.close();
  }
}

/** The message id a trigger's dead letter is about: the dead-lettered CloudEvent's data.messageId (local-cloud/queue-trigger.ts sends the event as JSON). */
function deadLetteredMessageId(body: string): string | undefined {
  try {
    const id = (JSON.parse(messageText(body)) as { data?: { messageId?: unknown } }).data?.messageId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

function nextDaily(after: number, atMs: number): number {
  const day = 86_400_000;
  const candidate = Math.floor(after / day) * day + atMs;
  return candidate > after ? candidate : candidate + day;
}

/** The resource an event is about: `content.instanceId`, a StateChange's `resourceId`, else the ARN's last segment (a disk, a snapshot). */
export function eventResourceId(event: CmsEvent): string {
  const content = (typeof event.content === "object" ? event.content : {}) as Record<string, unknown>;
  return String(content.instanceId ?? content.resourceId ?? String(event.resourceId).split("/").pop());
}

/** Creates in the fake what the stack declares: its queues, topics and buckets. */
export function provision(fake: FakeCloud, declared: DeclaredStores): void {
  for (const q of declared.queues) fake.state.addQueue(q.name, q.visibilityTimeoutSeconds === undefined ? {} : { VisibilityTimeout: q.visibilityTimeoutSeconds });
  for (const t of declared.topics) fake.state.addTopic(t.name);
  for (const b of declared.buckets) if (!fake.state.buckets.has(b)) fake.state.buckets.set(b, new Map());
}

export interface OosEventTrigger {
  template: string;
  names: string[];
  tags: { key: string; value: string }[];
}

/**
 * The `ACS::EventTrigger` tasks of the declared OOS templates (OOS template
 * syntax: Properties.Name, Properties.Tags), so a drill can say which event
 * would start which template. A template that does not parse triggers nothing.
 */
export function oosEventTriggers(templates: DeclaredStores["oosTemplates"]): OosEventTrigger[] {
  return templates.flatMap(({ name, content }) => {
    let doc: { Tasks?: { Action?: string; Properties?: { Name?: unknown; Tags?: unknown } }[] };
    try {
      doc = JSON.parse(content);
    } catch {
      return [];
    }
    return (doc.Tasks ?? [])
      .filter((t) => t.Action === "ACS::EventTrigger")
      .map((t) => ({
        template: name,
        names: Array.isArray(t.Properties?.Name) ? t.Properties.Name.map(String) : [],
        tags: Array.isArray(t.Properties?.Tags) ? (t.Properties.Tags as { Key?: unknown; Value?: unknown }[]).map((x) => ({ key: String(x.Key), value: String(x.Value) })) : [],
      }));
  });
}
