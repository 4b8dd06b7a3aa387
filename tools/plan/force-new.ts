// Which input changes make the provider replace a resource instead of
// updating it in place: the `ForceNew: true` fields of the resource types this
// stack declares, read from the schema of each resource in
// aliyun/terraform-provider-alicloud (which pulumi/pulumi-alicloud wraps),
// alicloud/resource_alicloud_<type>.go at commit 81c43b67 (2026-08-21); the
// number is the line of the `ForceNew` flag. Names are the Pulumi inputs
// (camelCase, list blocks plural, as in @pulumi/alicloud's typings); a dotted
// name is a field inside a block. A CustomizeDiff that forces a replacement is
// not a schema flag and is not listed; a type missing here is "update".

export interface ForceNewField {
  /** The Pulumi input path: `matchExpresses`, `encryptConf.encryptType`. */
  input: string;
  /** `<terraform field> :<line>` in the provider source. */
  source: string;
}

const f = (input: string, source: string): ForceNewField => ({ input, source });

export const FORCE_NEW: Readonly<Record<string, { file: string; fields: readonly ForceNewField[] }>> = {
  "alicloud:cms/alarmContact:AlarmContact": { file: "resource_alicloud_cms_alarm_contact.go", fields: [f("alarmContactName", "alarm_contact_name :26")] },
  "alicloud:cms/alarmContactGroup:AlarmContactGroup": { file: "resource_alicloud_cms_alarm_contact_group.go", fields: [f("alarmContactGroupName", "alarm_contact_group_name :28")] },
  "alicloud:cms/dynamicTagGroup:DynamicTagGroup": {
    file: "resource_alicloud_cms_dynamic_tag_group.go",
    fields: [
      f("tagKey", "tag_key :25"),
      f("matchExpressFilterRelation", "match_express_filter_relation :30"),
      f("contactGroupLists", "contact_group_list :36"),
      f("templateIdLists", "template_id_list :42"),
      f("matchExpresses", "match_express :48 (and its tag_value :54, tag_value_match_function :59)"),
    ],
  },
  "alicloud:cms/eventRule:EventRule": { file: "resource_alicloud_cms_event_rule.go", fields: [f("ruleName", "rule_name :30")] },
  "alicloud:message/serviceQueue:ServiceQueue": { file: "resource_alicloud_message_service_queue.go", fields: [f("queueName", "queue_name :87"), f("queueType", "queue_type :93")] },
  "alicloud:message/serviceTopic:ServiceTopic": { file: "resource_alicloud_message_service_topic.go", fields: [f("topicName", "topic_name :48"), f("topicType", "topic_type :54")] },
  "alicloud:message/serviceSubscription:ServiceSubscription": {
    file: "resource_alicloud_message_service_subscription.go",
    fields: [
      f("endpoint", "endpoint :56"),
      f("stsRoleArn", "sts_role_arn :61"),
      f("filterTag", "filter_tag :66"),
      f("notifyContentFormat", "notify_content_format :71"),
      f("subscriptionName", "subscription_name :86"),
      f("topicName", "topic_name :91"),
    ],
  },
  "alicloud:fc/v3Function:V3Function": { file: "resource_alicloud_fcv3_function.go", fields: [f("functionName", "function_name :303"), f("idleTimeout", "idle_timeout :331")] },
  "alicloud:fc/v3Trigger:V3Trigger": {
    file: "resource_alicloud_fcv3_trigger.go",
    fields: [f("functionName", "function_name :41"), f("qualifier", "qualifier :70"), f("sourceArn", "source_arn :76"), f("triggerName", "trigger_name :102"), f("triggerType", "trigger_type :107")],
  },
  "alicloud:fc/v3AsyncInvokeConfig:V3AsyncInvokeConfig": { file: "resource_alicloud_fcv3_async_invoke_config.go", fields: [f("functionName", "function_name :80")] },
  "alicloud:ram/role:Role": { file: "resource_alicloud_ram_role.go", fields: [f("roleName", "role_name :67"), f("name", "name :75 (deprecated)")] },
  "alicloud:ram/policy:Policy": { file: "resource_alicloud_ram_policy.go", fields: [f("policyName", "policy_name :54"), f("name", "name :87 (deprecated)")] },
  "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment": {
    file: "resource_alicloud_ram_role_policy_attachment.go",
    fields: [f("policyName", "policy_name :31"), f("policyType", "policy_type :36"), f("roleName", "role_name :42")],
  },
  "alicloud:oss/bucket:Bucket": { file: "resource_alicloud_oss_bucket.go", fields: [f("bucket", "bucket :31"), f("storageClass", "storage_class :377"), f("redundancyType", "redundancy_type :390")] },
  "alicloud:log/project:Project": { file: "resource_alicloud_log_project.go", fields: [f("projectName", "project_name :43"), f("name", "name :65 (deprecated)")] },
  "alicloud:log/store:Store": {
    file: "resource_alicloud_log_store.go",
    fields: [
      f("encryptConf.encryptType", "encrypt_conf.encrypt_type :60"),
      f("encryptConf.userCmkInfo", "encrypt_conf.user_cmk_info :71 (and its cmk_key_id :79, region_id :85, arn :91)"),
      f("logstoreName", "logstore_name :112"),
      f("projectName", "project_name :140"),
      f("shardCount", "shard_count :150"),
      f("telemetryType", "telemetry_type :162"),
      f("project", "project :169 (deprecated)"),
      f("name", "name :176 (deprecated)"),
    ],
  },
  "alicloud:log/storeIndex:StoreIndex": { file: "resource_alicloud_log_store_index.go", fields: [f("project", "project :29"), f("logstore", "logstore :34")] },
  "alicloud:oos/template:Template": { file: "resource_alicloud_oos_template.go", fields: [f("templateName", "template_name :64")] },
  "alicloud:oos/execution:Execution": {
    file: "resource_alicloud_oos_execution.go",
    fields: [
      f("description", "description :37"),
      f("loopMode", "loop_mode :54"),
      f("mode", "mode :59"),
      f("parameters", "parameters :70"),
      f("parentExecutionId", "parent_execution_id :81"),
      f("safetyCheck", "safety_check :90"),
      f("templateContent", "template_content :107"),
      f("templateName", "template_name :116"),
      f("templateVersion", "template_version :122"),
    ],
  },
  "alicloud:tag/metaTag:MetaTag": { file: "resource_alicloud_tag_meta_tag.go", fields: [f("key", "key :24"), f("values", "values :30")] },
  "alicloud:tag/policy:Policy": { file: "resource_alicloud_tag_policy.go", fields: [f("userType", "user_type :51")] },
  "alicloud:tag/policyAttachment:PolicyAttachment": {
    file: "resource_alicloud_tag_policy_attachment.go",
    fields: [f("policyId", "policy_id :25"), f("targetType", "target_type :30"), f("targetId", "target_id :35")],
  },
};

/** The input path of a change without list indices or a path inside a JSON string: `matchExpresses[0].tagValue` → `matchExpresses.tagValue`. */
const bare = (path: string) => path.split("#")[0].replace(/\[\d+\]/g, "");

/**
 * The ForceNew field a changed input path falls under, or undefined when the
 * change is an in-place update. A change inside a ForceNew block counts.
 */
export function forceNewField(type: string, path: string): ForceNewField | undefined {
  const p = bare(path);
  return FORCE_NEW[type]?.fields.find((x) => p === x.input || p.startsWith(`${x.input}.`));
}

/** Does a Pulumi resource type appear in the table (so "update" is a reading of its schema, not a guess)? */
export const knownType = (type: string): boolean => type in FORCE_NEW;
