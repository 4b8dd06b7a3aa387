import { strict as assert } from "node:assert";
import { mns, mnsPublish, oss, xmlTag } from "./clients";
import { FakeClock, startFakeCloud, type FakeCloud } from "../../local-cloud";

describe("fake cloud: OSS objects", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
  });
  afterEach(() => fake.close());

  it("puts, gets, heads and deletes objects path-style", async () => {
    const put = await oss(fake, "PUT", "ops-bucket", "markers/e-1.json", { body: '{"done":true}', headers: { "x-oss-meta-owner": "drain" } });
    assert.equal(put.status, 200, put.body);
    assert.match(String(put.headers.etag), /^"[0-9A-F]{32}"$/);
    assert.equal(fake.state.getObject("ops-bucket", "markers/e-1.json")!.body.toString(), '{"done":true}');

    const get = await oss(fake, "GET", "ops-bucket", "markers/e-1.json");
    assert.equal(get.body, '{"done":true}');
    assert.equal(get.headers["x-oss-meta-owner"], "drain");
    assert.equal((await oss(fake, "HEAD", "ops-bucket", "markers/e-1.json")).headers["content-length"], "13");

    assert.equal((await oss(fake, "DELETE", "ops-bucket", "markers/e-1.json")).status, 204);
    const missing = await oss(fake, "GET", "ops-bucket", "markers/e-1.json");
    assert.equal(missing.status, 404);
    assert.equal(xmlTag(missing.body, "Code"), "NoSuchKey");
    assert.equal(xmlTag(missing.body, "Key"), "markers/e-1.json");
    assert.equal((await oss(fake, "HEAD", "ops-bucket", "markers/e-1.json")).status, 404);
    assert.equal(xmlTag((await oss(fake, "GET", "no-bucket", "k")).body, "Code"), "NoSuchBucket");
  });

  it("honours x-oss-forbid-overwrite: true with 409 FileAlreadyExists", async () => {
    const forbid = { "x-oss-forbid-overwrite": "true" };
    assert.equal((await oss(fake, "PUT", "b", "once", { body: "first", headers: forbid })).status, 200);
    const second = await oss(fake, "PUT", "b", "once", { body: "second", headers: forbid });
    assert.equal(second.status, 409);
    assert.equal(xmlTag(second.body, "Code"), "FileAlreadyExists");
    assert.equal(fake.state.getObject("b", "once")!.body.toString(), "first");
    assert.equal((await oss(fake, "PUT", "b", "once", { body: "third" })).status, 200, "without the header, overwriting is allowed");
    assert.equal(fake.state.getObject("b", "once")!.body.toString(), "third");
  });

  it("rejects a wrong signature (403 SignatureDoesNotMatch) and accepts a security token header", async () => {
    const bad = await oss(fake, "PUT", "b", "k", { body: "x", secret: "wrong" });
    assert.equal(bad.status, 403);
    assert.equal(xmlTag(bad.body, "Code"), "SignatureDoesNotMatch");
    assert.equal(fake.state.getObject("b", "k"), undefined);
    const sts = await oss(fake, "PUT", "b", "k", { body: "x", headers: { "x-oss-security-token": "CAIS-token" } });
    assert.equal(sts.status, 200, sts.body);
  });
});

describe("fake cloud: MNS queues", () => {
  let fake: FakeCloud;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock();
    fake = await startFakeCloud({ clock, mnsMaxRealWaitMs: 300 });
    fake.state.addQueue("events", { VisibilityTimeout: 30 });
  });
  afterEach(() => fake.close());

  const sendXml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>${body}</MessageBody><Priority>8</Priority></Message>`;

  it("sends, receives and deletes a message", async () => {
    const sent = await mns(fake, "POST", "events", { body: sendXml("{&quot;a&quot;:1}") });
    assert.equal(sent.status, 201, sent.body);
    assert.match(xmlTag(sent.body, "MessageBodyMD5")!, /^[0-9A-F]{32}$/);
    const got = await mns(fake, "GET", "events", { query: "waitseconds=1" });
    assert.equal(got.status, 200, got.body);
    assert.equal(xmlTag(got.body, "MessageBody"), "{&quot;a&quot;:1}");
    assert.equal(xmlTag(got.body, "DequeueCount"), "1");
    assert.equal(xmlTag(got.body, "MessageId"), xmlTag(sent.body, "MessageId"));
    const handle = xmlTag(got.body, "ReceiptHandle")!;
    const del = await mns(fake, "DELETE", "events", { query: `ReceiptHandle=${encodeURIComponent(handle)}` });
    assert.equal(del.status, 204, del.body);
    assert.equal(fake.state.getQueue("events")!.Messages.length, 0);
    const again = await mns(fake, "DELETE", "events", { query: `ReceiptHandle=${encodeURIComponent(handle)}` });
    assert.equal(again.status, 400);
    assert.equal(xmlTag(again.body, "Code"), "ReceiptHandleError");
  });

  it("redelivers after the visibility timeout (virtual clock); the old handle stops working", async () => {
    fake.mns.send("events", "payload");
    const first = await mns(fake, "GET", "events", { query: "waitseconds=0" });
    const oldHandle = xmlTag(first.body, "ReceiptHandle")!;
    assert.equal((await mns(fake, "GET", "events", { query: "waitseconds=0" })).status, 404, "invisible while being processed");
    clock.advance(30_000);
    const second = await mns(fake, "GET", "events", { query: "waitseconds=0" });
    assert.equal(xmlTag(second.body, "DequeueCount"), "2");
    const stale = await mns(fake, "DELETE", "events", { query: `ReceiptHandle=${encodeURIComponent(oldHandle)}` });
    assert.equal(stale.status, 404);
    assert.equal(xmlTag(stale.body, "Code"), "MessageNotExist");
    assert.equal(fake.state.getQueue("events")!.Messages[0].DequeueCount, 2);
  });

  it("long-polls: an empty queue answers MessageNotExist after the wait; a send wakes the poll", async () => {
    const started = Date.now();
    const empty = await mns(fake, "GET", "events", { query: "waitseconds=5" });
    assert.equal(empty.status, 404);
    assert.equal(xmlTag(empty.body, "Code"), "MessageNotExist");
    assert.ok(Date.now() - started >= 250, "it waited (capped by mnsMaxRealWaitMs)");

    const poll = mns(fake, "GET", "events", { query: "waitseconds=5" });
    setTimeout(() => fake.mns.send("events", "late"), 50);
    const got = await poll;
    assert.equal(got.status, 200);
    assert.equal(xmlTag(got.body, "MessageBody"), "late");
  });

  it("batch-receives up to numOfMessages and routes emitted system events into a queue", async () => {
    fake.routeSystemEventsToQueue("cms");
    fake.state.addInstance({ InstanceId: "i-a" });
    fake.spotInterruption("i-a", { releaseAfterMs: null });
    fake.releaseInstance("i-a");
    const batch = await mns(fake, "GET", "cms", { query: "numOfMessages=16&waitseconds=1" });
    assert.equal(batch.status, 200, batch.body);
    const bodies = [...batch.body.matchAll(/<MessageBody>([\s\S]*?)<\/MessageBody>/g)].map((m) => JSON.parse(m[1].replace(/&quot;/g, '"')) as { name: string });
    assert.deepEqual(bodies.map((b) => b.name), ["Instance:PreemptibleInstanceInterruption", "Instance:StateChange"]);
  });

  it("rejects a wrong MNS signature with 403 SignatureDoesNotMatch", async () => {
    const bad = await mns(fake, "POST", "events", { body: sendXml("x"), secret: "wrong" });
    assert.equal(bad.status, 403);
    assert.equal(xmlTag(bad.body, "Code"), "SignatureDoesNotMatch");
    assert.equal(fake.state.getQueue("events")!.Messages.length, 0);
  });
});

describe("fake cloud: MNS topics", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
    fake.state.addTopic("alerts");
  });
  afterEach(() => fake.close());

  const publishXml = (body: string, tag = "") => `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>${body}</MessageBody>${tag}</Message>`;

  it("publishes (201, MessageId, MD5) and keeps the messages per topic, in order", async () => {
    const first = await mnsPublish(fake, "alerts", { body: publishXml("{&quot;alert&quot;:1}") });
    assert.equal(first.status, 201, first.body);
    assert.match(xmlTag(first.body, "MessageBodyMD5")!, /^[0-9A-F]{32}$/);
    assert.equal((await mnsPublish(fake, "alerts", { body: publishXml("second", "<MessageTag>ops</MessageTag>") })).status, 201);
    assert.deepEqual(fake.state.topicMessages("alerts"), ['{"alert":1}', "second"]);
    assert.equal(fake.state.getTopic("alerts")!.Messages[0].MessageId, xmlTag(first.body, "MessageId"));
    assert.equal(fake.state.getTopic("alerts")!.Messages[1].MessageTag, "ops");
    assert.deepEqual(fake.calls("PublishMessage").map((c) => c.params.topic), ["alerts", "alerts"]);
  });

  it("keeps each message's MessageAttributes (DirectMail / DirectSMS text, unescaped); none when absent", async () => {
    const mail = JSON.stringify({ AccountName: "alerts@mail.example.com", Subject: "a <b> & c" });
    const sms = JSON.stringify({ FreeSignName: "Ops", TemplateCode: "SMS_1", Type: "singleContent", SmsParams: JSON.stringify({ alert: "x" }) });
    const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
    const attrs = `<MessageAttributes><DirectMail>${esc(mail)}</DirectMail><DirectSMS>${esc(sms)}</DirectSMS></MessageAttributes>`;
    assert.equal((await mnsPublish(fake, "alerts", { body: publishXml("with", attrs) })).status, 201);
    assert.equal((await mnsPublish(fake, "alerts", { body: publishXml("without") })).status, 201);
    assert.deepEqual(fake.state.topicMessages("alerts"), ["with", "without"]);
    assert.deepEqual(fake.state.topicMessageAttributes("alerts"), [{ DirectMail: mail, DirectSMS: sms }, undefined]);
  });

  it("answers 404 TopicNotExist for a topic never added, and 403 for a wrong signature", async () => {
    const missing = await mnsPublish(fake, "nobody-listens", { body: publishXml("x") });
    assert.equal(missing.status, 404);
    assert.equal(xmlTag(missing.body, "Code"), "TopicNotExist");
    assert.equal(fake.state.getTopic("nobody-listens"), undefined);
    const bad = await mnsPublish(fake, "alerts", { body: publishXml("x"), secret: "wrong" });
    assert.equal(bad.status, 403);
    assert.equal(xmlTag(bad.body, "Code"), "SignatureDoesNotMatch");
    assert.deepEqual(fake.state.topicMessages("alerts"), []);
  });

  it("takes injected faults by action name", async () => {
    fake.faults.fail("PublishMessage", 1, { status: 503, code: "ServiceUnavailable" });
    assert.equal((await mnsPublish(fake, "alerts", { body: publishXml("x") })).status, 503);
    assert.equal((await mnsPublish(fake, "alerts", { body: publishXml("x") })).status, 201);
    assert.deepEqual(fake.state.topicMessages("alerts"), ["x"]);
  });
});
