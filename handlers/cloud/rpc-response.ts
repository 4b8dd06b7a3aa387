// Alibaba RPC responses wrap lists twice in XML-derived JSON
// (`{LoadBalancers: {LoadBalancer: [...]}}`) and once in newer APIs
// (`{Servers: [...]}`); these helpers read both.
import type { Json } from "../core/ports";

export function listOf(body: Json | undefined, outer: string, inner?: string): Json[] {
  const o = body?.[outer];
  if (Array.isArray(o)) return o as Json[];
  if (inner && o && typeof o === "object") {
    const i = (o as Json)[inner];
    if (Array.isArray(i)) return i as Json[];
    if (i && typeof i === "object") return [i as Json];
  }
  return [];
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined;
}

export function num(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
