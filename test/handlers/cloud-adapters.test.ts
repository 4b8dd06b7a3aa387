import { strict as assert } from "node:assert";
import { endpointFor, parseEndpointUrl } from "../../handlers/cloud/endpoints";
import { xmlEscape } from "../../handlers/cloud/http";
import { flattenRpcParams } from "../../handlers/cloud/openapi";
import { sendMessageXml } from "../../handlers/cloud/mns";
import { mnsSignature, mnsStringToSign } from "../../handlers/cloud/mns-signature";
import { ossRequestTarget } from "../../handlers/cloud/oss";
import { clientToken } from "../../handlers/core/gateway";

describe("cloud adapters", () => {
  it("signs MNS requests as the MNS documentation's worked example", () => {
    // help.aliyun.com/document_detail/175633: GET /MyQueue, key TestAccessSecret → uwx3yeWoILzgmvesW0BQSgfM**** (masked there).
    const toSign = mnsStringToSign({ method: "GET", headers: { Date: "Thu, 09 Jul 2015 03:01:34 GMT", "x-mns-version": "2015-06-06" }, resource: "/MyQueue" });
    assert.equal(toSign, "GET\n\n\nThu, 09 Jul 2015 03:01:34 GMT\nx-mns-version:2015-06-06\n/MyQueue");
    assert.equal(mnsSignature("TestAccessSecret", toSign), "uwx3yeWoILzgmvesW0BQSgfM7b8=");
  });

  it("builds MNS strings to sign with x-mns- headers and the request path, the STS token unsigned", () => {
    const toSign = mnsStringToSign({ method: "POST", headers: { "content-type": "text/xml;charset=utf-8", date: "D", "x-mns-version": "2015-06-06", "security-token": "t" }, resource: "/queues/q/messages" });
    assert.equal(toSign, "POST\n\ntext/xml;charset=utf-8\nD\nx-mns-version:2015-06-06\n/queues/q/messages");
  });

  it("escapes markup inside the MNS XML", () => {
    assert.match(sendMessageXml('{"a":"<&>"}'), /<MessageBody>\{&quot;a&quot;:&quot;&lt;&amp;&gt;&quot;\}<\/MessageBody>/);
  });

  it("writes code points XML 1.0 forbids as JSON escapes, keeping a JSON text's value", () => {
    const value = { s: "a\u0000b\u0001\uFFFE\uFFFF\uD800c😀\t" };
    // JSON.stringify escapes C0 controls and lone surrogates itself; U+FFFE/U+FFFF it leaves raw.
    const escaped = xmlEscape(JSON.stringify(value));
    assert.doesNotMatch(escaped, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    assert.ok(escaped.includes("\\ufffe\\uffff"), escaped);
    const unescaped = escaped.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    assert.deepEqual(JSON.parse(unescaped), value);
    assert.equal(xmlEscape("x\u0007y\uD83Dz"), "x\\u0007y\\ud83dz", "outside JSON too: no forbidden code point, lone surrogate included, reaches the XML");
  });

  it("addresses OSS virtual-hosted: <bucket>.<endpoint>, and the real Host name when the endpoint is an IP address", () => {
    assert.deepEqual(ossRequestTarget({ protocol: "https", host: "oss-cn-shanghai.aliyuncs.com" }, "markers", "cn-shanghai", "a/b.json"), { url: "https://markers.oss-cn-shanghai.aliyuncs.com/a/b.json", host: "markers.oss-cn-shanghai.aliyuncs.com" });
    assert.deepEqual(ossRequestTarget({ protocol: "https", host: "oss-cn-shanghai-internal.aliyuncs.com" }, "markers", "cn-shanghai", "k"), { url: "https://markers.oss-cn-shanghai-internal.aliyuncs.com/k", host: "markers.oss-cn-shanghai-internal.aliyuncs.com" });
    assert.deepEqual(ossRequestTarget({ protocol: "http", host: "127.0.0.1:9100" }, "markers", "cn-shanghai", "k"), { url: "http://127.0.0.1:9100/k", host: "markers.oss-cn-shanghai.aliyuncs.com" });
    assert.deepEqual(ossRequestTarget({ protocol: "http", host: "[::1]:9100" }, "markers", "cn-shanghai", "k"), { url: "http://[::1]:9100/k", host: "markers.oss-cn-shanghai.aliyuncs.com" });
  });

  const defaults: [Parameters<typeof endpointFor>[0], string][] = [
    ["ecs", "ecs.cn-shanghai.aliyuncs.com"],
    ["slb", "slb.aliyuncs.com"], // cn-shanghai is one of the regions the SDK sends to the central host (cloud/regional-hosts.ts)
    ["alb", "alb.cn-shanghai.aliyuncs.com"],
    ["ess", "ess.aliyuncs.com"],
    ["cms", "metrics.cn-shanghai.aliyuncs.com"],
    ["oss", "oss-cn-shanghai.aliyuncs.com"],
    ["mns", "99.mns.cn-shanghai.aliyuncs.com"],
  ];
  for (const [product, host] of defaults) {
    it(`${product}: public endpoint ${host}, overridable by ALIBABA_CLOUD_ENDPOINT_${product.toUpperCase()}`, () => {
      assert.deepEqual(endpointFor(product, "cn-shanghai", {}, "99"), { protocol: "https", host });
      const over = endpointFor(product, "cn-shanghai", { [`ALIBABA_CLOUD_ENDPOINT_${product.toUpperCase()}`]: "http://127.0.0.1:9100" }, "99");
      assert.deepEqual(over, { protocol: "http", host: "127.0.0.1:9100" });
    });
  }

  it("rejects endpoint overrides it cannot use, naming the variable", () => {
    assert.throws(() => parseEndpointUrl("ALIBABA_CLOUD_ENDPOINT_ECS", "ftp://x"), /ALIBABA_CLOUD_ENDPOINT_ECS: protocol must be http or https/);
    assert.throws(() => parseEndpointUrl("ALIBABA_CLOUD_ENDPOINT_SLB", "http://h:1/slb"), /give only scheme:\/\/host\[:port\]/);
    assert.deepEqual(parseEndpointUrl("X", "ecs-vpc.cn-hangzhou.aliyuncs.com"), { protocol: "https", host: "ecs-vpc.cn-hangzhou.aliyuncs.com" });
    assert.throws(() => endpointFor("mns", "cn-hangzhou", {}), /needs the account id/);
  });

  it("flattens RPC parameters (lists as .N, objects as .Key)", () => {
    assert.deepEqual(flattenRpcParams({ ServerGroupId: "sgp", Servers: [{ ServerId: "i-1", Port: 80, Weight: 0 }], InstanceId: ["i-1", "i-2"], DryRun: false, Skip: undefined }), {
      ServerGroupId: "sgp",
      "Servers.1.ServerId": "i-1",
      "Servers.1.Port": "80",
      "Servers.1.Weight": "0",
      "InstanceId.1": "i-1",
      "InstanceId.2": "i-2",
      DryRun: "false",
    });
  });

  it("derives ClientTokens deterministically, distinct per action and target", () => {
    assert.equal(clientToken("e1", "RemoveInstances", "asg/i-1"), clientToken("e1", "RemoveInstances", "asg/i-1"));
    assert.notEqual(clientToken("e1", "RemoveInstances", "asg/i-1"), clientToken("e1", "RemoveInstances", "asg/i-2"));
    assert.notEqual(clientToken("e1", "A", "t"), clientToken("e2", "A", "t"));
    assert.ok(clientToken("e", "a", "t").length <= 64);
  });

  // "Already gone" is a per-API allow-list now: test/handlers/already-gone.test.ts.
});
