// Expiry events (InstanceExpiration.*, AccountUnbalanced.*): renew, notify or
// let expire, per the instance's group policy. The same decisions run on a
// daily horizon scan (scan.ts), because the CMS names of these events are
// unconfirmed and an event may never come.
import { ECS } from "../cloud/apis";
import { FINAL_STATUSES } from "../catalogue";
import type { HandlerConfig } from "../contract";
import type { EventHandler, HandlerContext, HandlerResult } from "../core/handler";
import { listOf, str } from "../lb/responses";
import { EXPIRY_APIS, EXPIRY_NOTICE_EVENT_NAME, alertExpiring, billedInstance, handleInstance, parseExpirySettings, type ExpirySettings } from "./scan";

/** The platform says the instance is about to stop or go: no horizon applies. */
const EVENT_HORIZON_DAYS = 36_500;

export function createExpiryHandler(settingsFrom: (config: HandlerConfig) => ExpirySettings): EventHandler {
  async function run(ctx: HandlerContext): Promise<HandlerResult> {
    const { event, cloud, config, clock, alerts } = ctx;
    const { instanceId, regionId } = event;
    if (event.status && FINAL_STATUSES.includes(event.status)) {
      return { outcome: "skipped", reason: `${event.name} is ${event.status}: final, nothing left to prevent` };
    }
    const settings = settingsFrom(config);
    const eventType = str(event.content.eventType) ?? event.entry.event;

    const body = await cloud.read(ECS.describeInstances, { RegionId: regionId, InstanceIds: JSON.stringify([instanceId]) });
    const raw = listOf(body, "Instances", "Instance").find((i) => str(i.InstanceId) === instanceId);
    if (!raw) return { outcome: "skipped", reason: `instance ${instanceId} no longer exists` };
    const instance = billedInstance(raw);

    if (eventType.startsWith("AccountUnbalanced.")) {
      // Overdue payment: renewing cannot help, only topping up the account can.
      if (instance.tags[config.scope.tagKey] !== config.scope.tagValue) return { outcome: "skipped", reason: `instance ${instanceId} does not carry the scope tag ${config.scope.tagKey}=${config.scope.tagValue}` };
      const reason = `${eventType} ${event.status ?? ""} for ${instanceId}: the account is overdue; top it up before the platform acts`.trim();
      await alerts.critical({
        name: EXPIRY_NOTICE_EVENT_NAME,
        summary: `account overdue: ${eventType} ${event.status ?? ""} for ${instanceId}; top the account up before the platform acts`.replace(/ {2,}/g, " "),
        short: `account overdue: ${instanceId}`,
        detail: { source: "event", eventName: event.name, instanceId, regionId, reason },
      });
      return { outcome: "acted", reason: `notified: ${reason}` };
    }

    const result = await handleInstance({ cloud, regionId, settings, scope: config.scope, now: clock.now() }, instance, EVENT_HORIZON_DAYS);
    switch (result.kind) {
      case "renewed":
        return { outcome: "acted", reason: `renewed: ${result.reason}` };
      case "notify":
      case "undecidable":
        await alertExpiring(alerts, [result], { source: "event", eventName: event.name, regionId });
        return { outcome: "acted", reason: `notified: ${result.reason}` };
      case "nothing":
        return { outcome: "skipped", reason: `nothing done: ${result.reason}` };
      case "out-of-scope":
      case "not-applicable":
        return { outcome: "skipped", reason: result.reason };
    }
  }

  return { name: "expiry", destructive: true, apis: EXPIRY_APIS, run };
}

/** The deployed handler: settings from the environment of each invocation. */
export const expiry: EventHandler = createExpiryHandler(parseExpirySettings);
