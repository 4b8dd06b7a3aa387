// Server-side checks of the OSS v1 and MNS header signatures. Both sign
//   VERB \n Content-MD5 \n Content-Type \n Date \n <prefixed headers> <resource>
// with HMAC-SHA1(secret), base64, sent as `Authorization: OSS|MNS AK:sig`.
import { ApiError } from "../errors";
import { hmac, parseRawQuery, safeEqual } from "../encoding";
import { header, type Keyring, type SignedRequest } from "./keys";

function canonicalPrefixedHeaders(req: SignedRequest, prefix: string): string {
  return Object.keys(req.headers)
    .filter((k) => k.startsWith(prefix))
    .sort()
    .map((k) => `${k}:${(header(req, k) ?? "").trim()}\n`)
    .join("");
}

function parseAuth(req: SignedRequest, scheme: "OSS" | "MNS"): { accessKeyId: string; signature: string } {
  const value = header(req, "authorization") ?? "";
  const m = new RegExp(`^${scheme} ([^:]+):(.+)$`).exec(value.trim());
  if (!m) throw new ApiError(403, "AccessDenied", `The Authorization header must be "${scheme} AccessKeyId:Signature".`);
  return { accessKeyId: m[1], signature: m[2] };
}

function check(req: SignedRequest, keys: Keyring, scheme: "OSS" | "MNS", resource: string, dates: string[]): string {
  const auth = parseAuth(req, scheme);
  const cred = keys.get(auth.accessKeyId);
  if (!cred) throw new ApiError(403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.".replace("OSS", scheme));
  const prefix = scheme === "OSS" ? "x-oss-" : "x-mns-";
  const headers = canonicalPrefixedHeaders(req, prefix);
  const head = [req.method.toUpperCase(), header(req, "content-md5") ?? "", header(req, "content-type") ?? ""];
  let lastStringToSign = "";
  for (const date of dates) {
    lastStringToSign = `${head.join("\n")}\n${date}\n${headers}${resource}`;
    const expected = hmac("sha1", cred.accessKeySecret, lastStringToSign).toString("base64");
    if (safeEqual(expected, auth.signature)) return cred.accessKeyId;
  }
  throw new ApiError(403, "SignatureDoesNotMatch", `The request signature we calculated does not match the signature you provided. StringToSign: ${JSON.stringify(lastStringToSign)}`);
}

/** OSS sub-resources that take part in the canonical resource. */
const OSS_SUBRESOURCES = new Set([
  "acl", "append", "bucketInfo", "callback", "callback-var", "cname", "comp", "cors", "delete", "lifecycle", "live",
  "location", "logging", "objectMeta", "partNumber", "position", "qos", "referer", "replication", "restore",
  "response-cache-control", "response-content-disposition", "response-content-encoding", "response-content-language",
  "response-content-type", "response-expires", "security-token", "symlink", "tagging", "uploadId", "uploads",
  "versionId", "versioning", "versions", "website", "x-oss-process",
]);

/** Path-style OSS: the resource is `/<bucket>/<key>` (decoded) plus sorted sub-resources. */
export function verifyOss(req: SignedRequest, keys: Keyring, bucket: string, key: string): string {
  const sub = parseRawQuery(req.rawQuery)
    .filter(([k]) => OSS_SUBRESOURCES.has(k))
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => (v === "" ? k : `${k}=${v}`));
  const resource = `/${bucket}/${key}${sub.length ? "?" + sub.join("&") : ""}`;
  const dates = [header(req, "date"), header(req, "x-oss-date")].filter((d): d is string => d !== undefined);
  if (dates.length === 0) throw new ApiError(403, "AccessDenied", "The Date header is required.");
  return check(req, keys, "OSS", resource, dates);
}

/** MNS: the resource is the request URI as sent (path and query). */
export function verifyMns(req: SignedRequest, keys: Keyring): string {
  const resource = req.rawPath + (req.rawQuery ? "?" + req.rawQuery : "");
  const dates = [header(req, "date"), header(req, "x-mns-date")].filter((d): d is string => d !== undefined);
  if (dates.length === 0) throw new ApiError(403, "AccessDenied", "The Date header is required.");
  return check(req, keys, "MNS", resource, dates);
}
