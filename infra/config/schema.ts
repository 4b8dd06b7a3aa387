// The stack's config model: one zod schema per top-level config key, so a
// mistake in one key never hides the mistakes in another. Cross-references
// between keys are checked in validate.ts.
import { z } from "zod";
import { CMS_EVENT_TYPES, HANDLER_NAMES, LEVELS } from "../../handlers/catalogue";

/** The config namespace: the Pulumi project name. */
export const NAMESPACE = "event-ops";

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, "lower-case letters, digits and '-', starting with a letter, at most 40 characters");

const tagKey = z
  .string()
  .min(1)
  .max(128)
  .refine((k) => !/^(aliyun|acs:)/i.test(k), "tag keys may not start with 'aliyun' or 'acs:'");
const tagValue = z.string().min(1).max(128);

export const tagsSchema = z.strictObject({
  /** The tag key whose values define application groups (one group per value). */
  groupBy: tagKey,
  /** Allowed keys and their allowed values: the taxonomy the tag policy enforces. */
  keys: z.record(tagKey, z.strictObject({ values: z.array(tagValue).min(1), description: z.string().optional() })),
  /** Keys every resource of this stack must carry (advisory policy). */
  required: z.array(tagKey).default([]),
  /** Tags put on this stack's own taggable resources (queues, functions). */
  resourceTags: z.record(tagKey, tagValue).default({}),
});

/** How an application group's membership follows the tag (CMS dynamic tag group match function). */
export const MATCH_FUNCTIONS = ["equals", "startWith", "endWith", "contains", "notContains", "all"] as const;

const maintenanceWindow = z.strictObject({
  /** Whole hours, UTC+8 (the ECS convention): "02:00". */
  start: z.string().regex(/^([01]\d|2[0-3]):00$/, "a whole hour 'HH:00' (UTC+8)"),
  end: z.string().regex(/^([01]\d|2[0-3]):00$/, "a whole hour 'HH:00' (UTC+8)"),
});

export const groupSchema = z.strictObject({
  name,
  /** Value of the `groupBy` tag; defaults to the group's name. */
  tagValue: tagValue.optional(),
  match: z.enum(MATCH_FUNCTIONS).default("equals"),
  description: z.string().max(256).optional(),
  /** What to do with scheduled maintenance of this group's instances. */
  maintenance: z
    .strictObject({
      policy: z.enum(["proactive", "notify", "ignore"]).default("notify"),
      window: maintenanceWindow.optional(),
    })
    .optional(),
  /** What to do when this group's subscription instances near expiry. */
  expiry: z
    .strictObject({
      policy: z.enum(["renew", "notify", "let-expire"]).default("notify"),
      renewMonths: z.number().int().min(1).max(36).default(1),
    })
    .optional(),
  /** Spot interruptions handled by the Function Compute handler or the OOS template. */
  spotPath: z.enum(["function", "oos"]).default("function"),
});
export const groupsSchema = z.array(groupSchema);

export const contactSchema = z
  .strictObject({
    name,
    description: z.string().max(256).optional(),
    email: z.email().optional(),
    /** Mobile number for SMS and phone calls. */
    phone: z.string().regex(/^\+?\d{6,20}$/, "digits, optionally with a leading '+'").optional(),
    /** DingTalk robot webhook URL: it carries a token, so it must be a Pulumi secret. */
    dingtalkWebhook: z.string().min(1).optional(),
    lang: z.enum(["zh_CN", "en"]).default("en"),
  })
  .refine((c) => c.email || c.phone || c.dingtalkWebhook, {
    message: "a contact needs at least one channel: email, phone or dingtalkWebhook",
  });
export const contactsSchema = z.array(contactSchema);

export const ROLES = ["oncall", "sre", "owners", "managers", "observers", "security"] as const;

export const contactGroupSchema = z.strictObject({
  name,
  role: z.enum(ROLES),
  members: z.array(name).min(1, "a contact group needs at least one member"),
  description: z.string().max(256).optional(),
});
export const contactGroupsSchema = z.array(contactGroupSchema);

/**
 * The CMS notification level of a contact target: `phone` = phone + SMS +
 * email + DingTalk (CMS level "2"), `sms` = SMS + email + DingTalk ("3"),
 * `chat` = email + DingTalk ("4").
 */
export const CHANNEL_LEVELS = { phone: "2", sms: "3", chat: "4" } as const;
export type ChannelLevel = keyof typeof CHANNEL_LEVELS;

export const tierSchema = z.strictObject({
  contactGroups: z.array(name).default([]),
  channels: z.enum(Object.keys(CHANNEL_LEVELS) as [ChannelLevel, ...ChannelLevel[]]),
  /** Seconds during which a repeat of the same alert is not sent again. */
  silenceSeconds: z.number().int().min(0).max(86400),
  targets: z
    .strictObject({
      queues: z.array(name).default([]),
      functions: z.array(z.enum(HANDLER_NAMES)).default([]),
      webhooks: z.array(name).default([]),
    })
    .default({ queues: [], functions: [], webhooks: [] }),
});
export const tiersSchema = z.record(z.string(), tierSchema);

export const eventsSchema = z.strictObject({
  products: z.array(z.enum(["ECS"])).min(1).default(["ECS"]),
  eventTypes: z.array(z.enum([...CMS_EVENT_TYPES, "*"])).min(1).default(["*"]),
  /** Catalogue names (with or without status) to restrict to; empty = every catalogue event of the tier's level. */
  names: z.array(z.string()).default([]),
  /** Optional CMS SQL filter (Log Service query syntax) applied to every tier rule. */
  sqlFilter: z.string().max(1024).optional(),
});

export const queueSchema = z.strictObject({
  name,
  retentionSeconds: z.number().int().min(60).max(604800).default(345600),
  visibilityTimeoutSeconds: z.number().int().min(1).max(43200).default(60),
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: z.number().int().min(1).max(1000).default(5),
});
export const queuesSchema = z.array(queueSchema);

export const webhookSchema = z.strictObject({
  name,
  /** Endpoint URL; treated as a credential, so it must be a Pulumi secret. */
  url: z.string().min(1),
  method: z.enum(["POST", "GET"]).default("POST"),
});
export const webhooksSchema = z.array(webhookSchema);

export const automationSchema = z.strictObject({
  /** Only instances carrying this tag are touched by handlers. */
  scopeTag: z.strictObject({ key: tagKey, value: tagValue }),
  /** Handlers deployed by this stack (each gets its own role and automation rule). */
  handlers: z.array(z.enum(HANDLER_NAMES)).default([...HANDLER_NAMES]),
  dryRun: z.boolean().default(false),
  /** Seconds a drained backend keeps finishing connections before removal; bounded by the 5-minute spot notice. */
  drainWaitSeconds: z.number().int().min(0).max(180).default(30),
  /** Capacity guard: never leave a load balancer or server group with fewer healthy backends without a CRITICAL alert. */
  minHealthyBackends: z.number().int().min(0).max(100).default(1),
  /** Function Compute timeout for every handler. */
  timeoutSeconds: z.number().int().min(10).max(600).default(280),
  memoryMB: z.number().int().min(128).max(3072).default(256),
  /** Days to keep idempotency markers. */
  markerRetentionDays: z.number().int().min(1).max(365).default(14),
  /**
   * How the handlers' own CRITICAL alerts reach the CRITICAL tier's people: MNS
   * pushes email through a verified DirectMail sender and SMS through an SMS
   * signature and template. Webhooks need neither.
   */
  alerts: z
    .strictObject({
      mailAccount: z.email().optional(),
      smsSignName: z.string().min(1).optional(),
      smsTemplateCode: z.string().regex(/^SMS_\d+$/, "an SMS template code like SMS_123456789").optional(),
    })
    .default({}),
});

/** Every key the stack reads, with its schema. Unknown keys in the namespace are errors (typos). */
export const KEY_SCHEMAS = {
  namePrefix: z.string().regex(/^[a-z][a-z0-9-]{0,14}$/, "lower-case letters, digits and '-', at most 15 characters").default("eventops"),
  tags: tagsSchema,
  groups: groupsSchema.default([]),
  contacts: contactsSchema,
  contactGroups: contactGroupsSchema,
  tiers: tiersSchema,
  events: eventsSchema.default({ products: ["ECS"], eventTypes: ["*"], names: [] }),
  queues: queuesSchema.default([]),
  webhooks: webhooksSchema.default([]),
  automation: automationSchema.optional(),
} as const;
export type ConfigKey = keyof typeof KEY_SCHEMAS;

/** Keys that must be present. */
export const REQUIRED_KEYS: readonly ConfigKey[] = ["tags", "contacts", "contactGroups", "tiers"];

export type Tags = z.infer<typeof tagsSchema>;
export type Group = z.infer<typeof groupSchema>;
export type Contact = z.infer<typeof contactSchema>;
export type ContactGroup = z.infer<typeof contactGroupSchema>;
export type Tier = z.infer<typeof tierSchema>;
export type Events = z.infer<typeof eventsSchema>;
export type Queue = z.infer<typeof queueSchema>;
export type Webhook = z.infer<typeof webhookSchema>;
export type Automation = z.infer<typeof automationSchema>;
export type Level = (typeof LEVELS)[number];

/** The validated config every component works from. */
export interface StackConfig {
  stack: string;
  region: string;
  namePrefix: string;
  tags: Tags;
  /** Resolved: every group has its tagValue set. */
  groups: (Group & { tagValue: string })[];
  contacts: Contact[];
  contactGroups: ContactGroup[];
  tiers: Record<Level, Tier>;
  events: Events;
  queues: Queue[];
  webhooks: Webhook[];
  automation?: Automation;
}
