// Time to first weight 0 from the invocation's start, in the outcome's timings
// (issue 14 item 4), on the single-event path: the first target drained (a CLB,
// synchronous) comes before the ALB job's 4 s, and both before the drain wait.
import { strict as assert } from "node:assert";
import { spotDrain } from "../../handlers/spot-drain/handler";
import { fakeCloudRun, type FakeRun } from "../handlers/doubles/fake-cloud-run";
import { IN_SCOPE, makeEvent } from "../handlers/doubles/harness";

describe("time to first weight 0 (single-event path)", function () {
  this.timeout(60_000);
  let run: FakeRun;
  beforeEach(async () => {
    run = await fakeCloudRun();
  });
  afterEach(() => run.close());

  it("is reported in the outcome's timings once a weight 0 applied, and absent when none was set", async () => {
    const s = run.fake.state;
    s.albJobDurationMs = 4_000;
    for (const id of ["i-v", "i-p"]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    s.addLoadBalancer({ BackendServers: ["i-v", "i-p"].map((ServerId) => ({ ServerId, Weight: 100 })) });
    s.addAlbServerGroup({ Servers: ["i-v", "i-p"].map((ServerId) => ({ ServerId, Port: 80, Weight: 100 })) });
    const out = await run.invoke(spotDrain, makeEvent("Instance:PreemptibleInstanceInterruption", "i-v"), { DRAIN_WAIT_SECONDS: "10", MIN_HEALTHY_BACKENDS: "0" });
    assert.equal(out.outcome, "acted", out.reason);
    const t = out.timings!;
    assert.ok(t.firstWeightZeroMs !== undefined && t.firstWeightZeroMs < 4_000, JSON.stringify(t));
    assert.ok(t.firstWeightZeroMs! <= t.totalMs - 10_000, "before the drain wait");

    const skipped = await run.invoke(spotDrain, makeEvent("Instance:PreemptibleInstanceInterruption", "i-nowhere"), { DRAIN_WAIT_SECONDS: "0" });
    assert.equal(skipped.outcome, "skipped");
    assert.equal(skipped.timings!.firstWeightZeroMs, undefined);
  });
});
