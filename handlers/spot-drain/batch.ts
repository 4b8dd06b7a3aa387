// The batch executor: the valid events of one queue-trigger batch drained
// together. Each event is claimed (the same journaled marker as the
// single-event path, core/idempotency.ts), its instance described (100 per
// call) and discovered (one scan for the batch); then plan.ts groups the
// instances by target and this module makes, per target, one weight change
// (weight 0 for every instance of the batch there), waits the drain wait once
// (from the last weight 0 applied to the first removal), judges capacity over
// the whole batch and makes one removal per target. ALB changes wait for their
// job (lb/alb.ts), so a group sees one job at a time from this invocation;
// another batch's job on the same group is a busy answer the gateway retries.
//
// Idempotency per (event, target): an event's claim makes this invocation its
// only owner (a concurrent batch or redelivery holding it gets `duplicate`);
// the weight-0 step is recorded in the event's marker with the targets it
// covered and when, so a takeover (redelivery after the lease, or the sweeper
// through the single-event path) rediscovers what is left and waits only the
// rest of the drain wait. A removal already applied leaves the instance out
// of that target, so discovery never plans it twice; an ALB entry still
// `Removing` is left alone (plan.ts).
import { createHash } from "node:crypto";
import { groupPolicyFor } from "../contract";
import { alertSinkFor } from "../core/alerts";
import { BatchPorts, batchOutcome, claimEach, MARKER_CONCURRENCY, pendingOf, settleEach, triage, type BatchEvent } from "../core/batch-events";
import { messageOf } from "../core/errors";
import { CloudGateway } from "../core/gateway";
import type { Outcome } from "../core/outcome";
import type { BatchInvocation, BatchItem } from "../core/handler";
import type { Json } from "../core/ports";
import { decideScope } from "../core/scope";
import { forEachLimited } from "../core/concurrency";
import { discoverAll, summarize, type Membership } from "../lb/discovery";
import { capacityShortfalls, removeFromTarget, setTargetWeights } from "../lb/drain";
import { chunks, describeTarget } from "../lb/targets";
import { boundedWaitMs, capacityAlert, spotDrain } from "./handler";
import { describeInstances } from "./instances";
import { PER_CALL, planDrain, plannedCalls, removalsAfter, type DrainEvent, type TargetStep } from "./plan";

/** What the runtime passes (core/handler.ts): the invocation's ports and the batch's valid events. */
export type DrainBatch = BatchInvocation;
export type { BatchItem };

/** The progress key of the weight step in an event's marker: `{ at, targets }`. */
export const WEIGHT_ZERO_MARK = "spot-drain:weight-0";
/** An event's state through the batch. */
interface Item extends BatchEvent {
  released?: boolean;
  memberships: Membership[];
  firstWeightZeroMs?: number;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * Drains the batch; one outcome per item, in order. A `failed` event is in the
 * dead-letter queue (with its body) and its marker says failed, as on the
 * single-event path; this throws only when such an event could not be kept.
 */
export async function run(batch: DrainBatch): Promise<Outcome[]> {
  return new BatchRun(batch).run();
}

class BatchRun extends BatchPorts<Item> {
  constructor(b: DrainBatch) {
    super(b, (e) => ({ ...e, memberships: [] }));
  }

  private pending(): Item[] {
    return pendingOf(this.items);
  }

  async run(): Promise<Outcome[]> {
    triage(this.items, spotDrain.name);
    await claimEach(this.items, spotDrain.name, this.b, this.timer.objectStore(this.b.objects), this.clock.now);
    try {
      await this.scope();
      await this.drain();
    } catch (err) {
      // A batch-wide step failed (describe, discovery): every event still open fails with it.
      for (const i of this.pending()) i.result = { outcome: "failed", reason: messageOf(err), error: err };
    }
    return this.finish();
  }

  /** Describes the instances (100 per call) and decides each one as the single-event path does: OOS groups, scope. */
  private async scope(): Promise<void> {
    const { config, regionId } = this.b;
    const open = this.pending();
    if (open.length === 0) return;
    const found = await describeInstances(this.readGateway, open.map((i) => i.event.instanceId), regionId);
    for (const i of open) {
      const instance = found.get(i.event.instanceId);
      const group = instance && groupPolicyFor(config.groupPolicies, instance.tags);
      if (group?.spotPath === "oos") {
        i.result = { outcome: "skipped", reason: `group ${group.group} uses the OOS spot-drain template` };
        continue;
      }
      const scope = decideScope(i.event.instanceId, instance, config.scope);
      if (!scope.inScope) i.result = { outcome: "skipped", reason: scope.reason };
      else i.released = scope.released;
    }
    const inScope = this.pending();
    if (inScope.length === 0) return;
    const found2 = await discoverAll(this.readGateway, [...new Set(inScope.map((i) => i.event.instanceId))], { regionId, clbDiscovery: config.clbDiscovery, concurrency: config.lbConcurrency });
    for (const i of inScope) {
      i.memberships = found2.get(i.event.instanceId) ?? [];
      if (i.memberships.length === 0) i.result = { outcome: "skipped", reason: `instance ${i.event.instanceId} is not a backend of any CLB or ALB server group` };
    }
  }

  private async drain(): Promise<void> {
    const open = this.pending();
    if (open.length === 0) return;
    const events: DrainEvent[] = open.map((i) => ({ key: i.event.key, instanceId: i.event.instanceId, released: !!i.released }));
    const memberships = new Map(open.map((i) => [i.event.instanceId, i.memberships]));
    const plan = planDrain(events, memberships);
    const byKey = new Map(open.map((i) => [i.event.key, i]));

    const weighed = await this.runSteps(plan.weights, "weight", byKey);
    const blocked = new Set([...weighed.failed.keys()]);
    await this.recordWeightZero(open.filter((i) => !i.released && !blocked.has(i.event.key)), plan.targetsOf);

    const waited = await this.drainWait(open.filter((i) => !i.released && !blocked.has(i.event.key)), weighed.lastAt);
    const removals = removalsAfter(plan, blocked, new Map(open.map((i) => [i.event.key, i.event.instanceId])));
    await this.guardCapacity(removals, open.filter((i) => !blocked.has(i.event.key)));
    const removed = await this.runSteps(removals, "removal", byKey);

    const size = `in a batch of ${this.items.length} event(s), ${plannedCalls(plan.weights, removals)} planned mutating call(s)`;
    for (const i of open) {
      const error = weighed.failed.get(i.event.key) ?? removed.failed.get(i.event.key);
      if (error) {
        i.result = { outcome: "failed", reason: `${blocked.has(i.event.key) ? "setting weight 0" : "removal"} failed: ${error.map((e) => `${e.target}: ${messageOf(e.error)}`).join("; ")}`, error: error[0].error };
        continue;
      }
      const what = i.released ? "removed released instance" : "drained and removed";
      i.result = { outcome: "acted", reason: `${what} ${i.event.instanceId} from ${summarize(i.memberships)} ${size}${i.released ? "" : waited}` };
    }
  }

  /**
   * Runs one change per step: every ALB group at once (each one job at a
   * time, lb/alb.ts), the CLB targets LB_CONCURRENCY at a time. Each step's
   * calls join the outcomes of the events it covers.
   */
  private async runSteps(steps: readonly TargetStep[], change: "weight" | "removal", byKey: Map<string, Item>): Promise<{ failed: Map<string, { target: string; error: unknown }[]>; lastAt?: number }> {
    const failed = new Map<string, { target: string; error: unknown }[]>();
    let lastAt: number | undefined;
    const one = async (s: TargetStep) => {
      const cloud = this.gateway();
      const token = `${s.id}/${change}/${sha(s.servers.map((x) => `${x.serverId}:${x.port ?? ""}`).join(",")).slice(0, 16)}`;
      // Call by call (the same split lb/ does), so each instance's weight 0 is timed when its own call applied.
      const parts = chunks(s.servers, PER_CALL[s.target.kind === "alb" ? "alb" : "clb"][change]);
      try {
        for (const [n, part] of parts.entries()) {
          await (change === "weight" ? setTargetWeights : removeFromTarget)(cloud, this.b.regionId, s.target, part, n === 0 ? token : `${token}#${n}`);
          if (change !== "weight") continue;
          const at = this.timer.weightZero();
          lastAt = this.clock.now();
          const applied = new Set(part.map((b) => b.serverId));
          for (const k of s.events) {
            const item = byKey.get(k)!;
            if (applied.has(item.event.instanceId)) item.firstWeightZeroMs ??= at;
          }
        }
      } catch (error) {
        for (const k of s.events) failed.set(k, [...(failed.get(k) ?? []), { target: describeTarget(s.target), error }]);
      } finally {
        this.mutatingCalls += cloud.actions.length;
        for (const k of new Set(s.events)) byKey.get(k)!.actions.push(...cloud.actions);
      }
    };
    const alb = steps.filter((s) => s.target.kind === "alb");
    const clb = steps.filter((s) => s.target.kind !== "alb");
    await Promise.all([forEachLimited(alb, alb.length, one), forEachLimited(clb, this.b.config.lbConcurrency, one)]);
    return { failed, lastAt };
  }

  /** Each drained event's marker records when its weights were 0 and where, for a takeover's wait. */
  private async recordWeightZero(drained: Item[], targetsOf: Map<string, string[]>): Promise<void> {
    const at = new Date(this.clock.now()).toISOString();
    await forEachLimited(
      drained.filter((i) => i.claim && i.ledger),
      MARKER_CONCURRENCY,
      (i) => i.ledger!.recordProgress(i.claim!, WEIGHT_ZERO_MARK, { at, targets: targetsOf.get(i.event.key) ?? [] }).catch((err) => i.warnings.push(`could not record weight 0 in the marker (a takeover waits the whole drain wait again): ${messageOf(err)}`)),
    );
  }

  /**
   * Once for the batch: the configured wait counted from the last weight 0
   * applied now, or from the earliest a previous owner recorded when every
   * drained event's weights were already 0 (a takeover waits only the rest).
   */
  private async drainWait(drained: Item[], lastAt: number | undefined): Promise<string> {
    if (drained.length === 0) return "";
    const { config } = this.b;
    const recorded = drained.map((i) => Date.parse(String((i.claim?.prior[WEIGHT_ZERO_MARK] as Json | undefined)?.at ?? "")));
    const since = lastAt ?? (recorded.every(Number.isFinite) ? Math.max(...recorded) : this.clock.now());
    const left = Math.max(0, config.drainWaitSeconds * 1000 - (this.clock.now() - since));
    const { waitMs, capped } = boundedWaitMs(left / 1000, this.b.deadline.remainingMs());
    if (capped) for (const i of drained) i.warnings.push(`drain wait cut to ${Math.round(waitMs / 1000)}s (configured ${config.drainWaitSeconds}s) to finish before the function deadline`);
    if (config.dryRun) return `; dry run: ${Math.round(waitMs / 1000)}s drain wait skipped`;
    await this.clock.sleep(waitMs);
    return `; waited ${Math.round(waitMs / 1000)}s once for the batch`;
  }

  /** The guard over the whole batch: each target's healthy backends once every instance of the batch has left it. One alert for the batch. */
  private async guardCapacity(removals: readonly TargetStep[], leaving: Item[]): Promise<void> {
    const drained = leaving.filter((i) => !i.released);
    if (drained.length === 0 || removals.length === 0) return;
    const { config, regionId } = this.b;
    const warn = (w: string) => drained.forEach((i) => i.warnings.push(w));
    let short: Awaited<ReturnType<typeof capacityShortfalls>>;
    try {
      short = await capacityShortfalls(this.readGateway, removals.map((s) => ({ ...s.target, entries: s.servers })), config.minHealthyBackends, regionId, config.lbConcurrency);
    } catch (err) {
      return warn(`capacity check failed (${messageOf(err)}); removing anyway`);
    }
    if (short.length === 0) return;
    for (const s of short) warn(`capacity below minimum: ${s.target} keeps ${s.healthyRemaining} healthy backend(s) once the batch's ${drained.length} instance(s) leave, MIN_HEALTHY_BACKENDS=${config.minHealthyBackends}${s.unknown ? ` (${s.unknown} with unknown health)` : ""}`);
    const first = drained[0];
    const who = drained.length === 1 ? first.event.instanceId : `${first.event.instanceId} and ${drained.length - 1} more instance(s) of the batch`;
    const alertCloud = this.gateway();
    const topics = this.b.topics && this.timer.topicPublisher(this.b.topics);
    const sink = alertSinkFor(spotDrain, config, alertCloud, topics, { handler: spotDrain.name, eventId: first.ids.eventId, instanceId: first.event.instanceId }, this.clock.now);
    try {
      await sink.critical(capacityAlert(first.event.name, who, config.minHealthyBackends, short));
    } catch (err) {
      warn(`${messageOf(err)}; removing anyway`);
    } finally {
      first.actions.push(...alertCloud.actions);
    }
  }

  /** Settles each claim, keeps each failed event in the dead-letter queue (core/batch-events.ts), and reports. */
  private async finish(): Promise<Outcome[]> {
    const handlerName = spotDrain.name;
    await settleEach(this.items, handlerName, { deadLetter: this.timer.deadLetter(this.b.deadLetter), requestId: this.b.requestId, receivedAt: new Date(this.started).toISOString(), dryRun: this.b.config.dryRun });
    const base = this.timer.snapshot();
    const durationMs = this.clock.now() - this.started;
    const batch = { id: this.batchKey, events: this.items.length, mutatingCalls: this.mutatingCalls };
    const { firstWeightZeroMs: _batchFirst, ...timings } = base;
    return this.items.map((i) =>
      batchOutcome(i, handlerName, { dryRun: this.b.config.dryRun, durationMs, batch, timings: { ...timings, ...(i.firstWeightZeroMs === undefined ? {} : { firstWeightZeroMs: i.firstWeightZeroMs }) } }),
    );
  }
}
