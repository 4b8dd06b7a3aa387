// Declares the whole stack from a validated config: tags, contacts, queues,
// application groups with their tier rules, and the automation path.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { StackConfig, defaultCpu } from "./config/schema";
import { Naming, automationQueueKey, contactGroupName, contactName, deadLetterQueueName, functionName, globalNameStems, oosRoleName, queueName, roleName, stackNaming, stem, tagPolicyName } from "./naming";
import { TagTaxonomy } from "./components/tag-taxonomy";
import { Contacts } from "./components/contacts";
import { AutomationQueue, CmsQueueAccess, QueueSse } from "./components/automation-queue";
import { ApplicationGroup } from "./components/application-group";
import { AutomationRules } from "./components/automation-rules";
import { automationRoutes, groupTierArgs, tierTemplate } from "./alerting/tier-rules";
import { readBundles } from "./automation/bundles";
import { AutomationBase } from "./components/automation-base";
import { HandlerFunction } from "./components/handler-function";
import { OosSpotDrain } from "./components/oos-spot-drain";
import { CriticalAlertTopic } from "./components/critical-alert-topic";
import { criticalAlertSubscribers } from "./alerting/alert-subscribers";
import { CMS_TO_MNS, EVENTBRIDGE_QUEUE_TRIGGER, ServiceRoleNeed, checkServiceRoles } from "./authorizations";
import { inheritedProviderArgs } from "./providers";
import { RANGES, TIMERS, batchWindowOf, objectPrefixesFor, toEnv } from "../handlers/contract";
import type { HandlerName } from "../handlers/catalogue";

export interface StackOutputs {
  region: string;
  groups: Record<string, { groupId: pulumi.Output<string | undefined>; state: pulumi.Output<"scoped" | "pending">; ruleNames: string[] }>;
  contactGroups: Record<string, pulumi.Output<string>>;
  queues: Record<string, { queue: pulumi.Output<string>; deadLetterQueue: pulumi.Output<string> }>;
  /** Per handler, the MNS queue its events arrive on and the queue its failed batches go to. */
  automationQueues: Record<string, { queue: pulumi.Output<string>; deadLetterQueue: pulumi.Output<string> }>;
  automationRules: string[];
  handlers: Record<string, pulumi.Output<string>>;
  oosTemplates: Record<string, pulumi.Output<string>>;
  /** Per OOS template, the command that starts its listening execution (not a resource: see components/oos-spot-drain.ts). */
  oosListeners: Record<string, pulumi.Output<string>>;
  handlerDeadLetterQueue?: pulumi.Output<string>;
  alertTopic?: pulumi.Output<string>;
  /** The account's tag policy when this is the account-level stack (event-ops:account.resources), else null. */
  tagPolicyId: pulumi.Output<string> | null;
  /** Service roles checked to exist (infra/authorizations.ts). */
  authorizations: pulumi.Output<string[]>;
  /** Contact channels whose activation link has not been clicked (event-ops:contacts[].activated): CloudMonitor notifies them only after. */
  contactsAwaitingActivation: string[];
}

export function declareStack(config: StackConfig): StackOutputs {
  const naming: Naming = stackNaming(config);
  const accountId = alicloud.getAccountOutput().id;
  const resourceTags = config.tags.resourceTags;

  // Account-wide resources live in exactly one stack per account (S12): the others only use them.
  const account = config.account;
  const taxonomy = account.resources
    ? new TagTaxonomy("taxonomy", {
        keys: account.tags ?? config.tags.keys,
        policyName: tagPolicyName(config.namePrefix),
        policyDescription: `Allowed tag keys and values of the account (declared by ${config.namePrefix} stack ${config.stack})`,
        accountId,
        metaTagRegion: account.tagMetaRegion,
        policyRegion: account.tagPolicyRegion,
        providerArgs: inheritedProviderArgs(),
      })
    : undefined;
  const sse = queueSse(config);
  const contacts = new Contacts("contacts", {
    contacts: config.contacts.map((c) => ({ ...c, alarmContactName: contactName(naming, c.name) })),
    groups: config.contactGroups.map((g) => ({
      name: g.name,
      alarmContactGroupName: contactGroupName(naming, g.name),
      description: g.description ?? `${g.role}: ${g.members.join(", ")}`,
      members: g.members,
    })),
  });

  // Rules name their receivers by cloud name; they depend on exactly those resources.
  const receivers = new Map<string, pulumi.Resource>(config.contactGroups.map((g) => [contactGroupName(naming, g.name), contacts.groups[g.name]]));

  const queues: StackOutputs["queues"] = {};
  for (const q of config.queues) {
    const queue = new AutomationQueue(`queue-${q.name}`, {
      queueName: queueName(naming, q.name),
      deadLetterQueueName: deadLetterQueueName(naming, q.name),
      retentionSeconds: q.retentionSeconds,
      visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
      maxReceiveCount: q.maxReceiveCount,
      sse,
      tags: resourceTags,
    });
    queues[q.name] = { queue: queue.queueName, deadLetterQueue: queue.deadLetterQueueName };
    receivers.set(queueName(naming, q.name), queue.queue);
  }
  const webhookUrls = Object.fromEntries(config.webhooks.map((w) => [w.name, pulumi.secret(w.url)]));

  const handlers: StackOutputs["handlers"] = {};
  const automationQueues: StackOutputs["automationQueues"] = {};
  let handlerDeadLetterQueue: pulumi.Output<string> | undefined;
  let alertTopic: pulumi.Output<string> | undefined;
  const automation = config.automation;
  if (automation) {
    const global = globalNameStems(naming);
    const base = new AutomationBase("automation", {
      bucketNamePrefix: global.bucket,
      deadLetterQueueName: stem(naming, "handlers-dlq"),
      logProjectNamePrefix: global.logProject,
      markerRetentionDays: automation.markerRetentionDays,
      sse,
      tags: resourceTags,
    });
    handlerDeadLetterQueue = base.deadLetterQueue;
    const alerts = new CriticalAlertTopic("critical-alerts", {
      topicName: stem(naming, "critical-alerts"),
      subscribers: criticalAlertSubscribers(config).map((s) => ({ ...s, endpoint: s.webhook ? webhookUrls[s.webhook] : s.endpoint })),
      tags: resourceTags,
    });
    alertTopic = alerts.topicName;
    const bundles = readBundles();
    const environment = handlerEnvironment(config, accountId, base, alerts.topicName);
    for (const handler of automation.handlers) {
      const bundle = bundles[handler];
      if (!bundle) throw new Error(`handler '${handler}' is configured (event-ops:automation.handlers) but has no bundle in dist/handlers: run \`npm run bundle\``);
      // CloudMonitor → this queue → the function's queue trigger, in batches (issue 14): durable,
      // retried with back-off, dead-lettered, and no dependence on CloudMonitor's FC target.
      const key = automationQueueKey(handler);
      const queue = new AutomationQueue(`auto-queue-${handler}`, {
        queueName: queueName(naming, key),
        deadLetterQueueName: deadLetterQueueName(naming, key),
        // MNS's default retention (4 days): maintenance and expiry events matter for days.
        retentionSeconds: AUTOMATION_QUEUE_RETENTION_SECONDS,
        // A message taken by the trigger stays hidden while its batch runs (at most the timeout).
        visibilityTimeoutSeconds: Math.min(MNS_MAX_VISIBILITY_SECONDS, automation.timeoutSeconds + 60),
        maxReceiveCount: AUTOMATION_QUEUE_MAX_RECEIVES,
        sse,
        tags: resourceTags,
      });
      automationQueues[handler] = { queue: queue.queueName, deadLetterQueue: queue.deadLetterQueueName };
      receivers.set(queueName(naming, key), queue.queue);
      const fn = new HandlerFunction(`handler-${handler}`, {
        handler,
        bundle,
        functionName: functionName(naming, handler),
        roleName: roleName(naming, handler),
        region: config.region,
        accountId,
        markerBucket: base.markerBucket,
        objectPrefixes: objectPrefixesFor(handler),
        scopeTag: automation.scopeTag,
        schedule: HANDLER_SCHEDULES[handler],
        queueTrigger: { queueName: queue.queueName, deadLetterQueueName: queue.deadLetterQueueName, window: batchWindowOf(handler, automation.batching[handler]) },
        deadLetterQueue: base.deadLetterQueue,
        alertTopic: alerts.topicName,
        logProject: base.logProject,
        logStore: base.logStore,
        timeoutSeconds: automation.timeoutSeconds,
        memoryMB: automation.memoryMB,
        cpu: automation.cpu ?? defaultCpu(automation.memoryMB),
        diskSizeMB: automation.diskSizeMB,
        dependsOn: [base.logIndex],
        environment,
        tags: resourceTags,
      });
      handlers[handler] = fn.functionName;
      receivers.set(functionName(naming, handler), fn);
    }
  }

  const cmsQueues = [...Object.values(queues), ...Object.values(automationQueues)].map((q) => q.queue);
  if (cmsQueues.length > 0) {
    new CmsQueueAccess("cms-queue-access", {
      policyName: stem(naming, "cms-to-mns"),
      region: config.region,
      accountId,
      queueNames: cmsQueues,
    });
  }

  const tiers = tierTemplate(config, receivers);
  const groups: StackOutputs["groups"] = {};
  for (const g of config.groups) {
    const app = new ApplicationGroup(`group-${g.name}`, {
      ...groupTierArgs(config, g, tiers),
      match: g.match,
      contactGroups: config.tiers.CRITICAL.contactGroups.map((c) => contacts.groupNames[c]),
      region: config.region,
    });
    groups[g.name] = { groupId: app.groupId, state: app.state, ruleNames: app.ruleNames };
  }
  const automationRules = new AutomationRules("automation-rules", { routes: automationRoutes(config, receivers), region: config.region }).ruleNames;

  const oosTemplates: StackOutputs["oosTemplates"] = {};
  const oosListeners: StackOutputs["oosListeners"] = {};
  for (const g of config.groups.filter((g) => g.spotPath === "oos")) {
    const oos = new OosSpotDrain(`oos-${g.name}`, {
      templateName: stem(naming, g.name, "spot-drain"),
      roleName: oosRoleName(naming, g.name),
      drainWaitSeconds: automation?.drainWaitSeconds ?? RANGES.drainWaitSeconds.default,
      // The group's tag and the scope tag: the template drains only instances the handlers could act on too.
      triggerTags: [{ key: config.tags.groupBy, value: g.tagValue }, ...(automation ? [{ key: automation.scopeTag.key, value: automation.scopeTag.value }] : [])],
      region: config.region,
      tags: resourceTags,
    });
    oosTemplates[g.name] = oos.templateName;
    oosListeners[g.name] = oos.listenerCommand;
  }

  const authorizations = account.checkAuthorizations ? checkServiceRoles(neededServiceRoles(config)) : pulumi.output([] as string[]);

  return {
    handlers,
    oosTemplates,
    oosListeners,
    handlerDeadLetterQueue,
    alertTopic,
    region: config.region,
    groups,
    contactGroups: contacts.groupNames,
    queues,
    automationQueues,
    automationRules,
    tagPolicyId: taxonomy?.policyId ?? null,
    authorizations,
    contactsAwaitingActivation: awaitingActivation(config),
  };
}

/** The queues' SSE from `event-ops:queueEncryption` (schema.ts checks a KMS key is given). */
function queueSse(config: StackConfig): QueueSse {
  const e = config.queueEncryption;
  return e.type === "KMS" ? { type: "KMS", kmsKeyId: e.kmsKeyId! } : { type: e.type };
}

/** MNS's default retention, 4 days (SMQ CreateQueue MessageRetentionPeriod: 60-604800, default 345600). */
export const AUTOMATION_QUEUE_RETENTION_SECONDS = 345600;
/** SMQ CreateQueue VisibilityTimeout: 1-43200 seconds. */
export const MNS_MAX_VISIBILITY_SECONDS = 43200;
/** Receives before MNS itself moves a message to the automation queue's dead-letter queue. */
export const AUTOMATION_QUEUE_MAX_RECEIVES = 10;

/**
 * Service roles the stack needs: every rule target is a queue (the tiers' own, and each
 * handler's, which tier handler targets name too), so CMS → MNS; the handlers' queue
 * triggers need EventBridge's roles. No rule has a Function Compute target.
 */
export function neededServiceRoles(config: StackConfig): ServiceRoleNeed[] {
  const handlers = (config.automation?.handlers.length ?? 0) > 0;
  const queues = handlers || Object.values(config.tiers).some((t) => t.targets.queues.length > 0 || t.targets.functions.length > 0);
  return [...(queues ? [CMS_TO_MNS] : []), ...(handlers ? EVENTBRIDGE_QUEUE_TRIGGER : [])];
}

/** `<alarm contact name>: email <address>` / `: phone <number>` for each channel not yet marked activated. */
export function awaitingActivation(config: StackConfig): string[] {
  const naming = stackNaming(config);
  return config.contacts.flatMap((c) => [
    ...(c.email && !c.activated.includes("email") ? [`${contactName(naming, c.name)}: email ${c.email}`] : []),
    ...(c.phone && !c.activated.includes("phone") ? [`${contactName(naming, c.name)}: phone ${c.phone}`] : []),
  ]);
}

/** Handlers that also run on a timer: the contract's schedules and payloads (handlers/contract/timers.ts). */
export const HANDLER_SCHEDULES: Partial<Record<HandlerName, { cron: string; payload: string }>> = Object.fromEntries(
  Object.entries(TIMERS).map(([handler, timer]) => [handler, { cron: timer.schedule, payload: JSON.stringify(timer.payload) }]),
);

/** The handler environment contract (handlers/contract/env.ts): the same for every function. */
function handlerEnvironment(config: StackConfig, accountId: pulumi.Input<string>, base: AutomationBase, alertTopic: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
  return toEnv<pulumi.Input<string>>({
    automation: config.automation!,
    groupTagKey: config.tags.groupBy,
    groups: config.groups.map((g) => ({ tagValue: g.tagValue, group: g.name, spotPath: g.spotPath, maintenance: g.maintenance, expiry: g.expiry })),
    markerBucket: base.markerBucket,
    deadLetterQueue: base.deadLetterQueue,
    alertTopic,
    accountId,
  });
}
