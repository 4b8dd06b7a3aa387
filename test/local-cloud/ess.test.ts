// The fake's Auto Scaling as the ESS references describe it (local-cloud/products/ess.ts):
// activities that block each other, MinSize for DetachInstances, DetachOption=both.
import { strict as assert } from "node:assert";
import { rpc, rpcError } from "./clients";
import { FakeClock, startFakeCloud, type FakeCloud } from "../../local-cloud";

describe("fake cloud: ESS scaling activities and MinSize", () => {
  let fake: FakeCloud;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock("2026-11-20T00:00:00Z");
    fake = await startFakeCloud({ clock, timing: { scalingActivityMs: 8_000 } });
  });
  afterEach(() => fake.close());

  it("refuses DetachInstances while an activity is in progress (ScalingActivityInProgress), accepts it once the activity ends", async () => {
    const g = fake.state.addScalingGroup({ Instances: [{ InstanceId: "i-1" }, { InstanceId: "i-2" }] });
    const scaleOut = fake.state.addScalingActivity({ ScalingGroupId: g.ScalingGroupId, durationMs: 30_000 });
    const busy = await rpcError(fake, "ESS", "DetachInstances", { ScalingGroupId: g.ScalingGroupId, InstanceId: ["i-1"], DecreaseDesiredCapacity: false });
    assert.equal(busy.code, "ScalingActivityInProgress");
    assert.equal(busy.data?.statusCode, 400);
    assert.deepEqual([...g.Instances.keys()], ["i-1", "i-2"], "a refused call changes nothing");
    const listed = await rpc(fake, "ESS", "DescribeScalingActivities", { ScalingActivityId: [scaleOut.ScalingActivityId] });
    assert.equal(listed.ScalingActivities.ScalingActivity[0].StatusCode, "InProgress");

    clock.advance(30_000);
    const { ScalingActivityId } = await rpc(fake, "ESS", "DetachInstances", { ScalingGroupId: g.ScalingGroupId, InstanceId: ["i-1"], DecreaseDesiredCapacity: false });
    assert.deepEqual([...g.Instances.keys()], ["i-2"]);
    assert.equal(g.DesiredCapacity, 2, "DecreaseDesiredCapacity=false keeps the desired capacity");
    // Our own activity blocks the next one until it ends.
    assert.equal((await rpcError(fake, "ESS", "DetachInstances", { ScalingGroupId: g.ScalingGroupId, InstanceId: ["i-2"] })).code, "ScalingActivityInProgress");
    const mine = await rpc(fake, "ESS", "DescribeScalingActivities", { ScalingGroupId: g.ScalingGroupId, StatusCode: "InProgress" });
    assert.deepEqual(mine.ScalingActivities.ScalingActivity.map((a: { ScalingActivityId: string }) => a.ScalingActivityId), [ScalingActivityId]);
    clock.advance(8_000);
    const done = await rpc(fake, "ESS", "DescribeScalingActivities", { ScalingActivityId: [ScalingActivityId] });
    assert.equal(done.ScalingActivities.ScalingActivity[0].StatusCode, "Successful");
    assert.equal((await rpcError(fake, "ESS", "DescribeScalingActivities", {})).code, "MissingParameter");
  });

  it("DetachInstances below MinSize is IncorrectCapacity.MinSize, whatever DecreaseDesiredCapacity says", async () => {
    const g = fake.state.addScalingGroup({ MinSize: 2, Instances: [{ InstanceId: "i-1" }, { InstanceId: "i-2" }] });
    for (const decrease of [true, false]) {
      const e = await rpcError(fake, "ESS", "DetachInstances", { ScalingGroupId: g.ScalingGroupId, InstanceId: ["i-1"], DecreaseDesiredCapacity: decrease });
      assert.equal(e.code, "IncorrectCapacity.MinSize");
    }
    assert.equal(g.Instances.size, 2);
  });

  it("DetachOption=both takes the instance off the group's attached CLB, vServer group and ALB server group; without it they stay", async () => {
    const lb = fake.state.addLoadBalancer({ BackendServers: [{ ServerId: "i-1" }, { ServerId: "i-2" }] });
    const vsg = fake.state.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: [{ ServerId: "i-1", Port: 80 }, { ServerId: "i-2", Port: 80 }] });
    const alb = fake.state.addAlbServerGroup({ Servers: [{ ServerId: "i-1", Port: 8080 }, { ServerId: "i-2", Port: 8080 }] });
    const g = fake.state.addScalingGroup({
      Instances: [{ InstanceId: "i-1" }, { InstanceId: "i-2" }],
      LoadBalancerIds: [lb.LoadBalancerId],
      VServerGroups: [{ VServerGroupId: vsg.VServerGroupId, Port: 80 }],
      AlbServerGroups: [{ AlbServerGroupId: alb.ServerGroupId, Port: 8080 }],
    });
    const groups = await rpc(fake, "ESS", "DescribeScalingGroups", { ScalingGroupId: [g.ScalingGroupId] });
    assert.deepEqual(groups.ScalingGroups.ScalingGroup[0].LoadBalancerIds.LoadBalancerId, [lb.LoadBalancerId]);
    assert.equal(groups.ScalingGroups.ScalingGroup[0].VServerGroups.VServerGroup[0].LoadBalancerId, lb.LoadBalancerId);

    await rpc(fake, "ESS", "DetachInstances", { ScalingGroupId: g.ScalingGroupId, InstanceId: ["i-1"], DetachOption: "both", DecreaseDesiredCapacity: false });
    assert.deepEqual(lb.BackendServers.map((b) => b.ServerId), ["i-2"]);
    assert.deepEqual(vsg.BackendServers.map((b) => b.ServerId), ["i-2"]);
    assert.deepEqual(fake.state.getAlbServerGroup(alb.ServerGroupId)!.Servers.map((s) => s.ServerId), ["i-2"]);

    clock.advance(8_000);
    await rpc(fake, "ESS", "DetachInstances", { ScalingGroupId: g.ScalingGroupId, InstanceId: ["i-2"], DecreaseDesiredCapacity: false });
    assert.deepEqual(lb.BackendServers.map((b) => b.ServerId), ["i-2"], "no DetachOption: the load balancers keep it");
    assert.equal(g.Instances.size, 0);
  });
});
