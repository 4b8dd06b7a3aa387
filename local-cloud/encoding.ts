// Small encoding helpers shared by the verifiers and the wire formats.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** RFC 3986 percent-encoding, as Alibaba Cloud signatures use it. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Decodes a raw query string into ordered pairs (no `+` → space: signers encode spaces as %20). */
export function parseRawQuery(raw: string): Array<[string, string]> {
  if (!raw) return [];
  const out: Array<[string, string]> = [];
  for (const part of raw.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? "" : part.slice(eq + 1);
    out.push([safeDecode(k), safeDecode(v)]);
  }
  return out;
}

/** Form bodies (application/x-www-form-urlencoded) do use `+` for spaces. */
export function parseForm(raw: string): Array<[string, string]> {
  return parseRawQuery(raw.replace(/\+/g, "%20"));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export const sha256Hex = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
export const md5Base64 = (data: string | Buffer): string => createHash("md5").update(data).digest("base64");
export const md5Hex = (data: string | Buffer): string => createHash("md5").update(data).digest("hex");
export const hmac = (alg: "sha1" | "sha256", key: string, data: string): Buffer => createHmac(alg, key).update(data, "utf8").digest();

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);
}

export function xmlUnescape(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, "&");
}

/** The first `<tag>text</tag>` in a small XML document, unescaped. */
export function xmlText(doc: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(doc);
  return m ? xmlUnescape(m[1]) : undefined;
}

/** ISO-8601 UTC to the second: `2026-11-20T02:15:00Z`. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** ISO-8601 UTC to the minute, as ECS prints ExpiredTime: `2026-12-01T16:00Z`. */
export const isoMinutes = (ms: number): string => new Date(ms).toISOString().replace(/:\d{2}\.\d{3}Z$/, "Z");

/** CMS eventTime: compact UTC+8, `20261120T101500.120+0800`. */
export function compactUtc8(ms: number): string {
  const d = new Date(ms + 8 * 3600_000).toISOString(); // 2026-11-20T10:15:00.120Z
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}T${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 23)}+0800`;
}
