// OSS object storage for markers, pending actions and oversized dead letters:
// PutObject (with x-oss-forbid-overwrite for atomic create-if-absent) and
// GetObject, signed with V4 (oss-signature.ts), addressed virtual-hosted.
//
// Create-if-absent needs an UNVERSIONED bucket: with versioning a PUT makes a
// new version (OSS "Versioning" doc), and no OSS page says forbid-overwrite
// still holds there; the stack's marker bucket sets no versioning.
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { Deadline, ObjectStore } from "../core/ports";
import type { CredentialSource } from "./credentials";
import type { Endpoint } from "./endpoints";
import { httpRequest, RestApiError, type HttpResponse } from "./http";
import { ossV4Authorization, ossV4Date, UNSIGNED_PAYLOAD } from "./oss-signature";
import { withRetry, type RetryPolicy } from "./retry";

export interface OssOptions {
  bucket: string;
  /** The bucket's region id: the V4 signing scope, and the Host when the endpoint is an IP address. */
  region: string;
  endpoint: Endpoint;
  credentials: CredentialSource;
  retry: RetryPolicy;
  deadline: Deadline;
  callTimeoutMs: number;
  now?: () => number;
}

/**
 * Only this answer to a forbid-overwrite PUT means "already there": HTTP 409
 * `FileAlreadyExists` (OSS EC 0026-00000002, help.aliyun.com/en/oss/user-guide/0026-00000002).
 * Any other 409 or error is an error.
 */
export const ALREADY_EXISTS_CODE = "FileAlreadyExists";

/**
 * Where a request goes and the Host it names. OSS addresses every object call
 * by the bucket in the host name, `<bucket>.<endpoint>` (OSS doc "OSS domain
 * names": BucketName.Endpoint). An endpoint that is an IP address (a local
 * cloud) is connected to directly with the Host the real service would see,
 * `<bucket>.oss-<region>.aliyuncs.com`, as ali-oss does for IP endpoints.
 */
export function ossRequestTarget(endpoint: Endpoint, bucket: string, region: string, encodedKey: string): { url: string; host: string } {
  const hostname = new URL(`${endpoint.protocol}://${endpoint.host}`).hostname.replace(/^\[|\]$/g, "");
  if (isIP(hostname)) return { url: `${endpoint.protocol}://${endpoint.host}/${encodedKey}`, host: `${bucket}.oss-${region}.aliyuncs.com` };
  const host = `${bucket}.${endpoint.host}`;
  return { url: `${endpoint.protocol}://${host}/${encodedKey}`, host };
}

export class OssObjectStore implements ObjectStore {
  constructor(private readonly o: OssOptions) {}

  async putIfAbsent(key: string, body: string): Promise<boolean> {
    const res = await this.send("PUT", key, Buffer.from(body, "utf8"), { "x-oss-forbid-overwrite": "true" }, [409]);
    if (res.status !== 409) return true;
    const err = RestApiError.from("oss", res);
    if (err.code === ALREADY_EXISTS_CODE) return false;
    throw err;
  }

  async put(key: string, body: string): Promise<void> {
    await this.send("PUT", key, Buffer.from(body, "utf8"), {}, []);
  }

  async get(key: string): Promise<string | undefined> {
    const res = await this.send("GET", key, undefined, {}, [404]);
    if (res.status !== 404) return res.body.toString("utf8");
    // Only a missing object is "absent"; a missing bucket is a configuration error.
    const err = RestApiError.from("oss", res);
    if (err.code === "NoSuchKey") return undefined;
    throw err;
  }

  /** `oss://bucket/key`, for references in dead-letter records. */
  uri(key: string): string {
    return `oss://${this.o.bucket}/${key}`;
  }

  private async send(method: string, key: string, body: Buffer | undefined, extra: Record<string, string>, expected: number[]): Promise<HttpResponse> {
    const { bucket, region, endpoint } = this.o;
    const encodedKey = key.split("/").map(encodeURIComponent).join("/");
    const target = ossRequestTarget(endpoint, bucket, region, encodedKey);
    return withRetry(
      `oss ${method} ${key}`,
      async (timeoutMs) => {
        const cred = await this.o.credentials.get();
        const headers: Record<string, string> = {
          host: target.host,
          "x-oss-date": ossV4Date(this.o.now?.() ?? Date.now()),
          "x-oss-content-sha256": UNSIGNED_PAYLOAD,
          ...extra,
          ...(cred.securityToken ? { "x-oss-security-token": cred.securityToken } : {}),
        };
        if (body) {
          headers["content-type"] = "application/json";
          headers["content-md5"] = createHash("md5").update(body).digest("base64");
          headers["content-length"] = String(body.length);
        }
        headers.authorization = ossV4Authorization({ method, bucket, key, headers }, { accessKeyId: cred.accessKeyId, accessKeySecret: cred.accessKeySecret, region });
        const res = await httpRequest(target.url, { method, headers, body, timeoutMs });
        if ((res.status >= 200 && res.status < 300) || expected.includes(res.status)) return res;
        throw RestApiError.from("oss", res);
      },
      this.o.retry,
      this.o.deadline,
      this.o.callTimeoutMs,
    );
  }
}
