// A bare HTTP(S) request for the REST products (OSS, MNS) with a hard timeout.
import * as http from "node:http";
import * as https from "node:https";
import { retryAfterFromHeaders } from "./retry";

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One keep-alive agent per protocol for the module's life: a connection to
 * OSS or MNS is reused by the next call, and by the next invocation of a warm
 * instance ("After an instance finishes processing a request, it is frozen
 * rather than destroyed ... reuses that instance", FC FAQ "How do I create a
 * new instance for each request?"). Node's global agent keeps alive by
 * default only since Node 19; this does not depend on it. A socket the server
 * closed while idle fails with ECONNRESET, which the adapters retry (retry.ts).
 */
export const AGENTS = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) } as const;

export function httpRequest(url: string, init: { method: string; headers: Record<string, string>; body?: Buffer; timeoutMs: number }): Promise<HttpResponse> {
  const secure = url.startsWith("https:");
  const lib = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: init.method, headers: init.headers, timeout: init.timeoutMs, agent: secure ? AGENTS.https : AGENTS.http }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error(`${init.method} ${url}: no answer within ${init.timeoutMs} ms`), { name: "RequestTimeoutError", code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(init.body);
  });
}

/** REST error bodies are XML: `<Error><Code>..</Code><Message>..</Message></Error>`. */
export class RestApiError extends Error {
  override name = "RestApiError";
  constructor(readonly product: string, readonly statusCode: number, readonly code: string, message: string, readonly retryAfterMs?: number) {
    super(`${product} ${statusCode} ${code}: ${message}`);
  }

  static from(product: string, res: HttpResponse): RestApiError {
    const text = res.body.toString("utf8");
    const tag = (t: string) => text.match(new RegExp(`<${t}>([\\s\\S]*?)</${t}>`))?.[1];
    return new RestApiError(product, res.status, tag("Code") ?? `Http${res.status}`, tag("Message") ?? text.slice(0, 200), retryAfterFromHeaders(res.headers));
  }
}

/** Code points outside the XML 1.0 Char production (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF], W3C XML 1.0 §2.2), lone surrogates included. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text for an element of the MNS XML: markup escaped, and each code point XML
 * 1.0 forbids (not even as `&#...;`) written as a JSON `\uXXXX` escape, so the
 * document stays well-formed (MNS answers MalformedXML otherwise). The MNS
 * bodies are JSON, where that escape keeps the value.
 */
export function xmlEscape(s: string): string {
  return s
    .replace(NOT_XML_CHAR, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
