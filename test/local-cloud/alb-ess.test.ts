import { strict as assert } from "node:assert";
import AlbClient, * as $alb from "@alicloud/alb20200616";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import { rpc, rpcError } from "./clients";
import { FakeClock, startFakeCloud, type FakeCloud } from "../../local-cloud";

describe("fake cloud: ALB server groups", () => {
  let fake: FakeCloud;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock();
    fake = await startFakeCloud({ clock });
  });
  afterEach(() => fake.close());

  const servers = (id: string) => fake.state.getAlbServerGroup(id)!.Servers.map((s) => [s.ServerId, s.Port, s.Weight, s.Status]);
  const groupStatus = async (id: string) => (await rpc(fake, "ALB", "ListServerGroups", { ServerGroupIds: [id] })).ServerGroups[0].ServerGroupStatus;

  it("pages server groups and servers with NextToken / MaxResults (1..100)", async () => {
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
    assert.equal((await rpcError(fake, "ALB", "ListServerGroups", { MaxResults: 101 })).code, "InvalidParameter");

    const sg = seen[0].ServerGroupId;
    const one = await rpc(fake, "ALB", "ListServerGroupServers", { ServerGroupId: sg, ServerIds: ["i-a"] });
    assert.deepEqual(one.Servers.map((s: { ServerId: string; ServerType: string; Port: number; Weight: number; Status: string }) => [s.ServerId, s.ServerType, s.Port, s.Weight, s.Status]), [["i-a", "Ecs", 80, 100, "Available"]]);
  });

  it("finds a server in every group with ServerIds and no ServerGroupId, each row naming its group; ServerIds at most 40", async () => {
    const groups = Array.from({ length: 130 }, (_, i) => fake.state.addAlbServerGroup({ Servers: [{ ServerId: "i-a", Port: 80 + (i % 2) }, { ServerId: `i-peer${i}` }] }));
    fake.state.addAlbServerGroup({ Servers: [{ ServerId: "i-other" }] });
    const rows: { ServerGroupId: string; ServerId: string }[] = [];
    let token: string | undefined;
    do {
      const page = await rpc(fake, "ALB", "ListServerGroupServers", { ServerIds: ["i-a"], MaxResults: 100, ...(token ? { NextToken: token } : {}) });
      rows.push(...page.Servers);
      token = page.NextToken || undefined;
    } while (token);
    assert.equal(rows.length, 130);
    assert.deepEqual(new Set(rows.map((r) => r.ServerGroupId)), new Set(groups.map((g) => g.ServerGroupId)));
    assert.ok(rows.every((r) => r.ServerId === "i-a"));
    const tooMany = await rpcError(fake, "ALB", "ListServerGroupServers", { ServerIds: Array.from({ length: 41 }, (_, i) => `i-${i}`) });
    assert.equal(tooMany.code, "InvalidParameter");
  });

  it("runs a weight change as a job: Configuring, old weights visible, a second change refused with IncorrectStatus.ServerGroup, applied when the job ends", async () => {
    fake.state.albJobDurationMs = 3_000;
    const g = fake.state.addAlbServerGroup({ Servers: [{ ServerId: "i-a", Port: 80 }, { ServerId: "i-b", Port: 80 }] });
    const upd = await rpc(fake, "ALB", "UpdateServerGroupServersAttribute", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80, Weight: 0 }], ClientToken: "drain-i-a" });
    assert.match(upd.JobId, /^[0-9A-F-]{36}$/);
    assert.equal(await groupStatus(g.ServerGroupId), "Configuring");
    const listed = await rpc(fake, "ALB", "ListServerGroupServers", { ServerGroupId: g.ServerGroupId });
    assert.deepEqual(listed.Servers.map((s: { ServerId: string; Weight: number; Status: string }) => [s.ServerId, s.Weight, s.Status]), [["i-a", 100, "Configuring"], ["i-b", 100, "Available"]], "old weight until the job applies");

    const second = await rpcError(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-b", ServerType: "Ecs", Port: 80 }] });
    assert.equal(second.code, "IncorrectStatus.ServerGroup");
    assert.equal(second.data?.statusCode, 400);
    assert.equal((await rpcError(fake, "ALB", "UpdateServerGroupServersAttribute", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-b", ServerType: "Ecs", Port: 80, Weight: 5 }] })).code, "IncorrectStatus.ServerGroup");
    // Same ClientToken, same parameters, while the job runs: the first answer again, no second job.
    const replay = await rpc(fake, "ALB", "UpdateServerGroupServersAttribute", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80, Weight: 0 }], ClientToken: "drain-i-a" });
    assert.equal(replay.JobId, upd.JobId);
    assert.equal(fake.state.albJobs.length, 1);

    clock.advance(2_999);
    assert.equal(await groupStatus(g.ServerGroupId), "Configuring");
    clock.advance(1);
    assert.equal(await groupStatus(g.ServerGroupId), "Available");
    assert.deepEqual(servers(g.ServerGroupId), [["i-a", 80, 0, "Available"], ["i-b", 80, 100, "Available"]]);
    assert.deepEqual(fake.state.albJobs.map((j) => [j.ApiName, j.Status, j.FinishTime! - j.CreateTime]), [["UpdateServerGroupServersAttribute", "Succeeded", 3_000]]);
  });

  it("removes as a job (Removing until it ends); removing again is 404 ResourceNotFound.BackendServer; DryRun changes nothing", async () => {
    fake.state.albJobDurationMs = 1_000;
    const g = fake.state.addAlbServerGroup({ Servers: [{ ServerId: "i-a", Port: 80 }, { ServerId: "i-b", Port: 80 }] });
    const dry = await rpcError(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80 }], DryRun: true });
    assert.equal(dry.code, "DryRunOperation");
    assert.equal(await groupStatus(g.ServerGroupId), "Available");
    await rpc(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80 }], ClientToken: "rm-i-a" });
    assert.deepEqual(servers(g.ServerGroupId), [["i-a", 80, 100, "Removing"], ["i-b", 80, 100, "Available"]]);
    clock.advance(1_000);
    assert.deepEqual(servers(g.ServerGroupId), [["i-b", 80, 100, "Available"]]);
    const mismatch = await rpcError(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-b", ServerType: "Ecs", Port: 80 }], ClientToken: "rm-i-a" });
    assert.equal(mismatch.code, "IdempotentParameterMismatch");
    const gone = await rpcError(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80 }] });
    assert.equal(gone.code, "ResourceNotFound.BackendServer");
    assert.equal(gone.data?.statusCode, 404);
    assert.equal((await rpcError(fake, "ALB", "ListServerGroupServers", { ServerGroupId: "sgp-nope" })).code, "ResourceNotFound.ServerGroup");

    await rpc(fake, "ALB", "AddServersToServerGroup", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80, Weight: 100 }] });
    assert.deepEqual(servers(g.ServerGroupId), [["i-b", 80, 100, "Available"], ["i-a", 80, 100, "Adding"]]);
    clock.advance(1_000);
    assert.deepEqual(servers(g.ServerGroupId), [["i-b", 80, 100, "Available"], ["i-a", 80, 100, "Available"]]);
  });

  it("a failed job changes nothing and leaves the group Available", async () => {
    fake.state.albJobDurationMs = 500;
    fake.state.albJobFailures = 1;
    const g = fake.state.addAlbServerGroup({ Servers: [{ ServerId: "i-a", Port: 80, Weight: 60 }] });
    await rpc(fake, "ALB", "UpdateServerGroupServersAttribute", { ServerGroupId: g.ServerGroupId, Servers: [{ ServerId: "i-a", ServerType: "Ecs", Port: 80, Weight: 0 }] });
    clock.advance(500);
    assert.equal(await groupStatus(g.ServerGroupId), "Available");
    assert.deepEqual(servers(g.ServerGroupId), [["i-a", 80, 60, "Available"]]);
    assert.deepEqual(fake.state.albJobs.map((j) => j.Status), ["Failed"]);
  });

  it("refuses more servers per call than documented: 40 for attribute updates, 200 for removals", async () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ ServerId: `i-${i}`, Port: 80 }));
    const g = fake.state.addAlbServerGroup({ Servers: many });
    const asParam = (n: number, weight?: number) => many.slice(0, n).map((s) => ({ ...s, ServerType: "Ecs", ...(weight === undefined ? {} : { Weight: weight }) }));
    const over = await rpcError(fake, "ALB", "UpdateServerGroupServersAttribute", { ServerGroupId: g.ServerGroupId, Servers: asParam(41, 0) });
    assert.equal(over.code, "InvalidParameter");
    assert.match(over.data?.Message ?? "", /at most 40 servers/);
    assert.equal((await rpcError(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: asParam(201) })).code, "InvalidParameter");
    assert.equal(fake.state.albJobs.length, 0, "refused calls start no job");
    await rpc(fake, "ALB", "UpdateServerGroupServersAttribute", { ServerGroupId: g.ServerGroupId, Servers: asParam(40, 0) });
    await rpc(fake, "ALB", "RemoveServersFromServerGroup", { ServerGroupId: g.ServerGroupId, Servers: asParam(200) });
    assert.deepEqual(servers(g.ServerGroupId), [["i-200", 80, 100, "Available"]]);
  });

  it("reports health apart from status: an Unhealthy server stays Available; weight 0 is Unused; checks off are Unavailable", async () => {
    const g = fake.state.addAlbServerGroup({ Servers: [{ ServerId: "i-a", Port: 80 }, { ServerId: "i-b", Port: 80 }, { ServerId: "i-c", Port: 80, Weight: 0 }] });
    const off = fake.state.addAlbServerGroup({ HealthCheckEnabled: false, Servers: [{ ServerId: "i-d", Port: 80 }] });
    fake.state.setAlbServerHealth(g.ServerGroupId, "i-b", "Unhealthy");
    const [group] = (await rpc(fake, "ALB", "ListServerGroups", { ServerGroupIds: [g.ServerGroupId] })).ServerGroups;
    assert.equal(group.ServerGroupStatus, "Available");
    assert.equal(group.RelatedLoadBalancerIds.length, 1);
    const listeners = (await rpc(fake, "ALB", "ListListeners", { LoadBalancerIds: group.RelatedLoadBalancerIds })).Listeners;
    assert.deepEqual(listeners.map((l: { ListenerPort: number; DefaultActions: { ForwardGroupConfig: { ServerGroupTuples: { ServerGroupId: string }[] } }[] }) => [l.ListenerPort, l.DefaultActions[0].ForwardGroupConfig.ServerGroupTuples[0].ServerGroupId]), [[80, g.ServerGroupId]]);
    const health = await rpc(fake, "ALB", "GetListenerHealthStatus", { ListenerId: listeners[0].ListenerId, IncludeRule: true });
    const [info] = health.ListenerHealthStatus[0].ServerGroupInfos;
    assert.equal(info.HealthCheckEnabled, "on");
    assert.deepEqual(info.NonNormalServers.map((s: { ServerId: string; Status: string }) => [s.ServerId, s.Status]), [["i-b", "Unhealthy"], ["i-c", "Unused"]]);
    assert.deepEqual(servers(g.ServerGroupId).map((s) => s[3]), ["Available", "Available", "Available"], "status says nothing about health");
    assert.deepEqual(health.RuleHealthStatus, []);

    const [offGroup] = (await rpc(fake, "ALB", "ListServerGroups", { ServerGroupIds: [off.ServerGroupId] })).ServerGroups;
    const [offListener] = (await rpc(fake, "ALB", "ListListeners", { LoadBalancerIds: offGroup.RelatedLoadBalancerIds })).Listeners;
    const offInfo = (await rpc(fake, "ALB", "GetListenerHealthStatus", { ListenerId: offListener.ListenerId })).ListenerHealthStatus[0].ServerGroupInfos[0];
    assert.equal(offInfo.HealthCheckEnabled, "off");
    assert.deepEqual(offInfo.NonNormalServers.map((s: { Status: string }) => s.Status), ["Unavailable"]);
    assert.equal((await rpcError(fake, "ALB", "GetListenerHealthStatus", { ListenerId: offListener.ListenerId, MaxResults: 31 })).code, "InvalidParameter");
    assert.equal((await rpcError(fake, "ALB", "ListListeners", { LoadBalancerIds: Array.from({ length: 21 }, (_, i) => `alb-${i}`) })).code, "InvalidParameter");
  });

  it("answers the official SDK's typed requests (@alicloud/alb20200616 models) over the wire", async () => {
    fake.state.albJobDurationMs = 1_000;
    const g = fake.state.addAlbServerGroup({ Servers: [{ ServerId: "i-a", Port: 80 }, { ServerId: "i-b", Port: 80 }] });
    const client = new AlbClient(new $OpenApiUtil.Config({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, endpoint: fake.endpoint, protocol: "HTTP", regionId: "cn-hangzhou" }));
    const upd = await client.updateServerGroupServersAttribute(
      new $alb.UpdateServerGroupServersAttributeRequest({ serverGroupId: g.ServerGroupId, clientToken: "sdk-1", servers: [new $alb.UpdateServerGroupServersAttributeRequestServers({ serverId: "i-a", serverType: "Ecs", port: 80, weight: 0 })] }),
    );
    assert.match(upd.body!.jobId!, /^[0-9A-F-]{36}$/);
    const listed = await client.listServerGroups(new $alb.ListServerGroupsRequest({ serverGroupIds: [g.ServerGroupId] }));
    assert.equal(listed.body!.serverGroups![0].serverGroupStatus, "Configuring");
    clock.advance(1_000);
    const found = await client.listServerGroupServers(new $alb.ListServerGroupServersRequest({ serverIds: ["i-a"], maxResults: 100 }));
    assert.deepEqual(found.body!.servers!.map((s) => [s.serverGroupId, s.serverId, s.port, s.weight, s.status]), [[g.ServerGroupId, "i-a", 80, 0, "Available"]]);
    await client.removeServersFromServerGroup(new $alb.RemoveServersFromServerGroupRequest({ serverGroupId: g.ServerGroupId, servers: [new $alb.RemoveServersFromServerGroupRequestServers({ serverId: "i-a", serverType: "Ecs", port: 80 })] }));
    clock.advance(1_000);
    assert.deepEqual(servers(g.ServerGroupId), [["i-b", 80, 100, "Available"]]);
    const lb = fake.state.getAlbServerGroup(g.ServerGroupId)!.RelatedLoadBalancerIds[0];
    const listeners = await client.listListeners(new $alb.ListListenersRequest({ loadBalancerIds: [lb], maxResults: 100 }));
    const health = await client.getListenerHealthStatus(new $alb.GetListenerHealthStatusRequest({ listenerId: listeners.body!.listeners![0].listenerId, includeRule: true, maxResults: 30 }));
    assert.deepEqual(health.body!.listenerHealthStatus![0].serverGroupInfos!.map((i) => [i.serverGroupId, i.healthCheckEnabled, i.nonNormalServers!.length]), [[g.ServerGroupId, "on", 0]]);
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
