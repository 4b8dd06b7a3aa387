// A wrong access key ends `failed`, never `acted`, and nothing is taken as
// "already done" (issue 11, "What it must show"). Against the local cloud,
// which answers an unknown key with each product's documented code: RPC 404
// InvalidAccessKeyId.NotFound (a code that contains "NotFound" and is not
// "gone"), OSS and MNS 403 InvalidAccessKeyId.
//
// On the real cloud one key signs everything, so the dead-letter write fails
// too: the invocation then throws, FC retries it (async invocation), and FC's
// onFailure destination (the DLQ) keeps the event. Tested here: the throw,
// with nothing written, acted or retried in a loop. With a key the APIs do not
// know but OSS and MNS do (a fake-only device), the whole path is visible:
// `failed`, the event in the DLQ, the marker `failed`, a redelivery failing again.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { endpointEnv, startFakeCloud, type FakeCloud } from "../../local-cloud";
import { decodeDeadLetter } from "../../handlers/cloud/mns-dead-letter";
import { createHandler as spotDrain } from "../../handlers/entries/spot-drain";
import { createHandler as instanceCleanup } from "../../handlers/entries/instance-cleanup";
import { withEnv } from "./doubles/bundled";
import { fixture, makeEvent } from "./doubles/harness";

const BUCKET = "eo-markers";
const DLQ = "eo-dlq";
const TAG = { "event-ops": "managed" };
const MUTATIONS = /^(Set|Remove|Add|Update|Detach|Reboot|Redeploy|Renew)/;

describe("a wrong access key", function () {
  this.timeout(30_000);
  let fake: FakeCloud;
  afterEach(() => fake.close());

  async function start(credentials: { accessKeyId: string; accessKeySecret: string; products?: ("OSS" | "MNS")[] }[] = []) {
    fake = await startFakeCloud({ credentials });
    fake.state.addQueue(DLQ);
    fake.state.addBucket(BUCKET);
    const s = fake.state;
    s.addInstance({ InstanceId: "i-victim", Tags: TAG });
    s.addInstance({ InstanceId: "i-peer", Tags: TAG });
    const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: "i-victim", Weight: 100 }, { ServerId: "i-peer", Weight: 100 }] });
    const group = s.addScalingGroup({ MinSize: 0 });
    s.addScalingInstance(group.ScalingGroupId, { InstanceId: "i-gone" });
    const lbGone = s.addLoadBalancer({ BackendServers: [{ ServerId: "i-gone", Weight: 100 }, { ServerId: "i-peer", Weight: 100 }] });
    return { lb, group, lbGone };
  }

  const env = () => {
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: _id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: _secret, ...endpoints } = endpointEnv(fake);
    return { ...endpoints, SCOPE_TAG_KEY: "event-ops", SCOPE_TAG_VALUE: "managed", DRAIN_WAIT_SECONDS: "0", IDEMPOTENCY_BUCKET: BUCKET, DEAD_LETTER_QUEUE: DLQ, RETRY_BASE_DELAY_MS: "5", RETRY_MAX_DELAY_MS: "10" };
  };
  /** One invocation as FC runs it, with the role's credentials in the context. */
  const invoke = (handler: typeof spotDrain, event: unknown, credentials: { accessKeyId: string; accessKeySecret: string }) =>
    withEnv(env(), () => handler()(Buffer.from(JSON.stringify(event)), { requestId: randomUUID(), credentials, function: { name: "f", timeout: 60 }, region: "cn-hangzhou", accountId: fake.state.accountId }));
  const succeeded = () => fake.calls().filter((c) => c.outcome.status < 300);
  const dead = () => (fake.state.getQueue(DLQ)?.Messages ?? []).map((m) => decodeDeadLetter(m.MessageBody));
  const markers = () => [...(fake.state.buckets.get(BUCKET)?.entries() ?? [])].filter(([key]) => !key.includes("/~claims/")).map(([, o]) => JSON.parse(o.body.toString()) as { state: string });
  const backends = (lbId: string) => fake.state.getLoadBalancer(lbId)!.BackendServers.map((b) => [b.ServerId, b.Weight]);

  it("unknown to every product: the invocation throws for FC's retry and onFailure destination; nothing written, acted or retried", async () => {
    const { lb } = await start();
    const wrong = { accessKeyId: "LTAI-not-a-key", accessKeySecret: "whatever" };
    const event = makeEvent("Instance:PreemptibleInstanceInterruption", "i-victim", { action: "delete" });
    for (let attempt = 1; attempt <= 2; attempt++) {
      await assert.rejects(invoke(spotDrain, event, wrong), (e: Error) => /could not keep failed event/.test(e.message) && /mns 403 InvalidAccessKeyId/.test(e.message) && /oss 403 InvalidAccessKeyId/.test(e.message), `attempt ${attempt}`);
    }
    assert.deepEqual(succeeded(), [], "no call was accepted");
    assert.deepEqual(fake.calls().map((c) => [c.action, c.outcome.code]), [
      ["PutObject", "InvalidAccessKeyId"],
      ["SendMessage", "InvalidAccessKeyId"],
      ["PutObject", "InvalidAccessKeyId"],
      ["SendMessage", "InvalidAccessKeyId"],
    ], "an auth error is not retried, and the redelivery is not a duplicate");
    assert.deepEqual(markers(), []);
    assert.deepEqual(dead(), []);
    assert.deepEqual(backends(lb.LoadBalancerId), [["i-victim", 100], ["i-peer", 100]]);
  });

  it("unknown to the APIs only: spot-drain ends `failed` with the event in the DLQ, its marker `failed`; a redelivery fails again", async () => {
    const { lb } = await start([{ accessKeyId: "storage-only", accessKeySecret: "s3cret", products: ["OSS", "MNS"] }]);
    const key = { accessKeyId: "storage-only", accessKeySecret: "s3cret" };
    const event = makeEvent("Instance:PreemptibleInstanceInterruption", "i-victim", { action: "delete" });
    const first = await invoke(spotDrain, event, key);
    assert.equal(first.outcome, "failed", first.reason);
    assert.match(first.reason!, /InvalidAccessKeyId\.NotFound/);
    const [kept] = dead();
    assert.equal(kept.error?.code, "InvalidAccessKeyId.NotFound");
    assert.deepEqual(JSON.parse(Buffer.from(kept.bodyBase64, "base64").toString()), event);
    assert.deepEqual(markers().map((m) => m.state), ["failed"]);

    const again = await invoke(spotDrain, event, key);
    assert.equal(again.outcome, "failed", "a failed marker is taken over, not a duplicate");
    assert.equal(dead().length, 2);
    assert.deepEqual(succeeded().filter((c) => c.product !== "OSS" && c.product !== "MNS"), [], "no API call was accepted");
    assert.deepEqual(backends(lb.LoadBalancerId), [["i-victim", 100], ["i-peer", 100]], "weights and membership untouched");
  });

  it("unknown to the APIs only: instance-cleanup never takes InvalidAccessKeyId.NotFound for 'already gone'", async () => {
    const { group, lbGone } = await start([{ accessKeyId: "storage-only", accessKeySecret: "s3cret", products: ["OSS", "MNS"] }]);
    const raw = fixture("state-change-deleted");
    const event = { ...raw, content: { ...(raw.content as object), resourceId: "i-gone" } };
    const out = await invoke(instanceCleanup, event, { accessKeyId: "storage-only", accessKeySecret: "s3cret" });
    assert.equal(out.outcome, "failed", out.reason);
    assert.notEqual(out.outcome, "acted");
    assert.equal(dead().length, 1);
    assert.equal(dead()[0].error?.code, "InvalidAccessKeyId.NotFound");
    assert.deepEqual(succeeded().filter((c) => MUTATIONS.test(c.action)), []);
    assert.deepEqual([...fake.state.getScalingGroup(group.ScalingGroupId)!.Instances.keys()], ["i-gone"]);
    assert.deepEqual(backends(lbGone.LoadBalancerId), [["i-gone", 100], ["i-peer", 100]]);
  });
});
