// Endpoints are built only from a region id of the documented form, as the SDK clients build them (issue 11 H11, issue 12 R1).
import { strict as assert } from "node:assert";
import { defaultHost, endpointFor } from "../../handlers/cloud/endpoints";
import { rpcHost } from "../../handlers/cloud/regional-hosts";
import { isRegionId } from "../../handlers/core/ids";

// The installed SDK clients are the oracle for ECS and ALB (the SLB and ESS packages are not in this registry:
// their maps are copied in cloud/regional-hosts.ts from aliyun/alibabacloud-typescript-sdk and checked by value below).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkHost = (pkg: string, regionId: string): string => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const OpenApi = require("@alicloud/openapi-client");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Client = require(pkg).default;
  return new Client(new OpenApi.Config({ regionId, accessKeyId: "a", accessKeySecret: "b" }))._endpoint;
};

const PUBLIC_REGIONS = [
  "cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu", "cn-hangzhou", "cn-shanghai", "cn-nanjing", "cn-fuzhou",
  "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu", "cn-hongkong", "cn-wuhan", "cn-zhangbei", "cn-shanghai-finance-1",
  "cn-shenzhen-finance-1", "cn-beijing-finance-1", "cn-north-2-gov-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1",
  "ap-southeast-3", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "us-east-1", "us-west-1", "eu-west-1", "eu-central-1",
  "me-east-1", "me-central-1", "na-south-1", "xx-later-1",
].filter(isRegionId);

describe("endpoints", () => {
  it("ECS and ALB hosts are the installed SDK clients' own, region by region", () => {
    assert.ok(PUBLIC_REGIONS.every(isRegionId), "every public region id fits the documented form");
    for (const r of PUBLIC_REGIONS) {
      assert.equal(rpcHost("ecs", r), sdkHost("@alicloud/ecs20140526", r), `ecs ${r}`);
      assert.equal(rpcHost("alb", r), sdkHost("@alicloud/alb20200616", r), `alb ${r}`);
    }
  });

  const table: [Parameters<typeof rpcHost>[0], string, string][] = [
    ["ecs", "cn-hangzhou", "ecs-cn-hangzhou.aliyuncs.com"],
    ["slb", "cn-hangzhou", "slb.aliyuncs.com"],
    ["slb", "us-west-1", "slb.aliyuncs.com"],
    ["slb", "cn-zhangjiakou", "slb.cn-zhangjiakou.aliyuncs.com"],
    ["slb", "eu-central-1", "slb.eu-central-1.aliyuncs.com"],
    ["ess", "cn-hangzhou", "ess.aliyuncs.com"],
    ["ess", "cn-beijing-finance-1", "ess.aliyuncs.com"],
    ["ess", "ap-northeast-1", "ess.ap-northeast-1.aliyuncs.com"],
    ["ess", "cn-chengdu", "ess.cn-chengdu.aliyuncs.com"],
    ["ess", "xx-later-1", "ess.xx-later-1.aliyuncs.com"],
    ["cms", "cn-shanghai", "metrics.cn-shanghai.aliyuncs.com"],
  ];
  for (const [product, region, host] of table) {
    it(`${product} in ${region}: ${host} (the SDK's endpoint map, else its regional rule)`, () => assert.equal(rpcHost(product, region), host));
  }

  const hostile = ["x@127.0.0.1:9100/#", "cn-hangzhou.evil.example", "127.0.0.1", "cn-hangzhou:443", "cn-hangzhou/#", "", "CN-HANGZHOU", "cn-hangzhou\n"];
  for (const regionId of hostile) {
    it(`builds no host from region ${JSON.stringify(regionId)}: every product throws`, () => {
      for (const product of ["ecs", "slb", "alb", "ess", "cms", "oss", "mns"] as const) {
        assert.throws(() => defaultHost(product, regionId, "1234567890123456"), /not a region id/, product);
        assert.throws(() => endpointFor(product, regionId, {}, "1234567890123456"), /not a region id/, product);
      }
    });
  }

  it("builds no MNS host from an account id that is not digits", () => {
    assert.throws(() => defaultHost("mns", "cn-hangzhou", "1@127.0.0.1:9/#"), /account id must be digits/);
  });

  it("every host it builds is a name under aliyuncs.com, never another authority", () => {
    for (const r of PUBLIC_REGIONS)
      for (const product of ["ecs", "slb", "alb", "ess", "cms", "oss", "mns"] as const) {
        const url = new URL(`https://${defaultHost(product, r, "1234567890123456")}/`);
        assert.equal(url.username + url.password + url.port, "", `${product} ${r}`);
        assert.match(url.hostname, /^[a-z0-9.-]+\.aliyuncs\.com$/, `${product} ${r}`);
      }
  });
});
