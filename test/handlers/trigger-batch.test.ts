// A queue-trigger batch through the runtime (handlers/runtime/trigger-batch.ts):
// each message decoded as one event, a malformed one rejected and
// dead-lettered alone with its own bytes, the rest drained together by
// spot-drain's runBatch, or run one by one for a handler without one; one
// outcome per message, in batch order.
import { strict as assert } from "node:assert";
import { spotDrain } from "../../handlers/spot-drain/handler";
import { stateRecord } from "../../handlers/state-record/handler";
import { MAX_BATCH_MESSAGES, triggerBatchOf } from "../../handlers/runtime/trigger-batch";
import { fakeCloudRun, type FakeRun } from "./doubles/fake-cloud-run";
import { IN_SCOPE, makeEvent } from "./doubles/harness";
import { placesOf } from "./doubles/places";

const SPOT = "Instance:PreemptibleInstanceInterruption";

/** A CloudEvent as the FC MNS-queue trigger sends it (FC doc "Trigger event formats"). */
const cloudEvent = (messageBody: string, messageId: string) => ({
  id: `ce-${messageId}`,
  source: "MNS-spot-drain-trigger",
  specversion: "1.0",
  type: "mns:Queue:SendMessage",
  datacontenttype: "application/json; charset=utf-8",
  subject: "acs:mns:cn-hangzhou:1234567890123456:queues/spot-events",
  time: "2026-11-21T00:30:00.000Z",
  aliyunaccountid: "1234567890123456",
  data: { requestId: "606EA3074344430D4C81AAAA", messageId, messageBody },
});

describe("queue-trigger batches in the runtime", function () {
  this.timeout(60_000);
  let run: FakeRun;
  beforeEach(async () => {
    run = await fakeCloudRun();
  });
  afterEach(() => run.close());

  function seed(ids: string[]) {
    const s = run.fake.state;
    for (const id of [...ids, "i-keep"]) s.addInstance({ InstanceId: id, Tags: IN_SCOPE });
    s.addLoadBalancer({ LoadBalancerId: "lb-t", BackendServers: [...ids, "i-keep"].map((ServerId) => ({ ServerId, Weight: 100 })) });
  }

  it("drains the valid messages together and rejects a malformed one alone, dead-lettered with its own bytes", async () => {
    const ids = ["i-t1", "i-t2", "i-t3"];
    seed(ids);
    const bad = '{"product":"ECS","name":"Instance:PreemptibleInstanceInterruption",';
    const body = [cloudEvent(JSON.stringify(makeEvent(SPOT, ids[0], { action: "delete" })), "m0"), cloudEvent(bad, "m1"), { hello: "not a CloudEvent" }, cloudEvent(JSON.stringify(makeEvent(SPOT, ids[1], { action: "delete" })), "m3"), cloudEvent(Buffer.from(JSON.stringify(makeEvent(SPOT, ids[2], { action: "delete" }))).toString("base64"), "m4")];
    const out = await run.invoke(spotDrain, body, { DRAIN_WAIT_SECONDS: "5" });
    assert.equal(out.name, "trigger-batch");
    assert.deepEqual(out.results!.map((r) => [r.index, r.messageId, r.outcome.outcome]), [
      [0, "m0", "acted"],
      [1, "m1", "rejected"],
      [2, undefined, "rejected"],
      [3, "m3", "acted"],
      [4, "m4", "acted"],
    ]);
    assert.equal(out.outcome, "acted");
    assert.match(out.reason!, /5 message\(s\): acted 3, rejected 2/);
    // Drained together: one weight change and one removal on the shared CLB, the neighbour untouched.
    for (const id of ids) assert.deepEqual(placesOf(run.fake, id), [], id);
    assert.deepEqual(placesOf(run.fake, "i-keep"), ["clb:lb-t=100"]);
    assert.equal(run.fake.callLog.succeeded("SetBackendServers").length, 1);
    assert.equal(run.fake.callLog.succeeded("RemoveBackendServers").length, 1);
    // The two rejected messages are in the dead-letter queue, each with its own body and reason.
    assert.deepEqual(run.dlq.records.map((r) => Buffer.from(r.bodyBase64, "base64").toString("utf8")), [bad, JSON.stringify({ hello: "not a CloudEvent" })]);
    assert.match(run.dlq.records[0].reason, /^rejected: message 1: /);
    assert.match(run.dlq.records[1].reason, /message 2: CloudEvent type undefined/);
  });

  it("runs each message through the single-event path for a handler without runBatch", async () => {
    const body = ["i-r1", "i-r2"].map((id, i) => cloudEvent(JSON.stringify(makeEvent("Instance:StateChange", id, { state: "Running" })), `r${i}`));
    const out = await run.invoke(stateRecord, body);
    assert.deepEqual(out.results!.map((r) => [r.messageId, r.outcome.outcome, r.outcome.instanceId]), [
      ["r0", "acted", "i-r1"],
      ["r1", "acted", "i-r2"],
    ]);
    assert.equal(run.dlq.records.length, 0);
  });

  it("a batch that cannot be taken apart is rejected whole, with the reason; a CMS event or a tick is not a batch", async () => {
    assert.equal(triggerBatchOf(Buffer.from(JSON.stringify(makeEvent(SPOT, "i-x")))), undefined);
    assert.deepEqual(triggerBatchOf(Buffer.from("[]")), { error: "trigger batch is empty" });
    assert.match((triggerBatchOf(Buffer.from(JSON.stringify(Array(MAX_BATCH_MESSAGES + 1).fill(0)))) as { error: string }).error, /at most 10000/);
    assert.match((triggerBatchOf(Buffer.from("[".repeat(40) + "]".repeat(40))) as { error: string }).error, /nested deeper/);
    assert.match((triggerBatchOf(Buffer.from("[oops")) as { error: string }).error, /trigger batch is not JSON/);
    const out = await run.invoke(spotDrain, []);
    assert.equal(out.outcome, "rejected");
    assert.equal(run.dlq.records.length, 1);
    assert.equal(run.dlq.records[0].reason, "rejected: trigger batch is empty");
    assert.equal(Buffer.from(run.dlq.records[0].bodyBase64, "base64").toString(), "[]");
  });
});
