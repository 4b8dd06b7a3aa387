// Test-side clients for the fake: the real @alicloud/openapi-client for RPC,
// and small hand-signed HTTP requests for OSS and MNS (no SDK installed).
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import OpenApiUtil from "@alicloud/openapi-util";
import * as $Util from "@alicloud/tea-util";
import { createHash, createHmac } from "node:crypto";
import { request } from "node:http";
import type { FakeCloud } from "../../local-cloud/server";

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

function headerSign(secret: string, method: string, headers: Record<string, string>, prefix: string, resource: string): string {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canon = Object.keys(lower).filter((k) => k.startsWith(prefix)).sort().map((k) => `${k}:${lower[k].trim()}\n`).join("");
  const toSign = `${method}\n${lower["content-md5"] ?? ""}\n${lower["content-type"] ?? ""}\n${lower["date"] ?? ""}\n${canon}${resource}`;
  return createHmac("sha1", secret).update(toSign).digest("base64");
}

/** A signed OSS path-style request. */
export function oss(
  fake: FakeCloud,
  method: "PUT" | "GET" | "HEAD" | "DELETE",
  bucket: string,
  key: string,
  opts: { body?: string; headers?: Record<string, string>; secret?: string } = {},
): Promise<RawResponse> {
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const headers: Record<string, string> = { date: new Date().toUTCString(), ...opts.headers };
  if (body) {
    headers["content-type"] ??= "application/json";
    headers["content-md5"] = createHash("md5").update(body).digest("base64");
    headers["content-length"] = String(body.length);
  }
  headers.authorization = `OSS ${fake.accessKeyId}:${headerSign(opts.secret ?? fake.accessKeySecret, method, headers, "x-oss-", `/${bucket}/${key}`)}`;
  return rawRequest(fake, method, `/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`, headers, body);
}

/** A signed MNS request on `/queues/<q>/messages[?query]`. */
export function mns(fake: FakeCloud, method: "POST" | "GET" | "DELETE" | "PUT", queue: string, opts: { query?: string; body?: string; secret?: string } = {}): Promise<RawResponse> {
  const resource = `/queues/${encodeURIComponent(queue)}/messages${opts.query ? "?" + opts.query : ""}`;
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const headers: Record<string, string> = { date: new Date().toUTCString(), "x-mns-version": "2015-06-06" };
  if (body) {
    headers["content-type"] = "text/xml;charset=utf-8";
    headers["content-length"] = String(body.length);
  }
  headers.authorization = `MNS ${fake.accessKeyId}:${headerSign(opts.secret ?? fake.accessKeySecret, method, headers, "x-mns-", resource)}`;
  return rawRequest(fake, method, resource, headers, body);
}

/** A signed MNS PublishMessage request on `/topics/<topic>/messages`. */
export function mnsPublish(fake: FakeCloud, topic: string, opts: { body: string; secret?: string }): Promise<RawResponse> {
  const resource = `/topics/${encodeURIComponent(topic)}/messages`;
  const body = Buffer.from(opts.body);
  const headers: Record<string, string> = { date: new Date().toUTCString(), "x-mns-version": "2015-06-06", "content-type": "text/xml;charset=utf-8", "content-length": String(body.length) };
  headers.authorization = `MNS ${fake.accessKeyId}:${headerSign(opts.secret ?? fake.accessKeySecret, "POST", headers, "x-mns-", resource)}`;
  return rawRequest(fake, "POST", resource, headers, body);
}

export const xmlTag = (doc: string, tag: string): string | undefined => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(doc)?.[1];
