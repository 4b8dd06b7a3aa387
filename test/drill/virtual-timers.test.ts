// Process-wide virtual time (tools/virtual-timers.ts), which drills and
// bench:burst run on: timers fire in (time, creation) order as the clock
// jumps; cleared, refreshed and repeating timers behave as Node's do; the
// clock waits while an HTTP request is out; and timers left behind uncleared
// do not slow finding the next one.
import * as assert from "node:assert/strict";
import * as http from "node:http";
import { FakeClock } from "../../local-cloud";
import { VirtualTimers } from "../../tools/virtual-timers";

const T0 = Date.parse("2026-11-20T00:00:00Z");

describe("virtual timers", () => {
  let clock: FakeClock;
  let timers: VirtualTimers;
  beforeEach(() => {
    clock = new FakeClock(T0);
    timers = new VirtualTimers(clock).install();
  });
  afterEach(() => timers.uninstall());

  it("fires timers at their virtual time, earliest first, ties in creation order; Date.now follows the clock", async () => {
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${Date.now() - T0}`);
    setTimeout(at("c"), 3000);
    setTimeout(at("a"), 1000);
    setTimeout(at("b"), 1000);
    setTimeout(at("z"), 0);
    assert.equal(await timers.run(() => fired.length === 4, T0 + 10_000), true);
    assert.deepEqual(fired, ["z@0", "a@1000", "b@1000", "c@3000"]);
    assert.equal(clock.now(), T0 + 3000);
  });

  it("a cleared timer never fires; a refreshed one moves; an interval repeats until cleared", async () => {
    const fired: string[] = [];
    const cleared = setTimeout(() => fired.push("cleared"), 500);
    clearTimeout(cleared);
    const moved = setTimeout(() => fired.push(`moved@${Date.now() - T0}`), 1000);
    const every = setInterval(() => {
      fired.push(`tick@${Date.now() - T0}`);
      if (fired.filter((f) => f.startsWith("tick")).length === 3) clearInterval(every);
    }, 700);
    await timers.run(() => false, T0 + 600);
    clock.advance(T0 + 600 - clock.now());
    moved.refresh(); // at 600 virtual ms: due at 1600 now
    assert.equal(await timers.run(() => false, T0 + 5000), false, "nothing left to wait for");
    assert.deepEqual(fired, ["tick@700", "tick@1400", "moved@1600", "tick@2100"]);
  });

  it("stops at untilMs without passing it", async () => {
    let fired = false;
    setTimeout(() => (fired = true), 5000);
    assert.equal(await timers.run(() => fired, T0 + 4000), false);
    assert.equal(fired, false);
    assert.ok(clock.now() <= T0 + 4000);
  });

  it("the clock does not move while an HTTP request awaits its answer", async () => {
    // The answer takes many event-loop turns, more than quiet() needs to call the process idle without a request out.
    const later = (turns: number, fn: () => void): void => void (turns === 0 ? fn() : setImmediate(() => later(turns - 1, fn)));
    const server = http.createServer((_req, res) => later(50, () => res.end("ok")));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      let answeredAt: number | undefined;
      let timerAt: number | undefined;
      setTimeout(() => (timerAt = Date.now() - T0), 1000);
      http.get(`http://127.0.0.1:${port}/`, (res) => {
        res.resume();
        res.on("end", () => (answeredAt = Date.now() - T0));
      });
      await timers.run(() => timerAt !== undefined, T0 + 10_000);
      assert.equal(answeredAt, 0, "answered before the clock moved");
      assert.equal(timerAt, 1000);
    } finally {
      server.close();
    }
  });

  it("thousands of timers left behind uncleared: the next one is still found in order", async () => {
    for (let i = 0; i < 20_000; i++) setTimeout(() => undefined, 60_000 + i);
    const fired: number[] = [];
    for (const ms of [3, 1, 2]) setTimeout(() => fired.push(ms), ms * 1000);
    await timers.run(() => fired.length === 3, T0 + 10_000);
    assert.deepEqual(fired, [1, 2, 3]);
  });
});
