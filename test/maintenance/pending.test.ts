import { strict as assert } from "node:assert";
import {
  type BackendWeight,
  type Observation,
  type PendingAction,
  type ReconcileOptions,
  type Step,
  newPendingAction,
  nextStep,
  recordActRejected,
} from "../../handlers/maintenance/pending";

const MIN = 60_000;
const at8 = (s: string) => Date.parse(`${s.replace(" ", "T")}:00+08:00`);
const slotStart = at8("2026-11-21 02:00");

const options: ReconcileOptions = {
  windows: [{ startHour: 2, endHour: 5 }],
  safetyMarginMinutes: 30,
  actionDurationMinutes: 30,
  drainWaitSeconds: 120,
};

const fresh = (): PendingAction =>
  newPendingAction({
    eventId: "e-1",
    instanceId: "i-1",
    eventType: "SystemMaintenance.Reboot",
    action: "RebootInstance",
    notBefore: at8("2026-11-24 02:00"),
    slot: { start: slotStart, end: slotStart + 30 * MIN },
    now: at8("2026-11-20 10:15"),
  });

const saved: BackendWeight[] = [
  { target: "clb:lb-1", weight: 100 },
  { target: "vsg:rsp-1", weight: 50 },
];

const obs = (o: Partial<Observation> = {}): Observation => ({
  scope: "in",
  eventStatus: "Scheduled",
  instanceStatus: "Running",
  instanceStartTime: at8("2026-10-01 00:00"),
  backends: saved,
  healthy: true,
  ...o,
});

const zeroed = saved.map((s) => ({ ...s, weight: 0 }));

describe("nextStep: each phase, table-style", () => {
  type Case = { name: string; record: PendingAction; obs: Observation; now: number; step: Step["kind"]; phase: PendingAction["phase"]; check?: (r: PendingAction, s: Step) => void };
  const drained: PendingAction = { ...fresh(), phase: "draining", savedWeights: saved, attempts: { drain: 1, act: 0, restore: 0, replan: 0 } };
  const acting: PendingAction = { ...drained, phase: "acting", drainedAt: slotStart, actIssuedAt: slotStart + 3 * MIN, attempts: { drain: 1, act: 1, restore: 0, replan: 0 } };
  const cases: Case[] = [
    { name: "planned, before the slot → wait until the slot", record: fresh(), obs: obs(), now: slotStart - 60 * MIN, step: "wait", phase: "planned", check: (_r, s) => assert.equal(s.kind === "wait" && s.until, slotStart) },
    {
      name: "planned, slot open → save weights once and drain them",
      record: fresh(),
      obs: obs(),
      now: slotStart,
      step: "drain",
      phase: "draining",
      check: (r, s) => {
        assert.deepEqual(r.savedWeights, saved);
        assert.deepEqual(s.kind === "drain" && s.targets, zeroed);
      },
    },
    { name: "planned, event Canceled → done, nothing to restore", record: fresh(), obs: obs({ eventStatus: "Canceled" }), now: slotStart, step: "done", phase: "done" },
    { name: "planned, platform Executing → wait, never act", record: fresh(), obs: obs({ eventStatus: "Executing" }), now: slotStart, step: "wait", phase: "planned" },
    {
      name: "planned, slot missed → re-plan next night",
      record: fresh(),
      obs: obs(),
      now: slotStart + 165 * MIN,
      step: "wait",
      phase: "planned",
      check: (r) => {
        assert.equal(r.slot.start, at8("2026-11-22 02:00"));
        assert.equal(r.attempts.replan, 1);
      },
    },
    { name: "planned, slot missed and nothing else fits → escalate, done", record: { ...fresh(), notBefore: at8("2026-11-21 05:00") }, obs: obs(), now: slotStart + 165 * MIN, step: "escalate", phase: "done" },
    {
      name: "planned, slot missed but the window still has room → re-plan to now and drain",
      record: fresh(),
      obs: obs(),
      now: slotStart + 60 * MIN,
      step: "drain",
      phase: "draining",
      check: (r) => assert.equal(r.slot.start, slotStart + 60 * MIN),
    },
    { name: "draining, weights not yet 0 → drain again (idempotent)", record: drained, obs: obs(), now: slotStart + MIN, step: "drain", phase: "draining" },
    { name: "draining, weights 0, wait not over → wait", record: drained, obs: obs({ backends: zeroed }), now: slotStart + MIN, step: "wait", phase: "draining" },
    {
      name: "draining, drained long enough → act, with the write-ahead mark",
      record: { ...drained, drainedAt: slotStart },
      obs: obs({ backends: zeroed }),
      now: slotStart + 3 * MIN,
      step: "act",
      phase: "acting",
      check: (r) => assert.equal(r.actIssuedAt, slotStart + 3 * MIN),
    },
    { name: "draining, event Avoided by someone else → restore", record: drained, obs: obs({ backends: zeroed, eventStatus: "Avoided" }), now: slotStart + MIN, step: "restore", phase: "restoring" },
    { name: "draining, drain never sticks → escalate and restore", record: { ...drained, attempts: { drain: 5, act: 0, restore: 0, replan: 0 } }, obs: obs(), now: slotStart + MIN, step: "escalate", phase: "restoring" },
    { name: "acting, no evidence yet → wait (never re-issue)", record: acting, obs: obs({ backends: zeroed }), now: slotStart + 5 * MIN, step: "wait", phase: "acting" },
    { name: "acting, instance Starting → waiting-healthy", record: acting, obs: obs({ backends: zeroed, instanceStatus: "Starting", healthy: false }), now: slotStart + 5 * MIN, step: "wait", phase: "waiting-healthy" },
    { name: "acting, event Avoided and healthy → restore", record: acting, obs: obs({ backends: zeroed, eventStatus: "Avoided" }), now: slotStart + 8 * MIN, step: "restore", phase: "restoring" },
    { name: "acting, start time after issue and healthy → restore", record: acting, obs: obs({ backends: zeroed, instanceStartTime: slotStart + 4 * MIN }), now: slotStart + 8 * MIN, step: "restore", phase: "restoring" },
    {
      name: "acting, no evidence after the grace → escalate, never repeat",
      record: acting,
      obs: obs({ backends: zeroed }),
      now: slotStart + 30 * MIN,
      step: "escalate",
      phase: "waiting-healthy",
      check: (r) => assert.equal(r.outcome, "unconfirmed"),
    },
    { name: "acting after a definite rejection → act again (attempt 2)", record: recordActRejected(acting, "IncorrectInstanceStatus", slotStart + 4 * MIN), obs: obs({ backends: zeroed }), now: slotStart + 5 * MIN, step: "act", phase: "acting", check: (r) => assert.equal(r.attempts.act, 2) },
    {
      name: "acting after a second rejection → escalate and restore",
      record: recordActRejected({ ...acting, attempts: { drain: 1, act: 2, restore: 0, replan: 0 } }, "IncorrectInstanceStatus", slotStart + 6 * MIN),
      obs: obs({ backends: zeroed }),
      now: slotStart + 7 * MIN,
      step: "escalate",
      phase: "restoring",
    },
    { name: "waiting-healthy, unhealthy → wait", record: { ...acting, phase: "waiting-healthy" }, obs: obs({ backends: zeroed, healthy: false }), now: slotStart + 10 * MIN, step: "wait", phase: "waiting-healthy" },
    { name: "waiting-healthy, unhealthy too long → escalate once", record: { ...acting, phase: "waiting-healthy" }, obs: obs({ backends: zeroed, healthy: false }), now: slotStart + 60 * MIN, step: "escalate", phase: "waiting-healthy" },
    {
      name: "waiting-healthy, unhealthy too long, already escalated → wait",
      record: { ...acting, phase: "waiting-healthy", escalations: ["unhealthy"] },
      obs: obs({ backends: zeroed, healthy: false }),
      now: slotStart + 61 * MIN,
      step: "wait",
      phase: "waiting-healthy",
    },
    { name: "waiting-healthy, stop-start and Stopped → start the instance", record: { ...acting, action: "StopStartInstance", phase: "waiting-healthy" }, obs: obs({ backends: zeroed, instanceStatus: "Stopped", healthy: false }), now: slotStart + 10 * MIN, step: "start-instance", phase: "waiting-healthy" },
    {
      name: "restoring → restore only targets that differ and still exist",
      record: { ...acting, phase: "restoring" },
      obs: obs({ backends: [{ target: "clb:lb-1", weight: 0 }] }),
      now: slotStart + 10 * MIN,
      step: "restore",
      phase: "restoring",
      check: (_r, s) => assert.deepEqual(s.kind === "restore" && s.weights, [{ target: "clb:lb-1", weight: 100 }]),
    },
    { name: "restoring, all back → done completed", record: { ...acting, phase: "restoring" }, obs: obs(), now: slotStart + 10 * MIN, step: "done", phase: "done", check: (r) => assert.equal(r.outcome, "completed") },
    { name: "done stays done", record: { ...fresh(), phase: "done", outcome: "completed" }, obs: obs(), now: slotStart, step: "done", phase: "done" },
    // R5: the scope tag is re-checked on every observation.
    {
      name: "planned, the instance lost the scope tag → done out-of-scope, nothing drained, a reason kept",
      record: fresh(),
      obs: obs({ scope: "out" }),
      now: slotStart,
      step: "done",
      phase: "done",
      check: (r) => {
        assert.equal(r.outcome, "out-of-scope");
        assert.match(r.closedReason!, /no longer carries the scope tag/);
        assert.deepEqual(r.savedWeights, []);
      },
    },
    {
      name: "draining, the instance lost the scope tag → restore our weights, never act",
      record: { ...drained, drainedAt: slotStart },
      obs: obs({ scope: "out", backends: zeroed }),
      now: slotStart + 3 * MIN,
      step: "restore",
      phase: "restoring",
      check: (r, s) => {
        assert.equal(r.outcome, "out-of-scope");
        assert.equal(r.actIssuedAt, undefined);
        assert.deepEqual(s.kind === "restore" && s.weights, saved);
      },
    },
    { name: "acting after a rejection, out of scope → restore, no second action", record: recordActRejected(acting, "IncorrectInstanceStatus", slotStart + 4 * MIN), obs: obs({ scope: "out", backends: zeroed }), now: slotStart + 5 * MIN, step: "restore", phase: "restoring" },
    { name: "draining, the instance is released → done instance-gone", record: drained, obs: obs({ scope: "gone", instanceStatus: "Unknown", backends: [] }), now: slotStart + MIN, step: "done", phase: "done", check: (r) => assert.equal(r.outcome, "instance-gone") },
    // H3: a target counts as drained (or restored) only once the ALB job applied.
    {
      name: "draining, an ALB change still applying → wait, never re-issue the drain",
      record: drained,
      obs: obs({ backends: [{ target: "clb:lb-1", weight: 0 }, { target: "vsg:rsp-1", weight: 50, applying: true }] }),
      now: slotStart + MIN,
      step: "wait",
      phase: "draining",
      check: (r, s) => {
        assert.match(s.kind === "wait" ? s.reason : "", /still applying on vsg:rsp-1/);
        assert.equal(r.drainedAt, undefined);
        assert.equal(r.attempts.drain, 1);
      },
    },
    { name: "draining, the new weight shown but its job not applied → still not drained", record: drained, obs: obs({ backends: zeroed.map((z, i) => (i === 1 ? { ...z, applying: true } : z)) }), now: slotStart + MIN, step: "wait", phase: "draining", check: (r) => assert.equal(r.drainedAt, undefined) },
    { name: "restoring, a restore still applying → wait", record: { ...acting, phase: "restoring" }, obs: obs({ backends: saved.map((b) => ({ ...b, applying: true })) }), now: slotStart + 10 * MIN, step: "wait", phase: "restoring" },
    {
      name: "restoring after an action, weights back but not healthy → wait for the health check",
      record: { ...acting, phase: "restoring" },
      obs: obs({ healthy: false }),
      now: slotStart + 10 * MIN,
      step: "wait",
      phase: "restoring",
      check: (r) => assert.equal(r.restoredAt, slotStart + 10 * MIN),
    },
    { name: "restoring after an action, still unhealthy after the timeout → escalate, done restored-unhealthy", record: { ...acting, phase: "restoring", restoredAt: slotStart + 10 * MIN }, obs: obs({ healthy: false }), now: slotStart + 41 * MIN, step: "escalate", phase: "done", check: (r) => assert.equal(r.outcome, "restored-unhealthy") },
    { name: "restoring without an action (canceled), weights back → done whatever the health", record: { ...drained, phase: "restoring", outcome: "canceled" }, obs: obs({ healthy: false }), now: slotStart + 10 * MIN, step: "done", phase: "done", check: (r) => assert.equal(r.outcome, "canceled") },
    // H10: RedeployInstance only where its doc says it answers.
    {
      name: "draining a RedeployInstance for SystemFailure.Redeploy while Scheduled → wait, never act",
      record: { ...drained, drainedAt: slotStart, eventType: "SystemFailure.Redeploy", action: "RedeployInstance" },
      obs: obs({ backends: zeroed }),
      now: slotStart + 3 * MIN,
      step: "wait",
      phase: "draining",
      check: (_r, s) => assert.match(s.kind === "wait" ? s.reason : "", /does not answer SystemFailure\.Redeploy in that status/),
    },
    { name: "draining a RedeployInstance for SystemFailure.Redeploy while Inquiring → act", record: { ...drained, drainedAt: slotStart, eventType: "SystemFailure.Redeploy", action: "RedeployInstance" }, obs: obs({ backends: zeroed, eventStatus: "Inquiring" }), now: slotStart + 3 * MIN, step: "act", phase: "acting" },
    {
      name: "DrainOnly, drained → wait for the platform (no act)",
      record: { ...drained, drainedAt: slotStart, eventType: "SystemFailure.Redeploy", action: "DrainOnly" },
      obs: obs({ backends: zeroed }),
      now: slotStart + 3 * MIN,
      step: "wait",
      phase: "draining",
      check: (_r, s) => assert.match(s.kind === "wait" ? s.reason : "", /the platform acts at notBefore/),
    },
    { name: "DrainOnly, platform Executing → waiting-healthy, executed-by-platform", record: { ...drained, drainedAt: slotStart, eventType: "SystemFailure.Redeploy", action: "DrainOnly" }, obs: obs({ backends: zeroed, eventStatus: "Executing", healthy: false, instanceStatus: "Stopping" }), now: slotStart + 30 * MIN, step: "wait", phase: "waiting-healthy", check: (r) => assert.equal(r.outcome, "executed-by-platform") },
    { name: "DrainOnly, platform late past notBefore → escalate once", record: { ...drained, drainedAt: slotStart, eventType: "SystemFailure.Redeploy", action: "DrainOnly", notBefore: slotStart + 10 * MIN }, obs: obs({ backends: zeroed }), now: slotStart + 30 * MIN, step: "escalate", phase: "draining" },
    { name: "DrainOnly, slot start missed → drain now (no re-plan into a window)", record: { ...fresh(), action: "DrainOnly", eventType: "SystemFailure.Redeploy" }, obs: obs(), now: slotStart + 100 * MIN, step: "drain", phase: "draining", check: (r) => assert.equal(r.attempts.replan, 0) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { record, step } = nextStep(c.record, c.obs, c.now, options);
      assert.equal(step.kind, c.step, JSON.stringify(step));
      assert.equal(record.phase, c.phase);
      c.check?.(record, step);
      // Pure: the same inputs give the same answer.
      assert.deepEqual(nextStep(c.record, c.obs, c.now, options), { record, step });
    });
  }
});

// ---------------------------------------------------------------------------
// A simulated cloud and a reconciler that follows the contract: persist the
// record, then perform the step. A "crash" loses the step of one tick (after
// the record was persisted) and the reconciler restarts some minutes later.

class FakeCloud {
  weights = new Map(saved.map((s) => [s.target, s.weight]));
  reboots: number[] = [];
  eventStatus: Observation["eventStatus"] = "Scheduled";
  startTime = at8("2026-10-01 00:00");
  constructor(private readonly rejectFirst = 0) {}
  private rejections = 0;

  observe(now: number): Observation {
    const last = this.reboots[this.reboots.length - 1];
    const booting = last !== undefined && now < last + 2 * MIN;
    if (last !== undefined && now >= last + 3 * MIN) this.eventStatus = "Avoided";
    return {
      scope: "in",
      eventStatus: this.eventStatus,
      instanceStatus: booting ? "Starting" : "Running",
      instanceStartTime: this.startTime,
      backends: [...this.weights].map(([target, weight]) => ({ target, weight })),
      healthy: !booting && (last === undefined || now >= last + 4 * MIN),
    };
  }

  /** Performs a step; returns a definite rejection code when the API refuses. */
  perform(step: Step, now: number): string | undefined {
    if (step.kind === "drain") for (const t of step.targets) this.weights.set(t.target, 0);
    if (step.kind === "restore") for (const t of step.weights) this.weights.set(t.target, t.weight);
    if (step.kind === "act") {
      if (this.rejections < this.rejectFirst) {
        this.rejections++;
        return "IncorrectInstanceStatus";
      }
      this.reboots.push(now);
      this.startTime = now + MIN;
    }
    return undefined;
  }
}

function run(opts: { crashAtTick?: number; restartAfterMinutes?: number; rejectFirst?: number }) {
  const cloud = new FakeCloud(opts.rejectFirst);
  let persisted = fresh();
  const steps: Step[] = [];
  let now = slotStart - 5 * MIN;
  for (let tick = 0; tick < 200; tick++) {
    const { record, step } = nextStep(persisted, cloud.observe(now), now, options);
    persisted = record; // 1. persist
    steps.push(step);
    if (step.kind === "done") break;
    if (tick === opts.crashAtTick) {
      now += (opts.restartAfterMinutes ?? 1) * MIN; // 2. crashed before performing; restarts later
      continue;
    }
    const rejected = cloud.perform(step, now); // 3. perform
    if (rejected) persisted = recordActRejected(persisted, rejected, now);
    now += MIN;
  }
  return { cloud, persisted, steps };
}

describe("reconciler restart safety (simulated cloud)", () => {
  it("uninterrupted: drains, reboots once, waits healthy, restores, done", () => {
    const { cloud, persisted, steps } = run({});
    assert.equal(cloud.reboots.length, 1);
    assert.equal(persisted.outcome, "completed");
    assert.deepEqual([...cloud.weights], saved.map((s) => [s.target, s.weight]));
    const kinds = steps.map((s) => s.kind).filter((k, i, a) => k !== a[i - 1]);
    assert.deepEqual(kinds, ["wait", "drain", "wait", "act", "wait", "restore", "done"]);
  });

  const baseline = run({});
  const ticks = baseline.steps.length;
  for (const restartAfterMinutes of [1, 7, 25]) {
    it(`a crash at every tick (${ticks} ticks), restarting after ${restartAfterMinutes} min, never reboots twice and always finishes with weights restored`, () => {
      for (let crashAtTick = 0; crashAtTick < ticks; crashAtTick++) {
        const { cloud, persisted, steps } = run({ crashAtTick, restartAfterMinutes });
        const ctx = `crash at tick ${crashAtTick} (${baseline.steps[crashAtTick].kind}, phase after: ${persisted.phase})`;
        assert.ok(cloud.reboots.length <= 1, `${ctx}: ${cloud.reboots.length} reboots`);
        assert.equal(persisted.phase, "done", ctx);
        assert.deepEqual([...cloud.weights], saved.map((s) => [s.target, s.weight]), `${ctx}: weights restored`);
        const actSteps = steps.filter((s) => s.kind === "act").length;
        if (baseline.steps[crashAtTick].kind === "act") {
          // The act step itself was lost after its write-ahead mark: at-most-once means no reboot, a person is told.
          assert.equal(cloud.reboots.length, 0, ctx);
          assert.equal(actSteps, 1, ctx);
          assert.equal(persisted.outcome, "unconfirmed", ctx);
          assert.ok(steps.some((s) => s.kind === "escalate"), ctx);
        } else {
          assert.equal(cloud.reboots.length, 1, ctx);
        }
      }
    });
  }

  it("a definite rejection is retried once; a second is escalated and weights restored", () => {
    const once = run({ rejectFirst: 1 });
    assert.equal(once.cloud.reboots.length, 1);
    assert.equal(once.persisted.outcome, "completed");
    const twice = run({ rejectFirst: 2 });
    assert.equal(twice.cloud.reboots.length, 0);
    assert.equal(twice.persisted.outcome, "aborted");
    assert.ok(twice.steps.some((s) => s.kind === "escalate"));
    assert.deepEqual([...twice.cloud.weights], saved.map((s) => [s.target, s.weight]));
  });
});
