import { strict as assert } from "node:assert";
import { headerSignature, headerStringToSign } from "../../handlers/cloud/header-signature";
import { endpointFor, parseEndpointUrl } from "../../handlers/cloud/endpoints";
import { flattenRpcParams } from "../../handlers/cloud/openapi";
import { sendMessageXml } from "../../handlers/cloud/mns";
import { clientToken, isAlreadyGone } from "../../handlers/core/gateway";

describe("cloud adapters", () => {
  it("signs OSS requests as the OSS documentation's worked example", () => {
    const toSign = headerStringToSign({
      method: "PUT",
      headers: { "Content-MD5": "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=", "Content-Type": "text/html", Date: "Thu, 17 Nov 2005 18:49:58 GMT", "X-OSS-Meta-Author": "foo@bar.com", "X-OSS-Magic": "abracadabra" },
      resource: "/oss-example/nelson",
      prefix: "x-oss-",
    });
    assert.equal(toSign, "PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\nThu, 17 Nov 2005 18:49:58 GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n/oss-example/nelson");
    assert.equal(headerSignature("OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", toSign), "26NBxoKdsyly4EDv6inkoDft/yA=");
  });

  it("builds MNS strings to sign with x-mns- headers and the request path", () => {
    const toSign = headerStringToSign({ method: "POST", headers: { "content-type": "text/xml;charset=utf-8", date: "D", "x-mns-version": "2015-06-06", "security-token": "t" }, resource: "/queues/q/messages", prefix: "x-mns-" });
    assert.equal(toSign, "POST\n\ntext/xml;charset=utf-8\nD\nx-mns-version:2015-06-06\n/queues/q/messages");
  });

  it("escapes the dead-letter body inside the MNS XML", () => {
    assert.match(sendMessageXml('{"a":"<&>"}'), /<MessageBody>\{&quot;a&quot;:&quot;&lt;&amp;&gt;&quot;\}<\/MessageBody>/);
  });

  const defaults: [Parameters<typeof endpointFor>[0], string][] = [
    ["ecs", "ecs.cn-shanghai.aliyuncs.com"],
    ["slb", "slb.cn-shanghai.aliyuncs.com"],
    ["alb", "alb.cn-shanghai.aliyuncs.com"],
    ["ess", "ess.aliyuncs.com"],
    ["cms", "metrics.cn-shanghai.aliyuncs.com"],
    ["oss", "oss-cn-shanghai.aliyuncs.com"],
    ["mns", "99.mns.cn-shanghai.aliyuncs.com"],
  ];
  for (const [product, host] of defaults) {
    it(`${product}: public endpoint ${host}, overridable by ALIBABA_CLOUD_ENDPOINT_${product.toUpperCase()}`, () => {
      assert.deepEqual(endpointFor(product, "cn-shanghai", {}, "99"), { protocol: "https", host, pathStyle: false });
      const over = endpointFor(product, "cn-shanghai", { [`ALIBABA_CLOUD_ENDPOINT_${product.toUpperCase()}`]: "http://127.0.0.1:9100" }, "99");
      assert.deepEqual(over, { protocol: "http", host: "127.0.0.1:9100", pathStyle: product === "oss" });
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

  it("recognises already-gone answers, and only those", () => {
    for (const code of ["InvalidInstanceId.NotFound", "BackendServer.NotExist", "ResourceNotFound.BackendServer", "VServerGroup.NotExist"]) assert.ok(isAlreadyGone({ code }), code);
    for (const code of ["Throttling", "Forbidden.RAM", "InvalidParameter"]) assert.ok(!isAlreadyGone({ code }), code);
  });
});
