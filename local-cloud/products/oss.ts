// OSS objects, path-style (`/<bucket>/<key>`): PutObject (honouring
// x-oss-forbid-overwrite), GetObject, HeadObject, DeleteObject.
import { crc64 } from "crc64-ecma182.js";
import { ApiError } from "../errors";
import { md5Base64, md5Hex } from "../encoding";
import type { CloudState, OssObject } from "../state";
import type { RestRequest, RestResponse } from "./rest";

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

export function handleOss(req: RestRequest, action: OssAction, bucket: string, key: string, state: CloudState, now: number, opts: OssOptions): RestResponse {
  if (!key) throw new ApiError(400, "InvalidObjectName", "Only object operations are modelled: the path must be /<bucket>/<key>.");
  let objects = state.buckets.get(bucket);
  if (!objects) {
    if (action === "PutObject" && opts.autoCreateBuckets) state.buckets.set(bucket, (objects = new Map()));
    else throw new ApiError(404, "NoSuchBucket", "The specified bucket does not exist.");
  }
  switch (action) {
    case "PutObject": {
      const md5 = req.headers["content-md5"];
      if (typeof md5 === "string" && md5 !== md5Base64(req.body)) throw new ApiError(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
      if (String(req.headers["x-oss-forbid-overwrite"] ?? "").toLowerCase() === "true" && objects.has(key)) {
        throw new ApiError(409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.");
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
