// Per-account API flow control: token buckets on the fake's clock, one per
// quota, each shared by the actions it lists. A call finding its bucket empty
// is answered 400 `Throttling.User` "Request was denied due to user flow
// control." (the code and message of the documented error tables, e.g. NLB
// 2022-04-30 RemoveServersFromServerGroup; terraform-provider-alicloud's
// NeedRetry retries any `Throttling*`) and changes nothing; a refused call
// takes no token. Off unless quotas are set (tests and benches turn it on).
//
// The write quotas below have NO source: no Alibaba Cloud page found gives a
// per-minute quota for CLB or ALB backend writes (the SLB quota page lists
// resource quotas, not API rates). 90/min for CLB and 200/min for ALB are the
// figures issue 14 was filed with, kept as labelled assumptions; set others
// with `fake.rateLimits.set(...)`.
import type { Clock } from "./clock";
import { ApiError } from "./errors";

export interface RateQuota {
  name: string;
  /** Actions that draw on this quota's one bucket. */
  actions: readonly string[];
  perMinute: number;
  /** Bucket size: calls that may go at once after a quiet spell (default max(1, perMinute / 60)). */
  burst?: number;
  /** Where the figure comes from, or why it is an assumption. */
  source: string;
  assumption: boolean;
}

export const CLB_BACKEND_WRITES = ["AddBackendServers", "SetBackendServers", "RemoveBackendServers", "AddVServerGroupBackendServers", "SetVServerGroupAttribute", "RemoveVServerGroupBackendServers"] as const;
export const ALB_SERVER_WRITES = ["AddServersToServerGroup", "UpdateServerGroupServersAttribute", "RemoveServersFromServerGroup"] as const;

const NO_SOURCE = "assumption: no published per-minute quota found (issue 14's figure; configurable)";

/** The quotas issue 14 names, both assumptions (see the module comment). */
export const ASSUMED_WRITE_QUOTAS: readonly RateQuota[] = [
  { name: "CLB backend writes", actions: CLB_BACKEND_WRITES, perMinute: 90, source: NO_SOURCE, assumption: true },
  { name: "ALB server-group writes", actions: ALB_SERVER_WRITES, perMinute: 200, source: NO_SOURCE, assumption: true },
];

export const burstOf = (q: Pick<RateQuota, "perMinute" | "burst">): number => q.burst ?? Math.max(1, Math.floor(q.perMinute / 60));

interface Bucket {
  quota: RateQuota;
  tokens: number;
  at: number;
}

export class RateLimits {
  private buckets: Bucket[] = [];
  private byAction = new Map<string, Bucket>();
  /** Calls refused so far, per quota name. */
  readonly refused = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** Replaces the quotas (empty: no flow control). Buckets start full. */
  set(quotas: readonly RateQuota[]): this {
    for (const q of quotas) {
      if (!(q.perMinute > 0)) throw new Error(`rate quota ${q.name}: perMinute must be > 0, got ${q.perMinute}`);
      if (!(burstOf(q) >= 1)) throw new Error(`rate quota ${q.name}: burst must be >= 1, got ${q.burst}`);
    }
    const now = this.clock.now();
    this.buckets = quotas.map((quota) => ({ quota, tokens: burstOf(quota), at: now }));
    this.byAction = new Map(this.buckets.flatMap((b) => b.quota.actions.map((a) => [a, b] as const)));
    this.refused.clear();
    return this;
  }

  get quotas(): readonly RateQuota[] {
    return this.buckets.map((b) => b.quota);
  }

  /** Takes a token for one call of `action`; the throttling error when there is none. */
  take(action: string): ApiError | undefined {
    const b = this.byAction.get(action);
    if (!b) return undefined;
    const now = this.clock.now();
    b.tokens = Math.min(burstOf(b.quota), b.tokens + ((now - b.at) * b.quota.perMinute) / 60_000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return undefined;
    }
    this.refused.set(b.quota.name, (this.refused.get(b.quota.name) ?? 0) + 1);
    return new ApiError(400, "Throttling.User", "Request was denied due to user flow control.");
  }
}
