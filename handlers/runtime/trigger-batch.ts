// A batch from FC 3.0's MNS-queue trigger. FC doc "Trigger event formats"
// (MNS queue trigger): the function's event is a JSON array of CloudEvents,
// `type` mns:Queue:SendMessage, whose `data` holds `requestId`, `messageId` and
// `messageBody`, the message as text (the trigger's IsBase64Decode, default
// true, decodes a base64 body first: SourceMNSParameters). Each message is one
// CMS event, decoded by the same intake as a single event (core/event.ts).
// A message that is not such a CloudEvent, or whose body intake rejects, is
// rejected alone with its reason and dead-lettered with its own bytes; the
// others go on. The valid events go to the handler's runBatch (spot-drain, instance-cleanup)
// or, for a handler without one, each through the single-event path. The
// invocation answers one outcome with every message's outcome in `results`,
// and throws only when a message could not be kept (the trigger then retries
// the batch, and dead-letters it after its retries: local-cloud/queue-trigger.ts).
import { decodeEvent, depthOf, MAX_DEPTH } from "../core/event";
import type { BatchItem } from "../core/handler";
import type { Outcome, OutcomeKind } from "../core/outcome";
import { forEachLimited } from "../core/concurrency";

/** FC's synchronous invocation payload limit for the trigger (FC doc "MNS queue triggers": 32 MB). */
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;
/** CountBasedWindow's maximum (FC doc "Advanced features of triggers": 1-10,000 messages per invocation). */
export const MAX_BATCH_MESSAGES = 10_000;
export const MNS_QUEUE_EVENT_TYPE = "mns:Queue:SendMessage";
/** Single-event runs in flight at once for a handler without runBatch. */
const SINGLE_CONCURRENCY = 8;

export interface TriggerMessage {
  /** Position in the batch. */
  index: number;
  messageId?: string;
  /** The message's body as intake reads it, or why the CloudEvent itself is unusable. */
  body: string;
  invalid?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The messages of a trigger batch, or undefined when `body` is not one (a CMS
 * event, a tick: an object). A batch too big or too deep to take apart is an
 * error naming why (the caller dead-letters the whole body).
 */
export function triggerBatchOf(body: unknown): { messages: TriggerMessage[] } | { error: string } | undefined {
  let value: unknown = body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array || typeof body === "string") {
    const bytes = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    const text = (typeof body === "string" ? body : Buffer.from(body).toString("utf8")).trimStart();
    if (!text.startsWith("[")) return undefined;
    if (bytes > MAX_BATCH_BYTES) return { error: `trigger batch too large: ${bytes} bytes, at most ${MAX_BATCH_BYTES}` };
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { error: `trigger batch is not JSON (${(err as Error).message.slice(0, 120)})` };
    }
  }
  if (!Array.isArray(value)) return undefined;
  if (value.length === 0) return { error: "trigger batch is empty" };
  if (value.length > MAX_BATCH_MESSAGES) return { error: `trigger batch of ${value.length} messages, at most ${MAX_BATCH_MESSAGES}` };
  // One level for the array and one for the CloudEvent around each message; the message body is measured by intake.
  if (depthOf(value, MAX_DEPTH + 2) > MAX_DEPTH + 2) return { error: `trigger batch is nested deeper than ${MAX_DEPTH + 2} levels` };
  return { messages: value.map((ce, index) => messageOf(ce, index)) };
}

function messageOf(ce: unknown, index: number): TriggerMessage {
  const raw = () => JSON.stringify(ce) ?? String(ce);
  if (!isRecord(ce)) return { index, body: raw(), invalid: `message ${index}: not a CloudEvent object` };
  if (ce.type !== MNS_QUEUE_EVENT_TYPE) return { index, body: raw(), invalid: `message ${index}: CloudEvent type ${JSON.stringify(ce.type)?.slice(0, 60)}, expected ${MNS_QUEUE_EVENT_TYPE}` };
  const data = ce.data;
  if (!isRecord(data) || typeof data.messageBody !== "string") return { index, body: raw(), invalid: `message ${index}: CloudEvent data.messageBody is not a string` };
  const messageId = typeof data.messageId === "string" ? data.messageId.slice(0, 64) : undefined;
  return { index, messageId, body: data.messageBody };
}

export interface BatchRunners {
  /** Dead-letters one message (its body, the reason) and reports it rejected; throws when it cannot be kept. */
  reject(message: TriggerMessage, reason: string): Promise<Outcome>;
  /** The single-event path for one message body. */
  single(body: string): Promise<Outcome>;
  /** The handler's batch run over the valid events, when it has one. */
  batch?(items: readonly BatchItem[]): Promise<Outcome[]>;
  functionRegion: string;
}

export interface MessageResult {
  index: number;
  messageId?: string;
  outcome: Outcome;
}

/** Every message's outcome, in batch order. */
export async function runTriggerBatch(messages: readonly TriggerMessage[], r: BatchRunners): Promise<MessageResult[]> {
  const results: MessageResult[] = [];
  const valid: Array<{ m: TriggerMessage; item: BatchItem }> = [];
  for (const m of messages) {
    if (m.invalid) {
      results.push({ index: m.index, messageId: m.messageId, outcome: await r.reject(m, m.invalid) });
      continue;
    }
    if (!r.batch) continue;
    const intake = decodeEvent(m.body, { functionRegion: r.functionRegion });
    if (!intake.ok) results.push({ index: m.index, messageId: m.messageId, outcome: await r.reject(m, `message ${m.index}: ${intake.reason}`) });
    else valid.push({ m, item: { event: intake.event, body: m.body } });
  }
  if (r.batch && valid.length > 0) {
    const outcomes = await r.batch(valid.map((v) => v.item));
    valid.forEach((v, i) => results.push({ index: v.m.index, messageId: v.m.messageId, outcome: outcomes[i] }));
  } else if (!r.batch) {
    const singles = messages.filter((m) => !m.invalid);
    const { results: outs, failures } = await forEachLimited(singles, SINGLE_CONCURRENCY, (m) => r.single(m.body));
    if (failures.length > 0) throw failures[0].error; // a message that could not be kept: the trigger retries the batch
    singles.forEach((m, i) => results.push({ index: m.index, messageId: m.messageId, outcome: outs[i] }));
  }
  return results.sort((a, b) => a.index - b.index);
}

/** The batch's one outcome kind: failed if any message failed, else acted if any acted, else the commonest. */
export function batchKind(results: readonly MessageResult[]): OutcomeKind {
  const kinds = results.map((r) => r.outcome.outcome);
  if (kinds.includes("failed")) return "failed";
  if (kinds.includes("acted")) return "acted";
  const counts = new Map<OutcomeKind, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "skipped";
}
