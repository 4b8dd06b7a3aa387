// Declares the whole stack from a validated config: tags, contacts, queues,
// application groups with their tier rules, and the automation path.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { LEVELS } from "../handlers/catalogue";
import { StackConfig } from "./config/schema";
import { Naming, stem } from "./naming";
import { TagTaxonomy } from "./components/tag-taxonomy";
import { Contacts } from "./components/contacts";
import { AutomationQueue, CmsQueueAccess } from "./components/automation-queue";
import { ApplicationGroup } from "./components/application-group";
import { automationRuleSpecs, tierRuleSpecs } from "./alerting/tier-rules";
import { declareEventRule, RuleContext } from "./alerting/event-rule";

export interface StackOutputs {
  region: string;
  groups: Record<string, { groupId: pulumi.Output<string>; ruleNames: pulumi.Output<string>[] }>;
  contactGroups: Record<string, pulumi.Output<string>>;
  queues: Record<string, { queue: pulumi.Output<string>; deadLetterQueue: pulumi.Output<string> }>;
  automationRules: pulumi.Output<string>[];
  tagPolicyId: pulumi.Output<string>;
}

export function declareStack(config: StackConfig): StackOutputs {
  const naming: Naming = { prefix: config.namePrefix, stack: config.stack };
  const accountId = alicloud.getAccountOutput().id;
  const resourceTags = config.tags.resourceTags;

  const taxonomy = new TagTaxonomy("taxonomy", { tags: config.tags, stem: stem(naming), accountId });
  const contacts = new Contacts("contacts", { contacts: config.contacts, groups: config.contactGroups, naming });

  const queues: StackOutputs["queues"] = {};
  for (const q of config.queues) {
    const queue = new AutomationQueue(`queue-${q.name}`, { queue: q, naming, tags: resourceTags });
    queues[q.name] = { queue: queue.queueName, deadLetterQueue: queue.deadLetterQueueName };
  }
  if (config.queues.length > 0) {
    new CmsQueueAccess("cms-queue-access", {
      stem: stem(naming),
      region: config.region,
      accountId,
      queueNames: Object.values(queues).map((q) => q.queue),
    });
  }

  const webhookUrls = Object.fromEntries(config.webhooks.map((w) => [w.name, pulumi.secret(w.url)]));
  const ruleContext: RuleContext = { region: config.region, accountId, webhookUrls };
  // Rules name contact groups and queues by their cloud names; depend on them explicitly.
  const ruleDeps = { dependsOn: [contacts, ...Object.keys(queues).map(() => contacts)] };

  const specs = tierRuleSpecs(config);
  const groups: StackOutputs["groups"] = {};
  for (const g of config.groups) {
    const app = new ApplicationGroup(
      `group-${g.name}`,
      {
        group: g,
        tagKey: config.tags.groupBy,
        contactGroupNames: config.tiers.CRITICAL.contactGroups.map((c) => contacts.groupNames[c]),
        rules: specs.filter((s) => s.group === g.name),
        ruleContext,
      },
      ruleDeps,
    );
    groups[g.name] = { groupId: app.groupId, ruleNames: app.ruleNames };
  }

  const automationRules = automationRuleSpecs(config).map((spec) => declareEventRule(spec, ruleContext, undefined, {}).ruleName);

  return {
    region: config.region,
    groups,
    contactGroups: contacts.groupNames,
    queues,
    automationRules,
    tagPolicyId: taxonomy.policyId,
  };
}

export const TIERS = LEVELS;
