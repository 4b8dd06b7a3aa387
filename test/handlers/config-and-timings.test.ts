import { strict as assert } from "node:assert";
import { ConfigError, groupPolicyFor, parseEnv } from "../../handlers/contract";
import { InvocationTimer } from "../../handlers/core/timings";
import { BASE_ENV } from "./doubles/harness";

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

describe("invocation timings", () => {
  /** A timer on a hand-moved clock. */
  function manual() {
    let t = 1000;
    const timer = new InvocationTimer(() => t);
    const advance = (ms: number) => void (t += ms);
    return { timer, advance };
  }
  /** A call that ends when `release` is called. */
  function pending() {
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    return { done, release };
  }

  it("counts overlapping calls once: the union of their intervals", async () => {
    const { timer, advance } = manual();
    const a = pending();
    const b = pending();
    const first = timer.api(() => a.done); // t=0 (relative)
    advance(10);
    const second = timer.api(() => b.done); // t=10
    advance(20);
    a.release(); // first ends at t=30
    await first;
    advance(5);
    b.release(); // second ends at t=35: busy 0..35
    await second;
    advance(15); // idle
    const c = pending();
    const third = timer.api(() => c.done); // t=50
    advance(4);
    c.release();
    await third; // busy 50..54
    advance(6);
    assert.deepEqual(timer.snapshot(), { totalMs: 60, apiMs: 39, waitMs: 0 });
  });

  it("counts a failed call as API time, and the clock's sleeps as wait", async () => {
    const { timer, advance } = manual();
    await assert.rejects(timer.api(async () => { advance(7); throw new Error("boom"); }), /boom/);
    const clock = timer.clock({ now: () => 0, sleep: async (ms) => advance(ms) });
    await clock.sleep(30_000);
    advance(3);
    assert.deepEqual(timer.snapshot(), { totalMs: 30_010, apiMs: 7, waitMs: 30_000 });
  });

  it("includes a call still in flight in a snapshot", async () => {
    const { timer, advance } = manual();
    const p = pending();
    const call = timer.api(() => p.done);
    advance(12);
    assert.equal(timer.snapshot().apiMs, 12);
    p.release();
    await call;
  });
});
