// Shared shapes for the REST-style products (OSS, MNS), which speak XML.
import type { IncomingHttpHeaders } from "node:http";
import { xmlEscape } from "../encoding";

export interface RestRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Decoded query parameters; names as sent. */
  query: Map<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** `<Error>` document in the OSS / MNS style. */
export function xmlError(code: string, message: string, requestId: string, hostId: string, extra: Record<string, string> = {}, ns?: string): string {
  const fields = { Code: code, Message: message, RequestId: requestId, HostId: hostId, ...extra };
  const inner = Object.entries(fields).map(([k, v]) => `  <${k}>${xmlEscape(v)}</${k}>`).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error${ns ? ` xmlns="${ns}"` : ""}>\n${inner}\n</Error>\n`;
}

export function queryValue(q: Map<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of q) if (k.toLowerCase() === lower) return v;
  return undefined;
}
