// The stack's config model: one zod schema per top-level config key, so a
// mistake in one key never hides the mistakes in another. Cross-references
// between keys are checked in validate.ts.
import { z } from "zod";
import { CHANNEL_LEVELS, ChannelLevel, MATCH_FUNCTIONS } from "../cms-terms";
import { CMS_EVENT_TYPES, HANDLER_NAMES, LEVELS } from "../../handlers/catalogue";
import { BATCH_WINDOW_RANGES, CLB_DISCOVERY_MODES, EXPIRY_POLICIES, MAINTENANCE_POLICIES, RANGES, expiryPolicySchema, maintenancePolicySchema, spotPathSchema, type Range } from "../../handlers/contract";

/** The config namespace: the Pulumi project name. */
export const NAMESPACE = "event-ops";

/** `cms.AlarmContact.lang` values the provider accepts. */
export const CONTACT_LANGUAGES = ["en", "zh-cn"] as const;
/** Contact channels that need activation (email, SMS/phone). */
export const ACTIVATED_CHANNELS = ["email", "phone"] as const;

/**
 * An Alibaba Cloud region ID such as `cn-hangzhou`, `ap-southeast-1` or `cn-north-2-gov-1`: a
 * lower-case area code, then 1–4 lower-case/digit parts, at most 32 characters. The ID becomes
 * part of API host names (`ecs.<region>.aliyuncs.com`, TF connectivity/endpoint.go), so nothing
 * else may pass.
 */
export const REGION_PATTERN = /^(?=.{4,32}$)[a-z]{2,4}(-[a-z0-9]+){1,4}$/;
export const regionSchema = z.string().regex(REGION_PATTERN, "a region ID such as cn-hangzhou or ap-southeast-1 (lower-case letters, digits and '-')");

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
    /** Notification language; the provider accepts exactly `en` and `zh-cn` (resource_alicloud_cms_alarm_contact.go, StringInSlice). */
    lang: z.enum(CONTACT_LANGUAGES).default("en"),
    /**
     * Channels whose activation link the contact has clicked. CloudMonitor sends one to every new or
     * changed email and phone and notifies them only after activation (cms/alarmContact.d.ts,
     * channelsMail/channelsSms); the stack lists the rest as awaiting activation. DingTalk needs none.
     */
    activated: z.array(z.enum(ACTIVATED_CHANNELS)).default([]),
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

/**
 * A CloudMonitor product code as DescribeSystemEventMetaList returns it (`Product`, "the
 * abbreviation of the service name", e.g. ECS, RDS, SLB, Redis). There is no static list: the
 * API is the source, so any code of that shape is accepted.
 */
export const productCodeSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{1,31}$/, "a CloudMonitor product code such as ECS, RDS, SLB or Redis");

export const eventsSchema = z.strictObject({
  /** CloudMonitor products whose events the tiers route: one rule per group, tier and product (the provider takes one event pattern per rule). */
  products: z.array(productCodeSchema).min(1).default(["ECS"]),
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

/** MNS server-side encryption types (message/serviceQueue.d.ts `sseType`). */
export const QUEUE_SSE_TYPES = ["none", "SMQ", "KMS"] as const;

/**
 * Server-side encryption of every queue of the stack. Off by default: SSE "is available only
 * after the feature is enabled for your account. To enable the feature, submit a ticket"; KMS
 * also needs an AES-256 key in the queue's region and the AliyunMNSAccessingKMSRole
 * (message/serviceQueue.d.ts).
 */
export const queueEncryptionSchema = z
  .strictObject({
    type: z.enum(QUEUE_SSE_TYPES).default("none"),
    /** KMS key ID, required with `type: KMS`. */
    kmsKeyId: z.string().min(1).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.type === "KMS" && !e.kmsKeyId) ctx.addIssue({ code: "custom", path: ["kmsKeyId"], message: "required with type KMS: the ID of an AES-256 KMS key in the queues' region" });
    if (e.type !== "KMS" && e.kmsKeyId) ctx.addIssue({ code: "custom", path: ["kmsKeyId"], message: "only used with type KMS" });
  });

/**
 * Account-wide resources and checks. Preset tags and the tag policy exist once per account
 * (tag.MetaTag's ID is `<region>:<key>` and its delete removes every value it holds,
 * resource_alicloud_tag_meta_tag.go), so exactly one stack per account sets `resources: true`
 * and declares them; the others only use them.
 */
export const accountSchema = z.strictObject({
  /** This stack declares the account's preset tags and tag policy. */
  resources: z.boolean().default(false),
  /** The account's tag taxonomy (key → allowed values), when it is wider than this stack's own `tags.keys`. */
  tags: z.record(tagKey, z.strictObject({ values: z.array(tagValue).min(1) })).optional(),
  /** Region of the preset-tag API: "Meta Tag Only Support cn-hangzhou Region" (TF docs r/tag_meta_tag). */
  tagMetaRegion: regionSchema.default("cn-hangzhou"),
  /** Region of the tag-policy API: cn-shanghai (China site) or ap-southeast-1 (international) (Tag CreatePolicy doc; TF connectivity/regions.go TagPolicySupportRegions). */
  tagPolicyRegion: regionSchema.default("cn-shanghai"),
  /** Fail the preview when an authorization CloudMonitor needs is missing (a `ram.getRoles` look-up per service role). */
  checkAuthorizations: z.boolean().default(true),
});
export const ACCOUNT_DEFAULTS = { resources: false, tagMetaRegion: "cn-hangzhou", tagPolicyRegion: "cn-shanghai", checkAuthorizations: true } as const;

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
    /**
     * Per handler, the batch window of its MNS-queue trigger (FC 3.0 BatchWindow): a batch is
     * pushed when `countBasedWindow` events wait or `timeBasedWindowSeconds` have passed since
     * the first. Unset fields keep the handler's default (handlers/contract/batching.ts).
     */
    batching: z
      .partialRecord(
        z.enum(HANDLER_NAMES),
        z.strictObject({
          countBasedWindow: setting(BATCH_WINDOW_RANGES.countBasedWindow).optional(),
          timeBasedWindowSeconds: setting(BATCH_WINDOW_RANGES.timeBasedWindowSeconds).optional(),
        }),
      )
      .default({}),
    /** Function Compute timeout for every handler. */
    timeoutSeconds: z.number().int().min(10).max(600).default(280),
    /** Function memory: "a multiple of 64MB. The minimum value is 128MB and the maximum value is 32GB" (fc/v3function.d.ts). */
    memoryMB: z.number().int().min(128).max(32768).multipleOf(64, "a multiple of 64 MB (Function Compute 3.0)").default(256),
    /**
     * vCPUs per instance: a multiple of 0.05 from 0.05 to 16, with vCPU:GB of memory between 1:1
     * and 1:4 (fc/v3function.d.ts; TF FloatBetween(0.05, 16)). Default: the largest such value
     * not above memory in GB.
     */
    cpu: z.number().min(0.05).max(16).refine((c) => Math.abs(c * 20 - Math.round(c * 20)) < 1e-9, "a multiple of 0.05 vCPU").optional(),
    /** Disk per instance: 512 or 10240 MB (fc/v3function.d.ts `diskSize`). */
    diskSizeMB: z.literal([512, 10240]).default(512),
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
    if (a.cpu !== undefined && !cpuFitsMemory(a.cpu, a.memoryMB)) {
      ctx.addIssue({ code: "custom", path: ["cpu"], message: `${a.cpu} vCPU does not fit ${a.memoryMB} MB: vCPU:GB must be between 1:1 and 1:4, i.e. ${cpuRange(a.memoryMB)}` });
    }
    if (a.deadlineMarginSeconds !== undefined && a.deadlineMarginSeconds >= a.timeoutSeconds) {
      ctx.addIssue({ code: "custom", path: ["deadlineMarginSeconds"], message: `must be shorter than timeoutSeconds (${a.timeoutSeconds}), or no API call could start` });
    }
  });

/** vCPU within 1:1–1:4 of memory in GB (fc/v3function.d.ts memorySize). */
export function cpuFitsMemory(cpu: number, memoryMB: number): boolean {
  const gb = memoryMB / 1024;
  return cpu <= gb + 1e-9 && cpu >= gb / 4 - 1e-9;
}

function cpuRange(memoryMB: number): string {
  const gb = memoryMB / 1024;
  return `${Math.ceil((gb / 4) * 20 - 1e-9) / 20}–${Math.min(16, Math.floor(gb * 20 + 1e-9) / 20)} vCPU in steps of 0.05`;
}

/** The default vCPU for a memory size: the largest multiple of 0.05 not above memory in GB (1:1), within 0.05–16. */
export function defaultCpu(memoryMB: number): number {
  return Math.min(16, Math.max(0.05, Math.floor((memoryMB / 1024) * 20 + 1e-9) / 20));
}

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
  queueEncryption: queueEncryptionSchema.default({ type: "none" }),
  account: accountSchema.default(ACCOUNT_DEFAULTS),
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
export type QueueEncryption = z.infer<typeof queueEncryptionSchema>;
export type Account = z.infer<typeof accountSchema>;
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
  queueEncryption: QueueEncryption;
  account: Account;
}
