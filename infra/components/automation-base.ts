// What every handler shares: the idempotency-marker bucket, the handlers'
// dead-letter queue, and the log store their invocations write to.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { DEAD_LETTER_RETENTION_SECONDS } from "./automation-queue";
import { ResourceTags } from "./resource-tags";
import { OBJECT_PREFIXES } from "../../handlers/contract";

export interface AutomationBaseArgs {
  /** OSS bucket for idempotency markers and pending actions (globally unique name). */
  readonly bucketName: string;
  /** MNS queue where handlers dead-letter what they reject or fail for good. */
  readonly deadLetterQueueName: string;
  /** Log Service project of the handlers' outcome log store. */
  readonly logProjectName: string;
  /** Days idempotency markers are kept before OSS expires them. */
  readonly markerRetentionDays: pulumi.Input<number>;
  /** Tags of the bucket, queue and log project. */
  readonly tags: ResourceTags;
}

/** Where the handlers keep markers and pending actions: the contract's prefixes, one value each. */
export const MARKER_PREFIX = OBJECT_PREFIXES.markers;
/** Pending maintenance actions: kept longer than markers, since notBefore can be weeks out. */
export const PENDING_PREFIX = OBJECT_PREFIXES.pending;
export const PENDING_RETENTION_DAYS = 90;

export class AutomationBase extends pulumi.ComponentResource {
  /** Name of the marker bucket. */
  readonly markerBucket: pulumi.Output<string>;
  /** Name of the handlers' dead-letter queue. */
  readonly deadLetterQueue: pulumi.Output<string>;
  /** Name of the log project. */
  readonly logProject: pulumi.Output<string>;
  /** Name of the outcome log store. */
  readonly logStore: pulumi.Output<string>;

  constructor(name: string, args: AutomationBaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:AutomationBase", name, {}, opts);
    const bucket = new alicloud.oss.Bucket(
      `${name}-markers`,
      {
        bucket: args.bucketName,
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
    const dlq = new alicloud.message.ServiceQueue(
      `${name}-dlq`,
      {
        queueName: args.deadLetterQueueName,
        messageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
        enableSse: true,
        loggingEnabled: true,
        tags: args.tags,
      },
      { parent: this },
    );
    const project = new alicloud.log.Project(`${name}-logs`, { projectName: args.logProjectName, description: "Handler outcomes, one JSON line per event", tags: args.tags }, { parent: this });
    const store = new alicloud.log.Store(`${name}-outcomes`, { projectName: project.projectName, logstoreName: "outcomes", retentionPeriod: 90, shardCount: 2 }, { parent: this });
    this.markerBucket = bucket.bucket as pulumi.Output<string>;
    this.deadLetterQueue = dlq.queueName;
    this.logProject = project.projectName as pulumi.Output<string>;
    this.logStore = store.logstoreName as pulumi.Output<string>;
    this.registerOutputs({ markerBucket: this.markerBucket, deadLetterQueue: this.deadLetterQueue, logProject: this.logProject, logStore: this.logStore });
  }
}
