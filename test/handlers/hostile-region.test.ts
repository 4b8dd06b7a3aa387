// Issue 12 R1: an event's regionId picked the API host, so `x@127.0.0.1:PORT/#` sent signed requests with
// the function's STS token to PORT. The bundled handlers run here with only OSS and MNS pointed at the
// local cloud (the dead-letter path); ECS, SLB, ALB, ESS and CMS keep their public defaults, which is
// where a region id would become a host. A second listener on loopback counts every connection it gets.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as net from "node:net";
import { decodeDeadLetter } from "../../handlers/cloud/mns-dead-letter";
import { startFakeCloud, type FakeCloud } from "../../local-cloud";
import { ensureBundles, loadBundledHandler, withEnv, type FcHandler } from "./doubles/bundled";
import { makeEvent } from "./doubles/harness";

const HANDLERS = ["spot-drain", "instance-cleanup", "maintenance", "expiry", "state-record"] as const;
const DLQ = "event-ops-dlq";

describe("a hostile regionId reaches no host but the configured endpoints", function () {
  this.timeout(60_000);
  let fake: FakeCloud;
  let listener: net.Server;
  let port = 0;
  let connections = 0;
  const handlers = new Map<string, FcHandler>();

  before(async () => {
    await ensureBundles();
    for (const h of HANDLERS) handlers.set(h, loadBundledHandler(h));
    listener = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    port = (listener.address() as net.AddressInfo).port;
  });
  after(async () => new Promise<void>((resolve) => listener.close(() => resolve())));
  beforeEach(async () => {
    fake = await startFakeCloud();
    connections = 0;
  });
  afterEach(async () => fake.close());

  /** Only the data plane the dead letter needs goes to the local cloud; the RPC products keep their public hosts. */
  const env = (extra: Record<string, string> = {}) => ({
    ALIBABA_CLOUD_ENDPOINT_OSS: fake.url,
    ALIBABA_CLOUD_ENDPOINT_MNS: fake.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: fake.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: fake.accessKeySecret,
    SCOPE_TAG_KEY: "event-ops",
    SCOPE_TAG_VALUE: "managed",
    IDEMPOTENCY_BUCKET: "event-ops-markers",
    DEAD_LETTER_QUEUE: DLQ,
    GROUP_POLICIES: JSON.stringify({ tagKey: "app", groups: {} }),
    API_MAX_ATTEMPTS: "1",
    API_CALL_TIMEOUT_MS: "1000",
    ...extra,
  });
  const run = (handler: string, body: unknown, extra: Record<string, string> = {}) =>
    withEnv(env(extra), () => handlers.get(handler)!(Buffer.from(JSON.stringify(body)), { requestId: randomUUID(), function: { name: handler, timeout: 60 }, region: "cn-hangzhou", accountId: "1234567890123456" }));
  const kept = () => (fake.state.getQueue(DLQ)?.Messages ?? []).map((m) => decodeDeadLetter(m.MessageBody));

  const events = () => ({
    "spot-drain": makeEvent("Instance:PreemptibleInstanceInterruption", "i-bp1victim", { action: "delete" }),
    "instance-cleanup": makeEvent("Instance:StateChange", "i-bp1victim", { resourceId: "i-bp1victim", state: "Deleted" }),
    maintenance: makeEvent("Instance:SystemMaintenance.Reboot:Scheduled", "i-bp1victim", { eventId: "e-bp1", eventType: "SystemMaintenance.Reboot", eventStatus: "Scheduled", notBefore: "2026-11-23T18:00:00Z" }),
    expiry: makeEvent("Instance:InstanceExpiration.Delete:Scheduled", "i-bp1victim", { eventType: "InstanceExpiration.Delete", eventStatus: "Scheduled" }),
    "state-record": makeEvent("Instance:SystemFailure.Reboot:Executing", "i-bp1victim", { eventType: "SystemFailure.Reboot", eventStatus: "Executing" }),
  });
  const hostile = (p: number) => [`x@127.0.0.1:${p}/#`, `127.0.0.1:${p}`, `cn-hangzhou@127.0.0.1:${p}`, `cn-hangzhou.127.0.0.1.nip.io:${p}/`, "cn-shanghai"];

  for (const handler of HANDLERS) {
    it(`${handler}: every hostile or foreign regionId is rejected with its reason, kept in the DLQ, and nothing connects to the listener`, async () => {
      const regions = hostile(port);
      for (const regionId of regions) {
        const event = { ...events()[handler], regionId };
        const out = await run(handler, event);
        assert.equal(out.outcome, "rejected", `${regionId}: ${out.outcome} ${out.reason}`);
        assert.match(out.reason!, /regionId: /);
      }
      // The ARN's region is checked too (it names where the instance is).
      const arn = { ...events()[handler], resourceId: `acs:ecs:x@127.0.0.1:${port}/#:1234567890123456:instance/i-bp1victim` };
      assert.equal((await run(handler, arn)).outcome, "rejected");
      assert.equal(connections, 0, "no connection reached the listener");
      assert.deepEqual(fake.callLog.calls().filter((c) => c.product !== "MNS").map((c) => `${c.product}:${c.action}`), [], "no cloud call but the dead letters");
      assert.equal(kept().length, regions.length + 1, "each body reached the DLQ");
      assert.ok(kept().every((k) => k.reason.startsWith("rejected: invalid event: ")));
    });
  }

  it("the listener does count connections: an endpoint pointed at it on purpose reaches it (so the zero above can fail)", async () => {
    const out = await run("spot-drain", events()["spot-drain"], { ALIBABA_CLOUD_ENDPOINT_ECS: `http://127.0.0.1:${port}` });
    assert.equal(out.outcome, "failed");
    assert.ok(connections > 0);
  });
});
