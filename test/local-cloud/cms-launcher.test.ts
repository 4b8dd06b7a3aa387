import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { rawRequest, rpc, rpcError } from "./clients";
import { endpointEnv, startFakeCloud, type CmsSystemEvent, type FakeCloud } from "../../local-cloud";

describe("fake cloud: CMS", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
  });
  afterEach(() => fake.close());

  it("records PutCustomEvent (EventInfo.N.*) and answers Code 200", async () => {
    const res = await rpc(fake, "CMS", "PutCustomEvent", {
      EventInfo: [
        { EventName: "drain-done", Content: '{"instanceId":"i-a"}', GroupId: "176", Time: "20261120T101500.000+0800" },
        { EventName: "drain-failed", Content: "{}" },
      ],
    });
    assert.equal(res.Code, "200");
    assert.deepEqual(fake.state.customEvents.map((e) => [e.EventName, e.GroupId, e.Content]), [
      ["drain-done", "176", '{"instanceId":"i-a"}'],
      ["drain-failed", undefined, "{}"],
    ]);
    assert.equal((await rpcError(fake, "CMS", "PutCustomEvent", { EventInfo: [{ EventName: "x" }] })).code, "MissingParameter");
  });

  it("delivers SendDryRunSystemEvent to system-event subscribers", async () => {
    const got: CmsSystemEvent[] = [];
    fake.onSystemEvent((e) => got.push(e));
    await rpc(fake, "CMS", "SendDryRunSystemEvent", { Product: "ECS", EventName: "Instance:PreemptibleInstanceInterruption", EventContent: JSON.stringify({ instanceId: "i-dry", action: "delete" }) });
    assert.equal(got.length, 1);
    assert.equal(got[0].name, "Instance:PreemptibleInstanceInterruption");
    assert.deepEqual(got[0].content, { instanceId: "i-dry", action: "delete" });
  });

  it("endpointEnv points every product at the fake, with its keys", () => {
    const env = endpointEnv(fake);
    for (const p of ["ECS", "SLB", "ALB", "ESS", "CMS", "OSS", "MNS"]) assert.equal(env[`ALIBABA_CLOUD_ENDPOINT_${p}`], fake.url);
    assert.equal(env.ALIBABA_CLOUD_ACCESS_KEY_ID, fake.accessKeyId);
    assert.equal(env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, fake.accessKeySecret);
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("fake cloud: standalone launcher", () => {
  it("serve.ts prints the URL and answers signed calls", async function () {
    this.timeout(30_000);
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", resolve(__dirname, "../../local-cloud/serve.ts"), "--seed"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const line = out.split("\n")[0];
          if (out.includes("\n")) ok(line.trim());
        });
        child.on("exit", (code) => fail(new Error(`serve.ts exited with ${code}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(new URL(url).port);
      // Reuse the test client against the launched process (same default keys).
      const probe = { endpoint: `127.0.0.1:${port}`, url, accessKeyId: "fake-access-key-id", accessKeySecret: "fake-access-key-secret" } as unknown as FakeCloud;
      const body = await rpc(probe, "ECS", "DescribeInstances", { Tag: [{ Key: "app", Value: "web" }] });
      assert.equal(body.TotalCount, 2);
      assert.equal((await rawRequest(probe, "GET", "/", {})).status, 400);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
