import { strict as assert } from "node:assert";
import { rpc, sdkClient } from "./clients";
import { startFakeCloud, type FakeCloud } from "../../local-cloud";

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

describe("fake cloud: a 1000-instance burst", () => {
  let fake: FakeCloud;
  before(async () => {
    fake = await startFakeCloud();
  });
  after(() => fake.close());

  it("drains 1000 instances from 100 CLBs (4000 signed calls) in seconds", async function () {
    this.timeout(60_000);
    const ids: string[] = [];
    for (let lb = 0; lb < 100; lb++) {
      const backends = Array.from({ length: 10 }, (_, i) => fake.state.addInstance({ InstanceId: `i-burst${lb * 10 + i}` }).InstanceId);
      ids.push(...backends);
      fake.state.addLoadBalancer({ LoadBalancerId: `lb-burst${lb}`, BackendServers: backends.map((ServerId) => ({ ServerId })) });
    }
    const client = sdkClient(fake);
    const started = Date.now();
    await pool(ids, 50, async (id) => {
      const found = await rpc(fake, "SLB", "DescribeLoadBalancers", { RegionId: "cn-hangzhou", ServerId: id }, { client });
      for (const lb of found.LoadBalancers.LoadBalancer as Array<{ LoadBalancerId: string }>) {
        await rpc(fake, "SLB", "SetBackendServers", { LoadBalancerId: lb.LoadBalancerId, BackendServers: JSON.stringify([{ ServerId: id, Weight: "0", Type: "ecs" }]) }, { client });
        await rpc(fake, "SLB", "RemoveBackendServers", { LoadBalancerId: lb.LoadBalancerId, BackendServers: JSON.stringify([{ ServerId: id, Type: "ecs" }]) }, { client });
      }
      await rpc(fake, "ECS", "DescribeInstances", { InstanceIds: JSON.stringify([id]) }, { client });
    });
    const elapsed = Date.now() - started;
    assert.equal(fake.callLog.count(), 4000);
    assert.equal(fake.calls().filter((c) => c.outcome.status !== 200).length, 0);
    assert.equal([...fake.state.loadBalancers.values()].reduce((n, lb) => n + lb.BackendServers.length, 0), 0, "every backend removed");
    assert.equal(fake.state.lbsByServer.size, 0);
    assert.ok(elapsed < 30_000, `burst took ${elapsed} ms`);
  });
});
