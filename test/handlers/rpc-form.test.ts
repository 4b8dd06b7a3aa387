// Server lists travel in the form body as the SDK sends them (cloud/openapi.ts splitForm):
// a 200-server ALB removal with long ids fits no URL the HTTP parser takes.
import { strict as assert } from "node:assert";
import { credentialSource } from "../../handlers/cloud/credentials";
import { OpenApiCloud, splitForm } from "../../handlers/cloud/openapi";
import { ALB } from "../../handlers/core/apis";
import { deadlineAt } from "../../handlers/core/ports";
import { endpointEnv, startFakeCloud, type FakeCloud } from "../../local-cloud";

describe("RPC requests: server lists in the form body", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
  });
  afterEach(() => fake.close());

  it("splits Servers.N.* into the body and keeps the rest in the query", () => {
    assert.deepEqual(splitForm({ ServerGroupId: "sgp-1", "Servers.1.ServerId": "i-1", "Servers.1.Port": "80" }), { query: { ServerGroupId: "sgp-1" }, body: { "Servers.1.ServerId": "i-1", "Servers.1.Port": "80" } });
    assert.deepEqual(splitForm({ LoadBalancerId: "lb-1", BackendServers: "[]" }), { query: { LoadBalancerId: "lb-1", BackendServers: "[]" } });
  });

  it("removes 200 servers with long ids from an ALB group in one signed call", async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `i-bp1averylonginstanceid${String(i).padStart(5, "0")}`);
    fake.state.addAlbServerGroup({ ServerGroupId: "sgp-long", Servers: [...ids, "i-keep"].map((ServerId) => ({ ServerId, Port: 80, Weight: 100 })) });
    const deadline = deadlineAt(Date.now() + 30_000);
    const cloud = new OpenApiCloud({ env: endpointEnv(fake), credentials: credentialSource({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret }), retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 }, deadline, callTimeoutMs: 10_000 });
    const params = { ServerGroupId: "sgp-long", Servers: ids.map((ServerId) => ({ ServerId, ServerType: "Ecs", Port: 80 })) };
    const out = await cloud.call({ api: ALB.removeServersFromServerGroup, regionId: "cn-hangzhou", params });
    assert.ok(out.JobId);
    fake.state.settleAlbJobs();
    assert.deepEqual(fake.state.albServerGroups.get("sgp-long")!.Servers.map((s) => s.ServerId), ["i-keep"]);
    assert.equal(fake.calls("RemoveServersFromServerGroup")[0].params["Servers.200.ServerId"], ids[199]);
  });
});
