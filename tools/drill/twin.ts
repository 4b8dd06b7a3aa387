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
import type { Deployment, DrillStack } from "./stack";
import { followVirtualTime, wallNow } from "./virtual-time";

export type TimelineEntry =
  | { kind: "event"; at: number; event: CmsEvent; routing: Routing; invoked: HandlerName[] }
  | { kind: "handler"; at: number; handler: HandlerName; trigger: "event" | "timer"; eventName: string; outcome: Outcome; wallMs: number; redelivery?: boolean }
  | { kind: "note"; at: number; text: string };

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
  }

  static async start(o: TwinOptions): Promise<Twin> {
    const clock = new FakeClock(o.start);
    const fake = await startFakeCloud({ clock, accountId: o.stack.accountId, defaultRegion: o.stack.region });
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

  note(text: string): void {
    this.timeline.push({ kind: "note", at: this.clock.now(), text });
  }

  /** Routes one emitted event and starts the invocations it causes. */
  deliver(e: CmsSystemEvent): void {
    const event = e as unknown as CmsEvent;
    const content = (typeof event.content === "object" ? event.content : {}) as Record<string, unknown>;
    const instanceId = String(content.instanceId ?? content.resourceId ?? String(event.resourceId).split("/").pop());
    if (this.o.onlyInstances && !this.o.onlyInstances.has(instanceId)) return;
    const live = this.fake.state.getInstance(instanceId);
    if (live) this.tags.set(instanceId, Object.fromEntries(live.Tags.map((t) => [t.TagKey, t.TagValue])));
    const tags = this.tags.get(instanceId) ?? {};
    const routing = route(this.o.stack.model, event, tags);
    for (const q of routing.queues) {
      if (!this.fake.state.getQueue(q)) this.fake.state.addQueue(q);
      this.fake.mns.send(q, JSON.stringify(event));
    }
    const invoked = [...routing.handlers, ...routing.unreached.filter((h) => this.o.stack.deployments.get(h)?.deployed === false)].filter((h) => this.o.stack.deployments.has(h));
    this.timeline.push({ kind: "event", at: this.clock.now(), event, routing, invoked });
    const body = JSON.stringify(event);
    for (const h of invoked) {
      this.invoke(h, body, "event", event.name);
      if (this.o.redeliverFraction && (this.o.random ?? Math.random)() < this.o.redeliverFraction) this.invoke(h, body, "event", event.name, true);
    }
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

  private invoke(name: HandlerName, body: string, trigger: "event" | "timer", eventName: string, redelivery = false): void {
    const d = this.o.stack.deployments.get(name) as Deployment;
    const fn = this.handlerFor(name);
    if (!fn) {
      this.note(`${name}: no bundle at dist/handlers/${name}.zip (npm run bundle); the event is not handled`);
      return;
    }
    const at = this.clock.now();
    if (trigger === "event") this.invocations.started++;
    const p = (async () => {
      await this.slot();
      const t0 = wallNow();
      try {
        const context = { requestId: randomUUID(), function: { name: d.functionName, timeout: d.timeoutSeconds }, region: this.o.stack.region, accountId: this.fake.state.accountId };
        const outcome = await fn(Buffer.from(body), context);
        if (trigger === "timer" && outcome.outcome === "skipped") return; // idle ticks are noise
        this.timeline.push({ kind: "handler", at, handler: name, trigger, eventName, outcome, wallMs: wallNow() - t0, ...(redelivery ? { redelivery } : {}) });
      } catch (err) {
        const outcome: Outcome = { outcome: "failed", handler: name, eventId: "unknown", name: eventName, reason: `invocation threw (FC would retry, then the onFailure destination): ${(err as Error).message}`, actions: [], durationMs: 0 };
        this.timeline.push({ kind: "handler", at, handler: name, trigger, eventName, outcome, wallMs: wallNow() - t0 });
      } finally {
        if (trigger === "event") this.invocations.finished++;
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
