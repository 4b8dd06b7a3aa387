// The queue hop of routing: a firing rule sends the event to a queue, and the
// handler acts only when an enabled FC queue trigger reads that queue and
// invokes the handler's function. Read from prod's real plan graph, then from
// mutations of it (the trigger removed, disabled, pointed elsewhere).
import * as assert from "node:assert/strict";
import { DEFAULT_BATCH_WINDOWS } from "../../handlers/contract";
import { HANDLER_NAMES } from "../../handlers/catalogue";
import type { PlanGraph, PlannedResource } from "../../policies/plan-graph";
import { buildEvent } from "../../tools/routing/events";
import { routingModel } from "../../tools/routing/model";
import { planGraph } from "../../tools/routing/plan";
import { QueueTriggerConfigError, declaredQueueTrigger, declaredQueueTriggers, queueOfArn } from "../../tools/routing/queue-triggers";
import { route } from "../../tools/routing/route";

const TRIGGER = "alicloud:fc/v3Trigger:V3Trigger";
const spot = buildEvent({ name: "Instance:PreemptibleInstanceInterruption", level: "WARN" });
const TAGS = { app: "batch", "eventops-managed": "true" };
const isSpotQueueTrigger = (r: PlannedResource) => r.type === TRIGGER && r.name === "handler-spot-drain-queue";

/** The graph with the spot-drain queue trigger's inputs changed (or the trigger gone, when `change` returns undefined). */
function withSpotTrigger(graph: PlanGraph, change: (inputs: Record<string, unknown>, config: Record<string, any>) => Record<string, unknown> | undefined): PlanGraph {
  const resources = graph.resources.flatMap((r) => {
    if (!isSpotQueueTrigger(r)) return [r];
    const inputs = change({ ...r.inputs }, JSON.parse(String(r.inputs.triggerConfig)));
    return inputs ? [{ ...r, inputs }] : [];
  });
  return { ...graph, resources };
}

const trigger = (inputs: Record<string, unknown>): PlannedResource => ({ type: TRIGGER, name: "t", urn: "urn:t", custom: true, inputs: { functionName: "fn", triggerName: "queue", ...inputs } });

describe("routing through queue triggers", function () {
  this.timeout(120_000);
  let graph: PlanGraph;
  before(() => {
    graph = planGraph("prod");
  });

  it("prod declares one queue trigger per handler, reading its own automation queue with the declared window and dead-letter queue", () => {
    const triggers = declaredQueueTriggers(graph);
    assert.deepEqual(triggers.map((t) => t.functionName).sort(), HANDLER_NAMES.map((h) => `eventops-prod-${h}`).sort());
    for (const t of triggers) {
      const handler = t.functionName.replace("eventops-prod-", "") as keyof typeof DEFAULT_BATCH_WINDOWS;
      assert.equal(t.queue, `eventops-prod-auto-${handler}`);
      assert.equal(t.deadLetterQueue, `eventops-prod-auto-${handler}-dlq`);
      assert.deepEqual(t.window, { countBasedWindow: DEFAULT_BATCH_WINDOWS[handler].countBasedWindow, timeBasedWindowSeconds: DEFAULT_BATCH_WINDOWS[handler].timeBasedWindowSeconds });
      assert.equal(t.enabled, true);
      assert.equal(t.asyncInvocation, false);
      assert.equal(t.errorsTolerance, "ALL");
    }
  });

  it("a spot interruption reaches spot-drain through its queue and the trigger reading it", () => {
    const r = route(routingModel(graph), spot, TAGS);
    assert.ok(r.queues.includes("eventops-prod-auto-spot-drain"));
    assert.deepEqual(r.viaQueue, [{ queue: "eventops-prod-auto-spot-drain", function: "eventops-prod-spot-drain", trigger: "queue", window: { countBasedWindow: 1000, timeBasedWindowSeconds: 2 } }]);
    assert.deepEqual(r.functions, ["eventops-prod-spot-drain"]);
    assert.deepEqual(r.handlers, ["spot-drain"]);
    assert.deepEqual(r.unreached, []);
    // No rule targets the function itself: the queue is the only way in.
    assert.ok(routingModel(graph).rules.every((rule) => rule.functions.length === 0));
  });

  it("with the trigger removed, the rule still sends to the queue but spot-drain is unreached", () => {
    const r = route(routingModel(withSpotTrigger(graph, () => undefined)), spot, TAGS);
    assert.ok(r.queues.includes("eventops-prod-auto-spot-drain"), "the rule still fires and sends to the queue");
    assert.deepEqual(r.viaQueue, []);
    assert.deepEqual(r.functions, []);
    assert.deepEqual(r.handlers, []);
    assert.deepEqual(r.unreached, ["spot-drain"]);
  });

  it("a disabled trigger, or one reading another queue, does not deliver either", () => {
    const disabled = withSpotTrigger(graph, (inputs, cfg) => ({ ...inputs, triggerConfig: JSON.stringify({ ...cfg, triggerEnable: false }) }));
    assert.deepEqual(route(routingModel(disabled), spot, TAGS).unreached, ["spot-drain"]);
    const reading = (queue: string) =>
      withSpotTrigger(graph, (inputs, cfg) => {
        cfg.eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName = queue;
        return { ...inputs, triggerConfig: JSON.stringify(cfg) };
      });
    // The INFO tier's queue: no rule that fires for this WARN event sends there.
    const r = route(routingModel(reading("eventops-prod-audit")), spot, TAGS);
    assert.deepEqual(r.viaQueue, []);
    assert.deepEqual(r.unreached, ["spot-drain"]);
    // Matching is by queue, not by name: a trigger on the WARN tier's queue gets the event from there.
    const tier = route(routingModel(reading("eventops-prod-events")), spot, TAGS);
    assert.deepEqual(tier.viaQueue.map((h) => `${h.queue} → ${h.function}`), ["eventops-prod-events → eventops-prod-spot-drain"]);
    assert.deepEqual(tier.handlers, ["spot-drain"]);
  });
});

describe("reading a queue trigger's config", () => {
  const mns = (extra: Record<string, unknown> = {}, run: Record<string, unknown> = {}) =>
    JSON.stringify({ eventSourceConfig: { eventSourceType: "MNS", eventSourceParameters: { sourceMNSParameters: { RegionId: "cn-hangzhou", QueueName: "q" } } }, runOptions: { mode: "event-streaming", batchWindow: { CountBasedWindow: 10, TimeBasedWindow: 3 }, deadLetterQueue: { Arn: "acs:mns:cn-hangzhou:1:/queues/q-dlq" }, ...run }, ...extra });

  it("reads queue, window, retry strategy and the dead-letter queue's name from its ARN", () => {
    const t = declaredQueueTrigger(trigger({ triggerType: "eventbridge", triggerConfig: mns({}, { retryStrategy: { PushRetryStrategy: "EXPONENTIAL_DECAY_RETRY" } }) }));
    assert.deepEqual(t, { resource: "t", functionName: "fn", triggerName: "queue", queue: "q", region: "cn-hangzhou", enabled: true, window: { countBasedWindow: 10, timeBasedWindowSeconds: 3 }, retryStrategy: "EXPONENTIAL_DECAY_RETRY", deadLetterQueue: "q-dlq", asyncInvocation: false });
    assert.equal(queueOfArn("acs:mns:cn-hangzhou:1000000000000000:/queues/eventops-prod-auto-spot-drain-dlq"), "eventops-prod-auto-spot-drain-dlq");
  });

  it("event-driven mode pushes one message per call; event-streaming without a window has none", () => {
    assert.deepEqual(declaredQueueTrigger(trigger({ triggerType: "eventbridge", triggerConfig: mns({}, { mode: "event-driven", batchWindow: undefined }) }))?.window, { countBasedWindow: 1, timeBasedWindowSeconds: 0 });
    assert.equal(declaredQueueTrigger(trigger({ triggerType: "eventbridge", triggerConfig: mns({}, { batchWindow: undefined }) }))?.window, undefined);
  });

  it("is not a queue trigger: a timer, an eventbridge trigger of another source", () => {
    assert.equal(declaredQueueTrigger(trigger({ triggerType: "timer", triggerConfig: JSON.stringify({ cronExpression: "@every 1m" }) })), undefined);
    assert.equal(declaredQueueTrigger(trigger({ triggerType: "eventbridge", triggerConfig: JSON.stringify({ eventSourceConfig: { eventSourceType: "Default" } }) })), undefined);
  });

  it("a queue trigger whose config cannot be read is an error naming the trigger and the field", () => {
    assert.throws(() => declaredQueueTrigger(trigger({ triggerType: "eventbridge", triggerConfig: "{not json" })), (e: unknown) => e instanceof QueueTriggerConfigError && /trigger t \(function fn\): triggerConfig is not JSON/.test(e.message));
    const noQueue = JSON.stringify({ eventSourceConfig: { eventSourceType: "MNS", eventSourceParameters: { sourceMNSParameters: {} } } });
    assert.throws(() => declaredQueueTrigger(trigger({ triggerType: "eventbridge", triggerConfig: noQueue })), /sourceMNSParameters\.QueueName is missing/);
    assert.throws(() => declaredQueueTrigger(trigger({ triggerType: "eventbridge", triggerConfig: mns({}, { batchWindow: { CountBasedWindow: 0 } }) })), /CountBasedWindow must be a whole number of messages, got 0/);
  });
});
