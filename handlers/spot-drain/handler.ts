// Spot interruption (≈5 minutes' notice): take the instance out of every CLB,
// vServer group and ALB server group — weight 0 first, wait for connections to
// drain, then remove — and shout when that leaves a target short of capacity.
import { groupPolicyFor } from "../contract";
import { ALERT_APIS, ECS } from "../core/apis";
import { forEachOrThrow } from "../core/concurrency";
import type { CriticalAlert, EventHandler, HandlerContext, HandlerResult } from "../core/handler";
import { messageOf } from "../core/errors";
import { decideScope } from "../core/scope";
import { describeInstance } from "../ecs/instance";
import { DISCOVERY_APIS, describeTarget, discoverMemberships, summarize, type Membership } from "../lb/discovery";
import { HEALTH_APIS, REMOVAL_APIS, WEIGHT_APIS, capacityShortfalls, removeInstance, setWeightZero, type CapacityShortfall } from "../lb/drain";
// batch.ts imports this module too; it reads the declaration only inside its functions, so the cycle is harmless.
import { run as runBatch } from "./batch";

/** Time kept free after the wait for the capacity check and the removals. */
export const REMOVAL_RESERVE_MS = 30_000;
export const CAPACITY_EVENT_NAME = "EventOps:CapacityBelowMinimum";

/** The wait actually used: the configured one, cut short so removal still fits before the deadline. */
export function boundedWaitMs(configuredSeconds: number, remainingMs: number): { waitMs: number; capped: boolean } {
  const wanted = configuredSeconds * 1000;
  const room = Math.max(0, remainingMs - REMOVAL_RESERVE_MS);
  return wanted <= room ? { waitMs: wanted, capped: false } : { waitMs: room, capped: true };
}

async function run(ctx: HandlerContext): Promise<HandlerResult> {
  const { event, cloud, config, clock } = ctx;
  const { instanceId, regionId } = event;
  const warnings: string[] = [];
  const instance = await describeInstance(cloud, instanceId, regionId);
  // A group on the OOS path has its own template listening for the same event.
  const group = instance && groupPolicyFor(config.groupPolicies, instance.tags);
  if (group?.spotPath === "oos") return { outcome: "skipped", reason: `group ${group.group} uses the OOS spot-drain template` };
  const scope = decideScope(instanceId, instance, config.scope);
  if (!scope.inScope) return { outcome: "skipped", reason: scope.reason };

  const memberships = await discoverMemberships(cloud, instanceId, { regionId, clbDiscovery: config.clbDiscovery, concurrency: config.lbConcurrency });
  if (memberships.length === 0) return { outcome: "skipped", reason: `instance ${instanceId} is not a backend of any CLB or ALB server group` };

  const on = { cloud, instanceId, regionId };
  let waited = "";
  if (!scope.released) {
    await forEachOrThrow("setting weight 0", memberships, config.lbConcurrency, describeTarget, setWeightZero, { ...on, applied: ctx.weightZero });
    const { waitMs, capped } = boundedWaitMs(config.drainWaitSeconds, ctx.deadline.remainingMs());
    if (capped) warnings.push(`drain wait cut to ${Math.round(waitMs / 1000)}s (configured ${config.drainWaitSeconds}s) to finish before the function deadline`);
    if (cloud.dryRun) waited = `; dry run: ${Math.round(waitMs / 1000)}s drain wait skipped`;
    else {
      await clock.sleep(waitMs);
      waited = `; waited ${Math.round(waitMs / 1000)}s`;
    }
    await guardCapacity(ctx, memberships, warnings);
  }
  await forEachOrThrow("removal", memberships, config.lbConcurrency, describeTarget, removeInstance, on);
  return {
    outcome: "acted",
    reason: `${scope.released ? "removed released instance" : "drained and removed"} ${instanceId} from ${summarize(memberships)}${waited}`,
    warnings,
  };
}

/** The instance goes away regardless; the guard only makes a shortfall loud. */
async function guardCapacity(ctx: HandlerContext, memberships: Membership[], warnings: string[]): Promise<void> {
  const { cloud, config, event } = ctx;
  let short: Awaited<ReturnType<typeof capacityShortfalls>>;
  try {
    short = await capacityShortfalls(cloud, memberships, config.minHealthyBackends, event.regionId, config.lbConcurrency);
  } catch (err) {
    warnings.push(`capacity check failed (${messageOf(err)}); removing anyway`);
    return;
  }
  if (short.length === 0) return;
  for (const s of short) {
    warnings.push(`capacity below minimum: ${s.target} keeps ${s.healthyRemaining} healthy backend(s), MIN_HEALTHY_BACKENDS=${config.minHealthyBackends}${s.unknown ? ` (${s.unknown} with unknown health)` : ""}`);
  }
  try {
    await ctx.alerts.critical(capacityAlert(event.name, event.instanceId, config.minHealthyBackends, short));
  } catch (err) {
    // The sink has retried; the outcome line (logged, and in the DLQ on failure) is what is left.
    warnings.push(`${messageOf(err)}; removing anyway`);
  }
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** E.g. "capacity below minimum: CLB lb-xyz has 1 healthy backend (min 2)". */
export function capacityAlert(eventName: string, instanceId: string, minimum: number, short: readonly CapacityShortfall[]): CriticalAlert {
  const [first, ...more] = short;
  const rest = more.length ? `; ${plural(more.length, "more target")}` : "";
  return {
    name: CAPACITY_EVENT_NAME,
    summary: `capacity below minimum: ${first.target} has ${plural(first.healthyRemaining, "healthy backend")} (min ${minimum})${rest}, after ${instanceId} left`,
    short: `capacity < ${minimum} healthy on ${plural(short.length, "target")}`,
    detail: { eventName, minimumHealthy: minimum, targets: short },
  };
}

export const spotDrain: EventHandler = {
  name: "spot-drain",
  destructive: true,
  apis: [
    ECS.describeInstances,
    ...DISCOVERY_APIS,
    ...WEIGHT_APIS,
    ...HEALTH_APIS,
    ...ALERT_APIS,
    ...REMOVAL_APIS,
  ],
  run,
  runBatch,
};

