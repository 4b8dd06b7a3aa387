// Intake: turns whatever Function Compute or MNS delivered into one typed
// system event, or a rejection with a reason; and tells a timer tick from an
// event. Every field a handler uses is checked here, once: its type, its
// length and, for ids, its documented form (core/ids.ts). Pure: no I/O, never
// throws, and no recursion whose depth the input controls (nesting is measured
// iteratively and bounded before anything walks the value).
import { createHash } from "node:crypto";
import { LEVELS, STATUSES, lookup, type CatalogueEntry, type EventStatus, type HandlerName, type Level } from "../catalogue";
import { isTick } from "../contract";
import { ACCOUNT_ID, DISK_ID, INSTANCE_ID, MAX_REGION_ID_LENGTH, REGION_ID, SNAPSHOT_ID, SYSTEM_EVENT_ID, shown } from "./ids";

/** FC async invocations carry at most 128 KB; anything larger is not a CMS event. */
export const MAX_BODY_BYTES = 128 * 1024;
/** CMS events nest three levels deep (envelope → content → values); anything past this is not one. */
export const MAX_DEPTH = 32;
/** A timer payload is a few bytes; a larger body is an event, never a tick. */
const MAX_TICK_BYTES = 4096;

export interface SystemEvent {
  /** Envelope `id`, when the sender gave one. */
  id?: string;
  product: string;
  name: string;
  entry: CatalogueEntry;
  level: Level;
  regionId: string;
  resourceId: string;
  /**
   * content.instanceId, else content.resourceId, else the resource ARN's id (each, when present, of the
   * documented form). For Disk and Snapshot events (no handler acts on them) content.resourceId and the
   * ARN name the disk or snapshot.
   */
  instanceId: string;
  /** content.eventStatus, else the name's suffix; only for events that have statuses. */
  status?: EventStatus;
  content: Record<string, unknown>;
  /** eventTime (compact UTC+8 or ISO 8601) or CMS `time` (epoch ms), when given. */
  eventTimeMs?: number;
  /** CMS application groups ("176,177" → ["176","177"]). */
  groupIds: string[];
  /** Stable key for idempotency: id (+ status where the event has statuses), else a hash of what identifies the event. */
  key: string;
}

export type Intake = { ok: true; event: SystemEvent } | { ok: false; reason: string };

export interface DecodeOptions {
  /** The function's own region: an event of any other region is rejected (its id would pick the API host). */
  functionRegion?: string;
  maxBytes?: number;
}

/** Nesting depth of a JSON value, measured without recursion; stops counting past `limit`. */
export function depthOf(value: unknown, limit = MAX_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function tooDeep(what: string, value: unknown): string | undefined {
  return depthOf(value) > MAX_DEPTH ? `${what} is nested deeper than ${MAX_DEPTH} levels` : undefined;
}

export function bodyToText(body: unknown): { text: string; bytes: number } | { error: string } {
  if (body === undefined || body === null) return { error: "empty body" };
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return { text: Buffer.from(body).toString("utf8"), bytes: body.byteLength };
  if (typeof body === "string") return { text: body, bytes: Buffer.byteLength(body) };
  if (typeof body === "object") {
    // Some invokers hand over already-parsed JSON; serialising it must not recurse without bound.
    const deep = tooDeep("body", body);
    if (deep) return { error: deep };
    try {
      const text = JSON.stringify(body);
      return { text, bytes: Buffer.byteLength(text) };
    } catch (err) {
      return { error: `body is an object that is not JSON (${(err as Error).message})` };
    }
  }
  return { error: `body of type ${typeof body} is neither bytes, text nor JSON` };
}

/** The body as received, base64, for the dead letter: bytes and text exactly; an object as its JSON, or a note when it has none. */
export function bodyBase64(body: unknown): string {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return Buffer.from(body).toString("base64");
  if (typeof body === "string") return Buffer.from(body, "utf8").toString("base64");
  const raw = body === undefined || body === null ? { text: "" } : bodyToText(body);
  return Buffer.from("text" in raw ? raw.text : `(unserialisable body: ${raw.error})`, "utf8").toString("base64");
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Raw JSON first, then base64 JSON (MNS may or may not base64-encode the body). JSON.parse itself does not recurse on the stack. */
export function parseJsonOrBase64(text: string): { value: unknown } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { error: "empty body" };
  try {
    return { value: JSON.parse(trimmed) };
  } catch (jsonError) {
    const compact = trimmed.replace(/\s+/g, "");
    if (BASE64.test(compact)) {
      try {
        return { value: JSON.parse(Buffer.from(compact, "base64").toString("utf8")) };
      } catch {
        return { error: "body is base64 but does not decode to JSON" };
      }
    }
    return { error: `body is not JSON (${(jsonError as Error).message.slice(0, 120)}) and not base64 JSON` };
  }
}

/** MNS topic pushes in JSON format wrap the message: `{TopicOwner, Message, ...}`. */
function unwrapMnsNotification(value: unknown): { value: unknown } | { error: string } {
  if (isRecord(value) && typeof value.Message === "string" && !("product" in value)) {
    const inner = parseJsonOrBase64(value.Message);
    return "value" in inner ? inner : { error: `MNS notification's Message: ${inner.error}` };
  }
  return { value };
}

export function decodeEvent(body: unknown, options: DecodeOptions = {}): Intake {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const raw = bodyToText(body);
  if ("error" in raw) return reject(raw.error);
  if (raw.bytes > maxBytes) return reject(`body too large: ${raw.bytes} bytes, at most ${maxBytes} allowed`);
  const parsed = parseJsonOrBase64(raw.text);
  if ("error" in parsed) return reject(parsed.error);
  const unwrapped = unwrapMnsNotification(parsed.value);
  if ("error" in unwrapped) return reject(unwrapped.error);
  const value = unwrapped.value;
  const deep = tooDeep("event", value);
  if (deep) return reject(deep);
  if (!isRecord(value)) return reject(`event must be a JSON object, got ${shown(value)}`);

  // `content` arrives as a JSON string in CMS's own records.
  const candidate: Record<string, unknown> = { ...value };
  if (typeof candidate.content === "string") {
    const content = parseJsonOrBase64(candidate.content);
    if ("error" in content || !isRecord(content.value)) return reject("content is a string but not a JSON object");
    const deepContent = tooDeep("content", content.value);
    if (deepContent) return reject(deepContent);
    candidate.content = content.value;
  }
  return checkEnvelope(candidate, options.functionRegion);
}

/** Reads fields of one object, collecting every problem (path, what was wrong) instead of stopping at the first. */
class Fields {
  readonly problems: string[] = [];
  constructor(private readonly obj: Record<string, unknown>, private readonly prefix = "") {}

  /** A string of 1..max characters, of `form` when a pattern is given. null counts as absent. */
  text(key: string, rule: { max: number; pattern?: RegExp; form?: string; optional?: boolean }): string | undefined {
    const v = this.obj[key];
    const at = `${this.prefix}${key}`;
    if (v === undefined || v === null) {
      if (!rule.optional) this.problems.push(`${at}: missing`);
      return undefined;
    }
    if (typeof v !== "string") return this.problem(`${at}: expected a string, got ${shown(v)}`);
    if (v.length === 0) return this.problem(`${at}: empty`);
    if (v.length > rule.max) return this.problem(`${at}: ${v.length} characters, at most ${rule.max}`);
    if (rule.pattern && !rule.pattern.test(v)) return this.problem(`${at}: ${shown(v)} is not ${rule.form}`);
    return v;
  }

  /** One of `allowed`. */
  oneOf<T extends string>(key: string, allowed: readonly T[], optional = false): T | undefined {
    const v = this.text(key, { max: 64, optional });
    if (v === undefined) return undefined;
    return (allowed as readonly string[]).includes(v) ? (v as T) : this.problem(`${this.prefix}${key}: ${shown(v)} is not one of ${allowed.join(", ")}`);
  }

  /** A string or a finite number (CMS records send some ids and times as either). */
  textOrNumber(key: string, max: number): string | undefined {
    const v = this.obj[key];
    if (typeof v === "number") return Number.isFinite(v) ? String(v) : this.problem(`${this.prefix}${key}: ${v} is not a finite number`);
    return this.text(key, { max, optional: true });
  }

  problem(message: string): undefined {
    this.problems.push(message);
    return undefined;
  }
}

const RESOURCE_ID_FORMS: Record<CatalogueEntry["resource"], { pattern: RegExp; form: string; arnType: string }> = {
  Instance: { pattern: INSTANCE_ID, form: "an instance id (i- and lower-case letters or digits)", arnType: "instance" },
  Disk: { pattern: DISK_ID, form: "a disk id (d- and lower-case letters or digits)", arnType: "disk" },
  Snapshot: { pattern: SNAPSHOT_ID, form: "a snapshot id (s- and lower-case letters or digits)", arnType: "snapshot" },
};
const INSTANCE_FORM = RESOURCE_ID_FORMS.Instance;
/** `acs:ecs:<region>:<account>:<type>/<id>`, the CMS notification's resourceId (doc-detail/143663). */
const ECS_ARN = /^acs:ecs:([^:]*):([^:]*):([a-z]+)\/(.*)$/;
const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const WORD = /^[A-Za-z][A-Za-z.]*$/;

function checkEnvelope(e: Record<string, unknown>, functionRegion: string | undefined): Intake {
  const f = new Fields(e);
  const id = f.text("id", { max: 128, pattern: EVENT_ID, form: "an event id (letters, digits, . _ : -)", optional: true });
  const product = f.text("product", { max: 32 });
  const name = f.text("name", { max: 128 });
  const level = f.oneOf("level", LEVELS);
  const regionId = f.text("regionId", { max: MAX_REGION_ID_LENGTH, pattern: REGION_ID, form: "a region id (e.g. cn-hangzhou)" });
  if (regionId && functionRegion !== undefined && regionId !== functionRegion) f.problem(`regionId: ${shown(regionId)} is not this function's region ${functionRegion}; an event is handled by the function of its own region`);
  const resourceId = f.text("resourceId", { max: 256 });
  const eventTime = f.text("eventTime", { max: 64, optional: true });
  const time = f.textOrNumber("time", 32);
  const groupId = f.textOrNumber("groupId", 256);
  if (!isRecord(e.content)) f.problem(`content: expected a JSON object, got ${shown(e.content)}`);
  if (f.problems.length) return reject(`invalid event: ${f.problems.join("; ")}`);

  const found = lookup(name!);
  if (!found) return reject(`unknown event name ${shown(name)} (not in the event catalogue)`);
  const entry = found.entry;
  if (entry.product !== product) return reject(`event "${name}" is catalogued for product ${entry.product}, got ${shown(product)}`);

  const content = e.content as Record<string, unknown>;
  const c = new Fields(content, "content.");
  const form = RESOURCE_ID_FORMS[entry.resource];
  const contentInstance = c.text("instanceId", { max: 64, ...INSTANCE_FORM, optional: true });
  const contentResource = c.text("resourceId", { max: 64, ...form, optional: true });
  c.text("eventId", { max: 64, pattern: SYSTEM_EVENT_ID, form: "a system event id (e- and lower-case letters or digits)", optional: true });
  const contentStatus = c.oneOf("eventStatus", STATUSES, true);
  const eventType = c.text("eventType", { max: 128, optional: true });
  if (eventType !== undefined && eventType !== entry.event) c.problem(`content.eventType: ${shown(eventType)} does not match the event name's ${entry.event}`);
  const notBefore = c.text("notBefore", { max: 64, optional: true });
  if (notBefore !== undefined && !Number.isFinite(Date.parse(notBefore))) c.problem(`content.notBefore: ${shown(notBefore)} is not a time`);
  c.text("state", { max: 32, pattern: WORD, form: "a state name", optional: true });
  c.text("action", { max: 32, pattern: WORD, form: "an action name", optional: true });
  const arn = resourceFromArn(resourceId!, regionId!, entry, c);
  if (c.problems.length) return reject(`invalid event: ${c.problems.join("; ")}`);

  // Every source was checked for its form above: a malformed one is rejected, never skipped for the next.
  const instanceId = contentInstance ?? contentResource ?? arn;
  if (!instanceId) return reject(`invalid event: no ${entry.resource.toLowerCase()} id in content or resourceId`);

  const timeMs = parseEpochMs(time);
  if (time !== undefined && timeMs === undefined) return reject(`invalid event: time: ${shown(time)} is not epoch milliseconds`);
  const eventTimeMs = eventTime !== undefined ? parseEventTime(eventTime) : timeMs;
  if (eventTime !== undefined && eventTimeMs === undefined) return reject(`invalid event: eventTime: ${shown(eventTime)} is not a time (20190409T121826.922+0800 or ISO 8601)`);

  // Only an event type with statuses has one; a stray content.eventStatus on a status notification is ignored.
  const status = entry.statuses.length > 0 ? (contentStatus ?? found.nameStatus) : undefined;
  const event: SystemEvent = {
    id,
    product: product!,
    name: name!,
    entry,
    level: level!,
    regionId: regionId!,
    resourceId: resourceId!,
    instanceId,
    status,
    content,
    eventTimeMs,
    groupIds: groupId === undefined ? [] : groupId.split(",").map((g) => g.trim()).filter(Boolean),
    key: "",
  };
  event.key = eventKey(event, content);
  return { ok: true, event };
}

/** The id in `resourceId`, an ECS ARN of this region and kind or a bare id of the event's resource kind. */
function resourceFromArn(resourceId: string, regionId: string, entry: CatalogueEntry, c: Fields): string | undefined {
  const form = RESOURCE_ID_FORMS[entry.resource];
  const m = ECS_ARN.exec(resourceId);
  if (!m) return form.pattern.test(resourceId) ? resourceId : c.problem(`resourceId: ${shown(resourceId)} is neither acs:ecs:<region>:<account>:${form.arnType}/<id> nor ${form.form}`);
  const [, region, account, type, id] = m;
  if (region !== regionId) return c.problem(`resourceId: region ${shown(region)} is not the event's regionId ${regionId}`);
  if (!ACCOUNT_ID.test(account)) return c.problem(`resourceId: account ${shown(account)} is not an account id`);
  if (type !== form.arnType) return c.problem(`resourceId: a ${shown(type)} ARN for a ${entry.resource} event`);
  return form.pattern.test(id) ? id : c.problem(`resourceId: ${shown(id)} is not ${form.form}`);
}

/**
 * The idempotency key: what stays the same across redeliveries of one event, whatever optional
 * fields they add or drop. With an envelope id: the id, plus the status for event types that have
 * statuses. Without one: a hash of the event's name, region, resource, status, system event id and
 * time (eventTime and CMS `time` normalised to the same epoch ms).
 */
function eventKey(e: SystemEvent, content: Record<string, unknown>): string {
  if (e.id) return e.status ? `${e.id}:${e.status}` : e.id;
  const identity = { name: e.name, regionId: e.regionId, instanceId: e.instanceId, status: e.status ?? null, eventId: content.eventId ?? null, at: e.eventTimeMs ?? null };
  return `sha256-${sha256(canonicalJson(identity))}`;
}

/**
 * Is this invocation `handler`'s timer tick (contract/timers.ts)? The payload
 * comes as a direct invocation sends it (`{"reconcile": true}`) or inside the
 * FC timer trigger's envelope (`{"triggerTime", "triggerName", "payload": "<JSON>"}`).
 */
export function isTickBody(body: unknown, handler: HandlerName): boolean {
  if (typeof body === "object" && body !== null && !Buffer.isBuffer(body) && !(body instanceof Uint8Array) && depthOf(body) > MAX_DEPTH) return false;
  const raw = bodyToText(body);
  if ("error" in raw || raw.bytes > MAX_TICK_BYTES) return false;
  const parsed = parseJsonOrBase64(raw.text);
  if (!("value" in parsed) || !isRecord(parsed.value)) return false;
  const v = parsed.value;
  if (isTick(handler, v)) return true;
  if (typeof v.triggerName !== "string" || typeof v.payload !== "string") return false;
  try {
    return isTick(handler, JSON.parse(v.payload));
  } catch {
    return false;
  }
}

/** `20190409T121826.922+0800` (the CMS notification's form) or ISO 8601 → epoch ms. */
export function parseEventTime(s: string | undefined): number | undefined {
  const m = s?.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?([+-])(\d{2})(\d{2})$/);
  if (!m) {
    const iso = s !== undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s) ? Date.parse(s) : NaN;
    return Number.isFinite(iso) ? iso : undefined;
  }
  const [, y, mo, d, h, mi, sec, ms = "0", sign, oh, om] = m;
  const utc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec, +ms.padEnd(3, "0"));
  const offset = (sign === "-" ? -1 : 1) * (+oh * 60 + +om) * 60_000;
  return utc - offset;
}

function parseEpochMs(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,16}$/.test(v)) return undefined;
  const n = Number(v);
  return n > 0 ? n : undefined;
}

/** JSON with sorted keys, so the same value hashes the same whatever the key order. Callers pass depth-bounded values only. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isRecord(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

export function sha256(s: string | Buffer): string {
  return createHash("sha256").update(s).digest("hex");
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function reject(reason: string): Intake {
  return { ok: false, reason };
}
