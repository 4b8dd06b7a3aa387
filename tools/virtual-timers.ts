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
  everyMs?: number;
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
  private seq = 0;
  private pendingHttp = 0;
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
      if (open.delete(req)) this.pendingHttp--;
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
    this.timers.set(id, { id, at: this.clock.now() + Math.max(0, Number(ms) || 0), seq: id, fn, everyMs });
    return new Handle(id, this);
  }

  refresh(id: number): void {
    const t = this.timers.get(id);
    if (t) t.at = this.clock.now() + (t.everyMs ?? 0);
  }

  /** Resolves once no HTTP request is awaiting its answer and `quietTurns` event-loop turns started none. */
  async quiet(quietTurns = 3): Promise<void> {
    for (let calm = 0; calm < quietTurns; ) {
      const before = this.started;
      await turn();
      calm = this.pendingHttp === 0 && this.started === before ? calm + 1 : 0;
    }
  }

  private due(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  /** Fires timers already due (a zero-delay setTimeout), without moving the clock; true when one fired. */
  private fireDue(): boolean {
    const t = this.due();
    if (!t || t.at > this.clock.now()) return false;
    if (t.everyMs) t.at += t.everyMs;
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
