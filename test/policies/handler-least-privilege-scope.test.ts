// Least privilege by resource (issue 12 R4): the documents infra builds scope every mutating action by
// resource ARN or the scope-tag condition where RAM allows it; the rule catches one that does not.
import { strict as assert } from "node:assert";
import { HANDLER_NAMES } from "../../handlers/catalogue";
import { ramActionsFor } from "../../handlers/registry";
import { SCOPED_ACTIONS, UNSCOPABLE_ACTIONS, handlerPolicyDescription, handlerPolicyDocument, isReadAction } from "../../infra/automation/role-policy";
import type { PlanGraph } from "../../policies/plan-graph";
import { evaluatePlan } from "../../policies/plan-graph";
import { GraphBuilder, compliantGraph } from "./builders";

const INPUT = { region: "cn-hangzhou", accountId: "1234567890123456", markerBucket: "b", objectPrefixes: ["event-ops/markers"], deadLetterQueue: "dlq", alertTopic: "alerts", scopeTag: { key: "event-ops", value: "managed" } };
interface Statement {
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}
const statementsOf = (actions: string[]) => (JSON.parse(handlerPolicyDocument({ ...INPUT, actions })).Statement as Statement[]);
const statementOf = (actions: string[], action: string) => statementsOf(actions).find((s) => s.Action.includes(action))!;

describe("handler role policies: least privilege by resource", () => {
  for (const handler of HANDLER_NAMES) {
    it(`${handler}: every mutating action is scoped by ARN or condition, or RAM cannot scope it and the description says so`, () => {
      const actions = ramActionsFor(handler);
      for (const s of statementsOf(actions)) {
        for (const action of s.Action.filter((a) => !isReadAction(a))) {
          const everywhere = s.Resource.includes("*") && !s.Condition;
          if (everywhere) {
            assert.ok(UNSCOPABLE_ACTIONS[action], `${action} on every resource`);
            assert.match(handlerPolicyDescription(handler, actions), new RegExp(action.replace(":", "\\:")));
          } else assert.ok(s.Resource.every((r) => r.startsWith("acs:") && r.includes(":1234567890123456:")), `${action}: ${s.Resource}`);
        }
      }
      assert.ok(handlerPolicyDescription(handler, actions).length <= 1024);
    });
  }

  it("allows ECS instance actions only on instances of the stack's region and account that carry the scope tag", () => {
    const s = statementOf(["ecs:RebootInstance", "ecs:RedeployInstance", "ecs:RenewInstance", "ecs:DescribeInstances"], "ecs:RebootInstance");
    assert.deepEqual(s.Action, ["ecs:RebootInstance", "ecs:RedeployInstance", "ecs:RenewInstance"]);
    assert.deepEqual(s.Resource, ["acs:ecs:cn-hangzhou:1234567890123456:instance/*"]);
    assert.deepEqual(s.Condition, { StringEquals: { "acs:ResourceTag/event-ops": ["managed"] } });
    assert.deepEqual(statementOf(["ecs:DescribeInstances"], "ecs:DescribeInstances").Resource, ["*"], "reads stay on every resource");
  });

  it("allows CLB and ALB backend writes only on load balancers, server groups and instances of the stack's region and account", () => {
    assert.deepEqual(statementOf(["slb:RemoveBackendServers"], "slb:RemoveBackendServers").Resource, ["acs:slb:cn-hangzhou:1234567890123456:loadbalancer/*", "acs:ecs:cn-hangzhou:1234567890123456:instance/*"]);
    assert.equal(statementOf(["slb:RemoveBackendServers"], "slb:RemoveBackendServers").Condition, undefined, "the load balancer carries no scope tag");
    assert.ok(statementOf(["alb:RemoveServersFromServerGroup"], "alb:RemoveServersFromServerGroup").Resource.includes("acs:alb:cn-hangzhou:1234567890123456:servergroup/*"));
  });

  it("names what RAM cannot scope in the description, with the source", () => {
    assert.match(handlerPolicyDescription("instance-cleanup", ramActionsFor("instance-cleanup")), /On all resources because RAM cannot scope them: ess:DetachInstances: ESS publishes no authorization information/);
    assert.doesNotMatch(handlerPolicyDescription("spot-drain", ramActionsFor("spot-drain")), /cannot scope/, "spot-drain needs no unscopable action");
  });

  it("refuses a mutating action whose scope nobody looked up", () => {
    assert.throws(() => handlerPolicyDocument({ ...INPUT, actions: ["ecs:DeleteInstance"] }), /no RAM resource scope is known for ecs:DeleteInstance: add each to SCOPED_ACTIONS/);
    assert.deepEqual(Object.keys(SCOPED_ACTIONS).filter((a) => UNSCOPABLE_ACTIONS[a]), [], "one list or the other");
  });

  describe("the handler-least-privilege rule", () => {
    const run = (g: PlanGraph) => evaluatePlan(g).filter((v) => v.policy === "handler-least-privilege");
    const spotPolicy = (g: PlanGraph) => g.resources.find((r) => r.name === "handler-spot-drain-policy")!.inputs;
    /** Every handler as infra declares it: policies from the manifest's actions (test/policies/builders.ts). */
    const allHandlers = () => {
      const b = new GraphBuilder();
      for (const h of HANDLER_NAMES) b.handler(h);
      return b.graph;
    };
    const policyOf = (g: PlanGraph, handler: string) => g.resources.find((r) => r.name === `handler-${handler}-policy`)!.inputs;
    const edit = (inputs: Record<string, unknown>, f: (s: Statement[]) => void) => {
      const doc = JSON.parse(String(inputs.policyDocument));
      f(doc.Statement);
      inputs.policyDocument = JSON.stringify(doc);
    };

    it("passes the documents infra builds, for every handler", () => {
      assert.deepEqual(run(compliantGraph()), []);
      assert.deepEqual(run(allHandlers()), []);
    });

    it("reports a mutating action moved to every resource without a condition", () => {
      const g = compliantGraph();
      edit(spotPolicy(g), (ss) => ss.filter((s) => s.Action.includes("slb:RemoveBackendServers")).forEach((s) => (s.Resource = ["*"])));
      const found = run(g);
      assert.ok(found.some((v) => /allows the mutating action "slb:RemoveBackendServers" on every resource \(Resource "\*", no Condition\); scope it/.test(v.message)), found.map((v) => v.message).join("\n"));
      assert.ok(found.every((v) => v.enforcement === "mandatory" && !v.undecided));
    });

    it("reports the scope tag condition dropped from ECS instance actions only if the resource is then every resource", () => {
      const g = allHandlers();
      edit(policyOf(g, "maintenance"), (ss) => ss.filter((s) => s.Condition).forEach((s) => delete s.Condition));
      assert.deepEqual(run(g), [], "instance ARNs of the region and account still scope it");
      edit(policyOf(g, "maintenance"), (ss) => ss.filter((s) => s.Action.includes("ecs:RebootInstance")).forEach((s) => (s.Resource = ["*"])));
      assert.ok(run(g).some((v) => /"ecs:RebootInstance" on every resource/.test(v.message)));
    });

    it("accepts a mutating action on every resource under a condition", () => {
      const g = compliantGraph();
      edit(spotPolicy(g), (ss) => ss.filter((s) => s.Action.includes("slb:RemoveBackendServers")).forEach((s) => Object.assign(s, { Resource: ["*"], Condition: { StringEquals: { "acs:ResourceTag/event-ops": ["managed"] } } })));
      assert.deepEqual(run(g), []);
    });

    it("reports an unscopable action on every resource when the description does not say why", () => {
      const g = allHandlers();
      policyOf(g, "instance-cleanup").description = "Only the actions instance-cleanup calls";
      assert.ok(run(g).some((v) => /allows "ess:DetachInstances" on every resource \(RAM cannot scope it: .*\), but the policy's description does not say so/.test(v.message)));
    });
  });
});
