// enum-values: fields the provider or the API accepts only from a fixed set.
// Some the provider validates (a preview fails), others only the API (up fails
// part-way); the offline plan catches both before either.
import { PolicyRule } from "../model";
import { T } from "../stack";
import { text } from "../values";
import { SOURCE, checkFields } from "./provider-facts";

interface EnumField {
  type: string;
  /** Property path (values.ts valuesAt), e.g. `eventPattern.levelLists[]`. */
  path: string;
  allowed: readonly string[];
  source: string;
}

export const ENUM_FIELDS: readonly EnumField[] = [
  { type: T.alarmContact, path: "lang", allowed: ["en", "zh-cn"], source: SOURCE.tfAlarmContact },
  { type: T.eventRule, path: "status", allowed: ["ENABLED", "DISABLED"], source: SOURCE.tfEventRule },
  { type: T.eventRule, path: "eventPattern.levelLists[]", allowed: ["CRITICAL", "WARN", "INFO", "*"], source: SOURCE.tfEventRuleDoc },
  { type: T.eventRule, path: "eventPattern.eventTypeLists[]", allowed: ["StatusNotification", "Exception", "Maintenance", "*"], source: SOURCE.tfEventRuleDoc },
  { type: T.eventRule, path: "contactParameters[].level", allowed: ["2", "3", "4"], source: SOURCE.putEventRuleTargetsDoc },
  { type: T.eventRule, path: "webhookParameters[].protocol", allowed: ["http", "telnet", "ping"], source: SOURCE.putEventRuleTargetsDoc },
  { type: T.eventRule, path: "webhookParameters[].method", allowed: ["GET", "POST"], source: SOURCE.putEventRuleTargetsDoc },
  { type: T.tagPolicy, path: "userType", allowed: ["USER", "RD"], source: SOURCE.tfTagPolicy },
  { type: T.tagPolicyAttachment, path: "targetType", allowed: ["USER", "ROOT", "FOLDER", "ACCOUNT"], source: SOURCE.tfTagPolicyAttachment },
  { type: T.queue, path: "queueType", allowed: ["normal", "fifo"], source: SOURCE.tfQueue },
  { type: T.subscription, path: "pushType", allowed: ["http", "queue", "mpush", "alisms", "email"], source: SOURCE.ptSubscription },
  { type: T.subscription, path: "notifyStrategy", allowed: ["BACKOFF_RETRY", "EXPONENTIAL_DECAY_RETRY"], source: SOURCE.ptSubscription },
  { type: T.subscription, path: "notifyContentFormat", allowed: ["XML", "JSON", "SIMPLIFIED"], source: SOURCE.ptSubscription },
  { type: T.fcTrigger, path: "triggerType", allowed: ["oss", "log", "http", "timer", "tablestore", "cdn_events", "mns_topic", "eventbridge"], source: SOURCE.ptV3Trigger },
  { type: T.bucket, path: "acl", allowed: ["private", "public-read", "public-read-write"], source: SOURCE.tfOssBucket },
  { type: T.oosExecution, path: "mode", allowed: ["Automatic", "Debug"], source: SOURCE.tfOosExecution },
];

export const enumValues: PolicyRule = {
  id: "enum-values",
  displayName: "Fields with a fixed set of values hold one of them",
  severity: "high",
  enforcement: "mandatory",
  description:
    "Enumerated fields hold a value the provider or the API accepts (case-sensitive): contact `lang`, event rule `status`, " +
    "pattern levels and event types, contact channel levels, webhook protocol and method, tag policy user and target types, " +
    "queue type, subscription push type, retry strategy and format, FC trigger type, bucket ACL, OOS execution mode.",
  remediation: "Use one of the listed values (the config schema offers them where the stack reads them from config).",
  sources: [...new Set(ENUM_FIELDS.map((f) => f.source))],
  check(resources) {
    return checkFields(
      resources,
      ENUM_FIELDS.map((f) => ({
        type: f.type,
        path: f.path,
        fact: { says: `${f.path.replace(/\[\]/g, "[n]")} must be one of ${f.allowed.join(", ")}`, source: f.source },
        accepts: (v: unknown) => f.allowed.includes(text(v) ?? ""),
      })),
    );
  },
};
