// What the provider-constraint rules share: where each fact comes from, and the
// two findings a rule makes of a fact — broken (naming the resource, the fact
// and its source) or could not verify (a value unknown until apply).
import { Finding, PolicyResourceLike } from "../model";
import { StackIndex } from "../stack";
import { isSecret, isUnknown, text, valuesAt } from "../values";

const TF = "aliyun/terraform-provider-alicloud";
const PT = "@pulumi/alicloud 3.108.0";

/** Sources, by what they are: repository files (repository, path) and doc pages (URL). */
export const SOURCE = {
  tfEventRule: `${TF} alicloud/resource_alicloud_cms_event_rule.go`,
  tfEventRuleDoc: `${TF} website/docs/r/cms_event_rule.html.markdown`,
  sdkComputedOnly: "hashicorp/terraform-plugin-sdk helper/schema/schema.go (schemaMap.validate: a field neither Required nor Optional cannot be set)",
  putEventRule: "https://www.alibabacloud.com/help/en/cms/developer-reference/api-cms-2019-01-01-puteventrule",
  putEventRuleTargets: "aliyun/alibabacloud-typescript-sdk cms-20190101/src/models/PutEventRuleTargetsRequest.ts (each target list: N 1 to 5)",
  putEventRuleTargetsDoc: "https://www.alibabacloud.com/help/zh/cloudmonitor/latest/puteventruletargets (ContactParameters.N.Level 2/3/4; WebhookParameters.N.Protocol http/telnet/ping, Method GET/POST)",
  ossBucketNaming: "https://www.alibabacloud.com/help/en/oss/user-guide/bucket-naming-conventions",
  tfLogProject: `${TF} alicloud/resource_alicloud_log_project.go (project_name validator message)`,
  tfTagPolicyDoc: `${TF} website/docs/r/tag_policy.html.markdown`,
  tagCreatePolicy: "https://help.aliyun.com/document_detail/2330918.htm (Tag CreatePolicy: PolicyName, RegionId)",
  fcCreateFunctionInput: "https://www.alibabacloud.com/help/en/functioncompute/api-fc-2023-03-30-struct-createfunctioninput",
  rosRamRole: "https://www.alibabacloud.com/help/en/ros/developer-reference/aliyun-ram-role (RoleName)",
  tfRamPolicyDoc: `${TF} website/docs/r/ram_policy.html.markdown`,
  mnsQueueDoc: "https://help.aliyun.com/zh/mns/developer-reference/queue-queue (queue names)",
  mnsLimits: "https://help.aliyun.com/document_detail/128343.html (SMQ limits: queue and topic names up to 120 characters)",
  tfSubscriptionDoc: `${TF} website/docs/r/message_service_subscription.html.markdown`,
  tfOosTemplateDoc: `${TF} website/docs/r/oos_template.html.markdown`,
  ptAlarmContact: `${PT} cms/alarmContact.d.ts (alarmContactName: between 2 and 40 characters)`,
  tfMetaTag: `${TF} alicloud/resource_alicloud_tag_meta_tag.go (key, values: StringLenBetween(1, 128))`,
  tfRegions: `${TF} alicloud/connectivity/regions.go (MetaTagSupportRegions, TagPolicySupportRegions)`,
  tfMetaTagDoc: `${TF} website/docs/r/tag_meta_tag.html.markdown ("Meta Tag Only Support cn-hangzhou Region")`,
  tfAlarmContact: `${TF} alicloud/resource_alicloud_cms_alarm_contact.go (lang: StringInSlice en, zh-cn)`,
  tfTagPolicy: `${TF} alicloud/resource_alicloud_tag_policy.go (user_type: StringInSlice USER, RD)`,
  tfTagPolicyAttachment: `${TF} alicloud/resource_alicloud_tag_policy_attachment.go (target_type: StringInSlice USER, ROOT, FOLDER, ACCOUNT)`,
  tfQueue: `${TF} alicloud/resource_alicloud_message_service_queue.go (queue_type: StringInSlice normal, fifo)`,
  ptSubscription: `${PT} message/serviceSubscription.d.ts (pushType, notifyStrategy, notifyContentFormat valid values)`,
  ptV3Trigger: `${PT} fc/v3trigger.d.ts (triggerType: oss, log, http, timer, tablestore, cdn_events, mns_topic, eventbridge)`,
  tfOssBucket: `${TF} alicloud/resource_alicloud_oss_bucket.go (acl: StringInSlice private, public-read, public-read-write)`,
  tfOosExecution: `${TF} alicloud/resource_alicloud_oos_execution.go (mode Automatic/Debug; create waits for Success, Failed or Cancelled, default timeout 11 min)`,
  oosEventTrigger: "https://help.aliyun.com/en/oos/user-guide/acs-eventtrigger (the execution stays Waiting until the event occurs)",
  ptV3Function: `${PT} fc/v3function.d.ts (cpu, memorySize, diskSize)`,
  tfV3Function: `${TF} alicloud/resource_alicloud_fcv3_function.go (cpu: FloatBetween(0.05, 16))`,
  randomId: "@pulumi/random randomId.d.ts (hex, dec: random bytes, stable until keepers or byteLength change)",
} as const;

/** A constraint the cloud or the provider imposes, in words, and where it is written. */
export interface Fact {
  says: string;
  source: string;
}

/** The cloud name fields resources carry, in the order a resource is most recognisable by. */
const CLOUD_NAME_PROPS = [
  "ruleName", "bucket", "projectName", "logstoreName", "functionName", "roleName", "queueName", "topicName",
  "subscriptionName", "templateName", "alarmContactName", "policyName", "key",
] as const;

/** `<type> <logical name> (<cloud name>)`, e.g. `oss/bucket automation-markers (eventops-prod-markers)`. */
export function label(r: PolicyResourceLike): string {
  const type = r.type.split(":")[1] ?? r.type;
  const cloud = CLOUD_NAME_PROPS.map((p) => r.props[p]).find((v) => text(v) !== undefined && !isUnknown(v) && !isSecret(v));
  return `${type} ${r.name}${cloud !== undefined && text(cloud) !== r.name ? ` (${text(cloud)})` : ""}`;
}

/** A broken fact: the resource, what it has, the fact, the source. */
export function broken(r: PolicyResourceLike, what: string, fact: Fact): Finding {
  return { resource: r, message: `${label(r)}: ${what}; ${fact.says} (source: ${fact.source})` };
}

/** A fact this rule cannot decide (by default: a value unknown until apply). */
export function unverified(r: PolicyResourceLike, what: string, fact: Fact, why = "unknown until apply"): Finding {
  return { resource: r, undecided: true, message: `could not verify ${what} of ${label(r)}: ${why}; ${fact.says} (source: ${fact.source})` };
}

/** A fact about the values at one property path of one resource type. */
export interface FieldFact {
  type: string;
  /** Property path (values.ts valuesAt), e.g. `eventPattern.levelLists[]`. */
  path: string;
  fact: Fact;
  accepts(value: unknown): boolean;
  /** How a refused value is shown (default: JSON). */
  shows?(value: unknown): string;
}

/** Each field's values on each resource of its type: unknown → could not verify; refused → broken. */
export function checkFields(resources: readonly PolicyResourceLike[], fields: readonly FieldFact[]): Finding[] {
  const index = StackIndex.of(resources);
  const findings: Finding[] = [];
  for (const field of fields) {
    for (const r of index.ofType(field.type)) {
      for (const { path, value } of valuesAt(r.props, field.path)) {
        if (isUnknown(value)) findings.push(unverified(r, path, field.fact));
        else if (!field.accepts(value)) findings.push(broken(r, `${path} is ${field.shows ? field.shows(value) : JSON.stringify(value)}`, field.fact));
      }
    }
  }
  return findings;
}
