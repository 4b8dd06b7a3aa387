import { strict as assert } from "node:assert";
import { MarkerLedger, markerKey } from "../../handlers/core/idempotency";
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
