// Server-side check of the OSS V1 header signature (OSS doc "Include a V1
// signature in the Authorization header"), for buckets created before V1 was
// withdrawn (products/oss.ts decides which buckets still take it):
//   Authorization: OSS <AccessKeyId>:base64(HMAC-SHA1(secret, VERB\nContent-MD5\nContent-Type\nDate\n
//                  CanonicalizedOSSHeaders CanonicalizedResource))
// Date is x-oss-date when present, else Date; the resource is /<bucket>/<key>
// plus the sorted sub-resources.
import { ApiError } from "../errors";
import { hmac, parseRawQuery, safeEqual } from "../encoding";
import { header, type Keyring, type SignedRequest } from "./keys";
import type { OssTarget } from "./oss-v4";

/** OSS sub-resources that take part in the canonical resource. */
const OSS_SUBRESOURCES = new Set([
  "acl", "append", "bucketInfo", "callback", "callback-var", "cname", "comp", "cors", "delete", "lifecycle", "live",
  "location", "logging", "objectMeta", "partNumber", "position", "qos", "referer", "replication", "restore",
  "response-cache-control", "response-content-disposition", "response-content-encoding", "response-content-language",
  "response-content-type", "response-expires", "security-token", "symlink", "tagging", "uploadId", "uploads",
  "versionId", "versioning", "versions", "website", "x-oss-process",
]);

export function verifyOssV1(req: SignedRequest, keys: Keyring, target: OssTarget): string {
  const m = /^OSS ([^:]+):(.+)$/.exec((header(req, "authorization") ?? "").trim());
  if (!m) throw new ApiError(403, "AccessDenied", 'The Authorization header must be "OSS AccessKeyId:Signature".');
  const cred = keys.get(m[1]);
  if (!cred) throw new ApiError(403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.");
  const date = header(req, "x-oss-date") ?? header(req, "date");
  if (date === undefined) throw new ApiError(403, "AccessDenied", "The Date header is required.");
  const ossHeaders = Object.keys(req.headers)
    .filter((k) => k.startsWith("x-oss-"))
    .sort()
    .map((k) => `${k}:${(header(req, k) ?? "").trim()}\n`)
    .join("");
  const sub = parseRawQuery(req.rawQuery)
    .filter(([k]) => OSS_SUBRESOURCES.has(k))
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => (v === "" ? k : `${k}=${v}`));
  const resource = `/${target.bucket}/${target.key}${sub.length ? "?" + sub.join("&") : ""}`;
  const stringToSign = `${req.method.toUpperCase()}\n${header(req, "content-md5") ?? ""}\n${header(req, "content-type") ?? ""}\n${date}\n${ossHeaders}${resource}`;
  if (!safeEqual(hmac("sha1", cred.accessKeySecret, stringToSign).toString("base64"), m[2])) {
    throw new ApiError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", { StringToSign: stringToSign });
  }
  return cred.accessKeyId;
}
