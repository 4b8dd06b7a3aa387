import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PlanGraph } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { EMPTY_CELL } from "../../tools/plan/render";
import { ROOT, runPlan } from "./helpers";

/** Runs `npm run plan -- --check` over a recorded plan changed by `mutate`. */
function checkMutated(mutate: (g: PlanGraph) => string): { status: number | null; stderr: string; stdout: string; target: string } {
  const graph = structuredClone(runPlan("prod").graph!);
  const target = mutate(graph);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-check-"));
  const file = path.join(dir, "plan.json");
  fs.writeFileSync(file, JSON.stringify(graph));
  const r = spawnSync(process.execPath, [path.join(ROOT, "tools/plan/run.js"), "--check", file], { cwd: ROOT, encoding: "utf8" });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, target };
}

const rulesOf = (g: PlanGraph) => g.resources.filter((r) => r.type === T.eventRule);

describe("policies in the offline plan", () => {
  it("both shipped stacks pass every mandatory policy", () => {
    for (const stack of ["dev", "prod"]) {
      const r = runPlan(stack);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Policies \(policies\/.*\n\s+all pass/);
    }
  });

  const cases: [string, RegExp, (g: PlanGraph) => string][] = [
    ["removing one tier rule", /tier-coverage/, (g) => {
      const rule = rulesOf(g).find((r) => r.inputs.groupId && (r.inputs.eventPattern as any).levelLists[0] === "WARN")!;
      g.resources = g.resources.filter((r) => r !== rule);
      return String(rule.parent!.split("::").pop());
    }],
    ["emptying a contact group", /tier-coverage|no-dangling/, (g) => {
      const group = g.resources.find((r) => r.type === T.alarmContactGroup && r.name === "contacts-group-owners")!;
      group.inputs.contacts = [];
      return "owners";
    }],
    ["pointing a rule at an undeclared queue", /no-dangling-targets/, (g) => {
      const rule = rulesOf(g).find((r) => (r.inputs.mnsParameters as unknown[]).length > 0)!;
      (rule.inputs.mnsParameters as any[])[0].queue = "eventops-prod-nowhere";
      return rule.name;
    }],
    ["adding \"*\" to a handler's role", /handler-least-privilege/, (g) => {
      const policy = g.resources.find((r) => r.type === T.ramPolicy && r.name === "handler-spot-drain-policy")!;
      const doc = JSON.parse(String(policy.inputs.policyDocument));
      doc.Statement[0].Action.push("*");
      policy.inputs.policyDocument = JSON.stringify(doc);
      return policy.name;
    }],
    // Provider constraints: each names the resource, the fact and its source.
    // Automation rules target their handler's queue (no rule has an FC target since issue 14): the arn of that target.
    ["setting an event rule target's computed-only arn", /computed-only-inputs.*mnsParameters\[0\]\.arn is set.*\(source: /, (g) => {
      const rule = rulesOf(g).find((r) => r.name === "eventops-prod-route-spot-drain")!;
      (rule.inputs.mnsParameters as any[])[0].arn = "acs:mns:cn-hangzhou:1:/queues/eventops-prod-auto-spot-drain";
      return rule.name;
    }],
    ["removing a handler's queue trigger", /automation-queue-trigger.*has no enabled eventbridge trigger with eventSourceType MNS reading it/, (g) => {
      g.resources = g.resources.filter((r) => r.name !== "handler-expiry-queue");
      return "eventops-prod-auto-expiry";
    }],
    ["a queue trigger with an unbounded batch", /automation-queue-trigger.*CountBasedWindow is not set: it must be an integer 1-10000/, (g) => {
      const trigger = g.resources.find((r) => r.type === T.fcTrigger && r.name === "handler-spot-drain-queue")!;
      const config = JSON.parse(String(trigger.inputs.triggerConfig));
      delete config.runOptions.batchWindow;
      trigger.inputs.triggerConfig = JSON.stringify(config);
      return trigger.name;
    }],
    ["an automation rule targeting its handler's function", /automation-queue-trigger.*targets the spot-drain handler's function eventops-prod-spot-drain directly/, (g) => {
      const rule = rulesOf(g).find((r) => r.name === "eventops-prod-route-spot-drain")!;
      rule.inputs.fcParameters = [{ fcParametersId: "1", functionName: "eventops-prod-spot-drain", region: "cn-hangzhou" }];
      return rule.name;
    }],
    ["51 event names in one pattern", /event-rule-limits.*nameLists holds 51 entries.*\(source: /, (g) => {
      const rule = rulesOf(g)[0];
      (rule.inputs.eventPattern as any).nameLists = Array.from({ length: 51 }, (_, i) => `Instance:E${i}`);
      return rule.name;
    }],
    ["a tag policy name with hyphens", /cloud-name-rules.*letters, digits and underscores.*\(source: /, (g) => {
      const policy = g.resources.find((r) => r.type === T.tagPolicy)!;
      policy.inputs.policyName = "eventops-prod-tags";
      return policy.name;
    }],
    ["preset tags on the stack's default provider of another region", /region-support.*served only in cn-hangzhou.*\(source: /, (g) => {
      const tag = g.resources.find((r) => r.type === T.metaTag)!;
      const other = g.providers!.find((p) => p.type === "pulumi:providers:alicloud" && p.region !== "cn-hangzhou")!;
      tag.provider = `${other.urn}::${other.id}`;
      return tag.name;
    }],
    ["a fixed bucket name", /globally-unique-names.*contains no RandomId hex.*\(source: /, (g) => {
      const bucket = g.resources.find((r) => r.type === T.bucket)!;
      bucket.inputs.bucket = "eventops-prod-markers";
      return bucket.name;
    }],
    ["more vCPU than memory", /fc-memory-cpu.*between 1:1 and 1:4.*\(source: /, (g) => {
      const fn = g.resources.find((r) => r.type === T.fcFunction)!;
      Object.assign(fn.inputs, { memorySize: 512, cpu: 2 });
      return fn.name;
    }],
    ["a contact language the provider refuses", /enum-values.*lang is "zh_CN".*\(source: /, (g) => {
      const contact = g.resources.find((r) => r.type === T.alarmContact)!;
      contact.inputs.lang = "zh_CN";
      return contact.name;
    }],
    ["an oos.Execution of the event-trigger template", /oos-execution-completes.*ACS::EventTrigger.*\(source: /, (g) => {
      const template = g.resources.find((r) => r.type === T.oosTemplate)!;
      g.resources.push({ ...template, type: T.oosExecution, name: "listener", urn: `${template.urn}-listener`, inputs: { templateName: template.inputs.templateName, mode: "Automatic" } });
      return "listener";
    }],
  ];
  for (const [title, policy, mutate] of cases) {
    it(`exits 1 naming the policy and the resource: ${title}`, () => {
      const r = checkMutated(mutate);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /mandatory policy violation/);
      assert.match(r.stderr, policy);
      assert.ok(r.stderr.includes(r.target), `the violation does not name ${r.target}:\n${r.stderr}`);
      if (title === "removing one tier rule") assert.ok(r.stdout.includes(EMPTY_CELL), "the coverage matrix must show the empty cell");
    });
  }
});
