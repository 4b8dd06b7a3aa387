// Cloud resource names: deterministic and stack-scoped, so two environments of
// the same account never collide and a re-run never renames anything. The name
// rules each service documents are here too, so config validation can refuse a
// prefix or stack name that would break one before anything is declared.

export interface Naming {
  prefix: string;
  stack: string;
}

export function stackNaming(config: { namePrefix: string; stack: string }): Naming {
  return { prefix: config.namePrefix, stack: config.stack };
}

/**
 * `eventops-prod-checkout`: the stem every name of this stack starts with. A
 * group's tier rules append their level to its stem (alerting/tier-template.ts).
 */
export function stem(n: Naming, ...parts: string[]): string {
  return [n.prefix, n.stack, ...parts].join("-");
}

/**
 * `<prefix>-<stack>-route-<handler>`: the rule that routes a handler's events to its queue.
 * Until 0.3.0 it was `-auto-<handler>` with a Function Compute target. The provider updates a
 * rule's targets with PutEventRuleTargets only and never calls DeleteEventRuleTargets
 * (resource_alicloud_cms_event_rule.go update), so an in-place switch from the FC target to the
 * queue would leave the FC target on the rule. A new name replaces the rule instead: the new one
 * is created first, then the old one is deleted with its targets (DeleteEventRules).
 */
export function automationRuleName(n: Naming, handler: string): string {
  return stem(n, "route", handler);
}

/** The MNS queue a handler's events arrive on (CloudMonitor → queue → FC trigger); its dead-letter queue is deadLetterQueueName(n, `auto-${handler}`). */
export function automationQueueName(n: Naming, handler: string): string {
  return stem(n, "auto", handler);
}

/** The config queue name whose cloud names an automation queue takes (`auto-<handler>`): reserved. */
export function automationQueueKey(handler: string): string {
  return `auto-${handler}`;
}

export function queueName(n: Naming, queue: string): string {
  return stem(n, queue);
}

export function deadLetterQueueName(n: Naming, queue: string): string {
  return stem(n, queue, "dlq");
}

export function contactGroupName(n: Naming, group: string): string {
  return stem(n, group);
}

/** CMS alarm contacts are account-wide: the stack goes into the name too. */
export function contactName(n: Naming, contact: string): string {
  return stem(n, contact);
}

export function functionName(n: Naming, handler: string): string {
  return stem(n, handler);
}

/** RAM names allow letters, digits, '-' and at most 64 characters. */
export function roleName(n: Naming, handler: string): string {
  return stem(n, handler).slice(0, 64);
}

/** The RAM role the OOS spot-drain template of a group runs as. */
export function oosRoleName(n: Naming, group: string): string {
  return stem(n, group, "oos").slice(0, 64);
}

/**
 * The account's tag policy: "1 to 128 characters … letters, digits, and underscores (_)"
 * (TF website/docs/r/tag_policy.html.markdown; Tag CreatePolicy doc), so no '-'. One per
 * account (the account-level stack declares it), hence no stack in the name.
 */
export function tagPolicyName(prefix: string): string {
  return `${prefix}_account_tags`.replace(/-/g, "_");
}

/** Characters of the random suffix (`-` + RandomId hex of GLOBAL_SUFFIX_BYTES bytes) that makes a global name unique. */
export const GLOBAL_SUFFIX_BYTES = 4;
export const GLOBAL_SUFFIX_LENGTH = 1 + 2 * GLOBAL_SUFFIX_BYTES;

/** Stems of the names that are unique across all Alibaba Cloud accounts (a random suffix follows). */
export function globalNameStems(n: Naming): { bucket: string; logProject: string } {
  return { bucket: stem(n, "markers"), logProject: stem(n, "handlers") };
}

/** A name rule of one service, with its source. */
export interface NameRule {
  what: string;
  pattern: RegExp;
  rule: string;
}

export const NAME_RULES = {
  // OSS "Bucket naming conventions": globally unique, lower-case letters, digits and '-', start and end with a letter or digit, 3–63.
  bucket: { what: "OSS bucket name", pattern: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, rule: "3–63 lower-case letters, digits and '-', starting and ending with a letter or digit (OSS bucket naming conventions)" },
  // TF resource_alicloud_log_project.go validator message: globally unique, same character rules, 3–63.
  logProject: { what: "Log Service project name", pattern: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, rule: "3–63 lower-case letters, digits and '-', starting and ending with a letter or digit (resource_alicloud_log_project.go)" },
  // FC API CreateFunctionInput / ROS ALIYUN::FC3::Function: 1–64, letters, digits, '_' and '-', not starting with a digit or '-'.
  functionName: { what: "Function Compute function name", pattern: /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, rule: "1–64 letters, digits, '_' and '-', not starting with a digit or '-' (FC CreateFunctionInput)" },
  // cms/alarmContact.d.ts alarmContactName: "The length should between 2 and 40 characters."
  alarmContactName: { what: "CloudMonitor alarm contact name", pattern: /^.{2,40}$/, rule: "2–40 characters (cms/alarmContact.d.ts)" },
  // SMQ queue names: at most 120, starting with a letter or digit, then letters, digits and '-' (SMQ "Queue" doc).
  queueName: { what: "MNS queue name", pattern: /^[A-Za-z0-9][A-Za-z0-9-]{0,119}$/, rule: "at most 120 letters, digits and '-', starting with a letter or digit (SMQ queue doc)" },
} as const satisfies Record<string, NameRule>;
