// Handlers as Function Compute runs them (tools/bundle-loader.ts), plus the
// environment/console capture tests need around an invocation.
import type { Clock } from "../../../handlers/core/ports";
import { loadBundledModule, type FcHandler } from "../../../tools/bundle-loader";

export { ensureBundles, loadBundledHandler, loadBundledModule, unzip, type FcHandler } from "../../../tools/bundle-loader";

/** A bundle's clock-injectable factory (its `handler` uses the real clock), for runs on a virtual clock. */
export function loadBundledFactory(name: string): (clock: Clock) => FcHandler {
  const mod = loadBundledModule(name);
  if (typeof mod.createHandler !== "function") throw new Error(`${name}.zip does not export createHandler`);
  return mod.createHandler as (clock: Clock) => FcHandler;
}

/** Runs `fn` with extra environment variables and console.log captured (handlers read env per invocation). */
export async function withEnv<T>(env: Record<string, string>, fn: (lines: string[]) => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  const log = console.log;
  const lines: string[] = [];
  Object.assign(process.env, env);
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    return await fn(lines);
  } finally {
    console.log = log;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
