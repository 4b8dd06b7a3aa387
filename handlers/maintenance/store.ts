// Durable pending maintenance actions in object storage (the idempotency
// bucket), with compare-and-swap semantics built only from what the ObjectStore
// port offers: create-if-absent (OSS `x-oss-forbid-overwrite`), put and get.
// OSS ListObjects and `If-Match` are not used (the port and the test fake have
// neither), so:
//
//   <prefix>/records/<eventId>/v000001.json   one immutable object per version
//   <prefix>/records/<eventId>/head           hint: latest version seen
//   <prefix>/index/<n>                        append-only slots: {eventId, ...}
//   <prefix>/index/head                       hint: highest slot known to exist
//   <prefix>/index/cursor                     hint: every slot below holds a finished record
//
// Advancing a record from version v means creating v+1 with forbid-overwrite:
// of two reconcilers that both read v, exactly one creates v+1; the other sees
// it lost and leaves the record alone this tick. Hints are plain puts that are
// only ever written with values known to be safe (a slot/version that exists),
// so a stale or lost hint costs extra GETs, never correctness.
import { safeSegment } from "../core/idempotency";
import type { ObjectStore } from "../core/ports";
import type { PendingAction } from "./pending";
import type { MaintenanceWindow } from "./window";

/** The stored record: the pure module's record plus what the reconciler needs to act alone. */
export type StoredPending = PendingAction & {
  readonly regionId: string;
  /** The group whose policy planned it (for reports). */
  readonly group?: string;
  /** The windows the slot was planned in (re-planning uses the same ones). */
  readonly windows: readonly MaintenanceWindow[];
  /** Slot starts the capacity guard refused. */
  readonly blockedSlots?: readonly number[];
  /** Who wrote this version (an FC request id): tells our own lost-answer write from a rival's. */
  readonly writer?: string;
};

export interface Versioned {
  record: StoredPending;
  version: number;
}

export interface IndexSlot {
  slot: number;
  eventId: string;
  instanceId: string;
  createdAt: number;
}

/** A slot whose record never appeared this long after being indexed is abandoned (crash between the two writes). */
const ORPHAN_SLOT_MS = 60 * 60_000;
const MAX_PROBE = 10_000;

export class PendingActionStore {
  constructor(
    private readonly objects: ObjectStore,
    /** e.g. `event-ops/markers/pending` */
    readonly prefix: string,
    /** The FC request id of this invocation. */
    private readonly writer: string,
  ) {}

  recordKey(eventId: string, version: number): string {
    return `${this.prefix}/records/${safeSegment(eventId)}/v${String(version).padStart(6, "0")}.json`;
  }
  private recordHead(eventId: string): string {
    return `${this.prefix}/records/${safeSegment(eventId)}/head`;
  }
  slotKey(n: number): string {
    return `${this.prefix}/index/${n}`;
  }
  private indexHead = (): string => `${this.prefix}/index/head`;
  private indexCursor = (): string => `${this.prefix}/index/cursor`;

  /** The latest version of a record, or undefined when there is none. */
  async load(eventId: string): Promise<Versioned | undefined> {
    const hint = await this.readHint(this.recordHead(eventId));
    let version = hint;
    let body = await this.objects.get(this.recordKey(eventId, version));
    if (body === undefined && version > 1) {
      // The hint ran ahead of what exists (should not happen) or versions expired: start over.
      version = 1;
      body = await this.objects.get(this.recordKey(eventId, 1));
    }
    if (body === undefined) return undefined;
    for (let i = 0; i < MAX_PROBE; i++) {
      const next = await this.objects.get(this.recordKey(eventId, version + 1));
      if (next === undefined) break;
      version++;
      body = next;
    }
    if (version !== hint) await this.writeHint(this.recordHead(eventId), version);
    return { record: parseRecord(body, this.recordKey(eventId, version)), version };
  }

  /**
   * Creates version 1 (indexing it first, so a crash between the two writes
   * leaves a harmless index entry, never an unindexed record). Resolves with
   * `created: false` and the current record when it already existed.
   */
  async create(record: StoredPending, now: number): Promise<{ created: boolean; current: Versioned }> {
    const existing = await this.load(record.eventId);
    if (existing) return { created: false, current: existing };
    await this.addToIndex({ eventId: record.eventId, instanceId: record.instanceId, createdAt: now });
    const stamped: StoredPending = { ...record, writer: this.writer };
    const body = JSON.stringify(stamped);
    const key = this.recordKey(record.eventId, 1);
    if (await this.objects.putIfAbsent(key, body)) {
      await this.writeHint(this.recordHead(record.eventId), 1);
      return { created: true, current: { record: stamped, version: 1 } };
    }
    const theirs = await this.objects.get(key);
    if (theirs === body) return { created: true, current: { record: stamped, version: 1 } }; // our write, answer lost
    return { created: false, current: (await this.load(record.eventId))! };
  }

  /**
   * Compare-and-swap: writes `next` as version `current.version + 1` unless
   * someone else already did. Undefined means we lost the race.
   */
  async advance(current: Versioned, next: StoredPending): Promise<Versioned | undefined> {
    const version = current.version + 1;
    const stamped: StoredPending = { ...next, writer: this.writer };
    const body = JSON.stringify(stamped);
    const key = this.recordKey(next.eventId, version);
    if (!(await this.objects.putIfAbsent(key, body))) {
      // A retried create whose first answer was lost finds its own object.
      if ((await this.objects.get(key)) !== body) return undefined;
    }
    await this.writeHint(this.recordHead(next.eventId), version);
    return { record: stamped, version };
  }

  /** Every indexed slot from the cursor on (duplicates possible: callers dedupe by eventId). */
  async listSlots(): Promise<IndexSlot[]> {
    const cursor = await this.readHint(this.indexCursor());
    const head = await this.readHint(this.indexHead(), 0);
    const slots: IndexSlot[] = [];
    // Slots below the head hint exist unless expired; past it, stop at the first gap.
    for (let n = cursor, i = 0; i < MAX_PROBE; n++, i++) {
      const body = await this.objects.get(this.slotKey(n));
      if (body === undefined) {
        if (n < head) continue;
        break;
      }
      const parsed = parseSlot(body);
      if (parsed) slots.push({ slot: n, ...parsed });
    }
    return slots;
  }

  /** Moves the cursor past slots whose records are finished (or orphaned); never backwards. */
  async advanceCursor(slots: IndexSlot[], finished: (s: IndexSlot) => boolean): Promise<void> {
    const cursor = await this.readHint(this.indexCursor());
    let next = cursor;
    for (const s of [...slots].sort((a, b) => a.slot - b.slot)) {
      if (s.slot !== next) break;
      if (!finished(s)) break;
      next = s.slot + 1;
    }
    if (next > cursor) await this.writeHint(this.indexCursor(), next);
  }

  isOrphan(slot: IndexSlot, now: number): boolean {
    return now - slot.createdAt > ORPHAN_SLOT_MS;
  }

  private async addToIndex(entry: Omit<IndexSlot, "slot">): Promise<number> {
    // Start after the highest slot known to exist: never creates a gap.
    const start = Math.max(await this.readHint(this.indexCursor()), (await this.readHint(this.indexHead(), 0)) + 1);
    const body = JSON.stringify({ ...entry, writer: this.writer });
    for (let n = start, i = 0; i < MAX_PROBE; n++, i++) {
      if (await this.objects.putIfAbsent(this.slotKey(n), body)) {
        await this.writeHint(this.indexHead(), n);
        return n;
      }
      if ((await this.objects.get(this.slotKey(n))) === body) return n;
    }
    throw new Error(`pending index: no free slot after ${MAX_PROBE} tries from ${start}`);
  }

  private async readHint(key: string, fallback = 1): Promise<number> {
    const text = await this.objects.get(key);
    const n = text === undefined ? NaN : Number(text.trim());
    return Number.isInteger(n) && n >= fallback ? n : fallback;
  }

  private async writeHint(key: string, value: number): Promise<void> {
    try {
      await this.objects.put(key, String(value));
    } catch {
      // A hint only saves GETs: losing it is harmless.
    }
  }
}

function parseRecord(body: string, key: string): StoredPending {
  let r: StoredPending;
  try {
    r = JSON.parse(body) as StoredPending;
  } catch {
    throw new Error(`pending record ${key} is not JSON`);
  }
  if (r?.version !== 1 || typeof r.eventId !== "string" || typeof r.phase !== "string" || !r.slot) throw new Error(`pending record ${key} is not a version-1 pending action`);
  return r;
}

function parseSlot(body: string): Omit<IndexSlot, "slot"> | undefined {
  try {
    const s = JSON.parse(body) as Partial<IndexSlot>;
    return typeof s.eventId === "string" ? { eventId: s.eventId, instanceId: String(s.instanceId ?? ""), createdAt: Number(s.createdAt ?? 0) } : undefined;
  } catch {
    return undefined;
  }
}
