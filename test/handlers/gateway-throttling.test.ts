// A mutation still throttled after the adapter's own retries waits in the
// gateway, shorter than a busy answer, within the deadline (core/gateway.ts
// isThrottled, THROTTLE_BACKOFF).
import { strict as assert } from "node:assert";
import { ALB, SLB } from "../../handlers/core/apis";
import { CloudGateway, isThrottled } from "../../handlers/core/gateway";
import { deadlineAt, type ApiCall, type CloudApi } from "../../handlers/core/ports";

const throttled = () => Object.assign(new Error("Request was denied due to user flow control."), { code: "Throttling.User", statusCode: 400 });

describe("gateway: throttled mutations", () => {
  function gateway(answers: Array<Error | undefined>, budgetMs = 60_000) {
    let now = 0;
    const slept: number[] = [];
    const calls: ApiCall[] = [];
    const api: CloudApi = {
      call: async (c) => {
        calls.push(c);
        const a = answers.shift();
        if (a) throw a;
        return { RequestId: "ok" };
      },
    };
    const clock = { sleep: async (ms: number) => void (slept.push(ms), (now += ms)) };
    const g = new CloudGateway(api, { dryRun: false, eventKey: "e", regionId: "cn-hangzhou", pacing: { clock, deadline: deadlineAt(budgetMs, () => now), random: () => 0.5 } });
    return { g, slept, calls };
  }

  it("sends the same call again after a backoff until the quota lets it through", async () => {
    const { g, slept, calls } = gateway([throttled(), throttled(), throttled(), throttled(), undefined]);
    await g.mutate(SLB.setBackendServers, { LoadBalancerId: "lb-1", BackendServers: "[]" }, "lb-1");
    assert.equal(calls.length, 5);
    assert.deepEqual(calls.map((c) => c.params), Array(5).fill({ LoadBalancerId: "lb-1", BackendServers: "[]" }));
    assert.deepEqual(slept, [375, 750, 1500, 1500], "0.5 s, 1 s, 2 s, then 2 s at most: equal jitter at 0.5");
  });

  it("waits less for a throttled call than for a busy one: the quota refills while callers sleep", async () => {
    const busy = Object.assign(new Error("The specified resource is being configured."), { code: "IncorrectStatus.ServerGroup", statusCode: 400 });
    const t = gateway([throttled(), undefined]);
    await t.g.mutate(SLB.setBackendServers, { LoadBalancerId: "lb-1", BackendServers: "[]" }, "lb-1");
    const b = gateway([busy, undefined]);
    await b.g.mutate(ALB.updateServerGroupServersAttribute, { ServerGroupId: "sgp-1", Servers: [] }, "sgp-1");
    assert.equal(b.calls.length, 2, "the busy answer was retried");
    assert.ok(t.slept[0] < b.slept[0], `throttled ${t.slept[0]} ms < busy ${b.slept[0]} ms`);
  });

  it("gives up with the throttling error when the deadline leaves no room", async () => {
    const { g, calls } = gateway(Array(50).fill(throttled()), 3_000);
    await assert.rejects(g.mutate(SLB.setBackendServers, { LoadBalancerId: "lb-1", BackendServers: "[]" }, "lb-1"), /flow control/);
    assert.ok(calls.length >= 2 && calls.length < 50);
  });

  it("knows the documented throttling codes and nothing else", () => {
    for (const code of ["Throttling", "Throttling.User", "Throttling.Api"]) assert.ok(isThrottled({ code }), code);
    for (const code of ["ServiceUnavailable", "InvalidParameter", undefined]) assert.ok(!isThrottled({ code }), String(code));
  });
});
