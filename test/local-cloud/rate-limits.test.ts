import { strict as assert } from "node:assert";
import { rpc, rpcError } from "./clients";
import { ASSUMED_WRITE_QUOTAS, drainFloor, quotaMs, startFakeCloud, type FakeCloud, type FloorLimits, type FloorTarget } from "../../local-cloud";

describe("fake cloud: API flow control (rate limits)", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
    fake.state.addLoadBalancer({ LoadBalancerId: "lb-1", BackendServers: [{ ServerId: "i-a", Weight: 100 }, { ServerId: "i-b", Weight: 100 }] });
  });
  afterEach(() => fake.close());

  const setWeight = (id: string, weight: number) => rpc(fake, "SLB", "SetBackendServers", { LoadBalancerId: "lb-1", BackendServers: JSON.stringify([{ ServerId: id, Weight: String(weight) }]) });
  const weights = () => fake.state.getLoadBalancer("lb-1")!.BackendServers.map((b) => `${b.ServerId}=${b.Weight}`);

  it("is off by default: a hundred writes in one instant all go through", async () => {
    for (let i = 0; i < 100; i++) await setWeight("i-a", i % 2 ? 0 : 100);
    assert.equal(fake.calls("SetBackendServers").filter((c) => c.outcome.status === 200).length, 100);
  });

  it("answers Throttling.User (400) once a quota's bucket is empty, changes nothing, and refills on the clock", async () => {
    fake.rateLimits.set([{ name: "CLB writes", actions: ["SetBackendServers", "RemoveBackendServers"], perMinute: 60, burst: 2, source: "test", assumption: true }]);
    await setWeight("i-a", 50);
    await setWeight("i-a", 40);
    const refused = await rpcError(fake, "SLB", "SetBackendServers", { LoadBalancerId: "lb-1", BackendServers: '[{"ServerId":"i-b","Weight":"0"}]' });
    assert.equal(refused.code, "Throttling.User");
    assert.equal(refused.data?.statusCode, 400);
    assert.match(String(refused.data?.Message), /flow control/);
    assert.deepEqual(weights(), ["i-a=40", "i-b=100"], "the refused call changed nothing");
    // The quota is shared by the actions it lists; reads and other actions are not limited.
    assert.equal((await rpcError(fake, "SLB", "RemoveBackendServers", { LoadBalancerId: "lb-1", BackendServers: '["i-b"]' })).code, "Throttling.User");
    await rpc(fake, "SLB", "DescribeLoadBalancerAttribute", { LoadBalancerId: "lb-1" });
    assert.equal(fake.rateLimits.refused.get("CLB writes"), 2);
    // 60/min: one token a second.
    fake.advance(999);
    assert.equal((await rpcError(fake, "SLB", "SetBackendServers", { LoadBalancerId: "lb-1", BackendServers: '[{"ServerId":"i-b","Weight":"0"}]' })).code, "Throttling.User");
    fake.advance(1);
    await setWeight("i-b", 0);
    assert.deepEqual(weights(), ["i-a=40", "i-b=0"]);
    // The bucket never holds more than its burst, however long the quiet spell.
    fake.advance(3_600_000);
    await setWeight("i-a", 1);
    await setWeight("i-a", 2);
    assert.equal((await rpcError(fake, "SLB", "SetBackendServers", { LoadBalancerId: "lb-1", BackendServers: '[{"ServerId":"i-a","Weight":"3"}]' })).code, "Throttling.User");
    assert.deepEqual(fake.calls("SetBackendServers").map((c) => c.outcome.code ?? "ok"), ["ok", "ok", "Throttling.User", "Throttling.User", "ok", "ok", "ok", "Throttling.User"]);
  });

  it("ships the issue's write quotas labelled as assumptions, and refuses a quota that cannot refill", () => {
    assert.deepEqual(ASSUMED_WRITE_QUOTAS.map((q) => [q.name, q.perMinute, q.assumption]), [["CLB backend writes", 90, true], ["ALB server-group writes", 200, true]]);
    for (const q of ASSUMED_WRITE_QUOTAS) assert.match(q.source, /assumption/);
    assert.throws(() => fake.rateLimits.set([{ ...ASSUMED_WRITE_QUOTAS[0], perMinute: 0 }]), /perMinute must be > 0/);
  });
});

describe("the drain floor", () => {
  const limits: FloorLimits = { clbWrites: { perMinute: 90, burst: 1 }, albWrites: { perMinute: 200, burst: 3 }, albJobMs: 2_000, drainWaitMs: 30_000 };
  const topology = (n: number): FloorTarget[] => {
    const t: FloorTarget[] = [];
    const share = (k: number, i: number) => Math.floor(n / k) + (i < n % k ? 1 : 0);
    for (let i = 0; i < 12; i++) t.push({ kind: "clb", id: `lb-${i}`, members: share(12, i) });
    for (let i = 0; i < 2; i++) t.push({ kind: "vserver", id: `rsp-${i}`, members: share(2, i) }, { kind: "alb", id: `sgp-${i}`, members: share(2, i) });
    return t;
  };

  it("counts calls per target by the per-call limits and paces them by the quota", () => {
    assert.equal(quotaMs(1, { perMinute: 90, burst: 1 }), 0);
    assert.equal(quotaMs(91, { perMinute: 90, burst: 1 }), 60_000);
    const f = drainFloor(topology(1000), limits);
    // 12 CLBs of 83-84 (5 calls each at 20 a call), 2 vServer groups of 500 (25 each).
    assert.deepEqual(f.calls, { clbWeight: 110, clbRemove: 110, albWeight: 26, albRemove: 6 });
    assert.equal(f.weightZeroMs, quotaMs(110, limits.clbWrites));
    assert.match(f.bindsWeightZero, /110 CLB weight calls/);
    assert.equal(f.removedMs, quotaMs(220, limits.clbWrites));
  });

  it("is bound by one ALB group's jobs in sequence when CLB is not the bottleneck", () => {
    const f = drainFloor([{ kind: "alb", id: "sgp-a", members: 400 }, { kind: "clb", id: "lb-1", members: 20 }], limits);
    assert.equal(f.weightZeroMs, 10 * 2_000); // 400 / 40 jobs, one at a time
    assert.equal(f.removedMs, 20_000 + 30_000 + 2 * 2_000, "weight jobs, the drain wait, then 400 / 200 removal jobs");
    assert.match(f.bindsRemoved, /jobs in sequence on ALB group sgp-a/);
  });

  it("never falls as the burst grows, and is zero for nothing to drain", () => {
    let last = drainFloor([], limits);
    assert.deepEqual([last.weightZeroMs, last.removedMs], [0, 30_000]);
    for (const n of [1, 10, 100, 300, 1000, 3000]) {
      const f = drainFloor(topology(n), limits);
      assert.ok(f.weightZeroMs >= last.weightZeroMs && f.removedMs >= last.removedMs, `n=${n}`);
      assert.ok(f.removedMs >= f.weightZeroMs + limits.drainWaitMs);
      last = f;
    }
  });
});
