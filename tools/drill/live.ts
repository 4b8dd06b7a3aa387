// The live drill: real simulated system events on an account (or on the fake
// cloud, through the same adapter). Create in batches of ≤ 100, follow with
// DescribeInstanceHistoryEvents (status filters, so Scheduled/Executing show),
// report, and cancel whatever it created and is still active on the way out —
// Ctrl-C included. It never sets TriggerRealOps: simulated events then touch
// nothing.
import { CATALOGUE, FINAL_STATUSES, STATUSES } from "../../handlers/catalogue";
import type { ApiAction } from "../../handlers/core/apis";
import type { CloudApi, Json } from "../../handlers/core/ports";
import { listOf, str } from "../../handlers/cloud/rpc-response";

/** The ECS APIs a drill calls (constants, like handlers/core/apis.ts). */
export const DRILL_APIS = {
  describeInstances: { product: "ecs", action: "DescribeInstances", mutating: false },
  createSimulatedSystemEvents: { product: "ecs", action: "CreateSimulatedSystemEvents", mutating: true },
  cancelSimulatedSystemEvents: { product: "ecs", action: "CancelSimulatedSystemEvents", mutating: true },
  describeInstanceHistoryEvents: { product: "ecs", action: "DescribeInstanceHistoryEvents", mutating: false },
} as const satisfies Record<string, ApiAction>;

/** Event types CreateSimulatedSystemEvents accepts: the catalogue's `simulatable` entries. */
export const SIMULATABLE = CATALOGUE.filter((e) => e.simulatable).map((e) => e.event);

export const BATCH = 100;
export const MAX_WITHOUT_YES = 5;
export const DRILL_TAG = { key: "eventops-drill", value: "true" } as const;

export class DrillError extends Error {
  override name = "DrillError";
  constructor(
    message: string,
    readonly code = "DrillError",
  ) {
    super(message);
  }
}

export interface LiveDrillOptions {
  cloud: CloudApi;
  regionId: string;
  /** `SystemMaintenance.Reboot` or `Instance:SystemMaintenance.Reboot`. */
  eventType: string;
  instanceIds?: string[];
  tag?: { key: string; value: string };
  notBefore: Date;
  yes: boolean;
  /** How long to follow before cancelling what is left (ms); default until every event is final. */
  followMs?: number;
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborted = interrupted (SIGINT/SIGTERM): stop following, cancel, report. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface LiveEventReport {
  eventId: string;
  instanceId: string;
  statuses: string[];
  final?: string;
  canceledByDrill: boolean;
}

export interface LiveDrillReport {
  eventType: string;
  instances: string[];
  created: number;
  events: LiveEventReport[];
  canceled: number;
  interrupted: boolean;
  /** Set when creation stopped early (quota, bad parameter): the error code and message. */
  stoppedBy?: { code: string; message: string };
}

const realSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

export function normalizeEventType(t: string): string {
  const type = t.startsWith("Instance:") ? t.slice("Instance:".length) : t;
  if (!SIMULATABLE.includes(type)) {
    throw new DrillError(`${t} cannot be simulated by CreateSimulatedSystemEvents; simulatable: ${SIMULATABLE.join(", ")}. For other events (spot interruption, ...) use a local drill, which injects them.`, "InvalidEventType");
  }
  return type;
}

const errorCode = (e: unknown) => String((e as { code?: unknown })?.code ?? (e as { data?: { Code?: string } })?.data?.Code ?? "");
const errorMessage = (e: unknown) => String((e as { data?: { Message?: string } })?.data?.Message ?? (e as Error)?.message ?? e);

/** What a person can do about an API error of the drill. */
export function explainError(e: unknown, ctx: { instances?: string[]; notBefore?: Date } = {}): DrillError {
  const code = errorCode(e);
  const msg = errorMessage(e);
  switch (code) {
    case "SimulatedEventLimitExceeded":
      return new DrillError(`the account already holds the maximum of 1000 scheduled simulated events (SimulatedEventLimitExceeded). Cancel finished drills' events (CancelSimulatedSystemEvents) or drill fewer instances.`, code);
    case "InvalidNotBefore.Passed":
      return new DrillError(`--not-before ${ctx.notBefore?.toISOString() ?? ""} is already in the past for the cloud (InvalidNotBefore.Passed): give a later time.`, code);
    case "InvalidInstanceId.NotFound":
      return new DrillError(`an instance does not exist in this region (InvalidInstanceId.NotFound): ${msg}. Check --instances and --region.`, code);
    case "InstanceIdLimitExceeded":
      return new DrillError(`more than ${BATCH} instances in one call (InstanceIdLimitExceeded): this is a drill bug, batches should be ≤ ${BATCH}.`, code);
    default:
      return new DrillError(`${code || "error"}: ${msg}`, code || "DrillError");
  }
}

/** DescribeInstances for ids (≤ 100 per call) or a tag (paged); returns id → tags. */
export async function describeInstances(cloud: CloudApi, regionId: string, by: { ids?: string[]; tag?: { key: string; value: string } }): Promise<Map<string, Record<string, string>>> {
  const found = new Map<string, Record<string, string>>();
  const read = (body: Json) => {
    for (const i of listOf(body, "Instances", "Instance")) {
      const id = str(i.InstanceId);
      if (!id) continue;
      const tags: Record<string, string> = {};
      for (const t of listOf(i, "Tags", "Tag")) {
        const k = str(t.TagKey ?? t.Key);
        if (k) tags[k] = str(t.TagValue ?? t.Value) ?? "";
      }
      found.set(id, tags);
    }
  };
  if (by.ids) {
    for (let i = 0; i < by.ids.length; i += BATCH) {
      read(await cloud.call({ api: DRILL_APIS.describeInstances, regionId, params: { RegionId: regionId, InstanceIds: JSON.stringify(by.ids.slice(i, i + BATCH)), PageSize: BATCH } }));
    }
  } else if (by.tag) {
    for (let page = 1; ; page++) {
      const body = await cloud.call({ api: DRILL_APIS.describeInstances, regionId, params: { RegionId: regionId, Tag: [{ Key: by.tag.key, Value: by.tag.value }], PageSize: BATCH, PageNumber: page } });
      const before = found.size;
      read(body);
      const total = Number(body.TotalCount ?? 0);
      if (found.size >= total || found.size === before) break;
    }
  }
  return found;
}

/** Checks the drill may go ahead; throws a DrillError saying why not. */
export function guard(instances: Map<string, Record<string, string>>, requested: string[] | undefined, yes: boolean): string[] {
  const missing = (requested ?? []).filter((id) => !instances.has(id));
  if (missing.length) throw new DrillError(`instance(s) not found in this region: ${missing.join(", ")} (InvalidInstanceId.NotFound). Nothing was created.`, "InvalidInstanceId.NotFound");
  const ids = requested ?? [...instances.keys()].sort();
  if (ids.length === 0) throw new DrillError("no instance matched: nothing to drill", "NoInstances");
  if (yes) return ids;
  if (ids.length > MAX_WITHOUT_YES) throw new DrillError(`${ids.length} instances: a drill of more than ${MAX_WITHOUT_YES} instances needs --yes`, "NeedsYes");
  const untagged = ids.filter((id) => instances.get(id)?.[DRILL_TAG.key] !== DRILL_TAG.value);
  if (untagged.length) throw new DrillError(`not tagged as drill instances (${DRILL_TAG.key}=${DRILL_TAG.value}): ${untagged.join(", ")}. Tag them, or pass --yes to drill them anyway.`, "NeedsYes");
  return ids;
}

export async function runLiveDrill(o: LiveDrillOptions): Promise<LiveDrillReport> {
  const log = o.log ?? ((l: string) => console.log(l));
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const eventType = normalizeEventType(o.eventType);
  if (!o.instanceIds?.length && !o.tag) throw new DrillError("give --instances <ids> or --tag k=v", "Usage");
  if (!(o.notBefore.getTime() > now())) throw new DrillError(`--not-before ${o.notBefore.toISOString()} is not in the future (InvalidNotBefore.Passed would follow). Nothing was created.`, "InvalidNotBefore.Passed");

  const seen = await describeInstances(o.cloud, o.regionId, o.instanceIds?.length ? { ids: o.instanceIds } : { tag: o.tag });
  const instances = guard(seen, o.instanceIds?.length ? o.instanceIds : undefined, o.yes);
  const notBefore = o.notBefore.toISOString().replace(/\.\d{3}Z$/, "Z");
  log(`live drill: ${eventType} on ${instances.length} instance(s) in ${o.regionId}, NotBefore ${notBefore} (simulated: TriggerRealOps not set)`);

  const report: LiveDrillReport = { eventType, instances, created: 0, events: [], canceled: 0, interrupted: false };
  const events = new Map<string, LiveEventReport>();
  try {
    for (let i = 0; i < instances.length && !o.signal?.aborted; i += BATCH) {
      const batch = instances.slice(i, i + BATCH);
      let body: Json;
      try {
        body = await o.cloud.call({ api: DRILL_APIS.createSimulatedSystemEvents, regionId: o.regionId, params: { RegionId: o.regionId, EventType: eventType, InstanceId: batch, NotBefore: notBefore } });
      } catch (e) {
        const err = explainError(e, { instances: batch, notBefore: o.notBefore });
        report.stoppedBy = { code: err.code, message: err.message };
        log(`  creation stopped after ${events.size} event(s): ${err.message}`);
        break;
      }
      const ids = ((body.EventIdSet as Json | undefined)?.EventId as string[] | undefined) ?? [];
      // The API answers ids in the order of InstanceId.N.
      ids.forEach((id, k) => events.set(id, { eventId: id, instanceId: batch[k] ?? "?", statuses: [], canceledByDrill: false }));
      log(`  created ${ids.length} simulated event(s) (batch ${i / BATCH + 1})`);
    }
    report.created = events.size;

    const until = o.followMs === undefined ? Infinity : now() + o.followMs;
    while (!o.signal?.aborted && events.size > 0) {
      await observe(o, events, log, now);
      const open = [...events.values()].filter((e) => !e.final);
      if (open.length === 0 || now() >= until) break;
      await sleep(o.pollMs ?? 5000, o.signal);
    }
  } finally {
    report.interrupted = Boolean(o.signal?.aborted);
    if (report.interrupted) log("  interrupted: cancelling what the drill created");
    report.canceled = await cancelOpen(o, events, log).catch((e) => {
      log(`  could not cancel every event: ${errorMessage(e)} — cancel them by hand: ${[...events.values()].filter((x) => !x.final).map((x) => x.eventId).join(" ")}`);
      return 0;
    });
    if (report.canceled > 0) await observe(o, events, log, now).catch(() => undefined);
    report.events = [...events.values()];
  }
  return report;
}

async function observe(o: LiveDrillOptions, events: Map<string, LiveEventReport>, log: (l: string) => void, now: () => number) {
  const ids = [...events.keys()];
  for (let i = 0; i < ids.length; i += BATCH) {
    const chunk = ids.slice(i, i + BATCH);
    for (let page = 1; ; page++) {
      const body = await o.cloud.call({
        api: DRILL_APIS.describeInstanceHistoryEvents,
        regionId: o.regionId,
        params: { RegionId: o.regionId, EventId: chunk, InstanceEventCycleStatus: [...STATUSES], PageSize: BATCH, PageNumber: page },
      });
      const rows = listOf(body, "InstanceSystemEventSet", "InstanceSystemEventType");
      for (const row of rows) {
        const ev = events.get(str(row.EventId) ?? "");
        const status = str((row.EventCycleStatus as Json | undefined)?.Name);
        if (!ev || !status || ev.statuses[ev.statuses.length - 1] === status) continue;
        ev.statuses.push(status);
        if ((FINAL_STATUSES as readonly string[]).includes(status)) ev.final = status;
        log(`  ${new Date(now()).toISOString()} ${ev.eventId} ${ev.instanceId}: ${status}`);
      }
      if (rows.length < BATCH || page * BATCH >= Number(body.TotalCount ?? 0)) break;
    }
  }
}

async function cancelOpen(o: LiveDrillOptions, events: Map<string, LiveEventReport>, log: (l: string) => void): Promise<number> {
  const open = [...events.values()].filter((e) => !e.final);
  for (let i = 0; i < open.length; i += BATCH) {
    const chunk = open.slice(i, i + BATCH);
    await o.cloud.call({ api: DRILL_APIS.cancelSimulatedSystemEvents, regionId: o.regionId, params: { RegionId: o.regionId, EventId: chunk.map((e) => e.eventId) } });
    for (const e of chunk) e.canceledByDrill = true;
  }
  if (open.length) log(`  cancelled ${open.length} simulated event(s) the drill created`);
  return open.length;
}

export function renderLiveReport(r: LiveDrillReport): string {
  const byFinal = new Map<string, number>();
  for (const e of r.events) byFinal.set(e.final ?? "open", (byFinal.get(e.final ?? "open") ?? 0) + 1);
  return [
    `live drill report: ${r.eventType}, ${r.instances.length} instance(s), ${r.created} event(s) created${r.interrupted ? ", interrupted" : ""}`,
    `  final statuses: ${[...byFinal].map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`,
    `  cancelled by the drill: ${r.canceled}`,
    ...(r.stoppedBy ? [`  stopped early: ${r.stoppedBy.message}`] : []),
  ].join("\n");
}
