// OSS object storage for idempotency markers: PutObject (with
// x-oss-forbid-overwrite for atomic create-if-absent) and GetObject.
import { createHash } from "node:crypto";
import type { Deadline, ObjectStore } from "../core/ports";
import type { CredentialSource } from "./credentials";
import type { Endpoint } from "./endpoints";
import { headerSignature, headerStringToSign } from "./header-signature";
import { httpRequest, RestApiError, type HttpResponse } from "./http";
import { withRetry, type RetryPolicy } from "./retry";

export interface OssOptions {
  bucket: string;
  endpoint: Endpoint;
  credentials: CredentialSource;
  retry: RetryPolicy;
  deadline: Deadline;
  callTimeoutMs: number;
  now?: () => number;
}

export class OssObjectStore implements ObjectStore {
  constructor(private readonly o: OssOptions) {}

  async putIfAbsent(key: string, body: string): Promise<boolean> {
    const res = await this.send("PUT", key, Buffer.from(body, "utf8"), { "x-oss-forbid-overwrite": "true" }, [409]);
    return res.status !== 409;
  }

  async put(key: string, body: string): Promise<void> {
    await this.send("PUT", key, Buffer.from(body, "utf8"), {}, []);
  }

  async get(key: string): Promise<string | undefined> {
    const res = await this.send("GET", key, undefined, {}, [404]);
    return res.status === 404 ? undefined : res.body.toString("utf8");
  }

  /** `oss://bucket/key`, for references in dead-letter records. */
  uri(key: string): string {
    return `oss://${this.o.bucket}/${key}`;
  }

  private async send(method: string, key: string, body: Buffer | undefined, extra: Record<string, string>, expected: number[]): Promise<HttpResponse> {
    const { bucket, endpoint } = this.o;
    const encodedKey = key.split("/").map(encodeURIComponent).join("/");
    const url = endpoint.pathStyle ? `${endpoint.protocol}://${endpoint.host}/${bucket}/${encodedKey}` : `${endpoint.protocol}://${bucket}.${endpoint.host}/${encodedKey}`;
    return withRetry(
      `oss ${method} ${key}`,
      async (timeoutMs) => {
        const cred = await this.o.credentials.get();
        const headers: Record<string, string> = {
          date: new Date(this.o.now?.() ?? Date.now()).toUTCString(),
          ...extra,
          ...(cred.securityToken ? { "x-oss-security-token": cred.securityToken } : {}),
        };
        if (body) {
          headers["content-type"] = "application/json";
          headers["content-md5"] = createHash("md5").update(body).digest("base64");
          headers["content-length"] = String(body.length);
        }
        const toSign = headerStringToSign({ method, headers, resource: `/${bucket}/${key}`, prefix: "x-oss-" });
        headers.authorization = `OSS ${cred.accessKeyId}:${headerSignature(cred.accessKeySecret, toSign)}`;
        const res = await httpRequest(url, { method, headers, body, timeoutMs });
        if ((res.status >= 200 && res.status < 300) || expected.includes(res.status)) return res;
        throw RestApiError.from("oss", res);
      },
      this.o.retry,
      this.o.deadline,
      this.o.callTimeoutMs,
    );
  }
}
