// The bundled maintenance function (handlers/entries/maintenance.ts → dist/handlers/maintenance.zip)
// against the fake cloud on its virtual clock: CMS events in, timer ticks in
// between, assertions on the fake's STATE (weights, instance, event status)
// and its call log.
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

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIN = 60_000;
const BUCKET = "event-ops-markers";
const ALERTS = "event-ops-critical";
const TAGS = { "event-ops": "managed", group: "web" };
/** 2026-11-20T00:00Z = 08:00 UTC+8; the nightly window 02:00–05:00 UTC+8 opens at 18:00Z. */
const START = "2026-11-20T00:00:00Z";
const FIRST_WINDOW = Date.parse("2026-11-20T18:00:00Z");

describe("maintenance handler + reconciler (bundled) against the fake cloud", function () {
  this.timeout(60_000);
  let fake: FakeCloud;
  let clock: FakeClock;
  let invoke: FcHandler;
  let factory: (clock: Clock) => FcHandler;
  let messages: CmsSystemEvent[];

  before(async () => {
    await ensureBundles();
    factory = loadBundledFactory("maintenance");
  });
  beforeEach(async () => {
    clock = new FakeClock(START);
    fake = await startFakeCloud({ clock });
    fake.state.addTopic(ALERTS);
    // The stack's marker bucket exists before any handler runs (a GET on a missing bucket is NoSuchBucket, a config error).
    fake.state.addBucket(BUCKET);
    invoke = factory({ now: () => clock.now(), sleep: async () => undefined });
    messages = [];
    fake.onSystemEvent((e) => messages.push(e));
  });
  /** Every API any test of this suite made the function call, as RAM actions (for the last test). */
  const used = new Set<string>();
  afterEach(() => fake.close());

  const policies = (window?: { start: string; end: string }) =>
    JSON.stringify({ tagKey: "group", groups: { web: { group: "web", spotPath: "function", maintenance: { policy: "proactive", ...(window ? { window } : {}) }, expiry: { policy: "notify", renewMonths: 1 } } } });
  const env = (extra: Record<string, string> = {}) => ({
    ...endpointEnv(fake),
    SCOPE_TAG_KEY: "event-ops",
    SCOPE_TAG_VALUE: "managed",
    DRAIN_WAIT_SECONDS: "30",
    MIN_HEALTHY_BACKENDS: "1",
    IDEMPOTENCY_BUCKET: BUCKET,
    IDEMPOTENCY_PREFIX: "event-ops/markers",
    DEAD_LETTER_QUEUE: "event-ops-dlq",
    ALERT_TOPIC: ALERTS,
    RETRY_BASE_DELAY_MS: "5",
    RETRY_MAX_DELAY_MS: "20",
    API_CALL_TIMEOUT_MS: "2000",
    GROUP_POLICIES: policies({ start: "02:00", end: "05:00" }),
    ...extra,
  });
  const context = () => ({ requestId: randomUUID(), function: { name: "maintenance", timeout: 120 }, region: "cn-hangzhou", accountId: fake.state.accountId });
  const run = (body: unknown, extra: Record<string, string> = {}) =>
    withEnv(env(extra), async (lines) => {
      const before = fake.callLog.count();
      const out = await invoke(Buffer.from(JSON.stringify(body)), context());
      assert.equal(lines.length, 1, "one outcome line per invocation");
      // What the function itself called (not the test's own setup calls).
      for (const c of fake.callLog.calls().slice(before)) used.add(`${c.product.toLowerCase()}:${c.action}`);
      return out;
    });
  /** The FC timer trigger's event, carrying our payload. */
  const tick = (extra: Record<string, string> = {}) => run({ triggerTime: new Date(clock.now()).toISOString(), triggerName: "maintenance-reconcile", payload: JSON.stringify({ reconcile: true }) }, extra);
  const lastMessage = (name: string) => [...messages].reverse().find((m) => m.name === name)!;
  const calls = (action: string) => fake.callLog.calls(action).length;
  const records = () =>
    [...(fake.state.buckets.get(BUCKET)?.entries() ?? [])]
      .filter(([k]) => /\/pending\/records\/.*\.json$/.test(k))
      .map(([k, o]) => ({ key: k, ...JSON.parse(o.body.toString()) }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  const latest = () => records().at(-1);
  /** What reached the alert topic, parsed. */
  const alerts = () => fake.state.topicMessages(ALERTS).map((b) => JSON.parse(b));

  /** The instance behind a CLB (default group + a vServer group on 2 ports) and an ALB group, each with a healthy peer. */
  function seedWeb(victim = "i-web1", opts: { peers?: number } = {}) {
    const s = fake.state;
    s.addInstance({ InstanceId: victim, Tags: TAGS });
    const peers = Array.from({ length: opts.peers ?? 1 }, (_, i) => s.addInstance({ InstanceId: `${victim}-peer${i}`, Tags: TAGS }).InstanceId);
    const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: victim, Weight: 80 }, ...peers.map((p) => ({ ServerId: p, Weight: 100 }))] });
    const vsg = s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: [{ ServerId: victim, Port: 80, Weight: 40 }, { ServerId: victim, Port: 81, Weight: 60 }, ...peers.map((p) => ({ ServerId: p, Port: 80, Weight: 100 }))] });
    const alb = s.addAlbServerGroup({ Servers: [{ ServerId: victim, Port: 8080, Weight: 70, Status: "Available" as const }, ...peers.map((p) => ({ ServerId: p, Port: 8080, Weight: 100, Status: "Available" as const }))] });
    const weights = () => ({
      clb: s.getLoadBalancer(lb.LoadBalancerId)!.BackendServers.filter((b) => b.ServerId === victim).map((b) => b.Weight),
      vsg: s.getVServerGroup(vsg.VServerGroupId)!.BackendServers.filter((b) => b.ServerId === victim).map((b) => `${b.Port}:${b.Weight}`),
      alb: s.getAlbServerGroup(alb.ServerGroupId)!.Servers.filter((b) => b.ServerId === victim).map((b) => b.Weight),
    });
    return { victim, peers, lb, vsg, alb, weights };
  }
  const ORIGINAL = { clb: [80], vsg: ["80:40", "81:60"], alb: [70] };
  const DRAINED = { clb: [0], vsg: ["80:0", "81:0"], alb: [0] };

  it("plans a reboot 3 days out into the first nightly window, drains, reboots once, restores: the event ends Avoided", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    const planned = await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"));
    assert.equal(planned.outcome, "acted", planned.reason);
    assert.match(planned.reason!, /planned: group web: .*RebootInstance at 2026-11-20T18:00:00.000Z/);
    assert.equal(latest().phase, "planned");
    assert.equal(latest().slot.start, FIRST_WINDOW);

    // Before the window: nothing happens.
    clock.set(FIRST_WINDOW - 10 * MIN);
    assert.equal((await tick()).outcome, "skipped");
    assert.deepEqual(web.weights(), ORIGINAL);

    // Window opens: weights to 0 everywhere, then the drain wait (30 s) holds the reboot.
    clock.set(FIRST_WINDOW);
    const drained = await tick();
    assert.equal(drained.outcome, "acted", drained.reason);
    assert.deepEqual(web.weights(), DRAINED);
    assert.equal(calls("RebootInstance"), 0);
    assert.deepEqual(latest().savedWeights.map((w: { target: string; weight: number }) => w.weight).sort(), [40, 60, 70, 80]);

    // Next tick: reboot once; the platform's event is Avoided at once.
    clock.set(FIRST_WINDOW + MIN);
    const acted = await tick();
    assert.equal(acted.outcome, "acted", acted.reason);
    assert.equal(fake.callLog.succeeded("RebootInstance").length, 1);
    assert.equal(ev.Status, "Avoided");
    assert.deepEqual(web.weights(), DRAINED, "weights stay at 0 while the instance restarts");

    // Instance back (5 s + 5 s on the fake): weights restored, record done.
    clock.set(FIRST_WINDOW + 2 * MIN);
    const restored = await tick();
    assert.equal(restored.outcome, "acted", restored.reason);
    assert.equal(fake.state.getInstance(web.victim)!.Status, "Running");
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(latest().phase, "done");
    assert.equal(latest().outcome, "completed");

    // Later ticks and the Avoided event itself change nothing; still one reboot.
    clock.set(FIRST_WINDOW + 10 * MIN);
    assert.equal((await tick()).outcome, "skipped");
    const avoided = await run(lastMessage("Instance:SystemMaintenance.Reboot:Avoided"));
    assert.notEqual(avoided.outcome, "failed", avoided.reason);
    assert.equal(calls("RebootInstance"), 1);
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.deepEqual(alerts(), [], "no alert on the happy path");
    assert.equal(fake.state.customEvents.length, 0);
    // Passing notBefore: the platform does nothing more.
    clock.set(ev.NotBefore! + HOUR);
    assert.equal(ev.Status, "Avoided");
  });

  it("uses the instance's ECS maintenance window when the group has none", async () => {
    const web = seedWeb();
    fake.state.getInstance(web.victim)!.Maintenance.Windows = [{ StartTime: "03:00:00", EndTime: "06:00:00" }];
    fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    const planned = await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), { GROUP_POLICIES: policies() });
    assert.equal(planned.outcome, "acted", planned.reason);
    assert.equal(latest().slot.start, FIRST_WINDOW + HOUR);
    assert.match(planned.reason!, /ECS maintenance window/);
    assert.equal(fake.callLog.succeeded("DescribeInstanceMaintenanceAttributes").length, 1);
  });

  it("notifies (CRITICAL tier) and persists nothing when no window fits before notBefore", async () => {
    const web = seedWeb();
    // notBefore 10:00 UTC+8 today: tonight's window is after it.
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 2 * HOUR });
    const out = await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"));
    assert.equal(out.outcome, "acted", out.reason);
    assert.match(out.reason!, /notified .*no slot/);
    assert.equal(records().length, 0);
    const [notice, ...more] = alerts();
    assert.deepEqual(more, [], "exactly one alert");
    assert.equal(notice.alert, "EventOps:MaintenanceNotice");
    assert.equal(notice.severity, "CRITICAL");
    assert.equal(notice.handler, "maintenance");
    assert.equal(notice.instanceId, web.victim);
    assert.match(notice.summary, new RegExp(`^\\[CRITICAL\\] maintenance SystemMaintenance\\.Reboot of ${web.victim} \\(notBefore \\S+\\) needs a person: .*no slot`));
    assert.equal(notice.detail.instanceId, web.victim);
    assert.deepEqual(fake.state.topicMessageAttributes(ALERTS), [undefined]);
    assert.equal(fake.state.customEvents.length, 0, "no CMS custom event");
    assert.deepEqual(out.actions.filter((a) => a.action === "PublishMessage").map((a) => a.params.TopicName), [ALERTS]);
    assert.equal((await tick()).outcome, "skipped");
    assert.equal(calls("RebootInstance"), 0);
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(ev.Status, "Scheduled");
  });

  it("no slot fits, with mail and SMS configured: the one alert carries DirectMail and DirectSMS", async () => {
    const web = seedWeb();
    fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 2 * HOUR });
    const out = await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), { ALERT_MAIL_ACCOUNT: "alerts@mail.example.com", ALERT_SMS_SIGN_NAME: "EventOps", ALERT_SMS_TEMPLATE_CODE: "SMS_465000001" });
    assert.equal(out.outcome, "acted", out.reason);
    const [notice, ...more] = alerts();
    assert.deepEqual(more, []);
    const [attributes] = fake.state.topicMessageAttributes(ALERTS);
    assert.deepEqual(JSON.parse(attributes!.DirectMail), { AccountName: "alerts@mail.example.com", Subject: notice.summary, AddressType: 1, IsHtml: 0, ReplyToAddress: 0 });
    assert.deepEqual(JSON.parse(attributes!.DirectSMS), { FreeSignName: "EventOps", TemplateCode: "SMS_465000001", Type: "singleContent", SmsParams: JSON.stringify({ alert: "maint Reboot i-web1" }) });
  });

  it("DRY_RUN, no slot fits: records the alert it would publish, publishes none", async () => {
    const web = seedWeb();
    fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 2 * HOUR });
    const out = await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), { DRY_RUN: "true", ALERT_MAIL_ACCOUNT: "alerts@mail.example.com" });
    assert.equal(out.outcome, "dry-run", out.reason);
    assert.deepEqual(alerts(), []);
    assert.equal(fake.callLog.count("PublishMessage"), 0);
    const recorded = out.actions.filter((a) => a.action === "PublishMessage");
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].params.TopicName, ALERTS);
    assert.equal(JSON.parse(String(recorded[0].params.MessageBody)).alert, "EventOps:MaintenanceNotice");
    assert.equal((recorded[0].params.MessageAttributes as { DirectMail: { Subject: string } }).DirectMail.Subject, JSON.parse(String(recorded[0].params.MessageBody)).summary);
  });

  it("Failed with no pending action: exactly one topic alert", async () => {
    const web = seedWeb();
    const notify = JSON.stringify({ tagKey: "group", groups: { web: { group: "web", maintenance: { policy: "notify" } } } });
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), { GROUP_POLICIES: notify });
    const before = alerts().length;
    fake.setSystemEventStatus(ev, "Failed");
    const out = await run(lastMessage("Instance:SystemMaintenance.Reboot:Failed"), { GROUP_POLICIES: notify });
    assert.equal(out.outcome, "acted", out.reason);
    assert.match(out.reason!, /^escalated: .*failed/);
    const failed = alerts().slice(before);
    assert.equal(failed.length, 1, JSON.stringify(failed));
    assert.equal(failed[0].alert, "EventOps:MaintenanceNotice");
    assert.match(failed[0].summary, new RegExp(`^\\[CRITICAL\\] maintenance SystemMaintenance\\.Reboot of ${web.victim} failed: `));
  });

  it("Failed while our action is planned: exactly one topic alert (the record's own escalation, no second notice)", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"));
    assert.equal(latest().phase, "planned");
    fake.setSystemEventStatus(ev, "Failed");
    const out = await run(lastMessage("Instance:SystemMaintenance.Reboot:Failed"));
    assert.equal(out.outcome, "acted", out.reason);
    const all = alerts();
    assert.equal(all.length, 1, JSON.stringify(all.map((a) => a.summary)));
    assert.equal(all[0].alert, "EventOps:MaintenanceEscalation");
    assert.equal(all[0].instanceId, web.victim);
    assert.match(all[0].summary, /escalated: the platform's maintenance failed/);
    assert.equal(latest().phase, "done");
    clock.set(FIRST_WINDOW);
    await tick();
    assert.equal(alerts().length, 1, "later ticks add nothing");
    assert.equal(calls("RebootInstance"), 0);
    assert.deepEqual(web.weights(), ORIGINAL);
  });

  it("Failed while drained: exactly one topic alert, and the weights stay at 0 for a person to decide", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), { DRAIN_WAIT_SECONDS: "120" });
    clock.set(FIRST_WINDOW);
    await tick({ DRAIN_WAIT_SECONDS: "120" });
    assert.equal(latest().phase, "draining");
    fake.setSystemEventStatus(ev, "Failed");
    const out = await run(lastMessage("Instance:SystemMaintenance.Reboot:Failed"), { DRAIN_WAIT_SECONDS: "120" });
    assert.equal(out.outcome, "acted", out.reason);
    const all = alerts();
    assert.equal(all.length, 1, JSON.stringify(all.map((a) => a.summary)));
    assert.equal(all[0].alert, "EventOps:MaintenanceNotice");
    assert.match(all[0].summary, /failed: .*our drained weights are left at 0/);
    clock.set(FIRST_WINDOW + 10 * MIN);
    await tick({ DRAIN_WAIT_SECONDS: "120" });
    assert.equal(alerts().length, 1, "later ticks add nothing");
    assert.equal(calls("RebootInstance"), 0);
    assert.deepEqual(web.weights(), DRAINED);
  });

  it("restores the weights when the event is Canceled mid-drain, and never reboots", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY, Simulated: true });
    await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), { DRAIN_WAIT_SECONDS: "120" });
    clock.set(FIRST_WINDOW);
    await tick({ DRAIN_WAIT_SECONDS: "120" });
    assert.deepEqual(web.weights(), DRAINED);
    assert.equal(latest().phase, "draining");

    // The platform cancels while we are draining.
    const { rpc } = await import("../local-cloud/clients");
    await rpc(fake, "ECS", "CancelSimulatedSystemEvents", { RegionId: "cn-hangzhou", EventId: [ev.EventId] });
    assert.equal(ev.Status, "Canceled");
    const out = await run(lastMessage("Instance:SystemMaintenance.Reboot:Canceled"), { DRAIN_WAIT_SECONDS: "120" });
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(latest().phase, "done");
    assert.equal(latest().outcome, "canceled");

    clock.set(FIRST_WINDOW + 10 * MIN);
    assert.equal((await tick({ DRAIN_WAIT_SECONDS: "120" })).outcome, "skipped");
    assert.equal(calls("RebootInstance"), 0);
    assert.deepEqual(web.weights(), ORIGINAL);
  });

  it("capacity guard: refuses to drain when only the minimum remains, moves to the next night, proceeds once capacity is back", async () => {
    const web = seedWeb("i-web1", { peers: 1 });
    const envMin2 = { MIN_HEALTHY_BACKENDS: "2", DRAIN_WAIT_SECONDS: "0" };
    fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), envMin2);

    clock.set(FIRST_WINDOW);
    const blocked = await tick(envMin2);
    assert.match(blocked.reason!, /capacity guard .*MIN_HEALTHY_BACKENDS=2/);
    assert.deepEqual(web.weights(), ORIGINAL, "no weight touched");
    assert.equal(["SetBackendServers", "SetVServerGroupAttribute", "UpdateServerGroupServersAttribute"].reduce((n, a) => n + calls(a), 0), 0);
    assert.equal(latest().phase, "planned");
    assert.equal(latest().slot.start, FIRST_WINDOW + DAY);
    assert.deepEqual(latest().blockedSlots, [FIRST_WINDOW]);

    // A second peer joins every target: the next night goes ahead.
    const extra = fake.state.addInstance({ InstanceId: "i-web1-peer-new", Tags: TAGS }).InstanceId;
    fake.state.attachClbBackend(web.lb, { ServerId: extra, Weight: 100, Type: "ecs", Description: "" });
    fake.state.attachVServerBackend(web.vsg, { ServerId: extra, Port: 80, Weight: 100, Type: "ecs", Description: "" });
    fake.state.getAlbServerGroup(web.alb.ServerGroupId)!.Servers.push({ ServerId: extra, ServerType: "Ecs", Port: 8080, Weight: 100, Status: "Available", ServerIp: "10.0.0.9", Description: "" });
    clock.set(FIRST_WINDOW + DAY);
    const went = await tick(envMin2);
    assert.equal(went.outcome, "acted", went.reason);
    assert.equal(calls("RebootInstance"), 1);
    clock.set(FIRST_WINDOW + DAY + MIN);
    await tick(envMin2);
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(latest().outcome, "completed");
  });

  it("capacity guard: escalates (CRITICAL) when no later window fits", async () => {
    const web = seedWeb("i-web1", { peers: 1 });
    const envMin2 = { MIN_HEALTHY_BACKENDS: "2", DRAIN_WAIT_SECONDS: "0" };
    fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 30 * HOUR });
    await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), envMin2);
    clock.set(FIRST_WINDOW);
    await tick(envMin2);
    assert.equal(latest().phase, "done");
    assert.equal(latest().outcome, "no-slot");
    assert.deepEqual(alerts().map((a) => a.alert), ["EventOps:MaintenanceEscalation"]);
    assert.match(alerts()[0].detail.reason, /capacity guard refused/);
    assert.match(alerts()[0].summary, /^\[CRITICAL\] maintenance SystemMaintenance\.Reboot of i-web1 escalated: .*capacity guard refused/);
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(calls("RebootInstance"), 0);
  });

  it("a reconciler that dies right after the reboot resumes without repeating it", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"));
    clock.set(FIRST_WINDOW);
    await tick();
    clock.set(FIRST_WINDOW + 30_000);
    // The tick observes (call 1), persists "acting", reboots, then its next
    // observation (call 2) fails for good: the invocation is as good as dead.
    fake.faults.failNth("DescribeInstanceHistoryEvents", 2, { status: 403, code: "Forbidden.RAM", message: "injected: invocation lost" });
    const crashed = await tick();
    assert.match(crashed.warnings?.join(" ") ?? "", /injected: invocation lost/);
    assert.equal(latest().phase, "acting");
    assert.ok(latest().actIssuedAt !== undefined);
    assert.equal(calls("RebootInstance"), 1);
    fake.faults.clear();

    // Restarted reconcilers (several ticks) finish the job; the reboot is never sent again.
    for (const t of [MIN, 2 * MIN, 5 * MIN]) {
      clock.set(FIRST_WINDOW + t);
      await tick();
    }
    assert.equal(calls("RebootInstance"), 1);
    assert.equal(ev.Status, "Avoided");
    assert.equal(fake.state.getInstance(web.victim)!.Status, "Running");
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(latest().outcome, "completed");
  });

  it("a reboot whose answer was lost is never re-issued: escalated as unconfirmed", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    const oneAttempt = { API_MAX_ATTEMPTS: "1", DRAIN_WAIT_SECONDS: "0" };
    await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), oneAttempt);
    fake.faults.fail("RebootInstance", 1, { status: 503, code: "ServiceUnavailable" });
    clock.set(FIRST_WINDOW);
    await tick(oneAttempt);
    assert.equal(calls("RebootInstance"), 1);
    assert.equal(latest().phase, "acting");
    for (const t of [MIN, 5 * MIN, 16 * MIN, 20 * MIN]) {
      clock.set(FIRST_WINDOW + t);
      await tick(oneAttempt);
    }
    assert.equal(calls("RebootInstance"), 1, "no second reboot");
    assert.equal(ev.Status, "Scheduled");
    assert.deepEqual(alerts().map((a) => a.alert), ["EventOps:MaintenanceEscalation"]);
    assert.match(alerts()[0].detail.reason, /no evidence RebootInstance took effect/);
    // The instance is Running and healthy: its weights go back, the record says unconfirmed.
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(latest().outcome, "unconfirmed");
  });

  it("two reconcilers on the same tick advance a record once (compare-and-swap on the record version)", async () => {
    const web = seedWeb();
    fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), { DRAIN_WAIT_SECONDS: "0" });
    clock.set(FIRST_WINDOW);
    const outs = await withEnv(env({ DRAIN_WAIT_SECONDS: "0" }), async () => {
      const body = Buffer.from(JSON.stringify({ reconcile: true }));
      return Promise.all([invoke(body, context()), invoke(body, context())]);
    });
    assert.ok(outs.every((o) => o.outcome !== "failed"), outs.map((o) => o.reason).join(" | "));
    assert.equal(calls("RebootInstance"), 1);
    clock.set(FIRST_WINDOW + MIN);
    await tick({ DRAIN_WAIT_SECONDS: "0" });
    assert.equal(calls("RebootInstance"), 1);
    assert.deepEqual(web.weights(), ORIGINAL);
  });

  it("DRY_RUN: plans and reconciles on paper only", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    const out = await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), { DRY_RUN: "true" });
    assert.equal(out.outcome, "dry-run", out.reason);
    assert.match(out.reason!, /would persist/);
    assert.equal(records().length, 0);
    clock.set(FIRST_WINDOW);
    assert.equal((await tick({ DRY_RUN: "true" })).outcome, "skipped");
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(ev.Status, "Scheduled");
  });

  it("ignore skips, notify alerts, out-of-scope instances are left alone", async () => {
    const web = seedWeb();
    const ignore = JSON.stringify({ tagKey: "group", groups: { web: { group: "web", maintenance: { policy: "ignore" } } } });
    const notify = JSON.stringify({ tagKey: "group", groups: { web: { group: "web", maintenance: { policy: "notify" } } } });
    fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Redeploy", NotBefore: clock.now() + 3 * DAY });
    const msg = lastMessage("Instance:SystemMaintenance.Redeploy:Scheduled");
    assert.equal((await run(msg, { GROUP_POLICIES: ignore })).outcome, "skipped");
    assert.deepEqual(alerts(), []);
    const n = await run({ ...msg, id: "again-1" }, { GROUP_POLICIES: notify });
    assert.equal(n.outcome, "acted", n.reason);
    assert.deepEqual(alerts().map((a) => a.alert), ["EventOps:MaintenanceNotice"]);
    fake.state.addInstance({ InstanceId: "i-other", Tags: { group: "web" } });
    fake.addSystemEvent({ InstanceId: "i-other", EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    const other = await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"));
    assert.equal(other.outcome, "skipped");
    assert.match(other.reason!, /scope tag/);
    assert.equal(records().length, 0);
  });

  it("proactive Inquiring inside the window: AcceptInquiredSystemEvent", async () => {
    const web = seedWeb();
    clock.set(FIRST_WINDOW + 10 * MIN);
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", Status: "Inquiring", NotBefore: clock.now() + 2 * DAY });
    const out = await run(lastMessage("Instance:SystemMaintenance.Reboot:Inquiring"));
    assert.equal(out.outcome, "acted", out.reason);
    assert.equal(fake.callLog.succeeded("AcceptInquiredSystemEvent").length, 1);
    assert.equal(ev.Status, "Executing");
  });

  it("proactive Inquiring outside the window: notify, no accept", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", Status: "Inquiring", NotBefore: clock.now() + 2 * DAY });
    const out = await run(lastMessage("Instance:SystemMaintenance.Reboot:Inquiring"));
    assert.match(out.reason!, /^notified/);
    assert.equal(fake.callLog.count("AcceptInquiredSystemEvent"), 0);
    assert.equal(ev.Status, "Inquiring");
    assert.deepEqual(alerts().map((a) => a.alert), ["EventOps:MaintenanceNotice"]);
  });

  it("a Redeploy event is pre-empted with RedeployInstance in the window (event Avoided, weights restored)", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Redeploy", NotBefore: clock.now() + 3 * DAY });
    await run(lastMessage("Instance:SystemMaintenance.Redeploy:Scheduled"), { DRAIN_WAIT_SECONDS: "0" });
    clock.set(FIRST_WINDOW);
    await tick({ DRAIN_WAIT_SECONDS: "0" });
    assert.equal(fake.callLog.succeeded("RedeployInstance").length, 1);
    assert.equal(ev.Status, "Avoided");
    clock.set(FIRST_WINDOW + 2 * MIN);
    await tick({ DRAIN_WAIT_SECONDS: "0" });
    assert.equal(fake.state.getInstance(web.victim)!.Status, "Running");
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(latest().outcome, "completed");
  });

  it("R5: a tag removed after planning → no drain, no reboot; the record is closed with the reason", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    assert.equal((await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"))).outcome, "acted");
    fake.state.getInstance(web.victim)!.Tags = [{ TagKey: "group", TagValue: "web" }]; // the scope tag is gone
    clock.set(FIRST_WINDOW);
    const out = await tick();
    assert.match(out.reason!, /phase done \(out-of-scope\); instance i-web1 no longer carries the scope tag/);
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(latest().phase, "done");
    assert.equal(latest().outcome, "out-of-scope");
    assert.match(latest().closedReason, /scope tag/);
    clock.set(FIRST_WINDOW + 5 * MIN);
    await tick();
    assert.equal(calls("RebootInstance") + calls("SetBackendServers") + calls("SetVServerGroupAttribute") + calls("UpdateServerGroupServersAttribute"), 0);
    assert.equal(ev.Status, "Scheduled", "left to the platform");
  });

  it("R5: a tag removed while drained → our weights are put back, never a reboot", async () => {
    const web = seedWeb();
    fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    await run(lastMessage("Instance:SystemMaintenance.Reboot:Scheduled"), { DRAIN_WAIT_SECONDS: "120" });
    clock.set(FIRST_WINDOW);
    await tick({ DRAIN_WAIT_SECONDS: "120" });
    assert.deepEqual(web.weights(), DRAINED);
    fake.state.getInstance(web.victim)!.Tags = [];
    clock.set(FIRST_WINDOW + 3 * MIN);
    await tick({ DRAIN_WAIT_SECONDS: "120" });
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(latest().outcome, "out-of-scope");
    assert.equal(latest().phase, "done");
    assert.equal(calls("RebootInstance"), 0);
  });

  it("R6: an event about another instance carrying this record's eventId neither closes nor advances it", async () => {
    const web = seedWeb();
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + 3 * DAY });
    const scheduled = lastMessage("Instance:SystemMaintenance.Reboot:Scheduled");
    await run(scheduled);
    clock.set(FIRST_WINDOW);
    await tick({ DRAIN_WAIT_SECONDS: "120" });
    assert.deepEqual(web.weights(), DRAINED);
    const before = records().length;

    // i-b (in scope) "Canceled", with i-web1's event id.
    fake.state.addInstance({ InstanceId: "i-b", Tags: TAGS });
    const forged = { ...scheduled, id: "forged-1", name: "Instance:SystemMaintenance.Reboot:Canceled", resourceId: scheduled.resourceId.replace(web.victim, "i-b"), content: { ...scheduled.content, instanceId: "i-b", eventStatus: "Canceled" } };
    const out = await run(forged, { DRAIN_WAIT_SECONDS: "120" });
    assert.equal(out.outcome, "skipped");
    assert.match(out.reason!, new RegExp(`is about ${web.victim}, but this event is about i-b`));
    assert.equal(records().length, before, "no record version written");
    assert.equal(latest().phase, "draining");
    assert.deepEqual(web.weights(), DRAINED, "i-web1's drain is not undone by i-b's event");

    // The record goes on with its own instance: reboot, restore.
    clock.set(FIRST_WINDOW + 3 * MIN);
    await tick({ DRAIN_WAIT_SECONDS: "120" });
    assert.equal(calls("RebootInstance"), 1);
    assert.equal(ev.Status, "Avoided");
  });

  it("H10: SystemFailure.Redeploy Scheduled is drained before notBefore, never RedeployInstance'd; restored after the platform's redeploy", async () => {
    const web = seedWeb();
    const notBefore = clock.now() + 6 * HOUR;
    const ev = fake.addSystemEvent({ InstanceId: web.victim, EventType: "SystemFailure.Redeploy", Status: "Scheduled", NotBefore: notBefore });
    const planned = await run(lastMessage("Instance:SystemFailure.Redeploy:Scheduled"), { DRAIN_WAIT_SECONDS: "0" });
    assert.equal(planned.outcome, "acted", planned.reason);
    assert.match(planned.reason!, /RedeployInstance answers SystemFailure\.Redeploy only in Inquiring/);
    assert.equal(latest().action, "DrainOnly");
    // The fake, following RedeployInstance's doc, would refuse it anyway.
    const { rpcError } = await import("../local-cloud/clients");
    assert.equal((await rpcError(fake, "ECS", "RedeployInstance", { RegionId: "cn-hangzhou", InstanceId: web.victim })).code, "IncorrectInstanceStatus");

    clock.set(notBefore - 2 * HOUR);
    await tick({ DRAIN_WAIT_SECONDS: "0" });
    assert.deepEqual(web.weights(), ORIGINAL, "not before the margin");
    clock.set(notBefore - 60 * MIN);
    const drained = await tick({ DRAIN_WAIT_SECONDS: "0" });
    assert.deepEqual(web.weights(), DRAINED, drained.reason);
    assert.match(drained.reason!, /the platform acts at notBefore/);

    // The platform redeploys at notBefore; our reconciler waits, then restores once it is back and healthy.
    clock.set(notBefore + 20 * MIN);
    assert.equal(ev.Status, "Executed");
    await tick({ DRAIN_WAIT_SECONDS: "0" });
    assert.equal(fake.state.getInstance(web.victim)!.Status, "Running");
    assert.deepEqual(web.weights(), ORIGINAL);
    assert.equal(latest().outcome, "executed-by-platform");
    assert.equal(fake.callLog.count("RedeployInstance"), 1, "only the test's own probe");
  });

  // Runs last: the suite's calls, seen by the fake over HTTP, against the RAM list.
  it("RAM: every API the suite made the function call is in its manifest list, and every listed one was called", () => {
    assert.ok(HANDLERS.maintenance, "maintenance is registered in registry.ts");
    const declared = new Set(ramActionsFor("maintenance"));
    for (const a of used) assert.ok(declared.has(a), `maintenance called ${a}, not in its RAM list`);
    const runtime = new Set(runtimeApis(HANDLERS.maintenance!).map(ramAction));
    for (const a of declared) if (!runtime.has(a)) assert.ok(used.has(a), `maintenance declares ${a} but no test path called it`);
    const manifest = JSON.parse(fs.readFileSync(path.join(OUT_DIR, "manifest.json"), "utf8"));
    assert.deepEqual(manifest.maintenance.ramActions, ramActionsFor("maintenance"));
  });
});
