// bench:burst's harness measures what happened: a small burst through the
// batched path (MNS queue → trigger → bundled spot-drain) on virtual time,
// with the assumed write quotas on.
import { strict as assert } from "node:assert";
import { runBurst } from "../../tools/bench/burst";

describe("bench:burst harness", function () {
  this.timeout(120_000);

  it("a 40-instance burst in one batch: every instance at weight 0 and removed, no slower than the floor, neighbours untouched", async () => {
    const r = await runBurst("batched", 40, { countWindow: 1000, timeWindowSeconds: 2, triggerConcurrency: 4, albJobMs: 2_000, drainWaitSeconds: 30, timeoutSeconds: 300 });
    assert.deepEqual(r.outcomes, { acted: 40 }, r.failureReasons.join("\n"));
    assert.deepEqual(r.batches, [40]);
    assert.equal(r.notAtWeightZero, 0);
    assert.equal(r.stillInALoadBalancer, 0);
    assert.equal(r.neighboursChanged, 0);
    assert.equal(r.duplicates, 0);
    assert.ok(r.weightZeroRatio >= 1 && r.removedRatio >= 1, `a floor is a lower bound: ${r.weightZeroRatio}, ${r.removedRatio}`);
    assert.ok(r.allRemovedMs >= r.allWeightZeroMs + 30_000, "the drain wait lies between");
    // 12 CLBs of 3-4, 2 vServer groups and 2 ALB groups of 20: one weight change and one removal each.
    assert.equal(r.mutatingAccepted, 2 * (12 + 2 + 2));
    assert.equal(r.mutatingSent, r.mutatingAccepted + r.throttled + r.conflicts);
  });
});
