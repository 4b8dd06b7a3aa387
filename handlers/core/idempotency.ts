// Durable idempotency markers in object storage.
//
// Guarantee: at most one live owner per event and handler. Each claim is an
// atomic create-if-absent (OSS `x-oss-forbid-overwrite: true`, 409 when the
// object exists) of one "generation" object:
//   <prefix>/<handler>/<event key>               generation 0
//   <prefix>/<handler>/<event key>/takeover-<n>  generation n
// Generation n may only be created after generation n-1 was seen expired
// (lease passed without `done`), `failed` or `released`; creating it is atomic
// too, so two invocations racing for a takeover cannot both win. The lease is
// longer than the function timeout, and FC stops an invocation at its timeout,
// so a previous owner is gone before anyone can take its event over.
// Markers are only ever written by their owner and never deleted.
//
// Progress: the owner records each mutating call it completed (its key and
// answer) in its own marker as it goes. A takeover reads the progress of every
// earlier generation, so a resumed run skips what a dead owner already did
// (runtime/resumable-cloud.ts); the claim journal (claim-journal.ts) lets the
// sweeper find claims whose owner died.
import type { ClaimJournal } from "./claim-journal";
import type { Json, ObjectStore } from "./ports";

export type MarkerState = "claimed" | "done" | "failed" | "released";

export interface Marker {
  state: MarkerState;
  owner: string;
  generation: number;
  claimedAt: string;
  leaseExpiresAt: string;
  settledAt?: string;
  outcome?: string;
  error?: string;
  /** Mutating calls this generation completed: progress key (resumable-cloud.ts) → the API's answer. */
  progress?: Record<string, Json>;
}

export type Claim =
  | {
      owned: true;
      objectKey: string;
      marker: Marker;
      /** What earlier generations (dead owners, failed or released runs) completed: skipped when resumed. */
      prior: Record<string, Json>;
    }
  | { owned: false; reason: string };

export interface MarkerLedgerOptions {
  prefix: string;
  handler: string;
  /** Identifies this invocation (the FC request id). */
  owner: string;
  leaseMs: number;
  now: () => number;
  /** A crash loop beyond this many takeovers needs a person, not another try. */
  maxTakeovers?: number;
  /** Where claims are announced before they are made, for the sweeper (absent: not journaled). */
  journal?: ClaimJournal;
}

/** An id as one object-key segment: anything but `A-Za-z0-9._:=-` becomes `_`. */
export function safeSegment(id: string): string {
  return id.replace(/[^A-Za-z0-9._:=-]/g, "_");
}

export function markerKey(prefix: string, handler: string, eventKey: string, generation: number): string {
  const base = [prefix, handler, safeSegment(eventKey)].filter(Boolean).join("/");
  return generation === 0 ? base : `${base}/takeover-${generation}`;
}

export class MarkerLedger {
  /** This owner's marker writes, one after another (progress, then the settle): the last one written carries everything. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: ObjectStore, private readonly o: MarkerLedgerOptions) {}

  /**
   * Claims `eventKey`. With a journal and the event's body, the claim is journaled first
   * (a crash between the two leaves an entry whose event was never started: the sweeper runs it).
   */
  async claim(eventKey: string, bodyBase64?: string): Promise<Claim> {
    const maxTakeovers = this.o.maxTakeovers ?? 5;
    if (this.o.journal && bodyBase64 !== undefined) {
      await this.o.journal.append({ eventKey, bodyBase64, leaseExpiresAt: new Date(this.o.now() + this.o.leaseMs).toISOString() });
    }
    const prior: Record<string, Json> = {};
    for (let generation = 0; generation <= maxTakeovers; generation++) {
      const objectKey = markerKey(this.o.prefix, this.o.handler, eventKey, generation);
      const now = this.o.now();
      const marker: Marker = {
        state: "claimed",
        owner: this.o.owner,
        generation,
        claimedAt: new Date(now).toISOString(),
        leaseExpiresAt: new Date(now + this.o.leaseMs).toISOString(),
      };
      if (await this.store.putIfAbsent(objectKey, JSON.stringify(marker))) return { owned: true, objectKey, marker, prior };
      const existing = parseMarker(await this.store.get(objectKey));
      if (!existing) return { owned: false, reason: `marker ${objectKey} exists but is unreadable; treating the event as taken` };
      // Our own create whose answer was lost (retried after a timeout or 5xx).
      if (existing.owner === this.o.owner && existing.state === "claimed") return { owned: true, objectKey, marker: existing, prior: { ...prior, ...existing.progress } };
      if (existing.state === "done") return { owned: false, reason: `already handled by ${existing.owner} (done at ${existing.settledAt ?? "?"})` };
      if (existing.state === "claimed" && Date.parse(existing.leaseExpiresAt) > now) {
        return { owned: false, reason: `in progress by ${existing.owner} (lease until ${existing.leaseExpiresAt})` };
      }
      // Expired, failed or released: what it did stays done; try to take over with the next generation.
      Object.assign(prior, existing.progress);
    }
    return { owned: false, reason: `gave up after ${maxTakeovers} takeovers of ${markerKey(this.o.prefix, this.o.handler, eventKey, 0)}; needs a person` };
  }

  /** The newest generation's marker of `eventKey` (undefined when none was ever created). */
  async latest(eventKey: string): Promise<Marker | undefined> {
    let newest: Marker | undefined;
    for (let generation = 0; generation <= (this.o.maxTakeovers ?? 5); generation++) {
      const text = await this.store.get(markerKey(this.o.prefix, this.o.handler, eventKey, generation));
      if (text === undefined) break;
      newest = parseMarker(text) ?? newest;
    }
    return newest;
  }

  /** Records one completed mutating call in the owner's marker; writes are serialised, each carrying all progress so far. */
  recordProgress(claim: Extract<Claim, { owned: true }>, key: string, answer: Json): Promise<void> {
    claim.marker.progress = { ...claim.marker.progress, [key]: answer };
    const write = this.writes.then(() => this.store.put(claim.objectKey, JSON.stringify(claim.marker)));
    this.writes = write.catch(() => undefined);
    return write;
  }

  async settle(claim: Extract<Claim, { owned: true }>, state: Exclude<MarkerState, "claimed">, detail: { outcome?: string; error?: string } = {}): Promise<void> {
    await this.writes;
    const marker: Marker = { ...claim.marker, state, settledAt: new Date(this.o.now()).toISOString(), ...detail };
    await this.store.put(claim.objectKey, JSON.stringify(marker));
  }
}

function parseMarker(text: string | undefined): Marker | undefined {
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as Marker;
    return typeof m.state === "string" && typeof m.leaseExpiresAt === "string" ? m : undefined;
  } catch {
    return undefined;
  }
}
