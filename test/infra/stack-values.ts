import { ROOT } from "../plan/helpers";
import { readStackConfig } from "../../tools/plan/stack-config";

/** A shipped stack's `event-ops:*` values, parsed as the program reads them. */
export function stackValues(stack: string): Record<string, any> {
  const files = readStackConfig(ROOT, stack);
  return Object.fromEntries(
    Object.entries(files.config)
      .filter(([k]) => k.startsWith("event-ops:"))
      .map(([k, v]) => [k.slice("event-ops:".length), (() => { try { return JSON.parse(v); } catch { return v; } })()]),
  );
}
