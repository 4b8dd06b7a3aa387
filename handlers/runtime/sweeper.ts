// The sweeper: on each tick of a destructive handler's timer (contract/timers.ts),
// finds journaled claims whose owner is gone (lease expired without `done`, or a
// released claim, or a journal entry whose claim was never made) and runs their
// events again as fresh invocations. The resumed run takes the claim over (a new
// marker generation, core/idempotency.ts) and skips every call the dead owner
// recorded as done (resumable-cloud.ts). handlers/README.md "Crash recovery"
// states the bound this gives.
import { bucketOf, nextBucket, type ClaimJournal, type JournalEntry } from "../core/claim-journal";
import { messageOf } from "../core/errors";
import type { MarkerLedger } from "../core/idempotency";
import type { Outcome } from "../core/outcome";
import type { Deadline } from "../core/ports";

/** With no cursor yet (first sweep, or the cursor object lost), look back this far. */
const FIRST_LOOKBACK_MS = 60 * 60_000;
/** Buckets (minutes) read per tick: a sweeper that was down catches up two hours a minute. */
const MAX_BUCKETS_PER_TICK = 120;
/** Events resumed per tick, run side by side; the rest wait for the next tick (the cursor stays). */
export const MAX_RESUMES_PER_TICK = 4;
/** A resumed run needs room for its drain wait and removals; with less left, leave it to the next tick. */
const MIN_RESUME_MS = 30_000;

export interface SweepOptions {
  journal: ClaimJournal;
  ledger: MarkerLedger;
  now: () => number;
  deadline: Deadline;
  leaseMs: number;
  /** Runs one journaled body again as a fresh invocation of this handler. */
  resume(body: Buffer, n: number): Promise<Outcome>;
}

export interface SweepResult {
  /** Journal entries looked at. */
  scanned: number;
  resumed: { eventKey: string; outcome: Outcome }[];
  /** Resumes that threw (their dead letter could not be written). */
  errors: string[];
  /** Where the next sweep starts. */
  cursor: string;
}

/** Why an entry's event needs running again; undefined when its marker says done, failed (a person replays those) or alive. */
async function whyResume(entry: JournalEntry, o: SweepOptions, now: number): Promise<string | undefined> {
  const marker = await o.ledger.latest(entry.eventKey);
  if (!marker) return Date.parse(entry.leaseExpiresAt) <= now ? "never claimed" : undefined;
  if (marker.state === "released") return `released by ${marker.owner}`;
  if (marker.state === "claimed" && Date.parse(marker.leaseExpiresAt) <= now) return `lease of ${marker.owner} expired at ${marker.leaseExpiresAt}`;
  return undefined;
}

export async function sweepExpiredClaims(o: SweepOptions): Promise<SweepResult> {
  const now = o.now();
  const current = bucketOf(now);
  let bucket = (await o.journal.cursor()) ?? bucketOf(now - FIRST_LOOKBACK_MS);
  const due = new Map<string, JournalEntry>();
  let scanned = 0;
  let stoppedAt: string | undefined;
  for (let i = 0; bucket <= current; i++, bucket = nextBucket(bucket)) {
    if (i >= MAX_BUCKETS_PER_TICK || due.size >= MAX_RESUMES_PER_TICK || o.deadline.remainingMs() < MIN_RESUME_MS) {
      stoppedAt = bucket;
      break;
    }
    const entries = await o.journal.entries(bucket);
    scanned += entries.length;
    for (const entry of entries) {
      if (!due.has(entry.eventKey) && (await whyResume(entry, o, now))) due.set(entry.eventKey, entry);
    }
  }
  const batch = [...due.values()].slice(0, MAX_RESUMES_PER_TICK);
  const errors: string[] = [];
  const resumed = (
    await Promise.all(
      batch.map(async (entry, n) => {
        try {
          return { eventKey: entry.eventKey, outcome: await o.resume(Buffer.from(entry.bodyBase64, "base64"), n) };
        } catch (err) {
          errors.push(`${entry.eventKey}: ${messageOf(err)}`);
          return undefined;
        }
      }),
    )
  ).filter((r): r is { eventKey: string; outcome: Outcome } => !!r);
  // Work left over (more due than one tick resumes, or a resume that threw): the next tick starts where it was found.
  const unfinished = due.size > batch.length || errors.length > 0;
  // The current minute's bucket may still fill up: the cursor never passes it.
  const cursor = unfinished ? bucketOf(Date.parse(batch[0].leaseExpiresAt)) : (stoppedAt ?? current);
  await o.journal.setCursor(cursor);
  return { scanned, resumed, errors, cursor };
}

/** One line for the tick's outcome: what was looked at and resumed. */
export function sweepSummary(r: SweepResult): string {
  const resumed = r.resumed.map((x) => `${x.outcome.eventId} ${x.outcome.outcome}${x.outcome.reason ? ` (${x.outcome.reason})` : ""}`);
  return `swept ${r.scanned} journaled claim(s), resumed ${r.resumed.length}${resumed.length ? `: ${resumed.join("; ")}` : ""}`;
}
