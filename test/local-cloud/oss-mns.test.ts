import { strict as assert } from "node:assert";
import { mns, mnsAuthorizationByTheSdk, mnsPublish, oss, rawRequest, xmlTag } from "./clients";
import { FakeClock, startFakeCloud, type FakeCloud } from "../../local-cloud";
import { V1_REFUSED_FOR_BUCKETS_FROM } from "../../local-cloud/products/oss";

// The official SDKs, as clients of the fake (dev dependencies; never bundled).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const OSS = require("ali-oss");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MNS = require("@alicloud/mns");

describe("fake cloud: OSS objects", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
  });
  afterEach(() => fake.close());

  it("puts, gets, heads and deletes objects, virtual-hosted (bucket in the Host) with V4 signatures", async () => {
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
    assert.deepEqual([...new Set(fake.calls().map((c) => c.params.style))], ["virtual-hosted"]);
    assert.equal(xmlTag((await oss(fake, "GET", "b", "k")).body, "Code"), "InvalidBucketName", "bucket names have 3 to 63 characters");
  });

  it("takes path-style requests (/<bucket>/<key>) on its own host too", async () => {
    assert.equal((await oss(fake, "PUT", "ops-bucket", "a/b", { body: "x", style: "path" })).status, 200);
    assert.equal((await oss(fake, "GET", "ops-bucket", "a/b")).body, "x");
    assert.deepEqual(fake.calls().map((c) => c.params.style), ["path", "virtual-hosted"]);
  });

  it("answers a forbid-overwrite PUT over an existing object 409 FileAlreadyExists (EC 0026-00000002), and keeps the first", async () => {
    const forbid = { "x-oss-forbid-overwrite": "true" };
    assert.equal((await oss(fake, "PUT", "ops-bucket", "once", { body: "first", headers: forbid })).status, 200);
    const second = await oss(fake, "PUT", "ops-bucket", "once", { body: "second", headers: forbid });
    assert.equal(second.status, 409);
    assert.equal(xmlTag(second.body, "Code"), "FileAlreadyExists");
    assert.equal(xmlTag(second.body, "EC"), "0026-00000002");
    assert.equal(second.headers["x-oss-ec"], "0026-00000002");
    assert.equal(fake.state.getObject("ops-bucket", "once")!.body.toString(), "first");
    const bad = await oss(fake, "PUT", "ops-bucket", "once", { body: "x", headers: { "x-oss-forbid-overwrite": "yes" } });
    assert.deepEqual([bad.status, xmlTag(bad.body, "EC")], [400, "0017-00000279"]);
    assert.equal((await oss(fake, "PUT", "ops-bucket", "once", { body: "third" })).status, 200, "without the header, overwriting is allowed");
    assert.equal(fake.state.getObject("ops-bucket", "once")!.body.toString(), "third");
  });

  it("refuses V1 signatures on buckets created from 2025-09-01 (403, EC 0002-00000080) and takes them on older ones", async () => {
    // A bucket made by its first PUT is new (the fake's clock is in 2026): V4 only.
    assert.equal((await oss(fake, "PUT", "new-bucket", "k", { body: "v4" })).status, 200);
    const v1 = await oss(fake, "PUT", "new-bucket", "k", { body: "v1", signature: "v1" });
    assert.deepEqual([v1.status, xmlTag(v1.body, "Code"), xmlTag(v1.body, "EC")], [403, "AccessDenied", "0002-00000080"]);
    assert.equal(fake.state.getObject("new-bucket", "k")!.body.toString(), "v4");
    assert.equal(fake.state.getBucket("new-bucket")!.CreationDate, fake.clock.now());

    fake.state.addBucket("old-bucket", { CreationDate: V1_REFUSED_FOR_BUCKETS_FROM - 1 });
    fake.state.addBucket("edge-bucket", { CreationDate: "2025-09-01T00:00:00+08:00" });
    const old = await oss(fake, "PUT", "old-bucket", "k", { body: "v1", signature: "v1" });
    assert.equal(old.status, 200, old.body);
    assert.equal((await oss(fake, "GET", "old-bucket", "k")).body, "v1", "old buckets take V4 as well");
    assert.equal((await oss(fake, "PUT", "edge-bucket", "k", { body: "v1", signature: "v1" })).status, 403);
    const wrongV1 = await oss(fake, "PUT", "old-bucket", "k", { body: "x", signature: "v1", secret: "wrong" });
    assert.deepEqual([wrongV1.status, xmlTag(wrongV1.body, "Code")], [403, "SignatureDoesNotMatch"]);
  });

  it("answers a wrong secret 403 SignatureDoesNotMatch with its StringToSign and CanonicalRequest, an unknown key 403 InvalidAccessKeyId", async () => {
    const bad = await oss(fake, "PUT", "ops-bucket", "k", { body: "x", secret: "wrong" });
    assert.equal(bad.status, 403);
    assert.equal(xmlTag(bad.body, "Code"), "SignatureDoesNotMatch");
    assert.match(xmlTag(bad.body, "StringToSign")!, /^OSS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/cn-hangzhou\/oss\/aliyun_v4_request\n[0-9a-f]{64}$/);
    assert.match(xmlTag(bad.body, "CanonicalRequest")!, /^PUT\n\/ops-bucket\/k\n\ncontent-md5:/);
    const unknown = await oss(fake, "PUT", "ops-bucket", "k", { body: "x", accessKeyId: "LTAI-nobody" });
    assert.deepEqual([unknown.status, xmlTag(unknown.body, "Code")], [403, "InvalidAccessKeyId"]);
    assert.equal(fake.state.getObject("ops-bucket", "k"), undefined, "nothing written");
  });

  it("signs with the bucket's region: another region's scope does not match, another region's Host is AccessDenied", async () => {
    fake.state.addBucket("hz-bucket");
    const scoped = await oss(fake, "PUT", "hz-bucket", "k", { body: "x", region: "cn-shanghai", host: "hz-bucket.oss-cn-hangzhou.aliyuncs.com" });
    assert.deepEqual([scoped.status, xmlTag(scoped.body, "Code")], [403, "SignatureDoesNotMatch"]);
    const elsewhere = await oss(fake, "PUT", "hz-bucket", "k", { body: "x", region: "cn-shanghai" });
    assert.deepEqual([elsewhere.status, xmlTag(elsewhere.body, "Code"), xmlTag(elsewhere.body, "Endpoint")], [403, "AccessDenied", "oss-cn-hangzhou.aliyuncs.com"]);
    assert.equal(fake.state.getObject("hz-bucket", "k"), undefined);
  });

  it("requires x-oss-content-sha256: UNSIGNED-PAYLOAD (EC 0002-00000214) and signs every x-oss- header", async () => {
    const sha = await oss(fake, "PUT", "ops-bucket", "k", { body: "x", headers: { "x-oss-content-sha256": "abc" } });
    assert.deepEqual([sha.status, xmlTag(sha.body, "EC")], [400, "0002-00000214"]);
    // An x-oss- header added after signing breaks the signature.
    const signed = await oss(fake, "PUT", "ops-bucket", "k", { body: "x", headers: { "x-oss-security-token": "CAIS-token" } });
    assert.equal(signed.status, 200, signed.body);
    const { createHash } = await import("node:crypto");
    const headers = { host: "ops-bucket.oss-cn-hangzhou.aliyuncs.com", "x-oss-date": "20261120T000000Z", "x-oss-content-sha256": "UNSIGNED-PAYLOAD", "content-md5": createHash("md5").update("y").digest("base64") };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const signUtils = require("ali-oss/lib/common/signUtils");
    const authorization = signUtils.authorizationV4(fake.accessKeyId, fake.accessKeySecret, "cn-hangzhou", "PUT", { headers, queries: {} }, "ops-bucket", "k", []);
    const tampered = await rawRequest(fake, "PUT", "/k", { ...headers, authorization, "x-oss-forbid-overwrite": "false" }, "y");
    assert.deepEqual([tampered.status, xmlTag(tampered.body, "Code")], [403, "SignatureDoesNotMatch"]);
    assert.equal(fake.state.getObject("ops-bucket", "k")!.body.toString(), "x");
  });

  it("signs the query string too: sorted, encoded, a parameter without a value as its bare name", async () => {
    await oss(fake, "PUT", "ops-bucket", "k", { body: "x" });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const signUtils = require("ali-oss/lib/common/signUtils");
    const headers = { host: "ops-bucket.oss-cn-hangzhou.aliyuncs.com", "x-oss-date": "20261120T000000Z", "x-oss-content-sha256": "UNSIGNED-PAYLOAD" };
    const queries = { "response-content-type": "text/plain; a=b", acl: null, empty: "" };
    const authorization = signUtils.authorizationV4(fake.accessKeyId, fake.accessKeySecret, "cn-hangzhou", "GET", { headers, queries }, "ops-bucket", "k", []);
    const ok = await rawRequest(fake, "GET", "/k?response-content-type=text%2Fplain%3B%20a%3Db&acl&empty=", { ...headers, authorization });
    assert.equal(ok.status, 200, ok.body);
    const reordered = await rawRequest(fake, "GET", "/k?empty=&acl&response-content-type=text%2Fplain%3B%20a%3Db", { ...headers, authorization });
    assert.equal(reordered.status, 200, "the order on the wire does not matter");
    const changed = await rawRequest(fake, "GET", "/k?response-content-type=text%2Fhtml&acl&empty=", { ...headers, authorization });
    assert.deepEqual([changed.status, xmlTag(changed.body, "Code")], [403, "SignatureDoesNotMatch"]);
  });

  it("serves the official ali-oss client (authorizationV4: true) and refuses its V1 mode on a new bucket", async () => {
    const opts = { accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, region: "oss-cn-hangzhou", bucket: "sdk-bucket", endpoint: fake.url, secure: false };
    const v4 = new OSS({ ...opts, authorizationV4: true });
    await v4.put("dir/a b+c.json", Buffer.from('{"n":1}'), { headers: { "x-oss-forbid-overwrite": "true" } });
    await assert.rejects(v4.put("dir/a b+c.json", Buffer.from('{"n":2}'), { headers: { "x-oss-forbid-overwrite": "true" } }), (e: { status: number; code: string }) => e.status === 409 && e.code === "FileAlreadyExists");
    assert.equal((await v4.get("dir/a b+c.json")).content.toString(), '{"n":1}');
    assert.equal((await v4.head("dir/a b+c.json")).status, 200);
    const v1 = new OSS(opts);
    await assert.rejects(v1.get("dir/a b+c.json"), (e: { status: number; code: string }) => e.status === 403 && e.code === "AccessDenied");
    await assert.rejects(new OSS({ ...opts, authorizationV4: true, accessKeySecret: "wrong" }).get("dir/a b+c.json"), (e: { code: string }) => e.code === "SignatureDoesNotMatch");
    assert.deepEqual(fake.calls().map((c) => [c.action, c.params.style, c.outcome.status]), [
      ["PutObject", "virtual-hosted", 200],
      ["PutObject", "virtual-hosted", 409],
      ["GetObject", "virtual-hosted", 200],
      ["HeadObject", "virtual-hosted", 200],
      ["GetObject", "virtual-hosted", 403],
      ["GetObject", "virtual-hosted", 403],
    ]);
  });

  it("knows a key limited to other products as an unknown key (InvalidAccessKeyId)", async () => {
    await fake.close();
    fake = await startFakeCloud({ credentials: [{ accessKeyId: "mns-only", accessKeySecret: "s", products: ["MNS"] }] });
    const res = await oss(fake, "PUT", "ops-bucket", "k", { body: "x", accessKeyId: "mns-only", secret: "s" });
    assert.deepEqual([res.status, xmlTag(res.body, "Code")], [403, "InvalidAccessKeyId"]);
    fake.state.addQueue("q");
    assert.equal((await mns(fake, "POST", "q", { body: sendXml("x"), accessKeyId: "mns-only", secret: "s" })).status, 201);
  });
});

const sendXml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>${body}</MessageBody><Priority>8</Priority></Message>`;

describe("fake cloud: MNS queues", () => {
  let fake: FakeCloud;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock();
    fake = await startFakeCloud({ clock, mnsMaxRealWaitMs: 300 });
    fake.state.addQueue("events", { VisibilityTimeout: 30 });
  });
  afterEach(() => fake.close());

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

describe("fake cloud: MNS as documented (limits, XML 1.0, signatures)", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
    fake.state.addQueue("dlq");
    fake.state.addTopic("alerts");
  });
  afterEach(() => fake.close());

  const depth = () => fake.state.getQueue("dlq")!.Messages.length;

  it("serves the official @alicloud/mns client: SendMessage, ReceiveMessage, DeleteMessage", async () => {
    const client = new MNS(fake.state.accountId, { accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, endpoint: fake.url });
    const sent = await client.sendMessage("dlq", { MessageBody: Buffer.from('{"a":1}').toString("base64") });
    assert.equal(sent.code, 201);
    const got = await client.receiveMessage("dlq", 1);
    assert.equal(Buffer.from(got.body.MessageBody, "base64").toString(), '{"a":1}');
    await client.deleteMessage("dlq", got.body.ReceiptHandle);
    assert.equal(depth(), 0);
    const wrong = new MNS(fake.state.accountId, { accessKeyId: fake.accessKeyId, accessKeySecret: "wrong", endpoint: fake.url });
    await assert.rejects(wrong.sendMessage("dlq", { MessageBody: "eA==" }), (e: Error) => e.name === "MNSSignatureDoesNotMatchError");
    const unknown = new MNS(fake.state.accountId, { accessKeyId: "LTAI-nobody", accessKeySecret: "x", endpoint: fake.url });
    await assert.rejects(unknown.sendMessage("dlq", { MessageBody: "eA==" }), (e: Error) => e.name === "MNSInvalidAccessKeyIdError");
    assert.equal(depth(), 0);
  });

  it("takes a body of up to the queue's MaximumMessageSize (65,536 bytes by default) and answers 400 InvalidArgument above", async () => {
    assert.equal((await mns(fake, "POST", "dlq", { body: sendXml("a".repeat(65_536)) })).status, 201);
    const over = await mns(fake, "POST", "dlq", { body: sendXml("a".repeat(65_537)) });
    assert.deepEqual([over.status, xmlTag(over.body, "Code")], [400, "InvalidArgument"]);
    assert.match(xmlTag(over.body, "Message")!, /between 1 and 65536 bytes/);
    // Bytes, not characters: 21,846 three-byte characters are 65,538 bytes.
    assert.equal((await mns(fake, "POST", "dlq", { body: sendXml("€".repeat(21_846)) })).status, 400);
    fake.state.addQueue("small", { MaximumMessageSize: 1_024 });
    assert.equal((await mns(fake, "POST", "small", { body: sendXml("a".repeat(1_025)) })).status, 400);
    assert.equal(depth(), 1);
    const topic = await mnsPublish(fake, "alerts", { body: sendXml("a".repeat(65_537)) });
    assert.deepEqual([topic.status, xmlTag(topic.body, "Code")], [400, "InvalidArgument"]);
  });

  const forbidden: [string, string][] = [
    ["a raw C0 control", "a\u0001b"],
    ["a raw NUL", "\u0000"],
    ["U+FFFE", "\uFFFE"],
    ["U+FFFF", "x\uFFFFy"],
    ["a reference to a C0 control", "&#1;"],
    ["a hex reference to U+FFFE", "&#xFFFE;"],
    ["a reference to NUL", "&#x0;"],
    ["a bare ampersand", "fish & chips"],
  ];
  it("answers 400 MalformedXML for bytes that are not UTF-8 (a surrogate's CESU-8 bytes, 0xFF)", async () => {
    for (const bytes of [[0xed, 0xa0, 0x80], [0xff]]) {
      const [head, tail] = sendXml("#").split("#");
      const res = await mns(fake, "POST", "dlq", { body: Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]) });
      assert.deepEqual([res.status, xmlTag(res.body, "Code")], [400, "MalformedXML"]);
    }
    assert.equal(depth(), 0);
  });

  for (const [what, text] of forbidden) {
    it(`answers 400 MalformedXML for ${what} in the document, and enqueues nothing`, async () => {
      const res = await mns(fake, "POST", "dlq", { body: sendXml(text) });
      assert.deepEqual([res.status, xmlTag(res.body, "Code")], [400, "MalformedXML"], res.body);
      assert.equal(depth(), 0);
      assert.equal((await mnsPublish(fake, "alerts", { body: sendXml(text) })).status, 400);
      assert.deepEqual(fake.state.topicMessages("alerts"), []);
    });
  }

  it("takes tab, LF, CR, the BMP's upper range, astral characters and references to allowed ones", async () => {
    const res = await mns(fake, "POST", "dlq", { body: sendXml("\t\n\r\uE000\uFFFD😀&#x9;&#65;&amp;") });
    assert.equal(res.status, 201, res.body);
    assert.equal(fake.state.getQueue("dlq")!.Messages[0].MessageBody, "\t\n\r\uE000\uFFFD😀\tA&");
  });

  it("answers the documented codes for a missing or malformed Authorization, a missing Date and an unknown key", async () => {
    const resource = "/queues/dlq/messages";
    const base = { date: new Date().toUTCString(), "x-mns-version": "2015-06-06", "content-type": "text/xml;charset=utf-8" };
    const code = async (headers: Record<string, string>) => {
      const r = await rawRequest(fake, "POST", resource, headers, sendXml("x"));
      return [r.status, xmlTag(r.body, "Code")];
    };
    assert.deepEqual(await code(base), [400, "MissingAuthorizationHeader"]);
    assert.deepEqual(await code({ ...base, authorization: "MNS no-colon" }), [400, "InvalidAuthorizationHeader"]);
    const { date: _date, ...undated } = base;
    assert.deepEqual(await code({ ...undated, authorization: mnsAuthorizationByTheSdk(fake, "POST", undated, resource) }), [400, "MissingDateHeader"]);
    assert.deepEqual(await code({ ...base, authorization: mnsAuthorizationByTheSdk(fake, "POST", base, resource, { accessKeyId: "LTAI-nobody" }) }), [403, "InvalidAccessKeyId"]);
    // An x-mns- header changed after signing.
    assert.deepEqual(await code({ ...base, authorization: mnsAuthorizationByTheSdk(fake, "POST", base, resource), "x-mns-version": "2099-01-01" }), [403, "SignatureDoesNotMatch"]);
    assert.deepEqual(await code({ ...base, authorization: mnsAuthorizationByTheSdk(fake, "POST", base, resource) }), [201, undefined]);
    assert.equal(depth(), 1);
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
