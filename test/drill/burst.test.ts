// A burst of local drills: 50 instances interrupted at once, throttling
// injected, a tenth of deliveries repeated. Every event is accounted for and
// no destructive action happens twice. (The 1000-instance burst is a script:
// `npm run drill -- --stack prod --event PreemptibleInstanceInterruption --count 1000`.)
import * as assert from "node:assert/strict";
import { analyseBurst, burstIds, renderBurst, runBurst } from "../../tools/drill/burst";
import { ensureBundles } from "../../tools/drill/bundles";
import { loadDrillStack, type DrillStack } from "../../tools/drill/stack";

describe("burst drill", function () {
  this.timeout(180_000);
  let stack: DrillStack;
  before(async () => {
    await ensureBundles();
    stack = loadDrillStack("prod");
  });

  it("50 spot interruptions at once: nothing lost, nothing done twice, throttling absorbed", async () => {
    const r = await runBurst({ stack, event: "PreemptibleInstanceInterruption", count: 50, start: Date.parse("2026-11-20T00:00:00Z"), throttleEvery: 10, redeliverFraction: 0.2 });
    assert.equal(r.events, 100, "50 interruptions + 50 releases");
    assert.equal(r.invocations.started, r.invocations.finished);
    assert.equal(r.lost, 0);
    assert.equal(r.failed, 0);
    assert.ok(r.throttled >= 20, `throttling was injected and absorbed (${r.throttled})`);
    assert.equal(r.deadLetters, 0);
    assert.ok(r.redelivered > 0, "some deliveries were repeated");
    assert.equal(r.duplicates, 0, r.duplicateExamples.join("\n"));
    assert.equal(r.outcomesByHandler["spot-drain"].acted, 50, "each instance drained exactly once");
    assert.equal(r.outcomesByHandler["spot-drain"].duplicate ?? 0, r.drill.timeline.filter((e) => e.kind === "handler" && e.handler === "spot-drain" && e.redelivery).length);
    assert.equal(r.stillInALoadBalancer, 0);
    assert.deepEqual(r.queueMessages, { expected: 100, found: 100 });
    assert.match(renderBurst(r), /lost: 0 {3}failed: 0 {3}duplicate destructive actions: 0/);
  });

  it("the duplicate count catches the same destructive call succeeding twice for one instance", () => {
    const [id] = burstIds(1);
    const call = (seq: number) => ({ seq, product: "SLB" as const, action: "RemoveBackendServers", params: { LoadBalancerId: "lb-1", BackendServers: `[{"ServerId":"${id}"}]` }, at: 0, outcome: { status: 200 } });
    const drill = { stack: "t", event: "x", entry: undefined as never, startedAt: 0, timeline: [], instances: [], queues: [], deadLetters: 0, deadLetterQueue: undefined, alerts: [], records: [], problems: [], wallMs: 1, invocations: { started: 0, finished: 0 }, calls: [call(1), call(2), { ...call(3), params: { ...call(3).params, LoadBalancerId: "lb-2" } }] };
    const r = analyseBurst(drill, [id]);
    assert.equal(r.destructiveCalls, 3);
    assert.equal(r.duplicates, 1);
    assert.match(r.duplicateExamples[0], /i-burst00000 RemoveBackendServers .*lb-1.* ×2/);
  });
});
