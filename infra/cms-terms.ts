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
