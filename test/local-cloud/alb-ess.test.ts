import { strict as assert } from "node:assert";
import { rpc, rpcError } from "./clients";
import { startFakeCloud, type FakeCloud } from "../../local-cloud";

describe("fake cloud: ALB server groups", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
  });
  afterEach(() => fake.close());

  it("pages server groups and servers with NextToken / MaxResults", async () => {
    for (let i = 0; i < 5; i++) fake.state.addAlbServerGroup({ ServerGroupName: `sg${i}`, Servers: [{ ServerId: "i-a" }, { ServerId: `i-x${i}` }] });
    const first = await rpc(fake, "ALB", "ListServerGroups", { MaxResults: 2 });
    assert.equal(first.ServerGroups.length, 2);
    assert.equal(first.TotalCount, 5);
    assert.ok(first.NextToken);
    const seen = [...first.ServerGroups];
    let token = first.NextToken;
    while (token) {
      const next = await rpc(fake, "ALB", "ListServerGroups", { MaxResults: 2, NextToken: token });
      seen.push(...next.ServerGroups);
      token = next.NextToken;
    }
    assert.deepEqual(seen.map((g: { ServerGroupName: string }) => g.ServerGroupName), ["sg0", "sg1", "sg2", "sg3", "sg4"]);
    assert.equal((await rpcError(fake, "ALB", "ListServerGroups", { NextToken: "garbage" })).code, "IllegalParam.NextToken");

    const sg = seen[0].ServerGroupId;
    const servers = await rpc(fake, "ALB", "ListServerGroupServers", { ServerGroupId: sg, ServerIds: ["i-a"] });
    assert.deepEqual(servers.Servers.map((s: { ServerId: string; ServerType: string; Port: number; Weight: number; Status: string }) => [s.ServerId, s.ServerType, s.Port, s.Weight, s.Status]), [["i-a", "Ecs", 80, 100, "Available"]]);
  });

  it("drains: weight 0 (DryRun first), then remove; removing again is ResourceNotFound.BackendServer", async () => {
    const g = fake.state.addAlbServerGroup({ Servers: [{ ServerId: "i-a", Port: 80 }, { ServerId: "i-b", Port: 80 }] });
    const server = { ServerId: "i-a", ServerType: "Ecs", Port: 80, Weight: 0 };
    const dry = await rpcError(fake, "ALB", "UpdateServerGroupServersAttribute", { ServerGroupId: g.ServerGroupId, Servers: [server], DryRun: true });
    assert.equal(dry.code, "DryRunOperation");
    assert.equal(fake.state.getAlbServerGroup(g.ServerGroupId)!.Servers[0].Weight, 100, "dry run changes nothing");

    const upd = await rpc(fake, "ALB", "UpdateServerGroupServersAttribute", { ServerGroupId: g.ServerGroupId, Servers: [server], ClientToken: "drain-i-a-1" });
    assert.match(upd.JobId, /^[0-9A-F-]{36}$/);
    assert.equal(fake.state.getAlbServerGroup(g.ServerGroupId)!.Servers[0].Weight, 0);

    const rm = await rpc(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80 }], ClientToken: "rm-i-a" });
    assert.deepEqual(fake.state.getAlbServerGroup(g.ServerGroupId)!.Servers.map((s) => s.ServerId), ["i-b"]);
    // Same ClientToken, same parameters: the first answer again, nothing new happens.
    const replay = await rpc(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80 }], ClientToken: "rm-i-a" });
    assert.equal(replay.JobId, rm.JobId);
    assert.equal(fake.calls("RemoveServersFromServerGroup").at(-1)!.replayed, true);
    // Same ClientToken, other parameters.
    const mismatch = await rpcError(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-b", ServerType: "Ecs", Port: 80 }], ClientToken: "rm-i-a" });
    assert.equal(mismatch.code, "IdempotentParameterMismatch");

    const gone = await rpcError(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80 }] });
    assert.equal(gone.code, "ResourceNotFound.BackendServer");
    assert.equal(gone.data?.statusCode, 404);
    assert.equal((await rpcError(fake, "ALB", "ListServerGroupServers", { ServerGroupId: "sgp-nope" })).code, "ResourceNotFound.ServerGroup");

    await rpc(fake, "ALB", "AddServersToServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80, Weight: 100 }] });
    assert.deepEqual(fake.state.getAlbServerGroup(g.ServerGroupId)!.Servers.map((s) => [s.ServerId, s.Weight]), [["i-b", 100], ["i-a", 100]]);
  });
});

describe("fake cloud: ESS scaling groups", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
  });
  afterEach(() => fake.close());

  it("describes scaling instances by id and lifecycle state; unknown ids are left out", async () => {
    const g = fake.state.addScalingGroup({ Instances: [{ InstanceId: "i-1" }, { InstanceId: "i-2", LifecycleState: "Standby" }, { InstanceId: "i-3", CreationType: "Attached" }] });
    const byId = await rpc(fake, "ESS", "DescribeScalingInstances", { RegionId: "cn-hangzhou", InstanceId: ["i-1", "i-3", "i-unknown"] });
    assert.deepEqual(byId.ScalingInstances.ScalingInstance.map((i: { InstanceId: string; ScalingGroupId: string; CreationType: string }) => [i.InstanceId, i.ScalingGroupId, i.CreationType]), [
      ["i-1", g.ScalingGroupId, "AutoCreated"],
      ["i-3", g.ScalingGroupId, "Attached"],
    ]);
    const standby = await rpc(fake, "ESS", "DescribeScalingInstances", { ScalingGroupId: g.ScalingGroupId, LifecycleState: "Standby" });
    assert.deepEqual(standby.ScalingInstances.ScalingInstance.map((i: { InstanceId: string }) => i.InstanceId), ["i-2"]);
    const groups = await rpc(fake, "ESS", "DescribeScalingGroups", { RegionId: "cn-hangzhou" });
    assert.equal(groups.ScalingGroups.ScalingGroup[0].TotalCapacity, 3);
  });

  it("RemoveInstances releases an auto-created instance from ECS but not from the CLB", async () => {
    fake.state.addInstance({ InstanceId: "i-1" });
    fake.state.addInstance({ InstanceId: "i-2" });
    const lb = fake.state.addLoadBalancer({ BackendServers: [{ ServerId: "i-1" }] });
    const g = fake.state.addScalingGroup({ MinSize: 1, Instances: [{ InstanceId: "i-1" }, { InstanceId: "i-2" }] });
    const events: string[] = [];
    fake.onSystemEvent((e) => events.push(`${e.name}:${String(e.content.state)}`));

    const res = await rpc(fake, "ESS", "RemoveInstances", { ScalingGroupId: g.ScalingGroupId, InstanceId: ["i-1"], RemovePolicy: "release", ClientToken: "rm-1" });
    assert.match(res.ScalingActivityId, /^asa-/);
    assert.deepEqual([...fake.state.getScalingGroup(g.ScalingGroupId)!.Instances.keys()], ["i-2"]);
    assert.equal(fake.state.getScalingGroup(g.ScalingGroupId)!.DesiredCapacity, 1);
    assert.equal(fake.state.getInstance("i-1"), undefined);
    assert.deepEqual(events, ["Instance:StateChange:Deleted"]);
    assert.deepEqual(fake.state.loadBalancerIdsOfServer("i-1"), [lb.LoadBalancerId], "cleanup handlers fix the CLB, not ESS");

    assert.equal((await rpcError(fake, "ESS", "RemoveInstances", { ScalingGroupId: g.ScalingGroupId, InstanceId: ["i-2"] })).code, "IncorrectCapacity.MinSize");
    const notMember = await rpcError(fake, "ESS", "RemoveInstances", { ScalingGroupId: g.ScalingGroupId, InstanceId: ["i-1"] });
    assert.equal(notMember.code, "InvalidInstanceId.NotFound");
    assert.equal(notMember.data?.statusCode, 404);
    assert.equal((await rpcError(fake, "ESS", "RemoveInstances", { ScalingGroupId: "asg-nope", InstanceId: ["i-2"] })).code, "InvalidScalingGroupId.NotFound");
  });

  it("DetachInstances keeps the instance in ECS", async () => {
    fake.state.addInstance({ InstanceId: "i-1" });
    const g = fake.state.addScalingGroup({ Instances: [{ InstanceId: "i-1" }] });
    await rpc(fake, "ESS", "DetachInstances", { ScalingGroupId: g.ScalingGroupId, InstanceId: ["i-1"], DetachOption: "both", DecreaseDesiredCapacity: true });
    assert.equal(fake.state.getScalingGroup(g.ScalingGroupId)!.Instances.size, 0);
    assert.equal(fake.state.getInstance("i-1")!.Status, "Running");
    assert.equal(fake.state.scalingActivities.at(-1)!.Action, "DetachInstances");
  });
});
