import assert from "node:assert/strict";
import * as fs from "node:fs";
import YAML from "yaml";
import { HANDLER_NAMES, LEVELS } from "../../handlers/catalogue";
import { childrenOf, ofType } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { offlineGroupId } from "../../tools/plan/mocks";
import { EMPTY_CELL } from "../../tools/plan/render";
import { ROOT, runPlan, stackVariant } from "./helpers";

const CHANNEL_LEVEL: Record<string, string> = { phone: "2", sms: "3", chat: "4" };

for (const stack of ["dev", "prod"]) {
  describe(`offline plan of the shipped '${stack}' stack`, () => {
    const config = YAML.parse(fs.readFileSync(`${ROOT}/Pulumi.${stack}.yaml`, "utf8")).config;
    const tiers = config["event-ops:tiers"];
    const run = () => runPlan(stack);

    it("exits 0 and prints resources and a coverage matrix with no empty cell", () => {
      const r = run();
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Resources by type:/);
      assert.match(r.stdout, /Coverage: application group × tier/);
      assert.ok(!r.stdout.includes(EMPTY_CELL), "an empty coverage cell was printed");
      assert.match(r.markdown ?? "", /### Coverage/);
    });

    it("declares every group with exactly one rule per tier, scoped to its own application group", () => {
      const graph = run().graph!;
      const groups = ofType(graph, T.applicationGroup);
      const tagValues: string[] = config["event-ops:groups"]?.map((g: { name: string }) => g.name) ?? config["event-ops:tags"].keys[config["event-ops:tags"].groupBy].values;
      assert.deepEqual(groups.map((g) => g.name.replace(/^group-/, "")).sort(), [...tagValues].sort());
      for (const group of groups) {
        const children = childrenOf(graph, group);
        const dynamic = children.filter((c) => c.type === T.dynamicTagGroup);
        assert.equal(dynamic.length, 1, `${group.name}: one dynamic tag group`);
        const rules = children.filter((c) => c.type === T.eventRule);
        const products: string[] = config["event-ops:events"]?.products ?? ["ECS"];
        assert.equal(rules.length, LEVELS.length * products.length, `${group.name}: one rule per tier and product`);
        for (const [level, product] of LEVELS.flatMap((l) => products.map((p) => [l, p]))) {
          const rule = rules.find((r) => (r.inputs.eventPattern as any).levelLists.join() === level && (r.inputs.eventPattern as any).product === product);
          assert.ok(rule, `${group.name}: no ${level} ${product} rule`);
          const p = rule.inputs as any;
          assert.equal(p.groupId, offlineGroupId(dynamic[0].id!), `${rule.name}: scoped to its own group`);
          // By product, type and level, not by a name list (at most 50 names per pattern, PutEventRule).
          assert.equal(p.eventPattern.nameLists, undefined, `${rule.name}: routes by type and level`);
          assert.equal(p.silenceTime, tiers[level].silenceSeconds);
          const wantContacts = tiers[level].contactGroups.map((g: string) => ({ level: CHANNEL_LEVEL[tiers[level].channels], name: `eventops-${stack}-${g}` }));
          assert.deepEqual(p.contactParameters.map((c: any) => ({ level: c.level, name: c.contactGroupName })), wantContacts);
          const wantQueues = (tiers[level].targets?.queues ?? []).map((q: string) => `eventops-${stack}-${q}`);
          assert.deepEqual(p.mnsParameters.map((m: any) => m.queue), wantQueues);
          assert.equal(p.webhookParameters.length, (tiers[level].targets?.webhooks ?? []).length);
          // Receivers are named by cloud name, so the rule must wait for exactly those resources.
          const deps = (rule.dependsOn ?? []).map((u) => graph.resources.find((r) => r.urn === u)!.inputs);
          assert.deepEqual(deps.map((d) => d.alarmContactGroupName ?? d.queueName).sort(), [...wantContacts.map((c: { name: string }) => c.name), ...wantQueues].sort(), `${rule.name}: depends on its receivers`);
        }
      }
    });

    it("gives every automation queue a dead-letter queue, the configured encryption and retention", () => {
      const graph = run().graph!;
      const queues = ofType(graph, T.queue);
      const names = new Set(queues.map((q) => q.inputs.queueName));
      const main = queues.filter((q) => !String(q.inputs.queueName).endsWith("-dlq"));
      // The configured queues and one event queue per deployed handler (the queue trigger's source).
      const handlers = config["event-ops:automation"] ? (config["event-ops:automation"].handlers ?? HANDLER_NAMES).length : 0;
      assert.equal(main.length, config["event-ops:queues"].length + handlers);
      // SSE needs the feature enabled for the account by ticket (message/serviceQueue.d.ts): off unless configured.
      const sse = (config["event-ops:queueEncryption"]?.type ?? "none") !== "none";
      for (const q of queues) {
        assert.equal(q.inputs.enableSse, sse, `${q.name}: SSE as configured`);
        assert.ok(Number(q.inputs.messageRetentionPeriod) > 0, `${q.name}: retention`);
      }
      for (const q of main) {
        const dlq = q.inputs.dlqPolicy as any;
        assert.equal(dlq?.enabled, true, `${q.name}: dead-letter policy`);
        assert.ok(names.has(dlq.deadLetterTargetQueue), `${q.name}: dead-letter queue declared`);
      }
    });

    it("names every cloud resource after the stack and never shows a secret", () => {
      const graph = run().graph!;
      for (const r of ofType(graph, T.eventRule)) assert.match(String(r.inputs.ruleName), new RegExp(`^eventops-${stack}-`));
      for (const r of ofType(graph, T.queue)) assert.match(String(r.inputs.queueName), new RegExp(`^eventops-${stack}-`));
      const text = JSON.stringify(graph);
      assert.ok(!/secure|v1:|access_token/.test(text), "ciphertext or a token leaked into the plan");
    });

    it("records exactly the stack outputs infra/index.ts exports (the plan runs the program's calls, not the module)", () => {
      const exported = [...fs.readFileSync(`${ROOT}/infra/index.ts`, "utf8").matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
      assert.ok(exported.length > 0);
      assert.deepEqual(Object.keys(run().graph!.outputs).sort(), exported.sort());
    });
  });
}

describe("offline plan of broken configs", () => {
  const cases: [string, (c: Record<string, any>) => void, RegExp][] = [
    ["unknown contact group in a tier", (c) => c["event-ops:tiers"].WARN.contactGroups.push("ghosts"), /event-ops:tiers\.WARN\.contactGroups\[2\]: unknown contact group 'ghosts'/],
    ["a tier removed", (c) => delete c["event-ops:tiers"].INFO, /event-ops:tiers\.INFO: missing tier/],
    ["a plaintext webhook URL", (c) => (c["event-ops:webhooks"][0].url = "https://hooks.example.com/services/T0/B0/token"), /event-ops:webhooks\[0\]\.url: a webhook URL carries a credential and must be a Pulumi secret/],
    ["a plaintext DingTalk webhook", (c) => (c["event-ops:contacts"][0].dingtalkWebhook = "https://oapi.dingtalk.com/robot/send?access_token=abc"), /event-ops:contacts\[0\]\.dingtalkWebhook: .*must be a Pulumi secret/],
  ];
  for (const [title, edit, message] of cases) {
    it(`exits 2 naming the path: ${title}`, () => {
      const v = stackVariant("prod", edit);
      const r = runPlan(v.stack, v.dir);
      fs.rmSync(v.dir, { recursive: true, force: true });
      assert.equal(r.status, 2, r.stderr + r.stdout);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /No resource was declared/);
      assert.equal(r.graph, undefined, "no plan JSON may be written for a bad config");
    });
  }

  it("exits 2 for a stack that does not exist", () => {
    const r = runPlan("nope");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no stack 'nope'.*stacks here: .*prod/);
  });
});

describe("offline plan --diff", () => {
  it("lists the changed properties against a base plan, per resource", () => {
    const base = runPlan("prod");
    const dir = fs.mkdtempSync(`${require("node:os").tmpdir()}/plan-diff-`);
    const baseFile = `${dir}/base.json`;
    fs.writeFileSync(baseFile, JSON.stringify(base.graph));
    const v = stackVariant("prod", (c) => {
      c["event-ops:tiers"].WARN.silenceSeconds = 1200;
      c["event-ops:contactGroups"][2].members.push("chen-jie");
    });
    const r = runPlan(v.stack, v.dir, ["--diff", baseFile]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(v.dir, { recursive: true, force: true });
    assert.equal(r.status, 0, r.stderr);
    const md = r.markdown ?? "";
    // WARN silence of every group's ECS and RDS rule (5 × 2), and the owners contact group.
    assert.match(md, /0 added, 0 removed, 11 changed/);
    assert.match(md, /`eventops-prod-checkout-warn` \(EventRule\)[\s\S]*?\| `silenceTime` \| `1800` \| `1200` \|/);
    assert.match(md, /`contacts-group-owners` \(AlarmContactGroup\)/);
  });
});

describe("offline plan: handlers as deployed", () => {
  const graph = () => runPlan("prod").graph!;
  const manifest = JSON.parse(fs.readFileSync(`${ROOT}/dist/handlers/manifest.json`, "utf8"));

  it("deploys each handler from its bundle with the bundle's checksum, a role with exactly its actions, and a DLQ destination", () => {
    const g = graph();
    const components = g.resources.filter((r) => r.type === "eventops:index:HandlerFunction");
    assert.deepEqual(components.map((c) => c.inputs.handler).sort(), Object.keys(manifest).sort());
    for (const c of components) {
      const handler = String(c.inputs.handler);
      const children = childrenOf(g, c);
      const fn = children.find((r) => r.type === T.fcFunction)!;
      assert.equal((fn.inputs.code as any).checksum, manifest[handler].crc64, `${handler}: checksum from the bundle`);
      assert.equal(fn.inputs.runtime, "nodejs20");
      const role = children.find((r) => r.type === T.ramRole)!;
      const attachment = children.find((r) => r.type === T.ramRolePolicyAttachment)!;
      assert.equal(attachment.inputs.roleName, role.inputs.roleName, `${handler}: the policy is attached to the handler's own role`);
      assert.equal(fn.inputs.role, `acs:ram::1000000000000000:role/${String(role.inputs.roleName).toLowerCase()}`, `${handler}: the function runs as its role`);
      const policy = children.find((r) => r.type === T.ramPolicy)!;
      const actions = JSON.parse(String(policy.inputs.policyDocument)).Statement.flatMap((s: { Action: string[] }) => s.Action).sort();
      assert.deepEqual(actions, manifest[handler].ramActions, `${handler}: role lists only the bundle's actions`);
      const async = children.find((r) => r.type === "alicloud:fc/v3AsyncInvokeConfig:V3AsyncInvokeConfig")!;
      assert.match(String((async.inputs.destinationConfig as any).onFailure.destination), /\/queues\/eventops-prod-handlers-dlq\/messages$/);
      const env = fn.inputs.environmentVariables as Record<string, string>;
      for (const k of ["SCOPE_TAG_KEY", "SCOPE_TAG_VALUE", "IDEMPOTENCY_BUCKET", "DEAD_LETTER_QUEUE", "ALERT_TOPIC", "GROUP_POLICIES"]) assert.ok(env[k], `${handler}: env ${k}`);
    }
  });

  it("runs the maintenance reconciler, the expiry scan and the crash sweepers on timers", () => {
    const timers = graph().resources.filter((r) => r.type === "alicloud:fc/v3Trigger:V3Trigger" && r.inputs.triggerType === "timer");
    const byFn = Object.fromEntries(timers.map((t) => [String(t.inputs.functionName), JSON.parse(String(t.inputs.triggerConfig))]));
    assert.deepEqual(JSON.parse(byFn["eventops-prod-maintenance"].payload), { reconcile: true });
    assert.deepEqual(JSON.parse(byFn["eventops-prod-expiry"].payload), { scan: "expiry" });
    // spot-drain and instance-cleanup tick only to resume claims whose owner died (handlers/contract/timers.ts).
    assert.deepEqual(JSON.parse(byFn["eventops-prod-spot-drain"].payload), { sweep: true });
    assert.deepEqual(JSON.parse(byFn["eventops-prod-instance-cleanup"].payload), { sweep: true });
    assert.equal(byFn["eventops-prod-spot-drain"].cronExpression, "@every 1m");
    assert.equal(timers.length, 4);
  });

  it("routes each handler's catalogue names to it with one account-wide rule", () => {
    const rules = ofType(graph(), T.eventRule).filter((r) => !r.inputs.groupId);
    assert.deepEqual(rules.map((r) => r.inputs.ruleName).sort(), Object.keys(manifest).map((h) => `eventops-prod-route-${h}`).sort());
    // Each to its handler's own queue (the queue trigger's source), never to Function Compute directly (S10).
    for (const r of rules) {
      assert.deepEqual(r.inputs.fcParameters, [], r.name);
      assert.deepEqual((r.inputs.mnsParameters as any[]).map((m) => m.queue), [String(r.inputs.ruleName).replace("-route-", "-auto-")], r.name);
    }
  });

  it("declares the OOS spot-drain template only for groups that chose it", () => {
    const templates = graph().resources.filter((r) => r.type === "alicloud:oos/template:Template");
    assert.deepEqual(templates.map((t) => t.inputs.templateName), ["eventops-prod-search-spot-drain"]);
    assert.ok(String(templates[0].inputs.content).includes("ACS::EventTrigger"));
  });
});
