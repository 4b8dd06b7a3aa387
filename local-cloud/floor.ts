// The floor of a mass drain: the least time in which every instance of a
// topology can be at weight 0, and removed, under the modelled platform's
// limits. Calls needed per target are its members ÷ the API's per-call limit
// (CLB 20, ALB weight 40, ALB removal 200: products/slb.ts, products/alb.ts);
// calls of one quota go no faster than its token bucket allows
// (rate-limits.ts); an ALB group runs one job at a time, each `albJobMs`
// (products/alb.ts), so its jobs are in sequence; a removal comes at least the
// drain wait after the weight 0 it follows. Each figure is a lower bound
// (network time and processing count as zero): a measured time divided by it
// is ≥ 1, and how far above 1 is the cost of the path measured.
import { ALB_LIMITS } from "./products/alb";
import { MAX_BACKENDS_PER_CALL } from "./products/slb";
import { burstOf, type RateQuota } from "./rate-limits";

export type TargetKind = "clb" | "vserver" | "alb";

export interface FloorTarget {
  kind: TargetKind;
  id: string;
  /** Instances of the burst behind this target. */
  members: number;
}

export interface FloorLimits {
  /** Quota of CLB backend writes (default bucket size as rate-limits.ts). */
  clbWrites: Pick<RateQuota, "perMinute" | "burst">;
  albWrites: Pick<RateQuota, "perMinute" | "burst">;
  albJobMs: number;
  drainWaitMs: number;
  /** Servers per call; defaults: the documented limits the fake enforces. */
  perCall?: { clb?: number; albWeight?: number; albRemove?: number };
}

export interface Floor {
  weightZeroMs: number;
  removedMs: number;
  /** Fewest calls: weight changes and removals, per product. */
  calls: { clbWeight: number; clbRemove: number; albWeight: number; albRemove: number };
  /** What bounds each figure. */
  bindsWeightZero: string;
  bindsRemoved: string;
}

/** Time by which `n` calls can have been made on a full bucket: the first `burst` at once, the rest at the quota's rate. */
export function quotaMs(n: number, q: Pick<RateQuota, "perMinute" | "burst">): number {
  return Math.max(0, n - burstOf(q)) * (60_000 / q.perMinute);
}

const largest = (xs: ReadonlyArray<[number, string]>): [number, string] => xs.reduce((a, b) => (b[0] > a[0] ? b : a), [0, "nothing to do"]);

export function drainFloor(targets: readonly FloorTarget[], limits: FloorLimits): Floor {
  const clbPer = limits.perCall?.clb ?? MAX_BACKENDS_PER_CALL;
  const albWeightPer = limits.perCall?.albWeight ?? ALB_LIMITS.update;
  const albRemovePer = limits.perCall?.albRemove ?? ALB_LIMITS.addOrRemove;
  const calls = { clbWeight: 0, clbRemove: 0, albWeight: 0, albRemove: 0 };
  const albGroups: Array<{ id: string; weightJobs: number; removeJobs: number }> = [];
  for (const t of targets) {
    if (t.members <= 0) continue;
    if (t.kind === "alb") {
      const g = { id: t.id, weightJobs: Math.ceil(t.members / albWeightPer), removeJobs: Math.ceil(t.members / albRemovePer) };
      albGroups.push(g);
      calls.albWeight += g.weightJobs;
      calls.albRemove += g.removeJobs;
    } else {
      const n = Math.ceil(t.members / clbPer);
      calls.clbWeight += n;
      calls.clbRemove += n;
    }
  }
  const job = limits.albJobMs;
  const hasAlb = albGroups.length > 0;
  const [weightZeroMs, bindsWeightZero] = largest([
    [quotaMs(calls.clbWeight, limits.clbWrites), `${calls.clbWeight} CLB weight calls at ${limits.clbWrites.perMinute}/min`],
    ...(hasAlb ? [[quotaMs(calls.albWeight, limits.albWrites) + job, `${calls.albWeight} ALB weight calls at ${limits.albWrites.perMinute}/min, then a job`] as [number, string]] : []),
    ...albGroups.map((g) => [g.weightJobs * job, `${g.weightJobs} weight jobs in sequence on ALB group ${g.id}`] as [number, string]),
  ]);
  const [removedMs, bindsRemoved] = largest([
    [weightZeroMs + limits.drainWaitMs, "the last weight 0, then the drain wait"],
    [quotaMs(calls.clbWeight + calls.clbRemove, limits.clbWrites), `${calls.clbWeight + calls.clbRemove} CLB writes at ${limits.clbWrites.perMinute}/min`],
    ...(hasAlb ? [[quotaMs(calls.albWeight + calls.albRemove, limits.albWrites) + job, `${calls.albWeight + calls.albRemove} ALB writes at ${limits.albWrites.perMinute}/min, then a job`] as [number, string]] : []),
    ...albGroups.map((g) => [(g.weightJobs + g.removeJobs) * job + limits.drainWaitMs, `${g.weightJobs + g.removeJobs} jobs in sequence on ALB group ${g.id} and the drain wait`] as [number, string]),
  ]);
  return { weightZeroMs, removedMs, calls, bindsWeightZero, bindsRemoved };
}
