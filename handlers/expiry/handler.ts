// Expiry events (InstanceExpiration.*, AccountUnbalanced.*): renew, notify or
// let expire, per the instance's group policy. The same decisions run on the
// daily horizon scan (`onTimer`, scan.ts), because the CMS names of these
// events are unconfirmed and an event may never come.
import { FINAL_STATUSES } from "../catalogue";
import { requireGroupPolicies } from "../contract";
import type { EventHandler, HandlerContext, HandlerResult, TimerContext } from "../core/handler";
import { decideScope } from "../core/scope";
import { describeInstance } from "../ecs/instance";
import { str } from "../cloud/rpc-response";
import { EXPIRY_APIS, EXPIRY_NOTICE_EVENT_NAME, alertExpiring, billedInstance, handleInstance, runExpiryScan, summarizeResults } from "./scan";

/** The platform says the instance is about to stop or go: no horizon applies. */
const EVENT_HORIZON_DAYS = 36_500;

async function run(ctx: HandlerContext): Promise<HandlerResult> {
  const { event, cloud, config, clock, alerts } = ctx;
  const { instanceId, regionId } = event;
  if (event.status && FINAL_STATUSES.includes(event.status)) {
    return { outcome: "skipped", reason: `${event.name} is ${event.status}: final, nothing left to prevent` };
  }
  const policies = requireGroupPolicies(config, "expiry");
  const eventType = str(event.content.eventType) ?? event.entry.event;

  const found = await describeInstance(cloud, instanceId, regionId);
  if (!found) return { outcome: "skipped", reason: `instance ${instanceId} no longer exists` };
  const instance = billedInstance(found);

  if (eventType.startsWith("AccountUnbalanced.")) {
    // Overdue payment: renewing cannot help, only topping up the account can.
    const scope = decideScope(instanceId, instance, config.scope);
    if (!scope.inScope) return { outcome: "skipped", reason: scope.reason };
    const reason = `${eventType} ${event.status ?? ""} for ${instanceId}: the account is overdue; top it up before the platform acts`.trim();
    await alerts.critical({
      name: EXPIRY_NOTICE_EVENT_NAME,
      summary: `account overdue: ${eventType} ${event.status ?? ""} for ${instanceId}; top the account up before the platform acts`.replace(/ {2,}/g, " "),
      short: `account overdue: ${instanceId}`,
      detail: { source: "event", eventName: event.name, instanceId, regionId, reason },
    });
    return { outcome: "acted", reason: `notified: ${reason}` };
  }

  const result = await handleInstance({ cloud, regionId, policies, config, now: clock.now() }, instance, EVENT_HORIZON_DAYS);
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

/** The daily scan of the function's region. A failure is reported: tomorrow's scan is the retry. */
async function onTimer(ctx: TimerContext): Promise<HandlerResult> {
  const policies = requireGroupPolicies(ctx.config, "expiry");
  const now = ctx.clock.now();
  // One scan a day per region: its ClientTokens (RenewInstance's are the instance's own) stay scoped to it.
  const cloud = ctx.gateway(`expiry-scan/${ctx.regionId}/${new Date(now).toISOString().slice(0, 10)}`, ctx.regionId);
  const results = await runExpiryScan({ cloud, regionId: ctx.regionId, policies, config: ctx.config, now }, ctx.alerts(cloud, { eventId: ctx.tickId }));
  const acted = results.some((r) => r.kind === "renewed" || r.kind === "notify" || r.kind === "undecidable");
  return { outcome: acted ? "acted" : "skipped", reason: summarizeResults(results) };
}

export const expiry: EventHandler = { name: "expiry", destructive: true, apis: EXPIRY_APIS, run, onTimer };
