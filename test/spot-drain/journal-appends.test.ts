// A batch journals every event it claims (core/claim-journal.ts): one journal
// instance remembers each shard's next free slot, so 200 appends in one minute
// cost about 200 creates, not the ~2,500 of probing from slot 0 each time; the
// slots stay dense, so readers and other appenders still find every entry.
import { strict as assert } from "node:assert";
import { ClaimJournal, SHARDS } from "../../handlers/core/claim-journal";
import { MemoryObjectStore } from "../handlers/doubles/ports";

describe("claim journal appends of a batch", () => {
  it("probe from the slot after the last one seen taken, and keep the slots dense", async () => {
    const store = new MemoryObjectStore();
    let creates = 0;
    const counted = Object.assign(Object.create(store), { putIfAbsent: (k: string, b: string) => (creates++, store.putIfAbsent(k, b)) });
    const lease = "2026-11-21T00:35:00.000Z";
    const batchJournal = new ClaimJournal(counted, "markers", "spot-drain");
    for (let i = 0; i < 200; i++) await batchJournal.append({ eventKey: `ev-${i}`, bodyBase64: "e30=", leaseExpiresAt: lease });
    assert.equal(creates, 200, "one create per entry");
    // Another journal over the same store shares the hints and still lands on the first free slot of its shard.
    const other = new ClaimJournal(counted, "markers", "spot-drain");
    const key = await other.append({ eventKey: "ev-late", bodyBase64: "e30=", leaseExpiresAt: lease });
    const entries = await new ClaimJournal(store, "markers", "spot-drain").entries("202611210035");
    assert.equal(entries.length, 201, `every entry readable (${SHARDS} shards, dense slots); the late one at ${key}`);
    assert.deepEqual(new Set(entries.map((e) => e.eventKey)).size, 201);
  });

  it("share the hints across invocations of a warm instance (a journal and a store wrapper per invocation), never across stores", async () => {
    const store = new MemoryObjectStore();
    let creates = 0;
    // Each invocation wraps the instance's one store anew (core/timings.ts objectStore), as runtime/invoke.ts does.
    const wrapped = () => Object.assign(Object.create(store), { putIfAbsent: (k: string, b: string) => (creates++, store.putIfAbsent(k, b)) });
    const lease = "2026-11-21T00:36:00.000Z";
    for (let i = 0; i < 300; i++) await new ClaimJournal(wrapped(), "markers", "instance-cleanup", store).append({ eventKey: `rel-${i}`, bodyBase64: "e30=", leaseExpiresAt: lease });
    assert.equal(creates, 300, "one create per release: no probing from slot 0 per invocation");
    // A journal of the same prefix over another bucket inherits nothing: its first entry is slot 0 of its shard.
    const fresh = new MemoryObjectStore();
    const key = await new ClaimJournal(fresh, "markers", "instance-cleanup").append({ eventKey: "rel-0", bodyBase64: "e30=", leaseExpiresAt: lease });
    assert.match(key, /\/0$/, key);
    const entries = await new ClaimJournal(store, "markers", "instance-cleanup").entries("202611210036");
    assert.equal(entries.length, 300, "dense: every entry readable");
  });
});
