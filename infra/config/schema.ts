// The stack's config model: one zod schema per top-level config key, so a
// mistake in one key never hides the mistakes in another. Cross-references
// between keys are checked in validate.ts.
import { z } from "zod";
import { CHANNEL_LEVELS, ChannelLevel, MATCH_FUNCTIONS } from "../cms-terms";
import { CMS_EVENT_TYPES, HANDLER_NAMES, LEVELS } from "../../handlers/catalogue";
import { CLB_DISCOVERY_MODES, EXPIRY_POLICIES, MAINTENANCE_POLICIES, RANGES, expiryPolicySchema, maintenancePolicySchema, spotPathSchema, type Range } from "../../handlers/contract";

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

/** CMS vocabularies (infra/cms-terms.ts): how a group's membership follows the tag, and the channel levels. */
export { CHANNEL_LEVELS, MATCH_FUNCTIONS, type ChannelLevel };

export const groupSchema = z.strictObject({
  name,
  /** Value of the `groupBy` tag; defaults to the group's name. */
  tagValue: tagValue.optional(),
  match: z.enum(MATCH_FUNCTIONS).default("equals"),
  description: z.string().max(256).optional(),
  // The group's automation policy: the handlers' own schema (handlers/contract/group-policy.ts), defaults included.
  /** What to do with scheduled maintenance of this group's instances (`{policy: notify}` when left out). */
  maintenance: z.optional(maintenancePolicySchema),
  /** What to do when this group's subscription instances near expiry (`{policy: notify, renewMonths: 1}` when left out). */
  expiry: z.optional(expiryPolicySchema),
  /** Spot interruptions handled by the Function Compute handler or the OOS template. */
  spotPath: spotPathSchema,
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

/** A whole number within a handler setting's bounds (handlers/contract/limits.ts RANGES, which also holds its default). */
const setting = (r: Range) => z.number().int().min(r.min).max(r.max);

// Handler settings: handlers/contract/env.ts toEnv turns them into the functions'
// environment. The optional ones are tuning, written only when set; left out,
// the handler's default applies (handlers/README.md lists each with its default).
export const automationSchema = z
  .strictObject({
    /** Only instances carrying this tag are touched by handlers. */
    scopeTag: z.strictObject({
      key: tagKey,
      value: tagValue,
      /** A released instance can no longer be described: `false` (default) acts when it is still listed in a load balancer or scaling group, `true` skips it. */
      requireForReleased: z.boolean().optional(),
    }),
    /** Handlers deployed by this stack (each gets its own role and automation rule). */
    handlers: z.array(z.enum(HANDLER_NAMES)).default([...HANDLER_NAMES]),
    dryRun: z.boolean().default(false),
    /** Seconds a drained backend keeps finishing connections before removal; bounded by the 5-minute spot notice. */
    drainWaitSeconds: setting(RANGES.drainWaitSeconds).default(RANGES.drainWaitSeconds.default),
    /** Capacity guard: never leave a load balancer or server group with fewer healthy backends without a CRITICAL alert. */
    minHealthyBackends: setting(RANGES.minHealthyBackends).default(RANGES.minHealthyBackends.default),
    /** How long an idempotency marker's claim holds; must outlive the function timeout (default: timeoutSeconds + 60). */
    markerLeaseSeconds: setting(RANGES.markerLeaseSeconds).optional(),
    /** No API attempt starts later than the function timeout minus this margin. */
    deadlineMarginSeconds: setting(RANGES.deadlineMarginSeconds).optional(),
    /** Load-balancer discovery and calls. */
    loadBalancers: z
      .strictObject({
        /** `server-id`: DescribeLoadBalancers filtered by ServerId; `all`: scan every CLB of the region. */
        clbDiscovery: z.enum(CLB_DISCOVERY_MODES).optional(),
        /** Parallel load-balancer calls. */
        concurrency: setting(RANGES.lbConcurrency).optional(),
      })
      .optional(),
    /** Cloud API calls: per-attempt timeout and backoff with full jitter. */
    api: z
      .strictObject({
        callTimeoutMs: setting(RANGES.apiCallTimeoutMs).optional(),
        maxAttempts: setting(RANGES.apiMaxAttempts).optional(),
        retryBaseDelayMs: setting(RANGES.retryBaseDelayMs).optional(),
        retryMaxDelayMs: setting(RANGES.retryMaxDelayMs).optional(),
      })
      .optional(),
    /** Planned maintenance: the slot is `actionMinutes` long and ends `safetyMarginMinutes` before notBefore. */
    maintenance: z
      .strictObject({
        safetyMarginMinutes: setting(RANGES.maintenanceSafetyMarginMinutes).optional(),
        actionMinutes: setting(RANGES.maintenanceActionMinutes).optional(),
        /** For instances in no configured group. */
        defaultPolicy: z.enum(MAINTENANCE_POLICIES).optional(),
      })
      .optional(),
    /** Subscription expiry: the daily scan looks `horizonDays` ahead. */
    expiry: z
      .strictObject({
        horizonDays: setting(RANGES.expiryHorizonDays).optional(),
        /** For instances in no configured group. */
        defaultPolicy: z.enum(EXPIRY_POLICIES).optional(),
      })
      .optional(),
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
  })
  .superRefine((a, ctx) => {
    // A lease shorter than the timeout would let a second invocation take over a live claim.
    if (a.markerLeaseSeconds !== undefined && a.markerLeaseSeconds <= a.timeoutSeconds) {
      ctx.addIssue({ code: "custom", path: ["markerLeaseSeconds"], message: `must be longer than timeoutSeconds (${a.timeoutSeconds}): a claim must outlive the invocation holding it` });
    }
    if (a.deadlineMarginSeconds !== undefined && a.deadlineMarginSeconds >= a.timeoutSeconds) {
      ctx.addIssue({ code: "custom", path: ["deadlineMarginSeconds"], message: `must be shorter than timeoutSeconds (${a.timeoutSeconds}), or no API call could start` });
    }
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
