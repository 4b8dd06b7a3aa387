// What every handler shares: the idempotency-marker bucket, the handlers'
// dead-letter queue, and the log store (with its index) their invocations
// write to.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import * as random from "@pulumi/random";
import { QueueSse, declareDeadLetterQueue } from "./automation-queue";
import { ResourceTags } from "./resource-tags";
import { GLOBAL_SUFFIX_BYTES } from "../naming";
import { OBJECT_PREFIXES } from "../../handlers/contract";

export interface AutomationBaseArgs {
  /**
   * Start of the OSS bucket name. Bucket names are unique across all accounts (OSS "Bucket
   * naming conventions"), so `-<8 hex>` of a stable random ID follows: 3–63 `[a-z0-9-]` in all.
   */
  readonly bucketNamePrefix: string;
  /** MNS queue where handlers dead-letter what they reject or fail for good. */
  readonly deadLetterQueueName: string;
  /** Start of the Log Service project name, globally unique too (resource_alicloud_log_project.go): the same suffix follows. */
  readonly logProjectNamePrefix: string;
  /** Days idempotency markers are kept before OSS expires them. */
  readonly markerRetentionDays: pulumi.Input<number>;
  /** Server-side encryption of the dead-letter queue; default none. */
  readonly sse?: QueueSse;
  /** Tags of the bucket, queue and log project. */
  readonly tags: ResourceTags;
}

/** Where the handlers keep markers and pending actions: the contract's prefixes, one value each. */
export const MARKER_PREFIX = OBJECT_PREFIXES.markers;
/** Pending maintenance actions: kept longer than markers, since notBefore can be weeks out. */
export const PENDING_PREFIX = OBJECT_PREFIXES.pending;
export const PENDING_RETENTION_DAYS = 90;

/** Log Service's default token set (TF docs r/log_store_index example `sls_default_token`). */
export const LOG_TOKENS = ", '\";=()[]{}?@&<>/:\n\t\r";

/**
 * The outcome store's index. Logs "can be queried only after you configure indexes", and an
 * index applies only to logs written after it (SLS JSON-log FAQ; CreateIndex doc), so it is
 * declared with the store. Full text (the handler's JSON outcome line is in `message`) plus
 * the fields Function Compute writes per entry: functionName, qualifier, versionId, message
 * (FC "Log fields", doc-detail/171396).
 */
export const OUTCOME_INDEX_FIELDS = ["functionName", "qualifier", "versionId", "message"] as const;

export class AutomationBase extends pulumi.ComponentResource {
  /** Name of the marker bucket. */
  readonly markerBucket: pulumi.Output<string>;
  /** Name of the handlers' dead-letter queue. */
  readonly deadLetterQueue: pulumi.Output<string>;
  /** Name of the log project. */
  readonly logProject: pulumi.Output<string>;
  /** Name of the outcome log store. */
  readonly logStore: pulumi.Output<string>;
  /** The outcome store's index: functions wait for it, so their first logs are queryable. */
  readonly logIndex: alicloud.log.StoreIndex;

  constructor(name: string, args: AutomationBaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:AutomationBase", name, {}, opts);
    // Stable across updates: a RandomId changes only when its inputs (none but the length) do.
    const suffix = new random.RandomId(`${name}-name-suffix`, { byteLength: GLOBAL_SUFFIX_BYTES }, { parent: this });
    const bucket = new alicloud.oss.Bucket(
      `${name}-markers`,
      {
        bucket: pulumi.interpolate`${args.bucketNamePrefix}-${suffix.hex}`,
        acl: "private",
        serverSideEncryptionRule: { sseAlgorithm: "AES256" },
        lifecycleRules: [
          { id: "expire-markers", enabled: true, prefix: `${MARKER_PREFIX}/`, expirations: [{ days: args.markerRetentionDays }] },
          { id: "expire-pending", enabled: true, prefix: `${PENDING_PREFIX}/`, expirations: [{ days: PENDING_RETENTION_DAYS }] },
        ],
        tags: args.tags,
      },
      { parent: this },
    );
    const dlq = declareDeadLetterQueue(`${name}-dlq`, args.deadLetterQueueName, args.tags, args.sse, this);
    const project = new alicloud.log.Project(
      `${name}-logs`,
      { projectName: pulumi.interpolate`${args.logProjectNamePrefix}-${suffix.hex}`, description: "Handler outcomes, one JSON line per event", tags: args.tags },
      { parent: this },
    );
    const store = new alicloud.log.Store(`${name}-outcomes`, { projectName: project.projectName, logstoreName: "outcomes", retentionPeriod: 90, shardCount: 2 }, { parent: this });
    this.logIndex = new alicloud.log.StoreIndex(
      `${name}-outcomes-index`,
      {
        project: project.projectName as pulumi.Output<string>,
        logstore: store.logstoreName,
        fullText: { caseSensitive: false, token: LOG_TOKENS },
        fieldSearches: OUTCOME_INDEX_FIELDS.map((field) => ({ name: field, type: "text", token: LOG_TOKENS, enableAnalytics: true })),
      },
      { parent: this },
    );
    this.markerBucket = bucket.bucket as pulumi.Output<string>;
    this.deadLetterQueue = dlq.queueName;
    this.logProject = project.projectName as pulumi.Output<string>;
    this.logStore = store.logstoreName as pulumi.Output<string>;
    this.registerOutputs({ markerBucket: this.markerBucket, deadLetterQueue: this.deadLetterQueue, logProject: this.logProject, logStore: this.logStore });
  }
}
