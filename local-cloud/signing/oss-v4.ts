// Server-side check of the OSS V4 header signature, written from the OSS doc
// "Include a V4 signature in the header (recommended)"
// (help.aliyun.com/en/oss/developer-reference/recommend-to-use-signature-version-4),
// not from any client:
//   Authorization: OSS4-HMAC-SHA256 Credential=<AccessKeyId>/<SignDate>/<SignRegion>/oss/aliyun_v4_request,
//                  [AdditionalHeaders=<h1;h2>,] Signature=<64 hex>     (", " or "," between the fields)
//   CanonicalRequest = HTTP Verb \n Canonical URI \n Canonical Query String \n Canonical Headers \n
//                      Additional Headers \n Hashed PayLoad
//     Canonical URI: "/" + bucket + "/" + object, URI-encoded (the bucket also when the Host names it)
//     Canonical Query String: parameters sorted by name, "name=value" URI-encoded, a parameter without "=" as "name"
//     Canonical Headers: lower-case name:trimmed value\n for content-type, content-md5, every x-oss-* header
//                        and the AdditionalHeaders, sorted by name
//     Hashed PayLoad: the x-oss-content-sha256 header, which must be UNSIGNED-PAYLOAD (EC 0002-00000214)
//   StringToSign = "OSS4-HMAC-SHA256" \n x-oss-date \n <SignDate>/<region>/oss/aliyun_v4_request \n hex(SHA256(CanonicalRequest))
//   SigningKey   = HMAC-SHA256 of "aliyun_v4"+secret over SignDate, then region, then "oss", then "aliyun_v4_request"
// The server signs with the BUCKET's region: a client scoping another region
// gets SignatureDoesNotMatch. Mismatches carry <StringToSign> and
// <CanonicalRequest>, as OSS's signature error pages describe ("If the server
// returns a response that contains the StringToSign parameter ...").
import { createHash, createHmac } from "node:crypto";
import { ApiError } from "../errors";
import { parseRawQuery, safeEqual } from "../encoding";
import { header, type Keyring, type SignedRequest } from "./keys";

export const OSS4 = "OSS4-HMAC-SHA256";

/** Where the request is addressed, as the fake resolved it. */
export interface OssTarget {
  bucket: string;
  key: string;
  /** The bucket's region id. */
  region: string;
}

interface V4Authorization {
  accessKeyId: string;
  signDate: string;
  additionalHeaders: string[];
  signature: string;
}

// OSS's pages on malformed V4 headers give no error code or status; the fake answers 400 InvalidArgument (with the EC where a page names one).
const malformed = (message: string, ec?: string): ApiError => new ApiError(400, "InvalidArgument", message, ec ? { EC: ec } : {});

function parseAuthorization(value: string): V4Authorization {
  const fields = new Map<string, string>();
  for (const part of value.slice(OSS4.length).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential")?.split("/") ?? [];
  const signature = fields.get("Signature") ?? "";
  const [accessKeyId, signDate, signRegion, product, terminator] = credential;
  if (credential.length !== 5 || !accessKeyId || !/^\d{8}$/.test(signDate) || !signRegion || product !== "oss" || terminator !== "aliyun_v4_request") {
    throw malformed("The Credential in the Authorization header must be <AccessKeyId>/<SignDate>/<SignRegion>/oss/aliyun_v4_request.");
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) throw malformed("The Signature in the Authorization header must be 64 lower-case hexadecimal digits.");
  const additional = fields.get("AdditionalHeaders");
  return { accessKeyId, signDate, additionalHeaders: additional ? additional.split(";").map((h) => h.trim().toLowerCase()) : [], signature };
}

/** URI encoding of the doc: every byte but A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex); "/" kept in the URI. */
function uriEncode(text: string, keepSlash: boolean): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === "/") ? c : "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function canonicalQueryString(rawQuery: string): string {
  const raw = rawQuery ? rawQuery.split("&").filter(Boolean) : [];
  return parseRawQuery(rawQuery)
    .map(([name, value], i) => ({ name: uriEncode(name, false), value: raw[i].includes("=") ? uriEncode(value, false) : undefined }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => (p.value === undefined ? p.name : `${p.name}=${p.value}`))
    .join("&");
}

function canonicalHeaders(req: SignedRequest, additional: string[]): string {
  const names = new Set(additional);
  for (const name of Object.keys(req.headers)) if (name === "content-type" || name === "content-md5" || name.startsWith("x-oss-")) names.add(name);
  return [...names]
    .sort()
    .map((name) => `${name}:${(header(req, name) ?? "").trim()}\n`)
    .join("");
}

const hmacSha256 = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/** Verifies a V4-signed OSS request; returns the caller's AccessKey id or throws OSS's answer. */
export function verifyOssV4(req: SignedRequest, keys: Keyring, target: OssTarget): string {
  const auth = parseAuthorization(header(req, "authorization") ?? "");
  const cred = keys.get(auth.accessKeyId);
  if (!cred) throw new ApiError(403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.");
  const date = header(req, "x-oss-date");
  if (!date || !/^\d{8}T\d{6}Z$/.test(date)) throw malformed("A V4-signed request needs x-oss-date in ISO 8601 basic format, e.g. 20261120T000000Z.");
  const payload = header(req, "x-oss-content-sha256");
  if (payload !== "UNSIGNED-PAYLOAD") throw malformed("The value of the x-oss-content-sha256 header is invalid: set it to UNSIGNED-PAYLOAD.", "0002-00000214");
  for (const h of auth.additionalHeaders) if (header(req, h) === undefined) throw malformed(`The additional header ${h} is not in the request.`);

  const canonicalRequest = [
    req.method.toUpperCase(),
    uriEncode(`/${target.bucket}/${target.key}`, true),
    canonicalQueryString(req.rawQuery),
    canonicalHeaders(req, auth.additionalHeaders),
    auth.additionalHeaders.join(";"),
    payload,
  ].join("\n");
  const scope = `${auth.signDate}/${target.region}/oss/aliyun_v4_request`;
  const stringToSign = [OSS4, date, scope, createHash("sha256").update(canonicalRequest, "utf8").digest("hex")].join("\n");
  let key = hmacSha256(`aliyun_v4${cred.accessKeySecret}`, auth.signDate);
  for (const part of [target.region, "oss", "aliyun_v4_request"]) key = hmacSha256(key, part);
  const expected = createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
  if (!safeEqual(expected, auth.signature)) {
    throw new ApiError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", { StringToSign: stringToSign, CanonicalRequest: canonicalRequest });
  }
  return cred.accessKeyId;
}
