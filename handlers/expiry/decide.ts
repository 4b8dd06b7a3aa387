// Expiry of subscription (PrePaid) instances: what to do, and which instances
// are close to expiring. Pure: plain data in, plain data out.
//
// Why a horizon scan at all: the CMS names of the expiry events
// (InstanceExpiration.*) are unconfirmed and the events may arrive late or not
// at all; listing DescribeInstances `ExpiredTime` finds "what events miss".

import { RENEW_PERIODS, type ExpiryPolicy, type RenewPeriodUnit } from "../contract";

/** The DescribeInstances fields this module reads. */
export interface InstanceBilling {
  InstanceId: string;
  InstanceName?: string;
  /** `PrePaid` (subscription) or `PostPaid` (pay-as-you-go). */
  InstanceChargeType: string;
  /** `2026-12-01T16:00Z` (UTC, minute precision, as DescribeInstances returns it). */
  ExpiredTime?: string;
  /** From DescribeInstanceAutoRenewAttribute when known. */
  AutoRenew?: boolean;
  RegionId?: string;
}

export interface ExpiryInput {
  policy: ExpiryPolicy;
  renewPeriod: number;
  renewPeriodUnit: RenewPeriodUnit;
  instance: InstanceBilling;
  /** Epoch ms or ISO with offset. */
  now: number | string;
  /** Act on instances expiring within this many days. */
  horizonDays: number;
}

/** ECS RenewInstance request parameters. */
export interface RenewInstanceParams {
  InstanceId: string;
  Period: number;
  PeriodUnit: RenewPeriodUnit;
  /**
   * Deterministic per (instance, current expiry): a redelivered event or a
   * second scan reuses it, so the renewal is made once (≤ 64 ASCII chars).
   */
  ClientToken: string;
}

export type ExpiryDecision =
  | { kind: "renew"; params: RenewInstanceParams; reason: string; daysLeft: number }
  | { kind: "notify"; reason: string; daysLeft: number }
  | { kind: "nothing"; reason: string }
  /** PostPaid instances have no expiry to renew. */
  | { kind: "not-applicable"; reason: string }
  /** A PrePaid instance whose expiry cannot be read: say so, do not guess. */
  | { kind: "undecidable"; reason: string };

const DAY_MS = 86_400_000;

function epoch(t: number | string, what: string): number {
  const ms = typeof t === "number" ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new RangeError(`${what}: not a time: ${String(t)}`);
  return ms;
}

/** `ExpiredTime` → epoch ms, or undefined when absent or unreadable. */
export function parseExpiredTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  // DescribeInstances writes `yyyy-MM-ddTHH:mmZ`; accept seconds too. Require the Z.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(value.trim())) return undefined;
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

export function renewClientToken(instanceId: string, expiredAt: number): string {
  return `renew-${instanceId}-${new Date(expiredAt).toISOString().slice(0, 16).replace(/[-:]/g, "")}`.slice(0, 64);
}

/** Validates the renewal settings; the message names what is allowed. */
export function checkRenewPeriod(period: number, unit: RenewPeriodUnit): void {
  const allowed = RENEW_PERIODS[unit];
  if (!allowed) throw new RangeError(`renewPeriodUnit must be Month or Week, got ${String(unit)}`);
  if (!allowed.includes(period)) throw new RangeError(`renewPeriod ${period} is not valid for ${unit}; allowed: ${allowed.join(", ")}`);
}

/** What to do about one instance's expiry; each policy does only what it says. */
export function decideExpiry(input: ExpiryInput): ExpiryDecision {
  const { instance, policy } = input;
  const id = instance.InstanceId;
  if (instance.InstanceChargeType !== "PrePaid") {
    return { kind: "not-applicable", reason: `${id} is ${instance.InstanceChargeType || "of unknown charge type"}: only PrePaid (subscription) instances expire and renew` };
  }
  if (!(input.horizonDays >= 0)) throw new RangeError(`horizonDays must be ≥ 0, got ${input.horizonDays}`);
  if (policy === "renew") checkRenewPeriod(input.renewPeriod, input.renewPeriodUnit);

  const expiredAt = parseExpiredTime(instance.ExpiredTime);
  if (expiredAt === undefined) return { kind: "undecidable", reason: `${id}: ExpiredTime ${JSON.stringify(instance.ExpiredTime)} is missing or not a UTC time` };

  const now = epoch(input.now, "now");
  const daysLeft = (expiredAt - now) / DAY_MS;
  const when = `${id} expires ${new Date(expiredAt).toISOString()} (${daysLeft >= 0 ? `in ${daysLeft.toFixed(1)} days` : `${(-daysLeft).toFixed(1)} days ago`})`;
  if (daysLeft > input.horizonDays) return { kind: "nothing", reason: `${when}: beyond the ${input.horizonDays}-day horizon` };

  switch (policy) {
    case "let-expire":
      return { kind: "nothing", reason: `${when}: policy is let-expire` };
    case "notify":
      return { kind: "notify", daysLeft, reason: `${when}${instance.AutoRenew ? "; auto-renew is on" : ""}` };
    case "renew":
      if (instance.AutoRenew) return { kind: "nothing", reason: `${when}: auto-renew is on, the platform renews it` };
      return {
        kind: "renew",
        daysLeft,
        reason: `${when}: renew for ${input.renewPeriod} ${input.renewPeriodUnit}(s)`,
        params: { InstanceId: id, Period: input.renewPeriod, PeriodUnit: input.renewPeriodUnit, ClientToken: renewClientToken(id, expiredAt) },
      };
  }
}

/** One page of DescribeInstances, as the API returns it. */
export interface DescribeInstancesPage {
  Instances?: { Instance?: InstanceBilling[] };
  TotalCount?: number;
  PageNumber?: number;
  PageSize?: number;
  NextToken?: string;
}

export interface ExpiringInstance {
  InstanceId: string;
  InstanceName?: string;
  RegionId?: string;
  expiredAt: number;
  daysLeft: number;
  AutoRenew?: boolean;
}

export interface HorizonScan {
  /** PrePaid instances expiring within the horizon (expired ones included), soonest first. */
  expiring: ExpiringInstance[];
  /** PrePaid instances whose ExpiredTime could not be read: reported, not dropped. */
  unreadable: string[];
  /** Is there another page to fetch? */
  hasMore: boolean;
}

/** From one page of DescribeInstances, the subscription instances expiring within the horizon. */
export function instancesWithinHorizon(page: DescribeInstancesPage, now: number | string, horizonDays: number): HorizonScan {
  const nowMs = epoch(now, "now");
  const limit = nowMs + horizonDays * DAY_MS;
  const instances = page.Instances?.Instance ?? [];
  const expiring: ExpiringInstance[] = [];
  const unreadable: string[] = [];
  for (const i of instances) {
    if (i.InstanceChargeType !== "PrePaid") continue;
    const expiredAt = parseExpiredTime(i.ExpiredTime);
    if (expiredAt === undefined) {
      unreadable.push(i.InstanceId);
      continue;
    }
    if (expiredAt > limit) continue;
    expiring.push({
      InstanceId: i.InstanceId,
      ...(i.InstanceName !== undefined ? { InstanceName: i.InstanceName } : {}),
      ...(i.RegionId !== undefined ? { RegionId: i.RegionId } : {}),
      ...(i.AutoRenew !== undefined ? { AutoRenew: i.AutoRenew } : {}),
      expiredAt,
      daysLeft: (expiredAt - nowMs) / DAY_MS,
    });
  }
  expiring.sort((a, b) => a.expiredAt - b.expiredAt || a.InstanceId.localeCompare(b.InstanceId));
  const hasMore = page.NextToken
    ? true
    : page.TotalCount !== undefined && page.PageNumber !== undefined && page.PageSize !== undefined
      ? page.PageNumber * page.PageSize < page.TotalCount
      : false;
  return { expiring, unreadable, hasMore };
}
