// The documented shapes of the ids the handlers take from outside (events, the
// FC context, the environment), checked before any of them reaches a host name,
// an API parameter or an object key. Pure.

/**
 * Region ids: lower-case letters, then 1–4 dash-separated lower-case
 * alphanumeric parts (`cn-hangzhou`, `ap-southeast-1`, `cn-shanghai-finance-1`,
 * `cn-hangzhou-internal-test-1`): every key of the ECS, SLB, ESS and CMS SDK
 * endpoint maps (aliyun/alibabacloud-typescript-sdk `<product>/src/client.ts`
 * `_endpointMap`) fits it. Nothing else can reach a host name: no `@ : / # .`.
 */
export const REGION_ID = /^[a-z]{2,4}(?:-[a-z0-9]+){1,4}$/;
export const MAX_REGION_ID_LENGTH = 40;

/**
 * ECS instance ids: `i-` + lower-case alphanumerics (SDK models' examples
 * `i-bp67acfmxazb4ph****`; CMS notifications `i-bp1…`, `i-uf6…`, `i-2ze…`; classic
 * `i-23ij0o82612`). No length is documented; ids seen are 10–22 characters,
 * so 64 is a generous bound, not a fact.
 */
export const INSTANCE_ID = /^i-[a-z0-9]{1,62}$/;

/** Disk (`d-`) and snapshot (`s-`) ids, the other resources system events name (same form). */
export const DISK_ID = /^d-[a-z0-9]{1,62}$/;
export const SNAPSHOT_ID = /^s-[a-z0-9]{1,62}$/;

/** ECS system event ids: `e-` + lower-case alphanumerics (`e-2zeielxl1qzq8slb****`, AcceptInquiredSystemEvent). */
export const SYSTEM_EVENT_ID = /^e-[a-z0-9]{1,62}$/;

/** Alibaba Cloud account (UID) ids: digits (`1234567890123456` in the CMS samples). */
export const ACCOUNT_ID = /^[0-9]{1,20}$/;

export function isRegionId(v: unknown): v is string {
  return typeof v === "string" && v.length <= MAX_REGION_ID_LENGTH && REGION_ID.test(v);
}

export function isAccountId(v: unknown): v is string {
  return typeof v === "string" && ACCOUNT_ID.test(v);
}

/** An untrusted value in a reason: a string's first 80 characters, JSON-quoted; else its type (or the number). */
export function shown(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${v}`;
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : typeof v;
}
