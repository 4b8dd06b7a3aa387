// The batch executor: the valid events of one queue-trigger batch cleaned up
// together. Each event is claimed with the single-event path's marker
// (core/batch-events.ts); the batch's instances are described 100 per call
// and each release confirmed as handler.ts does (R8), then one load-balancer
// discovery covers every instance left and each target gets one removal for
// all the batch's instances there (spot-drain/plan.ts with every instance
// released: no weights, no wait), split only by the API's per-call limit.
// ESS stays per instance: its scaling groups read, then DetachInstances per
// group, with the ClientToken the single-event path sends for that event.
// An event fails (dead letter, marker `failed`) when any of its targets or
// groups failed, after every other removal and detach was tried, as there.
//
// Redelivery: a finished event's marker makes it `duplicate`. A takeover (the
// lease passed, or the sweeper through the single-event path) rediscovers:
// an instance already removed is in no target, and a group that no longer
// lists it is not asked again.
import { BatchPorts, batchOutcome, claimEach, pendingOf, settleEach, triage, type BatchEvent } from "../core/batch-events";
import { forEachLimited } from "../core/concurrency";
import { messageOf } from "../core/errors";
import { sha256 } from "../core/event";
import { CloudGateway } from "../core/gateway";
import type { BatchInvocation } from "../core/handler";
import type { Outcome } from "../core/outcome";
import { decideScope } from "../core/scope";
import type { EcsInstance } from "../ecs/instance";
import { discoverAll, type Membership } from "../lb/discovery";
import { removeFromTarget } from "../lb/drain";
import type { Target } from "../lb/targets";
import { describeInstances } from "../spot-drain/instances";
import { planDrain, type TargetStep } from "../spot-drain/plan";
import { cleanupResult, instanceCleanup, notReleased, notReleasedReason, nothingToClean } from "./handler";
import { detachReleased, scalingGroupsOf, type ScalingMembership } from "./scaling-group";

interface Item extends BatchEvent {
  instance?: EcsInstance;
  /** The scope decision's basis, once confirmed released and in scope. */
  basis?: string;
  groups: ScalingMembership[];
  memberships: Membership[];
  removalFailures: { item: Target; error: unknown }[];
}

/** One outcome per item, in order; throws only when a failed event could not be kept in the dead-letter queue. */
export function run(batch: BatchInvocation): Promise<Outcome[]> {
  return new CleanupBatch(batch).run();
}

class CleanupBatch extends BatchPorts<Item> {
  constructor(b: BatchInvocation) {
    super(b, (e) => ({ ...e, groups: [], memberships: [], removalFailures: [] }));
  }

  async run(): Promise<Outcome[]> {
    triage(this.items, instanceCleanup.name);
    await claimEach(this.items, instanceCleanup.name, this.b, this.timer.objectStore(this.b.objects), this.clock.now);
    try {
      await this.confirm();
      await this.discover();
    } catch (err) {
      // A batch-wide read failed (describe, discovery): every event still open fails with it.
      for (const i of pendingOf(this.items)) i.result = { outcome: "failed", reason: messageOf(err), error: err };
    }
    await this.clean();
    return this.finish();
  }

  /** DescribeInstances for the batch (100 ids per call); each release confirmed and scoped as the single-event path does. */
  private async confirm(): Promise<void> {
    const open = pendingOf(this.items);
    if (open.length === 0) return;
    const found = await describeInstances(this.readGateway, open.map((i) => i.event.instanceId), this.b.regionId);
    for (const i of open) {
      const { instanceId } = i.event;
      const instance = found.get(instanceId);
      const live = notReleased(instanceId, instance);
      if (live) {
        i.result = { outcome: "skipped", reason: notReleasedReason(i.event, live) };
        continue;
      }
      const scope = decideScope(instanceId, instance, this.b.config.scope);
      if (!scope.inScope) i.result = { outcome: "skipped", reason: scope.reason };
      else Object.assign(i, { instance, basis: scope.basis });
    }
  }

  /** One discovery for every instance left, and each one's scaling groups (an event whose ESS read fails fails alone). */
  private async discover(): Promise<void> {
    const open = pendingOf(this.items);
    if (open.length === 0) return;
    const { config, regionId } = this.b;
    const [found] = await Promise.all([
      discoverAll(this.readGateway, [...new Set(open.map((i) => i.event.instanceId))], { regionId, clbDiscovery: config.clbDiscovery, concurrency: config.lbConcurrency }),
      forEachLimited(open, config.lbConcurrency, async (i) => {
        try {
          i.groups = await scalingGroupsOf(this.readGateway, i.event.instanceId, regionId);
        } catch (err) {
          i.result = { outcome: "failed", reason: messageOf(err), error: err };
        }
      }),
    ]);
    for (const i of pendingOf(open)) {
      i.memberships = found.get(i.event.instanceId) ?? [];
      if (i.groups.length === 0 && i.memberships.length === 0) i.result = { outcome: "skipped", reason: nothingToClean(i.event.instanceId) };
    }
  }

  /** Load balancers first (one removal per target for the batch), then each instance's scaling groups; then each event's result. */
  private async clean(): Promise<void> {
    const open = pendingOf(this.items);
    if (open.length === 0) return;
    const { config, regionId } = this.b;
    const plan = planDrain(
      open.map((i) => ({ key: i.event.key, instanceId: i.event.instanceId, released: true })),
      new Map(open.map((i) => [i.event.instanceId, i.memberships])),
    );
    const byKey = new Map(open.map((i) => [i.event.key, i]));
    const remove = async (s: TargetStep) => {
      const cloud = this.gateway(this.batchKey);
      const token = `${s.id}/removal/${sha256(s.servers.map((x) => `${x.serverId}:${x.port ?? ""}`).join(",")).slice(0, 16)}`;
      try {
        await removeFromTarget(cloud, regionId, s.target, s.servers, token);
      } catch (error) {
        for (const k of new Set(s.events)) byKey.get(k)!.removalFailures.push({ item: s.target, error });
      } finally {
        this.mutatingCalls += cloud.actions.length;
        for (const k of new Set(s.events)) byKey.get(k)!.actions.push(...cloud.actions);
      }
    };
    // ALB groups all at once (each change waits for its job, lb/alb.ts), CLB targets LB_CONCURRENCY at a time, as spot-drain.
    const alb = plan.removals.filter((s) => s.target.kind === "alb");
    const clb = plan.removals.filter((s) => s.target.kind !== "alb");
    await Promise.all([forEachLimited(alb, alb.length, remove), forEachLimited(clb, config.lbConcurrency, remove)]);

    await forEachLimited(open, config.lbConcurrency, async (i) => {
      const { instanceId } = i.event;
      // The event's own gateway: the ClientToken of each DetachInstances is the single-event path's (event key, group).
      const cloud = this.gateway(i.event.key);
      const detached = await forEachLimited(i.groups, config.lbConcurrency, (g) => detachReleased(g, { cloud, instanceId, regionId }));
      this.mutatingCalls += cloud.actions.length;
      i.actions.push(...cloud.actions);
      try {
        const r = cleanupResult({ instanceId, instance: i.instance, basis: i.basis!, memberships: i.memberships, groups: i.groups }, i.removalFailures, detached);
        i.warnings.push(...(r.warnings ?? []));
        i.result = { outcome: r.outcome, reason: r.reason };
      } catch (err) {
        i.result = { outcome: "failed", reason: messageOf(err), error: err };
      }
    });
  }

  private async finish(): Promise<Outcome[]> {
    const { config, requestId } = this.b;
    await settleEach(this.items, instanceCleanup.name, { deadLetter: this.timer.deadLetter(this.b.deadLetter), requestId, receivedAt: new Date(this.started).toISOString(), dryRun: config.dryRun });
    const { firstWeightZeroMs: _none, ...timings } = this.timer.snapshot();
    const o = { dryRun: config.dryRun, durationMs: this.clock.now() - this.started, timings, batch: { id: this.batchKey, events: this.items.length, mutatingCalls: this.mutatingCalls } };
    return this.items.map((i) => batchOutcome(i, instanceCleanup.name, o));
  }
}
