// Which instances we may touch: only those carrying the scope tag. A released
// instance can no longer be described; then the decision rests on what is
// still visible (its LB / scaling-group memberships) unless
// SCOPE_REQUIRE_TAG_FOR_RELEASED=true, which skips such instances. Pure.
import type { HandlerConfig } from "../contract";

export type ScopeConfig = HandlerConfig["scope"];

export type ScopeDecision =
  | { inScope: true; released: boolean; basis: string }
  | { inScope: false; reason: string };

/** `instance`: what DescribeInstances shows of it, or undefined when it is gone (released). */
export function decideScope(instanceId: string, instance: { tags: Record<string, string> } | undefined, scope: ScopeConfig): ScopeDecision {
  if (instance) {
    return instance.tags[scope.tagKey] === scope.tagValue
      ? { inScope: true, released: false, basis: `tag ${scope.tagKey}=${scope.tagValue}` }
      : { inScope: false, reason: `instance ${instanceId} does not carry the scope tag ${scope.tagKey}=${scope.tagValue}` };
  }
  return scope.requireTagForReleased
    ? { inScope: false, reason: `instance ${instanceId} is released: its tags cannot be checked and SCOPE_REQUIRE_TAG_FOR_RELEASED=true` }
    : { inScope: true, released: true, basis: "released instance still listed as a member (tags no longer visible)" };
}
