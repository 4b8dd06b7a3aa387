// The CrossGuard wiring, driven the way the engine drives it: props behind
// @pulumi/policy's unknown-checking proxy, unknowns as the engine's sentinels,
// secrets as `Secret` only in the remediation phase. No PolicyPack is built.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, Secret, StackValidationArgs, StackValidationPolicy, unknownCheckingProxy } from "@pulumi/policy";
import { secretsPreservingProxy } from "@pulumi/policy/secret";
import type { PlanGraph } from "../../policies/plan-graph";
import { UNVERIFIED_INPUTS_POLICY, UNVERIFIED_POLICY, inputsPolicy, packPolicies, secretsPolicy, stackPolicy, unverifiedInputsPolicy, unverifiedPolicy } from "../../policies/crossguard";
import { PROVIDER_CONSTRAINTS, RULES, automationQueueTrigger, computedOnlyInputs, handlerLeastPrivilege, regionSupport, requiredTags, tierCoverage } from "../../policies/rules";
import { bundleDir } from "../../infra/automation/bundles";
import { byName, compliantGraph, mutated } from "./builders";

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What the engine hands validateStack: outputs behind the unknown-checking proxy, parents and providers as objects. */
function stackArgs(graph: PlanGraph, config: object = {}): StackValidationArgs {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of graph.resources) {
    const p = (graph.providers ?? []).find((x) => r.provider === `${x.urn}::${x.id}`);
    byUrn.set(r.urn, {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: unknownCheckingProxy(structuredClone({ ...r.inputs, ...r.computed })),
      ...(p ? { provider: { type: p.type, name: p.name, urn: p.urn, props: unknownCheckingProxy(structuredClone(p.inputs)) } } : {}),
      opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    });
  }
  for (const r of graph.resources) if (r.parent) byUrn.get(r.urn)!.parent = byUrn.get(r.parent);
  return {
    resources: [...byUrn.values()],
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

async function runStack(policy: StackValidationPolicy, args: StackValidationArgs) {
  const reports: { message: string; urn?: string }[] = [];
  await policy.validateStack(args, (message, urn) => reports.push({ message, urn }));
  return reports;
}

function resourceArgs(type: string, props: Record<string, unknown>, name = "contacts-alice"): ResourceValidationArgs {
  return {
    type,
    name,
    urn: `urn:pulumi:test::event-ops::${type}::${name}`,
    props,
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

async function runResource(policy: ResourceValidationPolicy, args: ResourceValidationArgs) {
  const reports: string[] = [];
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
  for (const v of validations) await v(args, (m) => reports.push(m));
  return reports;
}

describe("CrossGuard wiring", () => {
  it("every rule becomes a policy with its metadata, plus the secrets and unverified policies", () => {
    const policies = packPolicies();
    const names = policies.map((p) => p.name);
    for (const rule of RULES) assert.ok(names.includes(rule.id), `${rule.id} missing from the pack`);
    assert.ok(names.includes(UNVERIFIED_POLICY));
    for (const p of policies) {
      assert.ok(p.description && p.remediationSteps && p.severity, `${p.name} lacks metadata`);
    }
    const level = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
    assert.deepEqual(level, {
      "tier-coverage": "mandatory",
      "no-dangling-targets": "mandatory",
      "queue-dead-letter": "mandatory",
      "automation-queue-trigger": "mandatory",
      "handler-least-privilege": "mandatory",
      "alert-topic-subscribed": "mandatory",
      "no-plaintext-secrets": "remediate",
      ...Object.fromEntries(RULES.filter((r) => PROVIDER_CONSTRAINTS.includes(r)).map((r) => [r.id, "mandatory"])),
      "silence-bounds": "advisory",
      "required-tags": "advisory",
      [UNVERIFIED_POLICY]: "advisory",
      ...(RULES.some((r) => r.judgesInputs) ? { [UNVERIFIED_INPUTS_POLICY]: "advisory" } : {}),
    });
  });

  it("a provider constraint's policy description lists its sources", () => {
    const policies = packPolicies(PROVIDER_CONSTRAINTS);
    for (const rule of PROVIDER_CONSTRAINTS) {
      const p = policies.find((x) => x.name === rule.id)!;
      assert.ok(p, `${rule.id} missing`);
      for (const source of rule.sources!) assert.ok(p.description.includes(source), `${rule.id}: description lacks ${source}`);
    }
  });

  it("region-support reads the region from each resource's provider, as the engine hands it", async () => {
    assert.deepEqual(await runStack(stackPolicy(regionSupport), stackArgs(compliantGraph())), []);
    const onDefault = mutated((g) => {
      const dflt = g.providers!.find((p) => p.default && p.type === "pulumi:providers:alicloud")!;
      byName(g, "taxonomy-env").provider = `${dflt.urn}::${dflt.id}`;
    });
    const reports = await runStack(stackPolicy(regionSupport), stackArgs(onDefault));
    assert.equal(reports.length, 1);
    assert.match(reports[0].message, /taxonomy-env \(env\): managed in cn-shanghai by provider default_3_108_0; tag\/metaTag is served only in cn-hangzhou \(source: /);
    assert.equal(reports[0].urn, byName(onDefault, "taxonomy-env").urn);
  });

  describe("computed-only-inputs judges inputs, as a resource validation", () => {
    const type = "alicloud:cms/eventRule:EventRule";
    const withArn = { ruleName: "r", eventPattern: { product: "ECS" }, fcParameters: [{ fcParametersId: "1", functionName: "f", arn: "acs:fc:cn-shanghai:1:functions/f" }] };

    it("reports an arn the program sets", async () => {
      const reports = await runResource(inputsPolicy(computedOnlyInputs), resourceArgs(type, unknownCheckingProxy(structuredClone(withArn)), "r"));
      assert.equal(reports.length, 1);
      assert.match(reports[0], /fcParameters\[0\]\.arn is set; .*computed-only .*\(source: /);
    });

    it("is not a stack validation, whose outputs always hold the computed arn", () => {
      const policies = packPolicies([computedOnlyInputs]);
      const p = policies.find((x) => x.name === computedOnlyInputs.id)! as ResourceValidationPolicy;
      assert.ok(p.validateResource, "a resource validation");
      assert.equal((p as unknown as StackValidationPolicy).validateStack, undefined);
      assert.ok(policies.some((x) => x.name === UNVERIFIED_INPUTS_POLICY));
      assert.ok(!unverifiedPolicy([computedOnlyInputs]).description.includes(computedOnlyInputs.id));
    });

    it("an unknown target list neither blocks nor passes silently: the unverified inputs policy reports it", async () => {
      const props = { ...withArn, fcParameters: UNKNOWN_STRING };
      assert.deepEqual(await runResource(inputsPolicy(computedOnlyInputs), resourceArgs(type, unknownCheckingProxy(structuredClone(props)), "r")), []);
      const reports = await runResource(unverifiedInputsPolicy([computedOnlyInputs]), resourceArgs(type, unknownCheckingProxy(structuredClone(props)), "r"));
      assert.equal(reports.length, 1);
      assert.match(reports[0], /^\[computed-only-inputs\] could not verify whether fcParameters sets arn/);
    });
  });

  it("tier-coverage passes the compliant stack and reports a missing tier with the group's URN", async () => {
    assert.deepEqual(await runStack(stackPolicy(tierCoverage), stackArgs(compliantGraph())), []);
    const broken = mutated((g) => (g.resources = g.resources.filter((r) => r.name !== "eo-test-checkout-warn")));
    const reports = await runStack(stackPolicy(tierCoverage), stackArgs(broken));
    assert.equal(reports.length, 1);
    assert.match(reports[0].message, /no enabled WARN event rule/);
    assert.equal(reports[0].urn, byName(broken, "group-checkout").urn);
  });

  it("an unknown groupId neither throws, nor blocks, nor passes silently: the unverified policy reports it", async () => {
    const g = mutated((x) => (byName(x, "eo-test-checkout-info").inputs.groupId = UNKNOWN_STRING));
    assert.deepEqual(await runStack(stackPolicy(tierCoverage), stackArgs(g)), []);
    const reports = await runStack(unverifiedPolicy(RULES), stackArgs(g));
    assert.equal(reports.length, 1);
    assert.match(reports[0].message, /^\[tier-coverage\] could not verify that rule eo-test-checkout-info is scoped .* unknown until apply/);
  });

  it("automation-queue-trigger in a real preview: reports a trigger without a dead-letter queue on its URN; an unknown triggerConfig goes to the unverified policy", async () => {
    assert.deepEqual(await runStack(stackPolicy(automationQueueTrigger), stackArgs(compliantGraph())), []);
    const noDlq = mutated((x) => {
      const t = byName(x, "handler-spot-drain-queue");
      const c = JSON.parse(String(t.inputs.triggerConfig));
      delete c.runOptions.deadLetterQueue;
      t.inputs.triggerConfig = JSON.stringify(c);
    });
    const reports = await runStack(stackPolicy(automationQueueTrigger), stackArgs(noDlq));
    assert.deepEqual(reports.map((r) => r.message), ["queue trigger handler-spot-drain-queue (function eo-test-spot-drain): it has no runOptions.deadLetterQueue.Arn: a batch whose retries are spent is discarded"]);
    assert.equal(reports[0].urn, byName(noDlq, "handler-spot-drain-queue").urn);
    // Before the first apply the trigger's config (built from the queue names and the account) may be unknown.
    const unknown = mutated((x) => (byName(x, "handler-spot-drain-queue").inputs.triggerConfig = UNKNOWN_STRING));
    assert.deepEqual(await runStack(stackPolicy(automationQueueTrigger), stackArgs(unknown)), []);
    const unverified = (await runStack(unverifiedPolicy(RULES), stackArgs(unknown))).map((r) => r.message);
    assert.ok(unverified.some((m) => /^\[automation-queue-trigger\] could not verify queue trigger handler-spot-drain-queue \(function eo-test-spot-drain\): triggerConfig is unknown until apply$/.test(m)), unverified.join("\n"));
    assert.ok(unverified.some((m) => /^\[automation-queue-trigger\] could not verify that automation queue auto-queue-spot-drain \(eo-test-auto-spot-drain\)/.test(m)), unverified.join("\n"));
  });

  it("required-tags reads its keys from the pack config", async () => {
    const missing = mutated((x) => (byName(x, "queue-events").inputs.tags = {}));
    const reports = await runStack(stackPolicy(requiredTags), stackArgs(missing, { requiredKeys: ["env"] }));
    assert.deepEqual(reports.map((r) => r.message), ["queue-events (eo-test-events) lacks required tag key(s) env"]);
    const unconfigured = await runStack(stackPolicy(requiredTags), stackArgs(compliantGraph()));
    assert.match(unconfigured[0].message, /could not verify required tags/);
  });

  describe("handler-least-privilege reads the allowed actions from the bundle manifest, as the offline plan does", () => {
    const withBundleDir = async <R>(dir: string, run: () => Promise<R>): Promise<R> => {
      const before = process.env.EVENTOPS_BUNDLE_DIR;
      process.env.EVENTOPS_BUNDLE_DIR = dir;
      try {
        return await run();
      } finally {
        if (before === undefined) delete process.env.EVENTOPS_BUNDLE_DIR;
        else process.env.EVENTOPS_BUNDLE_DIR = before;
      }
    };

    it("an action the manifest no longer lists for the handler is reported", async () => {
      const graph = compliantGraph(); // spot-drain's policy lists the manifest's actions as built
      assert.deepEqual(await runStack(stackPolicy(handlerLeastPrivilege), stackArgs(graph)), []);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-manifest-"));
      try {
        const manifest = JSON.parse(fs.readFileSync(path.join(bundleDir(), "manifest.json"), "utf8"));
        manifest["spot-drain"].ramActions = manifest["spot-drain"].ramActions.filter((a: string) => a !== "slb:SetBackendServers");
        fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest));
        const reports = await withBundleDir(dir, () => runStack(stackPolicy(handlerLeastPrivilege), stackArgs(graph)));
        // Which statement holds it depends on how the document groups actions by resource scope (infra/automation/role-policy.ts).
        assert.equal(reports.length, 1, reports.map((r) => r.message).join("\n"));
        assert.match(reports[0].message, /^RAM policy eo-test-spot-drain of handler spot-drain: Statement\[\d+\] allows "slb:SetBackendServers", which is not in the handler's allowed set \(the bundle manifest\)$/);
        assert.equal(reports[0].urn, byName(graph, "handler-spot-drain-policy").urn);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("without a built manifest the policy fails with what to run, instead of passing", async () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), "pack-no-manifest-"));
      try {
        await assert.rejects(
          withBundleDir(empty, () => runStack(stackPolicy(handlerLeastPrivilege), stackArgs(compliantGraph()))),
          /no handler bundles at .*manifest\.json: run `npm run bundle` first/,
        );
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });
  });

  describe("no-plaintext-secrets (secret-ness read in the remediation phase)", () => {
    const TOKEN_URL = "https://oapi.dingtalk.com/robot/send?access_token=0123abcd";
    const type = "alicloud:cms/alarmContact:AlarmContact";
    const remediationProps = (raw: Record<string, unknown>) => unknownCheckingProxy(secretsPreservingProxy(raw));

    it("passes a webhook that is a Pulumi secret, although analysis then sees it decrypted", async () => {
      const policy = secretsPolicy();
      const args = resourceArgs(type, remediationProps({ alarmContactName: "a", channelsDingWebHook: new Secret(TOKEN_URL) }));
      assert.equal(await policy.remediateResource!(args), undefined, "the remediation changes nothing");
      const analyzed = resourceArgs(type, unknownCheckingProxy({ alarmContactName: "a", channelsDingWebHook: TOKEN_URL }));
      assert.deepEqual(await runResource(policy, analyzed), []);
    });

    it("reports a plain webhook, naming the property and never the value", async () => {
      const policy = secretsPolicy();
      await policy.remediateResource!(resourceArgs(type, remediationProps({ channelsDingWebHook: TOKEN_URL })));
      const reports = await runResource(policy, resourceArgs(type, unknownCheckingProxy({ channelsDingWebHook: TOKEN_URL })));
      assert.equal(reports.length, 1);
      assert.match(reports[0], /channelsDingWebHook holds a DingTalk\/webhook access token as a plain value/);
      assert.ok(!reports[0].includes("0123abcd"), "the secret must not appear in the message");
    });

    it("says it could not verify when the remediation phase did not run", async () => {
      const reports = await runResource(secretsPolicy(), resourceArgs(type, unknownCheckingProxy({ channelsDingWebHook: TOKEN_URL })));
      assert.equal(reports.length, 1);
      assert.match(reports[0], /could not verify that these values are Pulumi secrets .*: channelsDingWebHook holds a DingTalk\/webhook access token$/);
      assert.ok(!reports[0].includes("0123abcd"));
    });
  });
});

describe("policy pack files", () => {
  const dir = path.resolve(__dirname, "../../policies");
  const files = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : e.name.endsWith(".ts") ? [path.join(d, e.name)] : []));

  it("constructs the PolicyPack in policies/index.ts only", () => {
    const constructing = files(dir).filter((f) => /new PolicyPack\(/.test(fs.readFileSync(f, "utf8")));
    assert.deepEqual(constructing.map((f) => path.relative(dir, f)), ["index.ts"]);
  });

  it("has the PulumiPolicy.yaml and the versioned package.json the CLI reads", () => {
    assert.equal(YAML.parse(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8")).runtime, "nodejs");
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.equal(pkg.main, "index.ts");
  });

  it("imports from handlers/ only the catalogue and the contract, and nothing from tools/ or test/", () => {
    const imports = files(dir).flatMap((f) =>
      [...fs.readFileSync(f, "utf8").matchAll(/^import[^"]*"([^"]+)"/gm)].map((m) => ({ from: path.relative(dir, f), target: path.relative(path.dirname(dir), path.resolve(path.dirname(f), m[1])) })),
    );
    assert.ok(imports.some((i) => i.target === "handlers/catalogue"), "the scan reads the pack's imports");
    const wrong = imports.filter((i) => /^(tools|test)\//.test(i.target) || (/^handlers\//.test(i.target) && !/^handlers\/(catalogue|contract)(\/|$)/.test(i.target)));
    assert.deepEqual(wrong, []);
  });

  it("keeps one rule per file under policies/rules, each with its metadata", () => {
    for (const rule of RULES) {
      const file = path.join(dir, "rules", `${rule.id}.ts`);
      assert.ok(fs.existsSync(file), `${rule.id} should live in rules/${rule.id}.ts`);
      assert.match(fs.readFileSync(file, "utf8"), new RegExp(`id: "${rule.id}"`));
    }
  });
});
