// The project's OSS V4 and MNS signers against the official SDKs, byte for
// byte: ali-oss (signUtils and a real client, authorizationV4: true) and
// @alicloud/mns (Client#sign). Both SDKs are dev dependencies used here only;
// the last test checks no bundle contains them.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { MnsDeadLetter } from "../../handlers/cloud/mns";
import { decodeDeadLetter } from "../../handlers/cloud/mns-dead-letter";
import { mnsAuthorization, mnsStringToSign } from "../../handlers/cloud/mns-signature";
import { OssObjectStore } from "../../handlers/cloud/oss";
import { ossV4Authorization, ossV4CanonicalRequest, ossV4Date, ossV4StringToSign } from "../../handlers/cloud/oss-signature";
import { deadlineAt } from "../../handlers/core/ports";
import { startFakeCloud } from "../../local-cloud";
import { oss as ossRequest } from "../local-cloud/clients";
import { ENTRIES_DIR, MANIFEST_PATH } from "../../tools/bundle";
import { ensureBundles } from "./doubles/bundled";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const signUtils = require("ali-oss/lib/common/signUtils");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const OSS = require("ali-oss");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MnsClient = require("@alicloud/mns");

const AK = { accessKeyId: "LTAI5tOracleKeyId", accessKeySecret: "OracleSecret/+=xyz" };
const RETRY = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

/** An HTTP server that records each request and answers 200 (or what `answer` says). */
async function captureServer(answer: (n: number) => { status: number; body?: string } = () => ({ status: 200 })): Promise<{ server: Server; url: string; host: string; seen: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }[] }> {
  const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      const a = answer(seen.length);
      res.writeHead(a.status, { "content-type": "application/xml", "x-oss-request-id": "0".repeat(24) }).end(a.body ?? "");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, seen };
}

describe("OSS V4 signature = ali-oss's", () => {
  const requests: { what: string; method: string; bucket: string; key: string; headers: Record<string, string> }[] = [
    { what: "a forbid-overwrite PUT with body headers", method: "PUT", bucket: "eo-markers", key: "event-ops/markers/spot-drain/e-1:Executing", headers: { "content-type": "application/json", "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==", "x-oss-forbid-overwrite": "true" } },
    { what: "a GET with an STS token", method: "GET", bucket: "eo-markers", key: "event-ops/pending/records/e-2/v000001.json", headers: { "x-oss-security-token": "CAIS+token/with=chars" } },
    { what: "a key with spaces, unicode and !'()*", method: "PUT", bucket: "b-1", key: "dir/a b!'()*+~é中.json", headers: { "content-type": "application/json" } },
    { what: "header values with surrounding spaces", method: "PUT", bucket: "b-1", key: "k", headers: { "x-oss-meta-note": "  padded  ", "content-type": " text/plain " } },
  ];
  for (const r of requests) {
    it(`signs ${r.what} exactly as signUtils.authorizationV4`, () => {
      const headers = { ...r.headers, "x-oss-date": "20261120T081530Z", "x-oss-content-sha256": "UNSIGNED-PAYLOAD" };
      assert.equal(ossV4CanonicalRequest({ method: r.method, bucket: r.bucket, key: r.key, headers }), signUtils.getCanonicalRequest(r.method, { headers, queries: {} }, r.bucket, r.key, []));
      const canonical = ossV4CanonicalRequest({ method: r.method, bucket: r.bucket, key: r.key, headers });
      assert.equal(ossV4StringToSign("cn-shanghai", headers["x-oss-date"], canonical), signUtils.getStringToSign("cn-shanghai", headers["x-oss-date"], canonical));
      const ours = ossV4Authorization({ method: r.method, bucket: r.bucket, key: r.key, headers }, { ...AK, region: "cn-shanghai" });
      assert.equal(ours, signUtils.authorizationV4(AK.accessKeyId, AK.accessKeySecret, "cn-shanghai", r.method, { headers, queries: {} }, r.bucket, r.key, []));
      assert.match(ours, /^OSS4-HMAC-SHA256 Credential=LTAI5tOracleKeyId\/20261120\/cn-shanghai\/oss\/aliyun_v4_request,Signature=[0-9a-f]{64}$/);
    });
  }

  it("dates x-oss-date as ali-oss does (UTC, yyyymmdd'T'HHMMss'Z')", () => {
    assert.equal(ossV4Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), "20260102T030405Z");
  });

  it("sends what the official client sends: same Authorization, x-oss-date, x-oss-content-sha256 and Host, on the wire", async () => {
    const cap = await captureServer();
    try {
      const stsToken = "CAIS-sts-token";
      const client = new OSS({ ...AK, stsToken, region: "oss-cn-hangzhou", bucket: "eo-markers", endpoint: cap.url, authorizationV4: true, secure: false });
      // A marker key as the ledger names them (no extension: ali-oss adds no Content-Type of its own, so the GETs compare too).
      const key = "event-ops/markers/spot-drain/e-1:Executing";
      const body = '{"state":"claimed"}';
      await client.put(key, Buffer.from(body), { headers: { "Content-Type": "application/json", "x-oss-forbid-overwrite": "true" } });
      await client.get(key);
      const [sdkPut, sdkGet] = cap.seen;
      const at = (h: IncomingHttpHeaders) => Date.parse(String(h["x-oss-date"]).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
      let now = at(sdkPut.headers);
      const store = new OssObjectStore({
        bucket: "eo-markers",
        region: "cn-hangzhou",
        endpoint: { protocol: "http", host: cap.host },
        credentials: { get: async () => ({ ...AK, securityToken: stsToken }) },
        retry: RETRY,
        deadline: deadlineAt(Date.now() + 10_000),
        callTimeoutMs: 2_000,
        now: () => now,
      });
      assert.equal(await store.putIfAbsent(key, body), true);
      now = at(sdkGet.headers);
      await store.get(key);
      const [ourPut, ourGet] = cap.seen.slice(2);
      for (const [ours, sdk] of [[ourPut, sdkPut], [ourGet, sdkGet]]) {
        for (const h of ["authorization", "x-oss-date", "x-oss-content-sha256", "host", "x-oss-security-token"]) assert.equal(ours.headers[h], sdk.headers[h], `${sdk.method} ${h}`);
        assert.equal(ours.url, sdk.url, "same path: the key, the bucket in the Host");
      }
      for (const h of ["content-md5", "content-type", "x-oss-forbid-overwrite"]) assert.equal(ourPut.headers[h], sdkPut.headers[h], h);
      assert.equal(ourPut.headers.host, "eo-markers.oss-cn-hangzhou.aliyuncs.com");
      assert.match(String(ourPut.headers.authorization), /^OSS4-HMAC-SHA256 /);
    } finally {
      cap.server.close();
    }
  });

  it("writes markers on a V4-only bucket of the local cloud, where a V1 request is refused", async () => {
    const fake = await startFakeCloud();
    try {
      fake.state.addBucket("eo-markers"); // created at the fake's now (2026): V4 only
      const store = new OssObjectStore({ bucket: "eo-markers", region: "cn-hangzhou", endpoint: { protocol: "http", host: fake.endpoint }, credentials: { get: async () => ({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret }) }, retry: RETRY, deadline: deadlineAt(Date.now() + 10_000), callTimeoutMs: 2_000 });
      assert.equal(await store.putIfAbsent("event-ops/markers/spot-drain/e-1", '{"state":"claimed"}'), true);
      assert.equal(await store.putIfAbsent("event-ops/markers/spot-drain/e-1", '{"state":"other"}'), false, "FileAlreadyExists: taken");
      assert.equal(await store.get("event-ops/markers/spot-drain/e-1"), '{"state":"claimed"}');
      assert.equal(await store.get("event-ops/markers/spot-drain/none"), undefined);
      const v1 = await ossRequest(fake, "GET", "eo-markers", "event-ops/markers/spot-drain/e-1", { signature: "v1" });
      assert.equal(v1.status, 403);
      assert.match(v1.body, /<EC>0002-00000080<\/EC>/);
      assert.deepEqual(fake.calls().map((c) => [c.action, c.params.style, c.outcome.status]), [
        ["PutObject", "virtual-hosted", 200],
        ["PutObject", "virtual-hosted", 409],
        ["GetObject", "virtual-hosted", 200],
        ["GetObject", "virtual-hosted", 404],
        ["GetObject", "virtual-hosted", 403],
      ]);
    } finally {
      await fake.close();
    }
  });

  it("treats only 409 FileAlreadyExists as 'already there'; another 409 or a 403 is an error", async () => {
    const xml = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>m</Message><RequestId>r</RequestId><HostId>h</HostId></Error>`;
    const answers = [{ status: 409, body: xml("FileAlreadyExists") }, { status: 409, body: xml("OperationConflict") }, { status: 409, body: "" }, { status: 403, body: xml("InvalidAccessKeyId") }, { status: 404, body: xml("NoSuchBucket") }];
    const cap = await captureServer((n) => answers[n - 1]);
    try {
      const store = new OssObjectStore({ bucket: "eo-markers", region: "cn-hangzhou", endpoint: { protocol: "http", host: cap.host }, credentials: { get: async () => AK }, retry: RETRY, deadline: deadlineAt(Date.now() + 10_000), callTimeoutMs: 2_000 });
      assert.equal(await store.putIfAbsent("k", "{}"), false);
      await assert.rejects(store.putIfAbsent("k", "{}"), /oss 409 OperationConflict/);
      await assert.rejects(store.putIfAbsent("k", "{}"), /oss 409 Http409/);
      await assert.rejects(store.putIfAbsent("k", "{}"), /oss 403 InvalidAccessKeyId/);
      await assert.rejects(store.get("k"), /oss 404 NoSuchBucket/, "a missing bucket is not a missing object");
      assert.equal(cap.seen.length, 5);
    } finally {
      cap.server.close();
    }
  });
});

describe("MNS signature = @alicloud/mns's", () => {
  const sdk = new MnsClient("1234567890123456", { ...AK, endpoint: "http://127.0.0.1:1" });
  const cases: { what: string; method: string; headers: Record<string, string>; resource: string }[] = [
    { what: "SendMessage as the adapter sends it", method: "POST", headers: { date: "Fri, 20 Nov 2026 08:15:30 GMT", "content-type": "text/xml;charset=utf-8", "content-length": "100", "x-mns-version": "2015-06-06" }, resource: "/queues/eo-dlq/messages" },
    { what: "with content-md5 and several x-mns- headers", method: "POST", headers: { date: "Fri, 20 Nov 2026 08:15:30 GMT", "content-md5": "MWIyTTJZOEFzZ1RwZ0FtWTdQaENmZw==", "content-type": "text/xml", "x-mns-version": "2015-06-06", "x-mns-date": "Fri, 20 Nov 2026 08:15:30 GMT" }, resource: "/topics/alerts/messages" },
    { what: "a GET with a query and no body headers", method: "GET", headers: { date: "Fri, 20 Nov 2026 08:15:30 GMT", "x-mns-version": "2015-06-06" }, resource: "/queues/q/messages?waitseconds=10" },
  ];
  for (const c of cases) {
    it(`signs ${c.what} exactly as Client#sign`, () => {
      assert.equal(mnsAuthorization(AK.accessKeyId, AK.accessKeySecret, c), `MNS ${AK.accessKeyId}:${sdk.sign(c.method, c.headers, c.resource)}`);
      assert.ok(mnsStringToSign(c).endsWith(c.resource));
    });
  }

  it("signs the dead letter it really sends so that Client#sign agrees, and the official client reads it back", async () => {
    const cap = await captureServer(() => ({ status: 201, body: "" }));
    try {
      const dlq = new MnsDeadLetter({ queue: "eo-dlq", endpoint: { protocol: "http", host: cap.host }, credentials: { get: async () => ({ ...AK, securityToken: "CAIS-t" }) }, retry: RETRY, deadline: deadlineAt(Date.now() + 10_000), callTimeoutMs: 2_000 });
      await dlq.send({ reason: "failed: x", handler: "spot-drain", requestId: "r-1", receivedAt: "2026-11-20T00:00:00.000Z", bodyBase64: Buffer.from("{}").toString("base64") });
      const [req] = cap.seen;
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "authorization" && k !== "security-token").map(([k, v]) => [k, String(v)]));
      assert.equal(req.headers.authorization, `MNS ${AK.accessKeyId}:${sdk.sign("POST", headers, req.url)}`);
      assert.equal(req.headers["security-token"], "CAIS-t", "the STS token travels unsigned, as the SDK sends it");
    } finally {
      cap.server.close();
    }

    const fake = await startFakeCloud();
    try {
      fake.state.addQueue("eo-dlq");
      const dlq = new MnsDeadLetter({ queue: "eo-dlq", endpoint: { protocol: "http", host: fake.endpoint }, credentials: { get: async () => ({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret }) }, retry: RETRY, deadline: deadlineAt(Date.now() + 10_000), callTimeoutMs: 2_000 });
      const record = { reason: "rejected: bad \u0001 bytes \uFFFF", handler: "spot-drain", requestId: "r-2", receivedAt: "2026-11-20T00:00:00.000Z", bodyBase64: Buffer.from([0, 1, 0xff]).toString("base64") };
      await dlq.send(record);
      const reader = new MnsClient(fake.state.accountId, { accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, endpoint: fake.url });
      const got = await reader.receiveMessage("eo-dlq", 1);
      assert.deepEqual(decodeDeadLetter(got.body.MessageBody), record);
    } finally {
      await fake.close();
    }
  });
});

describe("bundles stay free of the SDK oracles", function () {
  this.timeout(120_000);
  before(() => ensureBundles());

  it("no entry pulls in ali-oss or @alicloud/mns; each zip ≤ 200 KB", () => {
    const manifest = JSON.parse(fs.readFileSync(MANIFEST_PATH, "utf8")) as Record<string, { bytes: number }>;
    const entries = fs.readdirSync(ENTRIES_DIR).filter((f) => f.endsWith(".ts"));
    assert.ok(entries.length >= 5);
    for (const file of entries) {
      const name = file.slice(0, -3);
      const { metafile } = buildSync({ entryPoints: [path.join(ENTRIES_DIR, file)], bundle: true, platform: "node", target: "node20", format: "cjs", write: false, metafile: true, logLevel: "error" });
      const inputs = Object.keys(metafile!.inputs);
      assert.ok(inputs.some((i) => i.endsWith("handlers/cloud/oss-signature.ts")), `${name}: the check sees the project's own signer`);
      assert.deepEqual(inputs.filter((i) => /node_modules\/(ali-oss|@alicloud\/mns)\//.test(i)), [], `${name} bundles an SDK oracle`);
      const js = fs.readFileSync(path.join(path.dirname(MANIFEST_PATH), name, "index.js"), "utf8");
      for (const marker of ["aliyun-sdk-nodejs", "mns:client", "ali-oss"]) assert.ok(!js.includes(marker), `${name}/index.js contains ${marker}`);
      assert.ok(manifest[name].bytes <= 200 * 1024, `${name}.zip is ${manifest[name].bytes} bytes`);
    }
  });
});
