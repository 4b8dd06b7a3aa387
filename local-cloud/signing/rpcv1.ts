// Server-side check of RPC signature v1 (HMAC-SHA1 over
// METHOD&%2F&enc(sorted canonical query), key = secret + "&").
import { ApiError } from "../errors";
import { hmac, percentEncode, safeEqual } from "../encoding";
import type { Keyring } from "./keys";

export function verifyRpcV1(method: string, params: Readonly<Record<string, string>>, keys: Keyring): string {
  const signature = params.Signature;
  const accessKeyId = params.AccessKeyId;
  if (!signature || !accessKeyId) {
    throw new ApiError(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards: Signature and AccessKeyId are required.");
  }
  if (params.SignatureMethod && params.SignatureMethod !== "HMAC-SHA1") {
    throw new ApiError(400, "IncompleteSignature", `SignatureMethod "${params.SignatureMethod}" is not supported; use HMAC-SHA1.`);
  }
  const cred = keys.get(accessKeyId);
  if (!cred) throw new ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");

  const canonical = Object.keys(params)
    .filter((k) => k !== "Signature")
    .map((k) => [percentEncode(k), percentEncode(params[k])] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const stringToSign = `${method.toUpperCase()}&${percentEncode("/")}&${percentEncode(canonical)}`;
  const expected = hmac("sha1", cred.accessKeySecret + "&", stringToSign).toString("base64");
  if (!safeEqual(expected, signature)) {
    throw new ApiError(400, "SignatureDoesNotMatch", `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
  }
  return accessKeyId;
}
