// The batch drain planner (handlers/spot-drain/plan.ts), pure: table cases and
// properties over random topologies (fast-check).
import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { Backend, Membership } from "../../handlers/lb/targets";
import { PER_CALL, perInstanceCalls, planDrain, plannedCalls, removalsAfter, type DrainEvent } from "../../handlers/spot-drain/plan";

const ev = (n: number, released = false): DrainEvent => ({ key: `ev-${n}`, instanceId: `i-${n}`, released });
const clb = (lb: string, entries: Backend[]): Membership => ({ kind: "clb-default", loadBalancerId: lb, entries });
const vsg = (lb: string, g: string, entries: Backend[]): Membership => ({ kind: "clb-vserver", loadBalancerId: lb, vServerGroupId: g, entries });
const alb = (g: string, entries: Backend[]): Membership => ({ kind: "alb", serverGroupId: g, entries });

/**
 * The bench topology (issue 14): n instances, each in 12 CLBs' default groups,
 * 2 vServer groups (one port each) and 2 ALB groups.
 */
function burstTopology(n: number): { events: DrainEvent[]; memberships: Map<string, Membership[]> } {
  const events = Array.from({ length: n }, (_, i) => ev(i));
  const memberships = new Map(
    events.map((e) => {
      const id = e.instanceId;
      return [
        id,
        [
          ...Array.from({ length: 12 }, (_, k) => clb(`lb-${k}`, [{ serverId: id, weight: 100 }])),
          vsg("lb-0", "rsp-0", [{ serverId: id, port: 80, weight: 100 }]),
          vsg("lb-1", "rsp-1", [{ serverId: id, port: 80, weight: 100 }]),
          alb("sgp-0", [{ serverId: id, port: 80, weight: 100, status: "Available" }]),
          alb("sgp-1", [{ serverId: id, port: 8080, weight: 100, status: "Available" }]),
        ],
      ];
    }),
  );
  return { events, memberships };
}

describe("spot-drain batch planner", () => {
  it("makes one weight change and one removal per target, split only by each API's per-call limit", () => {
    const { events, memberships } = burstTopology(100);
    const plan = planDrain(events, memberships);
    assert.equal(plan.weights.length, 16);
    assert.equal(plan.removals.length, 16);
    for (const s of plan.weights) {
      assert.equal(s.servers.length, 100);
      assert.ok(s.servers.every((b) => b.weight === 0));
      assert.equal(s.calls, s.target.kind === "alb" ? 3 : 5, `${s.id}: 100 servers at ${s.target.kind === "alb" ? 40 : 20} per call`);
    }
    for (const s of plan.removals) assert.equal(s.calls, s.target.kind === "alb" ? 1 : 5);
    // 14 CLB targets x (5 + 5) + 2 ALB groups x (3 + 1) = 148; per instance 100 x 16 x 2 = 3200.
    assert.equal(plannedCalls(plan.weights, plan.removals), 148);
    assert.equal(perInstanceCalls(events, memberships), 3200);
  });

  it("table: figures for the bench topology at N = 10, 100, 1000", () => {
    const rows = [10, 100, 1000].map((n) => {
      const { events, memberships } = burstTopology(n);
      const plan = planDrain(events, memberships);
      return [n, plannedCalls(plan.weights, plan.removals), perInstanceCalls(events, memberships)];
    });
    // N=10: CLB 14 x (1+1) + ALB 2 x (1+1) = 32; N=1000: CLB 14 x (50+50) + ALB 2 x (25+5) = 1460.
    assert.deepEqual(rows, [
      [10, 32, 320],
      [100, 148, 3200],
      [1000, 1460, 32000],
    ]);
  });

  it("leaves released instances out of the weight change, entries already at 0 too, and ALB entries being removed out of both", () => {
    const events = [ev(1), ev(2, true), ev(3)];
    const memberships = new Map<string, Membership[]>([
      ["i-1", [alb("sgp-a", [{ serverId: "i-1", port: 80, weight: 0, status: "Available" }, { serverId: "i-1", port: 81, weight: 50, status: "Available" }])]],
      ["i-2", [alb("sgp-a", [{ serverId: "i-2", port: 80, weight: 100, status: "Available" }])]],
      ["i-3", [alb("sgp-a", [{ serverId: "i-3", port: 80, weight: 100, status: "Removing" }])]],
    ]);
    const plan = planDrain(events, memberships);
    assert.deepEqual(plan.weights.map((s) => s.servers.map((b) => `${b.serverId}:${b.port}=${b.weight}`)), [["i-1:81=0"]]);
    assert.deepEqual(plan.removals.map((s) => s.servers.map((b) => `${b.serverId}:${b.port}`)), [["i-1:80", "i-1:81", "i-2:80"]]);
    assert.deepEqual(plan.targetsOf.get("ev-3"), ["sgp-a"]);
  });

  it("two events of one instance share its entries: each entry is changed once", () => {
    const events = [ev(1), { key: "ev-1-again", instanceId: "i-1", released: false }];
    const memberships = new Map([["i-1", [clb("lb-a", [{ serverId: "i-1", weight: 100 }])]]]);
    const plan = planDrain(events, memberships);
    assert.deepEqual(plan.weights.map((s) => [s.servers.length, s.events]), [[1, ["ev-1", "ev-1-again"]]]);
  });

  it("an event whose weight change failed keeps every entry: its instance leaves all removal calls", () => {
    const { events, memberships } = burstTopology(3);
    const plan = planDrain(events, memberships);
    const instanceOf = new Map(events.map((e) => [e.key, e.instanceId]));
    const removals = removalsAfter(plan, new Set(["ev-1"]), instanceOf);
    assert.equal(removals.length, 16);
    for (const s of removals) {
      assert.deepEqual(s.servers.map((b) => b.serverId), ["i-0", "i-2"]);
      assert.deepEqual(s.events, ["ev-0", "ev-2"]);
    }
    assert.deepEqual(removalsAfter(plan, new Set(["ev-0", "ev-1", "ev-2"]), instanceOf), []);
  });

  // ---- properties ----

  const backend = fc.record({ port: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), weight: fc.integer({ min: 0, max: 2 }), removing: fc.boolean() });
  const target = fc.oneof(
    fc.integer({ min: 0, max: 3 }).map((k) => ({ kind: "clb-default" as const, loadBalancerId: `lb-${k}` })),
    fc.integer({ min: 0, max: 2 }).map((k) => ({ kind: "clb-vserver" as const, loadBalancerId: `lb-${k}`, vServerGroupId: `rsp-${k}` })),
    fc.integer({ min: 0, max: 2 }).map((k) => ({ kind: "alb" as const, serverGroupId: `sgp-${k}` })),
  );
  const instance = fc.record({ released: fc.boolean(), places: fc.array(fc.record({ target, entries: fc.array(backend, { minLength: 1, maxLength: 3 }) }), { maxLength: 6 }) });
  const topology = fc.array(instance, { minLength: 1, maxLength: 60 }).map((xs) => {
    const events = xs.map((x, i) => ev(i, x.released));
    const memberships = new Map<string, Membership[]>();
    xs.forEach((x, i) => {
      // Discovery gives each target once per instance, each entry (port) once.
      const byTarget = new Map<string, Membership>();
      for (const p of x.places) {
        const key = JSON.stringify(p.target);
        const entries = [...new Map(p.entries.map((b) => [b.port ?? -1, { serverId: `i-${i}`, port: b.port, weight: b.weight, ...(p.target.kind === "alb" ? { status: b.removing ? "Removing" : "Available" } : {}) }])).values()];
        if (!byTarget.has(key)) byTarget.set(key, { ...p.target, entries } as Membership);
      }
      memberships.set(`i-${i}`, [...byTarget.values()]);
    });
    return { events, memberships };
  });
  const keyOf = (m: { kind: string; loadBalancerId?: string; vServerGroupId?: string; serverGroupId?: string }) => `${m.kind}:${m.serverGroupId ?? m.vServerGroupId ?? m.loadBalancerId}`;

  it("property: every entry to change is in exactly one step of its target, and nothing else is", () => {
    fc.assert(
      fc.property(topology, ({ events, memberships }) => {
        const plan = planDrain(events, memberships);
        const expectWeigh: string[] = [];
        const expectRemove: string[] = [];
        for (const e of events) {
          for (const m of memberships.get(e.instanceId)!) {
            for (const b of m.entries) {
              if (b.status === "Removing") continue;
              const id = `${keyOf(m)}|${b.serverId}:${b.port}`;
              expectRemove.push(id);
              if (!e.released && b.weight !== 0) expectWeigh.push(id);
            }
          }
        }
        const flat = (steps: typeof plan.weights) => steps.flatMap((s) => s.servers.map((b) => `${keyOf(s.target)}|${b.serverId}:${b.port}`));
        assert.deepEqual(flat(plan.weights).sort(), expectWeigh.sort());
        assert.deepEqual(flat(plan.removals).sort(), expectRemove.sort());
        assert.ok(plan.weights.every((s) => s.servers.every((b) => b.weight === 0)));
        // One step per target and change.
        for (const steps of [plan.weights, plan.removals]) assert.equal(new Set(steps.map((s) => keyOf(s.target))).size, steps.length);
      }),
      { numRuns: 300 },
    );
  });

  it("property: each step's calls are the fewest its API's limit allows, and the batch never makes more calls than one event at a time", () => {
    fc.assert(
      fc.property(topology, ({ events, memberships }) => {
        const plan = planDrain(events, memberships);
        for (const [steps, change] of [[plan.weights, "weight"], [plan.removals, "removal"]] as const) {
          for (const s of steps) {
            const limit = PER_CALL[s.target.kind === "alb" ? "alb" : "clb"][change];
            assert.equal(s.calls, Math.ceil(s.servers.length / limit));
            assert.ok(s.calls >= 1);
          }
        }
        assert.ok(plannedCalls(plan.weights, plan.removals) <= perInstanceCalls(events, memberships));
      }),
      { numRuns: 300 },
    );
  });

  it("property: removals after failures hold no entry of a blocked event's instance and every entry of the others", () => {
    fc.assert(
      fc.property(topology, fc.array(fc.nat(59)), ({ events, memberships }, picks) => {
        const plan = planDrain(events, memberships);
        const blocked = new Set(picks.filter((p) => p < events.length).map((p) => events[p].key));
        const instanceOf = new Map(events.map((e) => [e.key, e.instanceId]));
        const removals = removalsAfter(plan, blocked, instanceOf);
        const blockedIds = new Set([...blocked].map((k) => instanceOf.get(k)));
        const kept = removals.flatMap((s) => s.servers);
        assert.ok(kept.every((b) => !blockedIds.has(b.serverId)));
        const expected = plan.removals.flatMap((s) => s.servers).filter((b) => !blockedIds.has(b.serverId));
        assert.equal(kept.length, expected.length);
        assert.ok(removals.every((s) => s.servers.length > 0));
      }),
      { numRuns: 300 },
    );
  });
});
