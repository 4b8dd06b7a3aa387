// A dead letter as it travels on the MNS queue, built so that its write never
// fails on content (issue 12 item 6, review row R7):
// - MessageBody = Base64(JSON record). The SendMessage doc says to Base64 the body
//   ("Messages with non-Base64-encoded bodies or unsupported characters cause
//   request failures", help.aliyun.com/en/mns/developer-reference/sendmessage):
//   no character XML 1.0 forbids can reach the XML, whatever the event or an
//   error message held.
// - The queue takes at most MaximumMessageSize bytes of body, 65,536 at most and
//   by default (MNS "Limits" page; CreateQueue / alicloud_message_service_queue
//   maximum_message_size default 65536; the stack sets none), counted on the
//   body as sent, i.e. the Base64 text. Text we did not write (reason, error
//   code and message, event key) is cut to a bound first; a record still too
//   big keeps the event body in OSS ("If the message size exceeds 64 KB, we
//   recommend that you store data in OSS", MNS FAQ) and carries bodyRef + bodySha256.
// Readers of the queue (tests, tools, people) decode with decodeDeadLetter.
import type { DeadLetterRecord } from "../core/ports";

/** Bytes of MessageBody one DLQ message may carry (the queue's MaximumMessageSize, left at its default). */
export const DEAD_LETTER_MESSAGE_BYTES = 65_536;
/** Characters kept of a reason or error message (R7); the rest is counted, not kept. */
export const MAX_REASON_CHARS = 2_000;
/** Characters kept of the short fields (code, event key, handler, request id). */
export const MAX_FIELD_CHARS = 256;

/** `text` cut to `max` characters, saying how much was left out. */
export function boundText(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, max);
  // Never end on the first half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head}… [${text.length - head.length} more characters]`;
}

/** The record with every string it carries from elsewhere bounded; the body untouched. */
export function boundRecord(r: DeadLetterRecord): DeadLetterRecord {
  const short = (s: string) => boundText(s, MAX_FIELD_CHARS);
  return {
    ...r,
    reason: boundText(r.reason, MAX_REASON_CHARS),
    handler: short(r.handler),
    requestId: short(r.requestId),
    receivedAt: short(r.receivedAt),
    ...(r.eventKey !== undefined ? { eventKey: short(r.eventKey) } : {}),
    ...(r.error ? { error: { ...(r.error.code !== undefined ? { code: short(r.error.code) } : {}), message: boundText(r.error.message, MAX_REASON_CHARS) } } : {}),
  };
}

/** The MessageBody text: Base64 of the record's JSON (ASCII only). */
export function encodeDeadLetter(r: DeadLetterRecord): string {
  return Buffer.from(JSON.stringify(r), "utf8").toString("base64");
}

export function fitsOneMessage(encoded: string): boolean {
  return encoded.length <= DEAD_LETTER_MESSAGE_BYTES;
}

/** A DLQ message body back to its record; throws naming what is wrong. */
export function decodeDeadLetter(messageBody: string): DeadLetterRecord {
  const text = messageBody.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error(`dead-letter message is not Base64: ${JSON.stringify(text.slice(0, 40))}`);
  const record: unknown = JSON.parse(Buffer.from(text, "base64").toString("utf8"));
  if (typeof record !== "object" || record === null || typeof (record as DeadLetterRecord).reason !== "string" || typeof (record as DeadLetterRecord).bodyBase64 !== "string") {
    throw new Error("dead-letter message does not hold a dead-letter record (reason and bodyBase64 missing)");
  }
  return record as DeadLetterRecord;
}
