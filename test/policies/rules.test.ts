// Each rule: the compliant fixture passes, then one mutation per failing case
// is reported by that rule (mandatory or advisory as declared), and values
// unknown until apply are reported as "could not verify" (advisory), never passed.
import { strict as assert } from "node:assert";
import type { PlanGraph } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { evaluatePlan } from "../../policies/plan-graph";
import { Violation } from "../../policies/model";
import { UNKNOWN } from "../../policies/values";
import { GraphBuilder, byName, compliantGraph, contactTarget, mutated } from "./builders";

const CG_UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // the engine's unknown-string sentinel
const REQUIRED = { requiredTagKeys: ["env"] };

const run = (g: PlanGraph, policy: string): Violation[] => evaluatePlan(g, REQUIRED).filter((v) => v.policy === policy);
const inputs = (g: PlanGraph, name: string) => byName(g, name).inputs as Record<string, any>;
const rule = inputs;
const critical = "eo-test-checkout-critical";
const warn = "eo-test-checkout-warn";
const info = "eo-test-checkout-info";

interface Case {
  name: string;
  change: (g: PlanGraph) => void;
  expect: RegExp;
  /** Default: the rule's own enforcement with undecided false. */
  undecided?: boolean;
}

function table(policy: string, enforcement: "mandatory" | "advisory", cases: Case[]) {
  describe(`policy ${policy}`, () => {
    it("passes the compliant stack", () => {
      assert.deepEqual(run(compliantGraph(), policy), []);
    });
    for (const c of cases) {
      it(`reports: ${c.name}`, () => {
        const found = run(mutated(c.change), policy);
        const hit = found.find((v) => c.expect.test(v.message));
        assert.ok(hit, `expected a ${policy} violation matching ${c.expect}; got:\n${found.map((v) => v.message).join("\n") || "(none)"}`);
        assert.equal(hit.undecided, c.undecided === true);
        assert.equal(hit.enforcement, c.undecided ? "advisory" : enforcement);
        assert.ok(hit.remediation.length > 0);
      });
    }
  });
}

table("tier-coverage", "mandatory", [
  { name: "a tier has no rule", change: (g) => (g.resources = g.resources.filter((r) => r.name !== warn)), expect: /no enabled WARN event rule/ },
  { name: "a tier rule is disabled", change: (g) => (rule(g, info).status = "DISABLED"), expect: /no enabled INFO event rule.*DISABLED/ },
  { name: "a tier over two products lacks one product's rule", change: (g) => (rule(g, warn).eventPattern.product = "RDS"), expect: /no enabled WARN ECS event rule/ },
  { name: "a tier rule has no groupId", change: (g) => delete rule(g, warn).groupId, expect: /has no groupId/ },
  { name: "a tier rule names another group", change: (g) => (rule(g, warn).groupId = "offline-group:elsewhere"), expect: /is scoped to group offline-group:elsewhere, not to application group/ },
  { name: "the group's rules disagree on the group ID (real preview: no look-up known)", change: (g) => { g.invokes = []; rule(g, info).groupId = "g-2"; }, expect: /name 2 different group IDs/ },
  { name: "two groups share one group ID", change: (g) => {
      const b = new GraphBuilder();
      b.applicationGroup("billing", { CRITICAL: rule(g, critical), WARN: rule(g, warn), INFO: rule(g, info) });
      for (const r of b.graph.resources) if (r.type === T.eventRule) r.inputs.groupId = rule(g, critical).groupId;
      g.resources.push(...b.graph.resources.map((r) => (r.type === T.eventRule ? { ...r, name: `${r.name}-billing`, urn: `${r.urn}-billing`, inputs: { ...r.inputs } } : r)));
      g.invokes = [];
    }, expect: /scope rules to the same group ID/ },
  { name: "a tier has no target at all", change: (g) => (rule(g, warn).contactParameters = []), expect: /WARN tier .* no live receiver: it has no contact group/ },
  { name: "a tier's contact group has no member with a channel", change: (g) => {
      const b = new GraphBuilder();
      g.resources.push(b.contact("bob", { lang: "en" }), b.contactGroup("silent", ["bob"]));
      rule(g, info).contactParameters = [contactTarget("silent", "4")];
    }, expect: /INFO tier .* no live receiver: contact group eo-test-silent has no member with a channel/ },
  { name: "a tier's only target is an undeclared queue", change: (g) => {
      rule(g, warn).contactParameters = [];
      rule(g, warn).mnsParameters = [{ mnsParametersId: "1", queue: "eo-test-nowhere" }];
    }, expect: /queue eo-test-nowhere is not declared/ },
  { name: "CRITICAL only chats (level 4)", change: (g) => (rule(g, critical).contactParameters = [contactTarget("oncall", "4")]), expect: /pages no one/ },
  { name: "CRITICAL pages a group without a phone number", change: (g) => (inputs(g, "contacts-alice").channelsSms = undefined), expect: /pages no one/ },
  { name: "CRITICAL reaches no one by email or chat", change: (g) => {
      const b = new GraphBuilder();
      g.resources.push(b.contact("pager", { channelsSms: "+8613800000002" }), b.contactGroup("pagers", ["pager"]));
      rule(g, critical).contactParameters = [contactTarget("pagers", "2")];
    }, expect: /reaches no one by email or chat/ },
  { name: "a group without its dynamic tag group", change: (g) => (g.resources = g.resources.filter((r) => r.type !== T.dynamicTagGroup)), expect: /has 0 dynamic tag groups/ },
  { name: "groupId unknown until apply (CrossGuard sentinel)", change: (g) => (rule(g, warn).groupId = CG_UNKNOWN_STRING), expect: /could not verify that rule .* is scoped .*unknown until apply/, undecided: true },
  { name: "contact list unknown until apply", change: (g) => (rule(g, warn).contactParameters = UNKNOWN), expect: /could not verify that the WARN tier .* reaches anyone/, undecided: true },
  { name: "level list unknown until apply", change: (g) => (rule(g, info).eventPattern.levelLists = UNKNOWN), expect: /could not verify the INFO tier/, undecided: true },
]);

table("no-dangling-targets", "mandatory", [
  { name: "an undeclared contact group", change: (g) => rule(g, warn).contactParameters.push(contactTarget("ghosts", "4")), expect: /targets contact group eo-test-ghosts, which this stack does not declare \(contactParameters\[1\]/ },
  { name: "an undeclared queue", change: (g) => rule(g, critical).mnsParameters.push({ mnsParametersId: "2", queue: "eo-test-lost" }), expect: /targets MNS queue eo-test-lost/ },
  { name: "a topic this stack does not declare", change: (g) => rule(g, critical).mnsParameters.push({ mnsParametersId: "2", topic: "eo-test-topic" }), expect: /targets MNS topic eo-test-topic/ },
  { name: "an undeclared function", change: (g) => (rule(g, "eo-test-auto-spot-drain").fcParameters = [{ fcParametersId: "1", functionName: "eo-test-gone" }]), expect: /targets function eo-test-gone/ },
  { name: "an automation rule's undeclared queue", change: (g) => (rule(g, "eo-test-auto-spot-drain").mnsParameters[0].queue = "eo-test-auto-gone"), expect: /targets MNS queue eo-test-auto-gone, which this stack does not declare/ },
  { name: "a notified contact group emptied", change: (g) => {
      rule(g, warn).contactParameters.push(contactTarget("oncall", "3"));
      inputs(g, "contacts-group-oncall").contacts = [];
    }, expect: /notifies contact group eo-test-oncall, which has no member with a channel/ },
  { name: "a contact group listing an undeclared contact", change: (g) => inputs(g, "contacts-group-oncall").contacts.push("eo-test-nobody"), expect: /lists contact eo-test-nobody/ },
  { name: "a queue name unknown until apply", change: (g) => (rule(g, critical).mnsParameters[0].queue = UNKNOWN), expect: /could not verify the MNS queue target .* unknown until apply/, undecided: true },
]);

const SUBSCRIPTION = "alicloud:message/serviceSubscription:ServiceSubscription";
table("alert-topic-subscribed", "mandatory", [
  { name: "a topic without subscriptions", change: (g) => (g.resources = g.resources.filter((r) => r.type !== SUBSCRIPTION)), expect: /topic critical-alerts-topic has no live subscriber/ },
  { name: "subscriptions of another topic only", change: (g) => g.resources.filter((r) => r.type === SUBSCRIPTION).forEach((r) => (r.inputs.topicName = "eo-test-other")), expect: /has no live subscriber/ },
  { name: "subscriptions with empty endpoints", change: (g) => g.resources.filter((r) => r.type === SUBSCRIPTION).forEach((r) => (r.inputs.endpoint = "")), expect: /has no live subscriber/ },
  { name: "topic name unknown until apply", change: (g) => (inputs(g, "critical-alerts-topic").topicName = UNKNOWN), expect: /could not verify the subscribers/, undecided: true },
]);

table("queue-dead-letter", "mandatory", [
  { name: "dead-letter policy disabled", change: (g) => (inputs(g, "queue-events").dlqPolicy.enabled = false), expect: /no enabled dead-letter policy/ },
  { name: "no dead-letter policy", change: (g) => delete inputs(g, "queue-events").dlqPolicy, expect: /no enabled dead-letter policy/ },
  { name: "dead-letter queue not declared", change: (g) => (inputs(g, "queue-events").dlqPolicy.deadLetterTargetQueue = "eo-test-elsewhere"), expect: /dead-letter queue eo-test-elsewhere .* is not declared/ },
  { name: "dead-letter queue is itself", change: (g) => (inputs(g, "queue-events").dlqPolicy.deadLetterTargetQueue = "eo-test-events"), expect: /names itself/ },
  { name: "an SSE type without enableSse", change: (g) => Object.assign(inputs(g, "queue-events"), { enableSse: false, sseType: "SMQ" }), expect: /sets sseType SMQ but enableSse is false/ },
  { name: "KMS encryption without a key", change: (g) => (inputs(g, "queue-events").sseType = "KMS"), expect: /KMS encryption without a kmsKeyId/ },
  { name: "encryption unknown until apply", change: (g) => (inputs(g, "queue-events").enableSse = UNKNOWN), expect: /could not verify encryption/, undecided: true },
]);

const policyOf = (g: PlanGraph) => inputs(g, "handler-spot-drain-policy");
const withActions = (actions: unknown) => (g: PlanGraph) => (policyOf(g).policyDocument = JSON.stringify({ Version: "1", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] }));
table("handler-least-privilege", "mandatory", [
  { name: "Action *", change: withActions("*"), expect: /allows "\*" \(every action of every service\)/ },
  { name: "Action *:*", change: withActions(["*:*"]), expect: /allows "\*:\*"/ },
  { name: "Action svc:*", change: withActions(["ecs:*"]), expect: /allows "ecs:\*" \(every action of the service\)/ },
  { name: "a partial wildcard", change: withActions(["slb:Describe*"]), expect: /a wildcard pattern/ },
  { name: "an action outside the handler's set", change: withActions(["ecs:DeleteInstance"]), expect: /"ecs:DeleteInstance", which is not in the handler's allowed set/ },
  { name: "NotAction", change: (g) => (policyOf(g).policyDocument = JSON.stringify({ Statement: [{ Effect: "Allow", NotAction: ["ram:*"], Resource: "*" }] })), expect: /allows by NotAction/ },
  { name: "a system policy attached to the role", change: (g) => Object.assign(inputs(g, "handler-spot-drain-attachment"), { policyName: "AdministratorAccess", policyType: "System" }), expect: /attaches System policy AdministratorAccess/ },
  { name: "a handler without an allowed set", change: (g) => {
      inputs(g, "handler-spot-drain").handler = "not-in-manifest";
    }, expect: /handler not-in-manifest has no allowed-action set in the bundle manifest/ },
  { name: "a policy document that is not JSON", change: (g) => (policyOf(g).policyDocument = "{"), expect: /is not valid JSON/ },
  { name: "policy document unknown until apply", change: (g) => (policyOf(g).policyDocument = CG_UNKNOWN_STRING), expect: /could not verify RAM policy .* unknown until apply/, undecided: true },
]);

table("no-plaintext-secrets", "mandatory", [
  { name: "a DingTalk webhook in the clear", change: (g) => (inputs(g, "contacts-alice").channelsDingWebHook = "https://oapi.dingtalk.com/robot/send?access_token=0123abcd"), expect: /channelsDingWebHook holds a DingTalk\/webhook access token as a plain value/ },
  { name: "a webhook URL in the clear", change: (g) => (rule(g, "eo-test-auto-spot-drain").webhookParameters[0].url = "https://hooks.example.com/ops"), expect: /webhookParameters\[0\]\.url holds a webhook URL/ },
  { name: "a URL with a token in a description", change: (g) => (rule(g, warn).description = "see https://hooks.example.com/x?token=abc"), expect: /description holds a URL carrying a credential/ },
  { name: "an AccessKey ID in an environment variable", change: (g) => (inputs(g, "handler-spot-drain-function").environmentVariables = { KEY: "LTAI5tAbCdEfGhIjKlMn" }), expect: /environmentVariables\.KEY holds an AccessKey ID/ },
  { name: "an accessKeySecret-like field", change: (g) => (inputs(g, "handler-spot-drain-function").environmentVariables = { accessKeySecret: "x" }), expect: /holds a value of the secret field "accessKeySecret"/ },
]);

table("silence-bounds", "advisory", [
  { name: "CRITICAL silenced for more than an hour", change: (g) => (rule(g, critical).silenceTime = 7200), expect: /silences repeats for 7200 s; at most 3600 s/ },
  { name: "CRITICAL silence unset (CMS default one day)", change: (g) => delete rule(g, critical).silenceTime, expect: /unset \(CMS default 86400 s\)/ },
  { name: "WARN silenced for more than a day", change: (g) => (rule(g, warn).silenceTime = 172800), expect: /at most 86400 s/ },
  { name: "INFO floods people", change: (g) => (rule(g, info).silenceTime = 0), expect: /every INFO repeat/ },
  { name: "silence unknown until apply", change: (g) => (rule(g, warn).silenceTime = UNKNOWN), expect: /could not verify the silence time/, undecided: true },
]);

table("required-tags", "advisory", [
  { name: "a queue without the required key", change: (g) => (inputs(g, "queue-events").tags = {}), expect: /lacks required tag key\(s\) env/ },
  { name: "a function without tags", change: (g) => delete inputs(g, "handler-spot-drain-function").tags, expect: /eo-test-spot-drain\) lacks required tag key/ },
  { name: "tags unknown until apply", change: (g) => (inputs(g, "queue-events").tags = UNKNOWN), expect: /could not verify the tags/, undecided: true },
]);

describe("policy context", () => {
  it("required-tags says it could not verify when no keys are given", () => {
    const found = evaluatePlan(compliantGraph()).filter((v) => v.policy === "required-tags");
    assert.equal(found.length, 1);
    assert.equal(found[0].undecided, true);
    assert.match(found[0].message, /required tag keys were not given/);
  });

  it("handler-least-privilege falls back to the function's name when the component records no handler", () => {
    const g = mutated((x) => {
      delete inputs(x, "handler-spot-drain").handler;
      withActions(["ecs:RunInstances"])(x);
    });
    const found = run(g, "handler-least-privilege");
    assert.equal(found.length, 1);
    assert.match(found[0].message, /of handler spot-drain: .*"ecs:RunInstances"/);
  });
});
