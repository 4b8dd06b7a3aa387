// Discrete-event time for concurrent invocations against the local cloud:
// a sleep registers its wake-up; only when no cloud call is in flight does the
// fake's clock jump to the earliest wake-up. Concurrent waits then overlap as
// they would in real time, however the real scheduling interleaves them
// (the plain virtual clock of fake-cloud-run.ts advances on each sleep, so
// waits begun at different real moments add up).
import type { Clock, CloudApi } from "../../handlers/core/ports";
import type { FakeClock } from "../../local-cloud";

export interface EventClock extends Clock {
  /** The port wrapped so its calls hold time still while in flight. */
  track(api: CloudApi): CloudApi;
}

export function eventClock(fake: FakeClock): EventClock {
  let inFlight = 0;
  let checking = false;
  const sleepers: { until: number; wake: () => void }[] = [];
  // Two turns of the event loop: a resolved call's continuation makes its next call or sleep first.
  const check = (): void => {
    if (checking) return;
    checking = true;
    setImmediate(() =>
      setImmediate(() => {
        checking = false;
        if (inFlight > 0 || sleepers.length === 0) return;
        sleepers.sort((a, b) => a.until - b.until);
        if (sleepers[0].until > fake.now()) fake.advance(sleepers[0].until - fake.now());
        while (sleepers.length && sleepers[0].until <= fake.now()) sleepers.shift()!.wake();
        check();
      }),
    );
  };
  return {
    now: () => fake.now(),
    sleep: (ms) =>
      new Promise<void>((wake) => {
        sleepers.push({ until: fake.now() + Math.max(0, ms), wake });
        check();
      }),
    track: (api) => ({
      call: async (c) => {
        inFlight++;
        try {
          return await api.call(c);
        } finally {
          inFlight--;
          check();
        }
      },
    }),
  };
}
