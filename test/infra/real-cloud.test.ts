// The real-cloud facts S1–S17 (issue 10), checked on the offline plans of both
// shipped stacks: what a real preview or first `up` on a fresh account would
// refuse, hang on or collide with. Each check names its source.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { PlanGraph, PlannedResource, childrenOf, ofType } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { ROOT, runPlan, stackVariant } from "../plan/helpers";
import { PENDING_NOTE } from "../../tools/plan/coverage";
import { offlineRandomHex } from "../../tools/plan/mocks";
import { spotDrainTemplate, templateActions } from "../../infra/oos/spot-drain-template";
import { NAME_RULES } from "../../infra/naming";
import { awaitingActivation, neededServiceRoles } from "../../infra/stack";
import { CMS_TO_MNS, EVENTBRIDGE_QUEUE_TRIGGER, missingAuthorizations } from "../../infra/authorizations";
import { decideGroup } from "../../infra/components/application-group";
import { validateConfig } from "../../infra/config/validate";
import { readStackConfig } from "../../tools/plan/stack-config";
import { stackValues } from "./stack-values";

const STACKS = ["dev", "prod"] as const;
const graphOf = (stack: string): PlanGraph => {
  const r = runPlan(stack);
  assert.equal(r.status, 0, r.stderr);
  return r.graph!;
};
const stackFile = (stack: string) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config as Record<string, any>;
const custom = (g: PlanGraph) => g.resources.filter((r) => r.custom);
type Props = Record<string, any>;

/**
 * What a resource is in the cloud, independent of the stack that declares it: its type and the
 * name (or key) the API identifies it by. Two stacks that declare the same identity share one
 * cloud object, and destroying either deletes it for both. Region is left out on purpose
 * (stricter: RAM, CMS and tag objects are account-wide anyway).
 */
const IDENTITY: Record<string, (p: Props) => string> = {
  "alicloud:cms/eventRule:EventRule": (p) => p.ruleName,
  "alicloud:cms/alarmContact:AlarmContact": (p) => p.alarmContactName,
  "alicloud:cms/alarmContactGroup:AlarmContactGroup": (p) => p.alarmContactGroupName,
  "alicloud:cms/dynamicTagGroup:DynamicTagGroup": (p) => `${p.tagKey}=${JSON.stringify(p.matchExpresses)}`,
  "alicloud:message/serviceQueue:ServiceQueue": (p) => p.queueName,
  "alicloud:message/serviceTopic:ServiceTopic": (p) => p.topicName,
  "alicloud:message/serviceSubscription:ServiceSubscription": (p) => `${p.topicName}/${p.subscriptionName}`,
  "alicloud:fc/v3Function:V3Function": (p) => p.functionName,
  "alicloud:fc/v3AsyncInvokeConfig:V3AsyncInvokeConfig": (p) => p.functionName,
  "alicloud:fc/v3Trigger:V3Trigger": (p) => `${p.functionName}/${p.triggerName}`,
  "alicloud:ram/role:Role": (p) => p.roleName,
  "alicloud:ram/policy:Policy": (p) => p.policyName,
  "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment": (p) => `${p.roleName}/${p.policyName}/${p.policyType}`,
  "alicloud:oss/bucket:Bucket": (p) => p.bucket,
  "alicloud:log/project:Project": (p) => p.projectName,
  "alicloud:log/store:Store": (p) => `${p.projectName}/${p.logstoreName}`,
  "alicloud:log/storeIndex:StoreIndex": (p) => `${p.project}/${p.logstore}`,
  "alicloud:oos/template:Template": (p) => p.templateName,
  // resource_alicloud_tag_meta_tag.go: ID `<region>:<key>`, delete removes every value: one per account.
  "alicloud:tag/metaTag:MetaTag": (p) => p.key,
  "alicloud:tag/policy:Policy": (p) => p.policyName,
  "alicloud:tag/policyAttachment:PolicyAttachment": (p) => `${p.targetType}:${p.targetId}`,
};
/** Not cloud objects: nothing in the account to share. */
const NOT_IN_THE_CLOUD = new Set(["random:index/randomId:RandomId"]);

describe("real-cloud facts on the offline plans (issue 10, S1–S17)", function () {
  this.timeout(120_000);

  describe("S12: two stacks in one account", () => {
    it("every cloud resource type of both plans has a known cloud identity", () => {
      for (const stack of STACKS) {
        const unknown = [...new Set(custom(graphOf(stack)).map((r) => r.type))].filter((t) => !IDENTITY[t] && !NOT_IN_THE_CLOUD.has(t));
        assert.deepEqual(unknown, [], `${stack}: classify these types in IDENTITY`);
      }
    });

    it("dev and prod share no cloud resource that destroying either would delete", () => {
      const ids = (stack: string) =>
        new Map(custom(graphOf(stack)).filter((r) => IDENTITY[r.type]).map((r) => [`${r.type}|${IDENTITY[r.type](r.inputs)}`, r.name]));
      const dev = ids("dev");
      const shared = [...ids("prod").keys()].filter((k) => dev.has(k));
      assert.deepEqual(shared, []);
      assert.ok(dev.size > 30, "the comparison saw dev's resources");
    });

    it("only the account-level stack declares the account's preset tags and tag policy", () => {
      const accountLevel = STACKS.filter((s) => stackFile(s)["event-ops:account"]?.resources === true);
      assert.deepEqual(accountLevel, ["prod"]);
      for (const stack of STACKS) {
        const g = graphOf(stack);
        const n = ofType(g, "alicloud:tag/metaTag:MetaTag").length + ofType(g, "alicloud:tag/policy:Policy").length + ofType(g, "alicloud:tag/policyAttachment:PolicyAttachment").length;
        if (accountLevel.includes(stack)) assert.ok(n >= 3, `${stack} declares them`);
        else assert.equal(n, 0, `${stack} must not declare account-wide tag resources`);
        assert.equal(g.outputs.tagPolicyId === null, !accountLevel.includes(stack));
      }
    });

    it("the account taxonomy allows every value any shipped stack uses", () => {
      const account = stackFile("prod")["event-ops:account"].tags as Record<string, { values: string[] }>;
      const metaTags = new Map(ofType(graphOf("prod"), "alicloud:tag/metaTag:MetaTag").map((r) => [r.inputs.key, r.inputs.values]));
      for (const stack of STACKS) {
        for (const [key, { values }] of Object.entries(stackFile(stack)["event-ops:tags"].keys as Record<string, { values: string[] }>)) {
          for (const v of values) {
            assert.ok(account[key]?.values.includes(v), `${stack}: ${key}=${v} is missing from the account taxonomy`);
            assert.ok((metaTags.get(key) as string[]).includes(v), `${stack}: ${key}=${v} is no preset tag`);
          }
        }
      }
    });

    it("preset tags and the tag policy use explicit providers in the regions that serve them; preset tags replace delete-first", () => {
      // S3: "Meta Tag Only Support cn-hangzhou Region" (TF docs r/tag_meta_tag); tag policy cn-shanghai / ap-southeast-1 (CreatePolicy doc).
      const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "options-under-mocks.ts"), "tag-taxonomy"], { cwd: ROOT, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const seen = JSON.parse(r.stdout) as { type: string; region?: string; deleteBeforeReplace?: boolean }[];
      const of = (type: string) => seen.filter((s) => s.type === type);
      assert.equal(of("alicloud:tag/metaTag:MetaTag").length, 2);
      for (const m of of("alicloud:tag/metaTag:MetaTag")) assert.deepEqual([m.region, m.deleteBeforeReplace], ["cn-hangzhou", true]);
      for (const t of ["alicloud:tag/policy:Policy", "alicloud:tag/policyAttachment:PolicyAttachment"]) assert.deepEqual(of(t).map((s) => s.region), ["ap-southeast-1"]);
    });
  });

  for (const stack of STACKS) {
    describe(`${stack}`, () => {
      const g = () => graphOf(stack);
      const rules = () => ofType(g(), T.eventRule);

      it("S1: no computed-only `arn` in any target parameter block (resource_alicloud_cms_event_rule.go: Computed only)", () => {
        for (const r of rules()) {
          for (const kind of ["fcParameters", "mnsParameters", "slsParameters", "openApiParameters"]) {
            for (const t of (r.inputs[kind] as Props[] | undefined) ?? []) assert.ok(!("arn" in t), `${r.name}.${kind} sets arn`);
          }
        }
      });

      it("S5: every rule lists at most 50 names (PutEventRule NameList N 1–50); tier rules route by product, type and level", () => {
        for (const r of rules()) assert.ok(((r.inputs.eventPattern as Props).nameLists ?? []).length <= 50, `${r.name}`);
        const tierRules = rules().filter((r) => r.inputs.groupId);
        assert.ok(tierRules.length > 0);
        for (const r of tierRules) {
          const p = r.inputs.eventPattern as Props;
          assert.equal(p.nameLists, undefined, `${r.name} routes by type and level, not names`);
          assert.equal(p.levelLists.length, 1);
        }
        const products = new Set(tierRules.map((r) => (r.inputs.eventPattern as Props).product));
        assert.deepEqual([...products].sort(), [...(stackFile(stack)["event-ops:events"]?.products ?? ["ECS"])].sort());
        if (stack === "prod") assert.ok(products.size >= 2, "prod tiers cover at least two products");
      });

      it("S2/S13: no OOS execution resource; each template runs as a declared OOS role allowed exactly its SLB actions, filtered by the scope tag", () => {
        assert.equal(ofType(g(), "alicloud:oos/execution:Execution").length, 0, "an EventTrigger execution would keep `up` waiting 11 minutes");
        const scope = stackFile(stack)["event-ops:automation"].scopeTag;
        for (const oos of ofType(g(), "eventops:index:OosSpotDrain")) {
          const kids = childrenOf(g(), oos);
          const role = kids.find((k) => k.type === T.ramRole)!;
          assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicyDocument)).Statement[0].Principal, { Service: ["oos.aliyuncs.com"] });
          const template = JSON.parse(String(kids.find((k) => k.type === T.oosTemplate)!.inputs.content));
          assert.equal(template.Parameters.OOSAssumeRole.Default, role.inputs.roleName, "runs as the role, not as the caller");
          assert.ok(template.Tasks[0].Properties.Tags.some((t: Props) => t.Key === scope.key && t.Value === scope.value), "the trigger carries the scope tag");
          const policy = kids.find((k) => k.type === T.ramPolicy)!;
          const actions = JSON.parse(String(policy.inputs.policyDocument)).Statement.flatMap((s: Props) => s.Action).sort();
          assert.deepEqual(actions, templateActions(template));
          assert.ok(actions.length === 7 && actions.every((a: string) => a.startsWith("slb:")), actions.join());
          const attachment = kids.find((k) => k.type === T.ramRolePolicyAttachment)!;
          assert.deepEqual([attachment.inputs.roleName, attachment.inputs.policyName], [role.inputs.roleName, policy.inputs.policyName]);
        }
        assert.equal(Object.keys(g().outputs.oosListeners as object).length, ofType(g(), "eventops:index:OosSpotDrain").length);
      });

      it("S4: the tag policy name uses letters, digits and underscores only (CreatePolicy doc)", () => {
        for (const p of ofType(g(), "alicloud:tag/policy:Policy")) assert.match(String(p.inputs.policyName), /^[A-Za-z0-9_]{1,128}$/);
      });

      it("S6: the bucket and log project names end in the stack's random suffix and meet the global name rules", () => {
        const [suffix, ...more] = ofType(g(), "random:index/randomId:RandomId");
        assert.equal(more.length, 0);
        const hex = offlineRandomHex(suffix.name, Number(suffix.inputs.byteLength));
        const bucket = String(ofType(g(), "alicloud:oss/bucket:Bucket")[0].inputs.bucket);
        const project = String(ofType(g(), "alicloud:log/project:Project")[0].inputs.projectName);
        assert.equal(bucket, `eventops-${stack}-markers-${hex}`);
        assert.equal(project, `eventops-${stack}-handlers-${hex}`);
        assert.match(bucket, NAME_RULES.bucket.pattern);
        assert.match(project, NAME_RULES.logProject.pattern);
        const env = (ofType(g(), T.fcFunction)[0].inputs.environmentVariables as Props).IDEMPOTENCY_BUCKET;
        assert.equal(env, bucket, "the handlers get the suffixed name");
      });

      it("S9: the function role may write its logs to this stack's store only; the checked service roles are the ones the rules need", () => {
        const store = ofType(g(), "alicloud:log/store:Store")[0].inputs;
        for (const fn of ofType(g(), T.handlerFunction)) {
          const logs = childrenOf(g(), fn).find((k) => k.type === T.ramPolicy && String(k.inputs.policyName).endsWith("-logs"))!;
          const [statement, ...rest] = JSON.parse(String(logs.inputs.policyDocument)).Statement;
          assert.equal(rest.length, 0);
          assert.deepEqual(statement.Action, ["log:PostLogStoreLogs"]);
          assert.deepEqual(statement.Resource, [`acs:log:${stackFile(stack)["alicloud:region"]}:1000000000000000:project/${store.projectName}/logstore/${store.logstoreName}`]);
          assert.ok(childrenOf(g(), fn).some((k) => k.type === T.ramRolePolicyAttachment && k.inputs.policyName === logs.inputs.policyName), "attached to the function role");
        }
        // Every rule target is a queue and the handlers' queue triggers are EventBridge streams: no CMS → FC role.
        assert.deepEqual(g().outputs.authorizations, [CMS_TO_MNS.role, ...EVENTBRIDGE_QUEUE_TRIGGER.map((n) => n.role)]);
        assert.equal(g().invokes.filter((i) => i.token === "alicloud:ram/getRoles:getRoles").length, 1 + EVENTBRIDGE_QUEUE_TRIGGER.length);
      });

      it("S11: queues are encrypted only as configured (SSE needs the feature enabled by ticket)", () => {
        for (const q of ofType(g(), T.queue)) {
          assert.equal(q.inputs.enableSse, false, q.name);
          assert.equal(q.inputs.sseType, undefined, q.name);
        }
      });

      it("S14: contacts awaiting activation are listed: every email and phone not marked activated", () => {
        const contacts = stackFile(stack)["event-ops:contacts"] as Props[];
        const expected = contacts.flatMap((c) => (["email", "phone"] as const).filter((k) => c[k] && !(c.activated ?? []).includes(k)).map((k) => `eventops-${stack}-${c.name}: ${k} ${c[k]}`));
        assert.deepEqual(g().outputs.contactsAwaitingActivation, expected);
      });

      it("S16: contact languages and function sizes are values the provider and FC accept", () => {
        for (const c of ofType(g(), T.alarmContact)) assert.ok(["en", "zh-cn"].includes(String(c.inputs.lang)), `${c.name}: ${c.inputs.lang}`);
        for (const f of ofType(g(), T.fcFunction)) {
          const mem = Number(f.inputs.memorySize);
          const cpu = Number(f.inputs.cpu);
          assert.equal(mem % 64, 0, `${f.name}: memory ${mem} MB`);
          assert.ok(Math.abs(cpu * 20 - Math.round(cpu * 20)) < 1e-9, `${f.name}: cpu ${cpu}`);
          assert.ok(cpu <= mem / 1024 + 1e-9 && cpu >= mem / 4096 - 1e-9, `${f.name}: vCPU:GB ${cpu}:${mem / 1024}`);
          assert.ok([512, 10240].includes(Number(f.inputs.diskSize)), `${f.name}: disk`);
        }
      });

      it("S17: every log store has an index, and every function waits for it", () => {
        const stores = ofType(g(), "alicloud:log/store:Store");
        const indexes = ofType(g(), "alicloud:log/storeIndex:StoreIndex");
        for (const s of stores) {
          const index = indexes.find((i) => i.inputs.project === s.inputs.projectName && i.inputs.logstore === s.inputs.logstoreName);
          assert.ok(index, `${s.name} has no index`);
          assert.ok((index.inputs.fullText as Props)?.token, "full-text index");
          for (const f of ofType(g(), T.fcFunction)) assert.ok((f.dependsOn ?? []).includes(index.urn), `${f.name} waits for the index`);
        }
      });
    });
  }

  describe("S7: every placeholder secret has its first-deploy command in the README", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const stack of STACKS) {
      it(stack, () => {
        const paths = [...readStackConfig(ROOT, stack).secretPaths];
        for (const p of paths) {
          const rel = p.replace(/^[^:]+:/, "event-ops:");
          assert.ok(readme.includes(`pulumi config set --secret --path --stack ${stack} '${rel}'`), `README lacks the command for ${stack} ${rel}`);
        }
        const placeholders = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8").match(/secure: (.*)/g) ?? [];
        assert.equal(placeholders.length, paths.length);
        for (const v of placeholders) assert.match(v, /^secure: PLACEHOLDER-/, "shipped secure values are recognisable placeholders, not fake ciphertext");
      });
    }
  });

  describe("S8: a fresh account (no CloudMonitor group yet) does not abort", () => {
    let r: ReturnType<typeof spawnSync>;
    let graph: PlanGraph;
    before(() => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fresh-account-"));
      r = spawnSync(process.execPath, [path.join(ROOT, "tools/plan/run.js"), "--stack", "prod", "--json", path.join(dir, "plan.json"), "--quiet"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, EVENTOPS_PLAN_NO_GROUPS: "1" } });
      graph = JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8")) as PlanGraph;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("plans with exit 0: every group's rules are declared DISABLED and unscoped, and the outputs say pending", () => {
      assert.equal(r.status, 0, String(r.stderr));
      for (const app of ofType(graph, T.applicationGroup)) {
        const ruleKids = childrenOf(graph, app).filter((k) => k.type === T.eventRule);
        assert.ok(ruleKids.length > 0);
        for (const rule of ruleKids) assert.deepEqual([rule.inputs.status, rule.inputs.groupId], ["DISABLED", undefined], rule.name);
      }
      for (const group of Object.values(graph.outputs.groups as Record<string, Props>)) assert.equal(group.state, "pending");
    });

    it("the coverage matrix says what a group without members means", () => {
      const text = spawnSync(process.execPath, [path.join(ROOT, "tools/plan/run.js"), "--stack", "prod"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, EVENTOPS_PLAN_NO_GROUPS: "1" } });
      assert.equal(text.status, 0, text.stderr);
      assert.ok(text.stdout.includes(PENDING_NOTE), "no pending note");
      assert.match(text.stdout, /ADVISORY\s+tier-coverage \[group-checkout\]: application group group-checkout has no members yet/);
    });

    it("decideGroup: none → pending with a warning, one → scoped, several → the first by ID with a warning naming the rest", () => {
      assert.deepEqual(decideGroup("g", []).state, "pending");
      assert.match(decideGroup("g", []).warning!, /tag a resource and run `pulumi up` again/);
      assert.deepEqual(decideGroup("g", ["7"]), { state: "scoped", groupId: "7" });
      const several = decideGroup("g", ["9", "3"]);
      assert.deepEqual([several.state, several.groupId], ["scoped", "3"]);
      assert.match(several.warning!, /2 groups \(3, 9\)/);
    });
  });

  describe("S9: a missing CloudMonitor authorization fails the plan with the console step", () => {
    it("exits non-zero naming each missing role and how to grant it", () => {
      const r = spawnSync(process.execPath, [path.join(ROOT, "tools/plan/run.js"), "--stack", "dev", "--quiet"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, EVENTOPS_PLAN_NO_SERVICE_ROLES: "1" } });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /RAM role AliyunCloudMonitorDefaultRole is missing: .*Cloud Resource Access Authorization/);
      assert.match(r.stderr, /RAM role AliyunServiceRoleForEventBridgeSourceMNS is missing: .*CreateServiceLinkedRoleForProduct --ProductName AliyunServiceRoleForEventBridgeSourceMNS/);
      assert.match(r.stderr, /RAM role AliyunServiceRoleForEventBridgeSendToFC is missing/);
      assert.match(r.stderr, /RAM role AliyunServiceRoleForEventBridgeSendToMNS is missing/);
      assert.doesNotMatch(r.stderr, /AliyunCloudMonitorAccessingFCRole/, "no rule targets Function Compute");
    });

    it("missingAuthorizations lists exactly the absent roles; the rules' targets decide which are needed", () => {
      assert.deepEqual(missingAuthorizations([CMS_TO_MNS, ...EVENTBRIDGE_QUEUE_TRIGGER], new Set([CMS_TO_MNS.role])).length, EVENTBRIDGE_QUEUE_TRIGGER.length);
      assert.deepEqual(missingAuthorizations([CMS_TO_MNS], new Set([CMS_TO_MNS.role])), []);
      const raw = { stack: "t", region: "cn-hangzhou", isSecret: () => true, values: stackValues("dev") };
      const noAutomation = validateConfig({ ...raw, values: { ...raw.values, automation: undefined, tiers: { ...raw.values.tiers, CRITICAL: { ...raw.values.tiers.CRITICAL, targets: {} } } } });
      assert.ok(noAutomation.ok, JSON.stringify(!noAutomation.ok && noAutomation.issues));
      assert.deepEqual(neededServiceRoles(noAutomation.config), []);
      const dev = validateConfig(raw);
      assert.ok(dev.ok);
      assert.deepEqual(neededServiceRoles(dev.config).map((n) => n.role), [CMS_TO_MNS.role, ...EVENTBRIDGE_QUEUE_TRIGGER.map((n) => n.role)]);
      // Tier handler targets alone (no handlers deployed by this config) still need only CMS → MNS: they name the handlers' queues.
      const tierOnly = { ...dev.config, automation: undefined, tiers: { ...dev.config.tiers, CRITICAL: { ...dev.config.tiers.CRITICAL, targets: { queues: [], functions: ["spot-drain" as const], webhooks: [] } } } };
      assert.deepEqual(neededServiceRoles(tierOnly).map((n) => n.role), [CMS_TO_MNS.role]);
      assert.deepEqual(awaitingActivation(dev.config), ["eventops-t-dev-oncall: email dev-oncall@example.com", "eventops-t-dev-oncall: phone +8613800000010"]);
    });
  });

  describe("R11 and S6 through the plan: a bad region or an impossible name exits 2 with its path, before anything is declared", () => {
    const cases: [string, (c: Props) => void, RegExp][] = [
      ["alicloud:region a host name", (c) => (c["alicloud:region"] = "evil.com/#"), /alicloud:region: 'evil\.com\/#' is not a region ID/],
      ["a tag-policy region with a port", (c) => (c["event-ops:account"].tagPolicyRegion = "cn-shanghai:8080"), /event-ops:account\.tagPolicyRegion: a region ID/],
      ["a product a dynamic tag group cannot hold", (c) => (c["event-ops:events"].products = ["ECS", "Redis"]), /event-ops:events\.products\[1\]: 'Redis'/],
    ];
    for (const [title, edit, message] of cases) {
      it(title, () => {
        const v = stackVariant("prod", edit);
        const r = runPlan(v.stack, v.dir);
        fs.rmSync(v.dir, { recursive: true, force: true });
        assert.equal(r.status, 2, r.stderr + r.stdout);
        assert.match(r.stderr, message);
        assert.match(r.stderr, /No resource was declared/);
      });
    }
  });
});

export type { PlannedResource };
