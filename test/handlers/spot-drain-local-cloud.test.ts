// spot-drain against the documentation-based local cloud (local-cloud/), over
// signed RPC: asynchronous ALB jobs with conflicts, paging beyond 100, health
// apart from status, the CLB vServer-only membership, and the drain wait on
// one virtual clock shared by the fake and the handler.
import { strict as assert } from "node:assert";
import { spotDrain } from "../../handlers/spot-drain/handler";
import { fakeCloudRun, type FakeRun } from "./doubles/fake-cloud-run";
import { IN_SCOPE, makeEvent } from "./doubles/harness";
import { placesOf } from "./doubles/places";

const SPOT = "Instance:PreemptibleInstanceInterruption";
const WEIGHTS = ["SetBackendServers", "SetVServerGroupAttribute", "UpdateServerGroupServersAttribute"];
const REMOVALS = ["RemoveBackendServers", "RemoveVServerGroupBackendServers", "RemoveServersFromServerGroup"];

describe("spot-drain against the local cloud", function () {
  this.timeout(60_000);
  let run: FakeRun;
  beforeEach(async () => {
    run = await fakeCloudRun();
  });
  afterEach(() => run.close());

  /** A victim in a CLB's default group and a vServer group (two ports), and in two ALB groups; each target with two healthy peers. */
  function seed(victim = "i-victim") {
    const s = run.fake.state;
    const peers = [`${victim}-p1`, `${victim}-p2`];
    for (const id of [victim, ...peers]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    const lb = s.addLoadBalancer({ BackendServers: [victim, ...peers].map((ServerId) => ({ ServerId, Weight: 100 })) });
    const vsg = s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: [{ ServerId: victim, Port: 80 }, { ServerId: victim, Port: 81 }, ...peers.map((ServerId) => ({ ServerId, Port: 80, Weight: 60 }))] });
    const albs = [80, 8080].map((Port) => s.addAlbServerGroup({ Servers: [victim, ...peers].map((ServerId) => ({ ServerId, Port, Weight: 100 })) }));
    return { victim, peers, lb, vsg, albs };
  }

  it("waits the drain wait between the last applied weight 0 and the first removal (virtual clock, ALB jobs of 4 s)", async () => {
    run.fake.state.albJobDurationMs = 4_000;
    const { victim, peers, albs } = seed();
    const out = await run.invoke(spotDrain, makeEvent(SPOT, victim, { action: "delete" }), { DRAIN_WAIT_SECONDS: "20" });
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(placesOf(run.fake, victim), []);
    for (const p of peers) assert.equal(placesOf(run.fake, p).filter((x) => !x.endsWith("=100") && !x.endsWith("=60")).length, 0, `${p} keeps its weights`);

    const log = run.fake.callLog;
    const weightCalls = WEIGHTS.flatMap((a) => log.succeeded(a));
    const removalCalls = REMOVALS.flatMap((a) => log.succeeded(a));
    assert.equal(weightCalls.length, 4);
    assert.equal(removalCalls.length, 4);
    const weightJobs = run.fake.state.albJobs.filter((j) => j.ApiName === "UpdateServerGroupServersAttribute");
    assert.deepEqual(weightJobs.map((j) => [j.ServerGroupId, j.Status]).sort(), albs.map((g) => [g.ServerGroupId, "Succeeded"]).sort());
    const lastWeightApplied = Math.max(...weightCalls.map((c) => c.at), ...weightJobs.map((j) => j.FinishTime!));
    const firstRemoval = Math.min(...removalCalls.map((c) => c.at));
    assert.ok(lastWeightApplied - Math.min(...weightCalls.map((c) => c.at)) >= 4_000, "the ALB weights took their job's time to apply");
    assert.ok(firstRemoval - lastWeightApplied >= 20_000, `removal at +${firstRemoval - lastWeightApplied} ms after the last weight applied`);
    assert.ok(firstRemoval - lastWeightApplied < 30_000, "and not much later than the wait");
    assert.ok(out.timings!.waitMs >= 20_000);
    // Every ALB change waited for its job: no change was ever refused for a running job of its own.
    assert.equal(log.calls().filter((c) => c.outcome.code === "IncorrectStatus.ServerGroup").length, 0);
  });

  it("six simultaneous interruptions behind shared ALB groups, with asynchronous jobs and conflicts, all end drained and removed", async () => {
    const s = run.fake.state;
    s.albJobDurationMs = 2_500;
    const victims = Array.from({ length: 6 }, (_, i) => `i-spot${i}`);
    const peers = ["i-keep1", "i-keep2", "i-keep3"];
    for (const id of [...victims, ...peers]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    // Two ALB groups every victim shares (two ports on the second), a CLB with a vServer group every victim shares too.
    const shared = [s.addAlbServerGroup({ Servers: [...victims, ...peers].map((ServerId) => ({ ServerId, Port: 80 })) }), s.addAlbServerGroup({ Servers: [...victims, ...peers].flatMap((ServerId) => [{ ServerId, Port: 8080 }, { ServerId, Port: 8443 }]) })];
    const lb = s.addLoadBalancer({ BackendServers: [...victims, ...peers].map((ServerId) => ({ ServerId })) });
    s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: [...victims, ...peers].map((ServerId) => ({ ServerId, Port: 80 })) });

    const outs = await Promise.all(victims.map((v) => run.invoke(spotDrain, makeEvent(SPOT, v, { action: "delete" }), { DRAIN_WAIT_SECONDS: "10", MIN_HEALTHY_BACKENDS: "1" })));
    assert.deepEqual(outs.map((o) => o.outcome), Array(6).fill("acted"), outs.map((o) => o.reason).join("\n"));
    for (const v of victims) assert.deepEqual(placesOf(run.fake, v), [], `${v} is out of every target`);
    for (const p of peers) assert.equal(placesOf(run.fake, p).join(), [`alb:${shared[0].ServerGroupId}:80=100`, `alb:${shared[1].ServerGroupId}:8080=100`, `alb:${shared[1].ServerGroupId}:8443=100`, `clb:${lb.LoadBalancerId}=100`, `vsg:${[...s.vServerGroups.keys()][0]}:80=100`].sort().join());
    // The conflicts happened and were waited out: refused changes, then every job succeeded, never two at once on a group.
    const refused = run.fake.callLog.calls().filter((c) => c.outcome.code === "IncorrectStatus.ServerGroup");
    assert.ok(refused.length > 0, "simultaneous changes to one group were refused while a job ran");
    assert.ok(s.albJobs.every((j) => j.Status === "Succeeded"));
    assert.equal(s.albJobs.length, 2 * 2 * victims.length, "weight 0 and removal, per victim and group");
    for (const g of shared) {
      const jobs = s.albJobs.filter((j) => j.ServerGroupId === g.ServerGroupId).sort((a, b) => a.CreateTime - b.CreateTime);
      for (let i = 1; i < jobs.length; i++) assert.ok(jobs[i].CreateTime >= jobs[i - 1].FinishTime!, "a job starts only after the previous one ended");
    }
    assert.deepEqual(run.dlq.records, []);
    assert.deepEqual(run.store.markers().map((m) => m.state), Array(6).fill("done"));
    assert.ok(outs.every((o) => !(o.warnings ?? []).some((w) => /capacity/.test(w))), "three untouched peers stay healthy everywhere");
  });

  it("treats a failed ALB job as not drained: the event fails to the DLQ, the other targets are done", async () => {
    run.fake.state.albJobDurationMs = 1_000;
    run.fake.state.albJobFailures = 1;
    const { victim, albs, lb } = seed();
    const out = await run.invoke(spotDrain, makeEvent(SPOT, victim), { DRAIN_WAIT_SECONDS: "0" });
    assert.equal(out.outcome, "failed");
    assert.match(out.reason!, /ALB server group .*: weight change not applied/);
    assert.deepEqual(run.dlq.records.map((r) => r.error?.code), ["AlbJobNotApplied"]);
    // No removal follows a failed drain; the weight that did not apply is still 100 on that group.
    assert.equal(run.fake.callLog.count("RemoveServersFromServerGroup"), 0);
    const failedGroup = run.fake.state.albJobs.find((j) => j.Status === "Failed")!.ServerGroupId;
    assert.ok(albs.some((g) => g.ServerGroupId === failedGroup));
    assert.ok(placesOf(run.fake, victim).some((p) => p.startsWith(`alb:${failedGroup}:`) && p.endsWith("=100")));
    assert.ok(placesOf(run.fake, victim).includes(`clb:${lb.LoadBalancerId}=0`), "the CLB weight went to 0");
  });

  it("finds the instance's ALB groups with one ServerIds query (no group scan), across more than 100 rows", async () => {
    const s = run.fake.state;
    s.addInstance({ InstanceId: "i-wide", Tags: IN_SCOPE });
    const groups = Array.from({ length: 120 }, () => s.addAlbServerGroup({ Servers: [{ ServerId: "i-wide", Port: 80 }, { ServerId: "i-peer", Port: 80 }] }));
    for (let i = 0; i < 30; i++) s.addAlbServerGroup({ Servers: [{ ServerId: `i-other${i}`, Port: 80 }] });
    const out = await run.invoke(spotDrain, makeEvent(SPOT, "i-wide"), { DRAIN_WAIT_SECONDS: "0", MIN_HEALTHY_BACKENDS: "0", LB_CONCURRENCY: "8" });
    assert.equal(out.outcome, "acted", out.reason);
    assert.match(out.reason!, /120 ALB server group\(s\)/);
    assert.deepEqual(placesOf(run.fake, "i-wide"), []);
    assert.ok(groups.every((g) => s.getAlbServerGroup(g.ServerGroupId)!.Servers.map((x) => x.ServerId).join() === "i-peer"));
    const discovery = run.fake.callLog.calls("ListServerGroupServers").filter((c) => c.params.ServerGroupId === undefined);
    assert.deepEqual(discovery.map((c) => [c.params["ServerIds.1"], c.params.MaxResults, c.params.NextToken ?? ""]), [["i-wide", "100", ""], ["i-wide", "100", "tok-100"]]);
    assert.equal(run.fake.callLog.calls("ListServerGroups").filter((c) => c.params["ServerGroupIds.1"] === undefined).length, 0, "no listing of every group");
  });

  it("falls back to scanning every ALB group (paged past 100) when the group-less query is refused", async () => {
    const s = run.fake.state;
    s.addInstance({ InstanceId: "i-v", Tags: IN_SCOPE });
    for (let i = 0; i < 130; i++) s.addAlbServerGroup({ Servers: [{ ServerId: `i-o${i}`, Port: 80 }] });
    const mine = s.addAlbServerGroup({ Servers: [{ ServerId: "i-v", Port: 80 }, { ServerId: "i-o", Port: 80 }] });
    run.fake.faults.failNth("ListServerGroupServers", 1, { status: 400, code: "MissingParameter.ServerGroupId", message: "ServerGroupId is mandatory" });
    const out = await run.invoke(spotDrain, makeEvent(SPOT, "i-v"), { DRAIN_WAIT_SECONDS: "0", MIN_HEALTHY_BACKENDS: "0", LB_CONCURRENCY: "8" });
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(placesOf(run.fake, "i-v"), []);
    assert.deepEqual(s.getAlbServerGroup(mine.ServerGroupId)!.Servers.map((x) => x.ServerId), ["i-o"]);
    const scans = run.fake.callLog.calls("ListServerGroups").filter((c) => c.params["ServerGroupIds.1"] === undefined);
    assert.deepEqual(scans.map((c) => c.params.NextToken ?? ""), ["", "tok-100"]);
  });

  it("judges capacity over every page of a group's servers (> 100), with health from GetListenerHealthStatus", async () => {
    const s = run.fake.state;
    s.addInstance({ InstanceId: "i-big", Tags: IN_SCOPE });
    const others = Array.from({ length: 150 }, (_, i) => `i-m${i}`);
    const g = s.addAlbServerGroup({ Servers: [{ ServerId: "i-big", Port: 80 }, ...others.map((ServerId) => ({ ServerId, Port: 80 }))] });
    for (const id of others.slice(0, 149)) s.setAlbServerHealth(g.ServerGroupId, id, "Unhealthy");
    // Only the 151st server, on the second page, is healthy: enough for MIN_HEALTHY_BACKENDS=1, not for 2.
    const ok = await run.invoke(spotDrain, makeEvent(SPOT, "i-big"), { DRAIN_WAIT_SECONDS: "0", MIN_HEALTHY_BACKENDS: "1" });
    assert.equal(ok.outcome, "acted", ok.reason);
    assert.equal(ok.warnings, undefined, JSON.stringify(ok.warnings));
    assert.deepEqual(placesOf(run.fake, "i-big"), []);
    const pages = run.fake.callLog.calls("ListServerGroupServers").filter((c) => c.params.ServerGroupId === g.ServerGroupId && c.params["ServerIds.1"] === undefined);
    assert.deepEqual(pages.map((c) => c.params.NextToken ?? ""), ["", "tok-100"]);
    assert.ok(run.fake.callLog.count("GetListenerHealthStatus") >= 1);

    s.addAlbServerGroup({ ServerGroupId: "sgp-again", Servers: [{ ServerId: "i-big", Port: 80 }, ...others.map((ServerId) => ({ ServerId, Port: 80 }))] });
    for (const id of others.slice(0, 149)) s.setAlbServerHealth("sgp-again", id, "Unhealthy");
    const short = await run.invoke(spotDrain, makeEvent(SPOT, "i-big"), { DRAIN_WAIT_SECONDS: "0", MIN_HEALTHY_BACKENDS: "2" });
    assert.deepEqual(short.warnings, ["capacity below minimum: ALB server group sgp-again keeps 1 healthy backend(s), MIN_HEALTHY_BACKENDS=2"]);
    assert.deepEqual(placesOf(run.fake, "i-big"), []);
  });

  it("reads ALB health from the listeners, not from the server status: an Unhealthy peer stays Available and counts as no capacity", async () => {
    const { victim, peers, albs } = seed();
    for (const p of peers) run.fake.state.setAlbServerHealth(albs[0].ServerGroupId, p, "Unhealthy");
    const off = run.fake.state.addAlbServerGroup({ HealthCheckEnabled: false, Servers: [{ ServerId: victim, Port: 90 }, { ServerId: peers[0], Port: 90 }] });
    const out = await run.invoke(spotDrain, makeEvent(SPOT, victim), { DRAIN_WAIT_SECONDS: "0", MIN_HEALTHY_BACKENDS: "1" });
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual([...(out.warnings ?? [])].sort(), [
      `capacity below minimum: ALB server group ${albs[0].ServerGroupId} keeps 0 healthy backend(s), MIN_HEALTHY_BACKENDS=1`,
      `capacity below minimum: ALB server group ${off.ServerGroupId} keeps 0 healthy backend(s), MIN_HEALTHY_BACKENDS=1 (1 with unknown health)`,
    ]);
    assert.ok(run.fake.state.getAlbServerGroup(albs[0].ServerGroupId)!.Servers.every((x) => x.Status === "Available"));
    assert.deepEqual(placesOf(run.fake, victim), []);
  });

  it("finds vServer-only CLB membership by default (the scan), which DescribeLoadBalancers?ServerId= may miss", async () => {
    const s = run.fake.state;
    s.addInstance({ InstanceId: "i-vs", Tags: IN_SCOPE });
    const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: "i-front" }] });
    const vsg = s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: [{ ServerId: "i-vs", Port: 80 }, { ServerId: "i-front", Port: 80 }] });
    // The opt-in: in the fake's documented-minimum reading, ServerId finds only default-group membership.
    const optIn = await run.invoke(spotDrain, makeEvent(SPOT, "i-vs"), { CLB_DISCOVERY: "server-id", DRAIN_WAIT_SECONDS: "0" });
    assert.equal(optIn.outcome, "skipped");
    assert.deepEqual(placesOf(run.fake, "i-vs"), [`vsg:${vsg.VServerGroupId}:80=100`]);
    const out = await run.invoke(spotDrain, makeEvent(SPOT, "i-vs"), { DRAIN_WAIT_SECONDS: "0" });
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(placesOf(run.fake, "i-vs"), []);
    assert.deepEqual(s.getVServerGroup(vsg.VServerGroupId)!.BackendServers.map((b) => [b.ServerId, b.Weight]), [["i-front", 100]]);
  });

  it("ends `failed` with the event in the DLQ on a wrong access key secret, never `acted`", async () => {
    const bad = await fakeCloudRun({ accessKeySecret: "not-the-secret" });
    try {
      bad.fake.state.addInstance({ InstanceId: "i-x", Tags: IN_SCOPE });
      bad.fake.state.addAlbServerGroup({ Servers: [{ ServerId: "i-x", Port: 80 }] });
      const event = makeEvent(SPOT, "i-x");
      const out = await bad.invoke(spotDrain, event);
      assert.equal(out.outcome, "failed");
      assert.deepEqual(bad.dlq.records.map((r) => r.error?.code), ["SignatureDoesNotMatch"]);
      assert.deepEqual(JSON.parse(Buffer.from(bad.dlq.records[0].bodyBase64, "base64").toString()), event);
      assert.equal(bad.fake.state.albJobs.length, 0);
    } finally {
      await bad.close();
    }
  });
});
