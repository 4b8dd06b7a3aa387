// The public API host of each RPC product in a region, as the official SDK
// clients choose it (aliyun/alibabacloud-typescript-sdk @06a71f93, each
// `<product>/src/client.ts` constructor): the client's `_endpointMap[regionId]`,
// else the "regional" rule `<product>.<regionId>.aliyuncs.com`
// (@alicloud/openapi-util getEndpointRules, no network or suffix). Only a region
// id that passed core/ids.ts isRegionId is ever put into a host name. Pure.
import { isRegionId, shown } from "../core/ids";

export type RpcProduct = "ecs" | "slb" | "alb" | "ess" | "cms";

/** Regions whose requests go to another host than the regional rule: the SDK maps' public, finance and gov regions (internal test regions left out). */
const CENTRAL: Record<Exclude<RpcProduct, "alb" | "cms">, Readonly<Record<string, string>>> = {
  // ecs-20140526: cn-hangzhou is `ecs-cn-hangzhou` (sic, a dash); a few regions use the central `ecs.aliyuncs.com`.
  ecs: {
    "cn-hangzhou": "ecs-cn-hangzhou.aliyuncs.com",
    "cn-shanghai-finance-1": "ecs-cn-hangzhou.aliyuncs.com",
    "cn-shenzhen-finance-1": "ecs-cn-hangzhou.aliyuncs.com",
    "cn-fujian": "ecs-cn-hangzhou.aliyuncs.com",
    "cn-north-2-gov-1": "ecs.aliyuncs.com",
    "cn-beijing-gov-1": "ecs.aliyuncs.com",
    "cn-hangzhou-finance": "ecs.aliyuncs.com",
    "cn-wuhan": "ecs.aliyuncs.com",
    "cn-zhangbei": "ecs.aliyuncs.com",
  },
  // slb-20140515: the nine original regions and the finance/gov ones share `slb.aliyuncs.com`.
  slb: Object.fromEntries(
    ["cn-qingdao", "cn-beijing", "cn-hangzhou", "cn-shanghai", "cn-shenzhen", "cn-hongkong", "ap-southeast-1", "us-east-1", "us-west-1", "cn-shanghai-finance-1", "cn-shenzhen-finance-1", "cn-north-2-gov-1", "cn-beijing-gov-1", "cn-hangzhou-finance", "cn-fujian", "cn-wuhan", "cn-zhangbei"].map((r) => [r, "slb.aliyuncs.com"]),
  ),
  // ess-20140828, the version the handlers call (ess-20220222 also sends cn-nanjing and cn-zhangbei to the central host).
  ess: Object.fromEntries(
    ["cn-qingdao", "cn-beijing", "cn-hangzhou", "cn-shanghai", "cn-shenzhen", "cn-hongkong", "ap-southeast-1", "us-west-1", "us-east-1", "cn-shanghai-finance-1", "cn-shenzhen-finance-1", "cn-north-2-gov-1", "cn-beijing-finance-1", "cn-beijing-gov-1", "cn-hangzhou-finance", "cn-fujian", "cn-wuhan"].map((r) => [r, "ess.aliyuncs.com"]),
  ),
};

/** The product name in the host, where it differs from ours: CMS answers at `metrics.<region>` (cms-20190101 map, every region). */
const HOST_PRODUCT: Partial<Record<RpcProduct, string>> = { cms: "metrics" };

/**
 * The SDK's host for `product` in `regionId`. ALB has no map (alb-20200616): always regional.
 * Throws for a region id of the wrong shape, so nothing else ever becomes part of a host.
 */
export function rpcHost(product: RpcProduct, regionId: string): string {
  if (!isRegionId(regionId)) throw new Error(`not a region id: ${shown(regionId)}; no ${product} endpoint is built from it`);
  const central = product in CENTRAL ? CENTRAL[product as keyof typeof CENTRAL][regionId] : undefined;
  return central ?? `${HOST_PRODUCT[product] ?? product}.${regionId}.aliyuncs.com`;
}
