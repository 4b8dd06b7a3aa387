// automation-queue-trigger over the real offline plans of the shipped stacks:
// dev and prod pass as declared; each mutation of prod's graph (a trigger
// removed, its dead-letter queue dropped or undeclared, errors not tolerated,
// a batch window out of bounds, a rule targeting a handler function) fails
// with a mandatory finding that names the resource and what to fix.
import { strict as assert } from "node:assert";
import { evaluatePlan } from "../../policies/plan-graph";
import type { PlanGraph, PlannedResource } from "../../policies/plan-graph";
import { Violation } from "../../policies/model";
import { T } from "../../policies/stack";
import { UNKNOWN } from "../../policies/values";
import { RULES, automationQueueTrigger } from "../../policies/rules";
import { runPlan } from "../plan/helpers";

const ID = automationQueueTrigger.id;
const plan = (stack: string): PlanGraph => {
  const r = runPlan(stack);
  assert.equal(r.status, 0, r.stderr);
  return r.graph!;
};
const findings = (g: PlanGraph): Violation[] => evaluatePlan(g, {}, [automationQueueTrigger]);
const named = (g: PlanGraph, name: string, type: string): PlannedResource => {
  const r = g.resources.find((x) => x.name === name && x.type === type);
  assert.ok(r, `no ${type} ${name} in the plan`);
  return r;
};
const trigger = (g: PlanGraph, handler: string) => named(g, `handler-${handler}-queue`, T.fcTrigger);
/** Changes the trigger's configuration (a JSON string in the plan, as the provider takes it). */
const editConfig = (g: PlanGraph, handler: string, edit: (c: Record<string, any>) => void) => {
  const t = trigger(g, handler);
  const c = JSON.parse(String(t.inputs.triggerConfig));
  edit(c);
  t.inputs.triggerConfig = JSON.stringify(c);
};

interface Case {
  name: string;
  change: (g: PlanGraph) => void;
  /** The finding's message. */
  expect: RegExp;
  /** Logical name of the resource the finding is on. */
  resource: string;
  undecided?: boolean;
}

const cases: Case[] = [
  {
    name: "the queue trigger removed",
    change: (g) => (g.resources = g.resources.filter((r) => r.name !== "handler-spot-drain-queue")),
    expect: /^automation queue auto-queue-spot-drain \(eventops-prod-auto-spot-drain\) \(AutomationQueue auto-queue-spot-drain, rule eventops-prod-route-spot-drain\) has no enabled eventbridge trigger with eventSourceType MNS reading it: its events reach no handler$/,
    resource: "auto-queue-spot-drain",
  },
  {
    name: "the queue trigger disabled",
    change: (g) => editConfig(g, "expiry", (c) => (c.triggerEnable = false)),
    expect: /automation queue auto-queue-expiry .* \(queue trigger handler-expiry-queue \(function eventops-prod-expiry\) has triggerEnable false\): its events reach no handler/,
    resource: "auto-queue-expiry",
  },
  {
    name: "the trigger reads another event source (not MNS)",
    change: (g) => editConfig(g, "maintenance", (c) => (c.eventSourceConfig.eventSourceType = "RocketMQ")),
    expect: /automation queue auto-queue-maintenance .* has no enabled eventbridge trigger with eventSourceType MNS reading it/,
    resource: "auto-queue-maintenance",
  },
  {
    name: "the dead-letter queue dropped",
    change: (g) => editConfig(g, "spot-drain", (c) => delete c.runOptions.deadLetterQueue),
    expect: /^queue trigger handler-spot-drain-queue \(function eventops-prod-spot-drain\): it has no runOptions\.deadLetterQueue\.Arn: a batch whose retries are spent is discarded$/,
    resource: "handler-spot-drain-queue",
  },
  {
    name: "errorsTolerance NONE",
    change: (g) => editConfig(g, "instance-cleanup", (c) => (c.runOptions.errorsTolerance = "NONE")),
    expect: /^queue trigger handler-instance-cleanup-queue \(function eventops-prod-instance-cleanup\): runOptions\.errorsTolerance is "NONE": with NONE the stream stops at the first batch that still fails after its retries; set "ALL"/,
    resource: "handler-instance-cleanup-queue",
  },
  {
    name: "errorsTolerance not set (NONE by default)",
    change: (g) => editConfig(g, "instance-cleanup", (c) => delete c.runOptions.errorsTolerance),
    expect: /handler-instance-cleanup-queue .*runOptions\.errorsTolerance is not set \(NONE by default\)/,
    resource: "handler-instance-cleanup-queue",
  },
  {
    name: "CountBasedWindow 0",
    change: (g) => editConfig(g, "spot-drain", (c) => (c.runOptions.batchWindow.CountBasedWindow = 0)),
    expect: /^queue trigger handler-spot-drain-queue \(function eventops-prod-spot-drain\): runOptions\.batchWindow\.CountBasedWindow is 0: it must be an integer 1-10000 \(messages\)$/,
    resource: "handler-spot-drain-queue",
  },
  {
    name: "CountBasedWindow 20000",
    change: (g) => editConfig(g, "spot-drain", (c) => (c.runOptions.batchWindow.CountBasedWindow = 20000)),
    expect: /handler-spot-drain-queue .*CountBasedWindow is 20000: it must be an integer 1-10000/,
    resource: "handler-spot-drain-queue",
  },
  {
    name: "CountBasedWindow not an integer",
    change: (g) => editConfig(g, "state-record", (c) => (c.runOptions.batchWindow.CountBasedWindow = 2.5)),
    expect: /handler-state-record-queue .*CountBasedWindow is 2\.5: it must be an integer 1-10000/,
    resource: "handler-state-record-queue",
  },
  {
    name: "TimeBasedWindow 16",
    change: (g) => editConfig(g, "state-record", (c) => (c.runOptions.batchWindow.TimeBasedWindow = 16)),
    expect: /^queue trigger handler-state-record-queue \(function eventops-prod-state-record\): runOptions\.batchWindow\.TimeBasedWindow is 16: it must be an integer 0-15 \(seconds\)$/,
    resource: "handler-state-record-queue",
  },
  {
    name: "no batch window at all (unbounded)",
    change: (g) => editConfig(g, "expiry", (c) => delete c.runOptions.batchWindow),
    expect: /handler-expiry-queue .*CountBasedWindow is not set: it must be an integer 1-10000/,
    resource: "handler-expiry-queue",
  },
  {
    name: "event-driven mode (no batching)",
    change: (g) => editConfig(g, "expiry", (c) => (c.runOptions.mode = "event-driven")),
    expect: /handler-expiry-queue .*runOptions\.mode is "event-driven": only "event-streaming" pushes batches/,
    resource: "handler-expiry-queue",
  },
  {
    name: "the DLQ Arn names an undeclared queue",
    change: (g) => editConfig(g, "maintenance", (c) => (c.runOptions.deadLetterQueue.Arn = "acs:mns:cn-hangzhou:1000000000000000:/queues/eventops-prod-nowhere-dlq")),
    expect: /^queue trigger handler-maintenance-queue \(function eventops-prod-maintenance\): runOptions\.deadLetterQueue\.Arn names MNS queue eventops-prod-nowhere-dlq, which this stack does not declare$/,
    resource: "handler-maintenance-queue",
  },
  {
    name: "the DLQ Arn is not an MNS queue ARN",
    change: (g) => editConfig(g, "maintenance", (c) => (c.runOptions.deadLetterQueue.Arn = "eventops-prod-auto-maintenance-dlq")),
    expect: /handler-maintenance-queue .*Arn "eventops-prod-auto-maintenance-dlq" is not an MNS queue ARN \(acs:mns:<region>:<account>:\/queues\/<name>\)/,
    resource: "handler-maintenance-queue",
  },
  {
    name: "the DLQ Arn names the queue the trigger reads",
    change: (g) => editConfig(g, "maintenance", (c) => (c.runOptions.deadLetterQueue.Arn = "acs:mns:cn-hangzhou:1000000000000000:/queues/eventops-prod-auto-maintenance")),
    expect: /handler-maintenance-queue .*names the queue it reads \(eventops-prod-auto-maintenance\)/,
    resource: "handler-maintenance-queue",
  },
  {
    name: "the DLQ Arn in another account",
    change: (g) => editConfig(g, "maintenance", (c) => (c.runOptions.deadLetterQueue.Arn = "acs:mns:cn-hangzhou:2000000000000000:/queues/eventops-prod-auto-maintenance-dlq")),
    expect: /handler-maintenance-queue .*names account 2000000000000000, not the stack's account 1000000000000000/,
    resource: "handler-maintenance-queue",
  },
  {
    name: "the trigger reads its queue in another region",
    change: (g) => editConfig(g, "maintenance", (c) => (c.eventSourceConfig.eventSourceParameters.sourceMNSParameters.RegionId = "cn-beijing")),
    expect: /handler-maintenance-queue .*RegionId is "cn-beijing", but queue eventops-prod-auto-maintenance is in cn-hangzhou/,
    resource: "handler-maintenance-queue",
  },
  {
    name: "the trigger reads an undeclared queue",
    change: (g) => editConfig(g, "maintenance", (c) => (c.eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName = "eventops-prod-elsewhere")),
    expect: /handler-maintenance-queue .*reads MNS queue eventops-prod-elsewhere, which this stack does not declare/,
    resource: "handler-maintenance-queue",
  },
  {
    name: "the trigger's function is not a handler function",
    change: (g) => (trigger(g, "spot-drain").inputs.functionName = "eventops-prod-something-else"),
    expect: /^queue trigger handler-spot-drain-queue \(function eventops-prod-something-else\): it invokes function eventops-prod-something-else, which is not a handler function declared in this stack/,
    resource: "handler-spot-drain-queue",
  },
  {
    name: "triggerConfig not JSON",
    change: (g) => (trigger(g, "spot-drain").inputs.triggerConfig = "{mode: event-streaming"),
    expect: /^queue trigger handler-spot-drain-queue \(function eventops-prod-spot-drain\): triggerConfig is not JSON/,
    resource: "handler-spot-drain-queue",
  },
  {
    name: "an automation rule with an fcParameters target on a handler function",
    change: (g) => (named(g, "eventops-prod-route-spot-drain", T.eventRule).inputs.fcParameters = [{ fcParametersId: "1", functionName: "eventops-prod-spot-drain", region: "cn-hangzhou" }]),
    expect: /^rule eventops-prod-route-spot-drain targets the spot-drain handler's function eventops-prod-spot-drain directly \(fcParameters\[0\]\): CloudMonitor's Function Compute target models FC 2\.0 .*send the events to the handler's queue \(mnsParameters\) instead$/,
    resource: "eventops-prod-route-spot-drain",
  },
  {
    name: "a tier rule with an fcParameters target on a handler function",
    change: (g) => (named(g, "eventops-prod-payments-critical", T.eventRule).inputs.fcParameters = [{ fcParametersId: "1", functionName: "eventops-prod-expiry" }]),
    expect: /^rule eventops-prod-payments-critical targets the expiry handler's function eventops-prod-expiry directly \(fcParameters\[0\]\)/,
    resource: "eventops-prod-payments-critical",
  },
  {
    name: "triggerConfig unknown until apply",
    change: (g) => (trigger(g, "spot-drain").inputs.triggerConfig = UNKNOWN),
    expect: /could not verify that automation queue auto-queue-spot-drain .* has a queue trigger: the source or triggerEnable of queue trigger handler-spot-drain-queue .* is unknown until apply/,
    resource: "auto-queue-spot-drain",
    undecided: true,
  },
  {
    name: "a rule's Function Compute targets unknown until apply",
    change: (g) => (named(g, "eventops-prod-route-expiry", T.eventRule).inputs.fcParameters = UNKNOWN),
    expect: /could not verify that rule eventops-prod-route-expiry has no Function Compute target: fcParameters is unknown until apply/,
    resource: "eventops-prod-route-expiry",
    undecided: true,
  },
];

describe(`policy ${ID} over the offline plans`, function () {
  this.timeout(60_000);

  for (const stack of ["dev", "prod"]) {
    it(`passes the shipped '${stack}' plan, which has a queue trigger for every automation queue`, () => {
      const g = plan(stack);
      assert.deepEqual(findings(g), []);
      // Not vacuous: the plan holds automation queues, each read by a trigger the rule checked.
      const triggers = g.resources.filter((r) => r.type === T.fcTrigger && r.inputs.triggerType === "eventbridge");
      const autoQueues = g.resources.filter((r) => r.type === T.queue && r.name.startsWith("auto-queue-") && !r.name.endsWith("-dlq"));
      assert.ok(autoQueues.length >= 5, `${stack}: ${autoQueues.length} automation queues`);
      assert.equal(triggers.length, autoQueues.length);
    });
  }

  it("is part of the pack (CrossGuard and the offline plan run RULES)", () => {
    assert.ok(RULES.includes(automationQueueTrigger));
    assert.equal(automationQueueTrigger.enforcement, "mandatory");
  });

  for (const c of cases) {
    it(`reports: ${c.name}`, () => {
      const g = structuredClone(plan("prod"));
      c.change(g);
      const found = findings(g);
      const hit = found.find((v) => c.expect.test(v.message));
      assert.ok(hit, `expected a finding matching ${c.expect}; got:\n${found.map((v) => v.message).join("\n") || "(none)"}`);
      assert.equal(hit.resource?.name, c.resource, `the finding names ${c.resource}`);
      assert.equal(hit.undecided, c.undecided === true);
      assert.equal(hit.enforcement, c.undecided ? "advisory" : "mandatory");
      assert.match(hit.remediation, /mnsParameters/);
    });
  }

  it("a mutated plan fails the whole offline check (the plan exits 1 on it)", () => {
    const g = structuredClone(plan("prod"));
    editConfig(g, "spot-drain", (c) => (c.runOptions.errorsTolerance = "NONE"));
    const all = evaluatePlan(g, { requiredTagKeys: [] });
    assert.deepEqual(all.filter((v) => v.enforcement === "mandatory").map((v) => v.policy), [ID]);
  });
});
