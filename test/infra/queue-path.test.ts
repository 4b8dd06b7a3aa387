// Issue 14, item 1: automation events travel CloudMonitor → the handler's own MNS
// queue → FC 3.0's queue trigger (an `eventbridge` trigger) → the function, in
// batches, dead-lettered. Checked on the offline plans, with the official SDK's
// model (@alicloud/fc20230330, dev-only) as the oracle of the triggerConfig's
// field names and types.
import assert from "node:assert/strict";
import * as fc from "@alicloud/fc20230330";
import { PlanGraph, PlannedResource, childrenOf, ofType } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { runPlan, stackVariant } from "../plan/helpers";
import { HANDLER_NAMES } from "../../handlers/catalogue";
import { DEFAULT_BATCH_WINDOWS } from "../../handlers/contract";
import { validateConfig } from "../../infra/config/validate";
import { stackValues } from "./stack-values";

type Props = Record<string, any>;
type ModelClass = { names(): Record<string, string>; types(): Record<string, unknown> };

/**
 * Every key of `value` is a wire name of `model` and its value has the model's type, all the
 * way down: the SDK would serialise exactly this JSON. Returns the paths that are not.
 */
function offModel(value: Props, model: ModelClass, at = "triggerConfig"): string[] {
  const byWire = new Map(Object.entries(model.names()).map(([prop, wire]) => [wire, model.types()[prop]]));
  return Object.entries(value).flatMap(([key, v]) => {
    const path = `${at}.${key}`;
    if (!byWire.has(key)) return [`${path}: not a field of ${(model as unknown as { name: string }).name}`];
    const type = byWire.get(key);
    if (typeof type === "function") return v && typeof v === "object" ? offModel(v as Props, type as unknown as ModelClass, path) : [`${path}: expected an object`];
    return typeof v === type ? [] : [`${path}: ${typeof v}, the model says ${String(type)}`];
  });
}

const graphOf = (stack: string, cwd?: string): PlanGraph => {
  const r = runPlan(stack, cwd);
  assert.equal(r.status, 0, r.stderr);
  return r.graph!;
};
const queueTriggers = (g: PlanGraph) => ofType(g, "alicloud:fc/v3Trigger:V3Trigger").filter((t) => t.inputs.triggerType === "eventbridge");
const configOf = (t: PlannedResource): Props => JSON.parse(String(t.inputs.triggerConfig));
const queueNames = (g: PlanGraph) => new Set(ofType(g, T.queue).map((q) => String(q.inputs.queueName)));

for (const stack of ["dev", "prod"] as const) {
  describe(`the queue-backed event path on the ${stack} plan (issue 14)`, () => {
    let g: PlanGraph;
    before(function () {
      this.timeout(120_000);
      g = graphOf(stack);
    });

    it("every handler function has one eventbridge trigger reading its own automation queue, with that queue's dead-letter queue", () => {
      const functions = ofType(g, "alicloud:fc/v3Function:V3Function");
      assert.equal(functions.length, HANDLER_NAMES.length);
      const triggers = queueTriggers(g);
      assert.equal(triggers.length, functions.length);
      const queues = queueNames(g);
      for (const fn of functions) {
        const name = String(fn.inputs.functionName);
        const handler = HANDLER_NAMES.find((h) => name.endsWith(`-${h}`))!;
        const mine = triggers.filter((t) => t.inputs.functionName === name);
        assert.equal(mine.length, 1, name);
        const [t] = mine;
        assert.equal(t.inputs.triggerName, "queue");
        assert.equal(t.inputs.qualifier, "LATEST");
        const c = configOf(t);
        const src = c.eventSourceConfig.eventSourceParameters.sourceMNSParameters;
        assert.equal(c.eventSourceConfig.eventSourceType, "MNS");
        assert.equal(src.QueueName, name.replace(new RegExp(`-${handler}$`), `-auto-${handler}`));
        assert.ok(queues.has(src.QueueName), `${src.QueueName} is declared`);
        const dlq = /^acs:mns:([a-z0-9-]+):(\d+):\/queues\/(.+)$/.exec(c.runOptions.deadLetterQueue.Arn);
        assert.ok(dlq, c.runOptions.deadLetterQueue.Arn);
        assert.equal(dlq[1], src.RegionId);
        assert.equal(dlq[3], `${src.QueueName}-dlq`);
        assert.ok(queues.has(dlq[3]), "the dead-letter queue is declared");
        assert.equal(c.runOptions.errorsTolerance, "ALL", "a failing batch goes to the DLQ instead of stopping the stream");
        assert.equal(c.runOptions.mode, "event-streaming");
        assert.deepEqual(c.runOptions.batchWindow, { CountBasedWindow: DEFAULT_BATCH_WINDOWS[handler].countBasedWindow, TimeBasedWindow: DEFAULT_BATCH_WINDOWS[handler].timeBasedWindowSeconds });
        // A child of the handler's component, so it is shown and reviewed with the function.
        assert.ok(childrenOf(g, ofType(g, T.handlerFunction).find((h) => h.name === `handler-${handler}`)!).some((k) => k.urn === t.urn));
      }
    });

    it("the triggerConfig is what the official SDK model (fc-20230330 EventBridgeTriggerConfig) serialises: every field and type", () => {
      for (const t of queueTriggers(g)) assert.deepEqual(offModel(configOf(t), fc.EventBridgeTriggerConfig as unknown as ModelClass), [], t.name);
      // The oracle can fail: a misspelt or mistyped field is caught.
      const c = configOf(queueTriggers(g)[0]);
      c.runOptions.batchWindow.CountBasedWindows = 5;
      c.runOptions.errorsTolerance = true;
      assert.deepEqual(offModel(c, fc.EventBridgeTriggerConfig as unknown as ModelClass), [
        "triggerConfig.runOptions.batchWindow.CountBasedWindows: not a field of BatchWindow",
        "triggerConfig.runOptions.errorsTolerance: boolean, the model says string",
      ]);
    });

    it("no event rule targets Function Compute; automation rules and tier handler targets send to the handlers' queues", () => {
      const rules = ofType(g, T.eventRule);
      for (const r of rules) assert.deepEqual(r.inputs.fcParameters ?? [], [], `${r.name} has a Function Compute target (S10)`);
      const queues = queueNames(g);
      const auto = rules.filter((r) => /-route-/.test(String(r.inputs.ruleName)));
      assert.ok(auto.length >= HANDLER_NAMES.length);
      for (const r of auto) {
        const targets = (r.inputs.mnsParameters as Props[]).map((m) => String(m.queue));
        assert.equal(targets.length, 1, r.name);
        assert.match(targets[0], /-auto-(spot-drain|instance-cleanup|maintenance|expiry|state-record)$/);
        assert.ok(queues.has(targets[0]));
        assert.ok(String(r.inputs.ruleName).replace("-route-", "-auto-").startsWith(targets[0]), `${r.name} sends to its own handler's queue`);
      }
    });

    it("CloudMonitor's role may send to every automation queue, and to nothing undeclared", () => {
      const access = ofType(g, T.ramPolicy).find((p) => String(p.inputs.policyName).endsWith("-cms-to-mns"))!;
      const resources: string[] = JSON.parse(String(access.inputs.policyDocument)).Statement[0].Resource;
      const named = resources.map((arn) => /\/queues\/([^/]+)\/messages$/.exec(arn)![1]);
      for (const t of queueTriggers(g)) assert.ok(named.includes(configOf(t).eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName));
      const queues = queueNames(g);
      for (const q of named) assert.ok(queues.has(q), q);
    });
  });
}

describe("the queue path from config (issue 14)", () => {
  it("automation.batching overrides a handler's window; the others keep their defaults", function () {
    this.timeout(120_000);
    const v = stackVariant("dev", (c) => (c["event-ops:automation"].batching = { "spot-drain": { countBasedWindow: 250 }, expiry: { timeBasedWindowSeconds: 0 } }));
    const g = graphOf(v.stack, v.dir);
    const windows = Object.fromEntries(queueTriggers(g).map((t) => [String(t.inputs.functionName).replace(/^.*-dev-/, ""), configOf(t).runOptions.batchWindow]));
    assert.deepEqual(windows["spot-drain"], { CountBasedWindow: 250, TimeBasedWindow: DEFAULT_BATCH_WINDOWS["spot-drain"].timeBasedWindowSeconds });
    assert.deepEqual(windows.expiry, { CountBasedWindow: DEFAULT_BATCH_WINDOWS.expiry.countBasedWindow, TimeBasedWindow: 0 });
    assert.deepEqual(windows.maintenance, { CountBasedWindow: DEFAULT_BATCH_WINDOWS.maintenance.countBasedWindow, TimeBasedWindow: DEFAULT_BATCH_WINDOWS.maintenance.timeBasedWindowSeconds });
  });

  it("rejects windows outside FC's bounds and queue names the automation queues take, each with its path", () => {
    const values = stackValues("dev");
    const r = validateConfig({
      stack: "t",
      region: "cn-hangzhou",
      isSecret: () => true,
      values: {
        ...values,
        automation: { ...values.automation, batching: { "spot-drain": { countBasedWindow: 0, timeBasedWindowSeconds: 16 }, nonsense: {} } },
        queues: [...(values.queues ?? []), { name: "auto-spot-drain" }],
      },
    });
    assert.ok(!r.ok);
    const paths = r.issues.map((i) => `${i.path}: ${i.message}`);
    assert.ok(paths.some((p) => p.startsWith("event-ops:automation.batching.spot-drain.countBasedWindow")), paths.join("\n"));
    assert.ok(paths.some((p) => p.startsWith("event-ops:automation.batching.spot-drain.timeBasedWindowSeconds")), paths.join("\n"));
    assert.ok(paths.some((p) => p.startsWith("event-ops:automation.batching") && /unknown .*nonsense/.test(p)), paths.join("\n"));
    assert.ok(paths.some((p) => /^event-ops:queues\[\d+\]\.name: queue name 'auto-spot-drain' is reserved/.test(p)), paths.join("\n"));
  });
});
