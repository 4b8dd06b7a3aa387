// CRITICAL alerts. They go to an MNS topic (ALERT_TOPIC) whose subscriptions
// infra declares: the CRITICAL tier's webhooks (HTTP, the JSON body as
// published), and its people by mail and SMS, which need per-message
// attributes (MessageAttributes/DirectMail, /DirectSMS) to be delivered at all.
// CMS custom events are not used: the stack cannot declare a rule on them, so
// they would reach nobody.
import { ALERT_APIS, MNS, ramAction } from "./apis";
import type { HandlerConfig } from "../contract";
import type { CloudGateway } from "./gateway";
import type { AlertSink, CriticalAlert, EventHandler } from "./handler";
import { MAX_MESSAGE_BYTES, type TopicMessageAttributes, type TopicPublisher } from "./ports";

/** An SMS template variable takes at most 35 characters unless the limit was lifted for the template. */
export const SMS_TEXT_MAX_CHARS = 35;
/** A mail subject (and the body's summary) stays one readable line. */
export const SUMMARY_MAX_CHARS = 200;

export interface AlertOrigin {
  handler: string;
  eventId: string;
  instanceId?: string;
}

/** Where alerts go: the topic, and the mail / SMS details its subscriptions need (absent: that kind gets nothing). */
export interface AlertRoute {
  topic: string;
  mail?: { accountName: string };
  sms?: { signName: string; templateCode: string };
}

export function alertRouteOf(config: Pick<HandlerConfig, "alertTopic" | "alertMail" | "alertSms">): AlertRoute | undefined {
  if (!config.alertTopic) return undefined;
  return { topic: config.alertTopic, ...(config.alertMail ? { mail: config.alertMail } : {}), ...(config.alertSms ? { sms: config.alertSms } : {}) };
}

/** `s` cut to `max` characters (code points), ending in "…" when cut. */
export function cut(s: string, max: number): string {
  const chars = [...s.replace(/\s+/g, " ").trim()];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`;
}

/** The line a person reads first: mail subject, body `summary`. */
export function summaryLine(alert: CriticalAlert): string {
  return cut(`[CRITICAL] ${alert.summary}`, SUMMARY_MAX_CHARS);
}

/** The SMS template's one variable (`${alert}`). */
export function smsText(alert: CriticalAlert): string {
  return cut(alert.short ?? alert.summary, SMS_TEXT_MAX_CHARS);
}

/** The topic message: compact JSON a person can read in a mail or chat message. */
export function alertMessage(alert: CriticalAlert, origin: AlertOrigin, atMs: number): string {
  const message = { alert: alert.name, severity: "CRITICAL", summary: summaryLine(alert), handler: origin.handler, eventId: origin.eventId, instanceId: origin.instanceId, detail: alert.detail, at: new Date(atMs).toISOString() };
  const text = JSON.stringify(message);
  if (Buffer.byteLength(text) <= MAX_MESSAGE_BYTES) return text;
  // Never lose the alert to its size: the full detail stays in the outcome line's actions.
  return JSON.stringify({ ...message, detail: { truncated: `${Buffer.byteLength(text)} bytes is more than one MNS message; the full detail is in the outcome log line` } });
}

/** DirectMail / DirectSMS for the configured kinds of subscription; undefined when neither is configured. */
export function messageAttributes(alert: CriticalAlert, route: AlertRoute): TopicMessageAttributes | undefined {
  if (!route.mail && !route.sms) return undefined;
  return {
    ...(route.mail ? { DirectMail: { AccountName: route.mail.accountName, Subject: summaryLine(alert), AddressType: 1, IsHtml: 0, ReplyToAddress: 0 } } : {}),
    ...(route.sms ? { DirectSMS: { FreeSignName: route.sms.signName, TemplateCode: route.sms.templateCode, Type: "singleContent", SmsParams: JSON.stringify({ alert: smsText(alert) }) } } : {}),
  };
}

/**
 * MNS PublishMessage to the route's topic through the gateway: recorded in the
 * outcome (so DRY_RUN shows the alert it would send, attributes included) and
 * not sent under DRY_RUN. The publisher retries; a permanent failure rejects,
 * for the caller to report.
 */
export function topicAlertSink(cloud: CloudGateway, publisher: TopicPublisher, route: AlertRoute, origin: AlertOrigin, now: () => number): AlertSink {
  return {
    async critical(alert) {
      const body = alertMessage(alert, origin, now());
      const attributes = messageAttributes(alert, route);
      try {
        await cloud.mutateVia(MNS.publishMessage, { TopicName: route.topic, MessageBody: body, ...(attributes ? { MessageAttributes: attributes } : {}) }, () => publisher.publish(route.topic, body, attributes));
      } catch (err) {
        throw new Error(`CRITICAL alert ${alert.name} NOT delivered to MNS topic ${route.topic}: ${(err as Error)?.message ?? String(err)}`);
      }
    },
  };
}

const undelivered = (why: string): AlertSink => ({ critical: async (alert) => Promise.reject(new Error(`CRITICAL alert ${alert.name} NOT delivered: ${why}`)) });

/**
 * The one place that decides where a handler's alerts go. A handler alerts
 * only if it lists ALERT_APIS in its `apis` (so its RAM policy may publish);
 * otherwise, or without ALERT_TOPIC, the alert rejects with a reason the
 * caller reports as a warning.
 */
export function alertSinkFor(handler: Pick<EventHandler, "name" | "apis">, config: HandlerConfig, cloud: CloudGateway, publisher: TopicPublisher | undefined, origin: AlertOrigin, now: () => number): AlertSink {
  if (!ALERT_APIS.every((api) => handler.apis.includes(api))) return undelivered(`${handler.name} does not list ALERT_APIS (${ALERT_APIS.map(ramAction).join(", ")}) in its apis`);
  const route = alertRouteOf(config);
  if (!route) return undelivered("ALERT_TOPIC is not set");
  if (!publisher) return undelivered("no MNS topic publisher was wired into this invocation");
  return topicAlertSink(cloud, publisher, route, origin, now);
}
