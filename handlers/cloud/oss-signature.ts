// The OSS V4 header signature (OSS4-HMAC-SHA256), the only one new buckets
// accept (V1 is gone for buckets created from 2025-09-01: OSS notice "Notice on
// the discontinuation of the OSS V1 signature algorithm"). As the OSS doc
// "Include a V4 signature in the header" defines it
// (help.aliyun.com/en/oss/developer-reference/recommend-to-use-signature-version-4):
//   canonical request = VERB \n URI \n query \n canonical headers \n additional headers \n hashed payload
//   string to sign    = OSS4-HMAC-SHA256 \n x-oss-date \n <yyyymmdd>/<region>/oss/aliyun_v4_request \n hex(sha256(canonical request))
//   signing key       = HMAC-SHA256 chain: "aliyun_v4" + secret → yyyymmdd → region → "oss" → "aliyun_v4_request"
// The URI names the bucket (`/<bucket>/<key>`) even when the Host does. What
// the handlers send keeps it small: no query, no additional headers, payload
// UNSIGNED-PAYLOAD; the canonical headers are content-type, content-md5 and
// every x-oss-* header. A few lines over node:crypto instead of the OSS SDK
// (hundreds of KB per bundle); test/handlers/oss-mns-oracles.test.ts holds it
// to ali-oss byte for byte.
import { createHash, createHmac } from "node:crypto";

export const OSS_V4_ALGORITHM = "OSS4-HMAC-SHA256";
/** What `x-oss-content-sha256` must say for a header-signed request (OSS EC 0002-00000214). */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

export interface OssV4Request {
  method: string;
  bucket: string;
  key: string;
  /** Lower-case names; `x-oss-date` and `x-oss-content-sha256` among them. */
  headers: Readonly<Record<string, string>>;
}

export interface OssV4Key {
  accessKeyId: string;
  accessKeySecret: string;
  /** The bucket's region id (`cn-hangzhou`, not `oss-cn-hangzhou`). */
  region: string;
}

/** `x-oss-date`: ISO 8601 basic, UTC, to the second (`20261120T000000Z`). */
export function ossV4Date(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

/** RFC 3986 encoding of the URI, `/` kept. */
function encodeUri(path: string): string {
  return encodeURIComponent(path).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%2F/g, "/");
}

function signsHeader(name: string): boolean {
  return name === "content-type" || name === "content-md5" || name.startsWith("x-oss-");
}

export function ossV4CanonicalRequest(r: OssV4Request): string {
  const names = Object.keys(r.headers).filter(signsHeader).sort();
  const canonicalHeaders = names.map((n) => `${n}:${r.headers[n].trim()}\n`).join("");
  return [r.method.toUpperCase(), encodeUri(`/${r.bucket}/${r.key}`), "", canonicalHeaders, "", r.headers["x-oss-content-sha256"] ?? UNSIGNED_PAYLOAD].join("\n");
}

const scope = (day: string, region: string): string => `${day}/${region}/oss/aliyun_v4_request`;
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

export function ossV4StringToSign(region: string, xOssDate: string, canonicalRequest: string): string {
  return [OSS_V4_ALGORITHM, xOssDate, scope(xOssDate.slice(0, 8), region), createHash("sha256").update(canonicalRequest, "utf8").digest("hex")].join("\n");
}

export function ossV4Signature(secret: string, day: string, region: string, stringToSign: string): string {
  const key = ["oss", "aliyun_v4_request"].reduce((k, part) => hmac(k, part), hmac(hmac(`aliyun_v4${secret}`, day), region));
  return createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
}

/** The `Authorization` header value (no AdditionalHeaders field: none are signed). */
export function ossV4Authorization(r: OssV4Request, k: OssV4Key): string {
  const date = r.headers["x-oss-date"];
  if (!date) throw new Error("OSS V4 signing needs the x-oss-date header");
  const day = date.slice(0, 8);
  const signature = ossV4Signature(k.accessKeySecret, day, k.region, ossV4StringToSign(k.region, date, ossV4CanonicalRequest(r)));
  return `${OSS_V4_ALGORITHM} Credential=${k.accessKeyId}/${scope(day, k.region)},Signature=${signature}`;
}
