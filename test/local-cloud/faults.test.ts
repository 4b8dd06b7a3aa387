import { strict as assert } from "node:assert";
import { oss, rpc, rpcError, xmlTag } from "./clients";
import { startFakeCloud, type FakeCloud } from "../../local-cloud";

describe("fake cloud: fault injection and the call log", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
    fake.state.addLoadBalancer({ LoadBalancerId: "lb-1", BackendServers: [{ ServerId: "i-a" }] });
  });
  afterEach(() => fake.close());

  const remove = () => rpc(fake, "SLB", "RemoveBackendServers", { LoadBalancerId: "lb-1", BackendServers: '["i-a"]' });

  it("throttles the next N calls of one action with Throttling.User (400), then lets them through", async () => {
    fake.faults.throttle("RemoveBackendServers", 2);
    for (let i = 0; i < 2; i++) {
      const e = await rpcError(fake, "SLB", "RemoveBackendServers", { LoadBalancerId: "lb-1", BackendServers: '["i-a"]' });
      assert.equal(e.code, "Throttling.User");
      assert.equal(e.data?.statusCode, 400);
    }
    assert.equal(fake.state.getLoadBalancer("lb-1")!.BackendServers.length, 1, "throttled calls change nothing");
    await rpc(fake, "SLB", "DescribeLoadBalancers", {}); // other actions are not affected
    await remove();
    assert.equal(fake.state.getLoadBalancer("lb-1")!.BackendServers.length, 0);
    assert.deepEqual(fake.calls("RemoveBackendServers").map((c) => [c.product, c.outcome.status, c.outcome.code ?? "ok"]), [
      ["SLB", 400, "Throttling.User"],
      ["SLB", 400, "Throttling.User"],
      ["SLB", 200, "ok"],
    ]);
    assert.equal(fake.calls("RemoveBackendServers")[2].params.LoadBalancerId, "lb-1");
  });

  it("fails calls with 5xx (ServiceUnavailable by default, or any code) for any action", async () => {
    fake.faults.fail("*", 1).fail("DescribeLoadBalancers", 1, { status: 500, code: "InternalError" });
    const first = await rpcError(fake, "SLB", "DescribeLoadBalancerAttribute", { LoadBalancerId: "lb-1" });
    assert.equal(first.code, "ServiceUnavailable");
    assert.equal(first.data?.statusCode, 503);
    const second = await rpcError(fake, "SLB", "DescribeLoadBalancers", {});
    assert.equal(second.code, "InternalError");
    assert.equal((await rpc(fake, "SLB", "DescribeLoadBalancers", {})).TotalCount, 1);
  });

  it("fails only the N-th call, or every call until cleared", async () => {
    fake.faults.failNth("DescribeLoadBalancers", 3, { status: 400, code: "Throttling.Api" });
    await rpc(fake, "SLB", "DescribeLoadBalancers", {});
    await rpc(fake, "SLB", "DescribeLoadBalancers", {});
    assert.equal((await rpcError(fake, "SLB", "DescribeLoadBalancers", {})).code, "Throttling.Api");
    await rpc(fake, "SLB", "DescribeLoadBalancers", {});

    fake.faults.failAlways("RemoveBackendServers", { status: 503, code: "ServiceUnavailable" });
    for (let i = 0; i < 3; i++) assert.equal((await rpcError(fake, "SLB", "RemoveBackendServers", { LoadBalancerId: "lb-1", BackendServers: '["i-a"]' })).code, "ServiceUnavailable");
    fake.faults.clear("RemoveBackendServers");
    await remove();
    assert.deepEqual(fake.callLog.succeeded("RemoveBackendServers").length, 1);
  });

  it("delays replies so that a client timeout fires", async () => {
    fake.faults.delay("DescribeLoadBalancers", 300, 1);
    const started = Date.now();
    await assert.rejects(rpc(fake, "SLB", "DescribeLoadBalancers", {}, { readTimeout: 100 }), (e: Error) => /timeout/i.test(`${e.name} ${e.message}`));
    assert.ok(Date.now() - started < 290, "the client gave up before the reply");
    const again = await rpc(fake, "SLB", "DescribeLoadBalancers", {}, { readTimeout: 1000 });
    assert.equal(again.TotalCount, 1);
  });

  it("injects faults into OSS as XML errors", async () => {
    fake.faults.fail("PutObject", 1, { status: 503, code: "ServiceUnavailable" });
    const res = await oss(fake, "PUT", "bucket", "k", { body: "{}" });
    assert.equal(res.status, 503);
    assert.equal(xmlTag(res.body, "Code"), "ServiceUnavailable");
    assert.equal(fake.state.getObject("bucket", "k"), undefined);
    assert.equal((await oss(fake, "PUT", "bucket", "k", { body: "{}" })).status, 200);
  });
});
