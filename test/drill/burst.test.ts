// A burst of local drills on the queue path: 200 instances interrupted at
// once, throttling injected, a tenth of the events delivered twice (a second
// message on the handler's queue). Every event is taken off its queue in
// batches and answered, and no destructive action happens twice. (The
// 1000-instance burst is a script:
// `npm run drill -- --stack prod --event PreemptibleInstanceInterruption --count 1000`.)
import * as assert from "node:assert/strict";
import { DEFAULT_BATCH_WINDOWS } from "../../handlers/contract";
import { analyseBurst, burstIds, renderBurst, runBurst, sizesText } from "../../tools/drill/burst";
import { ensureBundles } from "../../tools/drill/bundles";
import { loadDrillStack, type DrillStack } from "../../tools/drill/stack";

describe("burst drill", function () {
  this.timeout(300_000);
  let stack: DrillStack;
  before(async () => {
    await ensureBundles();
    stack = loadDrillStack("prod");
  });

  it("200 spot interruptions at once: taken off the queues in batches, nothing lost, nothing done twice, throttling absorbed", async () => {
    const r = await runBurst({ stack, event: "PreemptibleInstanceInterruption", count: 200, start: Date.parse("2026-11-20T00:00:00Z"), throttleEvery: 5, redeliverFraction: 0.2 });
    assert.equal(r.events, 400, "200 interruptions + 200 releases");
    assert.equal(r.invocations.started, r.invocations.finished);
    assert.equal(r.lost, 0);
    assert.equal(r.failed, 0);
    assert.ok(r.throttled >= 20, `throttling was injected and absorbed (${r.throttled})`);
    assert.equal(r.deadLetters, 0);
    assert.ok(r.redelivered > 0, "some events were delivered twice");
    assert.equal(r.duplicates, 0, r.duplicateExamples.join("\n"));
    assert.equal(r.outcomesByHandler["spot-drain"].acted, 200, "each instance drained exactly once");
    assert.equal(r.outcomesByHandler["spot-drain"].duplicate ?? 0, r.drill.timeline.filter((e) => e.kind === "handler" && e.handler === "spot-drain" && e.redelivery).length, "every redelivered copy, and only those, is a duplicate");
    assert.equal(r.stillInALoadBalancer, 0);
    assert.deepEqual(r.queueMessages, { expected: 400, found: 400 }, "the tiers' queues keep their copy of every event");
    // Every message on a handler's queue was taken off by its trigger and answered, each exactly once.
    assert.equal(r.deliveries.waiting + r.deliveries.deadLettered + r.deliveries.lost, 0);
    assert.equal(r.deliveries.answered, r.deliveries.sent);
    const answers = r.drill.timeline.filter((e) => e.kind === "handler" && e.trigger === "event").length;
    assert.equal(answers, r.deliveries.sent, "one outcome per delivered message");
    // The notices arrive together, fewer than CountBasedWindow (1000): one batch when the 2 s window ends
    // holds all of them (and the copies that came within it), and drains them all.
    const [first] = r.drill.batches.filter((b) => b.handler === "spot-drain");
    assert.equal(first.at, Date.parse("2026-11-20T00:00:02Z"));
    assert.ok(first.size >= 200, `first batch ${first.size}`);
    const acted = r.drill.timeline.filter((e) => e.kind === "handler" && e.handler === "spot-drain" && e.outcome.outcome === "acted");
    assert.deepEqual([...new Set(acted.map((e) => e.kind === "handler" && e.batch?.seq))], [1]);
    for (const [handler, sizes] of Object.entries(r.batches)) {
      assert.ok(sizes.every((n) => n >= 1 && n <= DEFAULT_BATCH_WINDOWS[handler as keyof typeof DEFAULT_BATCH_WINDOWS].countBasedWindow), `${handler}: ${sizes}`);
    }
    assert.equal(r.invocations.started, Object.values(r.batches).reduce((n, b) => n + b.length, 0), "every invocation was a queue-trigger batch");
    assert.match(renderBurst(r), /lost: 0 {3}failed: 0 {3}duplicate destructive actions: 0/);
    assert.match(renderBurst(r), new RegExp(`queue-trigger batches: .*spot-drain \\d+ \\(${first.size}`));
  });

  it("the duplicate count catches the same destructive call succeeding twice for one instance", () => {
    const [id] = burstIds(1);
    const call = (seq: number) => ({ seq, product: "SLB" as const, action: "RemoveBackendServers", params: { LoadBalancerId: "lb-1", BackendServers: `[{"ServerId":"${id}"}]` }, at: 0, outcome: { status: 200 } });
    const drill = {
      stack: "t",
      event: "x",
      entry: undefined as never,
      startedAt: 0,
      timeline: [],
      instances: [],
      queues: [],
      deadLetters: 0,
      deadLetterQueues: [],
      alerts: [],
      records: [],
      problems: [],
      wallMs: 1,
      invocations: { started: 0, finished: 0 },
      batches: [],
      deliveries: { sent: 0, answered: 0, waiting: 0, deadLettered: 0, lost: 0 },
      calls: [call(1), call(2), { ...call(3), params: { ...call(3).params, LoadBalancerId: "lb-2" } }],
    };
    const r = analyseBurst(drill, [id]);
    assert.equal(r.destructiveCalls, 3);
    assert.equal(r.duplicates, 1);
    assert.match(r.duplicateExamples[0], /i-burst00000 RemoveBackendServers .*lb-1.* ×2/);
  });

  it("lost counts a delivery without an outcome that is on no queue, and a message missing from a tier's queue", () => {
    const base = { stack: "t", event: "x", entry: undefined as never, startedAt: 0, instances: [], deadLetters: 0, deadLetterQueues: ["dlq"], alerts: [], records: [], problems: [], wallMs: 1, invocations: { started: 1, finished: 1 }, batches: [], calls: [] };
    const routing = { queues: ["tier", "auto"] } as never;
    const timeline = [{ kind: "event" as const, at: 0, event: {} as never, resourceId: "i-1", routing, invoked: [] }];
    const queues = [{ name: "tier", depth: 0 }, { name: "auto", depth: 0, readBy: "fn" }, { name: "dlq", depth: 0 }];
    const r = analyseBurst({ ...base, timeline: timeline as never, queues, deliveries: { sent: 1, answered: 0, waiting: 0, deadLettered: 0, lost: 1 } }, ["i-1"]);
    assert.equal(r.lost, 2, "the unanswered delivery, and the tier's message that is not on its queue");
    assert.deepEqual(r.queueMessages, { expected: 1, found: 0 });
  });

  it("batch sizes print in order, runs of one size once", () => {
    assert.equal(sizesText([1000, 97]), "1000, 97");
    assert.equal(sizesText([10, 10, 10, 7, 1, 1]), "10 ×3, 7, 1 ×2");
  });
});
