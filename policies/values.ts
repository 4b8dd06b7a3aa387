// How secret-ness and unknown values show up, in both worlds, and the one
// normal form rules read.
//
// - Offline plan graph: secrets are already the string "[secret]"; nothing is
//   unknown (mocks resolve everything), but "[unknown]" is honoured.
// - CrossGuard: props arrive wrapped in a proxy that throws on unknown values;
//   underneath, unknowns are the engine's sentinel strings below. In the
//   analyze phases (validateResource/validateStack) secrets are already
//   unwrapped to plain text (pulumi/pulumi-policy#241): secret-ness is visible
//   only in the remediation phase, as `Secret` instances.
// `normalize` strips the proxies and maps both to the markers, so rules read
// plain data and decide per value instead of aborting on the first unknown.
import { Secret } from "@pulumi/policy";

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

/** The engine's wire sentinels for unknown values (pulumi runtime / @pulumi/policy proxy.js). */
const UNKNOWN_SENTINELS = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN || (typeof v === "string" && UNKNOWN_SENTINELS.has(v));
}

export function isSecret(v: unknown): boolean {
  return v === SECRET || v instanceof Secret;
}

/** Strips CrossGuard's property proxies (unknown-checking, secret-preserving) without reading through them. */
function unwrapProxy(v: unknown): unknown {
  let cur = v as Record<string, unknown> | null;
  for (let i = 0; i < 4 && cur && typeof cur === "object"; i++) {
    let special = false;
    try {
      special = cur.__isSpecialProxy === true;
    } catch {
      return cur;
    }
    if (!special) break;
    cur = cur.__getSpecialProxyTarget as Record<string, unknown>;
  }
  return cur;
}

/** Plain-data copy with secrets as SECRET and unknowns as UNKNOWN. Idempotent. */
export function normalize(v: unknown): unknown {
  const raw = unwrapProxy(v);
  if (raw instanceof Secret) return SECRET;
  if (isUnknown(raw)) return UNKNOWN;
  if (Array.isArray(raw)) return raw.map(normalize);
  if (raw && typeof raw === "object") {
    const proto = Object.getPrototypeOf(raw);
    // Assets, archives and other runtime objects are not data a rule reads.
    if (proto !== Object.prototype && proto !== null) return `[${(raw as object).constructor?.name ?? "object"}]`;
    const out: Record<string, unknown> = {};
    for (const [k, inner] of Object.entries(raw)) out[k] = normalize(inner);
    return out;
  }
  return raw;
}

/** A string, a marker, or undefined: what a rule reads out of a name-like field. */
export function text(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function record(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Set and not empty; SECRET counts as set (its content is hidden, not absent). */
export function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);
}

/** One value found at a property path, with the concrete path it was found at. */
export interface FoundValue {
  /** e.g. `fcParameters[0].arn`. */
  path: string;
  value: unknown;
}

/**
 * The values at a path such as `eventPattern.levelLists[]` or
 * `fcParameters[].arn` (`[]` = every element). Absent values yield nothing; an
 * unknown container yields one UNKNOWN entry at its own path, so a rule can say
 * what it could not verify.
 */
export function valuesAt(root: unknown, path: string): FoundValue[] {
  let found: FoundValue[] = [{ path: "", value: root }];
  for (const step of path.split(".")) {
    const each = step.endsWith("[]");
    const key = each ? step.slice(0, -2) : step;
    const next: FoundValue[] = [];
    for (const f of found) {
      if (isUnknown(f.value)) {
        next.push(f);
        continue;
      }
      const at = f.path ? `${f.path}.${key}` : key;
      const v = record(f.value)[key];
      if (v === undefined || v === null) continue;
      if (!each || isUnknown(v)) next.push({ path: at, value: v });
      else list(v).forEach((item, i) => item !== undefined && item !== null && next.push({ path: `${at}[${i}]`, value: item }));
    }
    found = next;
  }
  return found;
}
