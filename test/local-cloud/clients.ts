// Test-side clients for the fake: the real @alicloud/openapi-client for RPC,
// and raw HTTP requests for OSS and MNS signed by the official SDKs' own
// signers (ali-oss signUtils, @alicloud/mns Client#sign), so the fake's
// verifiers meet the services' reference clients, not the project's code.
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import OpenApiUtil from "@alicloud/openapi-util";
import * as $Util from "@alicloud/tea-util";
import { createHash } from "node:crypto";
import { request } from "node:http";
import type { FakeCloud } from "../../local-cloud/server";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ossSign = require("ali-oss/lib/common/signUtils") as {
  authorizationV4(akId: string, secret: string, region: string, method: string, request: { headers: Record<string, string>; queries?: Record<string, string | null> }, bucket?: string, object?: string, additionalHeaders?: string[]): string;
  buildCanonicalString(method: string, resource: string, request: { headers: Record<string, string>; parameters?: Record<string, string> }): string;
  authorization(akId: string, secret: string, canonicalString: string): string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MnsClient = require("@alicloud/mns") as new (accountId: string, opts: { accessKeyId: string; accessKeySecret: string; endpoint: string }) => { sign(verb: string, headers: Record<string, string>, resource: string): string };

export const VERSIONS = { ECS: "2014-05-26", SLB: "2014-05-15", ALB: "2020-06-16", ESS: "2014-08-28", CMS: "2019-01-01" } as const;
export type RpcProductName = keyof typeof VERSIONS;

export interface RpcError extends Error {
  code: string;
  statusCode?: number;
  data?: { statusCode?: number; Code?: string; Message?: string; RequestId?: string; HostId?: string; Recommend?: string };
}

/** A real SDK client aimed at the fake. */
export function sdkClient(fake: FakeCloud, creds: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string } = {}): OpenApi {
  return new OpenApi(
    new $OpenApi.Config({
      accessKeyId: creds.accessKeyId ?? fake.accessKeyId,
      accessKeySecret: creds.accessKeySecret ?? fake.accessKeySecret,
      securityToken: creds.securityToken,
      endpoint: fake.endpoint,
      protocol: "HTTP",
      regionId: "cn-hangzhou",
    }),
  );
}

/** Calls an RPC API through the SDK's generic callApi; returns the JSON body. */
export async function rpc(
  fake: FakeCloud,
  product: RpcProductName,
  action: string,
  params: Record<string, unknown> = {},
  opts: { client?: OpenApi; readTimeout?: number } = {},
): Promise<Record<string, any>> {
  const client = opts.client ?? sdkClient(fake);
  const res = await client.callApi(
    new $OpenApi.Params({ action, version: VERSIONS[product], protocol: "HTTP", method: "POST", authType: "AK", style: "RPC", pathname: "/", reqBodyType: "json", bodyType: "json" }),
    new $OpenApi.OpenApiRequest({ query: OpenApiUtil.query(params) }),
    new $Util.RuntimeOptions({ readTimeout: opts.readTimeout, autoretry: false }),
  );
  return res.body as Record<string, any>;
}

/** The error an RPC call fails with (throws if it succeeds). */
export async function rpcError(fake: FakeCloud, product: RpcProductName, action: string, params: Record<string, unknown> = {}, opts: { client?: OpenApi } = {}): Promise<RpcError> {
  try {
    await rpc(fake, product, action, params, opts);
  } catch (e) {
    return e as RpcError;
  }
  throw new Error(`${product} ${action} succeeded; an error was expected`);
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawRequest(fake: FakeCloud, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${fake.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** `x-oss-date` as ali-oss stamps it for V4 (UTC, yyyymmdd'T'HHMMss'Z'). */
export const ossDate = (ms = Date.now()): string => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");

export interface OssRequestOptions {
  body?: string | Buffer;
  headers?: Record<string, string>;
  secret?: string;
  accessKeyId?: string;
  /** Default "v4"; "v1" for the old OSS signature. */
  signature?: "v4" | "v1";
  /** Default "virtual-hosted": Host `<bucket>.oss-<region>.aliyuncs.com`, path `/<key>`; "path": `/<bucket>/<key>` on the fake's own host. */
  style?: "virtual-hosted" | "path";
  /** The region in the Host and the V4 scope (default cn-hangzhou). */
  region?: string;
  /** Overrides the Host header (e.g. another region's endpoint). */
  host?: string;
}

/** A signed OSS object request, signed by ali-oss's signUtils (V4 by default). */
export function oss(fake: FakeCloud, method: "PUT" | "GET" | "HEAD" | "DELETE", bucket: string, key: string, opts: OssRequestOptions = {}): Promise<RawResponse> {
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const region = opts.region ?? "cn-hangzhou";
  const headers: Record<string, string> = { ...opts.headers };
  if (body) {
    headers["content-type"] ??= "application/json";
    headers["content-md5"] = createHash("md5").update(body).digest("base64");
    headers["content-length"] = String(body.length);
  }
  const accessKeyId = opts.accessKeyId ?? fake.accessKeyId;
  const secret = opts.secret ?? fake.accessKeySecret;
  if ((opts.signature ?? "v4") === "v4") {
    headers["x-oss-date"] ??= ossDate();
    headers["x-oss-content-sha256"] ??= "UNSIGNED-PAYLOAD";
    headers.authorization = ossSign.authorizationV4(accessKeyId, secret, region, method, { headers, queries: {} }, bucket, key, []);
  } else {
    // ali-oss V1 dates the request with x-oss-date (GMT), which its string to sign uses.
    headers["x-oss-date"] ??= new Date().toUTCString();
    headers.authorization = ossSign.authorization(accessKeyId, secret, ossSign.buildCanonicalString(method, `/${bucket}/${key}`, { headers, parameters: {} }));
  }
  const encodedKey = key.split("/").map(encodeURIComponent).join("/");
  if ((opts.style ?? "virtual-hosted") === "path") return rawRequest(fake, method, `/${bucket}/${encodedKey}`, headers, body);
  return rawRequest(fake, method, `/${encodedKey}`, { ...headers, host: opts.host ?? `${bucket}.oss-${region}.aliyuncs.com` }, body);
}

/** The MNS signature of a request, by @alicloud/mns's own Client#sign. */
export function mnsAuthorizationByTheSdk(fake: FakeCloud, method: string, headers: Record<string, string>, resource: string, creds: { accessKeyId?: string; secret?: string } = {}): string {
  const accessKeyId = creds.accessKeyId ?? fake.accessKeyId;
  const client = new MnsClient(fake.state.accountId, { accessKeyId, accessKeySecret: creds.secret ?? fake.accessKeySecret, endpoint: fake.url });
  return `MNS ${accessKeyId}:${client.sign(method, headers, resource)}`;
}

/** A signed MNS request on `/queues/<q>/messages[?query]`. */
export function mns(fake: FakeCloud, method: "POST" | "GET" | "DELETE" | "PUT", queue: string, opts: { query?: string; body?: string | Buffer; secret?: string; accessKeyId?: string } = {}): Promise<RawResponse> {
  const resource = `/queues/${encodeURIComponent(queue)}/messages${opts.query ? "?" + opts.query : ""}`;
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const headers: Record<string, string> = { date: new Date().toUTCString(), "x-mns-version": "2015-06-06" };
  if (body) {
    headers["content-type"] = "text/xml;charset=utf-8";
    headers["content-length"] = String(body.length);
  }
  headers.authorization = mnsAuthorizationByTheSdk(fake, method, headers, resource, opts);
  return rawRequest(fake, method, resource, headers, body);
}

/** A signed MNS PublishMessage request on `/topics/<topic>/messages`. */
export function mnsPublish(fake: FakeCloud, topic: string, opts: { body: string; secret?: string }): Promise<RawResponse> {
  const resource = `/topics/${encodeURIComponent(topic)}/messages`;
  const body = Buffer.from(opts.body);
  const headers: Record<string, string> = { date: new Date().toUTCString(), "x-mns-version": "2015-06-06", "content-type": "text/xml;charset=utf-8", "content-length": String(body.length) };
  headers.authorization = mnsAuthorizationByTheSdk(fake, "POST", headers, resource, opts);
  return rawRequest(fake, "POST", resource, headers, body);
}

export const xmlTag = (doc: string, tag: string): string | undefined => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(doc)?.[1];
