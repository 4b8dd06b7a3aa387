// Where each product's API lives: the public endpoint for the region, unless
// ALIBABA_CLOUD_ENDPOINT_<PRODUCT> overrides it with a full URL (a fake cloud,
// a VPC endpoint, ...). Pure.
import type { Product } from "../core/apis";
import { isAccountId, isRegionId, shown } from "../core/ids";
import { rpcHost } from "./regional-hosts";

export interface Endpoint {
  protocol: "http" | "https";
  /** host or host:port (OSS: the region endpoint; the bucket goes in front, cloud/oss.ts) */
  host: string;
}

export function endpointEnvName(product: Product): string {
  return `ALIBABA_CLOUD_ENDPOINT_${product.toUpperCase()}`;
}

/**
 * Public endpoints: the RPC products as their SDK clients pick them (regional-hosts.ts), OSS
 * `oss-<region>` (OSS "Regions and endpoints"), MNS `<account>.mns.<region>`. Built only from a
 * region id of the documented shape (core/ids.ts) and a numeric account id; anything else throws.
 */
export function defaultHost(product: Product, regionId: string, accountId?: string): string {
  if (!isRegionId(regionId)) throw new Error(`not a region id: ${shown(regionId)}; no ${product} endpoint is built from it`);
  switch (product) {
    case "oss":
      return `oss-${regionId}.aliyuncs.com`;
    case "mns":
      if (!accountId) throw new Error("MNS endpoint needs the account id: FC context.accountId, ALIBABA_CLOUD_ACCOUNT_ID, or ALIBABA_CLOUD_ENDPOINT_MNS");
      if (!isAccountId(accountId)) throw new Error(`MNS endpoint: the account id must be digits, got ${shown(accountId)}`);
      return `${accountId}.mns.${regionId}.aliyuncs.com`;
    default:
      return rpcHost(product, regionId);
  }
}

export function parseEndpointUrl(name: string, value: string): Endpoint {
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`${name}: "${value}" is not a URL; expected e.g. http://127.0.0.1:9100`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`${name}: protocol must be http or https, got ${url.protocol}`);
  if (url.pathname !== "/" && url.pathname !== "") throw new Error(`${name}: give only scheme://host[:port], got path ${url.pathname}`);
  return { protocol: url.protocol === "http:" ? "http" : "https", host: url.host };
}

export function endpointFor(product: Product, regionId: string, env: Record<string, string | undefined>, accountId?: string): Endpoint {
  const name = endpointEnvName(product);
  const override = env[name]?.trim();
  if (override) return parseEndpointUrl(name, override);
  return { protocol: "https", host: defaultHost(product, regionId, accountId) };
}
