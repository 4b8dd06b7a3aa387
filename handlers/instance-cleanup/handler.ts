// A released instance (StateChange → Deleted, or a delete event Executed):
// detach it from any scaling group that still lists it and remove it from any
// load-balancer backends left behind. No drain: it is already gone.
import { ECS, ESS } from "../core/apis";
import type { EventHandler, HandlerContext, HandlerResult } from "../core/handler";
import { forEachOrThrow } from "../core/concurrency";
import { decideScope } from "../core/scope";
import { describeInstance } from "../ecs/instance";
import { detachReleased, scalingGroupsOf } from "./scaling-group";
import { DISCOVERY_APIS, describeTarget, discoverMemberships, summarize } from "../lb/discovery";
import { REMOVAL_APIS, removeInstance } from "../lb/drain";

async function run(ctx: HandlerContext): Promise<HandlerResult> {
  const { event, cloud, config } = ctx;
  const { instanceId, regionId } = event;
  const scope = decideScope(instanceId, await describeInstance(cloud, instanceId, regionId), config.scope);
  if (!scope.inScope) return { outcome: "skipped", reason: scope.reason };

  const [groups, memberships] = await Promise.all([
    scalingGroupsOf(cloud, instanceId, regionId),
    discoverMemberships(cloud, instanceId, { regionId, clbDiscovery: config.clbDiscovery, concurrency: config.lbConcurrency }),
  ]);
  if (groups.length === 0 && memberships.length === 0) {
    return { outcome: "skipped", reason: `instance ${instanceId} is in no scaling group and behind no load balancer: nothing to clean up` };
  }
  // Scaling groups first: DetachOption=both may already take it off their load balancers.
  const on = { cloud, instanceId, regionId };
  await forEachOrThrow("scaling-group detach", groups, config.lbConcurrency, (g) => `scaling group ${g.scalingGroupId}`, detachReleased, on);
  await forEachOrThrow("removal", memberships, config.lbConcurrency, describeTarget, removeInstance, on);
  return {
    outcome: "acted",
    reason: `cleaned up ${instanceId} (${scope.basis}): ${groups.length} scaling group(s), ${summarize(memberships)}`,
  };
}

export const instanceCleanup: EventHandler = {
  name: "instance-cleanup",
  destructive: true,
  apis: [ECS.describeInstances, ESS.describeScalingInstances, ESS.detachInstances, ...DISCOVERY_APIS, ...REMOVAL_APIS],
  run,
};
