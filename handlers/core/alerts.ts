// CRITICAL alerts. The path that reaches people is an MNS topic (ALERT_TOPIC)
// whose subscriptions (the CRITICAL tier's webhooks and emails) infra declares.
// CMS custom events are kept for handlers not yet moved over: the stack cannot
// declare a rule on them, so on their own they reach nobody.
import { CMS, MNS } from "../cloud/apis";
import { MAX_MESSAGE_BYTES } from "../cloud/mns";
import type { CloudGateway } from "./gateway";
import type { AlertSink } from "./handler";
import type { TopicPublisher } from "./ports";

/** CMS PutCustomEvent through the gateway: recorded in the outcome, skipped under DRY_RUN. */
export function cmsAlertSink(cloud: CloudGateway, target: string): AlertSink {
  return {
    async critical(eventName, content) {
      await cloud.mutate(CMS.putCustomEvent, { EventInfo: [{ EventName: eventName, Content: JSON.stringify(content) }] }, `${target}/${eventName}`);
    },
  };
}

export interface AlertOrigin {
  handler: string;
  eventId: string;
  instanceId?: string;
}

/** The topic message: compact JSON a person can read in a mail or chat message. */
export function alertMessage(alert: string, origin: AlertOrigin, detail: Record<string, unknown>, atMs: number): string {
  const message = { alert, severity: "CRITICAL", handler: origin.handler, eventId: origin.eventId, instanceId: origin.instanceId, detail, at: new Date(atMs).toISOString() };
  const text = JSON.stringify(message);
  if (Buffer.byteLength(text) <= MAX_MESSAGE_BYTES) return text;
  // Never lose the alert to its size: the full detail stays in the outcome line's actions.
  return JSON.stringify({ ...message, detail: { truncated: `${Buffer.byteLength(text)} bytes is more than one MNS message; the full detail is in the outcome log line` } });
}

/**
 * MNS PublishMessage to `topic` through the gateway: recorded in the outcome
 * (so DRY_RUN shows the alert it would send) and not sent under DRY_RUN. The
 * publisher retries; a permanent failure rejects, for the caller to report.
 */
export function topicAlertSink(cloud: CloudGateway, publisher: TopicPublisher, topic: string, origin: AlertOrigin, now: () => number): AlertSink {
  return {
    async critical(eventName, content) {
      const body = alertMessage(eventName, origin, content, now());
      try {
        await cloud.mutateVia(MNS.publishMessage, { TopicName: topic, MessageBody: body }, () => publisher.publish(topic, body));
      } catch (err) {
        throw new Error(`CRITICAL alert ${eventName} NOT delivered to MNS topic ${topic}: ${(err as Error)?.message ?? String(err)}`);
      }
    },
  };
}
