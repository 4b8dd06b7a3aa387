// The handler environment: the one contract between infra, which writes it
// (infra/stack.ts handlerEnvironment → toEnv), and every function, which reads
// it once per invocation (runtime/fc-entry.ts → parseEnv). Names, defaults and
// bounds live in this one schema; handlers/README.md lists them.
import * as z from "zod/mini";
import { groupPoliciesOf, groupPoliciesSchema, EXPIRY_POLICIES, MAINTENANCE_POLICIES, type DeclaredGroup, type ExpiryPolicy, type GroupPolicies, type MaintenancePolicy } from "./group-policy";
import { CLB_DISCOVERY_MODES, DEFAULT_CLB_DISCOVERY, RANGES, type ClbDiscovery, type Range } from "./limits";
import { OBJECT_PREFIXES } from "./objects";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** A whole number in the setting's range; its default when unset. */
const whole = (r: Range) =>
  z.pipe(
    z.string().check(z.regex(/^\d+$/, "expected a whole number")),
    z.pipe(z.transform(Number), z.number().check(z.gte(r.min, `expected at least ${r.min}`), z.lte(r.max, `expected at most ${r.max}`))),
  );
const wholeOr = (r: Range & { default: number }) => z.prefault(whole(r), String(r.default));
const flag = (fallback: boolean) =>
  z.prefault(
    z.pipe(
      z.enum(["true", "false", "1", "0"], "expected true or false"),
      z.transform((v: "true" | "false" | "1" | "0"): boolean => v === "true" || v === "1"),
    ),
    fallback ? "true" : "false",
  );
const required = z.string().check(z.trim(), z.minLength(1, "required"));
const choice = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) => z.prefault(z.enum(values, `expected ${values.join(" or ")}`), fallback);

/** Every variable a handler reads (besides endpoints and credentials, cloud/endpoints.ts and cloud/credentials.ts). */
export const ENV_SCHEMA = z.object({
  SCOPE_TAG_KEY: required,
  SCOPE_TAG_VALUE: required,
  SCOPE_REQUIRE_TAG_FOR_RELEASED: flag(false),
  DRY_RUN: flag(false),
  DRAIN_WAIT_SECONDS: wholeOr(RANGES.drainWaitSeconds),
  MIN_HEALTHY_BACKENDS: wholeOr(RANGES.minHealthyBackends),
  IDEMPOTENCY_BUCKET: required,
  IDEMPOTENCY_PREFIX: z.prefault(z.string(), OBJECT_PREFIXES.markers),
  PENDING_PREFIX: z.prefault(z.string(), OBJECT_PREFIXES.pending),
  MARKER_LEASE_SECONDS: z.optional(whole(RANGES.markerLeaseSeconds)),
  DEAD_LETTER_QUEUE: required,
  CLB_DISCOVERY: choice(CLB_DISCOVERY_MODES, DEFAULT_CLB_DISCOVERY),
  LB_CONCURRENCY: wholeOr(RANGES.lbConcurrency),
  API_CALL_TIMEOUT_MS: wholeOr(RANGES.apiCallTimeoutMs),
  API_MAX_ATTEMPTS: wholeOr(RANGES.apiMaxAttempts),
  RETRY_BASE_DELAY_MS: wholeOr(RANGES.retryBaseDelayMs),
  RETRY_MAX_DELAY_MS: wholeOr(RANGES.retryMaxDelayMs),
  DEADLINE_MARGIN_SECONDS: wholeOr(RANGES.deadlineMarginSeconds),
  MAINTENANCE_SAFETY_MARGIN_MINUTES: wholeOr(RANGES.maintenanceSafetyMarginMinutes),
  MAINTENANCE_ACTION_MINUTES: wholeOr(RANGES.maintenanceActionMinutes),
  MAINTENANCE_DEFAULT_POLICY: choice(MAINTENANCE_POLICIES, "notify"),
  EXPIRY_HORIZON_DAYS: wholeOr(RANGES.expiryHorizonDays),
  EXPIRY_DEFAULT_POLICY: choice(EXPIRY_POLICIES, "notify"),
  ALIBABA_CLOUD_ACCOUNT_ID: z.optional(z.string()),
  ALERT_TOPIC: z.optional(z.string().check(z.trim(), z.minLength(1, "expected an MNS topic name"))),
  ALERT_MAIL_ACCOUNT: z.optional(z.string().check(z.trim(), z.regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "expected a verified DirectMail sender address, e.g. alerts@mail.example.com"))),
  ALERT_SMS_SIGN_NAME: z.optional(z.string().check(z.trim(), z.minLength(1, "expected an approved SMS signature name"))),
  ALERT_SMS_TEMPLATE_CODE: z.optional(z.string().check(z.trim(), z.regex(/^SMS_\w+$/, "expected an approved SMS template code, e.g. SMS_123456789"))),
  /** JSON of group-policy.ts groupPoliciesSchema; parsed on its own so its errors name the path inside it. */
  GROUP_POLICIES: z.optional(z.string()),
});
export type EnvName = keyof z.input<typeof ENV_SCHEMA>;

/** What a handler works from: the environment, parsed once and typed. */
export interface HandlerConfig {
  scope: { tagKey: string; tagValue: string; requireTagForReleased: boolean };
  dryRun: boolean;
  drainWaitSeconds: number;
  minHealthyBackends: number;
  /** Markers (and oversized dead letters) in `bucket` under `prefix`; `leaseSeconds` unset = function timeout + MARKER_LEASE_EXTRA_SECONDS. */
  idempotency: { bucket: string; prefix: string; leaseSeconds?: number };
  /** Pending maintenance actions, in the same bucket. */
  pendingPrefix: string;
  deadLetterQueue: string;
  clbDiscovery: ClbDiscovery;
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
  /** GROUP_POLICIES; absent when the variable is unset (maintenance and expiry require it). */
  groupPolicies?: GroupPolicies;
  maintenance: {
    /** Slack kept between the end of our action and notBefore. */
    safetyMarginMinutes: number;
    /** Drain + action + recovery: the length of a slot. */
    actionDurationMinutes: number;
    /** For instances in no configured group. */
    defaultPolicy: MaintenancePolicy;
  };
  expiry: {
    /** The scan acts on instances expiring within this many days. */
    horizonDays: number;
    /** For instances in no configured group. */
    defaultPolicy: ExpiryPolicy;
  };
}

/** The set variables: an empty value counts as unset, so its default applies. */
function presentEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
}

const trimSlashes = (prefix: string) => prefix.replace(/^\/+|\/+$/g, "");

/** Every problem at once, each naming its variable, what is allowed and what it got. */
export function parseEnv(env: Record<string, string | undefined>): HandlerConfig {
  const input = presentEnv(env);
  const result = z.safeParse(ENV_SCHEMA, input);
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
    drainWaitSeconds: e.DRAIN_WAIT_SECONDS,
    minHealthyBackends: e.MIN_HEALTHY_BACKENDS,
    idempotency: { bucket: e.IDEMPOTENCY_BUCKET, prefix: trimSlashes(e.IDEMPOTENCY_PREFIX), leaseSeconds: e.MARKER_LEASE_SECONDS },
    pendingPrefix: trimSlashes(e.PENDING_PREFIX),
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
    maintenance: { safetyMarginMinutes: e.MAINTENANCE_SAFETY_MARGIN_MINUTES, actionDurationMinutes: e.MAINTENANCE_ACTION_MINUTES, defaultPolicy: e.MAINTENANCE_DEFAULT_POLICY },
    expiry: { horizonDays: e.EXPIRY_HORIZON_DAYS, defaultPolicy: e.EXPIRY_DEFAULT_POLICY },
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
  const parsed = z.safeParse(groupPoliciesSchema, json);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`env GROUP_POLICIES: ${i.path.map(String).join(".") || "(top level)"}: ${i.message}`);
    return undefined;
  }
  return parsed.data;
}

/** GROUP_POLICIES, for the handlers that decide per group; a ConfigError naming the variable when it is unset. */
export function requireGroupPolicies(config: HandlerConfig, handler: string): GroupPolicies {
  if (!config.groupPolicies) throw new ConfigError(`invalid ${handler} configuration: env GROUP_POLICIES: required (JSON {tagKey, groups}): which group an instance is in decides what to do`);
  return config.groupPolicies;
}

/**
 * The handler settings of the automation config (event-ops:automation,
 * infra/config/schema.ts validates them against limits.ts). The optional ones
 * are tuning: left out, the handler's default applies.
 */
export interface AutomationSettings {
  scopeTag: { key: string; value: string; requireForReleased?: boolean };
  dryRun: boolean;
  drainWaitSeconds: number;
  minHealthyBackends: number;
  alerts: { mailAccount?: string; smsSignName?: string; smsTemplateCode?: string };
  markerLeaseSeconds?: number;
  deadlineMarginSeconds?: number;
  loadBalancers?: { clbDiscovery?: ClbDiscovery; concurrency?: number };
  api?: { callTimeoutMs?: number; maxAttempts?: number; retryBaseDelayMs?: number; retryMaxDelayMs?: number };
  maintenance?: { safetyMarginMinutes?: number; actionMinutes?: number; defaultPolicy?: MaintenancePolicy };
  expiry?: { horizonDays?: number; defaultPolicy?: ExpiryPolicy };
}

/** What infra deploys the handlers with. `V`: a value known only at deploy time (a `pulumi.Input<string>` in infra). */
export interface DeploySettings<V> {
  automation: AutomationSettings;
  /** The tag whose values name the application groups, and the groups. */
  groupTagKey: string;
  groups: readonly DeclaredGroup[];
  markerBucket: V;
  deadLetterQueue: V;
  alertTopic: V;
  accountId: V;
}

/**
 * The environment every function gets. Tuning variables are written only when
 * the automation config sets them, so a stack that sets none gets exactly the
 * variables it always had.
 */
export function toEnv<V>(s: DeploySettings<V>): Partial<Record<EnvName, string | V>> {
  const a = s.automation;
  const env: Partial<Record<EnvName, string | V>> = {
    SCOPE_TAG_KEY: a.scopeTag.key,
    SCOPE_TAG_VALUE: a.scopeTag.value,
    DRY_RUN: String(a.dryRun),
    DRAIN_WAIT_SECONDS: String(a.drainWaitSeconds),
    MIN_HEALTHY_BACKENDS: String(a.minHealthyBackends),
    IDEMPOTENCY_BUCKET: s.markerBucket,
    IDEMPOTENCY_PREFIX: OBJECT_PREFIXES.markers,
    PENDING_PREFIX: OBJECT_PREFIXES.pending,
    DEAD_LETTER_QUEUE: s.deadLetterQueue,
    ALERT_TOPIC: s.alertTopic,
    ...(a.alerts.mailAccount ? { ALERT_MAIL_ACCOUNT: a.alerts.mailAccount } : {}),
    ...(a.alerts.smsSignName && a.alerts.smsTemplateCode ? { ALERT_SMS_SIGN_NAME: a.alerts.smsSignName, ALERT_SMS_TEMPLATE_CODE: a.alerts.smsTemplateCode } : {}),
    ALIBABA_CLOUD_ACCOUNT_ID: s.accountId,
    GROUP_POLICIES: JSON.stringify(groupPoliciesOf(s.groupTagKey, s.groups)),
  };
  const tuning: [EnvName, string | number | boolean | undefined][] = [
    ["SCOPE_REQUIRE_TAG_FOR_RELEASED", a.scopeTag.requireForReleased],
    ["MARKER_LEASE_SECONDS", a.markerLeaseSeconds],
    ["DEADLINE_MARGIN_SECONDS", a.deadlineMarginSeconds],
    ["CLB_DISCOVERY", a.loadBalancers?.clbDiscovery],
    ["LB_CONCURRENCY", a.loadBalancers?.concurrency],
    ["API_CALL_TIMEOUT_MS", a.api?.callTimeoutMs],
    ["API_MAX_ATTEMPTS", a.api?.maxAttempts],
    ["RETRY_BASE_DELAY_MS", a.api?.retryBaseDelayMs],
    ["RETRY_MAX_DELAY_MS", a.api?.retryMaxDelayMs],
    ["MAINTENANCE_SAFETY_MARGIN_MINUTES", a.maintenance?.safetyMarginMinutes],
    ["MAINTENANCE_ACTION_MINUTES", a.maintenance?.actionMinutes],
    ["MAINTENANCE_DEFAULT_POLICY", a.maintenance?.defaultPolicy],
    ["EXPIRY_HORIZON_DAYS", a.expiry?.horizonDays],
    ["EXPIRY_DEFAULT_POLICY", a.expiry?.defaultPolicy],
  ];
  for (const [name, value] of tuning) if (value !== undefined) env[name] = String(value);
  return env;
}
