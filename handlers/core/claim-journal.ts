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

/** Hints kept per store at most; the oldest go first (a minute's buckets are not appended to after it). */
const MAX_HINTS = 4096;
/**
 * Per store (one per warm instance: runtime/fc-entry.ts builds the adapters once), per journal
 * slot prefix, the lowest slot not yet seen taken. Shared by every invocation of the instance:
 * rebuilt per invocation, every append of a busy minute probed from slot 0 again (quadratic:
 * 1000 releases in one minute made some 78,000 PutObject calls, most of them 409s). Keyed by the
 * store object, so another bucket (another store) never inherits a hint.
 */
const hintsByStore = new WeakMap<object, Map<string, number>>();

export class ClaimJournal {
  private readonly base: string;
  /** `<base>/<bucket>/<shard>` → the lowest slot not yet seen taken there. */
  private readonly nextFree: Map<string, number>;

  /** `bucketOf`: the store the hints belong to, when `store` wraps it per invocation (timings); default `store`. */
  constructor(private readonly store: ObjectStore, prefix: string, handler: string, bucketOf: object = store) {
    this.base = [prefix, safeSegment(handler), "~claims"].filter(Boolean).join("/");
    let hints = hintsByStore.get(bucketOf);
    if (!hints) hintsByStore.set(bucketOf, (hints = new Map()));
    this.nextFree = hints;
  }

  slotKey(bucket: string, shard: number, n: number): string {
    return `${this.base}/${bucket}/${shard}/${n}`;
  }

  /** Appends `entry` in the bucket of its lease expiry; resolves with the slot's key. */
  async append(entry: JournalEntry): Promise<string> {
    const bucket = bucketOf(Date.parse(entry.leaseExpiresAt));
    const shard = shardOf(entry.eventKey);
    const body = JSON.stringify(entry);
    const hint = `${this.base}/${bucket}/${shard}`;
    // Every slot below the hint was seen taken, so starting there keeps the slots dense.
    for (let n = this.nextFree.get(hint) ?? 0; n < MAX_SLOTS; n++) {
      const key = this.slotKey(bucket, shard, n);
      const taken = await this.store.putIfAbsent(key, body);
      this.nextFree.set(hint, Math.max(this.nextFree.get(hint) ?? 0, n + 1));
      if (this.nextFree.size > MAX_HINTS) this.nextFree.delete(this.nextFree.keys().next().value!);
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
