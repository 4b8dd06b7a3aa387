// The drain plan of one trigger batch, pure: instances grouped by target (a
// CLB's default group, a vServer group, an ALB server group), so each target
// gets one weight change and one removal for the whole batch, each split only
// by its API's per-call limit (lb/clb.ts, lb/alb.ts). The executor (batch.ts)
// runs the weight steps, waits once, judges capacity over the whole batch and
// runs the removal steps.
import { ALB_LIMITS } from "../lb/alb";
import { CLB_SERVERS_PER_CALL } from "../lb/clb";
import { targetId, type Backend, type Membership, type Target } from "../lb/targets";

/** One event of the batch as the executor decided it: in scope, its instance described or released. */
export interface DrainEvent {
  key: string;
  instanceId: string;
  /** Released already: nothing to drain, only to remove (as the single-event path does). */
  released: boolean;
}

/** One call-sequence on one target: these servers, split into `calls` calls by the API's limit. */
export interface TargetStep {
  target: Target;
  /** The target's own id (lb/targets.ts targetId). */
  id: string;
  servers: Backend[];
  /** The events whose instances are in `servers`, in batch order. */
  events: string[];
  calls: number;
}

export interface DrainPlan {
  /** Weight 0 on every entry not at 0 yet, per target. */
  weights: TargetStep[];
  /** Every entry to remove, per target (weights or not). */
  removals: TargetStep[];
  /** Each event's targets (ids), for its outcome; an event in no target maps to []. */
  targetsOf: Map<string, string[]>;
}

/** Servers per call of each change (SDK model remarks, cited where the constants are). */
export const PER_CALL = {
  clb: { weight: CLB_SERVERS_PER_CALL, removal: CLB_SERVERS_PER_CALL },
  alb: { weight: ALB_LIMITS.updatePerCall, removal: ALB_LIMITS.removePerCall },
} as const;

type Change = "weight" | "removal";

export function callsFor(t: Target, change: Change, servers: number): number {
  const limit = PER_CALL[t.kind === "alb" ? "alb" : "clb"][change];
  return Math.ceil(servers / limit);
}

/**
 * An ALB entry already being removed (`Removing`, ListServerGroupServers
 * Status, SDK model) is leaving: neither weighed nor removed again.
 */
const leaving = (b: Backend) => b.status === "Removing";

const entryOrder = (a: Backend, b: Backend) => (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : (a.port ?? -1) - (b.port ?? -1));

interface Grouped {
  target: Target;
  weigh: Backend[];
  remove: Backend[];
  events: string[];
}

/** The target alone, without the discovery's entries/others. */
function bareTarget(m: Membership): Target {
  if (m.kind === "alb") return { kind: "alb", serverGroupId: m.serverGroupId };
  if (m.kind === "clb-vserver") return { kind: "clb-vserver", loadBalancerId: m.loadBalancerId, vServerGroupId: m.vServerGroupId };
  return { kind: "clb-default", loadBalancerId: m.loadBalancerId };
}

/**
 * The batch's plan. `memberships`: every instance's targets as discovery found
 * them. Two events of one instance share its entries (each entry once).
 * An entry already at weight 0 needs no weight call; a released instance is
 * only removed.
 */
export function planDrain(events: readonly DrainEvent[], memberships: ReadonlyMap<string, readonly Membership[]>): DrainPlan {
  const byTarget = new Map<string, Grouped>();
  const targetsOf = new Map<string, string[]>();
  const placed = new Set<string>(); // instanceId + target: entries added once
  for (const e of events) {
    const ids: string[] = [];
    for (const m of memberships.get(e.instanceId) ?? []) {
      const id = `${m.kind}:${targetId(m)}`;
      ids.push(targetId(m));
      let g = byTarget.get(id);
      if (!g) byTarget.set(id, (g = { target: bareTarget(m), weigh: [], remove: [], events: [] }));
      g.events.push(e.key);
      if (placed.has(`${id}|${e.instanceId}`)) continue;
      placed.add(`${id}|${e.instanceId}`);
      const entries = m.entries.filter((b) => !leaving(b));
      g.remove.push(...entries);
      // Released: no traffic to drain (and its weights are no longer ours to care about).
      if (!e.released) g.weigh.push(...entries.filter((b) => (b.weight ?? 1) !== 0).map((b) => ({ ...b, weight: 0 })));
    }
    targetsOf.set(e.key, ids);
  }
  const step = (g: Grouped, change: Change, servers: Backend[]): TargetStep => ({
    target: g.target,
    id: targetId(g.target),
    servers: [...servers].sort(entryOrder),
    events: g.events,
    calls: callsFor(g.target, change, servers.length),
  });
  const groups = [...byTarget.values()];
  return {
    weights: groups.filter((g) => g.weigh.length > 0).map((g) => step(g, "weight", g.weigh)),
    removals: groups.filter((g) => g.remove.length > 0).map((g) => step(g, "removal", g.remove)),
    targetsOf,
  };
}

/**
 * The removal steps once the weights ran: an event with a weight step that
 * failed on any target keeps all its entries (as the single-event path, which
 * removes nothing when a weight change fails); its instance's entries leave
 * the removal calls, and a step left empty is dropped.
 */
export function removalsAfter(plan: DrainPlan, blocked: ReadonlySet<string>, instanceOf: ReadonlyMap<string, string>): TargetStep[] {
  if (blocked.size === 0) return plan.removals;
  const blockedInstances = new Set([...blocked].map((k) => instanceOf.get(k)));
  const out: TargetStep[] = [];
  for (const s of plan.removals) {
    const servers = s.servers.filter((b) => !blockedInstances.has(b.serverId));
    const events = s.events.filter((k) => !blockedInstances.has(instanceOf.get(k)));
    if (servers.length > 0) out.push({ ...s, servers, events, calls: callsFor(s.target, "removal", servers.length) });
  }
  return out;
}

/** Mutating calls a plan makes (weights + removals). */
export function plannedCalls(weights: readonly TargetStep[], removals: readonly TargetStep[]): number {
  return [...weights, ...removals].reduce((n, s) => n + s.calls, 0);
}

/** The same instances drained one event at a time (the single-event path): one call per chunk per target per instance. */
export function perInstanceCalls(events: readonly DrainEvent[], memberships: ReadonlyMap<string, readonly Membership[]>): number {
  let n = 0;
  for (const e of events) {
    for (const m of memberships.get(e.instanceId) ?? []) {
      const entries = m.entries.filter((b) => !leaving(b));
      if (entries.length === 0) continue;
      if (!e.released) n += callsFor(m, "weight", entries.length);
      n += callsFor(m, "removal", entries.length);
    }
  }
  return n;
}
