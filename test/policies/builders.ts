// Small builders for plan graphs the policy tests start from: a compliant
// stack in the shape infra/ declares, then one mutation per failing case.
import type { PlanGraph, PlannedProvider, PlannedResource } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { handlerPolicyDescription, handlerPolicyDocument } from "../../infra/automation/role-policy";
import { bundledRamActions } from "../../policies/evaluate";

/** Where the test stack's handler policies point: its region, account, marker bucket, queue, topic and scope tag. */
const POLICY_SCOPE = { region: "cn-hangzhou", accountId: "1234567890123456", markerBucket: "eo-test-markers", objectPrefixes: ["event-ops/markers"], deadLetterQueue: "eo-test-dlq", alertTopic: "eo-test-alerts", scopeTag: { key: "event-ops", value: "managed" } };

function manifestActions(handler: string): string[] {
  const actions = bundledRamActions()[handler];
  if (!actions) throw new Error(`no handler "${handler}" in the bundle manifest (dist/handlers/manifest.json)`);
  return actions;
}

export const HANDLER_TYPE = "eventops:index:HandlerFunction";
const PROJECT = "event-ops";
const STACK = "test";

type Props = Record<string, any>;

/** The region of the test stack's default alicloud provider (`alicloud:region`). */
export const DEFAULT_REGION = "cn-shanghai";
/** The account the getAccount stand-in answers (tools/plan/mocks.ts). */
export const ACCOUNT_ID = "1000000000000000";

export class GraphBuilder {
  readonly graph: PlanGraph = { project: PROJECT, stack: STACK, resources: [], invokes: [], outputs: {}, providers: [] };

  /** A provider resource; `explicit` false gives the package's default provider as the engine names it. */
  provider(pkg: string, name: string, inputs: Props, explicit = true): string {
    const urn = `urn:pulumi:${STACK}::${PROJECT}::pulumi:providers:${pkg}::${name}`;
    const p: PlannedProvider = { type: `pulumi:providers:${pkg}`, name, urn, id: `offline-id:${name}`, default: !explicit, ...(pkg === "alicloud" ? { region: inputs.region ?? null } : {}), inputs };
    this.graph.providers!.push(p);
    return `${p.urn}::${p.id}`;
  }

  /** The reference of a package's default provider, declared on first use. */
  defaultProvider(pkg: string): string {
    const found = this.graph.providers!.find((p) => p.default && p.type === `pulumi:providers:${pkg}`);
    if (found) return `${found.urn}::${found.id}`;
    return pkg === "alicloud" ? this.provider(pkg, "default_3_108_0", { region: DEFAULT_REGION }, false) : this.provider(pkg, "default_4_21_2", {}, false);
  }

  /** A resource; custom resources get `provider` (default: their package's default provider). */
  add(type: string, name: string, inputs: Props, parent?: PlannedResource, provider?: string): PlannedResource {
    const custom = !type.startsWith("eventops:");
    const chain = parent ? `${parent.urn.split("::")[2]}$${type}` : type;
    const r: PlannedResource = {
      type,
      name,
      urn: `urn:pulumi:${STACK}::${PROJECT}::${chain}::${name}`,
      ...(parent ? { parent: parent.urn } : {}),
      custom,
      ...(custom ? { id: `offline-id:${name}` } : {}),
      inputs,
      ...(custom ? { provider: provider ?? this.defaultProvider(type.split(":")[0]) } : {}),
    };
    this.graph.resources.push(r);
    return r;
  }

  contact(name: string, channels: Props): PlannedResource {
    return this.add(T.alarmContact, `contacts-${name}`, { alarmContactName: `eo-test-${name}`, describe: name, ...channels });
  }

  contactGroup(name: string, members: string[]): PlannedResource {
    return this.add(T.alarmContactGroup, `contacts-group-${name}`, { alarmContactGroupName: `eo-test-${name}`, contacts: members.map((m) => `eo-test-${m}`) });
  }

  /** A queue with its dead-letter queue, in an AutomationQueue component named `logical` (infra: `queue-<name>`, a handler's `auto-queue-<handler>`). */
  queue(name: string, logical = `queue-${name}`): PlannedResource {
    const parent = this.add("eventops:index:AutomationQueue", logical, {});
    this.add(T.queue, `${logical}-dlq`, { queueName: `eo-test-${name}-dlq`, enableSse: true, tags: { env: "test" } }, parent);
    return this.add(
      T.queue,
      logical,
      { queueName: `eo-test-${name}`, enableSse: true, dlqPolicy: { enabled: true, deadLetterTargetQueue: `eo-test-${name}-dlq`, maxReceiveCount: 5 }, tags: { env: "test" } },
      parent,
    );
  }

  /** The handlers' CRITICAL alert topic with one subscription per (pushType, endpoint). */
  alertTopic(name: string, subscribers: [string, string][]): PlannedResource {
    const parent = this.add("eventops:index:CriticalAlertTopic", name, {});
    const topic = this.add("alicloud:message/serviceTopic:ServiceTopic", `${name}-topic`, { topicName: `eo-test-${name}` }, parent);
    subscribers.forEach(([pushType, endpoint], i) =>
      this.add("alicloud:message/serviceSubscription:ServiceSubscription", `${name}-sub-${i}`, { topicName: `eo-test-${name}`, subscriptionName: `sub-${i}`, pushType, endpoint }, parent),
    );
    return topic;
  }

  /** An application group with one rule per tier; `tiers` gives each tier's rule inputs beyond the defaults. */
  applicationGroup(name: string, tiers: Record<string, Props>): PlannedResource {
    const app = this.add(T.applicationGroup, `group-${name}`, {});
    const dtg = this.add(T.dynamicTagGroup, `group-${name}-tags`, { tagKey: "app", matchExpresses: [{ tagValue: name, tagValueMatchFunction: "equals" }], contactGroupLists: [] }, app);
    const groupId = `offline-group:${dtg.id}`;
    this.graph.invokes.push({ token: "alicloud:cms/getMonitorGroups:getMonitorGroups", args: { dynamicTagRuleId: dtg.id }, result: { groups: [{ groupId }] } });
    for (const [level, extra] of Object.entries(tiers)) {
      const ruleName = `eo-test-${name}-${level.toLowerCase()}`;
      this.add(
        T.eventRule,
        ruleName,
        {
          ruleName,
          groupId,
          status: "ENABLED",
          silenceTime: level === "CRITICAL" ? 600 : 3600,
          eventPattern: { product: "ECS", eventTypeLists: ["*"], levelLists: [level], nameLists: [] },
          contactParameters: [],
          mnsParameters: [],
          fcParameters: [],
          webhookParameters: [],
          ...extra,
        },
        app,
      );
    }
    return app;
  }

  /** A handler component as infra declares it; `actions` default to the handler's list in the bundle manifest. */
  handler(handler: string, actions: string[] = manifestActions(handler)): PlannedResource {
    const c = this.add(HANDLER_TYPE, `handler-${handler}`, { handler });
    this.add(T.ramRole, `handler-${handler}-role`, { roleName: `eo-test-${handler}` }, c);
    this.add(
      T.ramPolicy,
      `handler-${handler}-policy`,
      // The document and description infra builds (infra/automation/role-policy.ts), mutations scoped by resource.
      { policyName: `eo-test-${handler}`, policyDocument: handlerPolicyDocument({ ...POLICY_SCOPE, actions }), description: handlerPolicyDescription(handler, actions) },
      c,
    );
    this.add(T.ramRolePolicyAttachment, `handler-${handler}-attachment`, { roleName: `eo-test-${handler}`, policyName: `eo-test-${handler}`, policyType: "Custom" }, c);
    this.add(T.fcFunction, `handler-${handler}-function`, { functionName: `eo-test-${handler}`, handler: "index.handler", runtime: "nodejs20", memorySize: 512, cpu: 0.35, diskSize: 512, tags: { env: "test" } }, c);
    return c;
  }

  /**
   * A handler's own queue (`eo-test-auto-<handler>`, with its dead-letter queue) and the FC 3.0
   * queue trigger that reads it into the handler's function, configured as infra/automation/queue-trigger.ts does.
   */
  handlerQueue(handler: string, component: PlannedResource, window = { CountBasedWindow: 10, TimeBasedWindow: 1 }): PlannedResource {
    const queue = this.queue(`auto-${handler}`, `auto-queue-${handler}`);
    const triggerConfig = {
      triggerEnable: true,
      asyncInvocationType: false,
      eventSourceConfig: { eventSourceType: "MNS", eventSourceParameters: { sourceMNSParameters: { RegionId: DEFAULT_REGION, QueueName: `eo-test-auto-${handler}`, IsBase64Decode: false } } },
      eventRuleFilterPattern: "{}",
      eventSinkConfig: { deliveryOption: { eventSchema: "CloudEvents" } },
      runOptions: {
        mode: "event-streaming",
        batchWindow: window,
        retryStrategy: { PushRetryStrategy: "BACKOFF_RETRY" },
        errorsTolerance: "ALL",
        deadLetterQueue: { Arn: `acs:mns:${DEFAULT_REGION}:${ACCOUNT_ID}:/queues/eo-test-auto-${handler}-dlq` },
      },
    };
    this.add(T.fcTrigger, `handler-${handler}-queue`, { functionName: `eo-test-${handler}`, qualifier: "LATEST", triggerName: "queue", triggerType: "eventbridge", triggerConfig: JSON.stringify(triggerConfig) }, component);
    return queue;
  }

  /** Preset tags and the tag policy, each on an explicit provider of a region that serves it. */
  tagTaxonomy(): void {
    const meta = this.provider("alicloud", "tags-meta", { region: "cn-hangzhou" });
    const policies = this.provider("alicloud", "tags-policy", { region: "cn-shanghai" });
    this.add(T.metaTag, "taxonomy-env", { key: "env", values: ["test"] }, undefined, meta);
    this.add(T.tagPolicy, "taxonomy-policy", { policyName: "eo_test_tags", policyContent: "{}", userType: "USER" }, undefined, policies);
    this.add(T.tagPolicyAttachment, "taxonomy-attachment", { policyId: "offline-id:taxonomy-policy", targetId: "1000000000000000", targetType: "USER" }, undefined, policies);
  }

  /** The handlers' marker bucket and log project, named with a RandomId suffix. */
  automationStorage(): void {
    const suffix = this.add(T.randomId, "automation-name-suffix", { byteLength: 4 });
    suffix.computed = { hex: "1a2b3c4d" };
    this.add(T.bucket, "automation-markers", { bucket: "eo-test-markers-1a2b3c4d", acl: "private" });
    this.add(T.logProject, "automation-logs", { projectName: "eo-test-handlers-1a2b3c4d" });
    this.add(T.logStore, "automation-outcomes", { projectName: "eo-test-handlers-1a2b3c4d", logstoreName: "outcomes" });
  }
}

export const contactTarget = (group: string, level: string) => ({ contactParametersId: "1", contactGroupName: `eo-test-${group}`, level });

/**
 * A stack every policy accepts: one on-call person with email, phone and a
 * (secret) DingTalk webhook; CRITICAL by SMS plus a queue; WARN and INFO by chat;
 * the spot-drain handler with exactly its allowed actions, a valid size, its
 * automation rule sending to its own queue and the queue trigger reading that
 * queue into the function (no rule targets Function Compute); preset tags and the tag policy on providers of regions that
 * serve them; bucket and log project named with a RandomId suffix.
 */
export function compliantGraph(): PlanGraph {
  const b = new GraphBuilder();
  b.contact("alice", { channelsMail: "alice@example.com", channelsSms: "+8613800000001", channelsDingWebHook: "[secret]", lang: "en" });
  b.contactGroup("oncall", ["alice"]);
  b.queue("events");
  b.applicationGroup("checkout", {
    CRITICAL: { contactParameters: [contactTarget("oncall", "3")], mnsParameters: [{ mnsParametersId: "1", queue: "eo-test-events", region: "cn-shanghai" }] },
    WARN: { contactParameters: [contactTarget("oncall", "4")] },
    INFO: { contactParameters: [contactTarget("oncall", "4")], silenceTime: 86400 },
  });
  b.graph.invokes.push({ token: "alicloud:index/getAccount:getAccount", args: {}, result: { id: ACCOUNT_ID } });
  b.handlerQueue("spot-drain", b.handler("spot-drain"));
  b.tagTaxonomy();
  b.automationStorage();
  b.add(T.oosTemplate, "oos-checkout-template", { templateName: "eo-test-checkout-spot-drain", content: JSON.stringify({ FormatVersion: "OOS-2019-06-01", Tasks: [{ Name: "drain", Action: "ACS::ExecuteAPI" }] }), tags: { env: "test" } });
  b.add(T.oosExecution, "oos-checkout-run", { templateName: "eo-test-checkout-spot-drain", mode: "Automatic" });
  b.alertTopic("critical-alerts", [["alisms", "+8613800000001"], ["email", "alice@example.com"]]);
  const automationRules = b.add("eventops:index:AutomationRules", "automation-rules", {});
  b.add(T.eventRule, "eo-test-auto-spot-drain", {
    ruleName: "eo-test-auto-spot-drain",
    silenceTime: 0,
    eventPattern: { product: "ECS", eventTypeLists: ["StatusNotification"], levelLists: ["*"], nameLists: ["Instance:PreemptibleInstanceInterruption"] },
    contactParameters: [],
    mnsParameters: [{ mnsParametersId: "1", queue: "eo-test-auto-spot-drain", region: DEFAULT_REGION }],
    fcParameters: [],
    webhookParameters: [{ webhookParametersId: "1", protocol: "http", method: "POST", url: "[secret]" }],
  }, automationRules);
  return b.graph;
}

/** A resource by logical name, the cloud resource before a component of the same name (absent: the test fails). */
export function byName(graph: PlanGraph, name: string): PlannedResource {
  const named = graph.resources.filter((x) => x.name === name);
  const r = named.find((x) => x.custom) ?? named[0];
  if (!r) throw new Error(`no resource named ${name} in the test graph`);
  return r;
}

/** A deep copy with one change applied. */
export function mutated(change: (g: PlanGraph) => void, base: () => PlanGraph = compliantGraph): PlanGraph {
  const g = structuredClone(base());
  change(g);
  return g;
}
