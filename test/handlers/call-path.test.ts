// The path of a spot event's instance id from the FC entry to the SLB call:
// the stack of handler files at the moment the request reaches the cloud
// adapter, each file once (no file re-entered), in the order a reader follows it.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { endpointEnv, startFakeCloud, type FakeCloud } from "../../local-cloud";
import { OpenApiCloud } from "../../handlers/cloud/openapi";
import type { ApiCall } from "../../handlers/core/ports";
import { createHandler } from "../../handlers/entries/spot-drain";
import { makeEvent } from "./doubles/harness";
import { withEnv } from "./doubles/bundled";

/** Handler source files on a stack, outermost first, consecutive frames of one file merged. */
function handlerFiles(stack: string): string[] {
  const files = stack
    .split("\n")
    .map((line) => /\/handlers\/([\w/-]+\.ts):\d+:\d+/.exec(line)?.[1])
    .filter((f): f is string => f !== undefined)
    .reverse();
  return files.filter((f, i) => f !== files[i - 1]);
}

describe("call path of a spot event's instance id", function () {
  this.timeout(30_000);
  let fake: FakeCloud;
  const seen = new Map<string, { stack: string; call: ApiCall }>();
  const original = OpenApiCloud.prototype.call;

  before(async () => {
    fake = await startFakeCloud();
    fake.state.addTopic("alerts");
    Error.stackTraceLimit = 100;
    // A spy at the adapter's door: where the call leaves the handler code for the RPC client.
    OpenApiCloud.prototype.call = function (this: OpenApiCloud, call: ApiCall) {
      if (!seen.has(call.api.action)) seen.set(call.api.action, { stack: new Error().stack ?? "", call });
      return original.call(this, call);
    };
  });
  after(async () => {
    OpenApiCloud.prototype.call = original;
    Error.stackTraceLimit = 10;
    await fake.close();
  });

  it("from the FC entry to SetBackendServers passes through each file once", async () => {
    const s = fake.state;
    s.addInstance({ InstanceId: "i-spot", Tags: { "event-ops": "managed" } });
    s.addInstance({ InstanceId: "i-peer", Tags: { "event-ops": "managed" } });
    const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: "i-spot", Weight: 100 }, { ServerId: "i-peer", Weight: 100 }] });
    const env = { ...endpointEnv(fake), SCOPE_TAG_KEY: "event-ops", SCOPE_TAG_VALUE: "managed", DRAIN_WAIT_SECONDS: "0", IDEMPOTENCY_BUCKET: "markers", DEAD_LETTER_QUEUE: "dlq", ALERT_TOPIC: "alerts" };
    const body = Buffer.from(JSON.stringify(makeEvent("Instance:PreemptibleInstanceInterruption", "i-spot")));
    const out = await withEnv(env, () => createHandler()(body, { requestId: randomUUID(), function: { timeout: 60 }, region: "cn-hangzhou", accountId: fake.state.accountId }));
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(s.getLoadBalancer(lb.LoadBalancerId)!.BackendServers.map((b) => b.ServerId), ["i-peer"], "drained and removed");

    const drain = seen.get("SetBackendServers");
    assert.ok(drain, "SetBackendServers was called");
    assert.deepEqual(JSON.parse(String(drain.call.params.BackendServers)).map((b: { ServerId: string; Weight: string }) => [b.ServerId, b.Weight]), [["i-spot", "0"]]);
    const path = handlerFiles(drain.stack);
    assert.deepEqual(path, ["runtime/fc-entry.ts", "runtime/invoke.ts", "spot-drain/handler.ts", "core/concurrency.ts", "lb/drain.ts", "lb/clb.ts", "core/gateway.ts", "runtime/resumable-cloud.ts", "core/timings.ts"]);
    assert.equal(new Set(path).size, path.length, `a file is re-entered: ${path.join(" → ")}`);

    // CLB discovery scans (CLB_DISCOVERY=all by default); the first call that carries the id, ALB's ServerIds query, is as direct.
    const scan = seen.get("DescribeLoadBalancers")!;
    assert.equal(scan.call.params.ServerId, undefined);
    assert.deepEqual(handlerFiles(scan.stack), ["runtime/fc-entry.ts", "runtime/invoke.ts", "spot-drain/handler.ts", "lb/discovery.ts", "core/gateway.ts", "runtime/resumable-cloud.ts", "core/timings.ts"]);
    const discovery = seen.get("ListServerGroupServers")!;
    assert.deepEqual(discovery.call.params.ServerIds, ["i-spot"]);
    assert.deepEqual(handlerFiles(discovery.stack), ["runtime/fc-entry.ts", "runtime/invoke.ts", "spot-drain/handler.ts", "lb/discovery.ts", "lb/alb.ts", "core/gateway.ts", "runtime/resumable-cloud.ts", "core/timings.ts"]);
  });
});
