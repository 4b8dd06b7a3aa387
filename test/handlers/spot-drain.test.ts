import { strict as assert } from "node:assert";
import { spotDrain, boundedWaitMs, REMOVAL_RESERVE_MS, CAPACITY_EVENT_NAME } from "../../handlers/spot-drain/handler";
import { ApiFault } from "./doubles/memory-cloud";
import { buffer, harness, IN_SCOPE, makeEvent } from "./doubles/harness";

const SPOT = "Instance:PreemptibleInstanceInterruption";
const VICTIM = "i-spot";

/** Two CLBs (default group + vServer groups, one on two ports) and two ALB groups, with healthy peers. */
function seeded(env: Record<string, string> = {}) {
  const h = harness(spotDrain, env);
  h.cloud
    .addInstance(VICTIM, IN_SCOPE)
    .addInstance("i-peer1", IN_SCOPE)
    .addClb("lb-a", [{ ServerId: VICTIM, Weight: 100, Type: "ecs" }, { ServerId: "i-peer1", Weight: 100, Type: "ecs" }], {
      "rsp-a1": [{ ServerId: VICTIM, Port: 80, Weight: 50 }, { ServerId: VICTIM, Port: 8080, Weight: 50 }, { ServerId: "i-peer1", Port: 80, Weight: 50 }],
    })
    .addClb("lb-b", [{ ServerId: "i-peer2", Weight: 100 }], { "rsp-b1": [{ ServerId: VICTIM, Port: 443, Weight: 10 }, { ServerId: "i-peer2", Port: 443, Weight: 10 }] })
    .addClb("lb-unrelated", [{ ServerId: "i-peer3", Weight: 100 }])
    .addAlbGroup("sgp-1", [{ ServerId: VICTIM, Port: 80, Weight: 100, ServerType: "Ecs", Status: "Available" }, { ServerId: "i-peer4", Port: 80, Weight: 100, ServerType: "Ecs", Status: "Available" }])
    .addAlbGroup("sgp-2", [{ ServerId: VICTIM, Port: 9000, Weight: 100, ServerType: "Ecs", Status: "Available" }, { ServerId: "i-peer5", Port: 9000, Weight: 100, ServerType: "Ecs", Status: "Available" }])
    .addAlbGroup("sgp-other", [{ ServerId: "i-peer6", Port: 80, Weight: 100, ServerType: "Ecs", Status: "Available" }]);
  return h;
}

function victimAnywhere(h: ReturnType<typeof seeded>): string[] {
  const where: string[] = [];
  for (const lb of h.cloud.clbs.values()) {
    if (lb.backends.some((b) => b.ServerId === VICTIM)) where.push(lb.id);
    for (const [g, backends] of Object.entries(lb.vServerGroups)) if (backends.some((b) => b.ServerId === VICTIM)) where.push(g);
  }
  for (const [g, servers] of h.cloud.albGroups) if (servers.some((s) => s.ServerId === VICTIM)) where.push(g);
  return where;
}

/** Every backend left on every target: [server, port, weight]. */
function peerWeights(h: ReturnType<typeof seeded>): Record<string, [string, number | undefined, number][]> {
  const out: Record<string, [string, number | undefined, number][]> = {};
  for (const lb of h.cloud.clbs.values()) {
    out[lb.id] = lb.backends.map((b) => [b.ServerId, b.Port, b.Weight]);
    for (const [g, backends] of Object.entries(lb.vServerGroups)) out[g] = backends.map((b) => [b.ServerId, b.Port, b.Weight]);
  }
  for (const [g, servers] of h.cloud.albGroups) out[g] = servers.map((b) => [b.ServerId, b.Port, b.Weight]);
  return out;
}

describe("spot-drain", () => {
  it("drains every CLB, vServer group and ALB group: weight 0, wait, then removal", async () => {
    const h = seeded();
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM, { action: "delete" })));
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(victimAnywhere(h), []);
    // Peers untouched: still there, weights as they were.
    assert.deepEqual(peerWeights(h), {
      "lb-a": [["i-peer1", undefined, 100]],
      "rsp-a1": [["i-peer1", 80, 50]],
      "lb-b": [["i-peer2", undefined, 100]],
      "rsp-b1": [["i-peer2", 443, 10]],
      "lb-unrelated": [["i-peer3", undefined, 100]],
      "sgp-1": [["i-peer4", 80, 100]],
      "sgp-2": [["i-peer5", 9000, 100]],
      "sgp-other": [["i-peer6", 80, 100]],
    });
    // Every weight change precedes every removal, and the wait sits between them.
    const actions = h.cloud.mutations().map((c) => c.api.action);
    const lastWeight = Math.max(...["SetBackendServers", "SetVServerGroupAttribute", "UpdateServerGroupServersAttribute"].map((a) => actions.lastIndexOf(a)));
    const firstRemoval = Math.min(...["RemoveBackendServers", "RemoveVServerGroupBackendServers", "RemoveServersFromServerGroup"].map((a) => actions.indexOf(a)));
    assert.ok(lastWeight < firstRemoval, actions.join(","));
    assert.equal(actions.filter((a) => a.startsWith("Set") || a.startsWith("Update")).length, 5); // lb-a, rsp-a1, rsp-b1, sgp-1, sgp-2
    assert.deepEqual(h.clock.slept, [20_000]);
    // Both ports of rsp-a1 went to weight 0 in one call.
    const vs = h.cloud.mutations().find((c) => c.api.action === "SetVServerGroupAttribute" && c.params.VServerGroupId === "rsp-a1")!;
    assert.deepEqual(JSON.parse(String(vs.params.BackendServers)).map((b: { Port: string; Weight: string }) => [b.Port, b.Weight]), [["80", "0"], ["8080", "0"]]);
    assert.equal(out.actions.length, 10);
    assert.equal(out.warnings, undefined);
  });

  it("walks every page of DescribeLoadBalancers", async () => {
    const h = harness(spotDrain);
    h.cloud.addInstance(VICTIM, IN_SCOPE);
    for (let i = 0; i < 230; i++) h.cloud.addClb(`lb-${i}`, [{ ServerId: VICTIM, Weight: 100 }, { ServerId: "i-peer", Weight: 100 }]);
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "acted", out.reason);
    assert.equal([...h.cloud.clbs.values()].filter((lb) => lb.backends.some((b) => b.ServerId === VICTIM)).length, 0);
    assert.equal(h.cloud.calls.filter((c) => c.api.action === "DescribeLoadBalancers").length, 3);
  });

  it("warns loudly and publishes one CRITICAL alert to ALERT_TOPIC when removal leaves too few healthy backends", async () => {
    const h = seeded({ MIN_HEALTHY_BACKENDS: "1" });
    h.cloud.health.set("i-peer2", "abnormal");
    h.cloud.albGroups.get("sgp-2")![1].Status = "Configuring";
    const event = makeEvent(SPOT, VICTIM);
    const out = await h.invoke(buffer(event));
    assert.equal(out.outcome, "acted");
    assert.equal(out.warnings?.length, 2, JSON.stringify(out.warnings));
    assert.match(out.warnings![0] + out.warnings![1], /rsp-b1 keeps 0 healthy/);
    assert.match(out.warnings![0] + out.warnings![1], /sgp-2 keeps 0 healthy/);
    const [alert, ...more] = h.topics.messages("event-ops-critical");
    assert.deepEqual(more, [], "exactly one alert");
    assert.deepEqual(Object.keys(alert), ["alert", "severity", "summary", "handler", "eventId", "instanceId", "detail", "at"]);
    assert.equal(alert.alert, CAPACITY_EVENT_NAME);
    assert.equal(alert.severity, "CRITICAL");
    assert.equal(alert.summary, "[CRITICAL] capacity below minimum: CLB lb-b vServer group rsp-b1 has 0 healthy backends (min 1); 1 more target, after i-spot left");
    assert.deepEqual(h.topics.sent.map((m) => m.attributes), [undefined], "no mail or SMS configured: no MessageAttributes");
    assert.equal(alert.handler, "spot-drain");
    assert.equal(alert.eventId, event.id);
    assert.equal(alert.instanceId, VICTIM);
    assert.equal(alert.at, new Date(h.clock.now()).toISOString());
    assert.equal((alert.detail as { targets: unknown[] }).targets.length, 2);
    assert.equal(h.cloud.customEvents.length, 0, "no CMS custom event");
    assert.ok(out.actions.some((a) => a.product === "mns" && a.action === "PublishMessage" && a.params.TopicName === "event-ops-critical"));
    assert.deepEqual(victimAnywhere(h), [], "the instance goes away regardless");
  });

  it("with ALERT_MAIL_ACCOUNT and the SMS pair, the one alert carries DirectMail and DirectSMS for the mail and SMS subscriptions", async () => {
    const h = seeded({ MIN_HEALTHY_BACKENDS: "2", ALERT_MAIL_ACCOUNT: "alerts@mail.example.com", ALERT_SMS_SIGN_NAME: "EventOps", ALERT_SMS_TEMPLATE_CODE: "SMS_465000001" });
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "acted", out.reason);
    assert.equal(h.topics.sent.length, 1, "exactly one alert");
    const [{ topic, body, attributes }] = h.topics.sent;
    assert.equal(topic, "event-ops-critical");
    const subject = "[CRITICAL] capacity below minimum: CLB lb-a has 1 healthy backend (min 2); 4 more targets, after i-spot left";
    assert.equal(JSON.parse(body).summary, subject);
    assert.deepEqual(attributes, {
      DirectMail: { AccountName: "alerts@mail.example.com", Subject: subject, AddressType: 1, IsHtml: 0, ReplyToAddress: 0 },
      DirectSMS: { FreeSignName: "EventOps", TemplateCode: "SMS_465000001", Type: "singleContent", SmsParams: JSON.stringify({ alert: "capacity < 2 healthy on 5 targets" }) },
    });
    // The outcome records the same call, attributes included.
    const recorded = out.actions.filter((a) => a.action === "PublishMessage");
    assert.deepEqual(recorded.map((a) => a.params), [{ TopicName: "event-ops-critical", MessageBody: body, MessageAttributes: attributes }]);
  });

  it("with mail only, DirectSMS is left out", async () => {
    const h = seeded({ MIN_HEALTHY_BACKENDS: "2", ALERT_MAIL_ACCOUNT: "alerts@mail.example.com" });
    await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.deepEqual(h.topics.sent.map((m) => Object.keys(m.attributes ?? {})), [["DirectMail"]]);
  });

  it("says loudly when the alert could not be published, and still removes the instance", async () => {
    const h = seeded({ MIN_HEALTHY_BACKENDS: "1" });
    h.cloud.health.set("i-peer2", "abnormal");
    h.topics.broken = Object.assign(new Error("TopicNotExist: The topic you provided does not exist."), { code: "TopicNotExist" });
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "acted", out.reason);
    assert.match(out.warnings!.join("\n"), /rsp-b1 keeps 0 healthy/);
    assert.match(out.warnings!.join("\n"), /CRITICAL alert EventOps:CapacityBelowMinimum NOT delivered to MNS topic event-ops-critical: TopicNotExist.*removing anyway/);
    assert.deepEqual(victimAnywhere(h), []);
    assert.equal(h.store.markers()[0].state, "done");
  });

  it("without ALERT_TOPIC says the alert went nowhere (no CMS custom event either), and still removes", async () => {
    const h = seeded({ ALERT_TOPIC: "" });
    h.cloud.health.set("i-peer2", "abnormal");
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "acted", out.reason);
    assert.match(out.warnings!.join("\n"), /CRITICAL alert EventOps:CapacityBelowMinimum NOT delivered: ALERT_TOPIC is not set/);
    assert.equal(h.cloud.customEvents.length, 0);
    assert.deepEqual(victimAnywhere(h), []);
  });

  it("under DRY_RUN records the alert it would publish and publishes nothing", async () => {
    const h = seeded({ DRY_RUN: "true" });
    h.cloud.health.set("i-peer2", "abnormal");
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "dry-run");
    assert.equal(h.topics.published.size, 0);
    const publish = out.actions.filter((a) => a.action === "PublishMessage");
    assert.equal(publish.length, 1);
    assert.equal(JSON.parse(String(publish[0].params.MessageBody)).alert, CAPACITY_EVENT_NAME);
    assert.equal(publish[0].params.MessageAttributes, undefined);
    assert.match(out.warnings!.join(), /rsp-b1 keeps 0 healthy/);
  });

  it("skips an instance whose group takes the OOS spot-drain path, touching nothing", async () => {
    const policies = (spotPath: string) =>
      JSON.stringify({ tagKey: "app", groups: { web: { group: "web-tier", spotPath, maintenance: { policy: "notify" }, expiry: { policy: "notify", renewMonths: 1 } } } });
    const h = seeded({ GROUP_POLICIES: policies("oos") });
    h.cloud.instances.set(VICTIM, { ...IN_SCOPE, app: "web" });
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "skipped");
    assert.equal(out.reason, "group web-tier uses the OOS spot-drain template");
    assert.equal(h.cloud.mutations().length, 0);
    assert.equal(victimAnywhere(h).length, 5);

    // The same group on the function path, or an instance of no known group, is drained.
    const fn = seeded({ GROUP_POLICIES: policies("function") });
    fn.cloud.instances.set(VICTIM, { ...IN_SCOPE, app: "web" });
    assert.equal((await fn.invoke(buffer(makeEvent(SPOT, VICTIM)))).outcome, "acted");
    const other = seeded({ GROUP_POLICIES: policies("oos") });
    other.cloud.instances.set(VICTIM, { ...IN_SCOPE, app: "batch" });
    assert.equal((await other.invoke(buffer(makeEvent(SPOT, VICTIM)))).outcome, "acted");
  });

  it("reports timings: the drain wait as waitMs, own overhead = total − api − wait", async () => {
    const h = seeded();
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    // The manual clock only moves in sleep(): everything else takes no time on it (the first weight 0 is at 0, before the wait).
    assert.deepEqual(out.timings, { totalMs: 20_000, apiMs: 0, waitMs: 20_000, firstWeightZeroMs: 0 });
  });

  it("counts weight-0 peers as no capacity, and still removes", async () => {
    const h = seeded({ MIN_HEALTHY_BACKENDS: "1" });
    h.cloud.clbs.get("lb-a")!.backends[1].Weight = 0;
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(out.warnings, ["capacity below minimum: CLB lb-a keeps 0 healthy backend(s), MIN_HEALTHY_BACKENDS=1"]);
    assert.deepEqual(victimAnywhere(h), []);
    assert.deepEqual(h.cloud.clbs.get("lb-a")!.backends, [{ ServerId: "i-peer1", Weight: 0, Type: "ecs" }], "the guard changes no peer");
  });

  it("counts unknown health as not healthy: no health row (CLB), `unavailable` (CLB), `Initial` (ALB)", async () => {
    const h = seeded({ MIN_HEALTHY_BACKENDS: "1" });
    h.cloud.health.set("i-peer1", "unavailable"); // lb-a and rsp-a1
    h.cloud.health.set("i-peer4", "Initial"); // sgp-1: no health data yet
    const describe = h.cloud.DescribeHealthStatus.bind(h.cloud);
    h.cloud.DescribeHealthStatus = (p) => (p.LoadBalancerId === "lb-b" ? { BackendServers: { BackendServer: [] } } : describe(p)); // no row for i-peer2
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual([...(out.warnings ?? [])].sort(), [
      "capacity below minimum: ALB server group sgp-1 keeps 0 healthy backend(s), MIN_HEALTHY_BACKENDS=1 (1 with unknown health)",
      "capacity below minimum: CLB lb-a keeps 0 healthy backend(s), MIN_HEALTHY_BACKENDS=1 (1 with unknown health)",
      "capacity below minimum: CLB lb-a vServer group rsp-a1 keeps 0 healthy backend(s), MIN_HEALTHY_BACKENDS=1 (1 with unknown health)",
      "capacity below minimum: CLB lb-b vServer group rsp-b1 keeps 0 healthy backend(s), MIN_HEALTHY_BACKENDS=1 (1 with unknown health)",
    ]);
    assert.deepEqual((h.topics.messages("event-ops-critical")[0].detail as { targets: { unknown: number }[] }).targets.map((t) => t.unknown), [1, 1, 1, 1]);
    assert.deepEqual(victimAnywhere(h), []);
  });

  it("removes the instance when the capacity check itself fails, and says so", async () => {
    const h = seeded({ MIN_HEALTHY_BACKENDS: "1" });
    h.cloud.fail("DescribeHealthStatus", () => new ApiFault("Forbidden.RAM", 403, "User not authorized to operate on the specified resource."));
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "acted", out.reason);
    assert.equal(out.warnings?.length, 1);
    assert.match(out.warnings![0], /^capacity check failed \(capacity check failed for 3 target\(s\): CLB lb-a: User not authorized.*\); removing anyway$/);
    assert.deepEqual(victimAnywhere(h), []);
    assert.equal(h.topics.sent.length, 0, "no alert was made from a check that did not run");
    assert.equal(h.store.markers()[0].state, "done");
  });

  for (const failing of ["lb-a", "rsp-b1", "sgp-2"]) {
    it(`a target that keeps failing (${failing}) does not stop the others: they are drained and removed, the event fails to the DLQ`, async () => {
      const h = seeded();
      const wrap = (action: "RemoveBackendServers" | "RemoveVServerGroupBackendServers" | "RemoveServersFromServerGroup", key: string) => {
        const real = h.cloud[action].bind(h.cloud);
        h.cloud[action] = (p) => {
          if (p[key] === failing) throw new ApiFault("Forbidden.RAM", 403, `denied on ${failing}`);
          return real(p);
        };
      };
      wrap("RemoveBackendServers", "LoadBalancerId");
      wrap("RemoveVServerGroupBackendServers", "VServerGroupId");
      wrap("RemoveServersFromServerGroup", "ServerGroupId");
      const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
      assert.equal(out.outcome, "failed");
      assert.match(out.reason!, new RegExp(`removal failed for 1 target\\(s\\): .*${failing}: denied on ${failing}`));
      assert.deepEqual(victimAnywhere(h), [failing], "every other target was drained and removed");
      assert.deepEqual(h.dlq.records.map((r) => r.error?.code), ["Forbidden.RAM"]);
      assert.equal(h.store.markers()[0].state, "failed");
    });
  }

  it("skips instances without the scope tag, touching nothing", async () => {
    const h = seeded();
    h.cloud.instances.set(VICTIM, { team: "other" });
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "skipped");
    assert.match(out.reason!, /does not carry the scope tag event-ops=managed/);
    assert.equal(h.cloud.mutations().length, 0);
  });

  it("skips an in-scope instance that is behind no load balancer", async () => {
    const h = harness(spotDrain);
    h.cloud.addInstance(VICTIM, IN_SCOPE);
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "skipped");
    assert.match(out.reason!, /not a backend/);
  });

  it("counts each API's documented 'already gone' answer as done, sent once", async () => {
    const h = seeded();
    h.cloud.fail("RemoveBackendServers", () => new ApiFault("InvalidLoadBalancerId.NotFound", 404), 5);
    h.cloud.fail("RemoveVServerGroupBackendServers", () => new ApiFault("InvalidParameter", 400, "code: 400, The specified VServerGroupId does not exist. request id: R"), 5);
    h.cloud.fail("RemoveServersFromServerGroup", () => new ApiFault("ResourceNotFound.BackendServer", 404), 5);
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(["RemoveBackendServers", "RemoveVServerGroupBackendServers", "RemoveServersFromServerGroup"].map((a) => h.cloud.calls.filter((c) => c.api.action === a).length), [1, 2, 2]);
    assert.equal(h.store.markers()[0].state, "done");
    assert.deepEqual(h.dlq.records, []);
  });

  it("an answer outside the API's list ('BackendServer.NotExist' with a 404) fails the event; the other targets are still removed", async () => {
    const h = seeded();
    h.cloud.fail("RemoveBackendServers", () => new ApiFault("BackendServer.NotExist", 404));
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "failed");
    assert.deepEqual(victimAnywhere(h), ["lb-a"]);
    assert.deepEqual(h.dlq.records.map((r) => r.error?.code), ["BackendServer.NotExist"]);
    assert.equal(h.store.markers()[0].state, "failed");
  });

  it("removes a released instance straight away (no weights, no wait) unless tags are required", async () => {
    const h = seeded();
    h.cloud.instances.delete(VICTIM);
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(h.clock.slept, []);
    assert.ok(!h.cloud.mutations().some((c) => c.api.action.startsWith("Set")));
    assert.deepEqual(victimAnywhere(h), []);

    const strict = seeded({ SCOPE_REQUIRE_TAG_FOR_RELEASED: "true" });
    strict.cloud.instances.delete(VICTIM);
    const skipped = await strict.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(skipped.outcome, "skipped");
    assert.match(skipped.reason!, /SCOPE_REQUIRE_TAG_FOR_RELEASED=true/);
  });

  it("under DRY_RUN records every action and mutates nothing", async () => {
    const h = seeded({ DRY_RUN: "true" });
    const before = JSON.stringify([...h.cloud.clbs.values(), ...h.cloud.albGroups.values()]);
    const out = await h.invoke(buffer(makeEvent(SPOT, VICTIM)));
    assert.equal(out.outcome, "dry-run");
    assert.equal(out.actions.length, 10);
    assert.equal(h.cloud.mutations().length, 0);
    assert.equal(JSON.stringify([...h.cloud.clbs.values(), ...h.cloud.albGroups.values()]), before);
    assert.equal(h.store.objects.size, 0, "no markers either");
    assert.deepEqual(h.clock.slept, []);
  });

  it("bounds the wait so removal still fits before the deadline", () => {
    assert.deepEqual(boundedWaitMs(60, 300_000), { waitMs: 60_000, capped: false });
    assert.deepEqual(boundedWaitMs(200, REMOVAL_RESERVE_MS + 50_000), { waitMs: 50_000, capped: true });
    assert.deepEqual(boundedWaitMs(10, 1_000), { waitMs: 0, capped: true });
  });
});
