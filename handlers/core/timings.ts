// Where an invocation's time went: inside the ports (cloud, OSS, MNS calls),
// in the drain wait, or in the handler's own work (the rest).
import type { Clock, CloudApi, DeadLetter, ObjectStore, TopicPublisher } from "./ports";

export interface Timings {
  /** From the start of the invocation (config parsing included) to its outcome. */
  totalMs: number;
  /** Wall time with at least one port call in flight: parallel calls count once (union of intervals). */
  apiMs: number;
  /** Time spent in the drain wait (clock.sleep). */
  waitMs: number;
  /** From the start of the invocation until the first weight 0 was applied (a spot drain that set one). */
  firstWeightZeroMs?: number;
}

/** Counts busy time as the union of in-flight intervals: O(1) per call. */
export class InvocationTimer {
  private readonly startedAt: number;
  private inFlight = 0;
  private busySince = 0;
  private apiMs = 0;
  private waitMs = 0;
  private firstWeightZeroMs?: number;

  /** `now` should be monotonic with sub-millisecond resolution (see Clock.elapsedMs). */
  constructor(private readonly now: () => number) {
    this.startedAt = now();
  }

  static forClock(clock: Clock): InvocationTimer {
    return new InvocationTimer(clock.elapsedMs ? () => clock.elapsedMs!() : () => clock.now());
  }

  async api<T>(call: () => Promise<T>): Promise<T> {
    if (this.inFlight++ === 0) this.busySince = this.now();
    try {
      return await call();
    } finally {
      if (--this.inFlight === 0) this.apiMs += this.now() - this.busySince;
    }
  }

  async wait(sleep: () => Promise<void>): Promise<void> {
    const from = this.now();
    try {
      await sleep();
    } finally {
      this.waitMs += this.now() - from;
    }
  }

  /** Since the start of the invocation. */
  sinceStartMs(): number {
    return round(this.now() - this.startedAt);
  }

  /** A weight 0 was applied now: the first one is the invocation's time to first weight 0. Returns the time since the start. */
  weightZero(): number {
    const at = this.sinceStartMs();
    this.firstWeightZeroMs ??= at;
    return at;
  }

  /** So far; a call still in flight counts up to now. */
  snapshot(): Timings {
    const now = this.now();
    const api = this.apiMs + (this.inFlight > 0 ? now - this.busySince : 0);
    const first = this.firstWeightZeroMs === undefined ? {} : { firstWeightZeroMs: this.firstWeightZeroMs };
    return { totalMs: round(now - this.startedAt), apiMs: round(api), waitMs: round(this.waitMs), ...first };
  }

  cloudApi(port: CloudApi): CloudApi {
    return { call: (c) => this.api(() => port.call(c)) };
  }

  objectStore(port: ObjectStore): ObjectStore {
    return {
      putIfAbsent: (k, b) => this.api(() => port.putIfAbsent(k, b)),
      put: (k, b) => this.api(() => port.put(k, b)),
      get: (k) => this.api(() => port.get(k)),
    };
  }

  deadLetter(port: DeadLetter): DeadLetter {
    return { send: (r) => this.api(() => port.send(r)) };
  }

  topicPublisher(port: TopicPublisher): TopicPublisher {
    return { publish: (t, b, a) => this.api(() => port.publish(t, b, a)) };
  }

  /** The same clock, its sleeps counted as wait. */
  clock(clock: Clock): Clock {
    return { now: () => clock.now(), elapsedMs: clock.elapsedMs && (() => clock.elapsedMs!()), sleep: (ms) => this.wait(() => clock.sleep(ms)) };
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
