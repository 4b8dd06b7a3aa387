// Handler configuration, parsed once from the environment at the edge.
import * as z from "zod/mini";

/** Hard ceiling for the drain wait: the spot notice is 5 minutes, removal must still fit. */
export const DRAIN_WAIT_CEILING_SECONDS = 240;

/** An env variable holding a whole number in [min, max]; `fallback` when unset. */
export const wholeNumber = (fallback: number, min: number, max: number) =>
  z.prefault(
    z.pipe(
      z.string().check(z.regex(/^\d+$/, "expected a whole number")),
      z.pipe(z.transform(Number), z.number().check(z.gte(min, `expected at least ${min}`), z.lte(max, `expected at most ${max}`))),
    ),
    String(fallback),
  );
const flag = (fallback: boolean) =>
  z.prefault(
    z.pipe(
      z.enum(["true", "false", "1", "0"], "expected true or false"),
      z.transform((v: "true" | "false" | "1" | "0"): boolean => v === "true" || v === "1"),
    ),
    fallback ? "true" : "false",
  );
const required = z.string().check(z.trim(), z.minLength(1, "required"));

const EnvSchema = z.object({
  SCOPE_TAG_KEY: required,
  SCOPE_TAG_VALUE: required,
  SCOPE_REQUIRE_TAG_FOR_RELEASED: flag(false),
  DRY_RUN: flag(false),
  DRAIN_WAIT_SECONDS: wholeNumber(30, 0, DRAIN_WAIT_CEILING_SECONDS),
  MAX_DRAIN_WAIT_SECONDS: wholeNumber(180, 0, DRAIN_WAIT_CEILING_SECONDS),
  MIN_HEALTHY_BACKENDS: wholeNumber(1, 0, 1000),
  IDEMPOTENCY_BUCKET: required,
  IDEMPOTENCY_PREFIX: z.prefault(z.string(), "event-ops/markers"),
  DEAD_LETTER_QUEUE: required,
  CLB_DISCOVERY: z.prefault(z.enum(["server-id", "all"], "expected server-id or all"), "server-id"),
  LB_CONCURRENCY: wholeNumber(4, 1, 32),
  API_CALL_TIMEOUT_MS: wholeNumber(10_000, 100, 60_000),
  API_MAX_ATTEMPTS: wholeNumber(5, 1, 10),
  RETRY_BASE_DELAY_MS: wholeNumber(200, 0, 10_000),
  RETRY_MAX_DELAY_MS: wholeNumber(5_000, 0, 60_000),
  DEADLINE_MARGIN_SECONDS: wholeNumber(10, 0, 600),
  MARKER_LEASE_SECONDS: z.optional(wholeNumber(0, 1, 86_400)),
  ALIBABA_CLOUD_ACCOUNT_ID: z.optional(z.string()),
  ALERT_TOPIC: z.optional(z.string().check(z.trim(), z.minLength(1, "expected an MNS topic name"))),
  ALERT_MAIL_ACCOUNT: z.optional(z.string().check(z.trim(), z.regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "expected a verified DirectMail sender address, e.g. alerts@mail.example.com"))),
  ALERT_SMS_SIGN_NAME: z.optional(z.string().check(z.trim(), z.minLength(1, "expected an approved SMS signature name"))),
  ALERT_SMS_TEMPLATE_CODE: z.optional(z.string().check(z.trim(), z.regex(/^SMS_\w+$/, "expected an approved SMS template code, e.g. SMS_123456789"))),
  GROUP_POLICIES: z.optional(z.string()),
});

const wholeHour = z.string().check(z.regex(/^([01]\d|2[0-3]):00$/, "expected a whole hour 'HH:00' (UTC+8)"));

// What infra (infra/stack.ts handlerEnvironment) writes, one entry per group tag value.
// Defaults match the infra schema's, so an older or hand-written value still parses.
const GroupPoliciesSchema = z.object({
  tagKey: z.string().check(z.minLength(1, "expected the group tag key")),
  groups: z.record(
    z.string(),
    z.looseObject({
      group: z.string().check(z.minLength(1, "expected the group name")),
      spotPath: z._default(z.enum(["function", "oos"], "expected function or oos"), "function"),
      maintenance: z._default(
        z.looseObject({
          policy: z.enum(["proactive", "notify", "ignore"], "expected proactive, notify or ignore"),
          window: z.optional(z.object({ start: wholeHour, end: wholeHour })),
        }),
        { policy: "notify" },
      ),
      expiry: z._default(
        z.looseObject({
          policy: z.enum(["renew", "notify", "let-expire"], "expected renew, notify or let-expire"),
          renewMonths: z._default(z.number().check(z.int("expected whole months"), z.gte(1, "expected at least 1"), z.lte(36, "expected at most 36")), 1),
        }),
        { policy: "notify", renewMonths: 1 },
      ),
    }),
  ),
}, "expected a JSON object {tagKey, groups}");

/** One application group's automation policies, keyed by its tag value in {@link GroupPolicies}. */
export interface GroupPolicy {
  group: string;
  /** `oos`: the group's spot interruptions are handled by its OOS template, not by spot-drain. */
  spotPath: "function" | "oos";
  maintenance: { policy: "proactive" | "notify" | "ignore"; window?: { start: string; end: string } };
  expiry: { policy: "renew" | "notify" | "let-expire"; renewMonths: number };
}

/** GROUP_POLICIES: which group an instance is in (its `tagKey` tag's value) and what that group wants. */
export interface GroupPolicies {
  tagKey: string;
  /** Tag value → policy. */
  groups: Record<string, GroupPolicy>;
}

export interface HandlerConfig {
  scope: { tagKey: string; tagValue: string; requireTagForReleased: boolean };
  dryRun: boolean;
  /** The configured wait, already bounded by maxDrainWaitSeconds. */
  drainWaitSeconds: number;
  minHealthyBackends: number;
  idempotency: { bucket: string; prefix: string; leaseSeconds?: number };
  deadLetterQueue: string;
  clbDiscovery: "server-id" | "all";
  lbConcurrency: number;
  api: { callTimeoutMs: number; maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  deadlineMarginMs: number;
  accountId?: string;
  /** ALERT_TOPIC: MNS topic CRITICAL alerts are published to (its subscriptions reach people). */
  alertTopic?: string;
  /** ALERT_MAIL_ACCOUNT: the DirectMail sender the topic's mail subscriptions send from. */
  alertMail?: { accountName: string };
  /** ALERT_SMS_SIGN_NAME + ALERT_SMS_TEMPLATE_CODE: signature and template (one variable, `${alert}`) of the topic's SMS subscriptions. */
  alertSms?: { signName: string; templateCode: string };
  /** GROUP_POLICIES, parsed once here for every handler; absent when the variable is unset. */
  groupPolicies?: GroupPolicies;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The set variables: an empty value counts as unset, so its default applies. */
export function presentEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
}

export function parseConfig(env: Record<string, string | undefined>): HandlerConfig {
  const input = presentEnv(env);
  const result = z.safeParse(EnvSchema, input);
  const problems = result.success
    ? []
    : result.error.issues.map((i) => {
        const key = String(i.path[0]);
        const got = input[key] === undefined ? "unset" : JSON.stringify(input[key]);
        return `env ${key}: ${i.message} (got ${got})`;
      });
  const groupPolicies = input.GROUP_POLICIES === undefined ? undefined : parseGroupPolicies(input.GROUP_POLICIES, problems);
  problems.push(...smsPairProblems(input));
  if (!result.success || problems.length) throw new ConfigError(`invalid handler configuration: ${problems.join("; ")}`);
  const e = result.data;
  return {
    scope: { tagKey: e.SCOPE_TAG_KEY, tagValue: e.SCOPE_TAG_VALUE, requireTagForReleased: e.SCOPE_REQUIRE_TAG_FOR_RELEASED },
    dryRun: e.DRY_RUN,
    drainWaitSeconds: Math.min(e.DRAIN_WAIT_SECONDS, e.MAX_DRAIN_WAIT_SECONDS),
    minHealthyBackends: e.MIN_HEALTHY_BACKENDS,
    idempotency: { bucket: e.IDEMPOTENCY_BUCKET, prefix: e.IDEMPOTENCY_PREFIX.replace(/^\/+|\/+$/g, ""), leaseSeconds: e.MARKER_LEASE_SECONDS },
    deadLetterQueue: e.DEAD_LETTER_QUEUE,
    clbDiscovery: e.CLB_DISCOVERY,
    lbConcurrency: e.LB_CONCURRENCY,
    api: { callTimeoutMs: e.API_CALL_TIMEOUT_MS, maxAttempts: e.API_MAX_ATTEMPTS, baseDelayMs: e.RETRY_BASE_DELAY_MS, maxDelayMs: e.RETRY_MAX_DELAY_MS },
    deadlineMarginMs: e.DEADLINE_MARGIN_SECONDS * 1000,
    accountId: e.ALIBABA_CLOUD_ACCOUNT_ID,
    alertTopic: e.ALERT_TOPIC,
    ...(e.ALERT_MAIL_ACCOUNT ? { alertMail: { accountName: e.ALERT_MAIL_ACCOUNT } } : {}),
    ...(e.ALERT_SMS_SIGN_NAME && e.ALERT_SMS_TEMPLATE_CODE ? { alertSms: { signName: e.ALERT_SMS_SIGN_NAME, templateCode: e.ALERT_SMS_TEMPLATE_CODE } } : {}),
    groupPolicies,
  };
}

/** An SMS needs both its signature and its template: half a pair is a mistake, not "SMS off". */
function smsPairProblems(input: Record<string, string | undefined>): string[] {
  const sign = input.ALERT_SMS_SIGN_NAME?.trim() || undefined;
  const template = input.ALERT_SMS_TEMPLATE_CODE?.trim() || undefined;
  if (sign && !template) return [`env ALERT_SMS_TEMPLATE_CODE: required when ALERT_SMS_SIGN_NAME is set (SMS alerts need both, or neither to send none) (got unset)`];
  if (template && !sign) return [`env ALERT_SMS_SIGN_NAME: required when ALERT_SMS_TEMPLATE_CODE is set (SMS alerts need both, or neither to send none) (got unset)`];
  return [];
}

/** JSON, then the schema; problems are reported with their path inside the variable. */
function parseGroupPolicies(text: string, problems: string[]): GroupPolicies | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    problems.push(`env GROUP_POLICIES: not JSON (${(err as Error).message}); expected {"tagKey": ..., "groups": {<tag value>: {group, spotPath, maintenance, expiry}}}`);
    return undefined;
  }
  const parsed = z.safeParse(GroupPoliciesSchema, json);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`env GROUP_POLICIES: ${i.path.map(String).join(".") || "(top level)"}: ${i.message}`);
    return undefined;
  }
  return parsed.data as GroupPolicies;
}

/** The policy of the group an instance belongs to, from its tags; undefined when it is in no known group. */
export function groupPolicyFor(policies: GroupPolicies | undefined, tags: Record<string, string>): GroupPolicy | undefined {
  if (!policies) return undefined;
  const value = tags[policies.tagKey];
  return value === undefined || !Object.hasOwn(policies.groups, value) ? undefined : policies.groups[value];
}
