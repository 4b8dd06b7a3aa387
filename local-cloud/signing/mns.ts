// Server-side check of the MNS request signature, from the MNS doc "Sign
// requests" (help.aliyun.com/document_detail/27487):
//   Authorization: MNS <AccessKeyId>:<Signature>
//   Signature = base64(HMAC-SHA1(secret, VERB \n CONTENT-MD5 \n CONTENT-TYPE \n DATE \n
//               CanonicalizedMNSHeaders CanonicalizedResource))
//   CanonicalizedMNSHeaders: the x-mns-* headers, names lower-case, sorted, "name:value\n";
//   CanonicalizedResource: the request URI with its query; CONTENT-MD5 / CONTENT-TYPE "" when absent;
//   DATE: the Date header (GMT).
// Errors as the MNS "Error codes" table (help.aliyun.com/document_detail/27501) names them.
import { ApiError } from "../errors";
import { hmac, safeEqual } from "../encoding";
import { header, type Keyring, type SignedRequest } from "./keys";

export function verifyMns(req: SignedRequest, keys: Keyring): string {
  const authorization = header(req, "authorization");
  if (authorization === undefined) throw new ApiError(400, "MissingAuthorizationHeader", "The Authorization header is required.");
  const m = /^MNS ([^:\s]+):(\S+)$/.exec(authorization.trim());
  if (!m) throw new ApiError(400, "InvalidAuthorizationHeader", 'The Authorization header must be "MNS AccessKeyId:Signature".');
  const date = header(req, "date");
  if (date === undefined) throw new ApiError(400, "MissingDateHeader", "The Date header is required.");
  const cred = keys.get(m[1]);
  if (!cred) throw new ApiError(403, "InvalidAccessKeyId", "The AccessKey ID you provided does not exist.");
  const mnsHeaders = Object.keys(req.headers)
    .filter((k) => k.startsWith("x-mns-"))
    .sort()
    .map((k) => `${k}:${(header(req, k) ?? "").trim()}\n`)
    .join("");
  const resource = req.rawPath + (req.rawQuery ? "?" + req.rawQuery : "");
  const stringToSign = `${req.method.toUpperCase()}\n${header(req, "content-md5") ?? ""}\n${header(req, "content-type") ?? ""}\n${date}\n${mnsHeaders}${resource}`;
  if (!safeEqual(hmac("sha1", cred.accessKeySecret, stringToSign).toString("base64"), m[2])) {
    throw new ApiError(403, "SignatureDoesNotMatch", `The request signature we calculated does not match the signature you provided. StringToSign: ${JSON.stringify(stringToSign)}`);
  }
  return cred.accessKeyId;
}
