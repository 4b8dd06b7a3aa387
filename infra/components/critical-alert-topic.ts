// Where handlers raise CRITICAL alerts of their own (a drain that leaves a load
// balancer below its minimum of healthy backends, a failed maintenance): an MNS
// topic pushed straight to the CRITICAL tier's people (SMS, email) and webhooks.
// CloudMonitor event rules cannot carry these (the provider declares system-event
// rules only), so the topic is the declared path.
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { ResourceTags } from "./resource-tags";

export interface AlertSubscriber {
  /** Subscription name, unique within the topic; the subscription resource is `<component>-<name>`. */
  readonly name: string;
  /** How MNS delivers: `alisms` (SMS), `email` or `http` (webhook). */
  readonly pushType: "alisms" | "email" | "http";
  /** Phone number, email address or webhook URL, by push type. */
  readonly endpoint: pulumi.Input<string>;
}

export interface CriticalAlertTopicArgs {
  /** MNS topic name. */
  readonly topicName: string;
  /** Who the topic pushes each alert to. */
  readonly subscribers: readonly AlertSubscriber[];
  /** Tags of the topic. */
  readonly tags: ResourceTags;
}

export class CriticalAlertTopic extends pulumi.ComponentResource {
  /** Name of the topic handlers publish to. */
  readonly topicName: pulumi.Output<string>;

  constructor(name: string, args: CriticalAlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eventops:index:CriticalAlertTopic", name, {}, opts);
    const topic = new alicloud.message.ServiceTopic(`${name}-topic`, { topicName: args.topicName, enableLogging: true, tags: args.tags }, { parent: this });
    for (const s of args.subscribers) {
      new alicloud.message.ServiceSubscription(
        `${name}-${s.name}`,
        {
          topicName: topic.topicName,
          subscriptionName: s.name,
          pushType: s.pushType,
          endpoint: s.endpoint,
          // People read text; webhooks get the JSON body as published.
          notifyContentFormat: "SIMPLIFIED",
          notifyStrategy: "EXPONENTIAL_DECAY_RETRY",
        },
        { parent: this },
      );
    }
    this.topicName = topic.topicName;
    this.registerOutputs({ topicName: this.topicName });
  }
}
