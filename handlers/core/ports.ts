// The small ports a handler talks through. Production adapters live in
// ../cloud (which imports these, never the reverse); tests inject in-memory doubles.
import type { ApiAction } from "./apis";

export type Json = Record<string, unknown>;

export interface ApiCall {
  api: ApiAction;
  regionId: string;
  /** Nested arrays/objects are flattened RPC-style (`Servers.1.ServerId`) by the adapter. */
  params: Record<string, unknown>;
}

/** One generic cloud API: resolves with the response body, rejects with an ApiError-like error. */
export interface CloudApi {
  call(call: ApiCall): Promise<Json>;
}

/** Atomic create-if-absent object storage (OSS PutObject + x-oss-forbid-overwrite). */
export interface ObjectStore {
  /** True when created; false when the object already existed. */
  putIfAbsent(key: string, body: string): Promise<boolean>;
  put(key: string, body: string): Promise<void>;
  get(key: string): Promise<string | undefined>;
}

/** MNS messages are at most 64 KB; alerts keep under this. Dead letters are measured after Base64 (cloud/mns-dead-letter.ts). */
export const MAX_MESSAGE_BYTES = 60 * 1024;

export interface DeadLetterRecord {
  reason: string;
  handler: string;
  requestId: string;
  receivedAt: string;
  eventKey?: string;
  error?: { code?: string; message: string };
  /** The original body, base64, exactly as received ("" when moved to `bodyRef`). */
  bodyBase64: string;
  /** Where an oversized body was kept instead (`oss://bucket/key`), with its hash. */
  bodyRef?: string;
  bodySha256?: string;
}

/** Keeps messages we could not handle. Rejects only when the message could not be kept. */
export interface DeadLetter {
  send(record: DeadLetterRecord): Promise<void>;
}

/**
 * PublishMessage `MessageAttributes/DirectMail`: what a mail subscription
 * needs (the SingleSendMail fields). `AccountName` is a verified DirectMail
 * sender; `AddressType` 1 = that sender address (0 = a random account).
 */
export interface DirectMailAttributes {
  AccountName: string;
  Subject: string;
  AddressType: 0 | 1;
  IsHtml: 0 | 1;
  ReplyToAddress: 0 | 1;
}

/**
 * PublishMessage `MessageAttributes/DirectSMS`. `singleContent`: each SMS
 * subscription's own phone (`sms:directsms:<phone>`) receives `SmsParams`
 * (a JSON string of the template's variables); `multiContent` would only reach
 * an anonymous subscription and needs the phones in `SmsParams`.
 */
export interface DirectSmsAttributes {
  FreeSignName: string;
  TemplateCode: string;
  Type: "singleContent";
  SmsParams: string;
}

/** Per-message delivery details for a topic's mail and SMS subscriptions. */
export interface TopicMessageAttributes {
  DirectMail?: DirectMailAttributes;
  DirectSMS?: DirectSmsAttributes;
}

/** MNS topic PublishMessage. Rejects only when the message could not be published (after retries). */
export interface TopicPublisher {
  publish(topic: string, body: string, attributes?: TopicMessageAttributes): Promise<void>;
}

export interface Clock {
  now(): number;
  /** Monotonic, sub-millisecond, for durations only (timings); now() when absent. */
  elapsedMs?(): number;
  sleep(ms: number): Promise<void>;
}

/** Wall-clock budget of one invocation. */
export interface Deadline {
  /** Milliseconds left; negative once past. */
  remainingMs(): number;
}

export function deadlineAt(atMs: number, now: () => number = Date.now): Deadline {
  return { remainingMs: () => atMs - now() };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  elapsedMs: () => performance.now(),
  // No timer turn for a zero wait (DRAIN_WAIT_SECONDS=0): it would only add latency.
  sleep: (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()),
};
