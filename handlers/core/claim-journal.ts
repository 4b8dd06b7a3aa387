// The claim journal: where the sweeper finds claims whose owner may have died.
// Before an invocation claims an event it appends the event's body here, in the
// bucket of the minute its lease would expire:
//   <prefix>/<handler>/~claims/<yyyymmddHHMM>/<shard>/<n>   {eventKey, bodyBase64, leaseExpiresAt}
//   <prefix>/<handler>/~claims/cursor                        hint: every bucket before it was swept
// Slots are dense (each appender takes the lowest free n of its shard with the
// same atomic create-if-absent as the markers), so a reader stops at the first
// missing one: no ListObjects, and contention split over SHARDS. `~` never
// appears in a marker key (idempotency.ts safeSegment). The journal decides
// nothing: the markers do; an entry only says "look at this event's marker
// after this minute". Entries are never deleted.
import { safeSegment } from "./idempotency";
import type { ObjectStore } from "./ports";

/** Shards per minute: concurrent appenders of one minute probe ~1/SHARDS of the slots; an idle sweep reads SHARDS absent slots. */
export const SHARDS = 8;
const BUCKET_MS = 60_000;
/** Far more slots than one shard-minute ever holds: a guard against a probing loop, not a limit met in practice. */
const MAX_SLOTS = 10_000;

export interface JournalEntry {
  eventKey: string;
  /** The event exactly as received, so a sweeper can run it again. */
  bodyBase64: string;
  leaseExpiresAt: string;
}

/** `yyyymmddHHMM` (UTC) of the minute holding `ms`: keys sort by time. */
export function bucketOf(ms: number): string {
  return new Date(Math.floor(ms / BUCKET_MS) * BUCKET_MS).toISOString().replace(/[-:T]/g, "").slice(0, 12);
}

export function bucketStartMs(bucket: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(bucket);
  if (!m) throw new Error(`not a journal bucket: ${bucket}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
}

export function nextBucket(bucket: string): string {
  return bucketOf(bucketStartMs(bucket) + BUCKET_MS);
}

function shardOf(eventKey: string): number {
  let h = 0;
  for (let i = 0; i < eventKey.length; i++) h = (h * 31 + eventKey.charCodeAt(i)) >>> 0;
  return h % SHARDS;
}

export class ClaimJournal {
  private readonly base: string;
  /** Per bucket and shard, the lowest slot not yet seen taken by this instance: a batch's appends do not probe from 0 each time. */
  private readonly nextFree = new Map<string, number>();

  constructor(private readonly store: ObjectStore, prefix: string, handler: string) {
    this.base = [prefix, safeSegment(handler), "~claims"].filter(Boolean).join("/");
  }

  slotKey(bucket: string, shard: number, n: number): string {
    return `${this.base}/${bucket}/${shard}/${n}`;
  }

  /** Appends `entry` in the bucket of its lease expiry; resolves with the slot's key. */
  async append(entry: JournalEntry): Promise<string> {
    const bucket = bucketOf(Date.parse(entry.leaseExpiresAt));
    const shard = shardOf(entry.eventKey);
    const body = JSON.stringify(entry);
    const hint = `${bucket}/${shard}`;
    // Every slot below the hint was seen taken, so starting there keeps the slots dense.
    for (let n = this.nextFree.get(hint) ?? 0; n < MAX_SLOTS; n++) {
      const key = this.slotKey(bucket, shard, n);
      const taken = await this.store.putIfAbsent(key, body);
      this.nextFree.set(hint, Math.max(this.nextFree.get(hint) ?? 0, n + 1));
      if (taken) return key;
    }
    throw new Error(`claim journal: no free slot in ${this.base}/${bucket}/${shard} after ${MAX_SLOTS}`);
  }

  /** Every entry of one bucket, shard by shard, slot by slot up to the first missing one (unreadable ones skipped). */
  async entries(bucket: string): Promise<JournalEntry[]> {
    const shards = await Promise.all(
      Array.from({ length: SHARDS }, async (_, shard) => {
        const found: JournalEntry[] = [];
        for (let n = 0; n < MAX_SLOTS; n++) {
          const text = await this.store.get(this.slotKey(bucket, shard, n));
          if (text === undefined) break;
          const entry = parseEntry(text);
          if (entry) found.push(entry);
        }
        return found;
      }),
    );
    return shards.flat();
  }

  /** The first bucket not yet fully swept, or undefined before the first sweep. */
  async cursor(): Promise<string | undefined> {
    const text = await this.store.get(`${this.base}/cursor`);
    return text && /^\d{12}$/.test(text.trim()) ? text.trim() : undefined;
  }

  async setCursor(bucket: string): Promise<void> {
    await this.store.put(`${this.base}/cursor`, bucket);
  }
}

function parseEntry(text: string): JournalEntry | undefined {
  try {
    const e = JSON.parse(text) as JournalEntry;
    return typeof e.eventKey === "string" && typeof e.bodyBase64 === "string" && typeof e.leaseExpiresAt === "string" ? e : undefined;
  } catch {
    return undefined;
  }
}
