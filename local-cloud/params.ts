// Reading RPC parameters the way the real APIs take them: flat strings,
// repeat lists `Key.N`, object lists `Key.N.Sub`, JSON-string parameters.
import { ApiError, invalidParameter, missingParameter } from "./errors";

export type Params = Readonly<Record<string, string>>;

export function optStr(p: Params, name: string): string | undefined {
  const v = p[name];
  return v === undefined || v === "" ? undefined : v;
}

export function reqStr(p: Params, name: string): string {
  const v = optStr(p, name);
  if (v === undefined) throw missingParameter(name);
  return v;
}

export function optInt(p: Params, name: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const raw = optStr(p, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw invalidParameter(name, `must be an integer, got "${raw}"`);
  if (opts.min !== undefined && n < opts.min) throw invalidParameter(name, `must be >= ${opts.min}`);
  if (opts.max !== undefined && n > opts.max) throw invalidParameter(name, `must be <= ${opts.max}`);
  return n;
}

export function optBool(p: Params, name: string): boolean | undefined {
  const raw = optStr(p, name);
  if (raw === undefined) return undefined;
  if (raw === "true" || raw === "True") return true;
  if (raw === "false" || raw === "False") return false;
  throw invalidParameter(name, `must be true or false, got "${raw}"`);
}

/** `Key.1`, `Key.2`, ... in index order. */
export function repeatList(p: Params, key: string): string[] {
  const found: Array<[number, string]> = [];
  const prefix = key + ".";
  for (const k in p) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    if (!/^\d+$/.test(rest)) continue;
    found.push([Number(rest), p[k]]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Key.1.Sub`, `Key.1.Other`, ... as objects in index order. */
export function objectList(p: Params, key: string): Array<Record<string, string>> {
  const byIndex = new Map<number, Record<string, string>>();
  const prefix = key + ".";
  for (const k in p) {
    if (!k.startsWith(prefix)) continue;
    const m = /^(\d+)\.(.+)$/.exec(k.slice(prefix.length));
    if (!m) continue;
    const i = Number(m[1]);
    let o = byIndex.get(i);
    if (!o) byIndex.set(i, (o = {}));
    o[m[2]] = p[k];
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, o]) => o);
}

/** A parameter that carries JSON text (SLB `BackendServers`, ECS `InstanceIds`). */
export function jsonParam<T = unknown>(p: Params, name: string): T | undefined {
  const raw = optStr(p, name);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw invalidParameter(name, "is not valid JSON");
  }
}

/** Page-number paging as the RPC APIs do it (PageNumber from 1). */
export function pageParams(p: Params, opts: { defaultSize: number; maxSize: number }): { pageNumber: number; pageSize: number } {
  const pageNumber = optInt(p, "PageNumber", { min: 1 }) ?? 1;
  const pageSize = optInt(p, "PageSize", { min: 1, max: opts.maxSize }) ?? opts.defaultSize;
  return { pageNumber, pageSize };
}

export function page<T>(items: readonly T[], pageNumber: number, pageSize: number): T[] {
  const start = (pageNumber - 1) * pageSize;
  return items.slice(start, start + pageSize);
}

/**
 * Token paging (ALB `NextToken` / `MaxResults`, ECS `NextToken`). The token is
 * an opaque offset; an unknown token is rejected as the real APIs do.
 */
export function tokenPage<T>(
  p: Params,
  items: readonly T[],
  opts: { defaultMax: number; maxMax: number; tokenCode?: string },
): { items: T[]; nextToken: string; maxResults: number } {
  const maxResults = optInt(p, "MaxResults", { min: 1, max: opts.maxMax }) ?? opts.defaultMax;
  const token = optStr(p, "NextToken");
  let start = 0;
  if (token !== undefined) {
    const m = /^tok-(\d+)$/.exec(token);
    if (!m) throw new ApiError(400, opts.tokenCode ?? "IllegalParam.NextToken", `The param NextToken "${token}" is illegal.`);
    start = Number(m[1]);
  }
  const slice = items.slice(start, start + maxResults);
  const next = start + maxResults < items.length ? `tok-${start + maxResults}` : "";
  return { items: slice, nextToken: next, maxResults };
}
