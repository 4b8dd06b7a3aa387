// OSS objects: PutObject (honouring x-oss-forbid-overwrite), GetObject,
// HeadObject, DeleteObject. Addressed as OSS addresses them, the bucket in the
// Host (`<bucket>.oss-<region>[-internal].aliyuncs.com`, OSS doc "OSS domain
// names": "The domain name used to access a bucket is in the BucketName.Endpoint
// format"), or path-style (`/<bucket>/<key>`) on any other Host. Which
// signatures a bucket takes depends on when it was created (authenticateOss).
import { crc64 } from "crc64-ecma182.js";
import { ApiError } from "../errors";
import { md5Base64, md5Hex } from "../encoding";
import { header, type Keyring, type SignedRequest } from "../signing/keys";
import { verifyOssV1 } from "../signing/oss-v1";
import { OSS4, verifyOssV4 } from "../signing/oss-v4";
import type { CloudState, OssBucket, OssObject } from "../state";
import type { RestRequest, RestResponse } from "./rest";

/**
 * V1 signatures are refused for buckets created from this moment: OSS notice
 * "Notice on the discontinuation of the OSS V1 signature algorithm" ("From
 * September 1, 2025 ... the V1 signature algorithm is no longer available for
 * new buckets", affected time given in UTC+08). The answer is 403 with EC
 * 0002-00000080 ("OSS returns a 403 error when you call an API operation signed
 * with a V1 signature", help.aliyun.com/en/oss/user-guide/0002-00000080); that
 * page names no code, the fake says AccessDenied.
 */
export const V1_REFUSED_FOR_BUCKETS_FROM = Date.parse("2025-09-01T00:00:00+08:00");

export interface OssAddress {
  bucket: string;
  key: string;
  /** The region the Host names (virtual-hosted only). */
  region?: string;
  style: "virtual-hosted" | "path";
}

const BUCKET_HOST = /^([^.]+)\.oss-([a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com(?::\d+)?$/;
/** OSS "HTTP 400" page, InvalidBucketName: lower-case letters, digits and hyphens, 3 to 63 characters, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** Whether a Host names a bucket on an OSS region endpoint. */
export const isBucketHost = (host: string | undefined): boolean => BUCKET_HOST.test(host ?? "");

/** Bucket and key of an object request, from its Host and path. */
export function ossAddress(host: string | undefined, rawPath: string): OssAddress {
  const h = BUCKET_HOST.exec(host ?? "");
  const m = h ? undefined : /^\/([^/]+)\/?(.*)$/.exec(rawPath);
  if (!h && !m) throw new ApiError(400, "InvalidBucketName", "Name the bucket in the Host (<bucket>.oss-<region>.aliyuncs.com) or the path (/<bucket>/<key>).");
  const address: OssAddress = h
    ? { bucket: h[1], key: decodeURIComponent(rawPath.replace(/^\//, "")), region: h[2], style: "virtual-hosted" }
    : { bucket: decodeURIComponent(m![1]), key: decodeURIComponent(m![2]), style: "path" };
  if (!BUCKET_NAME.test(address.bucket)) throw new ApiError(400, "InvalidBucketName", "The specified bucket is not valid.");
  return address;
}

/**
 * Checks the request's signature the way the bucket takes it: V4 always, V1
 * only for buckets created before V1 was withdrawn (a bucket about to be made
 * by this PUT counts as new). Returns the AccessKey id.
 */
export function authenticateOss(req: SignedRequest, keys: Keyring, address: OssAddress, bucket: OssBucket | undefined, defaultRegion: string, now: number): string {
  const region = bucket?.Region ?? address.region ?? defaultRegion;
  if (address.region !== undefined && address.region !== region) {
    // OSS "HTTP 403" page: AccessDenied when a bucket is reached through another region's endpoint.
    throw new ApiError(403, "AccessDenied", "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.", { Endpoint: `oss-${region}.aliyuncs.com` });
  }
  const target = { bucket: address.bucket, key: address.key, region };
  const authorization = header(req, "authorization") ?? "";
  if (authorization.startsWith(OSS4)) return verifyOssV4(req, keys, target);
  if (authorization.startsWith("OSS ")) {
    if ((bucket?.CreationDate ?? now) >= V1_REFUSED_FOR_BUCKETS_FROM) {
      throw new ApiError(403, "AccessDenied", "This bucket does not accept V1 signatures: sign with V4 (OSS4-HMAC-SHA256).", { EC: "0002-00000080" });
    }
    return verifyOssV1(req, keys, target);
  }
  throw new ApiError(403, "AccessDenied", "Anonymous access is not allowed: sign the request (OSS4-HMAC-SHA256).");
}

export type OssAction = "PutObject" | "GetObject" | "HeadObject" | "DeleteObject";

export function ossAction(method: string): OssAction {
  switch (method) {
    case "PUT":
      return "PutObject";
    case "GET":
      return "GetObject";
    case "HEAD":
      return "HeadObject";
    case "DELETE":
      return "DeleteObject";
    default:
      throw new ApiError(405, "MethodNotAllowed", `The specified method ${method} is not allowed against this resource.`);
  }
}

const objectHeaders = (o: OssObject): Record<string, string> => {
  const h: Record<string, string> = {
    "content-type": o.contentType,
    "content-length": String(o.body.length),
    etag: o.etag,
    "last-modified": new Date(o.lastModified).toUTCString(),
    "x-oss-hash-crc64ecma": String(crc64(o.body)),
    "x-oss-object-type": "Normal",
  };
  for (const [k, v] of Object.entries(o.meta)) h[`x-oss-meta-${k}`] = v;
  return h;
};

export interface OssOptions {
  /** Create a bucket on the first PutObject (the real service answers NoSuchBucket). */
  autoCreateBuckets: boolean;
}

export function handleOss(req: RestRequest, action: OssAction, address: OssAddress, state: CloudState, now: number, opts: OssOptions): RestResponse {
  const { bucket, key } = address;
  if (!key) throw new ApiError(400, "InvalidObjectName", "Only object operations are modelled: name an object key.");
  let objects = state.buckets.get(bucket);
  if (!objects) {
    if (action === "PutObject" && opts.autoCreateBuckets) {
      state.addBucket(bucket, { Region: address.region });
      objects = state.buckets.get(bucket)!;
    } else throw new ApiError(404, "NoSuchBucket", "The specified bucket does not exist.");
  }
  switch (action) {
    case "PutObject": {
      const md5 = req.headers["content-md5"];
      if (typeof md5 === "string" && md5 !== md5Base64(req.body)) throw new ApiError(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
      const forbid = req.headers["x-oss-forbid-overwrite"];
      // EC 0017-00000279: the value is true or false (the page names no code; the fake says InvalidArgument).
      if (forbid !== undefined && !/^(true|false)$/i.test(String(forbid))) throw new ApiError(400, "InvalidArgument", "x-oss-forbid-overwrite must be true or false.", { EC: "0017-00000279" });
      // EC 0026-00000002: 409 FileAlreadyExists for a forbid-overwrite PUT over an existing object.
      if (String(forbid ?? "").toLowerCase() === "true" && objects.has(key)) {
        throw new ApiError(409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.", { EC: "0026-00000002" });
      }
      const meta: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (k.startsWith("x-oss-meta-") && typeof v === "string") meta[k.slice("x-oss-meta-".length)] = v;
      const obj: OssObject = {
        body: Buffer.from(req.body),
        contentType: typeof req.headers["content-type"] === "string" ? req.headers["content-type"] : "application/octet-stream",
        etag: `"${md5Hex(req.body).toUpperCase()}"`,
        lastModified: now,
        meta,
      };
      objects.set(key, obj);
      return { status: 200, headers: { etag: obj.etag, "content-md5": md5Base64(obj.body), "x-oss-hash-crc64ecma": String(crc64(obj.body)) } };
    }
    case "GetObject":
    case "HeadObject": {
      const obj = objects.get(key);
      if (!obj) throw new ApiError(404, "NoSuchKey", "The specified key does not exist.");
      return { status: 200, headers: objectHeaders(obj), body: action === "GetObject" ? obj.body : undefined };
    }
    case "DeleteObject":
      objects.delete(key); // deleting a missing object is not an error in OSS
      return { status: 204, headers: {} };
  }
}
