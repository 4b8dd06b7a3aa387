// The infra ↔ handler contract (handlers/contract/): what infra writes, the
// handlers read back; one schema of bounds and defaults on both sides.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { HANDLER_NAMES } from "../../handlers/catalogue";
import {
  ConfigError,
  ENV_SCHEMA,
  OBJECT_PREFIXES,
  RANGES,
  TIMERS,
  groupPolicyFor,
  isTick,
  objectPrefixesFor,
  parseEnv,
  toEnv,
  type AutomationSettings,
  type DeploySettings,
} from "../../handlers/contract";
import { validateConfig, type RawConfig } from "../../infra/config/validate";
import { BASE_ENV } from "./doubles/harness";

const deployed = (automation: Partial<AutomationSettings> = {}): DeploySettings<string> => ({
  automation: { scopeTag: { key: "managed", value: "yes" }, dryRun: false, drainWaitSeconds: 45, minHealthyBackends: 2, alerts: {}, ...automation },
  groupTagKey: "app",
  groups: [
    { tagValue: "web", group: "web", spotPath: "oos", maintenance: { policy: "proactive", window: { start: "02:00", end: "05:00" } } },
    { tagValue: "db", group: "database" },
  ],
  markerBucket: "bucket-1",
  deadLetterQueue: "dlq-1",
  alertTopic: "topic-1",
  accountId: "1000000000000000",
});

describe("handler contract: toEnv → parseEnv", () => {
  it("writes exactly the variables a stack without tuning always had", () => {
    const env = toEnv(deployed());
    assert.deepEqual(Object.keys(env).sort(), [
      "ALERT_TOPIC",
      "ALIBABA_CLOUD_ACCOUNT_ID",
      "DEAD_LETTER_QUEUE",
      "DRAIN_WAIT_SECONDS",
      "DRY_RUN",
      "GROUP_POLICIES",
      "IDEMPOTENCY_BUCKET",
      "IDEMPOTENCY_PREFIX",
      "MIN_HEALTHY_BACKENDS",
      "PENDING_PREFIX",
      "SCOPE_TAG_KEY",
      "SCOPE_TAG_VALUE",
    ]);
    assert.equal(env.IDEMPOTENCY_PREFIX, OBJECT_PREFIXES.markers);
    assert.equal(env.PENDING_PREFIX, OBJECT_PREFIXES.pending);
    // Left-out parts take the one schema's defaults, in the key order the handlers always saw.
    assert.equal(
      env.GROUP_POLICIES,
      JSON.stringify({
        tagKey: "app",
        groups: {
          web: { group: "web", spotPath: "oos", maintenance: { policy: "proactive", window: { start: "02:00", end: "05:00" } }, expiry: { policy: "notify", renewMonths: 1 } },
          db: { group: "database", spotPath: "function", maintenance: { policy: "notify" }, expiry: { policy: "notify", renewMonths: 1 } },
        },
      }),
    );
  });

  it("writes a tuning variable only when the automation config sets it, and the handler reads back what was set", () => {
    const tuned = toEnv(
      deployed({
        scopeTag: { key: "managed", value: "yes", requireForReleased: true },
        markerLeaseSeconds: 900,
        deadlineMarginSeconds: 20,
        loadBalancers: { clbDiscovery: "all", concurrency: 8 },
        api: { callTimeoutMs: 3000, maxAttempts: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 2000 },
        maintenance: { safetyMarginMinutes: 90, actionMinutes: 45, defaultPolicy: "ignore" },
        expiry: { horizonDays: 14, defaultPolicy: "let-expire" },
      }),
    );
    const config = parseEnv(tuned as Record<string, string>);
    assert.equal(config.scope.requireTagForReleased, true);
    assert.equal(config.idempotency.leaseSeconds, 900);
    assert.equal(config.deadlineMarginMs, 20_000);
    assert.equal(config.clbDiscovery, "all");
    assert.equal(config.lbConcurrency, 8);
    assert.deepEqual(config.api, { callTimeoutMs: 3000, maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2000 });
    assert.deepEqual(config.maintenance, { safetyMarginMinutes: 90, actionDurationMinutes: 45, defaultPolicy: "ignore" });
    assert.deepEqual(config.expiry, { horizonDays: 14, defaultPolicy: "let-expire" });
    assert.equal(config.drainWaitSeconds, 45);
    assert.equal(config.minHealthyBackends, 2);
    assert.equal(config.groupPolicies?.groups.db.expiry.renewMonths, 1);
    for (const name of Object.keys(tuned)) assert.ok(Object.hasOwn(ENV_SCHEMA.shape, name), `${name} is not in the env schema`);
  });

  it("applies the contract's defaults when a stack sets no tuning", () => {
    const config = parseEnv(toEnv(deployed()) as Record<string, string>);
    assert.equal(config.lbConcurrency, RANGES.lbConcurrency.default);
    assert.equal(config.deadlineMarginMs, RANGES.deadlineMarginSeconds.default * 1000);
    assert.deepEqual(config.api, { callTimeoutMs: RANGES.apiCallTimeoutMs.default, maxAttempts: RANGES.apiMaxAttempts.default, baseDelayMs: RANGES.retryBaseDelayMs.default, maxDelayMs: RANGES.retryMaxDelayMs.default });
    assert.deepEqual(config.maintenance, { safetyMarginMinutes: RANGES.maintenanceSafetyMarginMinutes.default, actionDurationMinutes: RANGES.maintenanceActionMinutes.default, defaultPolicy: "notify" });
    assert.deepEqual(config.expiry, { horizonDays: RANGES.expiryHorizonDays.default, defaultPolicy: "notify" });
    assert.equal(config.idempotency.leaseSeconds, undefined, "unset: the function timeout + 60 s");
    assert.equal(config.pendingPrefix, OBJECT_PREFIXES.pending);
  });

  const variables: [string, keyof typeof RANGES][] = [
    ["DRAIN_WAIT_SECONDS", "drainWaitSeconds"],
    ["MIN_HEALTHY_BACKENDS", "minHealthyBackends"],
    ["LB_CONCURRENCY", "lbConcurrency"],
    ["API_MAX_ATTEMPTS", "apiMaxAttempts"],
    ["MARKER_LEASE_SECONDS", "markerLeaseSeconds"],
    ["MAINTENANCE_ACTION_MINUTES", "maintenanceActionMinutes"],
    ["EXPIRY_HORIZON_DAYS", "expiryHorizonDays"],
  ];
  for (const [name, range] of variables) {
    it(`${name}: the handler takes ${RANGES[range].max} and refuses ${RANGES[range].max + 1}, naming the variable`, () => {
      const env = toEnv(deployed()) as Record<string, string>;
      assert.doesNotThrow(() => parseEnv({ ...env, [name]: String(RANGES[range].max) }));
      assert.throws(() => parseEnv({ ...env, [name]: String(RANGES[range].max + 1) }), new RegExp(`env ${name}: expected at most ${RANGES[range].max}`));
    });
  }
});

describe("handler contract: timers and object prefixes", () => {
  it("tells each timer's tick from anything else", () => {
    assert.equal(isTick("maintenance", { reconcile: true }), true);
    assert.equal(isTick("maintenance", { reconcile: "true" }), false);
    assert.equal(isTick("maintenance", { scan: "expiry" }), false);
    assert.equal(isTick("expiry", { scan: "expiry" }), true);
    assert.equal(isTick("expiry", ["scan"]), false);
    assert.equal(isTick("spot-drain", {}), false, "not its timer's payload: never a tick");
    assert.equal(isTick("spot-drain", { sweep: true }), true);
    assert.equal(isTick("state-record", { sweep: true }), false, "no timer: never a tick");
    // Every destructive handler ticks (its sweeper resumes claims whose owner died: runtime/sweeper.ts).
    assert.deepEqual(Object.keys(TIMERS).sort(), ["expiry", "instance-cleanup", "maintenance", "spot-drain"]);
  });

  it("gives maintenance the markers and pending prefixes, every other handler the markers only", () => {
    for (const h of HANDLER_NAMES) {
      assert.deepEqual(objectPrefixesFor(h), h === "maintenance" ? [OBJECT_PREFIXES.markers, OBJECT_PREFIXES.pending] : [OBJECT_PREFIXES.markers]);
    }
  });
});

describe("handler contract: infra's automation config holds the same bounds", () => {
  function config(automation: Record<string, unknown>, groups?: unknown[]): RawConfig {
    return {
      stack: "test",
      region: "cn-hangzhou",
      isSecret: () => true,
      values: {
        tags: { groupBy: "app", keys: { app: { values: ["web"] }, managed: { values: ["yes"] } } },
        ...(groups ? { groups } : {}),
        contacts: [{ name: "ann", email: "ann@example.com", phone: "+8613800000000" }],
        contactGroups: [{ name: "oncall", role: "oncall", members: ["ann"] }],
        tiers: {
          CRITICAL: { contactGroups: ["oncall"], channels: "phone", silenceSeconds: 300 },
          WARN: { contactGroups: ["oncall"], channels: "sms", silenceSeconds: 600 },
          INFO: { contactGroups: ["oncall"], channels: "chat", silenceSeconds: 3600 },
        },
        automation: { scopeTag: { key: "managed", value: "yes" }, alerts: { mailAccount: "alerts@mail.example.com" }, ...automation },
      },
    };
  }
  const issues = (raw: RawConfig) => {
    const r = validateConfig(raw);
    return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
  };

  it("accepts every tuning field at its bounds", () => {
    const raw = config({
      drainWaitSeconds: RANGES.drainWaitSeconds.max,
      loadBalancers: { clbDiscovery: "all", concurrency: RANGES.lbConcurrency.max },
      api: { callTimeoutMs: RANGES.apiCallTimeoutMs.min, maxAttempts: RANGES.apiMaxAttempts.max, retryBaseDelayMs: 0, retryMaxDelayMs: RANGES.retryMaxDelayMs.max },
      maintenance: { safetyMarginMinutes: 0, actionMinutes: RANGES.maintenanceActionMinutes.max, defaultPolicy: "proactive" },
      expiry: { horizonDays: RANGES.expiryHorizonDays.max, defaultPolicy: "renew" },
      markerLeaseSeconds: 600,
      deadlineMarginSeconds: 30,
    });
    assert.deepEqual(issues(raw), []);
  });

  const refused: [string, Record<string, unknown>, RegExp][] = [
    ["a drain wait past the ceiling", { drainWaitSeconds: RANGES.drainWaitSeconds.max + 1 }, /^event-ops:automation\.drainWaitSeconds: /],
    ["an LB concurrency past its bound", { loadBalancers: { concurrency: RANGES.lbConcurrency.max + 1 } }, /^event-ops:automation\.loadBalancers\.concurrency: /],
    ["an unknown CLB discovery mode", { loadBalancers: { clbDiscovery: "some" } }, /^event-ops:automation\.loadBalancers\.clbDiscovery: /],
    ["a typo in a tuning block", { api: { retries: 3 } }, /^event-ops:automation\.api/],
    ["a marker lease no longer than the timeout", { timeoutSeconds: 280, markerLeaseSeconds: 280 }, /^event-ops:automation\.markerLeaseSeconds: must be longer than timeoutSeconds \(280\)/],
    ["a deadline margin as long as the timeout", { timeoutSeconds: 30, deadlineMarginSeconds: 30 }, /^event-ops:automation\.deadlineMarginSeconds: must be shorter than timeoutSeconds \(30\)/],
  ];
  for (const [what, automation, message] of refused) {
    it(`refuses ${what}, at its config path`, () => {
      const found = issues(config(automation));
      assert.ok(found.some((i) => message.test(i)), found.join("\n") || "no issue");
    });
  }

  it("checks a group's policy with the handlers' own schema", () => {
    const found = issues(config({}, [{ name: "web", maintenance: { policy: "sometimes" }, expiry: { renewMonths: 40 } }]));
    assert.ok(found.some((i) => /^event-ops:groups\[0\]\.maintenance\.policy: .*"proactive", "notify", "ignore"/.test(i)), found.join("\n"));
    assert.ok(found.some((i) => /^event-ops:groups\[0\]\.expiry\.renewMonths: expected at most 36/.test(i)), found.join("\n"));
    const period = issues(config({}, [{ name: "web", expiry: { policy: "renew", renewMonths: 10 } }]));
    assert.ok(period.some((i) => /^event-ops:groups\[0\]\.expiry\.renewMonths: expected a RenewInstance period/.test(i)), period.join("\n"));
  });
});

const policies = {
  tagKey: "app",
  groups: {
    web: { group: "web-tier", spotPath: "oos", maintenance: { policy: "proactive", window: { start: "02:00", end: "05:00" } }, expiry: { policy: "renew", renewMonths: 3 } },
    batch: { group: "batch" },
  },
};

describe("handler config: GROUP_POLICIES and ALERT_TOPIC", () => {
  it("parses GROUP_POLICIES once, with the infra schema's defaults for what is left out", () => {
    const config = parseEnv({ ...BASE_ENV, GROUP_POLICIES: JSON.stringify(policies) });
    assert.deepEqual(config.groupPolicies, {
      tagKey: "app",
      groups: {
        web: policies.groups.web,
        batch: { group: "batch", spotPath: "function", maintenance: { policy: "notify" }, expiry: { policy: "notify", renewMonths: 1 } },
      },
    });
    assert.equal(config.alertTopic, "event-ops-critical");
    assert.equal(groupPolicyFor(config.groupPolicies, { app: "web" })?.group, "web-tier");
    assert.equal(groupPolicyFor(config.groupPolicies, { app: "toString" }), undefined, "only the configured tag values");
    assert.equal(groupPolicyFor(config.groupPolicies, {}), undefined);
  });

  it("leaves both optional: unset means no group policies and no alert topic", () => {
    const { ALERT_TOPIC: _unused, ...env } = BASE_ENV;
    const config = parseEnv(env);
    assert.equal(config.groupPolicies, undefined);
    assert.equal(config.alertTopic, undefined);
    assert.equal(groupPolicyFor(config.groupPolicies, { app: "web" }), undefined);
  });

  const malformed: [string, string, RegExp][] = [
    ["not JSON", "{app", /env GROUP_POLICIES: not JSON .*expected \{"tagKey"/],
    ["not an object", "[]", /env GROUP_POLICIES: \(top level\): expected a JSON object \{tagKey, groups\}/],
    ["an unknown spot path", JSON.stringify({ ...policies, groups: { web: { group: "w", spotPath: "lambda" } } }), /env GROUP_POLICIES: groups\.web\.spotPath: expected function or oos/],
    ["a window off the hour", JSON.stringify({ ...policies, groups: { web: { group: "w", maintenance: { policy: "proactive", window: { start: "02:30", end: "05:00" } } } } }), /groups\.web\.maintenance\.window\.start: expected a whole hour/],
    ["renewMonths out of range", JSON.stringify({ ...policies, groups: { web: { group: "w", expiry: { policy: "renew", renewMonths: 40 } } } }), /groups\.web\.expiry\.renewMonths: expected at most 36/],
    ["a renewal period RenewInstance refuses", JSON.stringify({ ...policies, groups: { web: { group: "w", expiry: { policy: "renew", renewMonths: 10 } } } }), /groups\.web\.expiry\.renewMonths: expected a RenewInstance period: 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36 months/],
    ["an unknown field (a typo)", JSON.stringify({ ...policies, groups: { web: { group: "w", spotpath: "oos" } } }), /groups\.web: Unrecognized key: "spotpath"/],
    ["no tag key", JSON.stringify({ groups: {} }), /env GROUP_POLICIES: tagKey:/],
  ];
  for (const [what, value, message] of malformed) {
    it(`names GROUP_POLICIES and the path when it has ${what}`, () => {
      assert.throws(() => parseEnv({ ...BASE_ENV, GROUP_POLICIES: value }), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }

  it("reports GROUP_POLICIES problems together with the other variables'", () => {
    assert.throws(() => parseEnv({ ...BASE_ENV, DRY_RUN: "maybe", GROUP_POLICIES: "{" }), (e: unknown) => e instanceof ConfigError && /env DRY_RUN: .*; env GROUP_POLICIES: not JSON/.test(e.message));
  });
});

describe("handler config: alert mail and SMS", () => {
  it("leaves mail and SMS off when unset, and parses them when set", () => {
    const off = parseEnv(BASE_ENV);
    assert.equal(off.alertMail, undefined);
    assert.equal(off.alertSms, undefined);
    const on = parseEnv({ ...BASE_ENV, ALERT_MAIL_ACCOUNT: " alerts@mail.example.com ", ALERT_SMS_SIGN_NAME: "EventOps", ALERT_SMS_TEMPLATE_CODE: "SMS_465000001" });
    assert.deepEqual(on.alertMail, { accountName: "alerts@mail.example.com" });
    assert.deepEqual(on.alertSms, { signName: "EventOps", templateCode: "SMS_465000001" });
  });

  const halfPairs: [string, Record<string, string>, RegExp][] = [
    ["only the sign name", { ALERT_SMS_SIGN_NAME: "EventOps" }, /^invalid handler configuration: env ALERT_SMS_TEMPLATE_CODE: required when ALERT_SMS_SIGN_NAME is set \(SMS alerts need both, or neither to send none\)/],
    ["only the template code", { ALERT_SMS_TEMPLATE_CODE: "SMS_465000001" }, /^invalid handler configuration: env ALERT_SMS_SIGN_NAME: required when ALERT_SMS_TEMPLATE_CODE is set/],
  ];
  for (const [what, env, message] of halfPairs) {
    it(`refuses half an SMS pair (${what}), naming the missing variable`, () => {
      assert.throws(() => parseEnv({ ...BASE_ENV, ...env }), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }

  it("names a malformed sender address or template code", () => {
    assert.throws(() => parseEnv({ ...BASE_ENV, ALERT_MAIL_ACCOUNT: "alerts" }), (e: unknown) => e instanceof ConfigError && /env ALERT_MAIL_ACCOUNT: expected a verified DirectMail sender address.* \(got "alerts"\)/.test(e.message));
    assert.throws(() => parseEnv({ ...BASE_ENV, ALERT_SMS_SIGN_NAME: "EventOps", ALERT_SMS_TEMPLATE_CODE: "465000001" }), (e: unknown) => e instanceof ConfigError && /env ALERT_SMS_TEMPLATE_CODE: expected an approved SMS template code/.test(e.message));
  });
});

describe("handler contract: handlers/README.md documents it", () => {
  const readme = fs.readFileSync(path.join(__dirname, "../../handlers/README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Environment contract"), readme.indexOf("## Idempotency guarantee"));
  /** variable → default, from the table's rows (`A` / `B` rows pair their defaults in order). */
  const documented = new Map<string, string>();
  for (const row of section.split("\n").filter((l) => l.startsWith("| `"))) {
    const [variables, , defaults] = row.split(" | ").map((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    variables.forEach((v, i) => documented.set(v, variables.length === defaults.length ? defaults[i] : defaults.join(" ")));
  }
  const withDefault: [string, Exclude<keyof typeof RANGES, "markerLeaseSeconds">][] = [
    ["DRAIN_WAIT_SECONDS", "drainWaitSeconds"],
    ["MIN_HEALTHY_BACKENDS", "minHealthyBackends"],
    ["DEADLINE_MARGIN_SECONDS", "deadlineMarginSeconds"],
    ["LB_CONCURRENCY", "lbConcurrency"],
    ["API_CALL_TIMEOUT_MS", "apiCallTimeoutMs"],
    ["API_MAX_ATTEMPTS", "apiMaxAttempts"],
    ["RETRY_BASE_DELAY_MS", "retryBaseDelayMs"],
    ["RETRY_MAX_DELAY_MS", "retryMaxDelayMs"],
    ["MAINTENANCE_SAFETY_MARGIN_MINUTES", "maintenanceSafetyMarginMinutes"],
    ["MAINTENANCE_ACTION_MINUTES", "maintenanceActionMinutes"],
    ["EXPIRY_HORIZON_DAYS", "expiryHorizonDays"],
  ];

  it("lists every variable of the env schema", () => {
    for (const name of Object.keys(ENV_SCHEMA.shape)) assert.ok(documented.has(name), `${name} is not in the README's environment table`);
  });

  it("gives each whole-number setting the contract's default", () => {
    for (const [name, range] of withDefault) assert.equal(documented.get(name), String(RANGES[range].default), name);
    assert.equal(documented.get("IDEMPOTENCY_PREFIX"), OBJECT_PREFIXES.markers);
    assert.equal(documented.get("PENDING_PREFIX"), OBJECT_PREFIXES.pending);
  });
});
