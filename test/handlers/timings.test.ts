import { strict as assert } from "node:assert";
import { InvocationTimer } from "../../handlers/core/timings";

describe("invocation timings", () => {
  /** A timer on a hand-moved clock. */
  function manual() {
    let t = 1000;
    const timer = new InvocationTimer(() => t);
    const advance = (ms: number) => void (t += ms);
    return { timer, advance };
  }
  /** A call that ends when `release` is called. */
  function pending() {
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    return { done, release };
  }

  it("counts overlapping calls once: the union of their intervals", async () => {
    const { timer, advance } = manual();
    const a = pending();
    const b = pending();
    const first = timer.api(() => a.done); // t=0 (relative)
    advance(10);
    const second = timer.api(() => b.done); // t=10
    advance(20);
    a.release(); // first ends at t=30
    await first;
    advance(5);
    b.release(); // second ends at t=35: busy 0..35
    await second;
    advance(15); // idle
    const c = pending();
    const third = timer.api(() => c.done); // t=50
    advance(4);
    c.release();
    await third; // busy 50..54
    advance(6);
    assert.deepEqual(timer.snapshot(), { totalMs: 60, apiMs: 39, waitMs: 0 });
  });

  it("counts a failed call as API time, and the clock's sleeps as wait", async () => {
    const { timer, advance } = manual();
    await assert.rejects(timer.api(async () => { advance(7); throw new Error("boom"); }), /boom/);
    const clock = timer.clock({ now: () => 0, sleep: async (ms) => advance(ms) });
    await clock.sleep(30_000);
    advance(3);
    assert.deepEqual(timer.snapshot(), { totalMs: 30_010, apiMs: 7, waitMs: 30_000 });
  });

  it("includes a call still in flight in a snapshot", async () => {
    const { timer, advance } = manual();
    const p = pending();
    const call = timer.api(() => p.done);
    advance(12);
    assert.equal(timer.snapshot().apiMs, 12);
    p.release();
    await call;
  });
});
