import { strict as assert } from "node:assert";
import { rpc, rpcError } from "./clients";
import { startFakeCloud, type FakeCloud } from "../../local-cloud";

describe("fake cloud: classic SLB", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
  });
  afterEach(() => fake.close());

  const weights = (lbId: string) => Object.fromEntries(fake.state.getLoadBalancer(lbId)!.BackendServers.map((b) => [b.ServerId, b.Weight]));

  it("finds every CLB of a server with DescribeLoadBalancers ServerId, paged (PageSize <= 100)", async () => {
    for (let i = 0; i < 150; i++) fake.state.addLoadBalancer({ BackendServers: [{ ServerId: "i-web" }, { ServerId: `i-other${i}` }] });
    fake.state.addLoadBalancer({ BackendServers: [{ ServerId: "i-unrelated" }] });
    const p1 = await rpc(fake, "SLB", "DescribeLoadBalancers", { RegionId: "cn-hangzhou", ServerId: "i-web", PageSize: 100, PageNumber: 1 });
    const p2 = await rpc(fake, "SLB", "DescribeLoadBalancers", { RegionId: "cn-hangzhou", ServerId: "i-web", PageSize: 100, PageNumber: 2 });
    assert.equal(p1.TotalCount, 150);
    assert.equal(p1.LoadBalancers.LoadBalancer.length, 100);
    assert.equal(p2.LoadBalancers.LoadBalancer.length, 50);
    const ids = new Set([...p1.LoadBalancers.LoadBalancer, ...p2.LoadBalancers.LoadBalancer].map((l: { LoadBalancerId: string }) => l.LoadBalancerId));
    assert.equal(ids.size, 150);
    assert.equal((await rpcError(fake, "SLB", "DescribeLoadBalancers", { PageSize: 101 })).code, "InvalidParameter");
  });

  it("drains the default server group: weight 0, then remove; a second remove is ignored", async () => {
    const lb = fake.state.addLoadBalancer({ BackendServers: [{ ServerId: "i-a", Weight: 100 }, { ServerId: "i-b", Weight: 50 }] });
    const set = await rpc(fake, "SLB", "SetBackendServers", { LoadBalancerId: lb.LoadBalancerId, BackendServers: JSON.stringify([{ ServerId: "i-a", Weight: "0", Type: "ecs" }]) });
    assert.deepEqual(weights(lb.LoadBalancerId), { "i-a": 0, "i-b": 50 });
    assert.equal(set.BackendServers.BackendServer.find((b: { ServerId: string }) => b.ServerId === "i-a").Weight, 0);

    const attr = await rpc(fake, "SLB", "DescribeLoadBalancerAttribute", { LoadBalancerId: lb.LoadBalancerId });
    assert.deepEqual(attr.BackendServers.BackendServer.map((b: { ServerId: string; Weight: number }) => [b.ServerId, b.Weight]), [["i-a", 0], ["i-b", 50]]);

    await rpc(fake, "SLB", "RemoveBackendServers", { LoadBalancerId: lb.LoadBalancerId, BackendServers: JSON.stringify([{ ServerId: "i-a", Type: "ecs", Weight: "0" }]) });
    assert.deepEqual(weights(lb.LoadBalancerId), { "i-b": 50 });
    assert.deepEqual(fake.state.loadBalancerIdsOfServer("i-a"), []);

    // Documented: servers that are not backends are ignored, no error.
    const again = await rpc(fake, "SLB", "RemoveBackendServers", { LoadBalancerId: lb.LoadBalancerId, BackendServers: JSON.stringify(["i-a"]) });
    assert.deepEqual(again.BackendServers.BackendServer.map((b: { ServerId: string }) => b.ServerId), ["i-b"]);
    assert.equal(fake.calls("RemoveBackendServers").length, 2);
  });

  it("adds backends and validates the BackendServers JSON (<= 20, weight 0..100)", async () => {
    const lb = fake.state.addLoadBalancer();
    await rpc(fake, "SLB", "AddBackendServers", { LoadBalancerId: lb.LoadBalancerId, BackendServers: JSON.stringify([{ ServerId: "i-n", Weight: "30" }]) });
    assert.deepEqual(weights(lb.LoadBalancerId), { "i-n": 30 });
    const tooMany = JSON.stringify(Array.from({ length: 21 }, (_, i) => ({ ServerId: `i-${i}` })));
    assert.equal((await rpcError(fake, "SLB", "AddBackendServers", { LoadBalancerId: lb.LoadBalancerId, BackendServers: tooMany })).code, "InvalidParameter");
    assert.equal((await rpcError(fake, "SLB", "SetBackendServers", { LoadBalancerId: lb.LoadBalancerId, BackendServers: '[{"ServerId":"i-n","Weight":"101"}]' })).code, "InvalidParameter");
    assert.equal((await rpcError(fake, "SLB", "SetBackendServers", { LoadBalancerId: lb.LoadBalancerId, BackendServers: "not json" })).code, "InvalidParameter");
    const missing = await rpcError(fake, "SLB", "DescribeLoadBalancerAttribute", { LoadBalancerId: "lb-nope" });
    assert.equal(missing.code, "InvalidLoadBalancerId.NotFound");
    assert.equal(missing.data?.statusCode, 404);
    assert.deepEqual(weights(lb.LoadBalancerId), { "i-n": 30 });
  });

  it("drains a vServer group: SetVServerGroupAttribute weight 0, then RemoveVServerGroupBackendServers", async () => {
    const lb = fake.state.addLoadBalancer();
    const g = fake.state.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, VServerGroupName: "api", BackendServers: [{ ServerId: "i-a", Port: 8080 }, { ServerId: "i-b", Port: 8080, Weight: 80 }] });

    // Whether ServerId matches vServer-only membership is undocumented: by default the fake says no (H9), as a handler must survive.
    assert.equal((await rpc(fake, "SLB", "DescribeLoadBalancers", { ServerId: "i-a" })).TotalCount, 0, "vServer-only membership is not found by ServerId");
    fake.state.clbServerIdMatchesVServerGroups = true;
    const found = await rpc(fake, "SLB", "DescribeLoadBalancers", { ServerId: "i-a" });
    assert.deepEqual(found.LoadBalancers.LoadBalancer.map((l: { LoadBalancerId: string }) => l.LoadBalancerId), [lb.LoadBalancerId], "the other reading, when asked for");

    const groups = await rpc(fake, "SLB", "DescribeVServerGroups", { LoadBalancerId: lb.LoadBalancerId, RegionId: "cn-hangzhou" });
    assert.deepEqual(groups.VServerGroups.VServerGroup.map((x: { VServerGroupId: string; VServerGroupName: string }) => [x.VServerGroupId, x.VServerGroupName]), [[g.VServerGroupId, "api"]]);

    await rpc(fake, "SLB", "SetVServerGroupAttribute", { VServerGroupId: g.VServerGroupId, BackendServers: JSON.stringify([{ ServerId: "i-a", Port: 8080, Weight: 0 }]) });
    const attr = await rpc(fake, "SLB", "DescribeVServerGroupAttribute", { VServerGroupId: g.VServerGroupId });
    assert.deepEqual(attr.BackendServers.BackendServer.map((b: { ServerId: string; Port: number; Weight: number }) => [b.ServerId, b.Port, b.Weight]), [["i-a", 8080, 0], ["i-b", 8080, 80]]);

    await rpc(fake, "SLB", "RemoveVServerGroupBackendServers", { VServerGroupId: g.VServerGroupId, BackendServers: JSON.stringify([{ ServerId: "i-a", Port: 8080 }]) });
    assert.deepEqual(fake.state.getVServerGroup(g.VServerGroupId)!.BackendServers.map((b) => b.ServerId), ["i-b"]);
    assert.equal((await rpc(fake, "SLB", "DescribeLoadBalancers", { ServerId: "i-a" })).TotalCount, 0);

    await rpc(fake, "SLB", "AddVServerGroupBackendServers", { VServerGroupId: g.VServerGroupId, BackendServers: JSON.stringify([{ ServerId: "i-a", Port: 8080, Weight: 100 }]) });
    assert.equal(fake.state.getVServerGroup(g.VServerGroupId)!.BackendServers.length, 2);

    const err = await rpcError(fake, "SLB", "DescribeVServerGroupAttribute", { VServerGroupId: "rsp-nope" });
    assert.equal(err.code, "InvalidParameter");
    assert.match(err.data?.Message ?? "", /VServerGroupId does not exist/);
  });

  it("reports per-backend health apart from weight (normal / abnormal / unavailable)", async () => {
    const lb = fake.state.addLoadBalancer({ BackendServers: [{ ServerId: "i-a" }, { ServerId: "i-b" }, { ServerId: "i-c", Weight: 0 }] });
    const g = fake.state.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: [{ ServerId: "i-v", Port: 8080 }] });
    fake.state.setBackendHealth(lb.LoadBalancerId, "i-b", "abnormal");
    fake.state.setBackendHealth(lb.LoadBalancerId, "i-v", "unavailable");
    const h = await rpc(fake, "SLB", "DescribeHealthStatus", { LoadBalancerId: lb.LoadBalancerId });
    assert.deepEqual(h.BackendServers.BackendServer.map((b: { ServerId: string; ServerHealthStatus: string }) => [b.ServerId, b.ServerHealthStatus]), [["i-a", "normal"], ["i-b", "abnormal"], ["i-c", "normal"], ["i-v", "unavailable"]]);
    assert.equal(fake.state.getVServerGroup(g.VServerGroupId)!.BackendServers[0].Weight, 100, "health does not touch weights");
    assert.equal((await rpcError(fake, "SLB", "DescribeHealthStatus", { LoadBalancerId: "lb-nope" })).code, "InvalidLoadBalancerId.NotFound");
  });

  it("takes at most 20 backend servers per call on every backend write (SDK model remarks)", async () => {
    const ids = Array.from({ length: 21 }, (_, i) => `i-${i}`);
    const lb = fake.state.addLoadBalancer({ BackendServers: ids.map((ServerId) => ({ ServerId })) });
    const g = fake.state.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: ids.map((ServerId) => ({ ServerId, Port: 80 })) });
    const json = (n: number, port?: number) => JSON.stringify(ids.slice(0, n).map((ServerId) => ({ ServerId, Weight: "0", ...(port ? { Port: String(port) } : {}) })));
    for (const [action, params] of [
      ["SetBackendServers", { LoadBalancerId: lb.LoadBalancerId }],
      ["RemoveBackendServers", { LoadBalancerId: lb.LoadBalancerId }],
      ["SetVServerGroupAttribute", { VServerGroupId: g.VServerGroupId }],
      ["RemoveVServerGroupBackendServers", { VServerGroupId: g.VServerGroupId }],
    ] as const) {
      const port = "VServerGroupId" in params ? 80 : undefined;
      assert.equal((await rpcError(fake, "SLB", action, { ...params, BackendServers: json(21, port) })).code, "InvalidParameter", action);
    }
    assert.equal(fake.state.getLoadBalancer(lb.LoadBalancerId)!.BackendServers.length, 21, "refused calls change nothing");
    assert.ok(fake.state.getVServerGroup(g.VServerGroupId)!.BackendServers.every((b) => b.Weight === 100));
    await rpc(fake, "SLB", "SetVServerGroupAttribute", { VServerGroupId: g.VServerGroupId, BackendServers: json(20, 80) });
    assert.deepEqual(fake.state.getVServerGroup(g.VServerGroupId)!.BackendServers.map((b) => b.Weight), [...Array(20).fill(0), 100]);
  });
});
