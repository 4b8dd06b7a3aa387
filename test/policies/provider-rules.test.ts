// The provider-constraint rules: the compliant fixture passes each; one mutation
// per fact is reported by its rule, naming the resource, the fact and its
// source; values unknown until apply are "could not verify" (advisory), never passed.
import { strict as assert } from "node:assert";
import type { PlanGraph } from "../../policies/plan-graph";
import { evaluatePlan } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { Violation } from "../../policies/model";
import { UNKNOWN } from "../../policies/values";
import { PROVIDER_CONSTRAINTS } from "../../policies/rules";
import { byName, compliantGraph, contactTarget, mutated } from "./builders";

const run = (g: PlanGraph, policy: string): Violation[] => evaluatePlan(g, { requiredTagKeys: ["env"] }, PROVIDER_CONSTRAINTS).filter((v) => v.policy === policy);
const inputs = (g: PlanGraph, name: string) => byName(g, name).inputs as Record<string, any>;
const auto = "eo-test-auto-spot-drain";
const critical = "eo-test-checkout-critical";
const warn = "eo-test-checkout-warn";
const fn = "handler-spot-drain-function";
const providerNamed = (g: PlanGraph, name: string) => g.providers!.find((p) => p.name === name)!;
const refOf = (g: PlanGraph, name: string) => `${providerNamed(g, name).urn}::${providerNamed(g, name).id}`;

interface Case {
  name: string;
  change: (g: PlanGraph) => void;
  /** The message must match; it must also name the resource (`resource`, default: any) and a source. */
  expect: RegExp;
  resource?: string;
  undecided?: boolean;
}

function table(policy: string, cases: Case[], passes: { name: string; change: (g: PlanGraph) => void }[] = []) {
  describe(`provider constraint ${policy}`, () => {
    const rule = PROVIDER_CONSTRAINTS.find((r) => r.id === policy)!;

    it("is mandatory, cites its sources and passes the compliant stack", () => {
      assert.equal(rule.enforcement, "mandatory");
      assert.ok((rule.sources ?? []).length > 0, `${policy} cites no source`);
      assert.deepEqual(run(compliantGraph(), policy), []);
    });
    for (const c of cases) {
      it(`${c.undecided ? "could not verify" : "reports"}: ${c.name}`, () => {
        const found = run(mutated(c.change), policy);
        const hit = found.find((v) => c.expect.test(v.message));
        assert.ok(hit, `expected a ${policy} finding matching ${c.expect}; got:\n${found.map((v) => v.message).join("\n") || "(none)"}`);
        assert.equal(hit.undecided, c.undecided === true);
        assert.equal(hit.enforcement, c.undecided ? "advisory" : "mandatory");
        if (c.resource) assert.equal(hit.resource?.name, c.resource);
        assert.match(hit.message, /\(source: [^)]+/, "the finding names its source");
        assert.ok(hit.remediation.length > 0);
      });
    }
    for (const p of passes) {
      it(`passes: ${p.name}`, () => assert.deepEqual(run(mutated(p.change), policy), []));
    }
  });
}

table("computed-only-inputs", [
  // No rule of the stack has an FC target (automation-queue-trigger): the check still covers one a rule would declare.
  { name: "fcParameters[].arn set", change: (g) => (inputs(g, auto).fcParameters = [{ fcParametersId: "1", functionName: "eo-test-spot-drain", arn: "acs:fc:cn-shanghai:1:functions/eo-test-spot-drain" }]), expect: /fcParameters\[0\]\.arn is set; fcParameters\[n\]\.arn is computed-only .*resource_alicloud_cms_event_rule\.go/, resource: auto },
  { name: "mnsParameters[].arn set", change: (g) => (inputs(g, critical).mnsParameters[0].arn = "acs:mns:cn-shanghai:1:/queues/eo-test-events"), expect: /mnsParameters\[0\]\.arn is set/, resource: critical },
  { name: "slsParameters[].arn set", change: (g) => (inputs(g, warn).slsParameters = [{ slsParametersId: "1", project: "p", logStore: "s", arn: "acs:log:x" }]), expect: /slsParameters\[0\]\.arn is set/ },
  { name: "openApiParameters[].arn set", change: (g) => (inputs(g, warn).openApiParameters = [{ openApiParametersId: "1", action: "PutLogs", arn: "acs:x" }]), expect: /openApiParameters\[0\]\.arn is set/ },
  { name: "arn set to a value unknown until apply (still set)", change: (g) => (inputs(g, auto).fcParameters = [{ fcParametersId: "1", functionName: "eo-test-spot-drain", arn: UNKNOWN }]), expect: /fcParameters\[0\]\.arn is set/ },
  { name: "an automation rule's queue target arn set", change: (g) => (inputs(g, auto).mnsParameters[0].arn = "acs:mns:cn-shanghai:1:/queues/eo-test-auto-spot-drain"), expect: /mnsParameters\[0\]\.arn is set; mnsParameters\[n\]\.arn is computed-only/, resource: auto },
  { name: "the target list unknown until apply", change: (g) => (inputs(g, auto).fcParameters = UNKNOWN), expect: /could not verify whether fcParameters sets arn/, undecided: true },
]);

const names = (n: number) => Array.from({ length: n }, (_, i) => `Instance:Event${i}`);
table("event-rule-limits", [
  { name: "51 event names in one pattern", change: (g) => (inputs(g, warn).eventPattern.nameLists = names(51)), expect: /eventPattern\.nameLists holds 51 entries; each event-pattern list holds at most 50 .*puteventrule/, resource: warn },
  { name: "51 event types in one pattern", change: (g) => (inputs(g, warn).eventPattern.eventTypeLists = names(51)), expect: /eventPattern\.eventTypeLists holds 51 entries/ },
  { name: "51 levels in one pattern", change: (g) => (inputs(g, warn).eventPattern.levelLists = Array(51).fill("WARN")), expect: /eventPattern\.levelLists holds 51 entries/ },
  { name: "two event patterns (two products) in one rule", change: (g) => (inputs(g, warn).eventPattern = [inputs(g, warn).eventPattern, { ...inputs(g, warn).eventPattern, product: "RDS" }]), expect: /eventPattern holds 2 patterns; a rule takes exactly one event pattern .*MaxItems: 1/ },
  { name: "6 targets of one kind", change: (g) => (inputs(g, warn).contactParameters = Array.from({ length: 6 }, (_, i) => ({ ...contactTarget("oncall", "4"), contactParametersId: String(i + 1) }))), expect: /contactParameters holds 6 targets; a rule takes at most 5 targets of each kind .*PutEventRuleTargetsRequest\.ts/ },
  { name: "6 webhooks", change: (g) => (inputs(g, auto).webhookParameters = Array(6).fill(inputs(g, auto).webhookParameters[0])), expect: /webhookParameters holds 6 targets/ },
  { name: "the name list unknown until apply", change: (g) => (inputs(g, warn).eventPattern.nameLists = UNKNOWN), expect: /could not verify eventPattern\.nameLists/, undecided: true },
], [{ name: "exactly 50 names and 5 targets of a kind", change: (g) => {
  inputs(g, warn).eventPattern.nameLists = names(50);
  inputs(g, warn).contactParameters = Array.from({ length: 5 }, (_, i) => ({ ...contactTarget("oncall", "4"), contactParametersId: String(i + 1) }));
} }]);

const long = (n: number, c = "a") => c.repeat(n);
table("cloud-name-rules", [
  { name: "a tag policy name with hyphens", change: (g) => (inputs(g, "taxonomy-policy").policyName = "eo-test-tags"), expect: /policyName is "eo-test-tags" .*letters, digits and underscores \(no hyphens\) .*tag_policy/, resource: "taxonomy-policy" },
  { name: "a bucket name with capitals", change: (g) => (inputs(g, "automation-markers").bucket = "EO-test-markers-1a2b3c4d"), expect: /bucket is "EO-test-markers-1a2b3c4d" .*3 to 63 characters: lowercase .*bucket-naming-conventions/ },
  { name: "a bucket name ending in a hyphen", change: (g) => (inputs(g, "automation-markers").bucket = "eo-test-1a2b3c4d-"), expect: /bucket is "eo-test-1a2b3c4d-"/ },
  { name: "a log project name of 64 characters", change: (g) => (inputs(g, "automation-logs").projectName = `${long(56)}1a2b3c4d`), expect: /projectName is "a+1a2b3c4d" \(64 characters\).*resource_alicloud_log_project\.go/ },
  { name: "a function name starting with a digit", change: (g) => (inputs(g, fn).functionName = "1-spot-drain"), expect: /functionName is "1-spot-drain" .*not starting with a digit or hyphen .*createfunctioninput/ },
  { name: "a function name of 65 characters (the API's 64, not the provider doc's 128)", change: (g) => (inputs(g, fn).functionName = long(65)), expect: /functionName .*\(65 characters\); functionName must be 1 to 64/ },
  { name: "a RAM role name with an underscore", change: (g) => (inputs(g, "handler-spot-drain-role").roleName = "eo_test_spot"), expect: /roleName is "eo_test_spot" .*periods and hyphens .*aliyun-ram-role/ },
  { name: "a RAM policy name with a period", change: (g) => (inputs(g, "handler-spot-drain-policy").policyName = "eo.test"), expect: /policyName is "eo\.test" .*letters, digits and hyphens .*ram_policy/ },
  { name: "a queue name starting with a hyphen", change: (g) => (inputs(g, "queue-events").queueName = "-events"), expect: /queueName is "-events" .*up to 120 characters/ },
  { name: "a topic name of 121 characters", change: (g) => (inputs(g, "critical-alerts-topic").topicName = long(121)), expect: /topicName .*\(121 characters\)/ },
  { name: "a subscription name with an underscore", change: (g) => (inputs(g, "critical-alerts-sub-0").subscriptionName = "sub_0"), expect: /subscriptionName is "sub_0" .*message_service_subscription/ },
  { name: "an OOS template name starting with ACS", change: (g) => (inputs(g, "oos-checkout-template").templateName = "ACS-drain"), expect: /templateName is "ACS-drain" .*not starting with ALIYUN, ACS, ALIBABA or ALICLOUD .*oos_template/ },
  { name: "an alarm contact name of one character", change: (g) => (inputs(g, "contacts-alice").alarmContactName = "a"), expect: /alarmContactName is "a" \(1 characters\); .*2 to 40 characters .*alarmContact\.d\.ts/ },
  { name: "an alarm contact name of 41 characters", change: (g) => (inputs(g, "contacts-alice").alarmContactName = long(41)), expect: /alarmContactName .*\(41 characters\)/ },
  { name: "a preset tag value of 129 characters", change: (g) => (inputs(g, "taxonomy-env").values = ["test", long(129)]), expect: /values\[1\] .*\(129 characters\); values\[n\] must be 1 to 128 characters each .*resource_alicloud_tag_meta_tag\.go/ },
  { name: "a name unknown until apply", change: (g) => (inputs(g, "automation-markers").bucket = UNKNOWN), expect: /could not verify bucket of oss\/bucket automation-markers: unknown until apply/, undecided: true },
], [{ name: "a tag policy name in Chinese characters (the API allows them)", change: (g) => (inputs(g, "taxonomy-policy").policyName = "标签_策略") }]);

table("region-support", [
  { name: "preset tags on the default provider of another region", change: (g) => (byName(g, "taxonomy-env").provider = refOf(g, "default_3_108_0")), expect: /tag\/metaTag taxonomy-env \(env\): managed in cn-shanghai by provider default_3_108_0; tag\/metaTag is served only in cn-hangzhou .*tag_meta_tag\.html\.markdown.*regions\.go/, resource: "taxonomy-env" },
  { name: "the tag policy on a cn-hangzhou provider", change: (g) => (byName(g, "taxonomy-policy").provider = refOf(g, "tags-meta")), expect: /managed in cn-hangzhou by provider tags-meta; tag\/policy is served only in cn-shanghai or ap-southeast-1/, resource: "taxonomy-policy" },
  { name: "the policy attachment's provider moved to cn-beijing", change: (g) => (providerNamed(g, "tags-policy").inputs.region = "cn-beijing"), expect: /taxonomy-attachment: managed in cn-beijing by provider tags-policy/, resource: "taxonomy-attachment" },
  { name: "the provider's region unknown until apply", change: (g) => (providerNamed(g, "tags-meta").inputs.region = UNKNOWN), expect: /could not verify the region \(provider tags-meta\) of tag\/metaTag taxonomy-env \(env\): unknown until apply/, undecided: true },
  { name: "a provider without a region (read from the environment at deploy time)", change: (g) => delete providerNamed(g, "tags-meta").inputs.region, expect: /could not verify the region of tag\/metaTag taxonomy-env \(env\): provider tags-meta sets none \(it then reads ALICLOUD_REGION/, undecided: true },
  { name: "a plan without provider records", change: (g) => delete g.providers, expect: /could not verify the region of tag\/metaTag taxonomy-env \(env\): no provider is known for it/, undecided: true },
], [{ name: "tag policy and attachment in ap-southeast-1 (international site)", change: (g) => (providerNamed(g, "tags-policy").inputs.region = "ap-southeast-1") }]);

table("globally-unique-names", [
  { name: "a fixed literal bucket name", change: (g) => (inputs(g, "automation-markers").bucket = "eo-test-markers"), expect: /bucket is "eo-test-markers", which contains no RandomId hex and not the account ID; bucket is unique across all of Alibaba Cloud.*bucket-naming-conventions/, resource: "automation-markers" },
  { name: "a fixed literal log project name", change: (g) => (inputs(g, "automation-logs").projectName = "eo-test-handlers"), expect: /projectName is "eo-test-handlers", which contains no RandomId hex/, resource: "automation-logs" },
  { name: "a literal that looks random but is no RandomId of the stack", change: (g) => (inputs(g, "automation-markers").bucket = "eo-test-markers-9f8e7d6c"), expect: /contains no RandomId hex/ },
  { name: "the RandomId removed", change: (g) => (g.resources = g.resources.filter((r) => r.type !== T.randomId)), expect: /bucket is "eo-test-markers-1a2b3c4d", which contains no RandomId hex/ },
  { name: "a RandomId of 2 bytes (too short to count)", change: (g) => {
      byName(g, "automation-name-suffix").computed = { hex: "1a2b" };
      inputs(g, "automation-markers").bucket = "eo-test-markers-1a2b";
    }, expect: /bucket is "eo-test-markers-1a2b", which contains no RandomId hex/ },
  { name: "the name unknown until apply", change: (g) => (inputs(g, "automation-markers").bucket = UNKNOWN), expect: /could not verify bucket of oss\/bucket automation-markers: unknown until apply/, undecided: true },
  { name: "the RandomId's hex unknown until apply (a first real preview)", change: (g) => {
      byName(g, "automation-name-suffix").computed = { hex: UNKNOWN };
      inputs(g, "automation-markers").bucket = "eo-test-markers-fixed";
    }, expect: /could not verify that bucket "eo-test-markers-fixed" carries a random suffix .*RandomId output is unknown until apply/, undecided: true },
  { name: "a 16-digit run where the account ID is not known (CrossGuard)", change: (g) => {
      g.invokes = g.invokes.filter((i) => !i.token.includes("getAccount"));
      inputs(g, "automation-markers").bucket = "eo-test-markers-1234567890123456";
    }, expect: /could not verify that bucket "eo-test-markers-1234567890123456" contains the account ID .*the account ID is not known here/, undecided: true },
  { name: "no bucket name at all (generated at apply)", change: (g) => delete inputs(g, "automation-markers").bucket, expect: /could not verify bucket .*bucket is not set/, undecided: true },
], [{ name: "a name carrying the account ID the plan knows", change: (g) => (inputs(g, "automation-markers").bucket = "eo-test-markers-1000000000000000") }]);

table("fc-memory-cpu", [
  { name: "memory not a multiple of 64 MB", change: (g) => (inputs(g, fn).memorySize = 500), expect: /memorySize is 500; memorySize must be a multiple of 64 MB from 128 MB to 32 GB .*createfunctioninput/, resource: fn },
  { name: "memory below 128 MB", change: (g) => Object.assign(inputs(g, fn), { memorySize: 64, cpu: 0.05 }), expect: /memorySize is 64;/ },
  { name: "memory above 32 GB", change: (g) => Object.assign(inputs(g, fn), { memorySize: 32832, cpu: 16 }), expect: /memorySize is 32832;/ },
  { name: "cpu not a multiple of 0.05", change: (g) => (inputs(g, fn).cpu = 0.33), expect: /cpu is 0\.33; cpu must be a multiple of 0\.05 vCPU from 0\.05 to 16 .*FloatBetween/ },
  { name: "cpu above 16", change: (g) => Object.assign(inputs(g, fn), { memorySize: 32768, cpu: 16.05 }), expect: /cpu is 16\.05;/ },
  { name: "less than 1 vCPU per 4 GB (2048 MB, 0.25 vCPU)", change: (g) => Object.assign(inputs(g, fn), { memorySize: 2048, cpu: 0.25 }), expect: /cpu 0\.25 with memorySize 2048 MB \(2 GB\) is 1:8\.00; cpu to memorySize in GB must be between 1:1 and 1:4/ },
  { name: "more vCPU than GB (512 MB, 1 vCPU)", change: (g) => Object.assign(inputs(g, fn), { memorySize: 512, cpu: 1 }), expect: /cpu 1 with memorySize 512 MB \(0\.5 GB\) is 1:0\.50;/ },
  { name: "a disk that is neither 512 nor 10240 MB", change: (g) => (inputs(g, fn).diskSize = 1024), expect: /diskSize is 1024; diskSize must be 512 or 10240 MB/ },
  { name: "memory without cpu (the service picks cpu)", change: (g) => delete inputs(g, fn).cpu, expect: /could not verify the cpu:memory ratio .*only memorySize is set/, undecided: true },
  { name: "cpu unknown until apply", change: (g) => (inputs(g, fn).cpu = UNKNOWN), expect: /could not verify cpu of fc\/v3Function/, undecided: true },
], [
  { name: "both unset (the service's defaults)", change: (g) => ["memorySize", "cpu", "diskSize"].forEach((k) => delete inputs(g, fn)[k]) },
  { name: "the bounds of the ratio: 1024 MB with 0.25 and with 1 vCPU, 10240 MB disk", change: (g) => Object.assign(inputs(g, fn), { memorySize: 1024, cpu: 0.25, diskSize: 10240 }) },
  { name: "1024 MB with 1 vCPU", change: (g) => Object.assign(inputs(g, fn), { memorySize: 1024, cpu: 1 }) },
  { name: "128 MB with 0.05 vCPU and 32 GB with 16 vCPU", change: (g) => Object.assign(inputs(g, fn), { memorySize: 32768, cpu: 16 }) },
]);

table("enum-values", [
  { name: "contact lang zh_CN", change: (g) => (inputs(g, "contacts-alice").lang = "zh_CN"), expect: /lang is "zh_CN"; lang must be one of en, zh-cn .*resource_alicloud_cms_alarm_contact\.go/, resource: "contacts-alice" },
  { name: "rule status Enabled", change: (g) => (inputs(g, warn).status = "Enabled"), expect: /status is "Enabled"; status must be one of ENABLED, DISABLED/ },
  { name: "a pattern level ERROR", change: (g) => (inputs(g, warn).eventPattern.levelLists = ["ERROR"]), expect: /eventPattern\.levelLists\[0\] is "ERROR"; .*CRITICAL, WARN, INFO, \*/ },
  { name: "a pattern event type Notification", change: (g) => (inputs(g, warn).eventPattern.eventTypeLists = ["Notification"]), expect: /eventPattern\.eventTypeLists\[0\] is "Notification"/ },
  { name: "a contact channel level 1", change: (g) => (inputs(g, warn).contactParameters[0].level = "1"), expect: /contactParameters\[0\]\.level is "1"; contactParameters\[n\]\.level must be one of 2, 3, 4 .*puteventruletargets/ },
  { name: "a webhook method PUT", change: (g) => (inputs(g, auto).webhookParameters[0].method = "PUT"), expect: /webhookParameters\[0\]\.method is "PUT"/ },
  { name: "a webhook protocol https", change: (g) => (inputs(g, auto).webhookParameters[0].protocol = "https"), expect: /webhookParameters\[0\]\.protocol is "https"; .*http, telnet, ping/ },
  { name: "a tag policy user type user", change: (g) => (inputs(g, "taxonomy-policy").userType = "user"), expect: /userType is "user"; userType must be one of USER, RD/ },
  { name: "an attachment target type ORG", change: (g) => (inputs(g, "taxonomy-attachment").targetType = "ORG"), expect: /targetType is "ORG"/ },
  { name: "a queue type standard", change: (g) => (inputs(g, "queue-events").queueType = "standard"), expect: /queueType is "standard"; queueType must be one of normal, fifo/ },
  { name: "a subscription push type sms", change: (g) => (inputs(g, "critical-alerts-sub-0").pushType = "sms"), expect: /pushType is "sms"; pushType must be one of http, queue, mpush, alisms, email/ },
  { name: "a subscription retry strategy RETRY", change: (g) => (inputs(g, "critical-alerts-sub-0").notifyStrategy = "RETRY"), expect: /notifyStrategy is "RETRY"/ },
  { name: "a subscription format TEXT", change: (g) => (inputs(g, "critical-alerts-sub-0").notifyContentFormat = "TEXT"), expect: /notifyContentFormat is "TEXT"; .*XML, JSON, SIMPLIFIED/ },
  { name: "a trigger type mnsTopic (the PT comment's spelling, not the API's)", change: (g) => g.resources.push({ ...byName(g, fn), type: T.fcTrigger, name: "t", urn: "urn:t", inputs: { functionName: "eo-test-spot-drain", qualifier: "LATEST", triggerType: "mnsTopic" } }), expect: /triggerType is "mnsTopic"; .*mns_topic/ },
  { name: "a bucket ACL public", change: (g) => (inputs(g, "automation-markers").acl = "public"), expect: /acl is "public"/ },
  { name: "an OOS execution mode Auto", change: (g) => (inputs(g, "oos-checkout-run").mode = "Auto"), expect: /mode is "Auto"; mode must be one of Automatic, Debug/ },
  { name: "a value unknown until apply", change: (g) => (inputs(g, "contacts-alice").lang = UNKNOWN), expect: /could not verify lang of cms\/alarmContact contacts-alice/, undecided: true },
]);

const eventTrigger = (g: PlanGraph) => (inputs(g, "oos-checkout-template").content = JSON.stringify({ Tasks: [{ Name: "whenInterrupted", Action: "ACS::EventTrigger" }, { Name: "drain", Action: "ACS::ExecuteAPI" }] }));
table("oos-execution-completes", [
  { name: "an execution of a template that starts with ACS::EventTrigger", change: eventTrigger, expect: /oos\/execution oos-checkout-run \(eo-test-checkout-spot-drain\): starts template eo-test-checkout-spot-drain, whose first task is ACS::EventTrigger; .*resource_alicloud_oos_execution\.go.*acs-eventtrigger/, resource: "oos-checkout-run" },
  { name: "the same template written in YAML", change: (g) => (inputs(g, "oos-checkout-template").content = "FormatVersion: OOS-2019-06-01\nTasks:\n  - Name: whenInterrupted\n    Action: 'ACS::EventTrigger'\n"), expect: /whose first task is ACS::EventTrigger/ },
  { name: "an execution of a template this stack does not declare", change: (g) => (inputs(g, "oos-checkout-run").templateName = "ACS-ECS-Something"), expect: /could not verify template ACS-ECS-Something of oos\/execution .*not declared in this stack/, undecided: true },
  { name: "the template name unknown until apply", change: (g) => (inputs(g, "oos-checkout-run").templateName = UNKNOWN), expect: /could not verify which template it starts/, undecided: true },
], [{ name: "ACS::EventTrigger in a later task only", change: (g) => (inputs(g, "oos-checkout-template").content = JSON.stringify({ Tasks: [{ Name: "a", Action: "ACS::ExecuteAPI" }, { Name: "b", Action: "ACS::EventTrigger" }] })) }]);

describe("provider constraints as a set", () => {
  it("every constraint has a table above", () => {
    const covered = ["computed-only-inputs", "event-rule-limits", "cloud-name-rules", "region-support", "globally-unique-names", "fc-memory-cpu", "enum-values", "oos-execution-completes"];
    assert.deepEqual(PROVIDER_CONSTRAINTS.map((r) => r.id).sort(), covered.sort());
  });
});
