import { strict as assert } from "node:assert";
import { ramAction } from "../../handlers/core/apis";
import { HANDLERS, ramActionsFor, runtimeApis } from "../../handlers/registry";
import type { HandlerName } from "../../handlers/catalogue";
import type { EventHandler } from "../../handlers/core/handler";
import { CloudGateway } from "../../handlers/core/gateway";
import { buffer, harness, IN_SCOPE, makeEvent } from "./doubles/harness";

const EVENTS: Record<string, () => Record<string, unknown>> = {
  "spot-drain": () => makeEvent("Instance:PreemptibleInstanceInterruption", "i-1"),
  "instance-cleanup": () => makeEvent("Instance:StateChange", "i-1", { resourceId: "i-1", state: "Deleted" }, { level: "INFO" }),
  "state-record": () => makeEvent("Instance:SystemFailure.Reboot:Executing", "i-1", { eventStatus: "Executing" }, { level: "CRITICAL" }),
};

describe("RAM actions per handler", () => {
  it("lists every implemented handler's actions, sorted and in product:Action form", () => {
    for (const name of Object.keys(HANDLERS) as HandlerName[]) {
      const actions = ramActionsFor(name);
      assert.deepEqual(actions, [...actions].sort());
      for (const a of actions) assert.match(a, /^(ecs|slb|alb|ess|cms|oss|mns):[A-Z][A-Za-z]+$/);
      assert.ok(actions.includes("mns:SendMessage"), "every function dead-letters");
    }
    assert.ok(ramActionsFor("spot-drain").includes("mns:PublishMessage"), "the CRITICAL capacity alert goes to the ALERT_TOPIC");
    assert.ok(!ramActionsFor("spot-drain").includes("cms:PutCustomEvent"), "no custom events any more");
    assert.ok(ramActionsFor("spot-drain").includes("oss:PutObject"));
    assert.ok(!ramActionsFor("instance-cleanup").includes("slb:SetBackendServers"), "cleanup never sets weights");
    assert.throws(() => ramActionsFor("no-such-handler" as HandlerName), /has no implementation yet/);
  });

  it("every alerting handler publishes to the alert topic and none calls CMS; the lists are exact", () => {
    const publishers = Object.keys(HANDLERS).filter((n) => ramActionsFor(n as HandlerName).includes("mns:PublishMessage"));
    assert.deepEqual(publishers.sort(), ["expiry", "maintenance", "spot-drain"]);
    for (const name of Object.keys(HANDLERS)) assert.deepEqual(ramActionsFor(name as HandlerName).filter((a) => a.startsWith("cms:")), [], name);
    assert.deepEqual(ramActionsFor("expiry"), ["ecs:DescribeInstanceAutoRenewAttribute", "ecs:DescribeInstances", "ecs:RenewInstance", "mns:PublishMessage", "mns:SendMessage", "oss:GetObject", "oss:PutObject"]);
    assert.deepEqual(ramActionsFor("maintenance"), [
      "alb:GetListenerHealthStatus",
      "alb:ListListeners",
      "alb:ListServerGroupServers",
      "alb:ListServerGroups",
      "alb:UpdateServerGroupServersAttribute",
      "ecs:AcceptInquiredSystemEvent",
      "ecs:DescribeInstanceHistoryEvents",
      "ecs:DescribeInstanceMaintenanceAttributes",
      "ecs:DescribeInstances",
      "ecs:RebootInstance",
      "ecs:RedeployInstance",
      "mns:PublishMessage",
      "mns:SendMessage",
      "oss:GetObject",
      "oss:PutObject",
      "slb:DescribeHealthStatus",
      "slb:DescribeLoadBalancerAttribute",
      "slb:DescribeLoadBalancers",
      "slb:DescribeVServerGroupAttribute",
      "slb:DescribeVServerGroups",
      "slb:SetBackendServers",
      "slb:SetVServerGroupAttribute",
    ]);
  });

  // The handlers of this module's issue; others bring their own recording tests.
  for (const name of Object.keys(EVENTS)) {
    const handler = HANDLERS[name as HandlerName] as EventHandler;
    it(`${name} calls nothing outside its declared list, on its busiest path`, async () => {
      const h = harness(handler, { MIN_HEALTHY_BACKENDS: "5" }); // force the capacity alert too
      h.cloud.addInstance("i-1", IN_SCOPE).addClb("lb-1", [{ ServerId: "i-1", Weight: 100 }, { ServerId: "i-2", Weight: 100 }], { "rsp-1": [{ ServerId: "i-1", Port: 80, Weight: 100 }] });
      // A peer in the ALB group: the capacity guard reads its health (ListListeners, GetListenerHealthStatus).
      h.cloud.addAlbGroup("sgp-1", [{ ServerId: "i-1", Port: 80, Weight: 100, ServerType: "Ecs", Status: "Available" }, { ServerId: "i-2", Port: 80, Weight: 100, ServerType: "Ecs", Status: "Available" }]);
      h.cloud.scaling.set("asg-1", ["i-1"]);
      if (name === "instance-cleanup") h.cloud.instances.delete("i-1");
      const out = await h.invoke(buffer(EVENTS[name]()));
      assert.equal(out.outcome, "acted", out.reason);
      const declared = new Set(ramActionsFor(name as HandlerName));
      const used = new Set(h.cloud.calls.map((c) => ramAction(c.api)));
      if (h.topics.published.size > 0) used.add("mns:PublishMessage"); // the alert topic
      if (handler.destructive) ["oss:PutObject", "oss:GetObject"].forEach((a) => used.add(a)); // markers
      for (const a of used) assert.ok(declared.has(a), `${name} called ${a}, not in its RAM list`);
      // And the list is not padded: every declared cloud API (beyond the runtime's) was exercised.
      const runtime = new Set(runtimeApis(handler).map(ramAction));
      for (const a of declared) if (!runtime.has(a)) assert.ok(used.has(a), `${name} declares ${a} but never called it`);
    });
  }

  it("the gateway refuses a mutation sent as a read, so the recorded action list is complete", () => {
    const gateway = new CloudGateway({ call: async () => ({}) }, { dryRun: false, eventKey: "k", regionId: "r" });
    assert.throws(() => gateway.read({ product: "slb", action: "RemoveBackendServers", mutating: true }, {}), /changes state/);
  });
});
