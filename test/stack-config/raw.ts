// A shipped stack's config as validateConfig takes it: read the way the
// offline plan reads it (tools/plan/stack-config.ts), secrets as [secret].
import * as path from "node:path";
import type { RawConfig } from "../../infra/config/validate";
import { NAMESPACE } from "../../infra/config/schema";
import { readStackConfig } from "../../tools/plan/stack-config";

export const ROOT = path.resolve(__dirname, "../..");

export function shippedRaw(stack: string): RawConfig {
  const files = readStackConfig(ROOT, stack);
  const values: Record<string, unknown> = {};
  const otherKeys: string[] = [];
  for (const [key, text] of Object.entries(files.config)) {
    if (!key.startsWith(`${NAMESPACE}:`)) otherKeys.push(key);
    else values[key.slice(NAMESPACE.length + 1)] = JSON.parse(text);
  }
  return { stack, region: files.config["alicloud:region"], values, otherKeys, isSecret: (p) => files.secretPaths.has(p) };
}
