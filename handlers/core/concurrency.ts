/**
 * Runs `fn` over every item with at most `limit` in flight. Every item is
 * attempted even when some fail (a drain must reach every target it can);
 * failures are collected, not thrown.
 */
export async function forEachLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<{ results: R[]; failures: { item: T; error: unknown }[] }> {
  const results: R[] = new Array(items.length);
  const failures: { item: T; error: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]);
      } catch (error) {
        failures.push({ item: items[i], error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return { results, failures };
}

/**
 * `fn(item, arg)` for every item, at most `limit` at once, every item
 * attempted; then one error naming each failure (`describe`). `fn` is the
 * action itself (e.g. lb/drain.ts removeInstance), not a closure around it.
 */
export async function forEachOrThrow<T, A>(what: string, items: readonly T[], limit: number, describe: (item: T) => string, fn: (item: T, arg: A) => Promise<unknown>, arg: A): Promise<void> {
  const { failures } = await forEachLimited(items, limit, (item) => fn(item, arg));
  throwIfFailed(what, failures, describe);
}

/** Throws one error naming every failed target, keeping the first failure's code. */
export function throwIfFailed<T>(what: string, failures: { item: T; error: unknown }[], describe: (item: T) => string): void {
  if (failures.length === 0) return;
  const parts = failures.map((f) => `${describe(f.item)}: ${(f.error as Error)?.message ?? String(f.error)}`);
  const err = new Error(`${what} failed for ${failures.length} target(s): ${parts.join("; ")}`) as Error & { code?: string };
  err.code = (failures[0].error as { code?: string })?.code;
  throw err;
}
