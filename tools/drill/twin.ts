// The local twin of the event path: the fake cloud emits CMS events as the
// platform would; each is routed through the stack's declared rules (the
// routing model over the plan graph) to its queues (the fake's MNS) and to the
// bundled handler of every function a firing rule targets, run the way FC runs
// it, against the fake's APIs, on the fake's virtual clock.
import { randomUUID } from "node:crypto";
import { FINAL_STATUSES, type HandlerName } from "../../handlers/catalogue";
import type { Outcome } from "../../handlers/core/outcome";
import { endpointEnv, FakeClock, startFakeCloud, type CmsSystemEvent, type FakeCloud } from "../../local-cloud";
import type { CmsEvent } from "../routing/events";
import { route, type Routing } from "../routing/route";
import { loadBundledHandler, type FcHandler } from "./bundles";
import { mentionIndex } from "./inspect";
import type { DeclaredStores, Deployment, DrillStack } from "./stack";
import { followVirtualTime, wallNow } from "./virtual-time";

export type TimelineEntry =
  /** `resourceId`: the instance (or disk, snapshot) the event is about. */
  | { kind: "event"; at: number; event: CmsEvent; resourceId: string; routing: Routing; invoked: HandlerName[] }
  /** `resourceIds`: the drilled resources the invocation was about (its event's, or those a timer run's outcome names). */
  | { kind: "handler"; at: number; handler: HandlerName; trigger: "event" | "timer"; eventName: string; resourceIds: string[]; outcome: Outcome; wallMs: number; redelivery?: boolean }
  /** `instanceIds`: the resources the note is about (absent: about the whole drill). */
  | { kind: "note"; at: number; text: string; instanceIds?: string[] };

export interface TwinOptions {
  stack: DrillStack;
  /** Virtual start (epoch ms). */
  start: number;
  /** Invocations in flight at once (FC concurrency). */
  concurrency?: number;
  /** Env overrides for every handler (the drill shortens real waits). */
  envOverrides?: Record<string, string>;
  /** Deliver this fraction of function invocations twice (CMS may deliver more than once). */
  redeliverFraction?: number;
  /** Seeded randomness for redelivery choices. */
  random?: () => number;
  /** Only route events about these instances (others' events are the platform's business). */
  onlyInstances?: Set<string>;
}

/** Overrides a local drill applies to the stack's handler environment, with the reason printed. */
export const DRILL_ENV_OVERRIDES: Record<string, { value: string; why: string }> = {
  // Shortest non-zero wait: spot-drain sleeps it for real; the maintenance
  // reconciler measures it on the virtual clock, so drain and action still
  // land on separate timer ticks (a --cancel can fall between them).
  DRAIN_WAIT_SECONDS: { value: "1", why: "spot-drain's drain wait is a real sleep" },
  RETRY_BASE_DELAY_MS: { value: "20", why: "retry back-off is a real sleep" },
  RETRY_MAX_DELAY_MS: { value: "200", why: "retry back-off is a real sleep" },
};

export class Twin {
  readonly timeline: TimelineEntry[] = [];
  readonly fake: FakeCloud;
  readonly clock: FakeClock;
  /** Tags of instances seen, kept after release (a released instance's tags are no longer describable). */
  readonly tags = new Map<string, Record<string, string>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  /** Event-triggered invocations started and finished (every one must finish with an outcome). */
  readonly invocations = { started: 0, finished: 0 };
  private readonly invocationsByResource = new Map<string, { started: number; finished: number }>();
  private countFor(resourceId = ""): { started: number; finished: number } {
    let c = this.invocationsByResource.get(resourceId);
    if (!c) this.invocationsByResource.set(resourceId, (c = { started: 0, finished: 0 }));
    return c;
  }
  /** Event-triggered invocations about these resources. */
  invocationsFor(ids: Iterable<string>): { started: number; finished: number } {
    const sum = { started: 0, finished: 0 };
    for (const id of ids) {
      const c = this.invocationsByResource.get(id);
      if (c) (sum.started += c.started), (sum.finished += c.finished);
    }
    return sum;
  }
  private restoreTime?: () => void;
  private restoreLog?: () => void;
  private savedEnv?: Record<string, string | undefined>;
  private unsubscribe?: () => void;
  private readonly handlers = new Map<HandlerName, FcHandler>();

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
    twin.restoreTime = followVirtualTime(clock);
    // Handlers log one outcome line each; the drill reports outcomes itself.
    const log = console.log;
    console.log = () => undefined;
    twin.restoreLog = () => {
      console.log = log;
    };
    const env = twin.handlerEnv();
    twin.savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    twin.unsubscribe = fake.onSystemEvent((e) => twin.deliver(e));
    return twin;
  }

  /** One environment for every handler: the shared contract, pointed at the fake. */
  handlerEnv(): Record<string, string> {
    const deployments = [...this.o.stack.deployments.values()];
    const base = Object.assign({}, ...deployments.map((d) => d.env)) as Record<string, string>;
    const overrides = Object.fromEntries(Object.entries(DRILL_ENV_OVERRIDES).map(([k, v]) => [k, v.value]));
    return { ...base, ...endpointEnv(this.fake), ALIBABA_CLOUD_REGION_ID: this.o.stack.region, ...overrides, ...this.o.envOverrides };
  }

  note(text: string, instanceIds?: string[]): void {
    this.timeline.push({ kind: "note", at: this.clock.now(), text, ...(instanceIds ? { instanceIds } : {}) });
  }

  /** Routes one emitted event and starts the invocations it causes. */
  deliver(e: CmsSystemEvent): void {
    const event = e as unknown as CmsEvent;
    const resourceId = eventResourceId(event);
    if (this.o.onlyInstances && !this.o.onlyInstances.has(resourceId)) return;
    const live = this.fake.state.getInstance(resourceId);
    if (live) this.tags.set(resourceId, Object.fromEntries(live.Tags.map((t) => [t.TagKey, t.TagValue])));
    const tags = this.tags.get(resourceId) ?? {};
    const routing = route(this.o.stack.model, event, tags);
    for (const q of routing.queues) {
      // A rule targeting a queue the stack does not declare reaches nothing (MNS answers QueueNotExist).
      if (!this.fake.state.getQueue(q)) this.problem(`${event.name}: a rule targets queue ${q}, which the stack does not declare`, [resourceId]);
      else this.fake.mns.send(q, JSON.stringify(event));
    }
    for (const t of this.oosTriggers.filter((t) => t.names.includes(event.name) && t.tags.every(({ key, value }) => tags[key] === value))) {
      this.note(`OOS template ${t.template} is triggered by ${event.name} (the twin does not run OOS templates)`, [resourceId]);
    }
    const invoked = [...routing.handlers, ...routing.unreached.filter((h) => this.o.stack.deployments.get(h)?.deployed === false)].filter((h) => this.o.stack.deployments.has(h));
    this.timeline.push({ kind: "event", at: this.clock.now(), event, resourceId, routing, invoked });
    const body = JSON.stringify(event);
    for (const h of invoked) {
      this.invoke(h, body, "event", event.name, resourceId);
      if (this.o.redeliverFraction && (this.o.random ?? Math.random)() < this.o.redeliverFraction) this.invoke(h, body, "event", event.name, resourceId, true);
    }
  }

  /** What went wrong outside any handler (routing to something undeclared, ...). */
  readonly problems: { text: string; instanceIds: string[] }[] = [];
  problem(text: string, instanceIds: string[]): void {
    this.problems.push({ text, instanceIds });
    this.note(`PROBLEM: ${text}`, instanceIds);
  }

  private readonly oosTriggers: OosEventTrigger[];

  private readonly scheduled: { at: number; run: () => void }[] = [];
  /** Runs `run` once virtual time reaches `at` (platform emissions the fake does not model). */
  schedule(at: number, run: () => void): void {
    this.scheduled.push({ at, run });
  }
  private runScheduled(): void {
    const due = this.scheduled.filter((s) => s.at <= this.clock.now()).sort((a, b) => a.at - b.at);
    for (const s of due) this.scheduled.splice(this.scheduled.indexOf(s), 1);
    for (const s of due) s.run();
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
      this.invoke(d.handler, JSON.stringify(d.timerPayload), "timer", "timer");
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

  private invoke(name: HandlerName, body: string, trigger: "event" | "timer", eventName: string, resourceId?: string, redelivery = false): void {
    const d = this.o.stack.deployments.get(name) as Deployment;
    const fn = this.handlerFor(name);
    if (!fn) {
      this.note(`${name}: no bundle at dist/handlers/${name}.zip (npm run bundle); the event is not handled`);
      return;
    }
    const at = this.clock.now();
    const counted = trigger === "event" ? [this.invocations, this.countFor(resourceId)] : [];
    for (const c of counted) c.started++;
    const p = (async () => {
      await this.slot();
      const t0 = wallNow();
      const push = (outcome: Outcome) => {
        const resourceIds = resourceId ? [resourceId] : [...mentionIndex(this.tags.keys())(JSON.stringify(outcome))];
        this.timeline.push({ kind: "handler", at, handler: name, trigger, eventName, resourceIds, outcome, wallMs: wallNow() - t0, ...(redelivery ? { redelivery } : {}) });
      };
      try {
        const context = { requestId: randomUUID(), function: { name: d.functionName, timeout: d.timeoutSeconds }, region: this.o.stack.region, accountId: this.fake.state.accountId };
        const outcome = await fn(Buffer.from(body), context);
        if (trigger === "timer" && outcome.outcome === "skipped") return; // idle ticks are noise
        push(outcome);
      } catch (err) {
        push({ outcome: "failed", handler: name, eventId: "unknown", name: eventName, reason: `invocation threw (FC would retry, then the onFailure destination): ${(err as Error).message}`, actions: [], durationMs: 0 });
      } finally {
        for (const c of counted) c.finished++;
        this.release();
      }
    })();
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
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

  /** Waits until no invocation is in flight (invocations may cause events, which cause invocations). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Moves virtual time to `until` in steps of `stepMs`, running timers at each
   * step and settling in between, or stops early when `done()` says so.
   */
  async runUntil(until: number, stepMs: number, done: () => boolean, beforeStep?: () => Promise<void> | void): Promise<void> {
    await this.settle();
    while (!done() && this.clock.now() < until) {
      await beforeStep?.();
      if (done()) break;
      this.clock.advance(Math.min(stepMs, until - this.clock.now()));
      this.runScheduled();
      await this.settle();
      this.tickTimers();
      await this.settle();
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
    this.unsubscribe?.();
    this.restoreTime?.();
    this.restoreLog?.();
    for (const [k, v] of Object.entries(this.savedEnv ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await this.fake.close();
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
