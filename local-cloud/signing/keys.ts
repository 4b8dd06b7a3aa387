// Who may call the fake: AccessKey pairs, looked up by id.
import type { IncomingHttpHeaders } from "node:http";

export interface Credential {
  accessKeyId: string;
  accessKeySecret: string;
}

export type Keyring = ReadonlyMap<string, Credential>;

/** What a verifier needs from an HTTP request. */
export interface SignedRequest {
  method: string;
  /** Path as sent, still percent-encoded, without the query. */
  rawPath: string;
  /** Query string as sent, without `?`. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function header(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(",") : v;
}
