// Reads the stack config once, at the edge, and validates it before any
// resource is declared. Everything after this works on a typed StackConfig.
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { NAMESPACE, StackConfig } from "./schema";
import { ConfigIssue, validateConfig } from "./validate";

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = "ConfigError";
  }
}

export function formatIssues(issues: ConfigIssue[]): string {
  const lines = issues.map((i) => `  - ${i.path}: ${i.message}`);
  return `invalid stack config (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

export interface LoadOptions {
  /**
   * Was the value at this config path (e.g. `event-ops:contacts[0].dingtalkWebhook`)
   * a Pulumi secret? Default: what the Pulumi runtime knows (`pulumiSecretCheck`).
   * The offline plan passes the exact paths it read as `secure:`.
   */
  isSecret?: (path: string) => boolean;
}

/**
 * A real `pulumi up` marks a whole top-level key secret when any value under it
 * is `secure:`, so a path is judged by its top-level key. `isConfigSecret` is
 * in the SDK's runtime/config.js but not its typings.
 */
export function pulumiSecretCheck(path: string): boolean {
  const key = path.match(/^[^:]+:[^.[]+/)?.[0] ?? path;
  const isConfigSecret = (runtimeConfig as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  return isConfigSecret ? isConfigSecret(key) : false;
}

/**
 * Reads `event-ops:*` and `alicloud:region`, validates, and throws ConfigError
 * listing every problem, including keys under a namespace nothing reads.
 */
export function loadStackConfig({ isSecret = pulumiSecretCheck }: LoadOptions = {}): StackConfig {
  const all = runtimeConfig.allConfig();
  const values: Record<string, unknown> = {};
  const otherKeys: string[] = [];
  for (const [fullKey, text] of Object.entries(all)) {
    if (fullKey.startsWith(`${NAMESPACE}:`)) values[fullKey.slice(NAMESPACE.length + 1)] = parseValue(text);
    else otherKeys.push(fullKey);
  }
  const result = validateConfig({ stack: pulumi.getStack(), region: all["alicloud:region"], values, otherKeys, isSecret });
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

/** Structured config arrives as JSON text; plain strings stay strings. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
