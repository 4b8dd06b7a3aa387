// Limits infra and the handlers both hold to: one value each, so the stack
// config cannot allow what a handler would refuse (or the reverse).

/**
 * The longest drain wait (weight 0 → removal) anyone may configure: the spot
 * interruption notice comes about 5 minutes before the instance is released
 * (ECS event notifications, https://www.alibabacloud.com/help/doc-detail/143663.html),
 * and the wait, the capacity check, the removals and the FC deadline margin
 * must all fit well inside it. The function and the OOS template share it.
 */
export const DRAIN_WAIT_CEILING_SECONDS = 180;

/** A whole-number setting: its bounds and the default the handler applies when it is unset. */
export interface Range {
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}

/**
 * Every whole-number handler setting. The handler's env schema (env.ts) and
 * infra's automation config schema (infra/config/schema.ts) take their bounds
 * and defaults from here.
 */
export const RANGES = {
  drainWaitSeconds: { min: 0, max: DRAIN_WAIT_CEILING_SECONDS, default: 30 },
  minHealthyBackends: { min: 0, max: 100, default: 1 },
  lbConcurrency: { min: 1, max: 32, default: 4 },
  apiCallTimeoutMs: { min: 100, max: 60_000, default: 10_000 },
  apiMaxAttempts: { min: 1, max: 10, default: 5 },
  retryBaseDelayMs: { min: 0, max: 10_000, default: 200 },
  retryMaxDelayMs: { min: 0, max: 60_000, default: 5_000 },
  deadlineMarginSeconds: { min: 0, max: 600, default: 10 },
  /** No fixed default: the function timeout + MARKER_LEASE_EXTRA_SECONDS. */
  markerLeaseSeconds: { min: 1, max: 86_400 },
  maintenanceSafetyMarginMinutes: { min: 0, max: 24 * 60, default: 60 },
  maintenanceActionMinutes: { min: 1, max: 23 * 60, default: 30 },
  expiryHorizonDays: { min: 0, max: 365, default: 7 },
} as const satisfies Record<string, Range>;

/** The default marker lease outlives the function timeout by this much (a taken-over owner is gone: FC stops it at its timeout). */
export const MARKER_LEASE_EXTRA_SECONDS = 60;

/**
 * How CLBs holding an instance are found: `all` = every CLB of the region, each
 * one's default group and vServer groups; `server-id` = DescribeLoadBalancers?ServerId=
 * ("The ID of the backend server that is added to the CLB instance", API
 * reference). Whether ServerId also matches a server that is only in a vServer
 * group is unconfirmed (the DescribeLoadBalancerAttribute doc sends vServer
 * backends to DescribeVServerGroupAttribute), so the default is the scan and
 * `server-id` an opt-in for accounts that verified it.
 */
export const CLB_DISCOVERY_MODES = ["server-id", "all"] as const;
export type ClbDiscovery = (typeof CLB_DISCOVERY_MODES)[number];
export const DEFAULT_CLB_DISCOVERY: ClbDiscovery = "all";
