// Server-side check of ACS3-HMAC-SHA256 (signature v3), what
// @alicloud/openapi-client 0.4.x sends: the canonical request is
//   METHOD \n path \n sorted-encoded-query \n canonical-headers \n signed-header-list \n payload-hash
// and the signature is hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(sha256(canonical request)))).
import { ApiError } from "../errors";
import { hmac, parseRawQuery, percentEncode, safeEqual, sha256Hex } from "../encoding";
import { header, type Keyring, type SignedRequest } from "./keys";

export const ACS3 = "ACS3-HMAC-SHA256";

interface Acs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): Acs3Authorization {
  const fields = new Map<string, string>();
  for (const part of value.slice(ACS3.length).trim().split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!accessKeyId || !signedHeaders || !signature) {
    throw new ApiError(400, "IncompleteSignature", "The Authorization header must carry Credential, SignedHeaders and Signature.");
  }
  return { accessKeyId, signedHeaders: signedHeaders.split(";").map((h) => h.trim().toLowerCase()), signature: signature.toLowerCase() };
}

export function canonicalQuery(rawQuery: string): string {
  return parseRawQuery(rawQuery)
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/** Verifies the request; returns the caller's AccessKey id or throws the real error. */
export function verifyAcs3(req: SignedRequest, keys: Keyring): string {
  const authorization = header(req, "authorization") ?? "";
  const auth = parseAuthorization(authorization);
  const cred = keys.get(auth.accessKeyId);
  if (!cred) throw new ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");

  const signed = new Set(auth.signedHeaders);
  for (const name of Object.keys(req.headers)) {
    if ((name.startsWith("x-acs-") || name === "host") && !signed.has(name)) {
      throw new ApiError(400, "IncompleteSignature", `The header "${name}" must be signed.`);
    }
  }

  const declaredHash = header(req, "x-acs-content-sha256");
  if (declaredHash === undefined) throw new ApiError(400, "IncompleteSignature", "The header x-acs-content-sha256 is missing.");
  if (declaredHash !== "UNSIGNED-PAYLOAD" && declaredHash !== sha256Hex(req.body)) {
    throw new ApiError(400, "SignatureDoesNotMatch", "The request body does not match x-acs-content-sha256.");
  }

  const canonicalHeaders = auth.signedHeaders.map((h) => `${h}:${(header(req, h) ?? "").trim()}\n`).join("");
  const canonicalRequest = [
    req.method.toUpperCase(),
    req.rawPath || "/",
    canonicalQuery(req.rawQuery),
    canonicalHeaders,
    auth.signedHeaders.join(";"),
    declaredHash,
  ].join("\n");
  const stringToSign = `${ACS3}\n${sha256Hex(canonicalRequest)}`;
  const expected = hmac("sha256", cred.accessKeySecret, stringToSign).toString("hex");
  if (!safeEqual(expected, auth.signature)) {
    throw new ApiError(400, "SignatureDoesNotMatch", `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
  }
  return cred.accessKeyId;
}
