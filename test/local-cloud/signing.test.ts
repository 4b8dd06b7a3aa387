import { strict as assert } from "node:assert";
import { createHmac, randomUUID } from "node:crypto";
import { rawRequest, rpc, rpcError, sdkClient } from "./clients";
import { startFakeCloud, type FakeCloud } from "../../local-cloud";

/** Signature v1 as older clients compute it (independent of the server code). */
function signV1(params: Record<string, string>, secret: string, method = "GET"): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  const canonical = Object.keys(params).sort().map((k) => `${enc(k)}=${enc(params[k])}`).join("&");
  const sig = createHmac("sha1", secret + "&").update(`${method}&${enc("/")}&${enc(canonical)}`).digest("base64");
  return Object.entries({ ...params, Signature: sig }).map(([k, v]) => `${enc(k)}=${enc(v)}`).join("&");
}

function v1Params(fake: FakeCloud, extra: Record<string, string>): Record<string, string> {
  return {
    Format: "JSON",
    Version: "2014-05-26",
    AccessKeyId: fake.accessKeyId,
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    SignatureNonce: randomUUID(),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    ...extra,
  };
}

describe("fake cloud: request signatures", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud();
    fake.state.addInstance({ InstanceId: "i-sig1" });
  });
  afterEach(() => fake.close());

  it("accepts ACS3-HMAC-SHA256 requests from @alicloud/openapi-client", async () => {
    const body = await rpc(fake, "ECS", "DescribeInstances", { RegionId: "cn-hangzhou" });
    assert.equal(body.TotalCount, 1);
    assert.equal(body.Instances.Instance[0].InstanceId, "i-sig1");
    assert.match(body.RequestId, /^[0-9A-F-]{36}$/);
    assert.equal(fake.calls("DescribeInstances")[0].outcome.status, 200);
  });

  it("accepts an STS security token (x-acs-security-token is signed)", async () => {
    const client = sdkClient(fake, { securityToken: "CAIS-fake-token" });
    const body = await rpc(fake, "ECS", "DescribeInstanceStatus", {}, { client });
    assert.equal(body.InstanceStatuses.InstanceStatus[0].Status, "Running");
  });

  it("rejects a wrong secret with SignatureDoesNotMatch (400)", async () => {
    const err = await rpcError(fake, "ECS", "RebootInstance", { InstanceId: "i-sig1" }, { client: sdkClient(fake, { accessKeySecret: "wrong" }) });
    assert.equal(err.code, "SignatureDoesNotMatch");
    assert.equal(err.data?.statusCode, 400);
    assert.equal(fake.state.getInstance("i-sig1")!.Status, "Running", "a rejected call changes nothing");
  });

  it("rejects an unknown AccessKey id with InvalidAccessKeyId.NotFound", async () => {
    const err = await rpcError(fake, "ECS", "DescribeInstances", {}, { client: sdkClient(fake, { accessKeyId: "nobody" }) });
    assert.equal(err.code, "InvalidAccessKeyId.NotFound");
  });

  it("rejects an ACS3 request whose query was tampered with after signing", async () => {
    // Sign a request with the SDK's own signer, then change a parameter.
    const OpenApiUtil = (await import("@alicloud/openapi-util")).default;
    const headers: Record<string, string> = {
      host: fake.endpoint,
      "x-acs-version": "2014-05-26",
      "x-acs-action": "RebootInstance",
      "x-acs-date": new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      "x-acs-signature-nonce": randomUUID(),
      "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    };
    const signedQuery = { InstanceId: "i-sig1" };
    headers.Authorization = OpenApiUtil.getAuthorization({ pathname: "/", method: "POST", query: signedQuery, headers } as never, "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"], fake.accessKeyId, fake.accessKeySecret);
    const ok = await rawRequest(fake, "POST", "/?InstanceId=i-sig1", headers);
    assert.equal(ok.status, 200, ok.body);
    // Same headers and nonce: the signature check fails before the nonce check could.
    const tampered = await rawRequest(fake, "POST", "/?InstanceId=i-other", headers);
    assert.equal(tampered.status, 400);
    assert.equal(JSON.parse(tampered.body).Code, "SignatureDoesNotMatch");
  });

  it("rejects a body that does not match x-acs-content-sha256", async () => {
    const headers: Record<string, string> = {
      host: fake.endpoint,
      "x-acs-version": "2014-05-26",
      "x-acs-action": "DescribeInstances",
      "x-acs-signature-nonce": randomUUID(),
      "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "content-type": "application/x-www-form-urlencoded",
      authorization: "ACS3-HMAC-SHA256 Credential=fake-access-key-id,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-signature-nonce;x-acs-version,Signature=00",
    };
    const res = await rawRequest(fake, "POST", "/", headers, "RegionId=cn-hangzhou");
    assert.equal(JSON.parse(res.body).Code, "SignatureDoesNotMatch");
  });

  it("answers an unsigned request with IncompleteSignature", async () => {
    const res = await rawRequest(fake, "POST", "/?Action=DescribeInstances&Version=2014-05-26", {});
    assert.equal(res.status, 400);
    const body = JSON.parse(res.body);
    assert.equal(body.Code, "IncompleteSignature");
    assert.ok(body.RequestId && body.HostId && body.Recommend && body.Message);
  });

  it("accepts signature v1 (HMAC-SHA1 query signature) and rejects a tampered one", async () => {
    const good = signV1(v1Params(fake, { Action: "DescribeInstances", RegionId: "cn-hangzhou" }), fake.accessKeySecret);
    const ok = await rawRequest(fake, "GET", `/?${good}`, {});
    assert.equal(ok.status, 200, ok.body);
    assert.equal(JSON.parse(ok.body).Instances.Instance[0].InstanceId, "i-sig1");

    const tampered = signV1(v1Params(fake, { Action: "DescribeInstances", RegionId: "cn-hangzhou" }), fake.accessKeySecret).replace("RegionId=cn-hangzhou", "RegionId=cn-beijing");
    const bad = await rawRequest(fake, "GET", `/?${tampered}`, {});
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).Code, "SignatureDoesNotMatch");
  });

  it("accepts signature v1 with parameters in a POST form body", async () => {
    const form = signV1(v1Params(fake, { Action: "RebootInstance", InstanceId: "i-sig1" }), fake.accessKeySecret, "POST");
    const res = await rawRequest(fake, "POST", "/", { "content-type": "application/x-www-form-urlencoded" }, form);
    assert.equal(res.status, 200, res.body);
    assert.equal(fake.state.getInstance("i-sig1")!.Status, "Stopping");
  });

  it("rejects a reused signature nonce", async () => {
    const q = signV1(v1Params(fake, { Action: "DescribeInstances" }), fake.accessKeySecret);
    assert.equal((await rawRequest(fake, "GET", `/?${q}`, {})).status, 200);
    const again = await rawRequest(fake, "GET", `/?${q}`, {});
    assert.equal(JSON.parse(again.body).Code, "SignatureNonceUsed");
  });

  it("answers unknown versions and actions like the real gateway", async () => {
    assert.equal((await rpcError(fake, "ECS", "NoSuchAction")).code, "InvalidAction.NotFound");
    const body = signV1(v1Params(fake, { Action: "DescribeInstances", Version: "2099-01-01" }), fake.accessKeySecret);
    assert.equal(JSON.parse((await rawRequest(fake, "GET", `/?${body}`, {})).body).Code, "InvalidVersion");
  });
});
