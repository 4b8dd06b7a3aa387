// FC entry for the maintenance function. Two kinds of invocation:
// - a CMS system event → the maintenance handler (decode, dispatch, report, as every entry);
// - the FC timer trigger (payload `{"reconcile":true}`) → one reconciler tick
//   over the pending actions. See handlers/README.md "Maintenance".
import { randomUUID } from "node:crypto";
import { credentialSource } from "../cloud/credentials";
import { endpointFor } from "../cloud/endpoints";
import { OpenApiCloud } from "../cloud/openapi";
import { OssObjectStore } from "../cloud/oss";
import { deadlineAt } from "../cloud/retry";
import { parseEnv, type HandlerConfig } from "../contract";
import { messageOf } from "../core/invoke";
import { outcomeLine, type Outcome } from "../core/outcome";
import { systemClock, type Clock } from "../core/ports";
import { alertSinkFor } from "../core/alerts";
import type { CloudGateway } from "../core/gateway";
import { alertPublisher, fcHandler, isTimerRequest, type FcContext } from "../fc-entry";
import { createMaintenanceHandler, maintenance, parseMaintenanceSettings } from "../maintenance/handler";
import { gatewayPerRecord, reconcile } from "../maintenance/reconciler";
import type { StoredPending } from "../maintenance/store";

/** The timer's payload `{"reconcile": true}`, directly or inside the FC timer trigger's `payload` string. */
export function isReconcileRequest(body: unknown): boolean {
  return isTimerRequest(body, (payload) => payload.reconcile === true);
}

export function createHandler(clock: Clock = systemClock) {
  return async function handler(event: unknown, context: FcContext): Promise<Outcome> {
    const env = process.env;
    const started = clock.now();
    const requestId = context?.requestId ?? `local-${started}-${randomUUID()}`;
    const region = context?.region ?? env.FC_REGION ?? env.ALIBABA_CLOUD_REGION_ID ?? "cn-hangzhou";
    const credentials = credentialSource(context?.credentials);
    const timeoutMs = (context?.function?.timeout ?? 60) * 1000;
    const objectsFor = (bucket: string, deadline: ReturnType<typeof deadlineAt>, api: HandlerConfig["api"]) =>
      new OssObjectStore({ bucket, endpoint: endpointFor("oss", region, env), credentials, retry: api, deadline, callTimeoutMs: api.callTimeoutMs });

    if (!isReconcileRequest(event)) {
      const def = createMaintenanceHandler({
        settings: (config) => parseMaintenanceSettings(config),
        objects: (config) => objectsFor(config.idempotency.bucket, deadlineAt(started + timeoutMs - config.deadlineMarginMs, clock.now), config.api),
        writer: requestId,
      });
      return fcHandler(def, clock)(event, context);
    }

    // Timer tick. A failed reconcile is reported, not thrown: the next tick is the
    // retry (an FC async retry or a dead letter of a timer payload would add
    // nothing). A config error does throw: the deployment itself is broken.
    const config = parseEnv(env);
    const timing = parseMaintenanceSettings(config);
    const deadline = deadlineAt(started + timeoutMs - config.deadlineMarginMs, clock.now);
    const cloudApi = new OpenApiCloud({ env, credentials, retry: config.api, deadline, callTimeoutMs: config.api.callTimeoutMs });
    const publisher = alertPublisher(config, endpointFor("mns", region, env, context?.accountId ?? config.accountId), credentials, deadline);
    // A record's escalation names the maintenance event it is about.
    const alerts = (cloud: CloudGateway, record: StoredPending) => alertSinkFor(maintenance, config, cloud, publisher, { handler: "maintenance", eventId: record.eventId, instanceId: record.instanceId }, clock.now);
    let outcome: Outcome;
    try {
      const report = await reconcile({ gatewayFor: gatewayPerRecord(cloudApi, config.dryRun), objects: objectsFor(config.idempotency.bucket, deadline, config.api), clock, config, timing, writer: requestId, deadline, alerts });
      const acted = report.records.some((r) => r.steps.length > 0);
      outcome = {
        outcome: acted ? (config.dryRun ? "dry-run" : "acted") : "skipped",
        handler: "maintenance",
        eventId: `reconcile/${requestId}`,
        name: "timer:reconcile",
        reason: report.records.length === 0 ? "no pending maintenance actions" : report.records.map((r) => `${r.eventId} ${r.instanceId}: ${[...r.steps, `phase ${r.phase}${r.outcome ? ` (${r.outcome})` : ""}`, ...(r.note ? [r.note] : [])].join("; ")}`).join(" | "),
        actions: report.actions,
        warnings: report.warnings.length ? report.warnings : undefined,
        durationMs: clock.now() - started,
      };
    } catch (err) {
      outcome = { outcome: "failed", handler: "maintenance", eventId: `reconcile/${requestId}`, name: "timer:reconcile", reason: messageOf(err), actions: [], durationMs: clock.now() - started };
    }
    console.log(outcomeLine(outcome));
    return outcome;
  };
}

export const handler = createHandler();
