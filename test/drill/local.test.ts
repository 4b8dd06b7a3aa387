// Local drills on the twin: the stack's real plan (routing + handler env), the
// bundled handlers, the fake cloud on a virtual clock. Assertions read final
// state (event status, weights, memberships) and the fake's call log.
import * as assert from "node:assert/strict";
import { bundleExists, ensureBundles } from "../../tools/drill/bundles";
import { runDrills, runLocalDrill, type LocalDrillResult } from "../../tools/drill/local";
import { renderLocalDrill } from "../../tools/drill/report";
import { drillStack, loadDrillStack, type DrillStack } from "../../tools/drill/stack";
import { planGraph } from "../../tools/routing/plan";

const START = Date.parse("2026-11-20T00:00:00Z");
const DAY = 86_400_000;
const drillTags = (app: string) => ({ app, "eventops-managed": "true", "eventops-drill": "true" });
const handlerRuns = (r: LocalDrillResult, handler: string) => r.timeline.filter((e) => e.kind === "handler" && e.handler === handler);
const succeeded = (r: LocalDrillResult, action: string) => r.calls.filter((c) => c.action === action && c.outcome.status < 300);

describe("local drill (twin of the event path)", function () {
  this.timeout(180_000);
  let asDeclared: DrillStack;
  let withoutMaintenance: DrillStack;
  let undeployedRunAnyway: DrillStack;
  // The drills on prod as declared share one twin (one fake cloud, one clock), each on its own instance.
  const shared = new Map<string, LocalDrillResult>();

  before(async () => {
    await ensureBundles();
    asDeclared = loadDrillStack("prod");
    const plays = [
      { event: "PreemptibleInstanceInterruption", instanceIds: ["i-spot"], tags: drillTags("batch") },
      { event: "SystemMaintenance.Reboot", instanceIds: ["i-mnt"], tags: drillTags("checkout") },
      { event: "SystemMaintenance.Reboot", instanceIds: ["i-pay"], tags: drillTags("payments") },
      { event: "SystemMaintenance.Reboot", instanceIds: ["i-cnl"], tags: drillTags("checkout"), cancel: true },
      { event: "SystemFailure.Reboot", instanceIds: ["i-fail"], tags: drillTags("ledger") },
    ];
    const results = await runDrills({ stack: asDeclared, plays, start: START, at: START + DAY });
    plays.forEach((p, i) => shared.set(p.instanceIds[0], results[i]));
    // prod as it was before it deployed the maintenance function: no function, trigger or automation rule.
    const graph = planGraph("prod");
    const older = { ...graph, resources: graph.resources.filter((r) => !/maintenance/.test(String(r.inputs.functionName ?? r.inputs.ruleName ?? ""))) };
    withoutMaintenance = drillStack(older);
    undeployedRunAnyway = drillStack(older, { includeUndeployed: true, available: bundleExists });
  });

  it("spot interruption: the instance ends out of every load balancer, then released and cleaned up", async () => {
    const r = shared.get("i-spot")!;
    const [inst] = r.instances;
    assert.equal(inst.before.length, 3, "seeded behind a CLB, a vServer group and an ALB server group");
    assert.deepEqual(inst.after, []);
    assert.equal(inst.instanceStatus, "released");
    assert.deepEqual(handlerRuns(r, "spot-drain").map((e) => e.kind === "handler" && e.outcome.outcome), ["acted"]);
    const spotEvent = r.timeline.find((e) => e.kind === "event" && e.event.name === "Instance:PreemptibleInstanceInterruption");
    assert.ok(spotEvent && spotEvent.kind === "event");
    assert.deepEqual(spotEvent.routing.rules, ["eventops-prod-batch-warn", "eventops-prod-route-spot-drain"]);
    assert.deepEqual(r.queues.filter((q) => q.depth > 0), [{ name: "eventops-prod-audit", depth: 1 }, { name: "eventops-prod-events", depth: 1 }]);
    assert.equal(r.deadLetters, 0);
    assert.match(renderLocalDrill(r), /weights after: {2}— \(out of every load balancer\)/);
  });

  it("maintenance reboot, proactive group (checkout): the handler reboots in the window first, the event ends Avoided", async () => {
    const r = shared.get("i-mnt")!;
    const [inst] = r.instances;
    assert.equal(inst.finalStatus, "Avoided");
    assert.equal(succeeded(r, "RebootInstance").length, 1);
    // The reboot fell inside checkout's window (02:00–05:00 UTC+8 = 18:00–21:00 UTC) and before notBefore.
    const reboot = succeeded(r, "RebootInstance")[0];
    assert.equal(new Date(reboot.at).toISOString().slice(0, 13), "2026-11-20T18");
    assert.deepEqual(inst.after, inst.before, "weights restored after the reboot");
    assert.equal(inst.instanceStatus, "Running");
  });

  it("maintenance reboot, notify group (payments): nobody acts first, the platform executes it", async () => {
    const r = shared.get("i-pay")!;
    assert.equal(r.instances[0].finalStatus, "Executed");
    assert.equal(succeeded(r, "RebootInstance").length, 0);
    assert.ok(handlerRuns(r, "maintenance").length > 0, "the maintenance handler saw the event (and chose to notify)");
    assert.deepEqual(r.instances[0].after, r.instances[0].before);
  });

  it("a stack that does not deploy the maintenance function: Executed, and the gap is shown", async () => {
    const r = await runLocalDrill({ stack: withoutMaintenance, event: "SystemMaintenance.Reboot", instanceIds: ["i-chk"], tags: drillTags("checkout"), start: START, at: START + DAY });
    assert.equal(r.instances[0].finalStatus, "Executed");
    assert.equal(handlerRuns(r, "maintenance").length, 0);
    assert.match(renderLocalDrill(r), /unreached: maintenance/);
    const statuses = r.timeline.flatMap((e) => (e.kind === "event" && e.event.name.startsWith("Instance:SystemMaintenance") ? [e.event.name.split(":")[2]] : []));
    assert.deepEqual(statuses, ["Scheduled", "Executing", "Executed"]);
  });

  it("--include-undeployed runs a bundled handler the stack does not deploy yet (dispatch by catalogue + bundle name)", async () => {
    const r = await runLocalDrill({ stack: undeployedRunAnyway, event: "SystemMaintenance.Reboot", instanceIds: ["i-new"], tags: drillTags("checkout"), start: START, at: START + DAY });
    assert.equal(r.instances[0].finalStatus, "Avoided");
    assert.match(renderLocalDrill(r), /unreached: maintenance .*run anyway: --include-undeployed/);
  });

  it("--cancel after the handler drained: the event ends Canceled and the weights are restored", async () => {
    const r = shared.get("i-cnl")!;
    const [inst] = r.instances;
    assert.equal(inst.finalStatus, "Canceled");
    assert.ok(r.timeline.some((e) => e.kind === "note" && /after the handler drained/.test(e.text)), "cancelled between drain and action");
    assert.ok(succeeded(r, "SetBackendServers").length >= 2, "drained, then restored");
    assert.equal(succeeded(r, "RebootInstance").length, 0);
    assert.deepEqual(inst.after, inst.before);
  });

  it("a failure event starts Executing, is recorded by state-record and ends Executed", async () => {
    const r = shared.get("i-fail")!;
    // Failure events start Executing (the failure has happened).
    assert.equal(r.instances[0].finalStatus, "Executed");
    assert.deepEqual(handlerRuns(r, "state-record").map((e) => e.kind === "handler" && e.outcome.outcome).slice(0, 2), ["acted", "acted"]);
  });
});
