// A released instance (StateChange → Deleted, or a delete event Executed):
// remove it from any load-balancer backends left behind and detach it from any
// scaling group that still lists it. No drain: it is already gone — and only
// once DescribeInstances confirms that (R8).
import { ECS, ESS } from "../core/apis";
import type { EventHandler, HandlerContext, HandlerResult } from "../core/handler";
import { forEachLimited, throwIfFailed } from "../core/concurrency";
import type { EcsInstance } from "../ecs/instance";
import { decideScope } from "../core/scope";
import { describeInstance } from "../ecs/instance";
import type { SystemEvent } from "../core/event";
import { describeScalingGroup, detachReleased, scalingGroupsOf, type DetachResult, type ScalingMembership } from "./scaling-group";
import { DISCOVERY_APIS, describeTarget, discoverMemberships, summarize, type Membership } from "../lb/discovery";
import { REMOVAL_APIS, removeInstance } from "../lb/drain";
import type { Target } from "../lb/targets";
// batch.ts imports this module too; it reads these declarations only inside its functions, so the cycle is harmless.
import { run as runBatch } from "./batch";

/**
 * A Deleted notification is not proof (a forged or misrouted one names a live
 * instance): DescribeInstances must no longer list the instance, or list it
 * Stopped — CloudMonitor's StateChange doc: "Stopped: The instance enters the
 * Stopped status if it is stopped, expired, about to expire, locked, and
 * waiting for being released". Undefined when the release is confirmed.
 */
export function notReleased(instanceId: string, instance: EcsInstance | undefined): string | undefined {
  if (!instance || instance.status === "Stopped") return undefined;
  return `DescribeInstances still lists ${instanceId} as ${instance.status ?? "(no status)"}: not released, nothing removed`;
}

/** The skip of an event whose instance is not released yet (both paths). */
export function notReleasedReason(event: SystemEvent, live: string): string {
  return `${event.name}${event.status ? ` (${event.status})` : ""}: ${live}`;
}

export const nothingToClean = (instanceId: string) => `instance ${instanceId} is in no scaling group and behind no load balancer: nothing to clean up`;

/** What one cleanup did, once its removals and detaches ran (both paths): throws naming every target that failed. */
export function cleanupResult(
  c: { instanceId: string; instance: EcsInstance | undefined; basis: string; memberships: readonly Membership[]; groups: readonly ScalingMembership[] },
  removalFailures: readonly { item: Target; error: unknown }[],
  detached: { results: DetachResult[]; failures: { item: ScalingMembership; error: unknown }[] },
): HandlerResult {
  throwIfFailed("cleanup", [...removalFailures.map((f) => ({ item: describeTarget(f.item), error: f.error })), ...detached.failures.map((f) => ({ item: describeScalingGroup(f.item), error: f.error }))], (what) => what);
  const leftToEss = detached.results.filter((r) => r.kind === "left-to-ess").map((r) => r.note);
  return {
    outcome: "acted",
    reason: `cleaned up ${c.instanceId} (${c.instance ? "Stopped" : "no longer listed"}; ${c.basis}): ${summarize(c.memberships)}; ${c.groups.length ? detached.results.map((r) => r.note).join("; ") : "no scaling group"}`,
    ...(leftToEss.length ? { warnings: leftToEss } : {}),
  };
}

async function run(ctx: HandlerContext): Promise<HandlerResult> {
  const { event, cloud, config } = ctx;
  const { instanceId, regionId } = event;
  const instance = await describeInstance(cloud, instanceId, regionId);
  const live = notReleased(instanceId, instance);
  if (live) return { outcome: "skipped", reason: notReleasedReason(event, live) };
  const scope = decideScope(instanceId, instance, config.scope);
  if (!scope.inScope) return { outcome: "skipped", reason: scope.reason };

  const [groups, memberships] = await Promise.all([
    scalingGroupsOf(cloud, instanceId, regionId),
    discoverMemberships(cloud, instanceId, { regionId, clbDiscovery: config.clbDiscovery, concurrency: config.lbConcurrency }),
  ]);
  if (groups.length === 0 && memberships.length === 0) return { outcome: "skipped", reason: nothingToClean(instanceId) };
  const on = { cloud, instanceId, regionId };
  // Load balancers first, whatever ESS answers: a detach may wait out a scaling activity until the deadline.
  const removed = await forEachLimited(memberships, config.lbConcurrency, (m) => removeInstance(m, on));
  const detached = await forEachLimited(groups, config.lbConcurrency, (g) => detachReleased(g, on));
  return cleanupResult({ instanceId, instance, basis: scope.basis, memberships, groups }, removed.failures, detached);
}

export const instanceCleanup: EventHandler = {
  name: "instance-cleanup",
  destructive: true,
  apis: [ECS.describeInstances, ESS.describeScalingInstances, ESS.detachInstances, ESS.describeScalingActivities, ...DISCOVERY_APIS, ...REMOVAL_APIS],
  run,
  runBatch,
};
