// The per-target load-balancer operations (lb/drain.ts, a batch planner's
// building blocks) against the documentation-based local cloud: per-call
// limits, one ALB job at a time, partial absence, health for the reconciler,
// and the official ALB SDK's request models as the oracle for our parameters.
import { strict as assert } from "node:assert";
import AlbClient, * as $alb from "@alicloud/alb20200616";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import { flattenRpcParams } from "../../handlers/cloud/openapi";
import { discoverMemberships } from "../../handlers/lb/discovery";
import { removeFromTarget, setTargetWeights } from "../../handlers/lb/drain";
import { instanceHealth } from "../../handlers/lb/health";
import { spotDrain } from "../../handlers/spot-drain/handler";
import type { ApiCall } from "../../handlers/core/ports";
import { fakeCloudRun, type FakeRun } from "./doubles/fake-cloud-run";
import { IN_SCOPE, makeEvent } from "./doubles/harness";

const ids = (n: number, prefix = "i-") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const serversSent = (c: { params: Record<string, string> }) => Object.keys(c.params).filter((k) => /^Servers\.\d+\.ServerId$/.test(k)).length;
const backendsSent = (c: { params: Record<string, string> }) => JSON.parse(c.params.BackendServers).length;

describe("load-balancer targets against the local cloud", function () {
  this.timeout(60_000);
  let run: FakeRun;
  beforeEach(async () => {
    run = await fakeCloudRun();
  });
  afterEach(() => run.close());

  it("ALB: 90 weights in calls of at most 40, each job applied before the next call; 450 removals in calls of at most 200", async () => {
    const s = run.fake.state;
    s.albJobDurationMs = 1_500;
    const members = ids(460);
    const g = s.addAlbServerGroup({ Servers: members.map((ServerId) => ({ ServerId, Port: 80 })) });
    const { cloud } = run.gateway();
    const target = { kind: "alb" as const, serverGroupId: g.ServerGroupId };
    await setTargetWeights(cloud, "cn-hangzhou", target, members.slice(0, 90).map((serverId) => ({ serverId, port: 80, type: "Ecs", weight: 0 })), "batch-1");
    const updates = run.fake.callLog.succeeded("UpdateServerGroupServersAttribute");
    assert.deepEqual(updates.map(serversSent), [40, 40, 10]);
    assert.equal(new Set(updates.map((c) => c.params.ClientToken)).size, 3, "a ClientToken per call");
    assert.deepEqual(s.getAlbServerGroup(g.ServerGroupId)!.Servers.filter((x) => x.Weight === 0).map((x) => x.ServerId), members.slice(0, 90));
    const jobs = s.albJobs;
    for (let i = 1; i < jobs.length; i++) assert.ok(jobs[i].CreateTime >= jobs[i - 1].FinishTime!, "the next call waits for the previous job");
    assert.equal(run.fake.callLog.calls().filter((c) => c.outcome.code === "IncorrectStatus.ServerGroup").length, 0, "never sent into a running job");

    await removeFromTarget(cloud, "cn-hangzhou", target, members.slice(0, 450).map((serverId) => ({ serverId, port: 80, type: "Ecs" })), "batch-1");
    assert.deepEqual(run.fake.callLog.succeeded("RemoveServersFromServerGroup").map(serversSent), [200, 200, 50]);
    assert.deepEqual(s.getAlbServerGroup(g.ServerGroupId)!.Servers.map((x) => x.ServerId), members.slice(450));
    assert.ok(s.albJobs.every((j) => j.Status === "Succeeded"));
  });

  it("CLB: 45 backends in calls of at most 20, default group and vServer group", async () => {
    const s = run.fake.state;
    const members = ids(50);
    const lb = s.addLoadBalancer({ BackendServers: members.map((ServerId) => ({ ServerId })) });
    const vsg = s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: members.map((ServerId) => ({ ServerId, Port: 8080 })) });
    const { cloud } = run.gateway();
    const some = members.slice(0, 45);
    await setTargetWeights(cloud, "cn-hangzhou", { kind: "clb-vserver", loadBalancerId: lb.LoadBalancerId, vServerGroupId: vsg.VServerGroupId }, some.map((serverId) => ({ serverId, port: 8080, weight: 0 })), "b");
    await removeFromTarget(cloud, "cn-hangzhou", { kind: "clb-default", loadBalancerId: lb.LoadBalancerId }, some.map((serverId) => ({ serverId })), "b");
    assert.deepEqual(run.fake.callLog.succeeded("SetVServerGroupAttribute").map(backendsSent), [20, 20, 5]);
    assert.deepEqual(run.fake.callLog.succeeded("RemoveBackendServers").map(backendsSent), [20, 20, 5]);
    assert.deepEqual(s.getVServerGroup(vsg.VServerGroupId)!.BackendServers.filter((b) => b.Weight === 0).map((b) => b.ServerId), some);
    assert.deepEqual(s.getLoadBalancer(lb.LoadBalancerId)!.BackendServers.map((b) => b.ServerId), members.slice(45));
  });

  it("ALB: one server already gone refuses the whole call; the others are sent again without it and removed", async () => {
    const s = run.fake.state;
    const g = s.addAlbServerGroup({ Servers: ["i-a", "i-c", "i-keep"].map((ServerId) => ({ ServerId, Port: 80 })) });
    const { cloud } = run.gateway();
    await removeFromTarget(cloud, "cn-hangzhou", { kind: "alb", serverGroupId: g.ServerGroupId }, ["i-a", "i-b", "i-c"].map((serverId) => ({ serverId, port: 80, type: "Ecs" })), "t");
    const answers = run.fake.callLog.calls("RemoveServersFromServerGroup").map((c) => [serversSent(c), c.outcome.code ?? "ok"]);
    assert.deepEqual(answers, [[3, "ResourceNotFound.BackendServer"], [2, "ok"]]);
    assert.deepEqual(s.getAlbServerGroup(g.ServerGroupId)!.Servers.map((x) => x.ServerId), ["i-keep"]);
  });

  it("the instance's own health on each target for the maintenance reconciler: unknown is not healthy", async () => {
    const s = run.fake.state;
    const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: "i-m" }, { ServerId: "i-p" }] });
    const vsg = s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: [{ ServerId: "i-m", Port: 81 }] });
    const a = s.addAlbServerGroup({ Servers: [{ ServerId: "i-m", Port: 80 }, { ServerId: "i-p", Port: 80 }] });
    const b = s.addAlbServerGroup({ Servers: [{ ServerId: "i-m", Port: 80, Weight: 0 }] });
    const { cloud } = run.gateway();
    const memberships = await discoverMemberships(cloud, "i-m", { regionId: "cn-hangzhou", clbDiscovery: "all", concurrency: 4 });
    const byTarget = async () => Object.fromEntries((await instanceHealth(cloud, memberships, "cn-hangzhou")).targets.map((t) => [`${t.target}:${t.port ?? ""}`, t.health]));
    assert.deepEqual(await byTarget(), {
      [`CLB ${lb.LoadBalancerId}:`]: "healthy",
      [`CLB ${lb.LoadBalancerId} vServer group ${vsg.VServerGroupId}:81`]: "healthy",
      [`ALB server group ${a.ServerGroupId}:80`]: "healthy",
      [`ALB server group ${b.ServerGroupId}:80`]: "unknown", // weight 0: ALB reports Unused, no health
    });
    s.setBackendHealth(lb.LoadBalancerId, "i-m", "abnormal");
    s.setAlbServerHealth(a.ServerGroupId, "i-m", "Unhealthy");
    const after = await instanceHealth(cloud, memberships, "cn-hangzhou");
    assert.equal(after.healthy, false);
    assert.deepEqual(after.targets.map((t) => t.health), ["unhealthy", "unhealthy", "unhealthy", "unknown"]);
    const none = await instanceHealth(cloud, [], "cn-hangzhou");
    assert.deepEqual(none, { healthy: true, targets: [] });
  });
});

/** Model fields by wire name (SDK `names()`), with their types (`types()`). */
type SdkModel = { new (map?: Record<string, unknown>): object; names(): Record<string, string>; types(): Record<string, unknown> };

/**
 * Our parameters as the SDK's typed request: every name must be one of the
 * model's and every value of the model's type, or this throws.
 */
function asSdkRequest(Model: SdkModel, params: Record<string, unknown>, where: string): object {
  const byWire = Object.fromEntries(Object.entries(Model.names()).map(([field, wire]) => [wire, field]));
  const map: Record<string, unknown> = {};
  for (const [wire, value] of Object.entries(params)) {
    const field = byWire[wire];
    assert.ok(field, `${where}: ${Model.name} has no parameter ${wire}`);
    const type = Model.types()[field] as string | { type: string; itemType: string | SdkModel };
    if (typeof type === "string") assert.equal(typeof value, type, `${where}.${wire}: the SDK model says ${type}`);
    else {
      assert.ok(Array.isArray(value), `${where}.${wire}: the SDK model says array`);
      map[field] = value.map((item, i) => (typeof type.itemType === "string" ? (assert.equal(typeof item, type.itemType, `${where}.${wire}.${i + 1}`), item) : asSdkRequest(type.itemType, item as Record<string, unknown>, `${where}.${wire}.${i + 1}`)));
      continue;
    }
    map[field] = value;
  }
  return new Model(map);
}

describe("our ALB parameters, checked against the official SDK's request models", function () {
  this.timeout(60_000);
  let run: FakeRun;
  before(async () => {
    run = await fakeCloudRun();
  });
  after(() => run.close());

  it("every ALB call a spot drain makes has the SDK's parameter names, types and flattened query", async () => {
    const s = run.fake.state;
    s.albJobDurationMs = 1_000;
    for (const id of ["i-v", "i-p"]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    s.addAlbServerGroup({ Servers: [{ ServerId: "i-v", Port: 80 }, { ServerId: "i-p", Port: 80 }] });
    // Record what the handler hands the RPC adapter.
    const calls: ApiCall[] = [];
    const { OpenApiCloud } = await import("../../handlers/cloud/openapi");
    const original = OpenApiCloud.prototype.call;
    OpenApiCloud.prototype.call = function (this: InstanceType<typeof OpenApiCloud>, c: ApiCall) {
      calls.push(c);
      return original.call(this, c);
    };
    try {
      const out = await run.invoke(spotDrain, makeEvent("Instance:PreemptibleInstanceInterruption", "i-v"), { DRAIN_WAIT_SECONDS: "0" });
      assert.equal(out.outcome, "acted", out.reason);
    } finally {
      OpenApiCloud.prototype.call = original;
    }
    const alb = calls.filter((c) => c.api.product === "alb");
    assert.deepEqual([...new Set(alb.map((c) => c.api.action))].sort(), ["GetListenerHealthStatus", "ListListeners", "ListServerGroupServers", "ListServerGroups", "RemoveServersFromServerGroup", "UpdateServerGroupServersAttribute"]);

    const client = new AlbClient(new $OpenApiUtil.Config({ accessKeyId: "k", accessKeySecret: "s", endpoint: "127.0.0.1:1", protocol: "HTTP", regionId: "cn-hangzhou" }));
    let sent: Record<string, string> = {};
    (client as unknown as { callApi: unknown }).callApi = async (_p: unknown, req: { query?: Record<string, string>; body?: Record<string, string> }) => {
      sent = { ...req.query, ...req.body };
      return { body: {}, headers: {}, statusCode: 200 };
    };
    for (const c of alb) {
      const Model = ($alb as unknown as Record<string, SdkModel>)[`${c.api.action}Request`];
      const method = (client as unknown as Record<string, (r: object) => Promise<unknown>>)[c.api.action[0].toLowerCase() + c.api.action.slice(1)];
      await method.call(client, asSdkRequest(Model, c.params, c.api.action));
      assert.deepEqual(flattenRpcParams(c.params), sent, `${c.api.action}: our flattened parameters are what the SDK sends`);
    }
  });
});
