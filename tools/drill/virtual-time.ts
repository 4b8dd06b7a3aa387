// Bundled handlers read the time through Date.now (their systemClock). In a
// local drill that time is the fake cloud's virtual clock, so a three-day
// notBefore passes in seconds and the handlers see the same "now" as the
// platform. Waits (setTimeout) stay real: the drill shortens them instead.
import type { FakeClock } from "../../local-cloud";

const realNow = Date.now.bind(Date);

/** Makes Date.now follow the clock until the returned restore function is called. */
export function followVirtualTime(clock: FakeClock): () => void {
  const previous = Date.now;
  Date.now = () => clock.now();
  return () => {
    Date.now = previous;
  };
}

/** Wall-clock milliseconds, whatever Date.now says. */
export function wallNow(): number {
  return typeof performance !== "undefined" ? performance.timeOrigin + performance.now() : realNow();
}
