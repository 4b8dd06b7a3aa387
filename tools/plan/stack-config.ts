// Reads a stack's config the way the Pulumi CLI would (Pulumi.yaml defaults,
// then Pulumi.<stack>.yaml), without decrypting anything: every `secure:` value
// becomes "[secret]" and its exact path is remembered.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { SECRET_PLACEHOLDER } from "../../infra/config/validate";

export interface StackConfigFiles {
  project: string;
  stack: string;
  /** Flat Pulumi config map: `ns:key` → string (structured values as JSON text). */
  config: Record<string, string>;
  /** Top-level keys holding any secret (what the CLI marks secret). */
  secretKeys: string[];
  /** Exact config paths of secret values, e.g. `event-ops:contacts[0].dingtalkWebhook`. */
  secretPaths: Set<string>;
}

export class StackFileError extends Error {}

export function readStackConfig(root: string, stack: string): StackConfigFiles {
  const projectFile = path.join(root, "Pulumi.yaml");
  const project = YAML.parse(fs.readFileSync(projectFile, "utf8")) as { name: string; config?: Record<string, unknown> };
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    const known = fs.readdirSync(root).flatMap((f) => f.match(/^Pulumi\.(.+)\.yaml$/)?.[1] ?? []);
    throw new StackFileError(`no stack '${stack}': ${stackFile} does not exist; stacks here: ${known.join(", ") || "none"}`);
  }
  let stackDoc: { config?: Record<string, unknown>; environment?: unknown };
  try {
    stackDoc = (YAML.parse(fs.readFileSync(stackFile, "utf8")) ?? {}) as typeof stackDoc;
  } catch (e) {
    throw new StackFileError(`${stackFile} is not valid YAML: ${(e as Error).message}`);
  }
  if (stackDoc.environment !== undefined && stackDoc.environment !== null) throw new StackFileError(escRefusal(path.basename(stackFile), stack, stackDoc.environment));

  const raw: Record<string, unknown> = {};
  // Project-level config: `key: value`, or `key: {default|value: ...}` with an optional type.
  for (const [key, spec] of Object.entries(project.config ?? {})) {
    const full = key.includes(":") ? key : `${project.name}:${key}`;
    const isSpec = spec !== null && typeof spec === "object" && !Array.isArray(spec) && ("default" in spec || "value" in spec);
    raw[full] = isSpec ? ((spec as { value?: unknown; default?: unknown }).value ?? (spec as { default?: unknown }).default) : spec;
  }
  for (const [key, value] of Object.entries(stackDoc.config ?? {})) {
    raw[key.includes(":") ? key : `${project.name}:${key}`] = value;
  }

  const secretPaths = new Set<string>();
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const masked = maskSecrets(value, key, secretPaths);
    config[key] = typeof masked === "string" ? masked : JSON.stringify(masked);
  }
  const secretKeys = Object.keys(config).filter((k) => [...secretPaths].some((p) => p === k || p.startsWith(`${k}.`) || p.startsWith(`${k}[`)));
  return { project: project.name, stack, config, secretKeys, secretPaths };
}

/**
 * Pulumi ESC: `environment:` in a stack file lists environments whose
 * `pulumiConfig` the CLI merges into the stack's config (Pulumi ESC docs, "Use
 * with Pulumi IaC"). Opening one needs Pulumi Cloud, which an offline plan
 * never reaches, and a plan without their values would not be this stack's.
 */
function escRefusal(file: string, stack: string, environment: unknown): string {
  const imports = Array.isArray(environment) ? environment : ((environment as { imports?: unknown })?.imports ?? environment);
  const names = (Array.isArray(imports) ? imports : [imports]).map((e) => (typeof e === "string" ? e : JSON.stringify(e)));
  return [
    `${file} imports Pulumi ESC environments (environment: ${names.join(", ")}): the offline plan reads only stack files and cannot open an environment (that needs Pulumi Cloud).`,
    `  To plan this stack: \`pulumi preview --stack ${stack}\` (with PULUMI_ACCESS_TOKEN), or, for the offline plan, copy the values the environments provide`,
    `  (\`pulumi config --stack ${stack}\` lists them) into the file's config: and remove environment:.`,
  ].join("\n");
}

function isSecure(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}

function maskSecrets(value: unknown, at: string, found: Set<string>): unknown {
  if (isSecure(value)) {
    found.add(at);
    return SECRET_PLACEHOLDER;
  }
  if (Array.isArray(value)) return value.map((v, i) => maskSecrets(v, `${at}[${i}]`, found));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, `${at}.${k}`, found)]));
  }
  return value;
}
