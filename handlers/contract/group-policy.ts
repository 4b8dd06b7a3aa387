// What each application group wants done with its instances' events: the one
// schema the stack config (event-ops:groups, infra/config/schema.ts) and the
// handlers (GROUP_POLICIES, env.ts) both parse. What is left out takes the
// defaults written here, on both sides.
// zod/mini: bundled into every function; infra's classic schemas embed these as they are.
import * as z from "zod/mini";

export const SPOT_PATHS = ["function", "oos"] as const;
export const MAINTENANCE_POLICIES = ["proactive", "notify", "ignore"] as const;
export const EXPIRY_POLICIES = ["renew", "notify", "let-expire"] as const;
export type MaintenancePolicy = (typeof MAINTENANCE_POLICIES)[number];
export type ExpiryPolicy = (typeof EXPIRY_POLICIES)[number];

export type RenewPeriodUnit = "Month" | "Week";
/** Valid `Period` values of ECS RenewInstance per `PeriodUnit` (https://www.alibabacloud.com/help/en/ecs/api-renewinstance; Week per current docs). */
export const RENEW_PERIODS: Readonly<Record<RenewPeriodUnit, readonly number[]>> = {
  Month: [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36, 48, 60],
  Week: [1, 2, 3, 4],
};
/** Months a group may renew for: RenewInstance's Month periods, up to three years. */
const RENEW_MONTHS = RENEW_PERIODS.Month.filter((m) => m <= 36);
/** What a group's expiry policy renews for when it does not say, and what an instance in no group gets. */
export const DEFAULT_RENEW_MONTHS = 1;

/** Whole hours in UTC+8, the ECS convention for maintenance windows. */
const wholeHour = z.string().check(z.regex(/^([01]\d|2[0-3]):00$/, "expected a whole hour 'HH:00' (UTC+8)"));

/** `oos`: the group's spot interruptions are handled by its OOS template, not by spot-drain. */
export const spotPathSchema = z._default(z.enum(SPOT_PATHS, "expected function or oos"), "function");

/** Scheduled maintenance: plan our own action in the window (`proactive`), `notify`, or `ignore`. */
export const maintenancePolicySchema = z.strictObject({
  policy: z._default(z.enum(MAINTENANCE_POLICIES, "expected proactive, notify or ignore"), "notify"),
  /** The owner's window; absent: the instance's own ECS maintenance window. */
  window: z.optional(z.strictObject({ start: wholeHour, end: wholeHour })),
});

/** Subscription expiry: `renew` for `renewMonths`, `notify`, or `let-expire`. */
export const expiryPolicySchema = z.strictObject({
  policy: z._default(z.enum(EXPIRY_POLICIES, "expected renew, notify or let-expire"), "notify"),
  renewMonths: z._default(
    z.number().check(
      z.int("expected whole months"),
      z.gte(1, "expected at least 1"),
      z.lte(36, "expected at most 36"),
      z.refine((m) => RENEW_MONTHS.includes(m), `expected a RenewInstance period: ${RENEW_MONTHS.join(", ")} months`),
    ),
    DEFAULT_RENEW_MONTHS,
  ),
});

/** One group's entry in GROUP_POLICIES; a missing part is parsed from `{}`, so its defaults are the ones above. */
export const groupPolicySchema = z.strictObject({
  group: z.string().check(z.minLength(1, "expected the group name")),
  spotPath: spotPathSchema,
  maintenance: z.prefault(maintenancePolicySchema, {}),
  expiry: z.prefault(expiryPolicySchema, {}),
});

/** GROUP_POLICIES: which group an instance is in (its `tagKey` tag's value) and what that group wants. */
export const groupPoliciesSchema = z.strictObject(
  {
    tagKey: z.string().check(z.minLength(1, "expected the group tag key")),
    /** Tag value → policy. */
    groups: z.record(z.string(), groupPolicySchema),
  },
  "expected a JSON object {tagKey, groups}",
);

export type GroupPolicy = z.output<typeof groupPolicySchema>;
export type GroupPolicyInput = z.input<typeof groupPolicySchema>;
export type GroupPolicies = z.output<typeof groupPoliciesSchema>;

/** A group as infra declares it: its tag value and its (possibly partial) policy. */
export interface DeclaredGroup extends GroupPolicyInput {
  tagValue: string;
}

/** GROUP_POLICIES for the declared groups, defaults filled in by the one schema. */
export function groupPoliciesOf(tagKey: string, groups: readonly DeclaredGroup[]): GroupPolicies {
  return z.parse(groupPoliciesSchema, {
    tagKey,
    groups: Object.fromEntries(groups.map((g) => [g.tagValue, { group: g.group, spotPath: g.spotPath, maintenance: g.maintenance, expiry: g.expiry }])),
  });
}

/**
 * The group an instance is in: its `tagKey` tag's value, when that value names
 * a configured group. Own keys only: a tag value like `constructor` finds nothing.
 */
export function groupPolicyFor(policies: GroupPolicies | undefined, tags: Record<string, string>): GroupPolicy | undefined {
  if (!policies) return undefined;
  const value = tags[policies.tagKey];
  return value === undefined || !Object.hasOwn(policies.groups, value) ? undefined : policies.groups[value];
}

/** How a reason names the instance's group: `group web`, or `no group (app=unset), default policy`. */
export function groupLabel(policies: GroupPolicies, tags: Record<string, string>): string {
  const group = groupPolicyFor(policies, tags);
  return group ? `group ${group.group}` : `no group (${policies.tagKey}=${tags[policies.tagKey] ?? "unset"}), default policy`;
}
