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

  /**
   * Moves time forward. Subscribers (the fake's scheduler) get the target time
   * first and may step the clock through the due moments on the way, so work
   * runs at the virtual time it was due, not at the end of a long jump.
   */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new Error(`FakeClock.advance: ms must be >= 0, got ${ms}`);
    const target = this.current + ms;
    for (const l of this.listeners) l(target);
    this.current = target;
    return this.current;
  }

  /** Moves to `at` (never backwards) without notifying: for the scheduler stepping through due work. */
  stepTo(at: number): void {
    if (at > this.current) this.current = at;
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
    return this.runUntil(this.clock.now());
  }

  /**
   * Runs work due up to `target` in time order; `step` moves the clock to each
   * item's time first (a FakeClock), so nested delays count from that moment.
   */
  runUntil(target: number, step?: (at: number) => void): number {
    let ran = 0;
    while (this.queue.length > 0 && this.queue[0].at <= target) {
      const item = this.queue.shift()!;
      step?.(item.at);
      item.run();
      ran++;
    }
    return ran;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** When the earliest scheduled work is due, if any. */
  nextAt(): number | undefined {
    return this.queue[0]?.at;
  }
}
