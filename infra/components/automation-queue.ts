// An MNS queue that receives events for automation, with its dead-letter
// queue, server-side encryption and bounded retention.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { ResourceTags } from "./resource-tags";

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
  /** Tags of both queues. */
  readonly tags: ResourceTags;
}

/** Dead letters are kept for the longest retention MNS allows: nothing is lost quietly. */
export const DEAD_LETTER_RETENTION_SECONDS = 604800;

export class AutomationQueue extends pulumi.ComponentResource {
  /** Name of the events queue. */
  readonly queueName: pulumi.Output<string>;
  /** Name of its dead-letter queue. */
  readonly deadLetterQueueName: pulumi.Output<string>;
  /** The events queue itself: what event rules that name it by plain string depend on. */
  readonly queue: alicloud.message.ServiceQueue;

  constructor(name: string, args: AutomationQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:AutomationQueue", name, {}, opts);
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
    // Named as the component (not `${name}-queue`): renaming would replace a deployed queue.
    const queue = new alicloud.message.ServiceQueue(
      name,
      {
        queueName: args.queueName,
        messageRetentionPeriod: args.retentionSeconds,
        visibilityTimeout: args.visibilityTimeoutSeconds,
        pollingWaitSeconds: 10,
        enableSse: true,
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

/** Lets CloudMonitor's service role send to exactly these queues. */
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
