// The bundled zips, run the way FC runs them, against the local fake cloud.
// Assertions read the fake's resulting STATE (memberships, weights, markers, queues).
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { endpointEnv, startFakeCloud, type FakeCloud } from "../../local-cloud";
import { decodeDeadLetter } from "../../handlers/cloud/mns-dead-letter";
import { ensureBundles, loadBundledHandler, withEnv, type FcHandler } from "./doubles/bundled";
import { fixture, makeEvent } from "./doubles/harness";

const SPOT = "Instance:PreemptibleInstanceInterruption";
const TAG = { "event-ops": "managed" };
const BUCKET = "event-ops-markers";
const DLQ = "event-ops-dlq";
const ALERTS = "event-ops-critical";

describe("bundled handlers against the fake cloud", function () {
  this.timeout(60_000);
  let fake: FakeCloud;
  let spot: FcHandler;
  let cleanup: FcHandler;
  let record: FcHandler;

  before(async () => {
    await ensureBundles();
    spot = loadBundledHandler("spot-drain");
    cleanup = loadBundledHandler("instance-cleanup");
    record = loadBundledHandler("state-record");
  });
  beforeEach(async () => {
    fake = await startFakeCloud();
    fake.state.addTopic(ALERTS);
  });
  afterEach(async () => {
    await fake.close();
  });

  const env = (extra: Record<string, string> = {}) => ({
    ...endpointEnv(fake),
    SCOPE_TAG_KEY: "event-ops",
    SCOPE_TAG_VALUE: "managed",
    DRAIN_WAIT_SECONDS: "0",
    MIN_HEALTHY_BACKENDS: "1",
    IDEMPOTENCY_BUCKET: BUCKET,
    IDEMPOTENCY_PREFIX: "markers",
    DEAD_LETTER_QUEUE: DLQ,
    ALERT_TOPIC: ALERTS,
    RETRY_BASE_DELAY_MS: "5",
    RETRY_MAX_DELAY_MS: "20",
    API_CALL_TIMEOUT_MS: "2000",
    ...extra,
  });
  // The function of the event's own region runs it: CMS routes each region's events there, and intake rejects any other region.
  const regionOf = (event: unknown) => (typeof (event as { regionId?: unknown })?.regionId === "string" ? (event as { regionId: string }).regionId : "cn-hangzhou");
  const context = (region = "cn-hangzhou") => ({ requestId: randomUUID(), function: { name: "f", timeout: 120 }, region, accountId: "1234567890123456" });
  const run = async (handler: FcHandler, event: unknown, extra: Record<string, string> = {}) =>
    withEnv(env(extra), async (lines) => {
      const outcome = await handler(Buffer.isBuffer(event) ? event : Buffer.from(JSON.stringify(event)), context(regionOf(event)));
      assert.equal(lines.length, 1, "exactly one log line per invocation");
      assert.deepEqual(JSON.parse(lines[0]).outcome, outcome.outcome);
      return outcome;
    });
  // Dead letters travel Base64 (handlers/cloud/mns-dead-letter.ts); readers decode them.
  const dlqMessages = () => (fake.state.getQueue(DLQ)?.Messages ?? []).map((m) => decodeDeadLetter(m.MessageBody));
  // Markers only: the claim journal (`~claims/`, core/claim-journal.ts) shares the bucket.
  const markers = () => [...(fake.state.buckets.get(BUCKET)?.entries() ?? [])].filter(([key]) => !key.includes("/~claims/")).map(([key, o]) => ({ key, ...JSON.parse(o.body.toString()) }));

  /** A spot victim in 2 CLBs (default + vServer groups) and 2 ALB server groups, each with a healthy peer. */
  function seedSpot(victim = "i-victim") {
    const s = fake.state;
    const peer = `${victim}-peer`;
    s.addInstance({ InstanceId: victim, Tags: TAG });
    s.addInstance({ InstanceId: peer, Tags: TAG });
    const lbA = s.addLoadBalancer({ BackendServers: [{ ServerId: victim, Weight: 100 }, { ServerId: peer, Weight: 100 }] });
    const lbB = s.addLoadBalancer({ BackendServers: [{ ServerId: peer, Weight: 100 }] });
    const vA = s.addVServerGroup({ LoadBalancerId: lbA.LoadBalancerId, BackendServers: [{ ServerId: victim, Port: 80 }, { ServerId: victim, Port: 81 }, { ServerId: peer, Port: 80 }] });
    const vB = s.addVServerGroup({ LoadBalancerId: lbB.LoadBalancerId, BackendServers: [{ ServerId: victim, Port: 443 }, { ServerId: peer, Port: 443 }] });
    const alb1 = s.addAlbServerGroup({ Servers: [{ ServerId: victim, Port: 80, Status: "Available" }, { ServerId: peer, Port: 80, Status: "Available" }] });
    const alb2 = s.addAlbServerGroup({ Servers: [{ ServerId: victim, Port: 8080, Status: "Available" }, { ServerId: peer, Port: 8080, Status: "Available" }] });
    const where = () => [
      ...[lbA, lbB].filter((lb) => s.getLoadBalancer(lb.LoadBalancerId)!.BackendServers.some((b) => b.ServerId === victim)).map((lb) => lb.LoadBalancerId),
      ...[vA, vB].filter((g) => s.getVServerGroup(g.VServerGroupId)!.BackendServers.some((b) => b.ServerId === victim)).map((g) => g.VServerGroupId),
      ...[alb1, alb2].filter((g) => s.getAlbServerGroup(g.ServerGroupId)!.Servers.some((b) => b.ServerId === victim)).map((g) => g.ServerGroupId),
    ];
    const snapshot = () => JSON.stringify([lbA, lbB].map((lb) => s.getLoadBalancer(lb.LoadBalancerId)!.BackendServers).concat([vA, vB].map((g) => s.getVServerGroup(g.VServerGroupId)!.BackendServers) as never, [alb1, alb2].map((g) => s.getAlbServerGroup(g.ServerGroupId)!.Servers) as never));
    return { victim, where, snapshot, ids: { lbA, lbB, vA, vB, alb1, alb2 } };
  }

  it("spot drain removes the instance from 2 CLBs, their vServer groups and 2 ALB groups, weight 0 first", async () => {
    const seed = seedSpot();
    assert.equal(seed.where().length, 5); // lb-A default group, 2 vServer groups, 2 ALB groups
    const out = await run(spot, makeEvent(SPOT, seed.victim, { action: "delete" }));
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(seed.where(), []);
    const weights = ["SetBackendServers", "SetVServerGroupAttribute", "UpdateServerGroupServersAttribute"].flatMap((a) => fake.callLog.succeeded(a));
    const removals = ["RemoveBackendServers", "RemoveVServerGroupBackendServers", "RemoveServersFromServerGroup"].flatMap((a) => fake.callLog.succeeded(a));
    assert.equal(weights.length, 5);
    assert.equal(removals.length, 5);
    assert.ok(Math.max(...weights.map((c) => c.seq)) < Math.min(...removals.map((c) => c.seq)));
    assert.deepEqual(markers().map((m) => m.state), ["done"]);
  });

  it("acts once when one event arrives 3 times in a row and twice at once", async () => {
    const seed = seedSpot();
    const event = makeEvent(SPOT, seed.victim);
    const sequential = [];
    for (let i = 0; i < 3; i++) sequential.push((await run(spot, event)).outcome);
    assert.deepEqual(sequential, ["acted", "duplicate", "duplicate"]);

    const seed2 = seedSpot("i-victim2");
    const event2 = makeEvent(SPOT, seed2.victim);
    const concurrent = await withEnv(env(), async () => Promise.all([spot(Buffer.from(JSON.stringify(event2)), context()), spot(Buffer.from(JSON.stringify(event2)), context())]));
    assert.deepEqual(concurrent.map((o) => o.outcome).sort(), ["acted", "duplicate"]);
    assert.deepEqual(seed2.where(), []);
    // One removal per target per event: 5 for each of the two events.
    assert.equal(["RemoveBackendServers", "RemoveVServerGroupBackendServers", "RemoveServersFromServerGroup"].reduce((n, a) => n + fake.callLog.succeeded(a).length, 0), 10);
  });

  it("retries injected throttling, 5xx and a slow answer to success", async () => {
    const seed = seedSpot();
    fake.faults.throttle("DescribeLoadBalancers", 2).fail("SetBackendServers", 2).fail("RemoveServersFromServerGroup", 1, { status: 500, code: "InternalError" }).delay("DescribeInstances", 3_000, 1);
    const out = await run(spot, makeEvent(SPOT, seed.victim), { API_CALL_TIMEOUT_MS: "500" });
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(seed.where(), []);
    assert.ok(fake.callLog.count("DescribeLoadBalancers") >= 3);
    assert.equal(fake.callLog.succeeded("SetBackendServers").length, 1);
  });

  it("ends a permanent failure as `failed` with the message and error kept in the DLQ", async () => {
    const seed = seedSpot();
    fake.faults.failAlways("RemoveServersFromServerGroup", { status: 403, code: "Forbidden.RAM", message: "denied by policy" });
    const event = makeEvent(SPOT, seed.victim);
    const out = await run(spot, event);
    assert.equal(out.outcome, "failed");
    assert.match(out.reason!, /denied by policy/);
    const [kept] = dlqMessages();
    assert.equal(kept.error?.code, "Forbidden.RAM");
    assert.deepEqual(JSON.parse(Buffer.from(kept.bodyBase64, "base64").toString()), event);
    assert.deepEqual(markers().map((m) => m.state), ["failed"]);
    // CLB removals that could be done were done; the ALB ones wait for the replay.
    assert.deepEqual(seed.where().sort(), [seed.ids.alb1.ServerGroupId, seed.ids.alb2.ServerGroupId].sort());
  });

  it("throws (so FC's onFailure destination keeps it) only when the DLQ itself is unreachable", async () => {
    const out = await withEnv(env({ ALIBABA_CLOUD_ENDPOINT_MNS: "http://127.0.0.1:1" }), async () => spot(Buffer.from("garbage"), context()).then(() => "returned", (e: Error) => e.message));
    assert.match(out, /ECONNREFUSED|connect/);
  });

  const malformed: [string, Buffer][] = [
    ["invalid JSON", Buffer.from("{nope")],
    ["wrong types", Buffer.from(JSON.stringify({ ...makeEvent(SPOT, "i-x"), regionId: 7 }))],
    ["an unknown name", Buffer.from(JSON.stringify(makeEvent("Instance:Evaporated", "i-x")))],
    ["an empty body", Buffer.alloc(0)],
    ["a huge body", Buffer.alloc(300 * 1024, 0x7b)],
  ];
  for (const [what, body] of malformed) {
    it(`rejects ${what} and keeps it in the DLQ`, async () => {
      const out = await run(spot, body);
      assert.equal(out.outcome, "rejected");
      const [kept] = dlqMessages();
      assert.equal(kept.reason, `rejected: ${out.reason}`);
      if (body.length > 36 * 1024) {
        // Too big for one MNS message: the body MUST have gone to OSS, referenced by hash.
        assert.ok(kept.bodyRef, "a body this big is kept in OSS");
        const key = kept.bodyRef.replace(`oss://${BUCKET}/`, "");
        assert.deepEqual(Buffer.from(fake.state.getObject(BUCKET, key)!.body.toString(), "base64"), body);
        assert.equal(kept.bodyBase64, "");
      } else assert.equal(kept.bodyBase64, body.toString("base64"));
    });
  }

  it("under DRY_RUN records actions but changes no state and writes no marker", async () => {
    const seed = seedSpot();
    const before = seed.snapshot();
    const out = await run(spot, makeEvent(SPOT, seed.victim), { DRY_RUN: "true" });
    assert.equal(out.outcome, "dry-run");
    assert.equal(out.actions.length, 10);
    assert.equal(seed.snapshot(), before);
    assert.deepEqual(markers(), []);
  });

  it("publishes exactly one CRITICAL alert to ALERT_TOPIC when removal leaves a group below MIN_HEALTHY_BACKENDS", async () => {
    const seed = seedSpot();
    fake.state.setBackendHealth(seed.ids.lbB.LoadBalancerId, `${seed.victim}-peer`, "abnormal");
    const event = makeEvent(SPOT, seed.victim);
    const out = await run(spot, event);
    assert.equal(out.outcome, "acted");
    assert.match(out.warnings?.join("\n") ?? "", /vServer group .* keeps 0 healthy/);
    const published = fake.state.topicMessages(ALERTS).map((b) => JSON.parse(b));
    assert.equal(published.length, 1);
    assert.deepEqual(
      { ...published[0], summary: undefined, detail: undefined, at: undefined },
      { alert: "EventOps:CapacityBelowMinimum", severity: "CRITICAL", summary: undefined, handler: "spot-drain", eventId: event.id, instanceId: seed.victim, detail: undefined, at: undefined },
    );
    assert.match(published[0].summary, /^\[CRITICAL\] capacity below minimum: CLB lb-\S+ vServer group \S+ has 0 healthy backends \(min 1\), after i-victim left$/);
    assert.match(published[0].detail.targets[0].target, /vServer group/);
    assert.deepEqual(fake.state.topicMessageAttributes(ALERTS), [undefined], "no mail or SMS configured");
    assert.equal(fake.state.customEvents.length, 0);
    assert.deepEqual(seed.where(), []);
  });

  it("sends DirectMail and DirectSMS as MessageAttributes when ALERT_MAIL_ACCOUNT and the SMS pair are set", async () => {
    const seed = seedSpot();
    fake.state.setBackendHealth(seed.ids.lbB.LoadBalancerId, `${seed.victim}-peer`, "abnormal");
    const out = await run(spot, makeEvent(SPOT, seed.victim), { ALERT_MAIL_ACCOUNT: "alerts@mail.example.com", ALERT_SMS_SIGN_NAME: "EventOps", ALERT_SMS_TEMPLATE_CODE: "SMS_465000001" });
    assert.equal(out.outcome, "acted", out.reason);
    const [body] = fake.state.topicMessages(ALERTS).map((b) => JSON.parse(b));
    const [attributes, ...more] = fake.state.topicMessageAttributes(ALERTS);
    assert.deepEqual(more, [], "exactly one alert");
    assert.deepEqual(Object.keys(attributes!), ["DirectMail", "DirectSMS"]);
    assert.deepEqual(JSON.parse(attributes!.DirectMail), { AccountName: "alerts@mail.example.com", Subject: body.summary, AddressType: 1, IsHtml: 0, ReplyToAddress: 0 });
    assert.deepEqual(JSON.parse(attributes!.DirectSMS), { FreeSignName: "EventOps", TemplateCode: "SMS_465000001", Type: "singleContent", SmsParams: JSON.stringify({ alert: "capacity < 1 healthy on 1 target" }) });
  });

  it("retries a failing topic publish to success", async () => {
    const seed = seedSpot();
    fake.state.setBackendHealth(seed.ids.lbB.LoadBalancerId, `${seed.victim}-peer`, "abnormal");
    fake.faults.fail("PublishMessage", 2);
    const out = await run(spot, makeEvent(SPOT, seed.victim));
    assert.equal(out.outcome, "acted", out.reason);
    assert.equal(fake.callLog.count("PublishMessage"), 3);
    assert.equal(fake.state.topicMessages(ALERTS).length, 1);
    assert.doesNotMatch(out.warnings!.join("\n"), /NOT delivered/);
  });

  it("says loudly when the alert cannot be published at all, and still drains (the event is not lost)", async () => {
    const seed = seedSpot();
    fake.state.setBackendHealth(seed.ids.lbB.LoadBalancerId, `${seed.victim}-peer`, "abnormal");
    fake.faults.failAlways("PublishMessage", { status: 503, code: "ServiceUnavailable" });
    const out = await run(spot, makeEvent(SPOT, seed.victim));
    assert.equal(out.outcome, "acted", out.reason);
    assert.equal(fake.callLog.count("PublishMessage"), 5, "API_MAX_ATTEMPTS");
    assert.match(out.warnings!.join("\n"), /CRITICAL alert EventOps:CapacityBelowMinimum NOT delivered to MNS topic event-ops-critical: .*ServiceUnavailable.*; removing anyway/);
    assert.ok(out.actions.some((a) => a.action === "PublishMessage"), "the alert body stays in the outcome line");
    assert.deepEqual(seed.where(), []);
    assert.deepEqual(markers().map((m) => m.state), ["done"]);
    // A topic that does not exist is not retried, and says so.
    fake.faults.clear("PublishMessage");
    const before = fake.callLog.count("PublishMessage");
    const seed2 = seedSpot("i-victim2");
    fake.state.setBackendHealth(seed2.ids.lbB.LoadBalancerId, `${seed2.victim}-peer`, "abnormal");
    const out2 = await run(spot, makeEvent(SPOT, seed2.victim), { ALERT_TOPIC: "no-such-topic" });
    assert.match(out2.warnings!.join("\n"), /NOT delivered to MNS topic no-such-topic: .*TopicNotExist/);
    assert.equal(fake.callLog.count("PublishMessage") - before, 1);
  });

  it("under DRY_RUN publishes no alert, recording the one it would publish", async () => {
    const seed = seedSpot();
    fake.state.setBackendHealth(seed.ids.lbB.LoadBalancerId, `${seed.victim}-peer`, "abnormal");
    const out = await run(spot, makeEvent(SPOT, seed.victim), { DRY_RUN: "true" });
    assert.equal(out.outcome, "dry-run");
    assert.deepEqual(fake.state.topicMessages(ALERTS), []);
    assert.equal(fake.callLog.count("PublishMessage"), 0);
    const recorded = out.actions.filter((a) => a.action === "PublishMessage");
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].params.TopicName, ALERTS);
  });

  it("leaves a group on the OOS spot path to its template", async () => {
    const seed = seedSpot();
    fake.state.getInstance(seed.victim)!.Tags.push({ TagKey: "app", TagValue: "web" });
    const GROUP_POLICIES = JSON.stringify({ tagKey: "app", groups: { web: { group: "web", spotPath: "oos", maintenance: { policy: "notify" }, expiry: { policy: "notify", renewMonths: 1 } } } });
    const out = await run(spot, makeEvent(SPOT, seed.victim), { GROUP_POLICIES });
    assert.equal(out.outcome, "skipped");
    assert.equal(out.reason, "group web uses the OOS spot-drain template");
    assert.equal(seed.where().length, 5);
  });

  it("reports timings on every outcome: own overhead = total − api − wait is not negative", async () => {
    const seed = seedSpot();
    const outs = [await run(spot, makeEvent(SPOT, seed.victim)), await run(spot, Buffer.from("{nope")), await run(record, fixture("system-failure-reboot-executing"))];
    for (const o of outs) {
      const t = o.timings!;
      assert.ok(t.totalMs > 0 && t.apiMs >= 0 && t.waitMs >= 0, JSON.stringify(t));
      // Port calls and the wait never overlap here, so they fit inside the total.
      assert.ok(t.totalMs - t.apiMs - t.waitMs >= 0, JSON.stringify(t));
    }
    assert.ok(outs[0].timings!.apiMs > 0, "the drain called the cloud");
    assert.equal(outs[2].timings!.apiMs, 0, "state-record calls nothing");
  });

  it("instance-cleanup detaches a released instance from ESS and removes it from LBs", async () => {
    const s = fake.state;
    const group = s.addScalingGroup({ MinSize: 0 });
    s.addScalingInstance(group.ScalingGroupId, { InstanceId: "i-released" });
    s.addScalingInstance(group.ScalingGroupId, { InstanceId: "i-other" });
    const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: "i-released", Weight: 100 }, { ServerId: "i-other", Weight: 100 }] });
    const raw = fixture("state-change-deleted");
    const out = await run(cleanup, { ...raw, content: { ...(raw.content as object), resourceId: "i-released" } });
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual([...s.getScalingGroup(group.ScalingGroupId)!.Instances.keys()], ["i-other"]);
    assert.deepEqual(s.getLoadBalancer(lb.LoadBalancerId)!.BackendServers.map((b) => b.ServerId), ["i-other"]);
  });

  it("state-record logs the event and calls nothing", async () => {
    const out = await run(record, fixture("system-failure-reboot-executing"));
    assert.equal(out.outcome, "acted");
    assert.match(out.reason!, /Instance:SystemFailure.Reboot:Executing/);
    assert.equal(fake.callLog.count(), 0);
  });
});
