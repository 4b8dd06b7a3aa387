// Validates raw stack config into a StackConfig, or lists every problem with
// its config path. Pure: the caller supplies raw values and which paths were
// Pulumi secrets; nothing here reads Pulumi or declares resources.
import { z } from "zod";
import { HANDLER_NAMES, LEVELS, lookup } from "../../handlers/catalogue";
import { criticalAlertSubscribers } from "../alerting/alert-subscribers";
import { selectedNames } from "../alerting/tier-template";
import { DYNAMIC_TAG_GROUP_PRODUCTS, MAX_NAMES_PER_PATTERN } from "../cms-terms";
import { GLOBAL_SUFFIX_LENGTH, NAME_RULES, automationQueueKey, automationQueueName, contactName, functionName, globalNameStems, queueName, deadLetterQueueName, stackNaming } from "../naming";
import { closest } from "./closest";
import { foreignKeyProblem } from "./namespaces";
import {
  CHANNEL_LEVELS,
  contactGroupSchema,
  contactSchema,
  groupSchema,
  queueSchema,
  webhookSchema,
  ConfigKey,
  KEY_SCHEMAS,
  Level,
  NAMESPACE,
  REGION_PATTERN,
  REQUIRED_KEYS,
  StackConfig,
} from "./schema";

const ELEMENT_SCHEMAS = {
  contacts: contactSchema,
  contactGroups: contactGroupSchema,
  groups: groupSchema,
  queues: queueSchema,
  webhooks: webhookSchema,
} as const;

export interface ConfigIssue {
  /** Config path, e.g. `event-ops:tiers.CRITICAL.contactGroups[1]`. */
  path: string;
  message: string;
}

export type Validation = { ok: true; config: StackConfig } | { ok: false; issues: ConfigIssue[] };

export interface RawConfig {
  stack: string;
  /** `alicloud:region`. */
  region?: string;
  /** Values of `event-ops:*` keys, JSON already parsed, keyed without namespace. */
  values: Record<string, unknown>;
  /** Every other full config key (`ns:key`): a namespace nothing reads is an error. */
  otherKeys?: string[];
  /** Was the value at this path a Pulumi secret? Paths as in ConfigIssue. */
  isSecret: (path: string) => boolean;
}

/** Shown instead of a secret's value wherever it cannot (or must not) be decrypted. */
export const SECRET_PLACEHOLDER = "[secret]";

/** At most this many targets of one kind on one CMS event rule. */
export const MAX_TARGETS_PER_KIND = 5;

export function keyPath(key: string, sub: readonly PropertyKey[] = []): string {
  let out = `${NAMESPACE}:${key}`;
  for (const p of sub) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
}

export function validateConfig(raw: RawConfig): Validation {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  if (!raw.region) add("alicloud:region", "required: the region to deploy to, e.g. cn-hangzhou");
  else if (!REGION_PATTERN.test(raw.region)) add("alicloud:region", `'${raw.region}' is not a region ID: lower-case letters, digits and '-', e.g. cn-hangzhou or ap-southeast-1`);

  for (const key of raw.otherKeys ?? []) {
    const problem = foreignKeyProblem(key);
    if (problem) add(key, problem);
  }
  const allowedKeys = Object.keys(KEY_SCHEMAS);
  for (const key of Object.keys(raw.values)) {
    const near = closest(key, allowedKeys, 3);
    if (!allowedKeys.includes(key)) add(keyPath(key), `unknown key${near ? ` (did you mean ${keyPath(near)}?)` : ""}; allowed keys: ${allowedKeys.join(", ")}`);
  }

  // Structure: each key on its own, so every key's mistakes are reported.
  const parsed: Partial<Record<ConfigKey, any>> = {};
  const partial = new Set<ConfigKey>();
  // A list with failing items keeps only the valid ones; each kept item's index in the stack file:
  const origin: Partial<Record<ConfigKey, number[]>> = {};
  const idx = (key: ConfigKey, i: number) => origin[key]?.[i] ?? i;
  for (const key of allowedKeys as ConfigKey[]) {
    const value = raw.values[key];
    if (value === undefined && REQUIRED_KEYS.includes(key)) {
      add(keyPath(key), "required key is missing");
      continue;
    }
    const result = (KEY_SCHEMAS[key] as z.ZodType).safeParse(value);
    if (result.success) parsed[key] = result.data;
    else {
      for (const issue of result.error.issues) add(keyPath(key, issue.path), describeZodIssue(issue));
      // Keep the list items that are fine, so their cross-references are checked too.
      if (key in ELEMENT_SCHEMAS && Array.isArray(value)) {
        const kept = value.flatMap((item, i) => {
          const one = ELEMENT_SCHEMAS[key as keyof typeof ELEMENT_SCHEMAS].safeParse(item);
          return one.success ? [{ data: one.data, i }] : [];
        });
        parsed[key] = kept.map((k) => k.data);
        origin[key] = kept.map((k) => k.i);
        partial.add(key);
      }
    }
  }

  const { tags, contacts, contactGroups, tiers, queues, webhooks, automation, events } = parsed;

  // Tags
  if (tags) {
    if (!tags.keys[tags.groupBy]) add(keyPath("tags", ["groupBy"]), `'${tags.groupBy}' is not a declared tag key; declared: ${Object.keys(tags.keys).join(", ")}`);
    tags.required.forEach((k: string, i: number) => {
      if (!tags.keys[k]) add(keyPath("tags", ["required", i]), `'${k}' is not a declared tag key`);
    });
    for (const [k, v] of Object.entries(tags.resourceTags) as [string, string][]) {
      if (!tags.keys[k]) add(keyPath("tags", ["resourceTags", k]), `'${k}' is not a declared tag key`);
      else if (!tags.keys[k].values.includes(v)) add(keyPath("tags", ["resourceTags", k]), `'${v}' is not an allowed value of tag '${k}'; allowed: ${tags.keys[k].values.join(", ")}`);
    }
    for (const k of tags.required as string[]) {
      if (tags.keys[k] && tags.resourceTags[k] === undefined) add(keyPath("tags", ["resourceTags"]), `required tag '${k}' has no value for this stack's own resources`);
    }
    for (const [k, v] of Object.entries(tags.keys) as [string, { values: string[] }][]) {
      for (const d of duplicates(v.values)) add(keyPath("tags", ["keys", k, "values"]), `duplicate value '${d}'`);
    }
  }
  const groupValues: string[] | undefined = tags?.keys[tags.groupBy]?.values;

  // Groups: explicit, or one per value of the groupBy tag.
  let groups: StackConfig["groups"] = [];
  if (parsed.groups) {
    const declared = parsed.groups as StackConfig["groups"];
    if (declared.length > 0) {
      groups = declared.map((g) => ({ ...g, tagValue: g.tagValue ?? g.name }));
      groups.forEach((g, i) => {
        if (groupValues && g.match === "equals" && !groupValues.includes(g.tagValue)) {
          add(keyPath("groups", [idx("groups", i), g.tagValue === g.name && !declared[i].tagValue ? "name" : "tagValue"]), `'${g.tagValue}' is not an allowed value of tag '${tags.groupBy}'; allowed: ${groupValues.join(", ")}`);
        }
        if (g.maintenance?.window && g.maintenance.window.start === g.maintenance.window.end) {
          add(keyPath("groups", [idx("groups", i), "maintenance", "window"]), "start and end are equal; a window lasts 1 to 23 hours");
        }
      });
      for (const d of duplicates(groups.map((g) => g.name))) add(keyPath("groups"), `duplicate group name '${d}'`);
      for (const d of duplicates(groups.map((g) => `${g.match}:${g.tagValue}`))) add(keyPath("groups"), `two groups match the same tag value (${d})`);
    } else if (groupValues) {
      groups = groupValues.map((v) => ({ name: slug(v), tagValue: v, match: "equals" as const, spotPath: "function" as const }));
      groups.forEach((g, i) => {
        if (!/^[a-z][a-z0-9-]{0,39}$/.test(g.name)) add(keyPath("tags", ["keys", tags.groupBy, "values", i]), `'${g.tagValue}' cannot name a group; declare event-ops:groups with an explicit name`);
      });
    }
    if (groups.length === 0 && tags) add(keyPath("groups"), "no application group: declare groups or give the groupBy tag some values");
  }

  // Contacts and groups
  const contactNames = namesOf(raw.values.contacts);
  if (contacts) {
    for (const d of duplicates(contacts.map((c: { name: string }) => c.name))) add(keyPath("contacts"), `duplicate contact name '${d}'`);
    contacts.forEach((c: { dingtalkWebhook?: string }, i: number) => {
      if (c.dingtalkWebhook !== undefined) checkSecretUrl(raw, add, keyPath("contacts", [idx("contacts", i), "dingtalkWebhook"]), c.dingtalkWebhook, "a DingTalk robot webhook");
    });
  }
  const contactGroupNames = namesOf(raw.values.contactGroups);
  if (contactGroups) {
    for (const d of duplicates(contactGroups.map((g: { name: string }) => g.name))) add(keyPath("contactGroups"), `duplicate contact group name '${d}'`);
    contactGroups.forEach((g: { members: string[] }, i: number) => {
      g.members.forEach((m, j) => {
        if (contacts && !contactNames.has(m)) add(keyPath("contactGroups", [idx("contactGroups", i), "members", j]), `unknown contact '${m}'; declared contacts: ${[...contactNames].join(", ") || "none"}`);
      });
      for (const d of duplicates(g.members)) add(keyPath("contactGroups", [idx("contactGroups", i), "members"]), `'${d}' is listed twice`);
    });
  }

  // Webhooks and queues
  if (webhooks) {
    for (const d of duplicates(webhooks.map((w: { name: string }) => w.name))) add(keyPath("webhooks"), `duplicate webhook name '${d}'`);
    webhooks.forEach((w: { url: string }, i: number) => checkSecretUrl(raw, add, keyPath("webhooks", [idx("webhooks", i), "url"]), w.url, "a webhook URL"));
  }
  if (queues) for (const d of duplicates(queues.map((q: { name: string }) => q.name))) add(keyPath("queues"), `duplicate queue name '${d}'`);
  // Automation queues take the cloud names of `auto-<handler>` (naming.ts automationQueueName).
  if (queues) {
    const reserved = new Set<string>(HANDLER_NAMES.map(automationQueueKey));
    queues.forEach((q: { name: string }, i: number) => {
      if (reserved.has(q.name)) add(keyPath("queues", [i, "name"]), `queue name '${q.name}' is reserved: the ${q.name.slice(5)} handler's own event queue has that name`);
    });
  }

  // Automation
  if (automation && tags) {
    const { key, value } = automation.scopeTag;
    if (!tags.keys[key]) add(keyPath("automation", ["scopeTag", "key"]), `'${key}' is not a declared tag key`);
    else if (!tags.keys[key].values.includes(value)) add(keyPath("automation", ["scopeTag", "value"]), `'${value}' is not an allowed value of tag '${key}'; allowed: ${tags.keys[key].values.join(", ")}`);
  }

  if (automation) {
    const a = automation.alerts;
    if (Boolean(a.smsSignName) !== Boolean(a.smsTemplateCode)) {
      add(keyPath("automation", ["alerts"]), "SMS alerts need both smsSignName and smsTemplateCode");
    }
  }

  // Tiers: exactly CRITICAL, WARN, INFO; each with a real receiver.
  if (tiers) {
    for (const level of Object.keys(tiers)) {
      if (!(LEVELS as readonly string[]).includes(level)) add(keyPath("tiers", [level]), `unknown tier; tiers are ${LEVELS.join(", ")}`);
    }
    for (const level of LEVELS) {
      const tier = tiers[level];
      if (!tier) {
        add(keyPath("tiers", [level]), `missing tier: every group needs ${LEVELS.join(", ")} tiers`);
        continue;
      }
      const at = (...sub: PropertyKey[]) => keyPath("tiers", [level, ...sub]);
      tier.contactGroups.forEach((g: string, i: number) => {
        if (contactGroups && !contactGroupNames.has(g)) add(at("contactGroups", i), `unknown contact group '${g}'; declared: ${[...contactGroupNames].join(", ") || "none"}`);
      });
      tier.targets.queues.forEach((q: string, i: number) => {
        if (queues && !namesOf(raw.values.queues).has(q)) add(at("targets", "queues", i), `unknown queue '${q}'; declare it under event-ops:queues`);
      });
      tier.targets.webhooks.forEach((w: string, i: number) => {
        if (webhooks && !namesOf(raw.values.webhooks).has(w)) add(at("targets", "webhooks", i), `unknown webhook '${w}'; declare it under event-ops:webhooks`);
      });
      tier.targets.functions.forEach((f: string, i: number) => {
        if (!automation) add(at("targets", "functions", i), `handler '${f}' needs event-ops:automation to deploy handlers`);
        else if (!automation.handlers.includes(f)) add(at("targets", "functions", i), `handler '${f}' is not deployed; deployed: ${automation.handlers.join(", ")}`);
      });
      const kinds: [string, unknown[]][] = [
        ["contactGroups", tier.contactGroups],
        ["targets.queues", tier.targets.queues],
        ["targets.functions", tier.targets.functions],
        ["targets.webhooks", tier.targets.webhooks],
      ];
      for (const [kind, list] of kinds) {
        if (list.length > MAX_TARGETS_PER_KIND) add(at(...kind.split(".")), `${list.length} entries; a CMS event rule takes at most ${MAX_TARGETS_PER_KIND} targets of one kind`);
        for (const d of duplicates(list as string[])) add(at(...kind.split(".")), `'${d}' is listed twice`);
      }
      const receivers = kinds.reduce((n, [, list]) => n + list.length, 0);
      if (receivers === 0) add(at(), "the tier reaches nobody: name at least one contact group or target");
      if (level === "CRITICAL" && tier.channels === "chat") add(at("channels"), `CRITICAL must reach people urgently: use 'phone' or 'sms', not 'chat'`);
    }
  }

  if (automation && tiers?.CRITICAL && contacts && contactGroups && parsed.webhooks) {
    const probe = criticalAlertSubscribers({ tiers, contacts, contactGroups, automation } as StackConfig);
    if (probe.length === 0) {
      add(
        keyPath("automation", ["alerts"]),
        "the handlers' CRITICAL alerts would reach nobody: give the CRITICAL tier a webhook target, or set mailAccount (members with email) or smsSignName + smsTemplateCode (members with a phone)",
      );
    }
  }

  if (events) {
    events.names.forEach((n: string, i: number) => {
      if (!lookup(n)) add(keyPath("events", ["names", i]), `'${n}' is not in the event catalogue (handlers/catalogue.ts)`);
    });
    const products: string[] = events.products;
    for (const d of duplicates(products.map((p) => p.toUpperCase()))) add(keyPath("events", ["products"]), `'${d}' is listed twice`);
    products.forEach((p, i) => {
      // The tier rules are scoped to dynamic tag groups, which hold ECS, RDS and SLB only: rules for another product would never fire.
      if (!DYNAMIC_TAG_GROUP_PRODUCTS.includes(p.toUpperCase() as never)) {
        add(keyPath("events", ["products", i]), `'${p}': the stack's application groups are CloudMonitor dynamic tag groups, which hold ${DYNAMIC_TAG_GROUP_PRODUCTS.join(", ")} resources only (CreateDynamicTagGroup doc), so a tier rule for '${p}' would never fire`);
      }
      const names = selectedNames(events, p);
      if (names.length > MAX_NAMES_PER_PATTERN) add(keyPath("events", ["names"]), `${names.length} event names (with their statuses) for ${p}; a CMS event pattern takes at most ${MAX_NAMES_PER_PATTERN} (PutEventRule EventPattern.N.NameList.N): name fewer, or leave names empty to route by type and level`);
    });
  }

  // Account-wide: this stack's taxonomy must be part of the account's (the account-level stack's tag policy allows only that).
  const account = parsed.account;
  if (account?.tags && tags) {
    for (const [k, v] of Object.entries(tags.keys) as [string, { values: string[] }][]) {
      const allowed = account.tags[k]?.values as string[] | undefined;
      if (!allowed) add(keyPath("account", ["tags"]), `tag key '${k}' (event-ops:tags.keys) is missing from the account taxonomy`);
      else for (const value of v.values.filter((x) => !allowed.includes(x))) add(keyPath("account", ["tags", k, "values"]), `'${value}' (event-ops:tags.keys.${k}) is missing from the account taxonomy`);
    }
  }

  if (parsed.namePrefix !== undefined) issues.push(...nameIssues(raw.stack, parsed.namePrefix, contacts, queues, automation));

  if (issues.length > 0 || partial.size > 0) return { ok: false, issues };
  return {
    ok: true,
    config: {
      stack: raw.stack,
      region: raw.region!,
      namePrefix: parsed.namePrefix,
      tags,
      groups,
      contacts,
      contactGroups,
      tiers: tiers as Record<Level, StackConfig["tiers"][Level]>,
      events,
      queues,
      webhooks,
      automation,
      queueEncryption: parsed.queueEncryption,
      account: parsed.account,
    },
  };
}

/**
 * Names derived from the prefix and stack name must meet each service's rules (infra/naming.ts
 * NAME_RULES): a stack called `Prod_1` would make an invalid bucket name, and only the API would
 * say so, half-way through `up`.
 */
function nameIssues(stack: string, namePrefix: string, contacts?: { name: string }[], queues?: { name: string }[], automation?: { handlers: string[] }): ConfigIssue[] {
  const n = stackNaming({ namePrefix, stack });
  const out: ConfigIssue[] = [];
  const check = (path: string, rule: (typeof NAME_RULES)[keyof typeof NAME_RULES], name: string, why = "") => {
    if (!rule.pattern.test(name)) out.push({ path, message: `${rule.what} '${name}'${why} breaks the rule: ${rule.rule}` });
  };
  const suffix = "x".repeat(GLOBAL_SUFFIX_LENGTH - 1);
  const global = globalNameStems(n);
  const of = ` (from namePrefix '${namePrefix}' and stack '${stack}', plus a ${GLOBAL_SUFFIX_LENGTH}-character random suffix)`;
  check(keyPath("namePrefix"), NAME_RULES.bucket, `${global.bucket}-${suffix}`, of);
  check(keyPath("namePrefix"), NAME_RULES.logProject, `${global.logProject}-${suffix}`, of);
  (contacts ?? []).forEach((c, i) => check(keyPath("contacts", [i, "name"]), NAME_RULES.alarmContactName, contactName(n, c.name)));
  (queues ?? []).forEach((q, i) => {
    check(keyPath("queues", [i, "name"]), NAME_RULES.queueName, queueName(n, q.name));
    check(keyPath("queues", [i, "name"]), NAME_RULES.queueName, deadLetterQueueName(n, q.name));
  });
  for (const h of automation?.handlers ?? []) {
    check(keyPath("namePrefix"), NAME_RULES.functionName, functionName(n, h), ` (handler ${h})`);
    check(keyPath("namePrefix"), NAME_RULES.queueName, deadLetterQueueName(n, automationQueueKey(h)), ` (the ${h} handler's dead-letter queue; its event queue is ${automationQueueName(n, h)})`);
  }
  return out;
}

/** Names declared in a raw config list, whether or not each item is otherwise valid. */
function namesOf(list: unknown): Set<string> {
  if (!Array.isArray(list)) return new Set();
  return new Set(list.flatMap((item) => (item && typeof item === "object" && typeof item.name === "string" ? [item.name] : [])));
}

function checkSecretUrl(raw: RawConfig, add: (p: string, m: string) => void, path: string, value: string, what: string) {
  if (!raw.isSecret(path)) {
    add(path, `${what} carries a credential and must be a Pulumi secret: pulumi config set --secret --path '${path.replace(/^[^:]+:/, "")}' <url>`);
    return;
  }
  if (value === SECRET_PLACEHOLDER) return; // not decrypted offline: the shape cannot be checked
  if (!/^https:\/\/\S+$/.test(value)) add(path, `${what} must be an https:// URL`);
}

function describeZodIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.message.replace(/^Invalid input: /, "");
    case "invalid_value":
      return `must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "unrecognized_keys":
      return `unknown field(s): ${issue.keys.join(", ")}`;
    default:
      return issue.message;
  }
}

/** CMS contact-target level for a tier's channels. */
export function contactLevel(channels: keyof typeof CHANNEL_LEVELS): string {
  return CHANNEL_LEVELS[channels];
}
