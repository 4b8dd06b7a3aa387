// A burst in concurrent batches against the local cloud (issue 14): 300
// interruptions behind 12 CLBs, 2 vServer groups and 2 ALB groups (jobs of
// 2 s), delivered as 3 trigger batches of 100 running at once, on
// discrete-event time (event-clock.ts).
import { strict as assert } from "node:assert";
import { parseEnv } from "../../handlers/contract";
import { credentialSource } from "../../handlers/cloud/credentials";
import { OpenApiCloud } from "../../handlers/cloud/openapi";
import { decodeEvent } from "../../handlers/core/event";
import { deadlineAt } from "../../handlers/core/ports";
import { run as runBatch } from "../../handlers/spot-drain/batch";
import { endpointEnv } from "../../local-cloud";
import { fakeCloudRun, type FakeRun } from "../handlers/doubles/fake-cloud-run";
import { BASE_ENV, IN_SCOPE, makeEvent } from "../handlers/doubles/harness";
import { placesOf } from "../handlers/doubles/places";
import { eventClock } from "./event-clock";

const WEIGHTS = ["SetBackendServers", "SetVServerGroupAttribute"];
const REMOVALS = ["RemoveBackendServers", "RemoveVServerGroupBackendServers", "RemoveServersFromServerGroup"];
const MUTATING = [...WEIGHTS, "UpdateServerGroupServersAttribute", ...REMOVALS];

describe("a burst of 300 interruptions in 3 concurrent batches", function () {
  this.timeout(120_000);
  let run: FakeRun;
  beforeEach(async () => {
    run = await fakeCloudRun();
  });
  afterEach(() => run.close());

  it("all at weight 0 within 60 s of the notice, all removed once, neighbours untouched, 444 mutating calls", async () => {
    const s = run.fake.state;
    s.albJobDurationMs = 2_000;
    const victims = Array.from({ length: 300 }, (_, i) => `i-v${i}`);
    const peers = ["i-p1", "i-p2", "i-p3"];
    for (const id of [...victims, ...peers]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    const all = [...victims, ...peers];
    const lbs = Array.from({ length: 12 }, () => s.addLoadBalancer({ BackendServers: all.map((ServerId) => ({ ServerId, Weight: 100 })) }));
    for (const k of [0, 1]) s.addVServerGroup({ LoadBalancerId: lbs[k].LoadBalancerId, BackendServers: all.map((ServerId) => ({ ServerId, Port: 80, Weight: 100 })) });
    for (const Port of [80, 8080]) s.addAlbServerGroup({ Servers: all.map((ServerId) => ({ ServerId, Port, Weight: 100 })) });

    const clock = eventClock(run.fakeClock);
    const config = parseEnv({ ...BASE_ENV, DRAIN_WAIT_SECONDS: "30", MIN_HEALTHY_BACKENDS: "1", API_CALL_TIMEOUT_MS: "5000" });
    const credentials = credentialSource({ accessKeyId: run.fake.accessKeyId, accessKeySecret: run.fake.accessKeySecret });
    const t0 = clock.now();
    const batches = [0, 1, 2].map((b) => victims.slice(b * 100, (b + 1) * 100));
    const outs = (
      await Promise.all(
        batches.map((ids, b) => {
          const deadline = deadlineAt(t0 + 290_000, clock.now);
          const cloudApi = clock.track(new OpenApiCloud({ env: endpointEnv(run.fake), credentials, retry: config.api, deadline, callTimeoutMs: 5_000 }));
          const items = ids.map((v) => {
            const body = Buffer.from(JSON.stringify(makeEvent("Instance:PreemptibleInstanceInterruption", v)));
            const intake = decodeEvent(body, { functionRegion: "cn-hangzhou" });
            if (!intake.ok) throw new Error(intake.reason);
            return { event: intake.event, body };
          });
          return runBatch({ items, config, cloudApi, objects: run.store, deadLetter: run.dlq, topics: run.topics, clock, deadline, requestId: `batch-${b}`, regionId: "cn-hangzhou", leaseMs: 360_000 });
        }),
      )
    ).flat();

    assert.deepEqual(outs.map((o) => o.outcome), Array(300).fill("acted"), [...new Set(outs.map((o) => o.reason))].slice(0, 3).join("\n"));
    for (const v of victims) assert.deepEqual(placesOf(run.fake, v), [], v);
    for (const p of peers) assert.deepEqual(placesOf(run.fake, p).filter((x) => !x.endsWith("=100")), [], p);

    const log = run.fake.callLog;
    const weightJobs = s.albJobs.filter((j) => j.ApiName === "UpdateServerGroupServersAttribute");
    const allAtZero = Math.max(...WEIGHTS.flatMap((a) => log.succeeded(a)).map((c) => c.at), ...weightJobs.map((j) => j.FinishTime!)) - t0;
    assert.ok(allAtZero <= 60_000, `every instance at weight 0 ${allAtZero} ms after the notice`);
    // Per batch: 14 CLB targets x (5 + 5) + 2 ALB groups x (3 weight + 1 removal) = 148; the per-instance path needs 300 x 16 x 2 = 9600.
    // Exactly the planned calls were accepted: no change, removal included, was applied twice.
    assert.equal(MUTATING.reduce((n, a) => n + log.succeeded(a).length, 0), 3 * 148);
    assert.ok(s.albJobs.every((j) => j.Status === "Succeeded"));
    for (const g of s.albServerGroups.keys()) {
      const jobs = s.albJobs.filter((j) => j.ServerGroupId === g).sort((a, b) => a.CreateTime - b.CreateTime);
      for (let i = 1; i < jobs.length; i++) assert.ok(jobs[i].CreateTime >= jobs[i - 1].FinishTime!, "one job at a time per group");
    }
    assert.deepEqual(run.dlq.records, []);
    assert.equal(run.store.markers().filter((m) => m.state === "done").length, 300);
  });
});
