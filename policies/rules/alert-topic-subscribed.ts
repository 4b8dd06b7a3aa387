// alert-topic-subscribed: a topic the stack declares for alerts pushes to at
// least one live subscriber (a phone, an email address or a webhook), so the
// handlers' own CRITICAL alerts cannot fall into an empty topic.
import { Finding, PolicyRule } from "../model";
import { StackIndex, T, describe } from "../stack";
import { isUnknown, text } from "../values";

const SUBSCRIPTION = "alicloud:message/serviceSubscription:ServiceSubscription";
/** Push types that reach a person or a system outside the topic. */
const LIVE_PUSH_TYPES = new Set(["alisms", "email", "http", "queue", "mpush"]);

export const alertTopicSubscribed: PolicyRule = {
  id: "alert-topic-subscribed",
  displayName: "Alert topics reach someone",
  severity: "high",
  enforcement: "mandatory",
  description:
    "Every MNS topic in the stack (handlers publish their CRITICAL alerts to one) has at least one subscription with an endpoint " +
    "and a push type that leaves the topic (SMS, email, HTTP, queue).",
  remediation:
    "Give the CRITICAL tier contact groups members with a phone or email, or a webhook target: infra/alerting/alert-subscribers.ts " +
    "subscribes them to the alert topic.",
  check(resources) {
    const index = StackIndex.of(resources);
    const findings: Finding[] = [];
    const subscriptions = index.ofType(SUBSCRIPTION);
    for (const topic of index.ofType(T.topic)) {
      const name = topic.props.topicName;
      if (isUnknown(name)) {
        findings.push({ resource: topic, undecided: true, message: `could not verify the subscribers of topic ${describe(topic)}: topicName is unknown until apply` });
        continue;
      }
      const mine = subscriptions.filter((s) => isUnknown(s.props.topicName) || text(s.props.topicName) === text(name));
      const live = mine.filter((s) => LIVE_PUSH_TYPES.has(text(s.props.pushType) ?? "") && (isUnknown(s.props.endpoint) || Boolean(text(s.props.endpoint))));
      if (live.length > 0) continue;
      if (mine.some((s) => isUnknown(s.props.topicName) || isUnknown(s.props.pushType))) {
        findings.push({ resource: topic, undecided: true, message: `could not verify that topic ${describe(topic)} has a live subscriber: a subscription is unknown until apply` });
      } else {
        findings.push({ resource: topic, message: `topic ${describe(topic)} has no live subscriber: alerts published to it reach nobody` });
      }
    }
    return findings;
  },
};
