// cloud-name-rules: every cloud name the stack sets matches its service's
// character set and length. Most are checked only by the API, so a bad name
// passes a preview and fails `up` part-way; a few the provider checks itself.
import { PolicyRule } from "../model";
import { T } from "../stack";
import { text } from "../values";
import { SOURCE, checkFields } from "./provider-facts";

interface NameRule {
  type: string;
  /** Property path (values.ts valuesAt). */
  path: string;
  pattern: RegExp;
  says: string;
  source: string;
}

/** 3–63 lowercase letters, digits and hyphens, starting and ending with a letter or digit (OSS buckets, SLS projects). */
const GLOBAL_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const GLOBAL_SAYS = "3 to 63 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit";
const MNS_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,119}$/;
const MNS_SAYS = "up to 120 characters: letters, digits and hyphens, starting with a letter or digit";

export const NAME_RULES: readonly NameRule[] = [
  { type: T.bucket, path: "bucket", pattern: GLOBAL_NAME, says: GLOBAL_SAYS, source: SOURCE.ossBucketNaming },
  { type: T.logProject, path: "projectName", pattern: GLOBAL_NAME, says: GLOBAL_SAYS, source: SOURCE.tfLogProject },
  // The API also accepts Chinese characters (\p{L}); letters, digits and underscores, no hyphen.
  { type: T.tagPolicy, path: "policyName", pattern: /^[\p{L}0-9_]{1,128}$/u, says: "1 to 128 characters: letters, digits and underscores (no hyphens)", source: `${SOURCE.tfTagPolicyDoc}; ${SOURCE.tagCreatePolicy}` },
  // Provider docs allow 128 characters; the FC API and ROS say 64: the stricter one.
  { type: T.fcFunction, path: "functionName", pattern: /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, says: "1 to 64 characters: letters, digits, underscores and hyphens, not starting with a digit or hyphen", source: SOURCE.fcCreateFunctionInput },
  { type: T.ramRole, path: "roleName", pattern: /^[A-Za-z0-9.-]{1,64}$/, says: "1 to 64 characters: letters, digits, periods and hyphens", source: SOURCE.rosRamRole },
  { type: T.ramPolicy, path: "policyName", pattern: /^[A-Za-z0-9-]{1,128}$/, says: "1 to 128 characters: letters, digits and hyphens", source: SOURCE.tfRamPolicyDoc },
  { type: T.queue, path: "queueName", pattern: MNS_NAME, says: MNS_SAYS, source: `${SOURCE.mnsQueueDoc}; ${SOURCE.mnsLimits}` },
  { type: T.topic, path: "topicName", pattern: MNS_NAME, says: MNS_SAYS, source: SOURCE.mnsLimits },
  { type: T.subscription, path: "subscriptionName", pattern: /^[A-Za-z0-9][A-Za-z0-9-]{0,254}$/, says: "up to 255 characters: letters, digits and hyphens, starting with a letter or digit", source: SOURCE.tfSubscriptionDoc },
  // "It cannot start with ALIYUN, ACS, ALIBABA, or ALICLOUD": the doc does not say whether case matters, so no case is taken.
  { type: T.oosTemplate, path: "templateName", pattern: /^(?!(aliyun|acs|alibaba|alicloud))[A-Za-z0-9_-]{1,200}$/i, says: "up to 200 characters: letters, digits, hyphens and underscores, not starting with ALIYUN, ACS, ALIBABA or ALICLOUD", source: SOURCE.tfOosTemplateDoc },
  { type: T.alarmContact, path: "alarmContactName", pattern: /^.{2,40}$/su, says: "2 to 40 characters", source: SOURCE.ptAlarmContact },
  { type: T.metaTag, path: "key", pattern: /^.{1,128}$/su, says: "1 to 128 characters", source: SOURCE.tfMetaTag },
  { type: T.metaTag, path: "values[]", pattern: /^.{1,128}$/su, says: "1 to 128 characters each", source: SOURCE.tfMetaTag },
];

export const cloudNameRules: PolicyRule = {
  id: "cloud-name-rules",
  displayName: "Cloud names match their service's characters and length",
  severity: "high",
  enforcement: "mandatory",
  description:
    "Names of OSS buckets, SLS projects, tag policies, FC functions, RAM roles and policies, MNS queues, topics and " +
    "subscriptions, OOS templates, alarm contacts and preset tags match what each service accepts.",
  remediation: "Change the name where infra/naming.ts builds it (or the config value it comes from) to fit the pattern in the message.",
  sources: [...new Set(NAME_RULES.map((n) => n.source))],
  check(resources) {
    return checkFields(
      resources,
      NAME_RULES.map((n) => ({
        type: n.type,
        path: n.path,
        fact: { says: `${n.path.replace(/\[\]/g, "[n]")} must be ${n.says}`, source: n.source },
        accepts: (v: unknown) => n.pattern.test(text(v) ?? ""),
        shows: (v: unknown) => `${JSON.stringify(v)} (${(text(v) ?? "").length} characters)`,
      })),
    );
  },
};
