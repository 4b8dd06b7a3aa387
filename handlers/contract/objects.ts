// Where handlers keep objects in the stack's marker bucket, and which handler
// reads and writes where: infra narrows each role's OSS statement to these
// prefixes (infra/automation/role-policy.ts), the handlers default to them.
import type { HandlerName } from "../catalogue";

export const OBJECT_PREFIXES = {
  /** Idempotency markers (core/idempotency.ts) and oversized dead-letter bodies (`<markers>/dead-letter/`). */
  markers: "event-ops/markers",
  /** Pending maintenance actions (maintenance/store.ts); apart from the markers, which expire sooner. */
  pending: "event-ops/pending",
} as const;
export type ObjectArea = keyof typeof OBJECT_PREFIXES;

/** Every function dead-letters (markers area for oversized bodies); maintenance also keeps pending actions. */
const AREAS: Readonly<Record<HandlerName, readonly ObjectArea[]>> = {
  "spot-drain": ["markers"],
  "instance-cleanup": ["markers"],
  maintenance: ["markers", "pending"],
  expiry: ["markers"],
  "state-record": ["markers"],
};

/** The object prefixes a handler's role may use. */
export function objectPrefixesFor(handler: HandlerName): string[] {
  return AREAS[handler].map((area) => OBJECT_PREFIXES[area]);
}
