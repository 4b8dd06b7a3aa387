// The bundled expiry function (handlers/entries/expiry.ts → dist/handlers/expiry.zip)
// against the fake cloud on its virtual clock: the daily scan (timer payload)
// and the expiry events. Assertions read the fake's STATE (ExpiredTime) and call log.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { endpointEnv, FakeClock, startFakeCloud, type CmsSystemEvent, type FakeCloud } from "../../local-cloud";
import { ensureBundles, loadBundledFactory, withEnv } from "../handlers/doubles/bundled";
import { OUT_DIR } from "../../tools/bundle";
import type { Outcome } from "../../handlers/core/outcome";
import type { Clock } from "../../handlers/core/ports";
import { ramActionsFor, runtimeApis, HANDLERS } from "../../handlers/registry";
import { ramAction } from "../../handlers/core/apis";

type FcHandler = (event: unknown, context: unknown) => Promise<Outcome>;
const DAY = 86_400_000;
const SCOPE = { "event-ops": "managed" };
const ALERTS = "event-ops-critical";

describe("expiry handler (bundled) against the fake cloud", function () {
  this.timeout(60_000);
  let fake: FakeCloud;
  let clock: FakeClock;
  let invoke: FcHandler;
  let factory: (clock: Clock) => FcHandler;
  let messages: CmsSystemEvent[];

  before(async () => {
    await ensureBundles();
    factory = loadBundledFactory("expiry");
  });
  beforeEach(async () => {
    clock = new FakeClock("2026-11-20T00:00:00Z");
    fake = await startFakeCloud({ clock });
    fake.state.addTopic(ALERTS);
    invoke = factory({ now: () => clock.now(), sleep: async () => undefined });
    messages = [];
    fake.onSystemEvent((e) => messages.push(e));
  });
  afterEach(() => fake.close());

  const GROUP_POLICIES = JSON.stringify({
    tagKey: "group",
    groups: {
      billing: { group: "billing", spotPath: "function", maintenance: { policy: "notify" }, expiry: { policy: "renew", renewMonths: 3 } },
      web: { group: "web", spotPath: "function", maintenance: { policy: "notify" }, expiry: { policy: "notify", renewMonths: 1 } },
      batch: { group: "batch", spotPath: "function", maintenance: { policy: "notify" }, expiry: { policy: "let-expire", renewMonths: 1 } },
    },
  });
  const env = (extra: Record<string, string> = {}) => ({
    ...endpointEnv(fake),
    SCOPE_TAG_KEY: "event-ops",
    SCOPE_TAG_VALUE: "managed",
    IDEMPOTENCY_BUCKET: "event-ops-markers",
    DEAD_LETTER_QUEUE: "event-ops-dlq",
    ALERT_TOPIC: ALERTS,
    RETRY_BASE_DELAY_MS: "5",
    RETRY_MAX_DELAY_MS: "20",
    API_CALL_TIMEOUT_MS: "2000",
    GROUP_POLICIES,
    EXPIRY_HORIZON_DAYS: "7",
    ...extra,
  });
  const context = () => ({ requestId: randomUUID(), function: { name: "expiry", timeout: 120 }, region: "cn-hangzhou", accountId: fake.state.accountId });
  const run = (body: unknown, extra: Record<string, string> = {}) =>
    withEnv(env(extra), async (lines) => {
      const before = fake.callLog.count();
      const out = await invoke(Buffer.from(JSON.stringify(body)), context());
      assert.equal(lines.length, 1, "one outcome line per invocation");
      for (const c of fake.callLog.calls().slice(before)) used.add(`${c.product.toLowerCase()}:${c.action}`);
      return out;
    });
  /** Every API the function called across the suite, as RAM actions (checked by the last test). */
  const used = new Set<string>();
  const scan = (extra: Record<string, string> = {}) => run({ triggerTime: new Date(clock.now()).toISOString(), triggerName: "expiry-scan", payload: JSON.stringify({ scan: "expiry" }) }, extra);
  const expiredTime = (id: string) => fake.state.getInstance(id)!.ExpiredTime;
  /** What reached the alert topic, parsed. */
  const alerts = () => fake.state.topicMessages(ALERTS).map((b) => JSON.parse(b));

  /** One subscription instance per policy, 3 days from expiry; plus ones that must never be touched. */
  function seed() {
    const s = fake.state;
    const in3 = clock.now() + 3 * DAY;
    const ids = {
      renew: s.addInstance({ InstanceId: "i-renew", InstanceChargeType: "PrePaid", ExpiredTime: in3, Tags: { ...SCOPE, group: "billing" } }).InstanceId,
      notify: s.addInstance({ InstanceId: "i-notify", InstanceChargeType: "PrePaid", ExpiredTime: in3, Tags: { ...SCOPE, group: "web" } }).InstanceId,
      letExpire: s.addInstance({ InstanceId: "i-let", InstanceChargeType: "PrePaid", ExpiredTime: in3, Tags: { ...SCOPE, group: "batch" } }).InstanceId,
      far: s.addInstance({ InstanceId: "i-far", InstanceChargeType: "PrePaid", ExpiredTime: clock.now() + 60 * DAY, Tags: { ...SCOPE, group: "billing" } }).InstanceId,
      outOfScope: s.addInstance({ InstanceId: "i-foreign", InstanceChargeType: "PrePaid", ExpiredTime: in3, Tags: { group: "billing" } }).InstanceId,
      postPaid: s.addInstance({ InstanceId: "i-payg", Tags: { ...SCOPE, group: "billing" } }).InstanceId,
    };
    const before = Object.fromEntries(Object.values(ids).map((id) => [id, expiredTime(id)]));
    return { ids, before, in3 };
  }
  const changed = (before: Record<string, number>) => Object.keys(before).filter((id) => expiredTime(id) !== before[id]).sort();

  it("scan: renew renews (3 months, once), notify alerts, let-expire does nothing; only the renewed ExpiredTime changes", async () => {
    const { ids, before, in3 } = seed();
    const out = await scan();
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(changed(before), [ids.renew]);
    const expected = new Date(in3);
    expected.setUTCMonth(expected.getUTCMonth() + 3);
    // DescribeInstances shows minutes: the renewal counts from the minute shown.
    assert.equal(Math.floor(expiredTime(ids.renew) / 60_000), Math.floor(expected.getTime() / 60_000));
    const renewals = fake.callLog.succeeded("RenewInstance");
    assert.equal(renewals.length, 1);
    assert.equal(renewals[0].params.InstanceId, ids.renew);
    assert.equal(renewals[0].params.Period, "3");
    assert.equal(renewals[0].params.PeriodUnit, "Month");
    assert.match(renewals[0].params.ClientToken, /^renew-i-renew-/);

    const [notice, ...more] = alerts();
    assert.deepEqual(more, [], "exactly one alert");
    assert.equal(notice.alert, "EventOps:ExpiryNotice");
    assert.equal(notice.handler, "expiry");
    assert.equal(notice.summary, "[CRITICAL] 1 subscription instance expiring, not renewed automatically: i-notify (3 days, group web)");
    assert.deepEqual(notice.detail.instances.map((i: { instanceId: string }) => i.instanceId), [ids.notify]);
    assert.deepEqual(fake.state.topicMessageAttributes(ALERTS), [undefined], "no mail or SMS configured");
    assert.equal(fake.state.customEvents.length, 0, "no CMS custom event");
    assert.match(out.reason!, /i-let: nothing \(group batch: .*policy is let-expire\)/);
    assert.match(out.reason!, /i-foreign: out-of-scope/);
    assert.equal(out.actions.filter((a) => a.action === "RenewInstance").length, 1);

    // Tomorrow's scan: the renewed one is beyond the horizon now; no second renewal.
    clock.set(clock.now() + DAY);
    const again = await scan();
    assert.equal(fake.callLog.succeeded("RenewInstance").length, 1);
    assert.deepEqual(changed(before), [ids.renew]);
    assert.doesNotMatch(again.reason!, /i-renew/);
  });

  it("scan walks every page of DescribeInstances (PrePaid only)", async () => {
    seed();
    for (let i = 0; i < 130; i++) fake.state.addInstance({ InstanceId: `i-bulk${i}`, InstanceChargeType: "PrePaid", ExpiredTime: clock.now() + (i % 2 ? 2 : 40) * DAY, Tags: { ...SCOPE, group: "batch" } });
    const out = await scan();
    const pages = fake.callLog.calls("DescribeInstances");
    assert.equal(pages.length, 2);
    assert.ok(pages.every((c) => c.params.InstanceChargeType === "PrePaid"));
    assert.deepEqual(pages.map((c) => c.params.PageNumber), ["1", "2"]);
    // 65 bulk instances within the horizon, each reported as let-expire.
    assert.equal((out.reason!.match(/i-bulk\d+: nothing/g) ?? []).length, 65);
  });

  it("DRY_RUN: the scan lists the renewal it would make and mutates nothing", async () => {
    const { ids, before } = seed();
    const out = await scan({ DRY_RUN: "true", ALERT_MAIL_ACCOUNT: "alerts@mail.example.com" });
    assert.equal(out.outcome, "dry-run", out.reason);
    const renew = out.actions.filter((a) => a.action === "RenewInstance");
    assert.deepEqual(renew.map((a) => [a.params.InstanceId, a.params.Period, a.params.PeriodUnit]), [[ids.renew, 3, "Month"]]);
    assert.deepEqual(changed(before), []);
    assert.equal(fake.callLog.count("RenewInstance"), 0);
    assert.deepEqual(alerts(), []);
    // The notice it would publish is recorded, with its mail attributes.
    const publish = out.actions.filter((a) => a.action === "PublishMessage");
    assert.equal(publish.length, 1);
    assert.equal(publish[0].params.TopicName, ALERTS);
    assert.deepEqual(JSON.parse(String(publish[0].params.MessageBody)).detail.instances.map((i: { instanceId: string }) => i.instanceId), [ids.notify]);
    assert.equal((publish[0].params.MessageAttributes as { DirectMail: { AccountName: string } }).DirectMail.AccountName, "alerts@mail.example.com");
    // Only reads reached the cloud.
    assert.deepEqual([...new Set(fake.callLog.calls().map((c) => c.action))].sort(), ["DescribeInstanceAutoRenewAttribute", "DescribeInstances"]);
  });

  it("scan with mail and SMS configured: the one notice carries DirectMail and DirectSMS", async () => {
    const { ids } = seed();
    fake.state.addInstance({ InstanceId: "i-notify2", InstanceChargeType: "PrePaid", ExpiredTime: clock.now() + 5 * DAY, Tags: { ...SCOPE, group: "web" } });
    const out = await scan({ ALERT_MAIL_ACCOUNT: "alerts@mail.example.com", ALERT_SMS_SIGN_NAME: "EventOps", ALERT_SMS_TEMPLATE_CODE: "SMS_465000001" });
    assert.equal(out.outcome, "acted", out.reason);
    const [notice, ...more] = alerts();
    assert.deepEqual(more, [], "exactly one alert");
    assert.deepEqual(notice.detail.instances.map((i: { instanceId: string }) => i.instanceId).sort(), [ids.notify, "i-notify2"]);
    const [attributes] = fake.state.topicMessageAttributes(ALERTS);
    assert.deepEqual(JSON.parse(attributes!.DirectMail), { AccountName: "alerts@mail.example.com", Subject: notice.summary, AddressType: 1, IsHtml: 0, ReplyToAddress: 0 });
    assert.match(notice.summary, /^\[CRITICAL\] 2 subscription instances expiring, not renewed automatically: /);
    assert.deepEqual(JSON.parse(attributes!.DirectSMS), { FreeSignName: "EventOps", TemplateCode: "SMS_465000001", Type: "singleContent", SmsParams: JSON.stringify({ alert: "2 instances expiring" }) });
  });

  it("renew policy leaves an instance with auto-renew on to the platform", async () => {
    const { ids, before } = seed();
    fake.state.getInstance(ids.renew)!.AutoRenew.AutoRenewEnabled = true;
    const out = await scan();
    assert.deepEqual(changed(before), []);
    assert.match(out.reason!, /i-renew: nothing \(.*auto-renew is on/);
  });

  it("events: InstanceExpiration renews / notifies / lets expire per group; redelivery acts once; final statuses are skipped", async () => {
    const { ids, before } = seed();
    const eventFor = (id: string, type = "InstanceExpiration.Stop") => {
      fake.addSystemEvent({ InstanceId: id, EventType: type, NotBefore: clock.now() + 3 * DAY });
      return [...messages].reverse().find((m) => m.name === `Instance:${type}:Scheduled`)!;
    };
    const renewEvent = eventFor(ids.renew);
    const renewed = await run(renewEvent);
    assert.equal(renewed.outcome, "acted", renewed.reason);
    assert.match(renewed.reason!, /^renewed/);
    assert.equal((await run(renewEvent)).outcome, "duplicate");

    const notified = await run(eventFor(ids.notify));
    assert.equal(notified.outcome, "acted", notified.reason);
    assert.match(notified.reason!, /^notified/);

    const let_ = await run(eventFor(ids.letExpire, "InstanceExpiration.Delete"));
    assert.equal(let_.outcome, "skipped", let_.reason);
    assert.match(let_.reason!, /let-expire/);

    assert.equal((await run(eventFor(ids.outOfScope))).outcome, "skipped");
    assert.deepEqual(changed(before), [ids.renew]);
    assert.equal(fake.callLog.succeeded("RenewInstance").length, 1);
    assert.deepEqual(alerts().map((a) => [a.alert, a.instanceId]), [["EventOps:ExpiryNotice", ids.notify]], "one alert, for the notify instance");

    const unbalanced = await run(eventFor(ids.renew, "AccountUnbalanced.Stop"));
    assert.equal(unbalanced.outcome, "acted", unbalanced.reason);
    assert.match(unbalanced.reason!, /top it up/);
    assert.equal(fake.callLog.succeeded("RenewInstance").length, 1, "an overdue account is not fixed by renewing");
    assert.equal(alerts().length, 2);
    assert.match(alerts()[1].summary, /^\[CRITICAL\] account overdue: AccountUnbalanced\.Stop Scheduled for i-renew; top the account up/);

    const final = { ...renewEvent, id: "final-1", name: "Instance:InstanceExpiration.Stop:Executed", content: { ...renewEvent.content, eventStatus: "Executed" } };
    assert.equal((await run(final)).outcome, "skipped");
  });

  it("AccountUnbalanced respects the scope tag: an untagged instance is left alone, no alert; PerformanceAffect (unconfirmed) notifies like the others", async () => {
    const { ids, before } = seed();
    for (const type of ["AccountUnbalanced.Stop", "AccountUnbalanced.Delete", "AccountUnbalanced.PerformanceAffect"]) {
      fake.addSystemEvent({ InstanceId: ids.outOfScope, EventType: type, NotBefore: clock.now() + DAY });
      const out = await run([...messages].reverse().find((m) => m.name === `Instance:${type}:Scheduled`)!);
      assert.equal(out.outcome, "skipped", `${type}: ${out.reason}`);
      assert.match(out.reason!, /does not carry the scope tag event-ops=managed/);
    }
    assert.deepEqual(alerts(), [], "nobody is alerted about an instance out of scope");
    assert.equal(fake.callLog.count("RenewInstance") + fake.callLog.count("PublishMessage"), 0);

    fake.addSystemEvent({ InstanceId: ids.notify, EventType: "AccountUnbalanced.PerformanceAffect", NotBefore: clock.now() + DAY });
    const inScope = await run([...messages].reverse().find((m) => m.name === "Instance:AccountUnbalanced.PerformanceAffect:Scheduled")!);
    assert.equal(inScope.outcome, "acted", inScope.reason);
    assert.deepEqual(alerts().map((a) => [a.alert, a.instanceId]), [["EventOps:ExpiryNotice", ids.notify]]);
    assert.deepEqual(changed(before), [], "an overdue account is never 'fixed' by renewing");
  });

  it("DRY_RUN on an event: would renew, changes nothing", async () => {
    const { ids, before } = seed();
    fake.addSystemEvent({ InstanceId: ids.renew, EventType: "InstanceExpiration.Stop", NotBefore: clock.now() + 3 * DAY });
    const out = await run(messages.at(-1), { DRY_RUN: "true" });
    assert.equal(out.outcome, "dry-run", out.reason);
    assert.deepEqual(out.actions.map((a) => a.action), ["RenewInstance"]);
    assert.deepEqual(changed(before), []);
    assert.equal(fake.callLog.count("RenewInstance"), 0);
  });

  // Runs last: the suite's calls, seen by the fake over HTTP, against the RAM list.
  it("RAM: every API the suite made the function call is in its manifest list, and every listed one was called", () => {
    assert.ok(HANDLERS.expiry, "expiry is registered in registry.ts");
    const declared = new Set(ramActionsFor("expiry"));
    for (const a of used) assert.ok(declared.has(a), `expiry called ${a}, not in its RAM list`);
    const runtime = new Set(runtimeApis(HANDLERS.expiry!).map(ramAction));
    for (const a of declared) if (!runtime.has(a)) assert.ok(used.has(a), `expiry declares ${a} but no test path called it`);
    const manifest = JSON.parse(fs.readFileSync(path.join(OUT_DIR, "manifest.json"), "utf8"));
    assert.deepEqual(manifest.expiry.ramActions, ramActionsFor("expiry"));
  });
});
