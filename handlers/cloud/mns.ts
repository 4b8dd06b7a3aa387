// MNS over its XML API: the dead-letter queue (SendMessage; the record Base64,
// bounded, its body in OSS when it would not fit one message: mns-dead-letter.ts)
// and the alert topic (PublishMessage, with the mail and SMS subscriptions'
// MessageAttributes).
import { MAX_MESSAGE_BYTES, type DeadLetter, type DeadLetterRecord, type Deadline, type TopicMessageAttributes, type TopicPublisher } from "../core/ports";
import { sha256 } from "../core/event";
import type { CredentialSource } from "./credentials";
import type { Endpoint } from "./endpoints";
import { httpRequest, RestApiError, xmlEscape } from "./http";
import { boundRecord, DEAD_LETTER_MESSAGE_BYTES, encodeDeadLetter, fitsOneMessage } from "./mns-dead-letter";
import { mnsAuthorization } from "./mns-signature";
import type { OssObjectStore } from "./oss";
import { withRetry, type RetryPolicy } from "./retry";

export interface MnsConnection {
  endpoint: Endpoint;
  credentials: CredentialSource;
  retry: RetryPolicy;
  deadline: Deadline;
  callTimeoutMs: number;
}

export interface MnsOptions extends MnsConnection {
  queue: string;
  /** Where oversized bodies go, and under which key prefix. */
  overflow?: { store: OssObjectStore; prefix: string };
}

/** POSTs one signed XML document (MNS header signature), with retries. */
async function mnsPost(o: MnsConnection, what: string, resource: string, xml: string): Promise<void> {
  const body = Buffer.from(xml, "utf8");
  await withRetry(
    what,
    async (timeoutMs) => {
      const cred = await o.credentials.get();
      const headers: Record<string, string> = {
        date: new Date().toUTCString(),
        "content-type": "text/xml;charset=utf-8",
        "content-length": String(body.length),
        "x-mns-version": "2015-06-06",
        ...(cred.securityToken ? { "security-token": cred.securityToken } : {}),
      };
      headers.authorization = mnsAuthorization(cred.accessKeyId, cred.accessKeySecret, { method: "POST", headers, resource });
      const res = await httpRequest(`${o.endpoint.protocol}://${o.endpoint.host}${resource}`, { method: "POST", headers, body, timeoutMs });
      if (res.status < 200 || res.status >= 300) throw RestApiError.from("mns", res);
    },
    o.retry,
    o.deadline,
    o.callTimeoutMs,
  );
}

export function sendMessageXml(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>${xmlEscape(body)}</MessageBody><DelaySeconds>0</DelaySeconds><Priority>8</Priority></Message>`;
}

export class MnsDeadLetter implements DeadLetter {
  constructor(private readonly o: MnsOptions) {}

  async send(record: DeadLetterRecord): Promise<void> {
    const bounded = boundRecord(record);
    let encoded = encodeDeadLetter(bounded);
    if (!fitsOneMessage(encoded)) encoded = encodeDeadLetter(await this.moveBodyOut(bounded));
    // Unreachable with bounded fields (a few KB without the body); said loudly rather than sent to fail.
    if (!fitsOneMessage(encoded)) throw new Error(`dead-letter record is ${encoded.length} bytes of Base64 even without its body, more than ${DEAD_LETTER_MESSAGE_BYTES}`);
    await this.sendMessage(encoded);
  }

  private async moveBodyOut(record: DeadLetterRecord): Promise<DeadLetterRecord> {
    if (!this.o.overflow) throw new Error(`dead-letter record with ${record.bodyBase64.length} bytes of body does not fit one MNS message and no overflow store is configured`);
    const hash = sha256(Buffer.from(record.bodyBase64, "base64"));
    const key = `${this.o.overflow.prefix}/${hash}`;
    // Content-addressed: an object already there (FileAlreadyExists) holds these very bytes.
    await this.o.overflow.store.putIfAbsent(key, record.bodyBase64);
    return { ...record, bodyBase64: "", bodyRef: this.o.overflow.store.uri(key), bodySha256: hash };
  }

  private async sendMessage(messageBody: string): Promise<void> {
    await mnsPost(this.o, `mns SendMessage ${this.o.queue}`, `/queues/${encodeURIComponent(this.o.queue)}/messages`, sendMessageXml(messageBody));
  }
}

/**
 * PublishMessage's body: the message body and, when given, `MessageAttributes`
 * whose `DirectMail` / `DirectSMS` elements each hold a JSON object (no tag).
 */
export function publishMessageXml(body: string, attributes?: TopicMessageAttributes): string {
  const attrs = Object.entries(attributes ?? {}).filter(([, v]) => v !== undefined);
  const attributesXml = attrs.length ? `<MessageAttributes>${attrs.map(([k, v]) => `<${k}>${xmlEscape(JSON.stringify(v))}</${k}>`).join("")}</MessageAttributes>` : "";
  return `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>${xmlEscape(body)}</MessageBody>${attributesXml}</Message>`;
}

/** MNS topic PublishMessage (`POST /topics/<name>/messages`, 201 Created). */
export class MnsTopicPublisher implements TopicPublisher {
  constructor(private readonly o: MnsConnection) {}

  async publish(topic: string, body: string, attributes?: TopicMessageAttributes): Promise<void> {
    if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) throw new Error(`topic message is ${Buffer.byteLength(body)} bytes, at most ${MAX_MESSAGE_BYTES} allowed`);
    await mnsPost(this.o, `mns PublishMessage ${topic}`, `/topics/${encodeURIComponent(topic)}/messages`, publishMessageXml(body, attributes));
  }
}
