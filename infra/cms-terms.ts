// CloudMonitor's own vocabularies, shared by the config schema (what a stack
// may write) and the components (what they declare): one definition each.

/** How a dynamic tag group matches instances' tag values (CMS `TagValueMatchFunction`). */
export const MATCH_FUNCTIONS = ["equals", "startWith", "endWith", "contains", "notContains", "all"] as const;
export type MatchFunction = (typeof MATCH_FUNCTIONS)[number];

/**
 * The CMS notification level of a contact target: `phone` = phone + SMS +
 * email + DingTalk (CMS level "2"), `sms` = SMS + email + DingTalk ("3"),
 * `chat` = email + DingTalk ("4").
 */
export const CHANNEL_LEVELS = { phone: "2", sms: "3", chat: "4" } as const;
export type ChannelLevel = keyof typeof CHANNEL_LEVELS;

/**
 * Products a CMS dynamic tag group can hold: "本接口支持的云服务包括：云服务器ECS、云数据库RDS和负载均衡SLB"
 * (CreateDynamicTagGroup API doc). A group-scoped rule for another product never fires.
 */
export const DYNAMIC_TAG_GROUP_PRODUCTS = ["ECS", "RDS", "SLB"] as const;

/**
 * List maxima of PutEventRule: `EventPattern.N.NameList.N`, "Valid values of N: 1 to 50" (PutEventRule API doc).
 * The provider takes one event pattern per rule (resource_alicloud_cms_event_rule.go `event_pattern` MaxItems: 1),
 * so one rule matches one product.
 */
export const MAX_NAMES_PER_PATTERN = 50;
