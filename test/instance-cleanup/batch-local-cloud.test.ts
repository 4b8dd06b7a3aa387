// instance-cleanup's batch executor (handlers/instance-cleanup/batch.ts)
// against the local cloud, delivered as an FC queue-trigger batch through the
// runtime: released instances behind shared CLBs, a vServer group, ALB groups
// and scaling groups; one describe, one discovery and one removal per target
// for the batch; the single-event path's per-event guarantees kept.
import { strict as assert } from "node:assert";
import { instanceCleanup } from "../../handlers/instance-cleanup/handler";
import { decodeEvent } from "../../handlers/core/event";
import type { EventHandler } from "../../handlers/core/handler";
import type { Outcome } from "../../handlers/core/outcome";
import { discoverMemberships } from "../../handlers/lb/discovery";
import { MNS_QUEUE_EVENT_TYPE } from "../../handlers/runtime/trigger-batch";
import { fakeCloudRun, type FakeRun } from "../handlers/doubles/fake-cloud-run";
import { IN_SCOPE, makeEvent } from "../handlers/doubles/harness";
import { placesOf } from "../handlers/doubles/places";

const LB_READS = ["DescribeLoadBalancers", "DescribeLoadBalancerAttribute", "DescribeVServerGroups", "DescribeVServerGroupAttribute", "ListServerGroups", "ListServerGroupServers"];
const DESTRUCTIVE = ["RemoveBackendServers", "RemoveVServerGroupBackendServers", "RemoveServersFromServerGroup", "DetachInstances"];
const ENV = { API_CALL_TIMEOUT_MS: "5000", API_MAX_ATTEMPTS: "2" };

const deleted = (id: string) => makeEvent("Instance:StateChange", id, { resourceId: id, state: "Deleted" }, { level: "INFO" });

/** The function's event for a queue-trigger batch: one CloudEvent per message (runtime/trigger-batch.ts). */
const triggerBatch = (bodies: Record<string, unknown>[]) =>
  bodies.map((b, n) => ({ type: MNS_QUEUE_EVENT_TYPE, data: { requestId: `r-${n}`, messageId: `m-${n}`, messageBody: JSON.stringify(b) } }));

function keyOf(body: Record<string, unknown>): string {
  const intake = decodeEvent(JSON.stringify(body), { functionRegion: "cn-hangzhou" });
  if (!intake.ok) throw new Error(intake.reason);
  return intake.event.key;
}

const perMessage = (out: Outcome): Outcome[] => (out.results ?? []).map((r) => r.outcome);

describe("instance-cleanup batch executor against the local cloud", function () {
  this.timeout(120_000);
  let run: FakeRun;
  beforeEach(async () => {
    run = await fakeCloudRun();
  });
  afterEach(() => run.close());

  const count = (actions: string[]) => run.fake.callLog.calls().filter((c) => actions.includes(c.action)).length;
  const inGroups = (id: string) => [...run.fake.state.scalingGroups.values()].filter((g) => g.Instances.has(id)).map((g) => g.ScalingGroupId);

  /** `n` released victims and 3 running peers behind 3 CLBs, a vServer group, 2 ALB groups, 4 peer-only CLBs and 2 scaling groups. */
  function seed(n: number) {
    const s = run.fake.state;
    const victims = Array.from({ length: n }, (_, i) => `i-gone${String(i).padStart(3, "0")}`);
    const peers = ["i-keep1", "i-keep2", "i-keep3"];
    for (const id of [...victims, ...peers]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    const all = [...victims, ...peers];
    const lbs = [0, 1, 2].map(() => s.addLoadBalancer({ BackendServers: all.map((ServerId) => ({ ServerId, Weight: 100 })) }));
    for (let k = 0; k < 4; k++) s.addLoadBalancer({ BackendServers: peers.map((ServerId) => ({ ServerId, Weight: 100 })) });
    s.addVServerGroup({ LoadBalancerId: lbs[0].LoadBalancerId, BackendServers: all.map((ServerId) => ({ ServerId, Port: 80, Weight: 100 })) });
    for (const Port of [80, 8080]) s.addAlbServerGroup({ Servers: all.map((ServerId) => ({ ServerId, Port, Weight: 100 })) });
    const half = Math.ceil(n / 2);
    const groups = [victims.slice(0, half), victims.slice(half)].map((vs) => s.addScalingGroup({ Instances: [...vs, ...peers.slice(0, 1)].map((InstanceId) => ({ InstanceId })) }));
    for (const v of victims) run.fake.releaseInstance(v);
    return { victims, peers, lbs, groups };
  }

  /** Reads one discovery makes for one instance on the seeded cloud (clbDiscovery=all). */
  async function oneDiscovery(instanceId: string): Promise<number> {
    const before = count(LB_READS);
    const { cloud } = run.gateway("probe");
    await discoverMemberships(cloud, instanceId, { regionId: "cn-hangzhou", clbDiscovery: "all", concurrency: 4 });
    return count(LB_READS) - before;
  }

  it("50 released instances in one batch: out of every LB and scaling group, one describe, one discovery, one removal per target", async () => {
    const { victims, peers, groups } = seed(50);
    const discovery = await oneDiscovery(victims[0]);
    const readsBefore = count(LB_READS);
    const out = await run.invoke(instanceCleanup, triggerBatch(victims.map(deleted)), ENV);
    const outs = perMessage(out);
    assert.deepEqual(outs.map((o) => o.outcome), Array(50).fill("acted"), outs.map((o) => o.reason).join("\n"));
    outs.forEach((o, n) => assert.equal(o.instanceId, victims[n]));
    assert.match(outs[0].reason!, /^cleaned up i-gone000 \(no longer listed; released instance still listed as a member.*\): 3 CLB default group\(s\), 1 vServer group\(s\), 2 ALB server group\(s\); scaling group asg-\S+: /);
    for (const v of victims) {
      assert.deepEqual(placesOf(run.fake, v), [], `${v} is out of every target`);
      assert.deepEqual(inGroups(v), [], `${v} is out of every scaling group`);
    }
    for (const p of peers) assert.equal(placesOf(run.fake, p).filter((x) => x.endsWith("=100")).length, 10, `${p} untouched`);
    assert.deepEqual(inGroups("i-keep1").sort(), groups.map((g) => g.ScalingGroupId).sort());

    // Reads: the batch's LB reads are at most twice one discovery (ALB asks 40 server ids per list), not 50 of them.
    const lbReads = count(LB_READS) - readsBefore;
    assert.ok(discovery >= 7 + 2, `one discovery reads every CLB: ${discovery}`);
    assert.ok(lbReads <= 2 * discovery, `${lbReads} LB reads for the batch, one discovery is ${discovery}`);
    assert.equal(run.fake.callLog.calls("DescribeInstances").length, 1, "50 ids in one DescribeInstances");
    // One removal per target, 20 servers per CLB call (3 calls for 50), 200 per ALB call.
    const ok = (a: string) => run.fake.callLog.succeeded(a).length;
    assert.equal(ok("RemoveBackendServers"), 3 * 3);
    assert.equal(ok("RemoveVServerGroupBackendServers"), 3);
    assert.equal(ok("RemoveServersFromServerGroup"), 2);
    assert.equal(ok("DetachInstances"), 50, "ESS: one detach per instance");
    assert.ok(run.fake.callLog.succeeded("DetachInstances").every((c) => c.params.DecreaseDesiredCapacity === "false"));
    assert.equal(outs[0].batch!.mutatingCalls, 9 + 3 + 2 + 50);
    assert.deepEqual(run.store.markers().map((m) => m.state), Array(50).fill("done"));
    assert.deepEqual(run.dlq.records, []);
  });

  it("the single-event path on the same batch costs a discovery per event (what runBatch replaces)", async () => {
    const { victims } = seed(10);
    const discovery = await oneDiscovery(victims[0]);
    const readsBefore = count(LB_READS);
    const single: EventHandler = { ...instanceCleanup, runBatch: undefined };
    const outs = perMessage(await run.invoke(single, triggerBatch(victims.map(deleted)), ENV));
    assert.deepEqual(outs.map((o) => o.outcome), Array(10).fill("acted"));
    assert.ok(count(LB_READS) - readsBefore >= 10 * discovery, `${count(LB_READS) - readsBefore} LB reads, one discovery is ${discovery}`);
    assert.equal(run.fake.callLog.calls("DescribeInstances").length, 10);
  });

  it("a mixed batch: not released and out of scope skipped untouched, a second copy duplicate, a failing target dead-letters only its event", async () => {
    const s = run.fake.state;
    for (const id of ["i-a", "i-b", "i-bad", "i-live", "i-peer"]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    s.addInstance({ InstanceId: "i-foreign", Tags: { owner: "someone-else" }, Status: "Stopped" });
    const everyone = ["i-a", "i-b", "i-bad", "i-live", "i-foreign", "i-peer"];
    const lb = s.addLoadBalancer({ BackendServers: everyone.map((ServerId) => ({ ServerId, Weight: 100 })) });
    s.addAlbServerGroup({ Servers: everyone.map((ServerId) => ({ ServerId, Port: 80, Weight: 100 })) });
    // Only i-bad is in this vServer group, whose removal the cloud refuses.
    const vsg = s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: ["i-bad", "i-peer"].map((ServerId) => ({ ServerId, Port: 81, Weight: 100 })) });
    const g = s.addScalingGroup({ Instances: everyone.map((InstanceId) => ({ InstanceId })) });
    for (const id of ["i-a", "i-b", "i-bad"]) run.fake.releaseInstance(id);
    run.fake.faults.failAlways("RemoveVServerGroupBackendServers", { status: 400, code: "OperationDenied.Injected", message: "refused" });

    const a = deleted("i-a");
    const bodies = [a, deleted("i-live"), deleted("i-foreign"), a, deleted("i-bad"), deleted("i-b")];
    const outs = perMessage(await run.invoke(instanceCleanup, triggerBatch(bodies), ENV));
    assert.deepEqual(outs.map((o) => o.outcome), ["acted", "skipped", "skipped", "duplicate", "failed", "acted"], outs.map((o) => o.reason).join("\n"));
    assert.equal(outs[1].reason, "Instance:StateChange: DescribeInstances still lists i-live as Running: not released, nothing removed");
    assert.match(outs[2].reason!, /i-foreign does not carry the scope tag/);
    assert.match(outs[3].reason!, /appears earlier in the same batch/);
    assert.match(outs[4].reason!, /^cleanup failed for 1 target\(s\): CLB \S+ vServer group \S+: OperationDenied.Injected: .*refused/);

    for (const id of ["i-a", "i-b"]) {
      assert.deepEqual(placesOf(run.fake, id), [], id);
      assert.deepEqual(inGroups(id), [], id);
    }
    assert.deepEqual(placesOf(run.fake, "i-live").length, 2, "nothing removed for a live instance");
    assert.deepEqual(inGroups("i-live"), [g.ScalingGroupId]);
    assert.deepEqual(placesOf(run.fake, "i-foreign").length, 2);
    assert.deepEqual(inGroups("i-foreign"), [g.ScalingGroupId]);
    // The failing event: everything else was still done for it (as the single-event path), then it failed.
    assert.deepEqual(placesOf(run.fake, "i-bad"), [`vsg:${vsg.VServerGroupId}:81=100`]);
    assert.deepEqual(inGroups("i-bad"), []);
    assert.deepEqual(run.dlq.records.map((r) => [r.handler, r.eventKey, r.error?.code]), [["instance-cleanup", keyOf(bodies[4]), "OperationDenied.Injected"]]);
    assert.equal(Buffer.from(run.dlq.records[0].bodyBase64!, "base64").toString("utf8"), JSON.stringify(bodies[4]), "the failed message's own body");
    const states = run.store.markers().map((m) => m.state).sort();
    assert.deepEqual(states, ["done", "done", "done", "done", "failed"], "one marker per distinct event: two acted, two skipped, one failed");
  });

  it("a redelivered batch is duplicate for every finished event and makes no destructive call; a failed event's redelivery finishes it", async () => {
    const { victims } = seed(6);
    run.fake.faults.failNth("RemoveServersFromServerGroup", 1, { status: 400, code: "OperationDenied.Injected", message: "refused once" });
    const body = triggerBatch(victims.map(deleted));
    const first = perMessage(await run.invoke(instanceCleanup, body, ENV));
    // One ALB group's removal covered all six: all six failed, after every other target and group was done.
    assert.deepEqual(first.map((o) => o.outcome), Array(6).fill("failed"), first.map((o) => o.reason).join("\n"));
    assert.equal(run.dlq.records.length, 6);
    const destructive = count(DESTRUCTIVE);
    const again = perMessage(await run.invoke(instanceCleanup, body, ENV));
    assert.deepEqual(again.map((o) => o.outcome), Array(6).fill("acted"), again.map((o) => o.reason).join("\n"));
    for (const v of victims) assert.deepEqual([placesOf(run.fake, v), inGroups(v)], [[], []], v);
    // Only the ALB group left: one removal call, no CLB removal or detach repeated.
    assert.equal(count(DESTRUCTIVE) - destructive, 1, "the takeover rediscovers and removes only what is left");
    const done = count(DESTRUCTIVE);
    const third = perMessage(await run.invoke(instanceCleanup, body, ENV));
    assert.deepEqual(third.map((o) => o.outcome), Array(6).fill("duplicate"));
    assert.ok(third.every((o) => /already handled by req-\d+/.test(o.reason!)), third[0].reason);
    assert.equal(count(DESTRUCTIVE), done, "no destructive call on redelivery");
  });
});
