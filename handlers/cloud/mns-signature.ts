// The MNS request signature (MNS doc "Sign requests", help.aliyun.com/document_detail/27487):
//   Authorization: MNS <AccessKeyId>:base64(HMAC-SHA1(secret,
//     VERB \n Content-MD5 \n Content-Type \n Date \n <x-mns-* headers, lower-case, sorted, name:value\n> <resource>))
// where the resource is the request URI with its query. An STS token travels in
// `security-token`, which is not signed (the official SDK adds it after signing).
// A few lines over node:crypto instead of the MNS SDK; test/handlers/oss-mns-oracles.test.ts
// holds it to @alicloud/mns's own `sign` and to the doc's worked example.
import { createHmac } from "node:crypto";

export interface MnsSigningInput {
  method: string;
  /** Any case; looked up lower-case. */
  headers: Readonly<Record<string, string>>;
  /** The request path and query, e.g. `/queues/q/messages`. */
  resource: string;
}

export function mnsStringToSign(i: MnsSigningInput): string {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(i.headers)) lower[k.toLowerCase()] = v;
  const mnsHeaders = Object.keys(lower)
    .filter((k) => k.startsWith("x-mns-"))
    .sort()
    .map((k) => `${k}:${lower[k].trim()}\n`)
    .join("");
  return [i.method.toUpperCase(), lower["content-md5"] ?? "", lower["content-type"] ?? "", lower["date"] ?? ""].join("\n") + "\n" + mnsHeaders + i.resource;
}

export function mnsSignature(secret: string, stringToSign: string): string {
  return createHmac("sha1", secret).update(stringToSign, "utf8").digest("base64");
}

/** The `Authorization` header value. */
export function mnsAuthorization(accessKeyId: string, accessKeySecret: string, i: MnsSigningInput): string {
  return `MNS ${accessKeyId}:${mnsSignature(accessKeySecret, mnsStringToSign(i))}`;
}
