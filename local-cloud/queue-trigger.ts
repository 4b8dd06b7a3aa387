// FC 3.0's MNS-queue trigger as the platform runs it: an EventBridge event
// stream (FC doc "Simple Message Queue (formerly MNS) queue triggers": "The
// trigger is backed by EventBridge") that takes messages off the queue and
// invokes the function with a batch.
// - Batching (FC doc "Advanced features of triggers"; SDK fc-20230330
//   BatchWindow): a batch is pushed when CountBasedWindow messages (1-10000)
//   are waiting or TimeBasedWindow seconds (0-15; 0 = at once) have passed
//   since the first of them.
// - The payload (FC doc "Trigger event formats", MNS queue trigger): a JSON
//   array of CloudEvents, `type` mns:Queue:SendMessage, `source`, `subject`
//   acs:mns:<region>:<account>:queues/<queue>, `data` { requestId, messageId,
//   messageBody } where messageBody is the message's text (IsBase64Decode,
//   default true, decodes a base64 body first: SourceMNSParameters).
// - Failure (EventBridge "Retry policies and dead-letter queues"): a batch
//   whose invocation fails is retried; BACKOFF_RETRY (the default) up to 3
//   times, 10-20 s apart at random; EXPONENTIAL_DECAY_RETRY up to 176 times,
//   1 s doubling to 512 s. Then, with errorsTolerance ALL, its events go to the
//   dead-letter queue (runOptions.deadLetterQueue) and the stream goes on.
// Runs on the fake's clock: a window's end is scheduled there, so a driver of
// virtual time (a FakeClock advanced when idle) sees it.
import { randomUUID } from "node:crypto";
import type { MnsMessage } from "./state";
import type { FakeCloud } from "./server";

export type PushRetryStrategy = "BACKOFF_RETRY" | "EXPONENTIAL_DECAY_RETRY";

export interface QueueTriggerOptions {
  queue: string;
  /** Messages per invocation, 1-10000. */
  countBasedWindow: number;
  /** Seconds to wait for a batch to fill, 0-15. */
  timeBasedWindowSeconds: number;
  retryStrategy?: PushRetryStrategy;
  /** Where a batch goes once its retries are spent (runOptions.deadLetterQueue); none: discarded, as the doc says. */
  deadLetterQueue?: string;
  /** Default true (SourceMNSParameters.IsBase64Decode). */
  isBase64Decode?: boolean;
  /** Invocations in flight at once (eventSinkConfig.deliveryOption.concurrency; default 1). */
  concurrency?: number;
  /** The function: resolves when the invocation succeeded, rejects (or throws) when it failed. */
  invoke: (events: MnsCloudEvent[]) => Promise<unknown>;
}

export interface MnsCloudEvent {
  id: string;
  source: string;
  specversion: "1.0";
  type: "mns:Queue:SendMessage";
  datacontenttype: string;
  subject: string;
  time: string;
  aliyunaccountid: string;
  aliyunregionid: string;
  data: { requestId: string; messageId: string; messageBody: string };
}

export const BATCH_LIMITS = { count: { min: 1, max: 10_000 }, timeSeconds: { min: 0, max: 15 } } as const;

/** Retries after the first attempt, and the wait before retry `n` (1-based). */
export const RETRY_STRATEGIES: Record<PushRetryStrategy, { retries: number; delayMs: (n: number, random: () => number) => number }> = {
  BACKOFF_RETRY: { retries: 3, delayMs: (_n, random) => 10_000 + Math.floor(random() * 10_000) },
  EXPONENTIAL_DECAY_RETRY: { retries: 176, delayMs: (n) => Math.min(512, 2 ** (n - 1)) * 1000 },
};

interface Batch {
  messages: MnsMessage[];
  attempt: number;
}

export class QueueTrigger {
  /** Invocations made, batches dead-lettered, and the size of each batch pushed. */
  readonly stats = { invocations: 0, failures: 0, deadLettered: 0, batchSizes: [] as number[] };
  private inFlight = 0;
  private windowEndsAt?: number;
  private readonly retrying: Batch[] = [];
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly fake: FakeCloud,
    private readonly o: QueueTriggerOptions,
    private readonly random: () => number = Math.random,
  ) {
    const { count, timeSeconds } = BATCH_LIMITS;
    if (!Number.isInteger(o.countBasedWindow) || o.countBasedWindow < count.min || o.countBasedWindow > count.max) throw new Error(`CountBasedWindow must be a whole number from 1 to 10000, got ${o.countBasedWindow}`);
    if (!(o.timeBasedWindowSeconds >= timeSeconds.min && o.timeBasedWindowSeconds <= timeSeconds.max)) throw new Error(`TimeBasedWindow must be 0 to 15 seconds, got ${o.timeBasedWindowSeconds}`);
    if (!fake.state.getQueue(o.queue)) throw new Error(`queue trigger: queue ${o.queue} does not exist`);
    // New messages arrive through the fake (SendMessage, a CMS target); look after every advance too.
    this.unsubscribe = fake.mns.watch(() => this.pump());
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  /** Nothing waiting, nothing in flight, nothing to retry. */
  get idle(): boolean {
    return this.inFlight === 0 && this.retrying.length === 0 && this.visible() === 0;
  }

  private visible(): number {
    const now = this.fake.clock.now();
    return this.fake.state.getQueue(this.o.queue)!.Messages.filter((m) => m.NextVisibleTime <= now).length;
  }

  /** Starts what is due: full batches at once, a partial one when its window ends. */
  pump(): void {
    if (this.stopped) return;
    const now = this.fake.clock.now();
    const concurrency = this.o.concurrency ?? 1;
    while (this.inFlight < concurrency) {
      const waiting = this.visible();
      if (waiting === 0) {
        this.windowEndsAt = undefined;
        return;
      }
      this.windowEndsAt ??= now + this.o.timeBasedWindowSeconds * 1000;
      if (waiting < this.o.countBasedWindow && now < this.windowEndsAt) {
        const at = this.windowEndsAt;
        this.fake.after(at - now, () => this.pump());
        return;
      }
      this.windowEndsAt = undefined;
      // Held invisible while the stream works on them (it owns the batch until it ends).
      const messages = this.fake.mns.receive(this.o.queue, this.o.countBasedWindow);
      for (const m of messages) m.NextVisibleTime = Infinity;
      this.start({ messages, attempt: 0 });
    }
  }

  private start(batch: Batch): void {
    this.inFlight++;
    this.stats.invocations++;
    if (batch.attempt === 0) this.stats.batchSizes.push(batch.messages.length);
    const events = batch.messages.map((m) => this.cloudEvent(m));
    void (async () => {
      let ok = true;
      try {
        await this.o.invoke(events);
      } catch {
        ok = false;
      }
      this.inFlight--;
      if (ok) this.remove(batch.messages);
      else this.failed(batch);
      this.pump();
    })();
  }

  private failed(batch: Batch): void {
    this.stats.failures++;
    const strategy = RETRY_STRATEGIES[this.o.retryStrategy ?? "BACKOFF_RETRY"];
    if (batch.attempt < strategy.retries) {
      const next = { ...batch, attempt: batch.attempt + 1 };
      this.retrying.push(next);
      this.fake.after(strategy.delayMs(next.attempt, this.random), () => {
        this.retrying.splice(this.retrying.indexOf(next), 1);
        if (!this.stopped) this.start(next);
      });
      return;
    }
    this.stats.deadLettered += batch.messages.length;
    if (this.o.deadLetterQueue) for (const m of batch.messages) this.fake.mns.send(this.o.deadLetterQueue, JSON.stringify(this.cloudEvent(m)));
    this.remove(batch.messages);
  }

  private remove(messages: MnsMessage[]): void {
    const q = this.fake.state.getQueue(this.o.queue)!;
    const ids = new Set(messages.map((m) => m.MessageId));
    q.Messages = q.Messages.filter((m) => !ids.has(m.MessageId));
  }

  private cloudEvent(m: MnsMessage): MnsCloudEvent {
    const { accountId, defaultRegion: region } = this.fake.state;
    const decode = this.o.isBase64Decode ?? true;
    const body = decode && isBase64(m.MessageBody) ? Buffer.from(m.MessageBody, "base64").toString("utf8") : m.MessageBody;
    return {
      id: randomUUID(),
      source: `MNS-${this.o.queue}`,
      specversion: "1.0",
      type: "mns:Queue:SendMessage",
      datacontenttype: "application/json; charset=utf-8",
      subject: `acs:mns:${region}:${accountId}:queues/${this.o.queue}`,
      time: new Date(m.EnqueueTime).toISOString(),
      aliyunaccountid: accountId,
      aliyunregionid: region,
      data: { requestId: randomUUID().replace(/-/g, "").toUpperCase().slice(0, 24), messageId: m.MessageId, messageBody: body },
    };
  }
}

/** A body that is base64 and decodes to UTF-8 text (a JSON body is not: `{` is outside the alphabet). */
function isBase64(s: string): boolean {
  if (s.length === 0 || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return false;
  return Buffer.from(Buffer.from(s, "base64").toString("utf8"), "utf8").toString("base64") === s;
}
