// The batch executor (handlers/spot-drain/batch.ts) against the local cloud:
// signed RPC, asynchronous ALB jobs one at a time per group, conflicts with a
// concurrent batch, the drain wait once per batch on the virtual clock, the
// capacity guard over the batch, durable idempotency across redeliveries.
import { strict as assert } from "node:assert";
import { parseEnv } from "../../handlers/contract";
import { credentialSource } from "../../handlers/cloud/credentials";
import { OpenApiCloud } from "../../handlers/cloud/openapi";
import { decodeEvent } from "../../handlers/core/event";
import type { Outcome } from "../../handlers/core/outcome";
import { deadlineAt } from "../../handlers/core/ports";
import { run as runBatch, WEIGHT_ZERO_MARK, type BatchItem } from "../../handlers/spot-drain/batch";
import { spotDrain } from "../../handlers/spot-drain/handler";
import { endpointEnv } from "../../local-cloud";
import { fakeCloudRun, type FakeRun } from "../handlers/doubles/fake-cloud-run";
import { BASE_ENV, IN_SCOPE, makeEvent } from "../handlers/doubles/harness";
import { placesOf } from "../handlers/doubles/places";

const SPOT = "Instance:PreemptibleInstanceInterruption";
const WEIGHTS = ["SetBackendServers", "SetVServerGroupAttribute", "UpdateServerGroupServersAttribute"];
const REMOVALS = ["RemoveBackendServers", "RemoveVServerGroupBackendServers", "RemoveServersFromServerGroup"];
const MUTATING = [...WEIGHTS, ...REMOVALS];

describe("spot-drain batch executor against the local cloud", function () {
  this.timeout(120_000);
  let run: FakeRun;
  let n = 0;
  beforeEach(async () => {
    run = await fakeCloudRun();
  });
  afterEach(() => run.close());

  /** The valid events of one trigger batch, as the runtime's decoding hands them over. */
  const items = (bodies: Record<string, unknown>[]): BatchItem[] =>
    bodies.map((raw) => {
      const body = Buffer.from(JSON.stringify(raw));
      const intake = decodeEvent(body, { functionRegion: "cn-hangzhou" });
      if (!intake.ok) throw new Error(intake.reason);
      return { event: intake.event, body };
    });

  function batch(list: BatchItem[], env: Record<string, string> = {}): Promise<Outcome[]> {
    const config = parseEnv({ ...BASE_ENV, API_CALL_TIMEOUT_MS: "5000", ...env });
    const clock = run.clock;
    const deadline = deadlineAt(clock.now() + 290_000, clock.now);
    const credentials = credentialSource({ accessKeyId: run.fake.accessKeyId, accessKeySecret: run.fake.accessKeySecret });
    const cloudApi = new OpenApiCloud({ env: endpointEnv(run.fake), credentials, retry: config.api, deadline, callTimeoutMs: config.api.callTimeoutMs });
    return runBatch({ items: list, config, cloudApi, objects: run.store, deadLetter: run.dlq, topics: run.topics, clock, deadline, requestId: `req-${++n}`, regionId: "cn-hangzhou", leaseMs: 360_000 });
  }

  /** `count` victims and 3 peers in 3 CLBs, a vServer group and 2 ALB groups (every victim in every target). */
  function seed(count: number) {
    const s = run.fake.state;
    const victims = Array.from({ length: count }, (_, i) => `i-spot${String(i).padStart(3, "0")}`);
    const peers = ["i-keep1", "i-keep2", "i-keep3"];
    for (const id of [...victims, ...peers]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    const all = [...victims, ...peers];
    const lbs = [0, 1, 2].map(() => s.addLoadBalancer({ BackendServers: all.map((ServerId) => ({ ServerId, Weight: 100 })) }));
    const vsg = s.addVServerGroup({ LoadBalancerId: lbs[0].LoadBalancerId, BackendServers: all.map((ServerId) => ({ ServerId, Port: 80, Weight: 100 })) });
    const albs = [80, 8080].map((Port) => s.addAlbServerGroup({ Servers: all.map((ServerId) => ({ ServerId, Port, Weight: 100 })) }));
    return { victims, peers, lbs, vsg, albs };
  }

  it("45 interruptions in one batch: one weight change and one removal per target within the per-call limits, ALB jobs one at a time, one drain wait", async () => {
    run.fake.state.albJobDurationMs = 2_000;
    const { victims, peers, albs } = seed(45);
    const outs = await batch(items(victims.map((v) => makeEvent(SPOT, v, { action: "delete" }))), { DRAIN_WAIT_SECONDS: "20" });
    assert.deepEqual(outs.map((o) => o.outcome), Array(45).fill("acted"), outs.map((o) => o.reason).join("\n"));
    for (const v of victims) assert.deepEqual(placesOf(run.fake, v), [], `${v} is out of every target`);
    for (const p of peers) assert.ok(placesOf(run.fake, p).every((x) => x.endsWith("=100")) && placesOf(run.fake, p).length === 6, `${p} untouched`);

    const log = run.fake.callLog;
    // 45 victims per target. CLB: 3 calls (20 per call) per change on 3 LBs and the vServer group;
    // ALB weights 2 calls (40 per call), removal 1 call (200 per call), on 2 groups.
    const count = (a: string) => log.succeeded(a).length;
    assert.equal(count("SetBackendServers"), 3 * 3);
    assert.equal(count("SetVServerGroupAttribute"), 3);
    assert.equal(count("RemoveBackendServers"), 3 * 3);
    assert.equal(count("RemoveVServerGroupBackendServers"), 3);
    assert.equal(count("UpdateServerGroupServersAttribute"), 2 * 2);
    assert.equal(count("RemoveServersFromServerGroup"), 2);
    for (const c of [...log.succeeded("SetBackendServers"), ...log.succeeded("RemoveBackendServers")]) assert.ok(JSON.parse(String(c.params.BackendServers)).length <= 20);
    assert.equal(outs[0].batch!.mutatingCalls, 30);
    assert.equal(log.calls().filter((c) => MUTATING.includes(c.action) && c.outcome.code).length, 0, "no change refused: each group's jobs ran one after the other");
    for (const g of albs) {
      const jobs = run.fake.state.albJobs.filter((j) => j.ServerGroupId === g.ServerGroupId).sort((a, b) => a.CreateTime - b.CreateTime);
      assert.equal(jobs.length, 3);
      for (let i = 1; i < jobs.length; i++) assert.ok(jobs[i].CreateTime >= jobs[i - 1].FinishTime!, "a job starts only after the previous one ended");
    }
    // One wait for the whole batch, between the last weight 0 applied and the first removal.
    const weightJobs = run.fake.state.albJobs.filter((j) => j.ApiName === "UpdateServerGroupServersAttribute");
    const lastWeight = Math.max(...WEIGHTS.flatMap((a) => log.succeeded(a)).map((c) => c.at), ...weightJobs.map((j) => j.FinishTime!));
    const firstRemoval = Math.min(...REMOVALS.flatMap((a) => log.succeeded(a)).map((c) => c.at));
    assert.ok(firstRemoval - lastWeight >= 20_000 && firstRemoval - lastWeight < 25_000, `removal ${firstRemoval - lastWeight} ms after the last weight 0`);
    assert.equal(run.clock.slept.filter((ms) => ms >= 10_000).length, 1, "one drain wait");
    // Time to first weight 0: each event's own first applied call; the first CLB call returns before the first 2 s ALB job ends.
    const firsts = outs.map((o) => o.timings!.firstWeightZeroMs!);
    assert.ok(firsts.every((ms) => Number.isFinite(ms) && ms >= 0), JSON.stringify(outs[0].timings));
    assert.ok(Math.min(...firsts) < 2_000, `first weight 0 at ${Math.min(...firsts)} ms`);
    assert.ok(outs.every((o) => o.timings!.firstWeightZeroMs! <= o.timings!.totalMs - 20_000), "before the drain wait");
    assert.ok(outs.every((o) => o.timings!.waitMs >= 20_000));
    assert.deepEqual(run.store.markers().map((m) => m.state), Array(45).fill("done"));
    assert.ok(run.store.markers().every((m) => (m.progress as Record<string, { targets: string[] }>)[WEIGHT_ZERO_MARK].targets.length === 6));
    assert.deepEqual(run.dlq.records, []);
  });

  it("two concurrent batches on the same ALB groups: the conflicting jobs are waited out, all drained, nothing removed twice", async () => {
    const s = run.fake.state;
    s.albJobDurationMs = 2_500;
    const { victims, peers, albs } = seed(12);
    const [a, b] = [victims.slice(0, 6), victims.slice(6)];
    const outs = (await Promise.all([a, b].map((vs) => batch(items(vs.map((v) => makeEvent(SPOT, v))), { DRAIN_WAIT_SECONDS: "5" })))).flat();
    assert.deepEqual(outs.map((o) => o.outcome), Array(12).fill("acted"), outs.map((o) => o.reason).join("\n"));
    for (const v of victims) assert.deepEqual(placesOf(run.fake, v), []);
    for (const p of peers) assert.equal(placesOf(run.fake, p).filter((x) => !x.endsWith("=100")).length, 0);
    const refused = run.fake.callLog.calls().filter((c) => c.outcome.code === "IncorrectStatus.ServerGroup");
    assert.ok(refused.length > 0, "the second batch's change was refused while the first one's job ran");
    for (const g of albs) {
      const jobs = s.albJobs.filter((j) => j.ServerGroupId === g.ServerGroupId).sort((x, y) => x.CreateTime - y.CreateTime);
      assert.equal(jobs.length, 4, "one weight job and one removal job per batch");
      assert.ok(jobs.every((j) => j.Status === "Succeeded"));
      for (let i = 1; i < jobs.length; i++) assert.ok(jobs[i].CreateTime >= jobs[i - 1].FinishTime!);
    }
    // No server was the subject of two accepted removals.
    const removedTwice = new Map<string, number>();
    for (const c of REMOVALS.flatMap((x) => run.fake.callLog.succeeded(x))) {
      const where = String(c.params.LoadBalancerId ?? c.params.VServerGroupId ?? c.params.ServerGroupId);
      const ids = c.params.BackendServers ? (JSON.parse(String(c.params.BackendServers)) as { ServerId: string }[]).map((x) => x.ServerId) : Object.entries(c.params).filter(([k]) => /^Servers\.\d+\.ServerId$/.test(k)).map(([, v]) => String(v));
      for (const id of ids) removedTwice.set(`${where}/${id}`, (removedTwice.get(`${where}/${id}`) ?? 0) + 1);
    }
    assert.ok([...removedTwice.values()].every((x) => x === 1), "each (target, instance) removed once");
  });

  it("a redelivered batch is a duplicate for every event it finished and calls nothing", async () => {
    const { victims } = seed(5);
    const list = items(victims.map((v) => makeEvent(SPOT, v)));
    const first = await batch(list, { DRAIN_WAIT_SECONDS: "0" });
    assert.deepEqual(first.map((o) => o.outcome), Array(5).fill("acted"));
    const calls = run.fake.callLog.calls().filter((c) => MUTATING.includes(c.action)).length;
    const again = await batch(list, { DRAIN_WAIT_SECONDS: "0" });
    assert.deepEqual(again.map((o) => o.outcome), Array(5).fill("duplicate"));
    assert.ok(again.every((o) => /already handled by req-\d+/.test(o.reason!)));
    assert.equal(run.fake.callLog.calls().filter((c) => MUTATING.includes(c.action)).length, calls, "no mutating call on redelivery");
  });

  it("a takeover after a crash between weight 0 and removal waits only the rest of the drain wait and removes each instance once", async () => {
    const { victims } = seed(4);
    const list = items(victims.map((v) => makeEvent(SPOT, v)));
    // The crashed owner: drained (weights 0 and recorded) and died in its wait; its lease runs out.
    run.fake.faults.failNth("RemoveBackendServers", 1, { status: 503, code: "ServiceUnavailable", message: "down" });
    const crashed = batch(list, { DRAIN_WAIT_SECONDS: "30", API_MAX_ATTEMPTS: "1" });
    const outs = await crashed;
    // It failed on one CLB's removal: those events are in the DLQ, marked failed (a retry may take over at once).
    assert.ok(outs.every((o) => o.outcome === "failed"), outs.map((o) => `${o.outcome} ${o.reason}`).join("\n"));
    assert.equal(run.dlq.records.length, 4);
    const before = run.fake.callLog.calls().filter((c) => WEIGHTS.includes(c.action)).length;
    const startedAt = run.clock.now();
    const again = await batch(list, { DRAIN_WAIT_SECONDS: "30" });
    assert.deepEqual(again.map((o) => o.outcome), Array(4).fill("acted"), again.map((o) => o.reason).join("\n"));
    for (const v of victims) assert.deepEqual(placesOf(run.fake, v), []);
    assert.equal(run.fake.callLog.calls().filter((c) => WEIGHTS.includes(c.action)).length, before, "weights were already 0: not set again");
    assert.ok(run.clock.now() - startedAt < 30_000, "the wait had already passed: not waited again in full");
  });

  it("judges capacity over the whole batch: one CRITICAL alert when the batch leaves a target short, and removes anyway", async () => {
    const s = run.fake.state;
    const victims = ["i-a", "i-b", "i-c"];
    for (const id of [...victims, "i-last"]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    // Each victim alone would leave 3 healthy backends; the batch together leaves 1 (MIN_HEALTHY_BACKENDS=2).
    const lb = s.addLoadBalancer({ BackendServers: [...victims, "i-last"].map((ServerId) => ({ ServerId, Weight: 100 })) });
    const outs = await batch(items(victims.map((v) => makeEvent(SPOT, v))), { DRAIN_WAIT_SECONDS: "0", MIN_HEALTHY_BACKENDS: "2" });
    assert.deepEqual(outs.map((o) => o.outcome), Array(3).fill("acted"));
    assert.deepEqual(s.loadBalancers.get(lb.LoadBalancerId)!.BackendServers.map((b) => b.ServerId), ["i-last"]);
    assert.equal(run.topics.sent.length, 1, "one alert for the batch");
    assert.match(run.topics.sent[0].body, /CapacityBelowMinimum/);
    assert.match(run.topics.sent[0].body, /i-a and 2 more instance/);
    assert.ok(outs.every((o) => o.warnings!.some((w) => /keeps 1 healthy backend\(s\) once the batch's 3 instance\(s\) leave/.test(w))));
  });

  it("skips what the single-event path skips (not routed, out of scope, no target) and acts on the rest", async () => {
    const s = run.fake.state;
    s.addInstance({ InstanceId: "i-in", Tags: IN_SCOPE });
    s.addInstance({ InstanceId: "i-out", Tags: { other: "x" } });
    s.addInstance({ InstanceId: "i-lonely", Tags: IN_SCOPE });
    s.addLoadBalancer({ BackendServers: [{ ServerId: "i-in", Weight: 100 }, { ServerId: "i-out", Weight: 100 }, { ServerId: "i-peer", Weight: 100 }] });
    const list = items([makeEvent(SPOT, "i-in"), makeEvent(SPOT, "i-out"), makeEvent(SPOT, "i-lonely"), makeEvent(SPOT, "i-in", { action: "stop" })]);
    const outs = await batch(list, { DRAIN_WAIT_SECONDS: "0", MIN_HEALTHY_BACKENDS: "0" });
    assert.deepEqual(outs.map((o) => o.outcome), ["acted", "skipped", "skipped", "skipped"]);
    assert.match(outs[1].reason!, /does not carry the scope tag/);
    assert.match(outs[2].reason!, /not a backend of any CLB or ALB/);
    assert.match(outs[3].reason!, /action/);
    assert.deepEqual(placesOf(run.fake, "i-in"), []);
    assert.deepEqual(placesOf(run.fake, "i-out"), [`clb:${[...s.loadBalancers.keys()][0]}=100`]);
    assert.equal(run.fake.callLog.calls("DescribeInstances").length, 1, "one DescribeInstances for the batch");
  });

  it("a failed ALB job fails only the events in that group's change; the handler name and actions are the batch's", async () => {
    run.fake.state.albJobDurationMs = 1_000;
    run.fake.state.albJobFailures = 1;
    const s = run.fake.state;
    for (const id of ["i-x", "i-y", "i-keep"]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    const g = s.addAlbServerGroup({ Servers: ["i-x", "i-keep"].map((ServerId) => ({ ServerId, Port: 80, Weight: 100 })) });
    s.addLoadBalancer({ BackendServers: ["i-x", "i-y", "i-keep"].map((ServerId) => ({ ServerId, Weight: 100 })) });
    const list = items([makeEvent(SPOT, "i-x"), makeEvent(SPOT, "i-y")]);
    const outs = await batch(list, { DRAIN_WAIT_SECONDS: "0", MIN_HEALTHY_BACKENDS: "0" });
    assert.deepEqual(outs.map((o) => o.outcome), ["failed", "acted"]);
    assert.match(outs[0].reason!, /setting weight 0 failed: ALB server group .*weight change not applied/);
    assert.deepEqual(run.dlq.records.map((r) => [r.handler, r.eventKey, r.error?.code]), [[spotDrain.name, list[0].event.key, "AlbJobNotApplied"]]);
    assert.deepEqual(placesOf(run.fake, "i-y"), []);
    assert.ok(placesOf(run.fake, "i-x").includes(`alb:${g.ServerGroupId}:80=100`), "no removal after a failed drain");
    assert.ok(placesOf(run.fake, "i-x").some((p) => p.startsWith("clb:") && p.endsWith("=0")), "the CLB weight went to 0 and stays: nothing removed for that event");
    assert.deepEqual(run.store.markers().map((m) => m.state).sort(), ["done", "failed"]);
  });
});
