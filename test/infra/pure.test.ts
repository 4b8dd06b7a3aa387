import assert from "node:assert/strict";
import { CATALOGUE, LEVELS, fullNames, lookup, namesHandledBy } from "../../handlers/catalogue";
import { criticalAlertSubscribers } from "../../infra/alerting/alert-subscribers";
import * as pulumi from "@pulumi/pulumi";
import { chunk, handlerRule, handlerRules } from "../../infra/alerting/handler-rule";
import { automationRoutes, groupTierArgs, tierTemplate } from "../../infra/alerting/tier-rules";
import { selectedNames, tierNameList, tierRuleName, tierRules } from "../../infra/alerting/tier-template";
import { handlerPolicyDocument } from "../../infra/automation/role-policy";
import { tagPolicyContent } from "../../infra/components/tag-taxonomy";
import { validateConfig } from "../../infra/config/validate";
import { StackConfig } from "../../infra/config/schema";

function config(): StackConfig {
  const r = validateConfig({
    stack: "t",
    region: "cn-hangzhou",
    isSecret: () => true,
    values: {
      tags: { groupBy: "app", keys: { app: { values: ["web", "api"] }, managed: { values: ["yes"] } } },
      contacts: [
        { name: "ann", email: "ann@example.com", phone: "+8613800000000" },
        { name: "bob", email: "bob@example.com" },
      ],
      contactGroups: [
        { name: "oncall", role: "oncall", members: ["ann"] },
        { name: "owners", role: "owners", members: ["bob"] },
      ],
      tiers: {
        CRITICAL: { contactGroups: ["oncall"], channels: "phone", silenceSeconds: 300, targets: { webhooks: ["bridge"], queues: ["events"] } },
        WARN: { contactGroups: ["owners"], channels: "sms", silenceSeconds: 600 },
        INFO: { contactGroups: ["owners"], channels: "chat", silenceSeconds: 3600 },
      },
      queues: [{ name: "events" }],
      webhooks: [{ name: "bridge", url: "https://hooks.example.com/x" }],
      automation: { scopeTag: { key: "managed", value: "yes" }, alerts: { mailAccount: "alerts@example.com", smsSignName: "Ops", smsTemplateCode: "SMS_1" } },
    },
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  return r.config;
}

describe("tier rule template", () => {
  // The stack's path: its config's tiers as the template, applied to each configured group.
  const rulesOf = (c: StackConfig, group: string, receivers?: Map<string, pulumi.Resource>) =>
    tierRules(groupTierArgs(c, c.groups.find((g) => g.name === group)!, tierTemplate(c, receivers)));
  const atLevel = (rules: ReturnType<typeof tierRules>, level: string) => rules.filter((r) => r.eventPattern.levelLists.includes(level));

  it("expands to one rule per group and tier, each scoped, levelled and routed as its tier says", () => {
    const c = config();
    const specs = c.groups.flatMap((g) => rulesOf(c, g.name));
    assert.equal(specs.length, 2 * LEVELS.length);
    assert.equal(new Set(specs.map((s) => s.ruleName)).size, specs.length);
    const [critical, ...more] = atLevel(rulesOf(c, "api"), "CRITICAL");
    assert.equal(more.length, 0);
    assert.equal(critical.ruleName, "eventops-t-api-critical");
    assert.equal(critical.description, "CRITICAL ECS events of application group api (app=api)");
    assert.deepEqual(critical.eventPattern.levelLists, ["CRITICAL"]);
    assert.deepEqual(critical.contacts, [{ contactGroupName: "eventops-t-oncall", level: "2" }]);
    assert.deepEqual(critical.queues, ["eventops-t-events"]);
    assert.deepEqual(critical.webhookUrls, ["https://hooks.example.com/x"], "the configured URL of webhook 'bridge'");
    assert.equal(atLevel(rulesOf(c, "web"), "INFO")[0].contacts[0].level, "4");
  });

  it("makes each tier's rules wait for the declared receivers they name, and only those", () => {
    const c = config();
    const oncall = { name: "oncall" } as unknown as pulumi.Resource;
    const owners = { name: "owners" } as unknown as pulumi.Resource;
    const events = { name: "events" } as unknown as pulumi.Resource;
    const receivers = new Map([["eventops-t-oncall", oncall], ["eventops-t-owners", owners], ["eventops-t-events", events]]);
    const rules = rulesOf(c, "web", receivers);
    assert.deepEqual(atLevel(rules, "CRITICAL")[0].dependsOn, [oncall, events]);
    assert.deepEqual(atLevel(rules, "WARN")[0].dependsOn, [owners]);
  });

  it("refuses a template without a tier for every level, naming the group and the missing level", () => {
    const c = config();
    const { INFO: _dropped, ...partial } = tierTemplate(c);
    assert.throws(() => tierRules({ ...groupTierArgs(c, c.groups[0], partial as ReturnType<typeof tierTemplate>) }), /tier rules of group web: the template has no INFO tier/);
  });

  for (const level of LEVELS) {
    it(`lists exactly the catalogue's ${level} names, every status`, () => {
      const expected = CATALOGUE.filter((e) => e.levels.includes(level)).flatMap(fullNames).sort();
      assert.deepEqual(tierNameList({ products: ["ECS"], eventTypes: ["*"], names: [] }, level, "ECS").sort(), expected);
    });
  }

  it("narrows names by event type and by the configured names", () => {
    const onlyStatus = tierNameList({ products: ["ECS"], eventTypes: ["StatusNotification"], names: [] }, "WARN", "ECS");
    assert.ok(onlyStatus.every((n) => !n.includes("SystemMaintenance")));
    assert.ok(onlyStatus.includes("Instance:PreemptibleInstanceInterruption"));
    const picked = tierNameList({ products: ["ECS"], eventTypes: ["*"], names: ["Instance:SystemMaintenance.Reboot", "Instance:SystemFailure.Reboot:Executed"] }, "CRITICAL", "ECS");
    assert.deepEqual(picked.sort(), [...fullNames(CATALOGUE.find((e) => e.event === "SystemMaintenance.Reboot")!), "Instance:SystemFailure.Reboot:Executed"].sort());
  });

  it("routes by product, event type and level: one rule per tier and product, no name list", () => {
    const c = config();
    const rules = tierRules({ ...groupTierArgs(c, c.groups[0], tierTemplate(c)), events: { products: ["ECS", "RDS"], eventTypes: ["*"], names: [] } });
    assert.deepEqual(rules.map((r) => r.ruleName).sort(), ["critical", "critical-rds", "info", "info-rds", "warn", "warn-rds"].map((t) => `eventops-t-web-${t}`).sort());
    for (const r of rules) {
      assert.deepEqual(r.eventPattern.nameLists, [], `${r.ruleName}: no name list`);
      assert.deepEqual(r.eventPattern.eventTypeLists, ["*"]);
      assert.equal(r.eventPattern.levelLists.length, 1);
    }
    assert.deepEqual(rules.filter((r) => r.eventPattern.product === "RDS").map((r) => r.eventPattern.levelLists[0]).sort(), ["CRITICAL", "INFO", "WARN"]);
  });

  it("names ECS rules plainly and other products' rules with their code, so adding a product renames nothing", () => {
    assert.equal(tierRuleName("p-g", "WARN", "ECS"), "p-g-warn");
    assert.equal(tierRuleName("p-g", "WARN", "Redis"), "p-g-warn-redis");
  });

  it("lists chosen catalogue names (every status of a base name) of the rule's product only, and none without a choice", () => {
    assert.deepEqual(selectedNames({ names: [] }, "ECS"), []);
    const picked = selectedNames({ names: ["Instance:SystemMaintenance.Reboot", "Instance:SystemFailure.Reboot:Executed"] }, "ECS");
    assert.deepEqual(picked.sort(), [...fullNames(CATALOGUE.find((e) => e.event === "SystemMaintenance.Reboot")!), "Instance:SystemFailure.Reboot:Executed"].sort());
    assert.deepEqual(selectedNames({ names: ["Instance:SystemMaintenance.Reboot"] }, "RDS"), []);
  });

  it("refuses a selection of more than 50 names for one product's pattern", () => {
    const c = config();
    const many = CATALOGUE.filter((e) => e.product === "ECS").map((e) => `${e.resource}:${e.event}`);
    assert.ok(many.flatMap((n) => selectedNames({ names: [n] }, "ECS")).length > 50, "the catalogue has more than 50 full names");
    assert.throws(() => tierRules({ ...groupTierArgs(c, c.groups[0], tierTemplate(c)), events: { products: ["ECS"], eventTypes: ["*"], names: many } }), /at most 50 \(PutEventRule\)/);
  });

  it("gives every deployed handler one account-wide rule with the names it acts on", () => {
    const specs = automationRoutes(config()).map(handlerRule);
    assert.equal(specs.length, 5);
    const spot = specs.find((s) => s.ruleName === "eventops-t-route-spot-drain")!;
    assert.deepEqual(spot.eventPattern.nameLists, ["Instance:PreemptibleInstanceInterruption"]);
    assert.deepEqual(spot.eventPattern.levelLists, ["*"]);
    // To the handler's own queue, which its FC queue trigger reads: no Function Compute target (S10).
    assert.deepEqual([spot.contacts, spot.functions, spot.webhookUrls], [[], [], []]);
    assert.deepEqual(spot.queues, ["eventops-t-auto-spot-drain"]);
  });
});

describe("automation rules within the 50-name limit", () => {
  it("chunk splits in order into runs of at most the size", () => {
    assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(chunk([], 50), []);
  });

  it("every handler's rules list at most 50 names, one product each, together exactly the names it acts on", () => {
    for (const route of automationRoutes(config())) {
      const rules = handlerRules(route);
      for (const r of rules) {
        assert.ok(r.eventPattern.nameLists.length >= 1 && r.eventPattern.nameLists.length <= 50, `${r.ruleName}: ${r.eventPattern.nameLists.length} names`);
        assert.ok(r.eventPattern.nameLists.every((n) => lookup(n)?.entry.product === r.eventPattern.product), `${r.ruleName}: one product`);
      }
      assert.deepEqual(rules.flatMap((r) => r.eventPattern.nameLists).sort(), [...namesHandledBy(route.handler)].sort(), route.handler);
      assert.equal(rules[0].ruleName, route.ruleName, "the first part keeps the route's name");
      assert.equal(new Set(rules.map((r) => r.ruleName)).size, rules.length);
    }
  });

  it("handlerRule refuses a route that needs several rules instead of truncating it", () => {
    const route = automationRoutes(config())[0];
    const rules = handlerRules(route);
    if (rules.length === 1) assert.deepEqual(handlerRule(route), rules[0]);
    else assert.throws(() => handlerRule(route), /use handlerRules/);
  });
});

describe("handler role policy document", () => {
  const doc = JSON.parse(
    handlerPolicyDocument({
      actions: ["ecs:DescribeInstances", "slb:SetBackendServers", "oss:PutObject", "mns:SendMessage", "mns:PublishMessage"],
      region: "cn-hangzhou",
      accountId: "123",
      markerBucket: "b",
      objectPrefixes: ["m", "p"],
      deadLetterQueue: "dlq",
      alertTopic: "alerts",
    }),
  );
  const byAction = (a: string) => doc.Statement.find((s: { Action: string[] }) => s.Action.includes(a));

  it("lists exactly the given actions, no wildcard action", () => {
    const all = doc.Statement.flatMap((s: { Action: string[] }) => s.Action).sort();
    assert.deepEqual(all, ["ecs:DescribeInstances", "mns:PublishMessage", "mns:SendMessage", "oss:PutObject", "slb:SetBackendServers"]);
  });
  it("narrows data-plane actions to the stack's bucket prefixes, queue and topic", () => {
    assert.deepEqual(byAction("oss:PutObject").Resource, ["acs:oss:*:123:b/m/*", "acs:oss:*:123:b/p/*"]);
    assert.deepEqual(byAction("mns:SendMessage").Resource, ["acs:mns:cn-hangzhou:123:/queues/dlq/messages"]);
    assert.deepEqual(byAction("mns:PublishMessage").Resource, ["acs:mns:cn-hangzhou:123:/topics/alerts/messages"]);
  });
});

describe("critical alert subscribers", () => {
  it("subscribes only webhooks when no mail sender or SMS template is configured", () => {
    const c = config();
    c.automation!.alerts = {};
    assert.deepEqual(criticalAlertSubscribers(c).map((s) => s.pushType), ["http"]);
  });
  it("subscribes the CRITICAL tier's people by SMS and email, and its webhooks; nobody else", () => {
    const subs = criticalAlertSubscribers(config());
    assert.deepEqual(subs.map((s) => `${s.pushType}:${s.endpoint}`).sort(), ["alisms:+8613800000000", "email:ann@example.com", "http:bridge"]);
  });
});

describe("tag policy document", () => {
  it("allows each declared key only its declared values", () => {
    const doc = JSON.parse(tagPolicyContent(config().tags));
    assert.deepEqual(doc.tags.app.tag_value["@@assign"], ["web", "api"]);
    assert.equal(doc.tags.managed.tag_key["@@assign"], "managed");
    assert.deepEqual(Object.keys(doc.tags).sort(), ["app", "managed"]);
  });
});
