// The CMS matching semantics the routing model chose (tools/routing/cms-semantics.ts), table by table.
import * as assert from "node:assert/strict";
import { EventPattern, MatchableEvent, SqlFilterError, TagGroupRule, isMember, listMatches, patternMatches, sqlFilterMatches, tokenize } from "../../tools/routing/cms-semantics";
import { buildEvent } from "../../tools/routing/events";
import { DeclaredRule, RoutingModel } from "../../tools/routing/model";
import { handlerOfFunction, route } from "../../tools/routing/route";

const scheduled = buildEvent({ name: "Instance:SystemMaintenance.Reboot", status: "Scheduled", instanceId: "i-23ij0o82612" });
const executed = buildEvent({ name: "Instance:SystemMaintenance.Reboot", status: "Executed", instanceId: "i-23ij0o82612" });
const matchable = (e: typeof scheduled): MatchableEvent => ({ product: e.product, name: e.name, level: e.level, cmsEventType: "Maintenance", text: JSON.stringify(e) });

describe("routing semantics: event pattern", () => {
  const cases: [string, EventPattern, boolean, string?][] = [
    ["empty pattern = no filter", { product: "ECS" }, true],
    ["empty lists = no filter", { product: "ECS", eventTypeLists: [], levelLists: [], nameLists: [] }, true],
    ["product is case-insensitive", { product: "ecs" }, true],
    ["other product", { product: "RDS" }, false, "product"],
    ["event type: OR inside the list", { product: "ECS", eventTypeLists: ["Exception", "Maintenance"] }, true],
    ["event type: * wildcard", { product: "ECS", eventTypeLists: ["*"] }, true],
    ["event type: not listed", { product: "ECS", eventTypeLists: ["StatusNotification"] }, false, "eventType"],
    ["level listed", { product: "ECS", levelLists: ["WARN", "CRITICAL"] }, true],
    ["level not listed", { product: "ECS", levelLists: ["INFO"] }, false, "level"],
    ["full name with status", { product: "ECS", nameLists: ["Instance:SystemMaintenance.Reboot:Scheduled"] }, true],
    ["the base name alone does not match a name with status", { product: "ECS", nameLists: ["Instance:SystemMaintenance.Reboot"] }, false, "name"],
    ["* inside a name is a wildcard", { product: "ECS", nameLists: ["Instance:SystemMaintenance.Reboot:*"] }, true],
    ["wildcard prefix", { product: "ECS", nameLists: ["Instance:SystemMaintenance.*"] }, true],
    ["wildcard that does not fit", { product: "ECS", nameLists: ["Instance:SystemFailure.*"] }, false, "name"],
    ["AND across fields: one field fails", { product: "ECS", levelLists: ["CRITICAL"], nameLists: ["Instance:StateChange"] }, false, "name"],
    ["sqlFilter that holds", { product: "ECS", sqlFilter: "i-23ij0o82612 and Scheduled" }, true],
    ["sqlFilter that does not", { product: "ECS", sqlFilter: "i-23ij0o82612 and Executed" }, false, "sqlFilter"],
  ];
  for (const [title, pattern, matched, failedOn] of cases) {
    it(title, () => assert.deepEqual(patternMatches(pattern, matchable(scheduled)), matched ? { matched } : { matched, failedOn }));
  }

  it("an event type the catalogue does not know matches only unfiltered lists", () => {
    assert.equal(listMatches(["Maintenance"], undefined), false);
    assert.equal(listMatches(["*"], undefined), true);
    assert.equal(listMatches([], undefined), true);
  });
});

describe("routing semantics: sqlFilter (Log Service full-text)", () => {
  const text = JSON.stringify(executed);
  const cases: [string, boolean][] = [
    ["i-23ij0o82612 and Executed", true],
    ["i-23ij0o82612 Executed", true], // adjacent terms = and
    ["i-23ij0o82612 and Scheduled", false],
    ["Scheduled or Executed", true],
    ["not Scheduled", true],
    ["Executed not i-23ij0o82612", false], // a not b = a and not b
    ["(Scheduled or Avoided) and i-23ij0o82612", false],
    ["(Scheduled or Executed) and i-23ij0o82612", true],
    ["EXECUTED", true], // tokens compare case-insensitively
    ["Exec*", true],
    ["Execut", false], // a term matches a whole token
    ['"SystemMaintenance.Reboot:Executed"', true], // a phrase = consecutive tokens
    ["Instance:SystemMaintenance.Reboot:Executed", true],
    ['"Executed SystemMaintenance.Reboot"', false],
    ["Scheduled or Avoided and Executed", false], // and binds tighter than or
    ["Executed or Scheduled and Avoided", true],
  ];
  for (const [filter, expected] of cases) it(`${filter} → ${expected}`, () => assert.equal(sqlFilterMatches(filter, text), expected));

  it("tokenizes at the Log Service delimiters, and at backslashes of escaped JSON", () => {
    assert.deepEqual(tokenize('{"name":"Instance:StateChange","id":"i-1"}'), ["name", "instance", "statechange", "id", "i-1"]);
    const stringContent = JSON.stringify({ content: JSON.stringify({ instanceId: "i-abc" }) });
    assert.ok(sqlFilterMatches("i-abc", stringContent));
  });

  it("a filter it cannot read is an error naming the problem, never a silent match", () => {
    assert.throws(() => sqlFilterMatches("(Executed", text), SqlFilterError);
    assert.throws(() => sqlFilterMatches("Executed and", text), /expected a term, got end of filter/);
    assert.throws(() => sqlFilterMatches("eventStatus: Executed", text), /field queries .* not supported/);
    assert.throws(() => sqlFilterMatches('"open', text), /unterminated quote/);
  });
});

describe("routing semantics: application-group membership", () => {
  const group = (fn: string, value?: string): TagGroupRule => ({ tagKey: "app", matchExpresses: [{ tagValue: value, tagValueMatchFunction: fn }] });
  const cases: [string, TagGroupRule, Record<string, string>, boolean][] = [
    ["equals", group("equals", "checkout"), { app: "checkout" }, true],
    ["equals is exact", group("equals", "checkout"), { app: "checkout-canary" }, false],
    ["equals is case-sensitive", group("equals", "checkout"), { app: "Checkout" }, false],
    ["startWith", group("startWith", "check"), { app: "checkout" }, true],
    ["endWith", group("endWith", "out"), { app: "checkout" }, true],
    ["endWith no", group("endWith", "in"), { app: "checkout" }, false],
    ["contains", group("contains", "ecko"), { app: "checkout" }, true],
    ["notContains", group("notContains", "canary"), { app: "checkout" }, true],
    ["notContains no", group("notContains", "canary"), { app: "checkout-canary" }, false],
    ["all = any value of the key", group("all"), { app: "anything" }, true],
    ["all needs the key", group("all"), { team: "web" }, false],
    ["notContains needs the key", group("notContains", "x"), {}, false],
    ["and of expressions", { tagKey: "app", matchExpresses: [{ tagValue: "check", tagValueMatchFunction: "startWith" }, { tagValue: "canary", tagValueMatchFunction: "notContains" }] }, { app: "checkout-canary" }, false],
    ["or of expressions", { tagKey: "app", relation: "or", matchExpresses: [{ tagValue: "batch", tagValueMatchFunction: "equals" }, { tagValue: "check", tagValueMatchFunction: "startWith" }] }, { app: "checkout" }, true],
  ];
  for (const [title, rule, tags, expected] of cases) it(title, () => assert.equal(isMember(rule, tags), expected));

  it("an unknown match function is an error", () => assert.throws(() => isMember(group("regex", "x"), { app: "x" }), /unknown tagValueMatchFunction "regex"/));
});

describe("routing semantics: rules over a model", () => {
  const rule = (over: Partial<DeclaredRule>): DeclaredRule => ({
    ruleName: "r",
    enabled: true,
    pattern: { product: "ECS", levelLists: ["CRITICAL"] },
    contacts: [],
    queues: [],
    functions: [],
    webhooks: [],
    ...over,
  });
  const model: RoutingModel = {
    stack: "t",
    groups: [{ name: "web", groupId: "g-web", tagKey: "app", matchExpresses: [{ tagValue: "web", tagValueMatchFunction: "equals" }], relation: "and" }],
    rules: [
      rule({ ruleName: "scoped", groupId: "g-web", contacts: [{ contactGroupName: "oncall", level: "2", channel: "phone" }], queues: ["q"] }),
      rule({ ruleName: "account-wide", functions: ["eventops-t-maintenance"] }),
      rule({ ruleName: "disabled", enabled: false, webhooks: ["disabled#1"] }),
    ],
    queueTriggers: [],
  };

  it("a group-scoped rule fires only for members; account-wide rules for everyone; disabled never", () => {
    const member = route(model, scheduled, { app: "web" });
    assert.deepEqual(member.rules, ["account-wide", "scoped"]);
    assert.deepEqual(member.contacts, ["oncall:phone"]);
    assert.deepEqual(member.handlers, ["maintenance"]);
    const outsider = route(model, scheduled, { app: "db" });
    assert.deepEqual(outsider.rules, ["account-wide"]);
    assert.deepEqual(outsider.verdicts.map((v) => [v.ruleName, v.failedOn]), [["scoped", "group"], ["account-wide", undefined], ["disabled", "status"]]);
  });

  it("a handler acts only when the catalogue routes it and a firing rule reaches its function", () => {
    const cleanup = buildEvent({ name: "Instance:SystemFailure.Delete", status: "Executed" });
    const r = route(model, cleanup, { app: "web" });
    assert.deepEqual(r.handlers, []);
    assert.deepEqual(r.unreached, ["instance-cleanup"]);
  });

  it("a function is reached by a rule's own target or by the trigger on a queue a firing rule sends to; both paths are listed", () => {
    const window = { countBasedWindow: 10, timeBasedWindowSeconds: 1 };
    const both: RoutingModel = {
      ...model,
      rules: [rule({ ruleName: "direct", functions: ["eventops-t-maintenance"] }), rule({ ruleName: "queued", queues: ["eventops-t-auto-state-record"] })],
      queueTriggers: [{ resource: "t", functionName: "eventops-t-state-record", triggerName: "queue", queue: "eventops-t-auto-state-record", enabled: true, window, asyncInvocation: false }],
    };
    const r = route(both, buildEvent({ name: "Instance:SystemFailure.Reboot", status: "Executing", level: "CRITICAL" }), {});
    assert.deepEqual(r.functions, ["eventops-t-maintenance", "eventops-t-state-record"]);
    assert.deepEqual(r.viaQueue, [{ queue: "eventops-t-auto-state-record", function: "eventops-t-state-record", trigger: "queue", window }]);
    assert.deepEqual(r.handlers, ["state-record"]);
  });

  it("maps function names to handlers by the naming convention", () => {
    assert.equal(handlerOfFunction("eventops-prod-spot-drain"), "spot-drain");
    assert.equal(handlerOfFunction("eventops-prod-state-record"), "state-record");
    assert.equal(handlerOfFunction("someone-elses-function"), undefined);
  });
});
