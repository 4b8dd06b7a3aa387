// MNS queues over the MNS XML API: SendMessage, ReceiveMessage (long polling),
// BatchReceiveMessage, DeleteMessage, ChangeMessageVisibility. Visibility
// timeouts run on the fake's clock; long polls wait in real time, capped, and
// wake when a message arrives or the clock moves. Topics: PublishMessage only,
// kept per topic with their MessageAttributes (nothing is pushed to subscriptions).
import { randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "../clock";
import { ApiError } from "../errors";
import { md5Hex, xmlEscape, xmlText, xmlUnescape } from "../encoding";
import type { CloudState, MnsMessage, MnsQueue, MnsTopic, MnsTopicMessage } from "../state";
import { queryValue, type RestRequest, type RestResponse } from "./rest";

export const MNS_NS = "http://mns.aliyuncs.com/doc/v1/";

export type MnsAction = "SendMessage" | "BatchSendMessage" | "ReceiveMessage" | "BatchReceiveMessage" | "DeleteMessage" | "ChangeMessageVisibility";

export function mnsAction(req: RestRequest): MnsAction {
  if (req.method === "POST") return /<Messages[\s>]/.test(req.body.toString("utf8")) ? "BatchSendMessage" : "SendMessage";
  if (req.method === "GET") return queryValue(req.query, "numOfMessages") !== undefined ? "BatchReceiveMessage" : "ReceiveMessage";
  if (req.method === "DELETE") return "DeleteMessage";
  if (req.method === "PUT") return "ChangeMessageVisibility";
  throw new ApiError(405, "MethodNotAllowed", `Method ${req.method} is not supported on messages.`);
}

/** `POST /topics/<name>/messages` is the only topic call modelled. */
export function mnsTopicAction(req: RestRequest): "PublishMessage" {
  if (req.method === "POST") return "PublishMessage";
  throw new ApiError(405, "MethodNotAllowed", `Method ${req.method} is not supported on topic messages.`);
}

export interface MnsOptions {
  /** Create a queue on first use (the real service answers QueueNotExist). */
  autoCreateQueues: boolean;
  /** Create a topic on first publish (default in the server: false, as the real service answers TopicNotExist). */
  autoCreateTopics?: boolean;
  /** Longest real-time wait of a long poll, whatever `waitseconds` says. */
  maxRealWaitMs: number;
}

/** Code points outside the XML 1.0 Char production (W3C XML 1.0 §2.2), lone surrogates included. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const UTF8 = new TextDecoder("utf-8", { fatal: true });
const isXmlChar = (cp: number): boolean => cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);

/**
 * The request document, if it is well-formed as far as characters go: UTF-8,
 * no code point XML 1.0 forbids, raw or as a character reference (WFC: Legal
 * Character), and no `&` that starts no reference. MNS answers 400
 * `MalformedXML` "The XML you provided was not well-formed" otherwise (MNS
 * "Error codes", help.aliyun.com/document_detail/27501); its SendMessage page
 * warns that "unsupported characters cause request failures".
 */
export function wellFormedDocument(body: Buffer): string {
  const malformed = () => new ApiError(400, "MalformedXML", "The XML you provided was not well-formed.");
  let doc: string;
  try {
    doc = UTF8.decode(body); // bytes that are not UTF-8 are a fatal error in XML (§4.3.3)
  } catch {
    throw malformed();
  }
  if (NOT_XML_CHAR.test(doc)) throw malformed();
  for (const m of doc.matchAll(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g)) {
    const ref = m[1];
    if (ref === undefined) throw malformed();
    if (ref.startsWith("#") && !isXmlChar(ref[1] === "x" ? parseInt(ref.slice(2), 16) : Number(ref.slice(1)))) throw malformed();
    if (!ref.startsWith("#") && !["lt", "gt", "amp", "quot", "apos"].includes(ref)) throw malformed();
  }
  return doc;
}

/**
 * A message body within the queue's or topic's MaximumMessageSize (bytes of
 * body as sent; 1,024–65,536, default 65,536: CreateQueue, MNS "Limits", "How
 * do I increase the maximum size of a message"). No page names the code for an
 * oversized body; the error table's range message is InvalidArgument, "The
 * value of Element should between Low and High".
 */
function boundedBody(body: string | undefined, max: number): string {
  if (body === undefined) throw new ApiError(400, "InvalidArgument", "The MessageBody element is required.");
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > max) throw new ApiError(400, "InvalidArgument", `The value of MessageBody should between 1 and ${max} bytes; it has ${bytes}.`);
  return body;
}

const xmlDoc = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
const field = (k: string, v: string | number): string => `  <${k}>${xmlEscape(String(v))}</${k}>`;

function messageXml(m: MnsMessage, indent = ""): string {
  const lines = [
    field("MessageId", m.MessageId),
    field("ReceiptHandle", m.ReceiptHandle ?? ""),
    field("MessageBodyMD5", m.MessageBodyMD5),
    field("MessageBody", m.MessageBody),
    field("EnqueueTime", m.EnqueueTime),
    field("NextVisibleTime", m.NextVisibleTime),
    field("FirstDequeueTime", m.FirstDequeueTime ?? m.EnqueueTime),
    field("DequeueCount", m.DequeueCount),
    field("Priority", m.Priority),
  ];
  return `${indent}<Message${indent ? "" : ` xmlns="${MNS_NS}"`}>\n${lines.map((l) => indent + l).join("\n")}\n${indent}</Message>`;
}

/** `<MessageAttributes>`'s child elements (DirectMail, DirectSMS, ...) by name, text unescaped; undefined without the element. */
function messageAttributes(doc: string): Record<string, string> | undefined {
  const block = /<MessageAttributes>([\s\S]*?)<\/MessageAttributes>/.exec(doc)?.[1];
  if (block === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const m of block.matchAll(/<([A-Za-z][\w.-]*)>([\s\S]*?)<\/\1>/g)) out[m[1]] = xmlUnescape(m[2]);
  return out;
}

export class MnsService {
  /** Every receipt handle ever issued → message id (to tell stale from malformed). */
  private readonly issued = new Map<string, string>();
  private waiters = new Set<() => void>();
  private readonly watchers = new Set<() => void>();

  constructor(
    private readonly state: CloudState,
    private readonly clock: Clock,
    private readonly opts: MnsOptions,
  ) {}

  /** Wakes long polls and watchers (after a send, or when the clock moved). */
  wake(): void {
    const w = this.waiters;
    this.waiters = new Set();
    for (const f of w) f();
    for (const f of this.watchers) queueMicrotask(f);
  }

  /** Calls `f` (soon after, not inside the caller) whenever long polls are woken: a queue trigger watching its queue. */
  watch(f: () => void): () => void {
    this.watchers.add(f);
    return () => this.watchers.delete(f);
  }

  queue(name: string): MnsQueue {
    const q = this.state.getQueue(name);
    if (q) return q;
    if (!this.opts.autoCreateQueues) throw new ApiError(404, "QueueNotExist", "The queue name you provided is not exist.");
    return this.state.addQueue(name);
  }

  topic(name: string): MnsTopic {
    const t = this.state.getTopic(name);
    if (t) return t;
    if (!this.opts.autoCreateTopics) throw new ApiError(404, "TopicNotExist", "The topic you provided does not exist.");
    return this.state.addTopic(name);
  }

  /** Publishes to a topic: kept in order, for tests to read (state.topicMessages, state.topicMessageAttributes). */
  publish(topicName: string, body: string, tag?: string, attributes?: Record<string, string>): MnsTopicMessage {
    const t = this.topic(topicName);
    const m: MnsTopicMessage = {
      MessageId: randomUUID().replace(/-/g, "").toUpperCase(),
      MessageBody: body,
      MessageBodyMD5: md5Hex(Buffer.from(body, "utf8")).toUpperCase(),
      ...(tag !== undefined ? { MessageTag: tag } : {}),
      ...(attributes !== undefined ? { MessageAttributes: attributes } : {}),
      PublishTime: this.clock.now(),
    };
    t.Messages.push(m);
    return m;
  }

  handleTopic(req: RestRequest, topicName: string): RestResponse {
    const doc = wellFormedDocument(req.body);
    const body = boundedBody(xmlText(doc, "MessageBody"), this.topic(topicName).MaximumMessageSize);
    const m = this.publish(topicName, body, xmlText(doc, "MessageTag"), messageAttributes(doc));
    return { status: 201, headers: { "content-type": "text/xml;charset=utf-8" }, body: xmlDoc(`<Message xmlns="${MNS_NS}">\n${field("MessageId", m.MessageId)}\n${field("MessageBodyMD5", m.MessageBodyMD5)}\n</Message>`) };
  }

  /** Enqueues a message (also used by the fake to deliver system events). */
  send(queueName: string, body: string, opts: { delaySeconds?: number; priority?: number } = {}): MnsMessage {
    const q = this.queue(queueName);
    const now = this.clock.now();
    const m: MnsMessage = {
      MessageId: randomUUID().replace(/-/g, "").toUpperCase(),
      MessageBody: body,
      MessageBodyMD5: md5Hex(Buffer.from(body, "utf8")).toUpperCase(),
      Priority: opts.priority ?? 8,
      EnqueueTime: now,
      NextVisibleTime: now + (opts.delaySeconds ?? 0) * 1000,
      DequeueCount: 0,
    };
    q.Messages.push(m);
    this.wake();
    return m;
  }

  /** Takes up to `n` visible messages, making them invisible for the queue's timeout. */
  receive(queueName: string, n: number): MnsMessage[] {
    const q = this.queue(queueName);
    const now = this.clock.now();
    const out: MnsMessage[] = [];
    for (const m of q.Messages) {
      if (out.length >= n) break;
      if (m.NextVisibleTime > now) continue;
      m.DequeueCount++;
      m.FirstDequeueTime ??= now;
      m.NextVisibleTime = now + q.VisibilityTimeout * 1000;
      m.ReceiptHandle = `${m.MessageId.slice(0, 8)}-${m.DequeueCount}-${randomBytes(8).toString("hex")}`;
      this.issued.set(m.ReceiptHandle, m.MessageId);
      out.push(m);
    }
    return out;
  }

  private byHandle(queueName: string, handle: string | undefined): { q: MnsQueue; index: number } {
    if (!handle) throw new ApiError(400, "ReceiptHandleError", "The receipt handle you provide is not valid.");
    const q = this.queue(queueName);
    const id = this.issued.get(handle);
    if (id === undefined) throw new ApiError(400, "ReceiptHandleError", "The receipt handle you provide is not valid.");
    const index = q.Messages.findIndex((m) => m.MessageId === id);
    const m = q.Messages[index];
    // A handle stops working once the message became visible again or was received anew.
    if (!m || m.ReceiptHandle !== handle || m.NextVisibleTime <= this.clock.now()) throw new ApiError(404, "MessageNotExist", "Message not exist.");
    return { q, index };
  }

  delete(queueName: string, handle: string | undefined): void {
    const { q, index } = this.byHandle(queueName, handle);
    const [m] = q.Messages.splice(index, 1);
    this.issued.delete(m.ReceiptHandle!);
  }

  changeVisibility(queueName: string, handle: string | undefined, seconds: number): MnsMessage {
    const { q, index } = this.byHandle(queueName, handle);
    const m = q.Messages[index];
    m.NextVisibleTime = this.clock.now() + seconds * 1000;
    this.issued.delete(m.ReceiptHandle!);
    m.ReceiptHandle = `${m.MessageId.slice(0, 8)}-${m.DequeueCount}-${randomBytes(8).toString("hex")}`;
    this.issued.set(m.ReceiptHandle, m.MessageId);
    return m;
  }

  private async receiveWaiting(queueName: string, n: number, waitSeconds: number): Promise<MnsMessage[]> {
    let got = this.receive(queueName, n);
    if (got.length || waitSeconds <= 0) return got;
    const deadline = Date.now() + Math.min(waitSeconds * 1000, this.opts.maxRealWaitMs);
    while (got.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, left);
        const self = this;
        function done(): void {
          clearTimeout(t);
          self.waiters.delete(done);
          resolve();
        }
        this.waiters.add(done);
      });
      got = this.receive(queueName, n);
    }
    return got;
  }

  async handle(req: RestRequest, action: MnsAction, queueName: string): Promise<RestResponse> {
    const xml = { "content-type": "text/xml;charset=utf-8" };
    switch (action) {
      case "SendMessage": {
        const doc = wellFormedDocument(req.body);
        const body = boundedBody(xmlText(doc, "MessageBody"), this.queue(queueName).MaximumMessageSize);
        const delay = Number(xmlText(doc, "DelaySeconds") ?? 0);
        const priority = Number(xmlText(doc, "Priority") ?? 8);
        const m = this.send(queueName, body, { delaySeconds: delay, priority });
        return { status: 201, headers: xml, body: xmlDoc(`<Message xmlns="${MNS_NS}">\n${field("MessageId", m.MessageId)}\n${field("MessageBodyMD5", m.MessageBodyMD5)}\n</Message>`) };
      }
      case "BatchSendMessage": {
        const doc = wellFormedDocument(req.body);
        const parts = doc.split(/<Message>/).slice(1);
        if (parts.length === 0 || parts.length > 16) throw new ApiError(400, "InvalidArgument", "A batch holds 1 to 16 messages.");
        const max = this.queue(queueName).MaximumMessageSize;
        const bodies = parts.map((part) => boundedBody(xmlText(part, "MessageBody"), max));
        // BatchSendMessage: at most 16 messages and 64 KB of bodies in all (BatchSendMessage doc).
        const total = bodies.reduce((n, b) => n + Buffer.byteLength(b, "utf8"), 0);
        if (total > max) throw new ApiError(400, "InvalidArgument", `The total size of the message bodies should between 1 and ${max} bytes; it has ${total}.`);
        const sent = parts.map((part, i) => this.send(queueName, bodies[i], { delaySeconds: Number(xmlText(part, "DelaySeconds") ?? 0), priority: Number(xmlText(part, "Priority") ?? 8) }));
        const items = sent.map((m) => `  <Message>\n  ${field("MessageId", m.MessageId)}\n  ${field("MessageBodyMD5", m.MessageBodyMD5)}\n  </Message>`).join("\n");
        return { status: 201, headers: xml, body: xmlDoc(`<Messages xmlns="${MNS_NS}">\n${items}\n</Messages>`) };
      }
      case "ReceiveMessage":
      case "BatchReceiveMessage": {
        const wait = Number(queryValue(req.query, "waitseconds") ?? 0);
        if (!(wait >= 0 && wait <= 30)) throw new ApiError(400, "InvalidArgument", "The value of waitseconds should between 0 and 30 seconds.");
        const n = action === "ReceiveMessage" ? 1 : Number(queryValue(req.query, "numOfMessages"));
        if (!(Number.isInteger(n) && n >= 1 && n <= 16)) throw new ApiError(400, "InvalidArgument", "The value of numOfMessages should between 1 and 16.");
        const got = await this.receiveWaiting(queueName, n, wait);
        if (got.length === 0) throw new ApiError(404, "MessageNotExist", "Message not exist.");
        const body = action === "ReceiveMessage" ? messageXml(got[0]) : `<Messages xmlns="${MNS_NS}">\n${got.map((m) => messageXml(m, "  ")).join("\n")}\n</Messages>`;
        return { status: 200, headers: xml, body: xmlDoc(body) };
      }
      case "DeleteMessage":
        this.delete(queueName, queryValue(req.query, "ReceiptHandle"));
        return { status: 204, headers: {} };
      case "ChangeMessageVisibility": {
        const seconds = Number(queryValue(req.query, "visibilityTimeout"));
        if (!(Number.isInteger(seconds) && seconds >= 1 && seconds <= 43200)) throw new ApiError(400, "InvalidArgument", "The value of visibilityTimeout should between 1 and 43200 seconds.");
        const m = this.changeVisibility(queueName, queryValue(req.query, "receiptHandle"), seconds);
        return { status: 200, headers: xml, body: xmlDoc(`<ChangeVisibility xmlns="${MNS_NS}">\n${field("ReceiptHandle", m.ReceiptHandle!)}\n${field("NextVisibleTime", m.NextVisibleTime)}\n</ChangeVisibility>`) };
      }
    }
  }
}
