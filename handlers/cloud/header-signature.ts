// The OSS v1 and MNS header signatures (same scheme, different prefixes):
//   base64(HMAC-SHA1(secret, VERB\nContent-MD5\nContent-Type\nDate\n<x-oss-|x-mns- headers><resource>))
// Written here with node:crypto: a few lines, where the SDKs would add
// hundreds of KB to every bundle.
import { createHmac } from "node:crypto";

export interface HeaderSigningInput {
  method: string;
  headers: Record<string, string>;
  /** OSS: `/<bucket>/<key>`; MNS: the request path. */
  resource: string;
  /** `x-oss-` or `x-mns-` */
  prefix: string;
}

export function headerStringToSign(i: HeaderSigningInput): string {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(i.headers)) lower[k.toLowerCase()] = v;
  const prefixed = Object.keys(lower)
    .filter((k) => k.startsWith(i.prefix))
    .sort()
    .map((k) => `${k}:${lower[k].trim()}\n`)
    .join("");
  return [i.method.toUpperCase(), lower["content-md5"] ?? "", lower["content-type"] ?? "", lower["date"] ?? ""].join("\n") + "\n" + prefixed + i.resource;
}

export function headerSignature(secret: string, stringToSign: string): string {
  return createHmac("sha1", secret).update(stringToSign, "utf8").digest("base64");
}
