// Which instances we may touch: only those carrying the scope tag. A released
// instance can no longer be described; then the decision rests on what is
// still visible (its LB / scaling-group memberships) unless
// SCOPE_REQUIRE_TAG_FOR_RELEASED=true, which skips such instances.
import { ECS } from "../cloud/apis";
import type { CloudGateway } from "../core/gateway";
import { listOf, str } from "../lb/responses";

export interface ScopeConfig {
  tagKey: string;
  tagValue: string;
  requireTagForReleased: boolean;
}

export type InstanceView = { found: false } | { found: true; tags: Record<string, string>; status?: string };

export type ScopeDecision =
  | { inScope: true; released: boolean; basis: string }
  | { inScope: false; reason: string };

export async function describeInstance(cloud: CloudGateway, instanceId: string, regionId: string): Promise<InstanceView> {
  const body = await cloud.read(ECS.describeInstances, { RegionId: regionId, InstanceIds: JSON.stringify([instanceId]) });
  const instance = listOf(body, "Instances", "Instance").find((i) => str(i.InstanceId) === instanceId);
  if (!instance) return { found: false };
  return { found: true, tags: tagsOf(instance), status: str(instance.Status) };
}

/** A DescribeInstances instance's tags as key → value (`TagKey`/`TagValue`, or `Key`/`Value`). */
export function tagsOf(instance: Record<string, unknown>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of listOf(instance, "Tags", "Tag")) {
    const key = str(t.TagKey ?? t.Key);
    if (key) tags[key] = str(t.TagValue ?? t.Value) ?? "";
  }
  return tags;
}

/** Pure: the scope decision from what could be seen. */
export function decideScope(instanceId: string, view: InstanceView, scope: ScopeConfig): ScopeDecision {
  if (view.found) {
    return view.tags[scope.tagKey] === scope.tagValue
      ? { inScope: true, released: false, basis: `tag ${scope.tagKey}=${scope.tagValue}` }
      : { inScope: false, reason: `instance ${instanceId} does not carry the scope tag ${scope.tagKey}=${scope.tagValue}` };
  }
  return scope.requireTagForReleased
    ? { inScope: false, reason: `instance ${instanceId} is released: its tags cannot be checked and SCOPE_REQUIRE_TAG_FOR_RELEASED=true` }
    : { inScope: true, released: true, basis: "released instance still listed as a member (tags no longer visible)" };
}
