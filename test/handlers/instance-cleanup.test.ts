import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { instanceCleanup } from "../../handlers/instance-cleanup/handler";
import { endpointEnv, FakeClock, startFakeCloud, type CmsSystemEvent, type FakeCloud } from "../../local-cloud";
import { ensureBundles, loadBundledFactory, withEnv, type FcHandler } from "./doubles/bundled";
import { ApiFault } from "./doubles/memory-cloud";
import { buffer, fixture, harness, IN_SCOPE, makeEvent } from "./doubles/harness";

const GONE = "i-gone";
const deleted = () => makeEvent("Instance:StateChange", GONE, { resourceId: GONE, state: "Deleted" }, { level: "INFO" });

function seeded(env: Record<string, string> = {}) {
  const h = harness(instanceCleanup, env);
  h.cloud
    .addClb("lb-1", [{ ServerId: GONE, Weight: 100 }, { ServerId: "i-peer", Weight: 100 }], { "rsp-1": [{ ServerId: GONE, Port: 80, Weight: 100 }] })
    .addAlbGroup("sgp-1", [{ ServerId: GONE, Port: 80, Weight: 100, ServerType: "Ecs", Status: "Available" }]);
  h.cloud.scaling.set("asg-1", [GONE, "i-peer"]);
  return h;
}

describe("instance-cleanup", () => {
  it("detaches a released instance from its scaling group and removes it from every LB", async () => {
    const h = seeded();
    const out = await h.invoke(buffer(deleted()));
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(h.cloud.scaling.get("asg-1"), ["i-peer"]);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), ["i-peer"]);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.vServerGroups["rsp-1"], []);
    assert.deepEqual(h.cloud.albGroups.get("sgp-1"), []);
    const detach = h.cloud.mutations().find((c) => c.api.action === "DetachInstances")!;
    assert.equal(detach.params.DecreaseDesiredCapacity, false);
    assert.match(String(detach.params.ClientToken), /^[0-9a-f]{40}$/);
    assert.deepEqual(h.clock.slept, [], "no drain wait for a gone instance");
  });

  it("handles the catalogue's delete events on Executed", async () => {
    const h = seeded();
    const out = await h.invoke(buffer(makeEvent("Instance:SystemFailure.Delete:Executed", GONE, { eventStatus: "Executed" }, { level: "CRITICAL" })));
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(h.cloud.scaling.get("asg-1"), ["i-peer"]);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), ["i-peer"]);
    assert.deepEqual(h.cloud.albGroups.get("sgp-1"), []);
    const before = seeded();
    const early = await before.invoke(buffer(makeEvent("Instance:SystemFailure.Delete:Executing", GONE, { eventStatus: "Executing" }, { level: "CRITICAL" })));
    assert.equal(early.outcome, "skipped");
    assert.match(early.reason!, /acts on Executed only/);
    assert.equal(before.cloud.calls.length, 0, "not even a read");
    assert.deepEqual(before.cloud.scaling.get("asg-1"), [GONE, "i-peer"]);
  });

  it("ignores state changes other than Deleted", async () => {
    const out = await seeded().invoke(buffer(makeEvent("Instance:StateChange", GONE, { resourceId: GONE, state: "Stopped" }, { level: "INFO" })));
    assert.equal(out.outcome, "skipped");
    assert.match(out.reason!, /does not act on Instance:StateChange/);
  });

  it("R8: a Deleted notice for an instance DescribeInstances still shows Running removes nothing, and says why", async () => {
    for (const status of ["Running", "Starting", "Stopping", "Pending"]) {
      const h = seeded();
      h.cloud.addInstance(GONE, IN_SCOPE, status);
      const out = await h.invoke(buffer(deleted()));
      assert.equal(out.outcome, "skipped", status);
      assert.match(out.reason!, new RegExp(`DescribeInstances still lists ${GONE} as ${status}: not released, nothing removed`));
      assert.equal(h.cloud.mutations().length, 0, status);
      assert.deepEqual(h.cloud.scaling.get("asg-1"), [GONE, "i-peer"]);
      assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), [GONE, "i-peer"]);
      assert.equal(h.cloud.albGroups.get("sgp-1")!.length, 1);
    }
    // The same for a delete event's Executed.
    const h = seeded();
    h.cloud.addInstance(GONE, IN_SCOPE, "Running");
    const out = await h.invoke(buffer(makeEvent("Instance:SystemFailure.Delete:Executed", GONE, { eventStatus: "Executed" }, { level: "CRITICAL" })));
    assert.equal(out.outcome, "skipped");
    assert.equal(h.cloud.mutations().length, 0);
  });

  it("a Stopped instance (waiting to be released) is cleaned up when it carries the scope tag, skipped when it does not", async () => {
    const foreign = seeded();
    foreign.cloud.addInstance(GONE, { owner: "someone-else" }, "Stopped");
    assert.equal((await foreign.invoke(buffer(deleted()))).outcome, "skipped");
    assert.equal(foreign.cloud.mutations().length, 0);
    const ours = seeded();
    ours.cloud.addInstance(GONE, IN_SCOPE, "Stopped");
    const out = await ours.invoke(buffer(deleted()));
    assert.equal(out.outcome, "acted", out.reason);
    assert.match(out.reason!, /Stopped/);
    assert.deepEqual(ours.cloud.scaling.get("asg-1"), ["i-peer"]);
    assert.deepEqual(ours.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), ["i-peer"]);
  });

  it("tolerates memberships that vanished meanwhile", async () => {
    const h = seeded();
    h.cloud.fail("DetachInstances", () => new ApiFault("InvalidInstanceId.NotFound", 404), 1);
    // The vServer group deleted meanwhile: CLB's documented answer (code and message; core/apis.ts).
    h.cloud.fail("RemoveVServerGroupBackendServers", () => new ApiFault("InvalidParameter", 400, "code: 400, The specified VServerGroupId does not exist. request id: X"), 1);
    assert.equal((await h.invoke(buffer(deleted()))).outcome, "acted");
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), ["i-peer"]);
    assert.deepEqual(h.cloud.albGroups.get("sgp-1"), []);
  });

  it("H6: ScalingActivityInProgress is retried with backoff until ESS accepts; the instance ends detached and out of every LB", async () => {
    const h = seeded();
    h.cloud.fail("DetachInstances", () => new ApiFault("ScalingActivityInProgress", 400, "You cannot delete a scaling group or launch a new scaling activity while there is a scaling activity in progress."), 3);
    const out = await h.invoke(buffer(deleted()));
    assert.equal(out.outcome, "acted", out.reason);
    const detaches = h.cloud.calls.filter((c) => c.api.action === "DetachInstances");
    assert.equal(detaches.length, 4);
    assert.equal(new Set(detaches.map((c) => c.params.ClientToken)).size, 1, "one ClientToken for every try");
    assert.equal(h.clock.slept.length, 3, "a wait before each retry");
    assert.ok(h.clock.slept.every((ms) => ms > 0));
    assert.deepEqual(h.cloud.scaling.get("asg-1"), ["i-peer"]);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), ["i-peer"]);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.vServerGroups["rsp-1"], []);
    assert.deepEqual(h.cloud.albGroups.get("sgp-1"), []);
    assert.match(out.reason!, /detached \(activity asa-1 Successful\)/);
  });

  it("H6: IncorrectCapacity.MinSize is reported and left to ESS; the load balancers are cleaned regardless", async () => {
    const h = seeded();
    h.cloud.fail("DetachInstances", () => new ApiFault("IncorrectCapacity.MinSize", 400, "To remove the instances, the total capacity will be lesser than the MinSize."));
    const out = await h.invoke(buffer(deleted()));
    assert.equal(out.outcome, "acted", out.reason);
    assert.match(out.warnings!.join(" "), /asg-1: DetachInstances refused \(IncorrectCapacity\.MinSize.*ESS removes the unhealthy instance itself/);
    assert.equal(h.cloud.calls.filter((c) => c.api.action === "DetachInstances").length, 1, "not retried: it is an answer, not a busy state");
    assert.deepEqual(h.cloud.scaling.get("asg-1"), [GONE, "i-peer"]);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), ["i-peer"]);
    assert.deepEqual(h.cloud.albGroups.get("sgp-1"), []);
  });

  it("H6: a detach that fails for good still leaves the instance out of every LB; the event fails into the DLQ", async () => {
    const h = seeded();
    h.cloud.fail("DetachInstances", () => new ApiFault("Forbidden.Unauthorized", 403, "A required authorization for the specified action is not supplied."));
    const out = await h.invoke(buffer(deleted()));
    assert.equal(out.outcome, "failed");
    assert.match(out.reason!, /scaling group asg-1: A required authorization/);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), ["i-peer"]);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.vServerGroups["rsp-1"], []);
    assert.deepEqual(h.cloud.albGroups.get("sgp-1"), []);
    assert.deepEqual(h.cloud.scaling.get("asg-1"), [GONE, "i-peer"]);
    assert.equal(h.dlq.records.length, 1);
  });

  it("an auth error on one LB removal is not 'already gone': it fails, after the other targets and the detach were done", async () => {
    const h = seeded();
    h.cloud.fail("RemoveBackendServers", () => new ApiFault("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."));
    const out = await h.invoke(buffer(deleted()));
    assert.equal(out.outcome, "failed");
    assert.match(out.reason!, /access key/);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), [GONE, "i-peer"]);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.vServerGroups["rsp-1"], []);
    assert.deepEqual(h.cloud.albGroups.get("sgp-1"), []);
    assert.deepEqual(h.cloud.scaling.get("asg-1"), ["i-peer"]);
    assert.equal(h.dlq.records.length, 1);
  });

  it("skips when nothing is left to clean", async () => {
    const h = harness(instanceCleanup);
    const out = await h.invoke(buffer(deleted()));
    assert.equal(out.outcome, "skipped");
    assert.match(out.reason!, /nothing to clean up/);
  });

  it("reuses ClientTokens on redelivery after a crash", async () => {
    const first = seeded({ DRY_RUN: "true" });
    const second = seeded({ DRY_RUN: "true" });
    const event = deleted();
    const a = await first.invoke(buffer(event));
    const b = await second.invoke(buffer(event));
    assert.deepEqual(a.actions, b.actions);
    assert.ok(a.actions.some((x) => typeof x.params.ClientToken === "string"));
    for (const h of [first, second]) {
      assert.equal(h.cloud.mutations().length, 0, "DRY_RUN sends nothing");
      assert.deepEqual(h.cloud.scaling.get("asg-1"), [GONE, "i-peer"]);
      assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((x) => x.ServerId), [GONE, "i-peer"]);
    }
  });
});

// The bundled function against the documentation-based local cloud, on its virtual clock
// (the handler's waits advance it): a release that lands in a scaling activity.
describe("instance-cleanup (bundled) against the local cloud", function () {
  this.timeout(60_000);
  let fake: FakeCloud;
  let clock: FakeClock;
  let invoke: FcHandler;
  before(async () => ensureBundles());
  beforeEach(async () => {
    clock = new FakeClock("2026-11-21T00:30:00Z");
    fake = await startFakeCloud({ clock, timing: { scalingActivityMs: 15_000 } });
    invoke = loadBundledFactory("instance-cleanup")({ now: () => clock.now(), sleep: async (ms) => void clock.advance(ms) });
  });
  afterEach(() => fake.close());

  const env = () => ({
    ...endpointEnv(fake),
    SCOPE_TAG_KEY: "event-ops",
    SCOPE_TAG_VALUE: "managed",
    IDEMPOTENCY_BUCKET: "event-ops-markers",
    IDEMPOTENCY_PREFIX: "event-ops/markers",
    DEAD_LETTER_QUEUE: "event-ops-dlq",
    RETRY_BASE_DELAY_MS: "5",
    RETRY_MAX_DELAY_MS: "20",
    API_CALL_TIMEOUT_MS: "2000",
  });
  const context = () => ({ requestId: randomUUID(), function: { name: "instance-cleanup", timeout: 120 }, region: "cn-hangzhou", accountId: fake.state.accountId });
  const run = (body: unknown) => withEnv(env(), () => invoke(Buffer.from(JSON.stringify(body)), context()));

  it("a release during a scaling activity ends detached and out of every load balancer", async () => {
    const s = fake.state;
    s.addInstance({ InstanceId: "i-rel", Tags: IN_SCOPE });
    s.addInstance({ InstanceId: "i-peer", Tags: IN_SCOPE });
    const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: "i-rel" }, { ServerId: "i-peer" }] });
    const other = s.addLoadBalancer({ BackendServers: [{ ServerId: "i-rel" }, { ServerId: "i-peer" }] }); // not the group's
    const vsg = s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: [{ ServerId: "i-rel", Port: 80 }, { ServerId: "i-peer", Port: 80 }] });
    const alb = s.addAlbServerGroup({ Servers: [{ ServerId: "i-rel", Port: 8080 }, { ServerId: "i-peer", Port: 8080 }] });
    const group = s.addScalingGroup({
      MinSize: 1,
      Instances: [{ InstanceId: "i-rel" }, { InstanceId: "i-peer" }],
      LoadBalancerIds: [lb.LoadBalancerId],
      VServerGroups: [{ VServerGroupId: vsg.VServerGroupId, Port: 80 }],
      AlbServerGroups: [{ AlbServerGroupId: alb.ServerGroupId, Port: 8080 }],
    });
    const scaleOut = s.addScalingActivity({ ScalingGroupId: group.ScalingGroupId, durationMs: 20_000 });
    const deletedAt = clock.now();
    const events: CmsSystemEvent[] = [];
    fake.onSystemEvent((e) => events.push(e));
    fake.releaseInstance("i-rel");

    const out = await run(events.find((e) => e.name === "Instance:StateChange")!);
    assert.equal(out.outcome, "acted", out.reason);
    const detaches = fake.callLog.calls("DetachInstances");
    assert.equal(detaches[0].outcome.code, "ScalingActivityInProgress");
    assert.ok(detaches.at(-1)!.outcome.status < 300, "accepted once the scale-out ended");
    assert.ok(detaches.at(-1)!.at >= deletedAt + 20_000, "not before the activity ended");
    assert.equal(new Set(detaches.map((c) => c.params.ClientToken)).size, 1, "the same ClientToken on every try");
    assert.ok(scaleOut.EndTime <= clock.now());
    // ESS: detached, desired capacity kept (a replacement is launched), its own activity finished.
    assert.deepEqual([...s.getScalingGroup(group.ScalingGroupId)!.Instances.keys()], ["i-peer"]);
    assert.equal(s.getScalingGroup(group.ScalingGroupId)!.DesiredCapacity, 2);
    assert.match(out.reason!, /detached \(activity asa-\S+ Successful\)/);
    // Out of every load balancer, the group's and the other one.
    assert.deepEqual(s.loadBalancerIdsOfServer("i-rel"), []);
    assert.deepEqual(s.getLoadBalancer(other.LoadBalancerId)!.BackendServers.map((b) => b.ServerId), ["i-peer"]);
    assert.deepEqual(s.getVServerGroup(vsg.VServerGroupId)!.BackendServers.map((b) => b.ServerId), ["i-peer"]);
    assert.deepEqual(s.getAlbServerGroup(alb.ServerGroupId)!.Servers.map((b) => b.ServerId), ["i-peer"]);
  });

  it("MinSize: the detach is refused and reported; the load balancers are cleaned all the same", async () => {
    const s = fake.state;
    s.addInstance({ InstanceId: "i-rel", Tags: IN_SCOPE });
    const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: "i-rel" }, { ServerId: "i-peer" }] });
    const group = s.addScalingGroup({ MinSize: 2, Instances: [{ InstanceId: "i-rel" }, { InstanceId: "i-peer" }], LoadBalancerIds: [lb.LoadBalancerId] });
    const events: CmsSystemEvent[] = [];
    fake.onSystemEvent((e) => events.push(e));
    fake.releaseInstance("i-rel");
    const out = await run(events.find((e) => e.name === "Instance:StateChange")!);
    assert.equal(out.outcome, "acted", out.reason);
    assert.match(out.warnings!.join(" "), /IncorrectCapacity\.MinSize/);
    assert.equal(fake.callLog.count("DetachInstances"), 1);
    assert.deepEqual(s.getLoadBalancer(lb.LoadBalancerId)!.BackendServers.map((b) => b.ServerId), ["i-peer"]);
    assert.equal(s.getScalingGroup(group.ScalingGroupId)!.Instances.size, 2, "ESS keeps it until its health check removes it");
  });

  it("R8: a Deleted notice for a live instance changes nothing in the cloud", async () => {
    const s = fake.state;
    s.addInstance({ InstanceId: "i-live", Tags: IN_SCOPE });
    const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: "i-live" }] });
    const group = s.addScalingGroup({ Instances: [{ InstanceId: "i-live" }] });
    const raw = fixture("state-change-deleted");
    const out = await run({ ...raw, resourceId: String(raw.resourceId).replace(/i-[a-z0-9]+$/, "i-live"), content: { ...(raw.content as object), resourceId: "i-live" } });
    assert.equal(out.outcome, "skipped");
    assert.match(out.reason!, /still lists i-live as Running/);
    assert.deepEqual(fake.callLog.calls().filter((c) => !c.action.startsWith("Describe") && !c.action.startsWith("List") && c.product !== "OSS").map((c) => c.action), []);
    assert.deepEqual(s.getLoadBalancer(lb.LoadBalancerId)!.BackendServers.map((b) => b.ServerId), ["i-live"]);
    assert.equal(s.getScalingGroup(group.ScalingGroupId)!.Instances.size, 1);
  });
});
