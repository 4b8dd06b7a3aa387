// The one place every cloud call goes through. Reads pass straight to the port;
// mutations are recorded into the outcome and, under DRY_RUN, recorded without
// being sent. ClientTokens are derived here so a redelivery reuses them. An
// API's documented "busy" answers are retried here (backoff with jitter, within
// the invocation's deadline) and its documented "already gone" answers end a
// tolerant mutation as done; anything else is the caller's error.
import { createHash } from "node:crypto";
import type { ApiAction, GoneAnswer } from "./apis";
import { codeOf, messageOf } from "./errors";
import { systemClock, type Clock, type CloudApi, type Deadline, type Json } from "./ports";

export interface RecordedAction {
  product: string;
  action: string;
  params: Record<string, unknown>;
}

const sameCode = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function answers(err: unknown, answer: GoneAnswer): boolean {
  const code = codeOf(err);
  if (code === undefined) return false;
  if (typeof answer === "string") return sameCode(code, answer);
  return sameCode(code, answer.code) && messageOf(err).includes(answer.message);
}

/** True only for an answer `api` lists as "already gone" (exact codes; a 404 status or a "NotFound" in some other code is not enough). */
export function isAlreadyGone(api: ApiAction, err: unknown): boolean {
  return (api.gone ?? []).some((g) => answers(err, g));
}

/** True for an answer `api` lists as "busy, try again shortly". */
export function isBusy(api: ApiAction, err: unknown): boolean {
  return (api.busy ?? []).some((b) => answers(err, b));
}

/**
 * Flow control (`Throttling`, `Throttling.User`, `Throttling.Api`: the documented
 * codes; terraform-provider-alicloud NeedRetry retries any code containing
 * Throttling). The adapter's own quick retries (cloud/retry.ts) cover a blip;
 * a mutation still throttled after them waits here (THROTTLE_BACKOFF), within
 * the deadline: in a burst the quota, not the call, is what is short.
 */
export function isThrottled(err: unknown): boolean {
  return /^Throttling/i.test(codeOf(err) ?? "");
}

/** Time for waiting on the cloud: the invocation's (virtual in tests) clock and deadline. */
export interface Pacing {
  clock: Pick<Clock, "sleep">;
  deadline: Deadline;
  /** [0, 1); Math.random by default. */
  random?: () => number;
}

export interface Backoff {
  firstMs: number;
  maxMs: number;
}

/**
 * Busy answers are tried again 1 s, 2 s, 4 s, then every 5 s (each jittered):
 * terraform-provider-alicloud waits 3–5 s between its ALB retries
 * (incrementalWait(3s, 5s)); a spot drain has less time, so it starts sooner.
 */
export const BUSY_BACKOFF: Backoff = { firstMs: 1_000, maxMs: 5_000 };
/**
 * Throttled mutations wait 0.5 s growing to 2 s (equal jitter): a quota refills
 * continuously, so long waits leave it unused while callers sleep. Measured on
 * the local cloud's token buckets (npm run bench:burst, 1000 instances): weight 0
 * everywhere at ×1.16–1.17 of the floor, against ×1.23–1.27 with BUSY_BACKOFF's
 * 1–5 s. The adapter's own quick retries (cloud/retry.ts) come first.
 */
export const THROTTLE_BACKOFF: Backoff = { firstMs: 500, maxMs: 2_000 };
/** Without a deadline (a gateway built without pacing), waits for one thing stop after this much. */
const BUDGET_WITHOUT_DEADLINE_MS = 120_000;
/** A wait is not started when less than this would be left after it. */
const WAIT_RESERVE_MS = 1_000;

/** Successive waits for one thing (a busy API, a running job). */
export interface Waiter {
  /** Waits before the next try; false, without waiting, when no time is left for one. */
  wait(): Promise<boolean>;
}

/** Deterministic: same event, action and target → same token (≤ 64 ASCII). */
export function clientToken(eventKey: string, action: string, target: string): string {
  return createHash("sha256").update(`${eventKey}\n${action}\n${target}`).digest("hex").slice(0, 40);
}

/** The calls about one instance: through which gateway, in which region. */
export interface InstanceCalls {
  cloud: CloudGateway;
  instanceId: string;
  regionId: string;
}

export interface CloudGatewayOptions {
  dryRun: boolean;
  eventKey: string;
  regionId: string;
  /** The invocation's clock and deadline (runtime/invoke.ts); real time and no deadline otherwise. */
  pacing?: Pacing;
}

export class CloudGateway {
  readonly actions: RecordedAction[] = [];

  constructor(private readonly api: CloudApi, private readonly options: CloudGatewayOptions) {}

  get dryRun(): boolean {
    return this.options.dryRun;
  }

  read(api: ApiAction, params: Record<string, unknown>): Promise<Json> {
    if (api.mutating) throw new Error(`${api.product}:${api.action} changes state: call mutate(), not read()`);
    return this.api.call({ api, regionId: this.options.regionId, params });
  }

  /** A read whose "already gone" answer (the API's own list) resolves to undefined, e.g. a load balancer deleted mid-scan. */
  async readUnlessGone(api: ApiAction, params: Record<string, unknown>): Promise<Json | undefined> {
    try {
      return await this.read(api, params);
    } catch (err) {
      if (isAlreadyGone(api, err)) return undefined;
      throw err;
    }
  }

  /**
   * Records and (unless dry-run) performs a mutation. `target` names what it
   * acts on (e.g. `lb-1/i-2`), for the ClientToken. A busy or throttled answer is
   * sent again (same parameters, same ClientToken) after a backoff, while the
   * deadline allows. With `tolerateGone`, an "already gone" answer of the API
   * counts as done and resolves to undefined.
   */
  async mutate(api: ApiAction, params: Record<string, unknown>, target: string, opts: { tolerateGone?: boolean } = {}): Promise<Json | undefined> {
    if (!api.mutating) throw new Error(`${api.product}:${api.action} is a read: call read()`);
    const sent = api.clientToken ? { ...params, ClientToken: clientToken(this.options.eventKey, api.action, target) } : { ...params };
    this.actions.push({ product: api.product, action: api.action, params: sent });
    if (this.options.dryRun) return undefined;
    let busy: Waiter | undefined;
    let throttled: Waiter | undefined;
    for (;;) {
      try {
        return await this.api.call({ api, regionId: this.options.regionId, params: sent });
      } catch (err) {
        if (opts.tolerateGone && isAlreadyGone(api, err)) return undefined;
        if (isThrottled(err) && (await (throttled ??= this.waiter(THROTTLE_BACKOFF)).wait())) continue;
        if (isBusy(api, err) && (await (busy ??= this.waiter(BUSY_BACKOFF)).wait())) continue;
        throw err;
      }
    }
  }

  /**
   * Waits growing from `firstMs` to `maxMs` (equal jitter: never a zero wait).
   * They stop when the next would leave less than a second before the
   * deadline, and when together they would pass the time that was left at the
   * start (so they end even on a clock that does not move while they sleep).
   */
  waiter(b: Backoff): Waiter {
    const budget = Math.min(this.timeLeft(), BUDGET_WITHOUT_DEADLINE_MS) - WAIT_RESERVE_MS;
    let attempt = 0;
    let slept = 0;
    return {
      wait: async () => {
        const ms = this.delay(attempt++, b);
        if (this.timeLeft() - ms < WAIT_RESERVE_MS || slept + ms > budget) return false;
        slept += ms;
        await (this.options.pacing?.clock ?? systemClock).sleep(ms);
        return true;
      },
    };
  }

  /** One wait before try `attempt + 1`, as a waiter's; false when it would pass the deadline (a caller's own loop bounds the rest). */
  async backoff(attempt: number, b: Backoff): Promise<boolean> {
    const ms = this.delay(attempt, b);
    if (this.timeLeft() - ms < WAIT_RESERVE_MS || (!this.options.pacing && ms * attempt > BUDGET_WITHOUT_DEADLINE_MS)) return false;
    await (this.options.pacing?.clock ?? systemClock).sleep(ms);
    return true;
  }

  private timeLeft(): number {
    return this.options.pacing ? this.options.pacing.deadline.remainingMs() : Infinity;
  }

  /** Exponential from `firstMs` to `maxMs`, equal jitter. */
  private delay(attempt: number, b: Backoff): number {
    const ceiling = Math.min(b.maxMs, b.firstMs * 2 ** Math.min(attempt, 20));
    return Math.round(ceiling / 2 + (ceiling / 2) * (this.options.pacing?.random ?? Math.random)());
  }

  /**
   * A mutation sent through another port (an MNS topic, say): recorded the
   * same way, and not sent under DRY_RUN.
   */
  async mutateVia<T>(api: ApiAction, params: Record<string, unknown>, send: () => Promise<T>): Promise<T | undefined> {
    if (!api.mutating) throw new Error(`${api.product}:${api.action} is a read: call read()`);
    this.actions.push({ product: api.product, action: api.action, params: { ...params } });
    if (this.options.dryRun) return undefined;
    return send();
  }
}
