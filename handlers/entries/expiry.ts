// FC entry for the expiry function. Two kinds of invocation:
// - a CMS expiry event → the expiry handler (decode, dispatch, report, as every entry);
// - the FC timer trigger (payload `{"scan":"expiry"}`) → one horizon scan of
//   the region's subscription instances. See handlers/README.md "Expiry".
import { randomUUID } from "node:crypto";
import { credentialSource } from "../cloud/credentials";
import { OpenApiCloud } from "../cloud/openapi";
import { deadlineAt } from "../cloud/retry";
import { endpointFor } from "../cloud/endpoints";
import { alertSinkFor } from "../core/alerts";
import { parseEnv } from "../contract";
import { CloudGateway } from "../core/gateway";
import { messageOf } from "../core/invoke";
import { outcomeLine, type Outcome } from "../core/outcome";
import { systemClock, type Clock } from "../core/ports";
import { expiry } from "../expiry/handler";
import { parseExpirySettings, runExpiryScan, summarizeResults } from "../expiry/scan";
import { alertPublisher, fcHandler, isTimerRequest, type FcContext } from "../fc-entry";

/** `{"scan":"expiry"}` directly, or inside the FC timer trigger's `payload` string. */
export function isScanRequest(body: unknown): boolean {
  return isTimerRequest(body, (payload) => payload.scan === "expiry");
}

export function createHandler(clock: Clock = systemClock) {
  const onEvent = fcHandler(expiry, clock);
  return async function handler(event: unknown, context: FcContext): Promise<Outcome> {
    if (!isScanRequest(event)) return onEvent(event, context);
    const env = process.env;
    const started = clock.now();
    const requestId = context?.requestId ?? `local-${started}-${randomUUID()}`;
    const regionId = context?.region ?? env.FC_REGION ?? env.ALIBABA_CLOUD_REGION_ID ?? "cn-hangzhou";
    const timeoutMs = (context?.function?.timeout ?? 60) * 1000;
    const ids = { handler: "expiry", eventId: `scan/${requestId}`, name: "timer:expiry-scan" };
    let outcome: Outcome;
    // A failure is reported, not thrown: tomorrow's scan is the retry.
    let cloud: CloudGateway | undefined;
    try {
      const config = parseEnv(env);
      const settings = parseExpirySettings(config);
      const deadline = deadlineAt(started + timeoutMs - config.deadlineMarginMs, clock.now);
      const credentials = credentialSource(context?.credentials);
      const api = new OpenApiCloud({ env, credentials, retry: config.api, deadline, callTimeoutMs: config.api.callTimeoutMs });
      const day = new Date(started).toISOString().slice(0, 10);
      cloud = new CloudGateway(api, { dryRun: config.dryRun, eventKey: `expiry-scan/${regionId}/${day}`, regionId });
      const publisher = alertPublisher(config, endpointFor("mns", regionId, env, context?.accountId ?? config.accountId), credentials, deadline);
      const alerts = alertSinkFor(expiry, config, cloud, publisher, { handler: "expiry", eventId: ids.eventId }, clock.now);
      const results = await runExpiryScan({ cloud, regionId, settings, scope: config.scope, now: clock.now() }, alerts);
      const acted = results.some((r) => r.kind === "renewed" || r.kind === "notify" || r.kind === "undecidable");
      outcome = { outcome: acted ? (config.dryRun ? "dry-run" : "acted") : "skipped", ...ids, reason: summarizeResults(results), actions: cloud.actions, durationMs: clock.now() - started };
    } catch (err) {
      outcome = { outcome: "failed", ...ids, reason: messageOf(err), actions: cloud?.actions ?? [], durationMs: clock.now() - started };
    }
    console.log(outcomeLine(outcome));
    return outcome;
  };
}

export const handler = createHandler();
