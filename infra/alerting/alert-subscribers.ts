// Who the handlers' CRITICAL alert topic reaches: the CRITICAL tier's contacts
// (SMS to phones, email) and its webhooks. Pure: config in, subscriber list out.
import { StackConfig } from "../config/schema";

export interface SubscriberSpec {
  name: string;
  pushType: "alisms" | "email" | "http";
  /** A phone or email address, or the name of a configured webhook (its URL is secret). */
  endpoint: string;
  webhook?: string;
}

/**
 * Email needs a DirectMail sender and SMS a signature and template (MNS sends
 * through them); without those, only webhooks are subscribed.
 */
export function criticalAlertSubscribers(config: Pick<StackConfig, "tiers" | "contacts" | "contactGroups" | "automation">): SubscriberSpec[] {
  const tier = config.tiers.CRITICAL;
  const alerts = config.automation?.alerts ?? {};
  const sms = Boolean(alerts.smsSignName && alerts.smsTemplateCode);
  const mail = Boolean(alerts.mailAccount);
  const members = new Set(config.contactGroups.filter((g) => tier.contactGroups.includes(g.name)).flatMap((g) => g.members));
  const people = config.contacts
    .filter((c) => members.has(c.name))
    .flatMap((c): SubscriberSpec[] => [
      ...(sms && c.phone ? [{ name: `${c.name}-sms`, pushType: "alisms" as const, endpoint: c.phone }] : []),
      ...(mail && c.email ? [{ name: `${c.name}-email`, pushType: "email" as const, endpoint: c.email }] : []),
    ]);
  const hooks = tier.targets.webhooks.map((w): SubscriberSpec => ({ name: `webhook-${w}`, pushType: "http", endpoint: w, webhook: w }));
  return [...people, ...hooks];
}
