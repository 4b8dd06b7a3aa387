import { strict as assert } from "node:assert";
import { QueueTrigger, startFakeCloud, type FakeCloud, type MnsCloudEvent } from "../../local-cloud";

const settle = () => new Promise((r) => setImmediate(r));

describe("fake cloud: the FC MNS-queue trigger (event streaming with batches)", () => {
  let fake: FakeCloud;
  const batches: MnsCloudEvent[][] = [];
  let fail = 0;
  beforeEach(async () => {
    fake = await startFakeCloud();
    fake.state.addQueue("events");
    fake.state.addQueue("events-dlq");
    batches.length = 0;
    fail = 0;
  });
  afterEach(() => fake.close());

  const trigger = (o: { count: number; seconds: number }) =>
    new QueueTrigger(fake, {
      queue: "events",
      countBasedWindow: o.count,
      timeBasedWindowSeconds: o.seconds,
      deadLetterQueue: "events-dlq",
      invoke: async (events) => {
        batches.push(events);
        if (fail-- > 0) throw new Error("function failed");
      },
    }, () => 0.5);

  it("pushes a batch when CountBasedWindow messages wait, else when TimeBasedWindow has passed; CloudEvents carry each body", async () => {
    const t = trigger({ count: 3, seconds: 5 });
    for (const b of ["a", "b", "c", "d"]) fake.mns.send("events", JSON.stringify({ b }));
    await settle();
    await settle();
    assert.deepEqual(batches.map((x) => x.map((e) => JSON.parse(e.data.messageBody).b)), [["a", "b", "c"]], "full batch at once, the fourth waits");
    fake.advance(4_999);
    await settle();
    assert.equal(batches.length, 1);
    fake.advance(1);
    await settle();
    await settle();
    assert.deepEqual(batches.map((x) => x.length), [3, 1]);
    const e = batches[0][0];
    assert.equal(e.type, "mns:Queue:SendMessage");
    assert.equal(e.subject, `acs:mns:${fake.state.defaultRegion}:${fake.state.accountId}:queues/events`);
    assert.match(e.data.messageId, /^[0-9A-F]{32}$/);
    assert.equal(fake.state.getQueue("events")!.Messages.length, 0, "delivered messages are gone from the queue");
    assert.ok(t.idle);
    assert.deepEqual(t.stats.batchSizes, [3, 1]);
  });

  it("decodes a base64 body (IsBase64Decode) and leaves JSON as it is", async () => {
    trigger({ count: 2, seconds: 0 });
    fake.mns.send("events", Buffer.from('{"x":1}').toString("base64"));
    fake.mns.send("events", '{"x":2}');
    await settle();
    await settle();
    assert.deepEqual(batches.flat().map((e) => e.data.messageBody), ['{"x":1}', '{"x":2}']);
  });

  it("retries a failed batch 3 times 10-20 s apart (BACKOFF_RETRY), then dead-letters its events", async () => {
    fail = 10;
    const t = trigger({ count: 1, seconds: 0 });
    fake.mns.send("events", '{"n":1}');
    await settle();
    await settle();
    assert.equal(batches.length, 1);
    for (let retry = 1; retry <= 3; retry++) {
      fake.advance(14_999); // random 0.5 → 15 s
      await settle();
      assert.equal(batches.length, retry, `retry ${retry} not before its wait`);
      fake.advance(1);
      await settle();
      await settle();
      assert.equal(batches.length, retry + 1);
    }
    await settle();
    assert.equal(t.stats.deadLettered, 1);
    const dlq = fake.state.getQueue("events-dlq")!.Messages;
    assert.equal(dlq.length, 1);
    assert.equal(JSON.parse(dlq[0].MessageBody).data.messageBody, '{"n":1}');
    assert.equal(fake.state.getQueue("events")!.Messages.length, 0);
  });

  it("refuses windows outside the documented bounds", () => {
    assert.throws(() => trigger({ count: 0, seconds: 1 }), /CountBasedWindow must be a whole number from 1 to 10000/);
    assert.throws(() => trigger({ count: 10, seconds: 16 }), /TimeBasedWindow must be 0 to 15 seconds/);
  });
});
