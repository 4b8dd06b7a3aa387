// Dead letters always fit one MNS message (issue 12 item 6, R7): the record is
// bounded and Base64, and above the queue's 65,536 bytes the event body MUST go
// to OSS. Checked against the local cloud, whose MNS answers InvalidArgument
// above MaximumMessageSize and MalformedXML for characters XML 1.0 forbids.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { MnsDeadLetter, MnsTopicPublisher } from "../../handlers/cloud/mns";
import { boundRecord, boundText, DEAD_LETTER_MESSAGE_BYTES, decodeDeadLetter, encodeDeadLetter, MAX_FIELD_CHARS, MAX_REASON_CHARS } from "../../handlers/cloud/mns-dead-letter";
import { OssObjectStore } from "../../handlers/cloud/oss";
import { deadlineAt, type DeadLetterRecord } from "../../handlers/core/ports";
import { endpointEnv, startFakeCloud, type FakeCloud } from "../../local-cloud";
import { createHandler } from "../../handlers/entries/spot-drain";
import { withEnv } from "./doubles/bundled";

const RETRY = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
const BUCKET = "eo-markers";
const QUEUE = "eo-dlq";

const record = (body: Buffer, extra: Partial<DeadLetterRecord> = {}): DeadLetterRecord => ({
  reason: "rejected: not JSON",
  handler: "spot-drain",
  requestId: "req-1",
  receivedAt: "2026-11-20T00:00:00.000Z",
  bodyBase64: body.toString("base64"),
  ...extra,
});

describe("dead-letter records: bounded and Base64", () => {
  it("cuts a long text to its bound and says how much was left out, never halving a surrogate pair", () => {
    assert.equal(boundText("short", 10), "short");
    assert.equal(boundText("x".repeat(25), 10), "xxxxxxxxxx… [15 more characters]");
    const cut = boundText("a".repeat(9) + "😀" + "b", 10);
    assert.equal(cut, "aaaaaaaaa… [3 more characters]");
  });

  it("bounds reason, error and the short fields; keeps the body", () => {
    const body = Buffer.alloc(1000, 7);
    const long = "r".repeat(1_000_000);
    const b = boundRecord(record(body, { reason: long, error: { code: "C".repeat(10_000), message: long }, eventKey: "k".repeat(10_000), requestId: "q".repeat(10_000) }));
    assert.ok(b.reason.length <= MAX_REASON_CHARS + 40 && b.reason.startsWith("r".repeat(MAX_REASON_CHARS)), b.reason.slice(-40));
    assert.match(b.reason, /… \[998000 more characters\]$/);
    assert.ok(b.error!.message.length <= MAX_REASON_CHARS + 40);
    assert.ok(b.error!.code!.length <= MAX_FIELD_CHARS + 40 && b.eventKey!.length <= MAX_FIELD_CHARS + 40 && b.requestId.length <= MAX_FIELD_CHARS + 40);
    assert.equal(b.bodyBase64, body.toString("base64"));
  });

  it("encodes the record as Base64 only, and decodes it back", () => {
    const r = record(Buffer.from([0, 1, 2, 0xff]), { reason: "bad \u0000\u0001\uFFFE\uFFFF\uD800 <&> chars", error: { message: "\u0007" } });
    const text = encodeDeadLetter(r);
    assert.match(text, /^[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(decodeDeadLetter(text), JSON.parse(JSON.stringify(r)));
    assert.throws(() => decodeDeadLetter('{"reason":"x"}'), /not Base64/);
    assert.throws(() => decodeDeadLetter(Buffer.from('{"a":1}').toString("base64")), /does not hold a dead-letter record/);
  });
});

describe("dead-letter writes against the local cloud", function () {
  this.timeout(60_000);
  let fake: FakeCloud;
  let dlq: MnsDeadLetter;
  beforeEach(async () => {
    fake = await startFakeCloud();
    fake.state.addQueue(QUEUE);
    dlq = deadLetter(fake, true);
  });
  afterEach(() => fake.close());

  function deadLetter(f: FakeCloud, overflow: boolean): MnsDeadLetter {
    const credentials = { get: async () => ({ accessKeyId: f.accessKeyId, accessKeySecret: f.accessKeySecret }) };
    const common = { credentials, retry: RETRY, deadline: deadlineAt(Date.now() + 30_000), callTimeoutMs: 5_000 };
    const store = new OssObjectStore({ bucket: BUCKET, region: "cn-hangzhou", endpoint: { protocol: "http", host: f.endpoint }, ...common });
    return new MnsDeadLetter({ queue: QUEUE, endpoint: { protocol: "http", host: f.endpoint }, ...common, overflow: overflow ? { store, prefix: "event-ops/markers/dead-letter" } : undefined });
  }
  const messages = () => fake.state.getQueue(QUEUE)!.Messages;
  const kept = () => messages().map((m) => decodeDeadLetter(m.MessageBody));
  const objects = () => [...(fake.state.buckets.get(BUCKET)?.keys() ?? [])];

  /** The largest body (bytes) whose record still fits one message inline. */
  function largestInlineBody(): number {
    let lo = 0;
    let hi = 64 * 1024;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (encodeDeadLetter(boundRecord(record(Buffer.alloc(mid, 0x41)))).length <= DEAD_LETTER_MESSAGE_BYTES) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  it("keeps a small record inline: one message, Base64, no OSS object", async () => {
    const r = record(Buffer.from("{nope"));
    await dlq.send(r);
    assert.deepEqual(kept(), [r]);
    assert.deepEqual(objects(), []);
  });

  it("at the bound keeps the body inline; one byte above it MUST move the body to OSS", async () => {
    const n = largestInlineBody();
    // The body is Base64 inside the record, and the record Base64 again: about (3/4)² of 64 KiB.
    assert.ok(n > 36_000 && n < 36_864, `about 36 KiB of body fits, got ${n}`);
    const atBound = record(Buffer.alloc(n, 0x41), { requestId: "at" });
    await dlq.send(atBound);
    assert.equal(messages()[0].MessageBody.length, encodeDeadLetter(atBound).length);
    assert.ok(messages()[0].MessageBody.length <= DEAD_LETTER_MESSAGE_BYTES);
    assert.deepEqual(kept()[0], atBound);
    assert.deepEqual(objects(), []);

    const body = Buffer.alloc(n + 1, 0x41);
    await dlq.send(record(body, { requestId: "above" }));
    const above = kept()[1];
    const sha = createHash("sha256").update(body).digest("hex");
    assert.equal(above.bodyBase64, "");
    assert.equal(above.bodySha256, sha);
    assert.equal(above.bodyRef, `oss://${BUCKET}/event-ops/markers/dead-letter/${sha}`);
    assert.equal(fake.state.getObject(BUCKET, `event-ops/markers/dead-letter/${sha}`)!.body.toString(), body.toString("base64"));
    assert.ok(messages()[1].MessageBody.length < 4096, "what is left is small");
  });

  it("sends the same big body twice to the one content-addressed object", async () => {
    const body = Buffer.alloc(200 * 1024, 1);
    await dlq.send(record(body, { requestId: "a" }));
    await dlq.send(record(body, { requestId: "b" }));
    assert.equal(objects().length, 1);
    assert.deepEqual(kept().map((k) => k.bodyRef), [kept()[0].bodyRef, kept()[0].bodyRef]);
  });

  it("fits reasons and error messages of a megabyte full of characters XML 1.0 forbids", async () => {
    const nasty = "\u0000\u0001\u001F\uFFFE\uFFFF\uD800<&>\"'".repeat(100_000);
    await dlq.send(record(Buffer.from(nasty), { reason: `failed: ${nasty}`, error: { code: nasty, message: nasty }, eventKey: nasty }));
    const [k] = kept();
    assert.ok(k.reason.startsWith("failed: \u0000\u0001"));
    assert.match(k.reason, /more characters\]$/);
    assert.ok(k.bodyRef, "a 1.1 MB body goes to OSS");
    assert.ok(messages()[0].MessageBody.length <= DEAD_LETTER_MESSAGE_BYTES);
  });

  it("publishes alerts whose JSON holds characters XML 1.0 forbids: the topic keeps the same JSON value", async () => {
    fake.state.addTopic("alerts");
    const credentials = { get: async () => ({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret }) };
    const topics = new MnsTopicPublisher({ endpoint: { protocol: "http", host: fake.endpoint }, credentials, retry: RETRY, deadline: deadlineAt(Date.now() + 30_000), callTimeoutMs: 5_000 });
    const alert = { alert: "EventOps:MaintenanceNotice", summary: "instance name \u0001\uFFFE\uFFFF\uD800 <&>" };
    await topics.publish("alerts", JSON.stringify(alert), { DirectMail: { AccountName: "a@b.c", Subject: alert.summary, AddressType: 1, IsHtml: 0, ReplyToAddress: 0 } });
    assert.deepEqual(fake.state.topicMessages("alerts").map((b) => JSON.parse(b)), [alert]);
    assert.equal(JSON.parse(fake.state.topicMessageAttributes("alerts")[0]!.DirectMail).Subject, alert.summary);
  });

  it("says so when a big record has no overflow store", async () => {
    await assert.rejects(deadLetter(fake, false).send(record(Buffer.alloc(100_000))), /does not fit one MNS message and no overflow store is configured/);
    assert.equal(messages().length, 0);
  });

  it("never fails on content: any reason, error and body bytes reach the queue and decode back (property)", async () => {
    const text = fc.string({ unit: "binary", maxLength: 4_000, size: "max" });
    // Body lengths spread over 0–120 KB, so both sides of the ~36 KB bound are hit.
    const body = fc.integer({ min: 0, max: 120_000 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
    let moved = 0;
    await fc.assert(
      fc.asyncProperty(text, text, body, async (reason, message, bytes) => {
        const before = messages().length;
        const r = record(Buffer.from(bytes), { reason, error: { code: reason.slice(0, 300), message } });
        await dlq.send(r);
        assert.equal(messages().length, before + 1);
        const back = kept()[before];
        const bounded = JSON.parse(JSON.stringify(boundRecord(r))) as DeadLetterRecord;
        assert.equal(back.reason, bounded.reason);
        assert.deepEqual(back.error, bounded.error);
        if (back.bodyRef) moved++;
        const stored = back.bodyRef ? fake.state.getObject(BUCKET, back.bodyRef.replace(`oss://${BUCKET}/`, ""))!.body.toString() : back.bodyBase64;
        assert.deepEqual(Buffer.from(stored, "base64"), Buffer.from(bytes));
      }),
      { numRuns: 40, seed: 1126, endOnFailure: true },
    );
    assert.ok(moved > 5 && moved < 40, `bodies moved to OSS in ${moved} of 40 runs`);
  });
});

describe("dead letters from the FC entry", function () {
  this.timeout(30_000);
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
    fake.state.addQueue(QUEUE);
    fake.state.addBucket(BUCKET);
  });
  afterEach(() => fake.close());

  it("keeps a big body in the marker bucket even when the config is what failed", async () => {
    // SCOPE_TAG_KEY empty (set, so nothing left in process.env can fill it): a ConfigError, dead-lettered with the body, far too big for one message.
    const env = { ...endpointEnv(fake), SCOPE_TAG_KEY: "", SCOPE_TAG_VALUE: "managed", IDEMPOTENCY_BUCKET: BUCKET, DEAD_LETTER_QUEUE: QUEUE };
    const body = Buffer.alloc(200 * 1024, 0x7b);
    const out = await withEnv(env, () => createHandler()(body, { requestId: "req-cfg", function: { timeout: 60 }, region: "cn-hangzhou", accountId: fake.state.accountId }));
    assert.equal(out.outcome, "failed");
    const [kept] = fake.state.getQueue(QUEUE)!.Messages.map((m) => decodeDeadLetter(m.MessageBody));
    assert.equal(kept.error?.code, "ConfigError");
    assert.match(kept.reason, /SCOPE_TAG_KEY/);
    const sha = createHash("sha256").update(body).digest("hex");
    assert.equal(kept.bodyRef, `oss://${BUCKET}/event-ops/markers/dead-letter/${sha}`);
    assert.deepEqual(Buffer.from(fake.state.getObject(BUCKET, `event-ops/markers/dead-letter/${sha}`)!.body.toString(), "base64"), body);
  });
});
