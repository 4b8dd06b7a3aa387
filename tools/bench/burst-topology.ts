// The burst's topology, seeded into the fake: N interrupted instances behind
// 12 CLBs (default groups), 2 vServer groups and 2 ALB server groups, each
// instance in one of each kind (round robin), and two neighbours in every
// target that are not interrupted and must stay as they were.
import type { FakeCloud, FloorTarget } from "../../local-cloud";

export const TOPOLOGY = { clbs: 12, vServerGroups: 2, albGroups: 2, neighboursPerTarget: 2 } as const;
export const NEIGHBOUR_WEIGHT = 100;

export interface BurstTopology {
  ids: string[];
  /** Target key (clb:<id>, vsg:<id>, alb:<id>) → interrupted members. */
  members: Map<string, string[]>;
  /** Instance → its target keys. */
  targetsOf: Map<string, string[]>;
  /** Target key → neighbours. */
  neighbours: Map<string, string[]>;
  floorTargets: FloorTarget[];
}

export const burstInstanceId = (i: number) => `i-burst${String(i).padStart(5, "0")}`;

export function seedTopology(fake: FakeCloud, n: number, tags: Record<string, string>): BurstTopology {
  const s = fake.state;
  const ids = Array.from({ length: n }, (_, i) => burstInstanceId(i));
  for (const id of ids) s.addInstance({ InstanceId: id, Tags: tags, SpotStrategy: "SpotAsPriceGo" });
  const members = new Map<string, string[]>();
  const targetsOf = new Map<string, string[]>(ids.map((id) => [id, []]));
  const neighbours = new Map<string, string[]>();
  const floorTargets: FloorTarget[] = [];
  const place = (key: string, kind: FloorTarget["kind"], count: number, offset: number): { mine: string[]; peers: string[] } => {
    const mine = ids.filter((_, i) => i % count === offset);
    const peers = Array.from({ length: TOPOLOGY.neighboursPerTarget }, (_, k) => `i-peer-${key.replace(":", "-")}-${k}`);
    for (const p of peers) s.addInstance({ InstanceId: p, Tags: tags });
    members.set(key, mine);
    neighbours.set(key, peers);
    for (const id of mine) targetsOf.get(id)!.push(key);
    floorTargets.push({ kind, id: key, members: mine.length });
    return { mine, peers };
  };
  const backends = (xs: string[]) => xs.map((ServerId) => ({ ServerId, Weight: NEIGHBOUR_WEIGHT, Port: 80 }));
  for (let c = 0; c < TOPOLOGY.clbs; c++) {
    const id = `lb-burst${c}`;
    const { mine, peers } = place(`clb:${id}`, "clb", TOPOLOGY.clbs, c);
    s.addLoadBalancer({ LoadBalancerId: id, BackendServers: backends([...mine, ...peers]) });
  }
  for (let v = 0; v < TOPOLOGY.vServerGroups; v++) {
    const id = `rsp-burst${v}`;
    const { mine, peers } = place(`vsg:${id}`, "vserver", TOPOLOGY.vServerGroups, v);
    s.addVServerGroup({ VServerGroupId: id, LoadBalancerId: `lb-burst${v}`, BackendServers: backends([...mine, ...peers]) });
  }
  for (let a = 0; a < TOPOLOGY.albGroups; a++) {
    const id = `sgp-burst${a}`;
    const { mine, peers } = place(`alb:${id}`, "alb", TOPOLOGY.albGroups, a);
    s.addAlbServerGroup({ ServerGroupId: id, Servers: [...mine, ...peers].map((ServerId) => ({ ServerId, Port: 80, Weight: NEIGHBOUR_WEIGHT, Status: "Available" })) });
  }
  return { ids, members, targetsOf, neighbours, floorTargets };
}

/** Each target's members as the fake holds them now: server id → weight. */
export function targetWeights(fake: FakeCloud, key: string): Map<string, number> {
  const [kind, id] = key.split(":") as [string, string];
  const s = fake.state;
  if (kind === "clb") return new Map(s.getLoadBalancer(id)!.BackendServers.map((b) => [b.ServerId, b.Weight]));
  if (kind === "vsg") return new Map(s.vServerGroups.get(id)!.BackendServers.map((b) => [b.ServerId, b.Weight]));
  return new Map(s.albServerGroups.get(id)!.Servers.map((b) => [b.ServerId, b.Weight]));
}
