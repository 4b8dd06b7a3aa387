// Subscription (PrePaid) expiry: what to do about one instance, and the
// periodic horizon scan over DescribeInstances that finds what the (unconfirmed)
// expiry events miss. Decisions are decide.ts's; this module reads and acts.
import { DEFAULT_RENEW_MONTHS, groupLabel, groupPolicyFor, type GroupPolicies, type HandlerConfig } from "../contract";
import { ALERT_APIS, ECS } from "../core/apis";
import type { CloudGateway } from "../core/gateway";
import type { AlertSink, CriticalAlert } from "../core/handler";
import { decideScope } from "../core/scope";
import { instancesOf, type EcsInstance } from "../ecs/instance";
import { listOf, num, str } from "../cloud/rpc-response";
import { decideExpiry, instancesWithinHorizon, type DescribeInstancesPage, type InstanceBilling } from "./decide";

export const EXPIRY_NOTICE_EVENT_NAME = "EventOps:ExpiryNotice";

/** Every API the expiry function may call (its RAM policy). */
export const EXPIRY_APIS = [ECS.describeInstances, ECS.describeInstanceAutoRenewAttribute, ECS.renewInstance, ...ALERT_APIS] as const;

/** An instance as decide.ts reads it (the API's field names), with its tags. */
export type BilledInstance = InstanceBilling & { tags: Record<string, string> };

export function billedInstance(i: EcsInstance): BilledInstance {
  return {
    InstanceId: i.instanceId,
    ...(i.name ? { InstanceName: i.name } : {}),
    InstanceChargeType: i.chargeType ?? "",
    ...(i.expiredTime ? { ExpiredTime: i.expiredTime } : {}),
    ...(i.regionId ? { RegionId: i.regionId } : {}),
    tags: i.tags,
  };
}

export interface ExpiryResult {
  instanceId: string;
  group?: string;
  /** What was done (or, under DRY_RUN, would be): renewed, notify, nothing, skipped, undecidable. */
  kind: "renewed" | "notify" | "nothing" | "out-of-scope" | "not-applicable" | "undecidable";
  reason: string;
  daysLeft?: number;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 1000;

/** Every PrePaid instance of the region expiring within the horizon (expired ones too), and those whose expiry cannot be read. */
export async function scanExpiring(cloud: CloudGateway, regionId: string, now: number, horizonDays: number): Promise<{ expiring: BilledInstance[]; unreadable: BilledInstance[] }> {
  const expiring: BilledInstance[] = [];
  const unreadable: BilledInstance[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await cloud.read(ECS.describeInstances, { RegionId: regionId, InstanceChargeType: "PrePaid", PageNumber: page, PageSize: PAGE_SIZE });
    const raw = instancesOf(body);
    const byId = new Map(raw.map((r) => [r.instanceId, billedInstance(r)]));
    const typed: DescribeInstancesPage = {
      Instances: { Instance: [...byId.values()] },
      TotalCount: num(body.TotalCount),
      PageNumber: num(body.PageNumber) ?? page,
      PageSize: num(body.PageSize) ?? PAGE_SIZE,
    };
    const scan = instancesWithinHorizon(typed, now, horizonDays);
    expiring.push(...scan.expiring.map((e) => byId.get(e.InstanceId)!));
    unreadable.push(...scan.unreadable.map((id) => byId.get(id)!));
    // An empty page ends the walk even if TotalCount disagrees.
    if (!scan.hasMore || raw.length === 0) break;
  }
  return { expiring, unreadable };
}

async function autoRenewOf(cloud: CloudGateway, regionId: string, instanceId: string): Promise<boolean | undefined> {
  const body = await cloud.read(ECS.describeInstanceAutoRenewAttribute, { RegionId: regionId, InstanceId: instanceId });
  const row = listOf(body, "InstanceRenewAttributes", "InstanceRenewAttribute").find((r) => str(r.InstanceId) === instanceId);
  const v = row?.AutoRenewEnabled;
  return typeof v === "boolean" ? v : typeof v === "string" ? v === "true" : undefined;
}

export interface ExpiryContext {
  cloud: CloudGateway;
  regionId: string;
  /** GROUP_POLICIES: each group's expiry policy. */
  policies: GroupPolicies;
  /** The scope tag, and the default policy and horizon (`config.expiry`). */
  config: Pick<HandlerConfig, "scope" | "expiry">;
  now: number;
}

/**
 * Decides and acts for one instance: `renew` → RenewInstance (ClientToken from
 * its current expiry, so a second scan or a redelivered event renews once),
 * `notify` → returned for the caller's alert, `let-expire` → nothing.
 */
export async function handleInstance(ctx: ExpiryContext, instance: BilledInstance, horizonDays: number): Promise<ExpiryResult> {
  const id = instance.InstanceId;
  const scope = decideScope(id, instance, ctx.config.scope);
  if (!scope.inScope) return { instanceId: id, kind: "out-of-scope", reason: scope.reason };
  const group = groupPolicyFor(ctx.policies, instance.tags);
  const policy = group?.expiry.policy ?? ctx.config.expiry.defaultPolicy;
  const label = groupLabel(ctx.policies, instance.tags);
  const autoRenew = policy === "renew" && instance.InstanceChargeType === "PrePaid" ? await autoRenewOf(ctx.cloud, ctx.regionId, id) : undefined;
  const decision = decideExpiry({
    policy,
    renewPeriod: group?.expiry.renewMonths ?? DEFAULT_RENEW_MONTHS,
    renewPeriodUnit: "Month",
    instance: { ...instance, ...(autoRenew !== undefined ? { AutoRenew: autoRenew } : {}) },
    now: ctx.now,
    horizonDays,
  });
  const base = { instanceId: id, ...(group ? { group: group.group } : {}) };
  switch (decision.kind) {
    case "renew":
      await ctx.cloud.mutate(ECS.renewInstance, { RegionId: ctx.regionId, ...decision.params }, id);
      return { ...base, kind: "renewed", reason: `${label}: ${decision.reason}`, daysLeft: decision.daysLeft };
    case "notify":
      return { ...base, kind: "notify", reason: `${label}: ${decision.reason}`, daysLeft: decision.daysLeft };
    case "nothing":
      return { ...base, kind: "nothing", reason: `${label}: ${decision.reason}` };
    case "not-applicable":
      return { ...base, kind: "not-applicable", reason: decision.reason };
    case "undecidable":
      return { ...base, kind: "undecidable", reason: decision.reason };
  }
}

const days = (d: number | undefined) => (d === undefined ? undefined : Math.round(d * 10) / 10);

/** E.g. "2 subscription instances expiring, not renewed automatically: i-a (2.9 days, group web), i-b (expiry unreadable)". */
export function expiryAlert(notify: readonly ExpiryResult[], extra: Record<string, unknown>): CriticalAlert {
  const one = (r: ExpiryResult) => `${r.instanceId} (${r.daysLeft === undefined ? "expiry unreadable" : `${days(r.daysLeft)} days`}${r.group ? `, group ${r.group}` : ""})`;
  const shown = notify.slice(0, 3).map(one).join(", ");
  const more = notify.length > 3 ? `, +${notify.length - 3} more` : "";
  const n = notify.length;
  return {
    name: EXPIRY_NOTICE_EVENT_NAME,
    summary: `${n} subscription instance${n === 1 ? "" : "s"} expiring, not renewed automatically: ${shown}${more}`,
    short: n === 1 ? `expiring: ${notify[0].instanceId}` : `${n} instances expiring`,
    detail: {
      ...extra,
      count: n,
      // One topic message stays small: the first 50, the count says the rest.
      instances: notify.slice(0, 50).map((r) => ({ instanceId: r.instanceId, group: r.group, daysLeft: days(r.daysLeft), reason: r.reason })),
    },
  };
}

/** One alert for every instance a person must look at (CRITICAL tier). */
export async function alertExpiring(alerts: AlertSink, results: ExpiryResult[], extra: Record<string, unknown>): Promise<void> {
  const notify = results.filter((r) => r.kind === "notify" || r.kind === "undecidable");
  if (notify.length === 0) return;
  await alerts.critical(expiryAlert(notify, extra));
}

/** The scan: decide and act for every expiring instance; notifications in one alert. */
export async function runExpiryScan(ctx: ExpiryContext, alerts: AlertSink): Promise<ExpiryResult[]> {
  const horizonDays = ctx.config.expiry.horizonDays;
  const { expiring, unreadable } = await scanExpiring(ctx.cloud, ctx.regionId, ctx.now, horizonDays);
  const results: ExpiryResult[] = [];
  // Unreadable ones go through the same path: decideExpiry says "undecidable" after the scope check.
  for (const instance of [...expiring, ...unreadable]) results.push(await handleInstance(ctx, instance, horizonDays));
  await alertExpiring(alerts, results, { source: "scan", regionId: ctx.regionId, horizonDays });
  return results;
}

export function summarizeResults(results: ExpiryResult[]): string {
  if (results.length === 0) return "no subscription instance expires within the horizon";
  return results.map((r) => `${r.instanceId}: ${r.kind} (${r.reason})`).join(" | ");
}
