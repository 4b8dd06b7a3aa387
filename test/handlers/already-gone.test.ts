// "Already gone" is an allow-list of exact answers per API; busy answers are
// retried with backoff within the deadline; everything else (auth, region,
// action, signature, a bare 404) is an error that ends the event `failed`.
import { strict as assert } from "node:assert";
import { ALB, ESS, SLB, type ApiAction } from "../../handlers/core/apis";
import { CloudGateway, isAlreadyGone, isBusy } from "../../handlers/core/gateway";
import { deadlineAt, type ApiCall } from "../../handlers/core/ports";
import { spotDrain } from "../../handlers/spot-drain/handler";
import { ApiFault } from "./doubles/memory-cloud";
import { buffer, harness, IN_SCOPE, makeEvent } from "./doubles/harness";

const err = (code: string, statusCode = 400, message = code) => new ApiFault(code, statusCode, message);

/** Codes that say "NotFound" (several with HTTP 404) and mean a broken call, never a finished one (common RPC error codes). */
const BROKEN_CALLS: [string, number][] = [
  ["InvalidAccessKeyId.NotFound", 404],
  ["InvalidAccessKeyId.Inactive", 400],
  ["SignatureDoesNotMatch", 400],
  ["IncompleteSignature", 400],
  ["InvalidSecurityToken.Expired", 400],
  ["InvalidRegionId.NotFound", 404],
  ["InvalidRegionId.Malformed", 400],
  ["InvalidAction.NotFound", 404],
  ["InvalidApi.NotFound", 404],
  ["Forbidden.RAM", 403],
  ["Forbidden.NoPermission", 403],
  ["Forbidden.InstanceNotFound", 404],
  ["NotFound", 404],
  ["BackendServer.NotExist", 404],
];

describe("already gone: an allow-list per API", () => {
  const cases: [ApiAction, (ApiFault | Error)[], (ApiFault | Error)[]][] = [
    [SLB.removeBackendServers, [err("InvalidLoadBalancerId.NotFound", 404)], [err("InvalidParameter", 400, "The specified VServerGroupId does not exist.")]],
    [
      SLB.removeVServerGroupBackendServers,
      [err("InvalidLoadBalancerId.NotFound", 404), err("InvalidParameter", 400, "code: 400, The specified VServerGroupId does not exist. request id: R")],
      [err("InvalidParameter", 400, "The specified parameter BackendServers is not valid.")],
    ],
    [SLB.describeVServerGroupAttribute, [err("InvalidParameter", 400, "The specified VServerGroupId does not exist.")], [err("InvalidLoadBalancerId.NotFound", 404)]],
    [ALB.removeServersFromServerGroup, [err("ResourceNotFound.ServerGroup", 404), err("ResourceNotFound.BackendServer", 404), err("resourcenotfound.backendserver", 404)], [err("IncorrectStatus.ServerGroup")]],
    [ALB.updateServerGroupServersAttribute, [err("ResourceNotFound.BackendServer", 404)], [err("ResourceNotFound.Listener", 404)]],
    [ESS.detachInstances, [err("InvalidScalingGroupId.NotFound", 404), err("InvalidInstanceId.NotFound", 404)], [err("IncorrectCapacity.MinSize"), err("ScalingActivityInProgress")]],
  ];
  for (const [api, gone, notGone] of cases) {
    it(`${api.action}: its own answers only`, () => {
      for (const e of gone) assert.ok(isAlreadyGone(api, e), `${api.action} ${(e as ApiFault).code}`);
      for (const e of [...notGone, ...BROKEN_CALLS.map(([code, status]) => err(code, status))]) assert.ok(!isAlreadyGone(api, e), `${api.action} ${(e as ApiFault).code}`);
    });
  }

  it("a 404 status alone, or an error without a code, is never gone", () => {
    assert.ok(!isAlreadyGone(SLB.removeBackendServers, Object.assign(new Error("Not Found"), { statusCode: 404 })));
    assert.ok(!isAlreadyGone(ALB.removeServersFromServerGroup, { statusCode: 404, message: "ResourceNotFound.BackendServer" }));
    assert.ok(!isAlreadyGone(SLB.describeLoadBalancers, err("InvalidLoadBalancerId.NotFound", 404)), "an API without a list has no gone answers");
  });

  it("busy answers: ALB's as terraform-provider-alicloud retries them (plus two accepted defensively), CLB's busy states", () => {
    for (const code of ["IncorrectStatus.ServerGroup", "SystemBusy", "IdempotenceProcessing", "Conflict.Lock", "ResourceInConfiguring"]) assert.ok(isBusy(ALB.updateServerGroupServersAttribute, err(code)), code);
    for (const code of ["ServiceIsConfiguring", "VServerGroupProcessing"]) assert.ok(isBusy(SLB.setVServerGroupAttribute, err(code)), code);
    for (const code of ["Forbidden.RAM", "InvalidParameter", "ResourceNotFound.BackendServer", "Throttling.User"]) assert.ok(!isBusy(ALB.removeServersFromServerGroup, err(code)), code);
    assert.ok(!isBusy(SLB.describeHealthStatus, err("ServiceIsConfiguring")), "reads are not retried for busy codes");
  });
});

describe("the gateway's busy retries", () => {
  function gateway(answers: (() => unknown)[], deadlineMs = 60_000) {
    const calls: ApiCall[] = [];
    const slept: number[] = [];
    let now = 0;
    const api = {
      async call(c: ApiCall) {
        calls.push(c);
        const next = answers.shift()!();
        if (next instanceof Error) throw next;
        return next as Record<string, unknown>;
      },
    };
    const clock = { sleep: async (ms: number) => void (slept.push(ms), (now += ms)) };
    const g = new CloudGateway(api, { dryRun: false, eventKey: "e", regionId: "cn-hangzhou", pacing: { clock, deadline: deadlineAt(deadlineMs, () => now), random: () => 0.5 } });
    return { g, calls, slept };
  }

  it("sends a refused ALB change again with the same ClientToken after growing, jittered waits, and records it once", async () => {
    const busy = () => err("IncorrectStatus.ServerGroup");
    const { g, calls, slept } = gateway([busy, busy, busy, () => ({ JobId: "J" })]);
    const answer = await g.mutate(ALB.updateServerGroupServersAttribute, { ServerGroupId: "sgp-1", Servers: [{ ServerId: "i-1", ServerType: "Ecs", Port: 80, Weight: 0 }] }, "sgp-1/i-1");
    assert.deepEqual(answer, { JobId: "J" });
    assert.equal(calls.length, 4);
    assert.equal(new Set(calls.map((c) => c.params.ClientToken)).size, 1, "one ClientToken for every try");
    assert.deepEqual(slept, [750, 1_500, 3_000], "1 s, 2 s, 4 s ceilings, equal jitter at 0.5");
    assert.equal(g.actions.length, 1);
  });

  it("gives up when the next wait would pass the deadline, and throws the busy answer", async () => {
    const { g, calls, slept } = gateway(Array(10).fill(() => err("SystemBusy")), 5_000);
    await assert.rejects(g.mutate(ALB.removeServersFromServerGroup, { ServerGroupId: "sgp-1", Servers: [] }, "t"), (e: ApiFault) => e.code === "SystemBusy");
    assert.deepEqual(slept, [750, 1_500]);
    assert.equal(calls.length, 3);
  });

  it("ends even on a clock that does not move while it sleeps (a virtual clock nobody advances): the waits are budgeted", async () => {
    const calls: ApiCall[] = [];
    const slept: number[] = [];
    const frozen = { sleep: async (ms: number) => void slept.push(ms) };
    const api = { call: async (c: ApiCall) => (calls.push(c), Promise.reject(err("IncorrectStatus.ServerGroup"))) };
    const g = new CloudGateway(api, { dryRun: false, eventKey: "e", regionId: "r", pacing: { clock: frozen, deadline: deadlineAt(30_000, () => 0), random: () => 1 } });
    await assert.rejects(g.mutate(ALB.updateServerGroupServersAttribute, { ServerGroupId: "sgp-1", Servers: [] }, "t"), /IncorrectStatus/);
    assert.deepEqual(slept, [1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000], "together at most the 29 s that were left");
    assert.equal(calls.length, slept.length + 1);
  });

  it("does not retry an auth error, and does not take it as gone", async () => {
    const { g, calls } = gateway([() => err("InvalidAccessKeyId.NotFound", 404), () => ({})]);
    await assert.rejects(g.mutate(ALB.removeServersFromServerGroup, { ServerGroupId: "sgp-1", Servers: [] }, "t", { tolerateGone: true }), /InvalidAccessKeyId.NotFound/);
    assert.equal(calls.length, 1);
  });
});

describe("broken calls end the event `failed` with a dead letter, never `acted`", () => {
  for (const [code, status] of BROKEN_CALLS) {
    for (const action of ["RemoveServersFromServerGroup", "RemoveBackendServers", "SetVServerGroupAttribute"]) {
      it(`${code} (${status}) on ${action}`, async () => {
        const h = harness(spotDrain);
        h.cloud
          .addInstance("i-1", IN_SCOPE)
          .addClb("lb-1", [{ ServerId: "i-1", Weight: 100 }, { ServerId: "i-2", Weight: 100 }], { "rsp-1": [{ ServerId: "i-1", Port: 80, Weight: 100 }, { ServerId: "i-2", Port: 80, Weight: 100 }] })
          .addAlbGroup("sgp-1", [{ ServerId: "i-1", Port: 80, Weight: 100, ServerType: "Ecs", Status: "Available" }, { ServerId: "i-2", Port: 80, Weight: 100, ServerType: "Ecs", Status: "Available" }]);
        h.cloud.fail(action, () => err(code, status, `${code}: injected`));
        const event = makeEvent("Instance:PreemptibleInstanceInterruption", "i-1");
        const out = await h.invoke(buffer(event));
        assert.equal(out.outcome, "failed", out.reason);
        assert.equal(h.dlq.records.length, 1);
        assert.equal(h.dlq.records[0].error?.code, code);
        assert.deepEqual(JSON.parse(Buffer.from(h.dlq.records[0].bodyBase64, "base64").toString()), event);
        assert.equal(h.store.markers()[0].state, "failed");
        assert.equal(h.cloud.calls.filter((c) => c.api.action === action).length, 1, "sent once, not retried");
      });
    }
  }
});
