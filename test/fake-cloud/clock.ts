// The fake cloud's sense of time. Lifecycles (events, reboots, message
// visibility) run on this clock so a test can cover days in milliseconds.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; `advance` runs the fake's due work. */
export class FakeClock implements Clock {
  private current: number;
  private readonly listeners: Array<(now: number) => void> = [];

  constructor(start: number | string = "2026-11-20T00:00:00Z") {
    this.current = typeof start === "number" ? start : Date.parse(start);
    if (!Number.isFinite(this.current)) throw new Error(`FakeClock: invalid start time ${String(start)}`);
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward and lets subscribers (the fake's scheduler) catch up. */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new Error(`FakeClock.advance: ms must be >= 0, got ${ms}`);
    this.current += ms;
    for (const l of this.listeners) l(this.current);
    return this.current;
  }

  /** Jumps to an absolute time (never backwards). */
  set(at: number | string): number {
    const target = typeof at === "number" ? at : Date.parse(at);
    if (!(target >= this.current)) throw new Error(`FakeClock.set: cannot move backwards to ${String(at)}`);
    return this.advance(target - this.current);
  }

  /** Subscribe to advances; returns an unsubscribe function. */
  onAdvance(listener: (now: number) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}

export function isFakeClock(c: Clock): c is FakeClock {
  return c instanceof FakeClock;
}

/** Runs callbacks at virtual times; `runDue` executes everything due, in time order. */
export class Scheduler {
  private queue: Array<{ at: number; seq: number; run: () => void }> = [];
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  at(when: number, run: () => void): void {
    const item = { at: when, seq: this.seq++, run };
    // Binary insertion keeps the queue ordered by (at, seq).
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.queue[mid];
      if (m.at < item.at || (m.at === item.at && m.seq < item.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, item);
  }

  after(ms: number, run: () => void): void {
    this.at(this.clock.now() + ms, run);
  }

  /** Runs due work, including work scheduled by due work that is itself due. */
  runDue(): number {
    let ran = 0;
    const now = this.clock.now();
    while (this.queue.length > 0 && this.queue[0].at <= now) {
      const item = this.queue.shift()!;
      item.run();
      ran++;
    }
    return ran;
  }

  get pending(): number {
    return this.queue.length;
  }
}
