// Wall-clock time for the drill's own measurements: Date.now follows the fake
// cloud's virtual clock while a twin runs (tools/virtual-timers.ts).
const realNow = Date.now.bind(Date);

/** Wall-clock milliseconds, whatever Date.now says. */
export function wallNow(): number {
  return typeof performance !== "undefined" ? performance.timeOrigin + performance.now() : realNow();
}
