import { strict as assert } from "node:assert";
import { ClaimJournal, bucketOf, bucketStartMs, nextBucket } from "../../handlers/core/claim-journal";
import { MarkerLedger, markerKey } from "../../handlers/core/idempotency";
import { MAX_RESUMES_PER_TICK, sweepExpiredClaims } from "../../handlers/runtime/sweeper";
import { MemoryObjectStore } from "./doubles/ports";

describe("idempotency markers", () => {
  let now = 1_000_000;
  const ledger = (store: MemoryObjectStore, owner: string, opts: { maxTakeovers?: number } = {}) => new MarkerLedger(store, { prefix: "p", handler: "spot-drain", owner, leaseMs: 60_000, now: () => now, ...opts });

  it("gives the event to exactly one of many concurrent claimers", async () => {
    const store = new MemoryObjectStore();
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => ledger(store, `r${i}`).claim("evt")));
    assert.equal(claims.filter((c) => c.owned).length, 1);
  });

  it("answers done markers and live leases as taken, with the reason", async () => {
    const store = new MemoryObjectStore();
    const a = ledger(store, "a");
    const claim = await a.claim("evt");
    assert.ok(claim.owned);
    const live = await ledger(store, "b").claim("evt");
    assert.ok(!live.owned && /in progress by a/.test(live.reason));
    await a.settle(claim, "done", { outcome: "acted" });
    now += 10 * 60_000;
    const done = await ledger(store, "c").claim("evt");
    assert.ok(!done.owned && /already handled by a/.test(done.reason));
  });

  it("lets one taker take over an expired, failed or released claim, each in a new generation", async () => {
    for (const state of ["expired", "failed", "released"] as const) {
      const store = new MemoryObjectStore();
      const first = await ledger(store, "a").claim("evt");
      assert.ok(first.owned);
      if (state === "expired") now += 61_000;
      else await ledger(store, "a").settle(first, state);
      const takers = await Promise.all(["b", "c", "d"].map((o) => ledger(store, o).claim("evt")));
      const winners = takers.filter((t) => t.owned);
      assert.equal(winners.length, 1, state);
      assert.equal((winners[0] as { objectKey: string }).objectKey, markerKey("p", "spot-drain", "evt", 1));
    }
  });

  it("recognises its own claim when the create's answer was lost and retried", async () => {
    const store = new MemoryObjectStore();
    await ledger(store, "a").claim("evt");
    assert.ok((await ledger(store, "a").claim("evt")).owned);
  });

  it("stops after too many takeovers: a crash loop needs a person", async () => {
    const store = new MemoryObjectStore();
    for (let i = 0; i < 3; i++) {
      const c = await ledger(store, `r${i}`, { maxTakeovers: 2 }).claim("evt");
      assert.ok(c.owned);
      await ledger(store, `r${i}`).settle(c, "released");
    }
    const last = await ledger(store, "z", { maxTakeovers: 2 }).claim("evt");
    assert.ok(!last.owned && /gave up after 2 takeovers/.test(last.reason));
  });

  it("keeps marker keys safe for object storage", () => {
    assert.equal(markerKey("p", "h", "ID 1/x?:Scheduled", 0), "p/h/ID_1_x_:Scheduled");
    assert.equal(markerKey("p", "h", "k", 3), "p/h/k/takeover-3");
  });
});

describe("claim progress, journal and sweeper (crash recovery, issue 12 R2)", () => {
  let now = 0;
  beforeEach(() => (now = Date.UTC(2026, 10, 21, 0, 30)));
  const LEASE = 340_000;
  const ledger = (store: MemoryObjectStore, owner: string, journal?: ClaimJournal) => new MarkerLedger(store, { prefix: "p", handler: "spot-drain", owner, leaseMs: LEASE, now: () => now, journal });

  it("hands a takeover the progress of every earlier generation, and records its own", async () => {
    const store = new MemoryObjectStore();
    const first = await ledger(store, "a").claim("evt");
    assert.ok(first.owned);
    await ledger(store, "a").recordProgress(first, "slb:SetBackendServers:1", { RequestId: "r1" });
    await ledger(store, "a").settle(first, "released");
    const second = await ledger(store, "b").claim("evt");
    assert.ok(second.owned);
    assert.deepEqual(second.prior, { "slb:SetBackendServers:1": { RequestId: "r1" } });
    const l = ledger(store, "b");
    await Promise.all([l.recordProgress(second, "k2", {}), l.recordProgress(second, "k3", { JobId: "j" })]);
    now += LEASE + 1;
    const third = await ledger(store, "c").claim("evt");
    assert.ok(third.owned);
    assert.deepEqual(Object.keys(third.prior).sort(), ["k2", "k3", "slb:SetBackendServers:1"]);
    assert.equal((await ledger(store, "z").latest("evt"))?.owner, "c");
    assert.equal(await ledger(store, "z").latest("other"), undefined);
  });

  it("journals a claim before making it, in the bucket of its lease's minute, slots dense per shard", async () => {
    const store = new MemoryObjectStore();
    const journal = new ClaimJournal(store, "p", "spot-drain");
    const c = await ledger(store, "a", journal).claim("evt", Buffer.from("{}").toString("base64"));
    assert.ok(c.owned);
    const bucket = bucketOf(now + LEASE);
    const entries = await journal.entries(bucket);
    assert.deepEqual(entries.map((e) => [e.eventKey, e.bodyBase64]), [["evt", "e30="]]);
    assert.ok([...store.objects.keys()].every((k) => k.startsWith("p/spot-drain/")), "inside the handler's marker prefix (its RAM statement)");
    await Promise.all(Array.from({ length: 30 }, (_, i) => journal.append({ eventKey: `e${i}`, bodyBase64: "", leaseExpiresAt: new Date(now + LEASE).toISOString() })));
    assert.equal((await journal.entries(bucket)).length, 31, "30 concurrent appenders, none lost");
    assert.equal(nextBucket("202611210059"), "202611210100");
    assert.equal(bucketStartMs(bucketOf(now + 59_999)), now);
  });

  describe("the sweeper", () => {
    const setup = () => {
      const store = new MemoryObjectStore();
      const journal = new ClaimJournal(store, "p", "spot-drain");
      const resumed: string[] = [];
      const sweep = (deadlineMs = 200_000) =>
        sweepExpiredClaims({
          journal,
          ledger: ledger(store, "sweeper", journal),
          now: () => now,
          deadline: { remainingMs: () => deadlineMs },
          leaseMs: LEASE,
          resume: async (body) => {
            const key = JSON.parse(body.toString()).key as string;
            resumed.push(key);
            const c = await ledger(store, `resume-${key}`, journal).claim(key, body.toString("base64"));
            if (c.owned) await ledger(store, "r", journal).settle(c, "done");
            return { outcome: c.owned ? "acted" : "duplicate", handler: "spot-drain", eventId: key, name: "n", actions: [], durationMs: 0 };
          },
        });
      const claimAs = (owner: string, key: string) => ledger(store, owner, journal).claim(key, Buffer.from(JSON.stringify({ key })).toString("base64"));
      return { store, journal, resumed, sweep, claimAs };
    };

    it("resumes a claim whose lease expired without done, once, and leaves done, failed and live ones alone", async () => {
      const s = setup();
      const died = await s.claimAs("dead", "crashed");
      const done = await s.claimAs("ok", "finished");
      const failed = await s.claimAs("ok", "failed");
      assert.ok(died.owned && done.owned && failed.owned);
      await ledger(s.store, "ok").settle(done, "done");
      await ledger(s.store, "ok").settle(failed, "failed");
      const early = await s.sweep();
      assert.deepEqual(s.resumed, [], "the lease still runs: nothing to resume");
      assert.equal(early.cursor, bucketOf(now), "the cursor never passes the current minute");
      now += LEASE + 30_000;
      const late = await s.claimAs("live", "recent");
      assert.ok(late.owned);
      const r = await s.sweep();
      assert.deepEqual(s.resumed, ["crashed"]);
      assert.equal(r.resumed[0].outcome.outcome, "acted");
      assert.equal(r.scanned, 3);
      await s.sweep();
      assert.deepEqual(s.resumed, ["crashed"], "resumed once: its takeover is done");
      assert.equal((await ledger(s.store, "x").latest("crashed"))?.state, "done");
    });

    it("resumes a released claim and a journaled event whose claim was never made", async () => {
      const s = setup();
      const released = await s.claimAs("a", "released");
      assert.ok(released.owned);
      await ledger(s.store, "a").settle(released, "released");
      await s.journal.append({ eventKey: "never", bodyBase64: Buffer.from(JSON.stringify({ key: "never" })).toString("base64"), leaseExpiresAt: new Date(now + LEASE).toISOString() });
      now += LEASE + 1;
      await s.sweep();
      assert.deepEqual(s.resumed.sort(), ["never", "released"]);
    });

    it("resumes at most MAX_RESUMES_PER_TICK per tick and picks up the rest on the next, from where it stopped", async () => {
      const s = setup();
      for (let i = 0; i < MAX_RESUMES_PER_TICK + 3; i++) assert.ok((await s.claimAs("dead", `c${i}`)).owned);
      now += LEASE + 1;
      const first = await s.sweep();
      assert.equal(s.resumed.length, MAX_RESUMES_PER_TICK);
      assert.equal(first.cursor, bucketOf(now - 1), "stays on the bucket that still holds work");
      await s.sweep();
      assert.equal(new Set(s.resumed).size, MAX_RESUMES_PER_TICK + 3);
    });

    it("leaves everything to the next tick when too little time is left, and says where it stopped", async () => {
      const s = setup();
      assert.ok((await s.claimAs("dead", "x")).owned);
      now += LEASE + 1;
      const r = await s.sweep(5_000);
      assert.deepEqual(s.resumed, []);
      assert.equal(await s.journal.cursor(), r.cursor);
      await s.sweep();
      assert.deepEqual(s.resumed, ["x"]);
    });
  });
});
