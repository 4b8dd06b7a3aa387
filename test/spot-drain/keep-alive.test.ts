// Connection reuse (issue 14 item 4): the cloud adapters keep connections
// open across calls and across invocations of a warm instance (module-level
// keep-alive agents), counted as TCP connections a loopback server accepts.
import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { credentialSource } from "../../handlers/cloud/credentials";
import { AGENTS, httpRequest } from "../../handlers/cloud/http";
import { OpenApiCloud } from "../../handlers/cloud/openapi";
import { ECS } from "../../handlers/core/apis";
import { deadlineAt } from "../../handlers/core/ports";

describe("keep-alive connections across calls and invocations", () => {
  let server: Server;
  let connections = 0;
  let requests = 0;
  let url = "";
  before(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ RequestId: `r-${requests}`, Instances: { Instance: [] } }));
      });
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    connections = 0;
    requests = 0;
  });

  it("the REST adapters' requests (OSS, MNS) share one connection through the module's agent", async () => {
    for (let i = 0; i < 6; i++) {
      const res = await httpRequest(`${url}/object-${i}`, { method: "GET", headers: {}, timeoutMs: 5_000 });
      assert.equal(res.status, 200);
    }
    assert.equal(requests, 6);
    assert.equal(connections, 1, "six requests, one TCP connection");
    assert.equal(Object.values(AGENTS.http.freeSockets).flat().length, 1, "kept open in the module's agent for the next invocation");
  });

  it("RPC calls of two invocations (two adapters, as fc-entry builds one per invocation) share one connection", async () => {
    const env = { ALIBABA_CLOUD_ENDPOINT_ECS: url };
    const credentials = credentialSource({ accessKeyId: "AK", accessKeySecret: "secret" });
    const retry = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
    for (let invocation = 0; invocation < 2; invocation++) {
      const cloud = new OpenApiCloud({ env, credentials, retry, deadline: deadlineAt(Date.now() + 30_000), callTimeoutMs: 5_000 });
      for (let i = 0; i < 3; i++) {
        const body = await cloud.call({ api: ECS.describeInstances, regionId: "cn-hangzhou", params: { RegionId: "cn-hangzhou" } });
        assert.match(String(body.RequestId), /^r-\d+$/);
      }
    }
    assert.equal(requests, 6);
    assert.equal(connections, 1, "six calls in two invocations, one TCP connection");
  });
});
