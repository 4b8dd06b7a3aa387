// Intake: turns whatever Function Compute or MNS delivered into one typed
// system event, or a rejection with a reason; and tells a timer tick from an
// event. Pure: no I/O, never throws.
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { LEVELS, STATUSES, lookup, type CatalogueEntry, type EventStatus, type HandlerName, type Level } from "../catalogue";
import { isTick } from "../contract";

/** FC async invocations carry at most 128 KB; anything larger is not a CMS event. */
export const MAX_BODY_BYTES = 128 * 1024;
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
  /** content.instanceId, else content.resourceId, else the ARN's last segment. */
  instanceId: string;
  /** content.eventStatus when it is a known status, else the name's suffix. */
  status?: EventStatus;
  content: Record<string, unknown>;
  /** eventTime (compact UTC+8) or CMS `time` (epoch ms), when parseable. */
  eventTimeMs?: number;
  /** CMS application groups ("176,177" → ["176","177"]). */
  groupIds: string[];
  /** Stable key for idempotency: id (+ status), else a hash of the canonical event. */
  key: string;
}

export type Intake = { ok: true; event: SystemEvent } | { ok: false; reason: string };

const nonEmpty = z.string().check(z.minLength(1));
const idLike = z.union([z.string(), z.number()]);

// Unknown extra fields are allowed (looseObject): real payloads carry many.
const EventSchema = z.looseObject({
  id: z.optional(idLike),
  product: nonEmpty,
  name: nonEmpty,
  level: z.enum(LEVELS),
  regionId: nonEmpty,
  resourceId: nonEmpty,
  content: z.record(z.string(), z.unknown()),
  eventTime: z.optional(z.string()),
  time: z.optional(idLike),
  groupId: z.optional(idLike),
});

export function bodyToText(body: unknown): { text: string; bytes: number } | { error: string } {
  if (body === undefined || body === null) return { error: "empty body" };
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return { text: Buffer.from(body).toString("utf8"), bytes: body.byteLength };
  if (typeof body === "string") return { text: body, bytes: Buffer.byteLength(body) };
  if (typeof body === "object") {
    // Some invokers hand over already-parsed JSON.
    const text = JSON.stringify(body);
    return { text, bytes: Buffer.byteLength(text) };
  }
  return { error: `body of type ${typeof body} is neither bytes, text nor JSON` };
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Raw JSON first, then base64 JSON (MNS may or may not base64-encode the body). */
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
    return { error: `body is not JSON (${(jsonError as Error).message}) and not base64 JSON` };
  }
}

/** MNS topic pushes in JSON format wrap the message: `{TopicOwner, Message, ...}`. */
function unwrapMnsNotification(value: unknown): unknown {
  if (isRecord(value) && typeof value.Message === "string" && !("product" in value)) {
    const inner = parseJsonOrBase64(value.Message);
    return "value" in inner ? inner.value : value;
  }
  return value;
}

export function decodeEvent(body: unknown, maxBytes = MAX_BODY_BYTES): Intake {
  const raw = bodyToText(body);
  if ("error" in raw) return reject(raw.error);
  if (raw.bytes > maxBytes) return reject(`body too large: ${raw.bytes} bytes, at most ${maxBytes} allowed`);
  const parsed = parseJsonOrBase64(raw.text);
  if ("error" in parsed) return reject(parsed.error);
  const value = unwrapMnsNotification(parsed.value);
  if (!isRecord(value)) return reject(`event must be a JSON object, got ${Array.isArray(value) ? "array" : typeof value}`);

  // `content` arrives as a JSON string in CMS's own records.
  const candidate: Record<string, unknown> = { ...value };
  if (typeof candidate.content === "string") {
    const content = parseJsonOrBase64(candidate.content);
    if ("error" in content || !isRecord(content.value)) return reject("content is a string but not a JSON object");
    candidate.content = content.value;
  }
  const result = z.safeParse(EventSchema, candidate);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(event)"}: ${i.message}`).join("; ");
    return reject(`invalid event: ${issues}`);
  }
  const e = result.data;
  const found = lookup(e.name);
  if (!found) return reject(`unknown event name "${e.name}" (not in the event catalogue)`);
  if (found.entry.product !== e.product) return reject(`event "${e.name}" is catalogued for product ${found.entry.product}, got ${e.product}`);

  const content = e.content;
  const contentStatus = typeof content.eventStatus === "string" && (STATUSES as readonly string[]).includes(content.eventStatus) ? (content.eventStatus as EventStatus) : undefined;
  const status = contentStatus ?? found.nameStatus;
  const id = e.id === undefined ? undefined : String(e.id);
  const event: SystemEvent = {
    id,
    product: e.product,
    name: e.name,
    entry: found.entry,
    level: e.level,
    regionId: e.regionId,
    resourceId: e.resourceId,
    instanceId: instanceIdOf(content, e.resourceId),
    status,
    content,
    eventTimeMs: parseEventTime(e.eventTime) ?? parseEpochMs(e.time),
    groupIds: e.groupId === undefined ? [] : String(e.groupId).split(",").map((g) => g.trim()).filter(Boolean),
    key: id ? (status ? `${id}:${status}` : id) : `sha256-${sha256(canonicalJson(candidate))}`,
  };
  return { ok: true, event };
}

/**
 * Is this invocation `handler`'s timer tick (contract/timers.ts)? The payload
 * comes as a direct invocation sends it (`{"reconcile": true}`) or inside the
 * FC timer trigger's envelope (`{"triggerTime", "triggerName", "payload": "<JSON>"}`).
 */
export function isTickBody(body: unknown, handler: HandlerName): boolean {
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

export function instanceIdOf(content: Record<string, unknown>, resourceId: string): string {
  for (const field of ["instanceId", "resourceId"]) {
    const v = content[field];
    if (typeof v === "string" && v.trim() !== "") return v.trim();
  }
  const lastSegment = resourceId.split("/").pop() ?? resourceId;
  return lastSegment.split(":").pop() ?? lastSegment;
}

/** `20190409T121826.922+0800` → epoch ms. */
export function parseEventTime(s: string | undefined): number | undefined {
  const m = s?.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?([+-])(\d{2})(\d{2})$/);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, ms = "0", sign, oh, om] = m;
  const utc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec, +ms.padEnd(3, "0"));
  const offset = (sign === "-" ? -1 : 1) * (+oh * 60 + +om) * 60_000;
  return utc - offset;
}

function parseEpochMs(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** JSON with sorted keys, so the same event hashes the same whatever the key order. */
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

