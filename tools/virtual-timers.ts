// Virtual time for a whole process: setTimeout / setInterval / Date.now follow
// the fake cloud's FakeClock, and the clock moves only when nothing is left to
// do but wait. Then it jumps to the next timer (or the fake's next scheduled
// work) and fires what is due. "Nothing to do" is exact enough on loopback: no
// HTTP request of this process is waiting for its answer (node's
// diagnostics_channel http.client.* events) and a few event-loop turns pass
// with none started. So a handler's drain wait, its retry back-off and a rate
// limit's refill all take virtual time, and a five-minute burst runs in
// seconds of wall time, with every call still a real signed HTTP request.
//
// For benchmark and drill processes only: it replaces the globals until
// `uninstall()`. Node's own socket timers are not the globals and stay real.
import * as dc from "node:diagnostics_channel";
import type { FakeClock } from "../local-cloud";

interface Timer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
  /** The delay it was set with: refresh() starts it again from now (Node's Timeout.refresh). */
  delayMs: number;
  everyMs?: number;
  /** Bumped when `at` changes (refresh, an interval's next run): older heap entries for the timer are stale. */
  version: number;
}

/** A heap entry: the timer as it was when pushed. */
interface Entry {
  at: number;
  seq: number;
  id: number;
  version: number;
}

const before = (a: Entry, b: Entry) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/**
 * The pending timers by (at, seq), earliest first. A binary heap with lazy
 * deletion: clients (the SDKs' HTTP read timeouts) leave many timers behind
 * that are never cleared, so finding the next one must not scan them all.
 */
class TimerHeap {
  private readonly heap: Entry[] = [];

  push(t: Timer): void {
    const h = this.heap;
    h.push({ at: t.at, seq: t.seq, id: t.id, version: t.version });
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  /** The earliest live timer, dropping entries of cleared or moved timers on the way. */
  peek(live: Map<number, Timer>): Timer | undefined {
    const h = this.heap;
    while (h.length > 0) {
      const t = live.get(h[0].id);
      if (t && t.version === h[0].version) return t;
      this.pop();
    }
    return undefined;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

/** What code gets back from setTimeout: enough of Node's Timeout for callers that unref or refresh. */
class Handle {
  constructor(readonly id: number, private readonly owner: VirtualTimers) {}
  unref(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  refresh(): this {
    this.owner.refresh(this.id);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualTimers {
  private timers = new Map<number, Timer>();
  private readonly heap = new TimerHeap();
  private seq = 0;
  private pendingHttp = 0;
  /** Resolved when no HTTP request is pending any more (quiet waits on it instead of spinning). */
  private onIdleHttp?: () => void;
  private started = 0;
  private restore: Array<() => void> = [];
  /** Clock jumps made so far. */
  jumps = 0;

  constructor(
    private readonly clock: FakeClock,
    /** The fake's own next scheduled work (releases, lifecycles), if any. */
    private readonly nextScheduled: () => number | undefined = () => undefined,
  ) {}

  install(): this {
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = { setTimeout: g.setTimeout, clearTimeout: g.clearTimeout, setInterval: g.setInterval, clearInterval: g.clearInterval, now: Date.now };
    g.setTimeout = (fn: (...a: unknown[]) => void, ms = 0, ...args: unknown[]) => this.add(() => fn(...args), ms);
    g.setInterval = (fn: (...a: unknown[]) => void, ms = 0, ...args: unknown[]) => this.add(() => fn(...args), ms, Math.max(1, ms));
    g.clearTimeout = g.clearInterval = (h: unknown) => {
      if (h !== undefined && h !== null) this.timers.delete(Number(h));
    };
    Date.now = () => this.clock.now();
    // A request is pending from its start until its response body has ended (or it failed): a body in several chunks still counts.
    const open = new WeakSet<object>();
    const done = (req: object) => {
      if (open.delete(req) && --this.pendingHttp === 0) this.onIdleHttp?.();
    };
    const onStart = (m: unknown) => {
      open.add((m as { request: object }).request);
      this.pendingHttp++;
      this.started++;
    };
    const onResponse = (m: unknown) => {
      const { request, response } = m as { request: object; response: NodeJS.EventEmitter & { complete?: boolean } };
      if (response.complete) done(request);
      else {
        response.once("end", () => done(request));
        response.once("close", () => done(request));
      }
    };
    const onEnd = (m: unknown) => done((m as { request: object }).request);
    dc.subscribe("http.client.request.start", onStart);
    dc.subscribe("http.client.response.finish", onResponse);
    dc.subscribe("http.client.request.error", onEnd);
    this.restore.push(() => {
      Object.assign(g, { setTimeout: saved.setTimeout, clearTimeout: saved.clearTimeout, setInterval: saved.setInterval, clearInterval: saved.clearInterval });
      Date.now = saved.now;
      dc.unsubscribe("http.client.request.start", onStart);
      dc.unsubscribe("http.client.response.finish", onResponse);
      dc.unsubscribe("http.client.request.error", onEnd);
    });
    return this;
  }

  uninstall(): void {
    for (const r of this.restore.splice(0)) r();
  }

  private add(fn: () => void, ms: number, everyMs?: number): Handle {
    const id = ++this.seq;
    const delayMs = Math.max(0, Number(ms) || 0);
    const t: Timer = { id, at: this.clock.now() + delayMs, seq: id, fn, delayMs, everyMs, version: 0 };
    this.timers.set(id, t);
    this.heap.push(t);
    return new Handle(id, this);
  }

  refresh(id: number): void {
    const t = this.timers.get(id);
    if (t) this.move(t, this.clock.now() + (t.everyMs ?? t.delayMs));
  }

  private move(t: Timer, at: number): void {
    t.at = at;
    t.version++;
    this.heap.push(t);
  }

  /** Resolves once no HTTP request is awaiting its answer and `quietTurns` event-loop turns started none. */
  async quiet(quietTurns = 3): Promise<void> {
    for (let calm = 0; calm < quietTurns; ) {
      // While a request is out, wait for the answers instead of spinning turns.
      if (this.pendingHttp > 0) await new Promise<void>((resolve) => (this.onIdleHttp = resolve));
      this.onIdleHttp = undefined;
      const before = this.started;
      await turn();
      calm = this.pendingHttp === 0 && this.started === before ? calm + 1 : 0;
    }
  }

  private due(): Timer | undefined {
    return this.heap.peek(this.timers);
  }

  /** Fires timers already due (a zero-delay setTimeout), without moving the clock; true when one fired. */
  private fireDue(): boolean {
    const t = this.due();
    if (!t || t.at > this.clock.now()) return false;
    if (t.everyMs) this.move(t, t.at + t.everyMs);
    else this.timers.delete(t.id);
    t.fn();
    return true;
  }

  /**
   * Runs until `done()` or until virtual time would pass `untilMs`: settles,
   * fires what is due, else jumps to the next timer or scheduled work.
   * Returns false when it stopped at `untilMs` (or with nothing left to wait for) before `done()`.
   */
  async run(done: () => boolean, untilMs: number): Promise<boolean> {
    for (;;) {
      await this.quiet();
      if (done()) return true;
      if (this.fireDue()) continue;
      const next = Math.min(this.due()?.at ?? Infinity, this.nextScheduled() ?? Infinity);
      if (!Number.isFinite(next) || next > untilMs) return false;
      if (next > this.clock.now()) {
        this.clock.advance(next - this.clock.now());
        this.jumps++;
      }
      this.fireDue();
    }
  }
}
