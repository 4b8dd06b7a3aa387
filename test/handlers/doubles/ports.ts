// In-memory doubles of the object store, dead-letter queue and clock.
import type { Clock, DeadLetter, DeadLetterRecord, ObjectStore, TopicMessageAttributes, TopicPublisher } from "../../../handlers/core/ports";

export class MemoryObjectStore implements ObjectStore {
  objects = new Map<string, string>();
  async putIfAbsent(key: string, body: string): Promise<boolean> {
    await Promise.resolve(); // interleave like real I/O
    if (this.objects.has(key)) return false;
    this.objects.set(key, body);
    return true;
  }
  async put(key: string, body: string): Promise<void> {
    this.objects.set(key, body);
  }
  async get(key: string): Promise<string | undefined> {
    return this.objects.get(key);
  }
  /** The idempotency markers: every object but the claim journal's (core/claim-journal.ts, `<prefix>/<handler>/~claims/…`). */
  markers(): Record<string, unknown>[] {
    return [...this.objects.entries()].filter(([k]) => !k.includes("/~claims/")).map(([, v]) => JSON.parse(v));
  }
}

export class MemoryDeadLetter implements DeadLetter {
  records: DeadLetterRecord[] = [];
  broken?: Error;
  async send(record: DeadLetterRecord): Promise<void> {
    if (this.broken) throw this.broken;
    this.records.push(record);
  }
}

/** MNS topics: published bodies (and attributes) per topic; `broken` makes every publish reject (as after the adapter's retries). */
export class MemoryTopics implements TopicPublisher {
  published = new Map<string, string[]>();
  /** Every publish in order, with its MessageAttributes (undefined when none were sent). */
  sent: { topic: string; body: string; attributes?: TopicMessageAttributes }[] = [];
  broken?: Error;
  async publish(topic: string, body: string, attributes?: TopicMessageAttributes): Promise<void> {
    if (this.broken) throw this.broken;
    this.published.set(topic, [...(this.published.get(topic) ?? []), body]);
    this.sent.push({ topic, body, ...(attributes ? { attributes } : {}) });
  }
  messages(topic: string): Record<string, unknown>[] {
    return (this.published.get(topic) ?? []).map((b) => JSON.parse(b));
  }
}

export class ManualClock implements Clock {
  slept: number[] = [];
  constructor(public t = Date.UTC(2026, 10, 21, 0, 30)) {}
  now = () => this.t;
  sleep = async (ms: number) => {
    this.slept.push(ms);
    this.t += ms;
  };
}
