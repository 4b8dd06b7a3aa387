// The twin delivers as the stack declares: a handler gets an event only from
// the queue trigger reading the queue its rule sends to, in batches of the
// declared window, and a redelivered message is answered `duplicate` without a
// second destructive call. Each case changes prod's real plan graph.
import * as assert from "node:assert/strict";
import type { PlanGraph } from "../../policies/plan-graph";
import { DESTRUCTIVE_ACTIONS, burstIds, runBurst } from "../../tools/drill/burst";
import { ensureBundles } from "../../tools/drill/bundles";
import { runLocalDrill } from "../../tools/drill/local";
import { renderLocalDrill } from "../../tools/drill/report";
import { drillStack } from "../../tools/drill/stack";
import { planGraph } from "../../tools/routing/plan";

const START = Date.parse("2026-11-20T00:00:00Z");
const SPOT = "PreemptibleInstanceInterruption";
const TAGS = { app: "batch", "eventops-managed": "true", "eventops-drill": "true" };
const SPOT_QUEUE = "eventops-prod-auto-spot-drain";

/** prod with the spot-drain queue trigger's config changed, or the trigger gone when `change` returns undefined. */
function withSpotTrigger(graph: PlanGraph, change: (config: Record<string, any>) => Record<string, any> | undefined): PlanGraph {
  return {
    ...graph,
    resources: graph.resources.flatMap((r) => {
      if (r.name !== "handler-spot-drain-queue") return [r];
      const config = change(JSON.parse(String(r.inputs.triggerConfig)));
      return config ? [{ ...r, inputs: { ...r.inputs, triggerConfig: JSON.stringify(config) } }] : [];
    }),
  };
}

describe("local drill on the queue path", function () {
  this.timeout(300_000);
  let graph: PlanGraph;
  before(async () => {
    await ensureBundles();
    graph = planGraph("prod");
  });

  it("the spot interruption reaches spot-drain in a batch from its queue, through the trigger reading it", async () => {
    const r = await runLocalDrill({ stack: drillStack(graph), event: SPOT, instanceIds: ["i-q1"], tags: TAGS, start: START });
    const runs = r.timeline.filter((e) => e.kind === "handler" && e.handler === "spot-drain" && e.trigger === "event");
    assert.equal(runs.length, 1);
    assert.ok(runs[0].kind === "handler" && runs[0].batch?.queue === SPOT_QUEUE && runs[0].batch.size === 1 && runs[0].outcome.outcome === "acted");
    assert.deepEqual(r.instances[0].after, [], "drained and removed");
    assert.equal(r.queues.find((q) => q.name === SPOT_QUEUE)?.depth, 0, "taken off its queue");
    assert.match(renderLocalDrill(r), /via: {7}eventops-prod-auto-spot-drain → eventops-prod-spot-drain \(trigger queue: batches of up to 1000 message\(s\) or 2 s\)/);
    assert.deepEqual(r.problems, []);
  });

  it("with the trigger removed the rule still sends to the queue, but spot-drain never runs: unreached, the message stays, the drill fails", async () => {
    const r = await runLocalDrill({ stack: drillStack(withSpotTrigger(graph, () => undefined)), event: SPOT, instanceIds: ["i-q2"], tags: TAGS, start: START });
    const notice = r.timeline.find((e) => e.kind === "event" && e.event.name === `Instance:${SPOT}`);
    assert.ok(notice && notice.kind === "event");
    assert.ok(notice.routing.queues.includes(SPOT_QUEUE));
    assert.deepEqual(notice.routing.unreached, ["spot-drain"]);
    assert.equal(r.timeline.filter((e) => e.kind === "handler" && e.handler === "spot-drain" && e.trigger === "event").length, 0);
    assert.equal(r.queues.find((q) => q.name === SPOT_QUEUE)?.depth, 1, "the notice is still on the queue nobody reads");
    assert.equal(r.instances[0].instanceStatus, "released");
    assert.ok(r.problems.some((p) => /routes it to spot-drain, whose function eventops-prod-spot-drain the stack deploys, but it reaches that function neither from a rule nor through a queue trigger/.test(p)), r.problems.join("; "));
  });

  it("batches respect the declared CountBasedWindow", async () => {
    const stack = drillStack(withSpotTrigger(graph, (c) => ({ ...c, runOptions: { ...c.runOptions, batchWindow: { CountBasedWindow: 7, TimeBasedWindow: 2 } } })));
    const r = await runBurst({ stack, event: SPOT, count: 20, start: START, throttleEvery: 0, redeliverFraction: 0 });
    // The 20 notices arrive together. One batch at a time (a synchronous trigger): a full batch of 7 as soon as
    // the trigger is free, the 6 left when the 2 s window after the last batch ends.
    assert.deepEqual(r.batches["spot-drain"], [7, 7, 6]);
    const [first, second, third] = r.drill.batches.filter((b) => b.handler === "spot-drain");
    assert.equal(first.at, START);
    assert.equal(second.at, first.endedAt);
    assert.equal(third.at, second.endedAt! + 2000);
    assert.equal(r.outcomesByHandler["spot-drain"].acted, 20);
    assert.equal(r.lost + r.failed + r.duplicates, 0);
  });

  it("a redelivered message is answered duplicate, never with a second destructive call", async () => {
    const r = await runBurst({ stack: drillStack(graph), event: SPOT, count: 10, start: START, throttleEvery: 0, redeliverFraction: 1 });
    const copies = r.drill.timeline.filter((e) => e.kind === "handler" && e.trigger === "event" && e.redelivery);
    const spotCopies = copies.filter((e) => e.kind === "handler" && e.handler === "spot-drain");
    assert.equal(spotCopies.length, 10, "every notice was delivered twice");
    assert.deepEqual([...new Set(spotCopies.map((e) => e.kind === "handler" && e.outcome.outcome))], ["duplicate"]);
    assert.equal(r.outcomesByHandler["spot-drain"].acted, 10);
    // Each instance's drain and removal happened once per load-balancer target.
    const ids = new Set(burstIds(10));
    const destructive = r.drill.calls.filter((c) => (DESTRUCTIVE_ACTIONS as readonly string[]).includes(c.action) && c.outcome.status < 300 && !c.replayed);
    assert.ok(destructive.length > 0);
    assert.equal(r.duplicates, 0, r.duplicateExamples.join("\n"));
    for (const id of ids) assert.ok(destructive.some((c) => Object.values(c.params).join(" ").includes(id)), `${id} was drained`);
    assert.equal(r.lost, 0);
  });
});
