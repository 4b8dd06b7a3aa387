// An MNS queue that receives events for automation, with its dead-letter
// queue, optional server-side encryption and bounded retention.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { ResourceTags } from "./resource-tags";

/**
 * Server-side encryption of a queue. Needs the feature enabled for the account by ticket;
 * KMS also an AES-256 key in the queue's region and the AliyunMNSAccessingKMSRole
 * (message/serviceQueue.d.ts, enableSse/sseType/kmsKeyId).
 */
export type QueueSse = { readonly type: "none" } | { readonly type: "SMQ" } | { readonly type: "KMS"; readonly kmsKeyId: pulumi.Input<string> };

/** Queue inputs for an SSE choice. To turn SSE off, enableSse false and no sseType/kmsKeyId (the typings' note). */
export function sseInputs(sse: QueueSse = { type: "none" }): Pick<alicloud.message.ServiceQueueArgs, "enableSse" | "sseType" | "kmsKeyId"> {
  if (sse.type === "none") return { enableSse: false };
  return { enableSse: true, sseType: sse.type, ...(sse.type === "KMS" ? { kmsKeyId: sse.kmsKeyId } : {}) };
}

/** Dead letters are kept for the longest retention MNS allows: nothing is lost quietly. */
export const DEAD_LETTER_RETENTION_SECONDS = 604800;

/** A dead-letter queue: the longest retention, logging on. The one declaration every dead-letter queue of the stack uses. */
export function declareDeadLetterQueue(name: string, queueName: string, tags: ResourceTags, sse: QueueSse | undefined, parent: pulumi.Resource): alicloud.message.ServiceQueue {
  return new alicloud.message.ServiceQueue(
    name,
    { queueName, messageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS, ...sseInputs(sse), loggingEnabled: true, tags },
    { parent },
  );
}

export interface AutomationQueueArgs {
  /** MNS queue name. */
  readonly queueName: string;
  /** Name of its dead-letter queue. */
  readonly deadLetterQueueName: string;
  /** Seconds a message is kept (60 to 604800). */
  readonly retentionSeconds: pulumi.Input<number>;
  /** Seconds a received message stays invisible to other consumers. */
  readonly visibilityTimeoutSeconds: pulumi.Input<number>;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: pulumi.Input<number>;
  /** Server-side encryption of both queues; default none. */
  readonly sse?: QueueSse;
  /** Tags of both queues. */
  readonly tags: ResourceTags;
}

export class AutomationQueue extends pulumi.ComponentResource {
  /** Name of the events queue. */
  readonly queueName: pulumi.Output<string>;
  /** Name of its dead-letter queue. */
  readonly deadLetterQueueName: pulumi.Output<string>;
  /** The events queue itself: what event rules that name it by plain string depend on. */
  readonly queue: alicloud.message.ServiceQueue;

  constructor(name: string, args: AutomationQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:AutomationQueue", name, {}, opts);
    const dlq = declareDeadLetterQueue(`${name}-dlq`, args.deadLetterQueueName, args.tags, args.sse, this);
    // Named as the component (not `${name}-queue`): renaming would replace a deployed queue.
    const queue = new alicloud.message.ServiceQueue(
      name,
      {
        queueName: args.queueName,
        messageRetentionPeriod: args.retentionSeconds,
        visibilityTimeout: args.visibilityTimeoutSeconds,
        pollingWaitSeconds: 10,
        ...sseInputs(args.sse),
        loggingEnabled: true,
        dlqPolicy: { enabled: true, deadLetterTargetQueue: dlq.queueName, maxReceiveCount: args.maxReceiveCount },
        tags: args.tags,
      },
      { parent: this },
    );
    this.queue = queue;
    this.queueName = queue.queueName;
    this.deadLetterQueueName = dlq.queueName;
    this.registerOutputs({ queueName: this.queueName, deadLetterQueueName: this.deadLetterQueueName });
  }
}

/** CloudMonitor's service role: it delivers event-rule messages to MNS. */
export const CMS_SERVICE_ROLE = "AliyunCloudMonitorDefaultRole";

export interface CmsQueueAccessArgs {
  /** Name of the RAM policy granting the send. */
  readonly policyName: string;
  /** Region of the queues, e.g. `cn-hangzhou`. */
  readonly region: string;
  /** Account that owns the queues. */
  readonly accountId: pulumi.Input<string>;
  /** MNS queue names CloudMonitor may send to. */
  readonly queueNames: readonly pulumi.Input<string>[];
}

/**
 * Lets CloudMonitor's service role send to exactly these queues. The role itself is created
 * by the console's "Cloud Resource Access Authorization" click, not by this stack
 * (infra/authorizations.ts checks it exists).
 */
export class CmsQueueAccess extends pulumi.ComponentResource {
  constructor(name: string, args: CmsQueueAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:CmsQueueAccess", name, {}, opts);
    const document = pulumi
      .all([args.accountId, pulumi.all([...args.queueNames])])
      .apply(([uid, queues]) =>
        JSON.stringify({
          Version: "1",
          Statement: [
            {
              Effect: "Allow",
              Action: ["mns:SendMessage"],
              Resource: queues.map((q) => `acs:mns:${args.region}:${uid}:/queues/${q}/messages`),
            },
          ],
        }),
      );
    const policy = new alicloud.ram.Policy(
      `${name}-policy`,
      { policyName: args.policyName, policyDocument: document, description: "CloudMonitor event rules deliver to these MNS queues" },
      { parent: this },
    );
    new alicloud.ram.RolePolicyAttachment(
      `${name}-attachment`,
      { roleName: CMS_SERVICE_ROLE, policyName: policy.policyName, policyType: "Custom" },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
