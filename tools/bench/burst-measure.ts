// What a burst did, read back from the fake's call log and state: when each
// instance was at weight 0 on every target and when it was out of every one
// (a CLB change applies when answered; an ALB change when its job succeeds,
// products/alb.ts), the mutating calls sent and accepted, throttled and
// conflicting answers, duplicates, and what the neighbours and the final
// state look like.
import type { CallRecord, FakeCloud } from "../../local-cloud";
import { NEIGHBOUR_WEIGHT, targetWeights, type BurstTopology } from "./burst-topology";

const WEIGHT_ACTIONS = new Set(["SetBackendServers", "SetVServerGroupAttribute", "UpdateServerGroupServersAttribute"]);
const REMOVE_ACTIONS = new Set(["RemoveBackendServers", "RemoveVServerGroupBackendServers", "RemoveServersFromServerGroup"]);
/** Busy answers of a target changing: the codes core/apis.ts retries (ALB jobs, CLB configuring). */
const CONFLICT_CODES = new Set(["IncorrectStatus.ServerGroup", "SystemBusy", "IdempotenceProcessing", "Conflict.Lock", "ResourceInConfiguring", "ServiceIsConfiguring", "VServerGroupProcessing", "BackendServer.configuring"]);

export interface BurstMeasure {
  /** From the notice until every instance was at weight 0 (or out) on every target; Infinity if some never was. */
  allWeightZeroMs: number;
  /** From the notice until every instance was out of every target. */
  allRemovedMs: number;
  /** Median time to weight 0 over instances. */
  medianWeightZeroMs: number;
  mutatingSent: number;
  mutatingAccepted: number;
  throttled: number;
  conflicts: number;
  /** The same change (action, target, server, weight) accepted twice for one instance. */
  duplicates: number;
  notAtWeightZero: number;
  stillInALoadBalancer: number;
  neighboursChanged: number;
}

interface Change {
  target: string;
  servers: Array<{ id: string; weight?: string }>;
}

function jsonServers(v: string | undefined): Change["servers"] {
  if (!v) return [];
  try {
    const xs = JSON.parse(v) as Array<string | { ServerId: string; Weight?: unknown }>;
    return xs.map((x) => (typeof x === "string" ? { id: x } : { id: x.ServerId, weight: x.Weight === undefined ? undefined : String(x.Weight) }));
  } catch {
    return [];
  }
}

function indexedServers(p: Record<string, string>): Change["servers"] {
  const out: Change["servers"] = [];
  for (let i = 1; p[`Servers.${i}.ServerId`] !== undefined; i++) out.push({ id: p[`Servers.${i}.ServerId`], weight: p[`Servers.${i}.Weight`] });
  return out;
}

/** The target and servers a mutating call names. */
export function changeOf(c: Pick<CallRecord, "action" | "params">): Change | undefined {
  const p = c.params as Record<string, string>;
  switch (c.action) {
    case "SetBackendServers":
    case "RemoveBackendServers":
      return { target: `clb:${p.LoadBalancerId}`, servers: jsonServers(p.BackendServers) };
    case "SetVServerGroupAttribute":
    case "RemoveVServerGroupBackendServers":
      return { target: `vsg:${p.VServerGroupId}`, servers: jsonServers(p.BackendServers) };
    case "UpdateServerGroupServersAttribute":
    case "RemoveServersFromServerGroup":
      return { target: `alb:${p.ServerGroupId}`, servers: indexedServers(p) };
  }
  return undefined;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

export function measureBurst(fake: FakeCloud, topo: BurstTopology, noticeAt: number): BurstMeasure {
  // When an ALB change took effect: its job's end, matched by group, API and start (one job at a time per group).
  const jobEnd = new Map(fake.state.albJobs.filter((j) => j.Status === "Succeeded").map((j) => [`${j.ServerGroupId} ${j.ApiName} ${j.CreateTime}`, j.FinishTime ?? j.DueAt]));
  const zeroAt = new Map<string, number>();
  const goneAt = new Map<string, number>();
  const accepted = new Map<string, number>();
  let sent = 0;
  let ok = 0;
  let throttled = 0;
  let conflicts = 0;
  for (const c of fake.calls()) {
    if (!WEIGHT_ACTIONS.has(c.action) && !REMOVE_ACTIONS.has(c.action)) continue;
    if ((c.params as Record<string, string>).DryRun === "true") continue;
    sent++;
    if (c.outcome.code?.startsWith("Throttling")) throttled++;
    if (c.outcome.code && CONFLICT_CODES.has(c.outcome.code)) conflicts++;
    if (c.outcome.status >= 300 || c.replayed) continue;
    ok++;
    const change = changeOf(c);
    if (!change) continue;
    const at = change.target.startsWith("alb:") ? jobEnd.get(`${change.target.slice(4)} ${c.action} ${c.at}`) : c.at;
    for (const s of change.servers) {
      const key = `${s.id} ${change.target}`;
      const dup = `${key} ${c.action} ${s.weight ?? ""}`;
      accepted.set(dup, (accepted.get(dup) ?? 0) + 1);
      if (at === undefined) continue;
      const into = REMOVE_ACTIONS.has(c.action) ? goneAt : s.weight === "0" ? zeroAt : undefined;
      if (into && !(into.get(key)! <= at)) into.set(key, at);
    }
  }
  const perInstance = (m: Map<string, number>, alsoFrom?: Map<string, number>) =>
    topo.ids.map((id) => Math.max(...topo.targetsOf.get(id)!.map((t) => Math.min(m.get(`${id} ${t}`) ?? Infinity, alsoFrom?.get(`${id} ${t}`) ?? Infinity))) - noticeAt);
  const zero = perInstance(zeroAt, goneAt);
  const gone = perInstance(goneAt);
  let still = 0;
  let neighboursChanged = 0;
  const live = new Map([...topo.members.keys()].map((k) => [k, targetWeights(fake, k)]));
  for (const id of topo.ids) if (topo.targetsOf.get(id)!.some((t) => live.get(t)!.has(id))) still++;
  for (const [t, peers] of topo.neighbours) for (const p of peers) if (live.get(t)!.get(p) !== NEIGHBOUR_WEIGHT) neighboursChanged++;
  const finite = zero.filter(Number.isFinite);
  return {
    allWeightZeroMs: Math.max(0, ...zero),
    allRemovedMs: Math.max(0, ...gone),
    medianWeightZeroMs: median(finite),
    mutatingSent: sent,
    mutatingAccepted: ok,
    throttled,
    conflicts,
    duplicates: [...accepted.entries()].filter(([k, n]) => n > 1 && topo.targetsOf.has(k.split(" ")[0])).length,
    notAtWeightZero: zero.length - finite.length,
    stillInALoadBalancer: still,
    neighboursChanged,
  };
}
