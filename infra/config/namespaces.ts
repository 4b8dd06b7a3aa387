// Which config namespaces a stack file may use. The program reads its own
// (`event-ops:`, the project name) and `alicloud:region`; `alicloud:*` is the
// provider's configuration and `pulumi:*` the engine's (e.g.
// `pulumi:disable-default-providers`, Pulumi docs "Configuration"). Anything
// else is a key nothing reads, most often a misspelt namespace whose values
// would silently be dropped (`eventops:automation` deploys no handler).
import { closest } from "./closest";
import { KEY_SCHEMAS, NAMESPACE } from "./schema";

export const KNOWN_NAMESPACES = [NAMESPACE, "alicloud", "pulumi"] as const;

/** The namespace a misspelt one most likely meant: the one holding that key when the program reads it there, else the nearest name. */
function meant(namespace: string, key: string): string {
  if (key in KEY_SCHEMAS) return NAMESPACE;
  if (key === "region") return "alicloud";
  return closest(namespace, KNOWN_NAMESPACES)!;
}

/** The problem with a full config key (`ns:key`) outside the known namespaces, or undefined when it is fine. */
export function foreignKeyProblem(fullKey: string): string | undefined {
  const colon = fullKey.indexOf(":");
  const namespace = colon < 0 ? "" : fullKey.slice(0, colon);
  if ((KNOWN_NAMESPACES as readonly string[]).includes(namespace)) return undefined;
  const key = fullKey.slice(colon + 1);
  return `unknown config namespace '${namespace}': nothing reads this key (the stack reads ${NAMESPACE}:*, alicloud:* and pulumi:*); did you mean ${meant(namespace, key)}:${key}?`;
}
