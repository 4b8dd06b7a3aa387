// Pulumi mocks for the offline plan: record every registration, answer the few
// invokes the program makes with documented stand-ins, and refuse any other.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { PlannedInvoke, PlannedProvider, PlannedResource } from "../../policies/plan-graph";

/** The account ID every offline plan uses (the real one comes from the cloud). */
export const OFFLINE_ACCOUNT_ID = "1000000000000000";

type Invoke = (args: Record<string, unknown>) => Record<string, unknown>;

/**
 * Offline stand-ins, one per invoke the program is allowed to make:
 * - getAccount: the caller's account → a fixed fake account ID.
 * - getMonitorGroups by dynamicTagRuleId: the application group CloudMonitor
 *   creates for a dynamic tag rule → one group whose ID is derived from the rule;
 *   with EVENTOPS_PLAN_NO_GROUPS=1 (a fresh account, no tagged resource yet) → none.
 * - ram.getRoles by exact nameRegex (infra/authorizations.ts, service roles the
 *   console creates) → the role exists; with EVENTOPS_PLAN_NO_SERVICE_ROLES=1 → none.
 */
export const INVOKE_STAND_INS: Record<string, Invoke> = {
  "alicloud:index/getAccount:getAccount": () => ({ id: OFFLINE_ACCOUNT_ID }),
  "alicloud:cms/getMonitorGroups:getMonitorGroups": (args) => {
    const ruleId = String(args.dynamicTagRuleId ?? "");
    if (!ruleId) throw new Error("getMonitorGroups offline stand-in answers only look-ups by dynamicTagRuleId");
    if (process.env.EVENTOPS_PLAN_NO_GROUPS === "1") return { id: ruleId, dynamicTagRuleId: ruleId, ids: [], names: [], groups: [] };
    const groupId = offlineGroupId(ruleId);
    return { id: ruleId, dynamicTagRuleId: ruleId, ids: [groupId], names: [ruleId], groups: [{ id: groupId, groupId, dynamicTagRuleId: ruleId, monitorGroupName: ruleId, type: "custom" }] };
  },
  "alicloud:ram/getRoles:getRoles": (args) => {
    const exact = /^\^([A-Za-z0-9.-]+)\$$/.exec(String(args.nameRegex ?? ""));
    if (!exact) throw new Error("getRoles offline stand-in answers only exact look-ups by nameRegex ^<name>$");
    const name = exact[1];
    if (process.env.EVENTOPS_PLAN_NO_SERVICE_ROLES === "1") return { id: name, nameRegex: args.nameRegex, ids: [], names: [], roles: [] };
    const arn = `acs:ram::${OFFLINE_ACCOUNT_ID}:role/${name.toLowerCase()}`;
    return { id: name, nameRegex: args.nameRegex, ids: [name], names: [name], roles: [{ id: name, name, arn }] };
  },
};

/** Outputs the cloud computes that the program reads, answered offline (documented stand-ins). */
const COMPUTED_OUTPUTS: Record<string, (inputs: Record<string, unknown>, name: string) => Record<string, unknown>> = {
  "alicloud:ram/role:Role": (inputs) => ({ arn: `acs:ram::${OFFLINE_ACCOUNT_ID}:role/${String(inputs.roleName).toLowerCase()}` }),
  // A random ID's hex, deterministic per resource name so plans are stable and diffable.
  "random:index/randomId:RandomId": (inputs, name) => ({ hex: offlineRandomHex(name, Number(inputs.byteLength)) }),
};

/** The offline stand-in of a RandomId's `hex`: `byteLength` bytes of sha256("<name>"). */
export function offlineRandomHex(name: string, byteLength: number): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 2 * byteLength);
}

export function offlineGroupId(dynamicTagRuleId: string): string {
  return `offline-group:${dynamicTagRuleId}`;
}

export function offlineId(name: string): string {
  return `offline-id:${name}`;
}

/** The engine's name for a package's default provider: `default_<version with underscores>`, e.g. `default_3_108_0`. */
export function defaultProviderName(version: string): string {
  return `default_${version.replace(/[.+-]/g, "_")}`;
}

/** Packages whose provider has a region (resources per region are counted by it). */
const REGIONAL_PACKAGES = new Set(["alicloud"]);

/** How the mock runtime hands over a Pulumi secret. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Secret scalars become "[secret]"; secret containers (Pulumi marks a whole
 * list secret when one element is) keep their structure, with their own
 * secret leaves masked. Nothing secret is ever written out in the clear.
 */
export function maskSecretValues(value: unknown, inSecret = false): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE) {
    const inner = (value as { value: unknown }).value;
    return inner !== null && typeof inner === "object" ? maskSecretValues(inner, true) : "[secret]";
  }
  if (Array.isArray(value)) return value.map((v) => maskSecretValues(v, inSecret));
  if (typeof value === "string" && value.length > LONG_VALUE) return summarizeLong(value);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecretValues(v, inSecret)]));
  }
  return value;
}

/** Values longer than this (function zips) are recorded as a digest: the plan stays readable and diffable. */
const LONG_VALUE = 8192;

function summarizeLong(value: string): string {
  const digest = createHash("sha256").update(value).digest("hex");
  return `[${value.length} characters, sha256 ${digest}]`;
}

/**
 * Outputs the mock hands back: the scalar inputs (names, ARNs) the program reads
 * across resources. Lists and objects (rule patterns, zips) are never read back,
 * and echoing them would double the plan's serialization work.
 */
function scalarOutputs(inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs ?? {})) if (v === null || typeof v !== "object") out[k] = v;
  return out;
}

export interface Recorder {
  resources: PlannedResource[];
  invokes: PlannedInvoke[];
  providers: PlannedProvider[];
}

/**
 * Provider records and references. Mocks see a resource's provider as the
 * reference the SDK sends, `<urn>::<id>` with the mock's own URN, or "" for the
 * default provider; each provider gets an ID of its own here, so a reference
 * maps to exactly one record, and resources record the engine-style reference.
 */
class ProviderBook {
  readonly providers: PlannedProvider[] = [];
  constructor(
    private readonly project: string,
    private readonly stack: string,
    /** The stack's config (`<package>:<key>` → value): the default providers' inputs. */
    private readonly config: Record<string, string>,
  ) {}

  /** Records an explicit provider resource; returns the ID the mock hands back. */
  explicit(type: string, name: string, urn: string, inputs: Record<string, unknown>): string {
    const taken = new Set(this.providers.map((p) => p.id));
    let id = offlineId(name);
    for (let n = 2; taken.has(id); n++) id = `${offlineId(name)}#${n}`;
    this.providers.push(this.record(type, name, urn, id, false, inputs));
    return id;
  }

  /** The engine-style reference for a registration's provider reference ("" → the package's default provider). */
  reference(resourceType: string, sent: string | undefined): string {
    if (sent) {
      const id = sent.slice(sent.lastIndexOf("::") + 2);
      const p = this.providers.find((x) => !x.default && x.id === id);
      return p ? `${p.urn}::${p.id}` : sent;
    }
    const pkg = resourceType.split(":")[0];
    const name = defaultProviderName(packageVersion(pkg));
    let p = this.providers.find((x) => x.default && x.type === `pulumi:providers:${pkg}`);
    if (!p) {
      // The engine configures a default provider from the stack's `<package>:*` keys.
      const inputs = Object.fromEntries(Object.entries(this.config).filter(([k]) => k.startsWith(`${pkg}:`)).map(([k, v]) => [k.slice(pkg.length + 1), v]));
      p = this.record(`pulumi:providers:${pkg}`, name, `urn:pulumi:${this.stack}::${this.project}::pulumi:providers:${pkg}::${name}`, offlineId(name), true, { ...inputs, version: packageVersion(pkg) });
      this.providers.push(p);
    }
    return `${p.urn}::${p.id}`;
  }

  private record(type: string, name: string, urn: string, id: string, isDefault: boolean, inputs: Record<string, unknown>): PlannedProvider {
    const pkg = type.replace(/^pulumi:providers:/, "");
    const region = typeof inputs.region === "string" ? inputs.region : null;
    return { type, name, urn, id, default: isDefault, ...(REGIONAL_PACKAGES.has(pkg) ? { region } : {}), inputs };
  }
}

function packageVersion(pkg: string): string {
  try {
    return (require(`@pulumi/${pkg}/package.json`) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

/**
 * Mocks do not see URNs or parents, so a stack transformation (which sees the
 * resource object and its parent) computes each URN the way the engine does:
 * the parent's type chain, `$`, the type, `::`, the name.
 */
export function installMocks(project: string, stack: string, config: Record<string, string> = {}): Recorder & { recordPlacement(): void } {
  const book = new ProviderBook(project, stack, config);
  const rec: Recorder = { resources: [], invokes: [], providers: book.providers };
  const chains = new WeakMap<pulumi.Resource, { chain: string; urn: string }>();
  const pending = new Map<string, { urn: string; parent?: string; dependsOn?: string[] }[]>();

  // Must run inside the stack (runInPulumiStack): transformations hang off the root resource.
  const recordPlacement = () => pulumi.runtime.registerStackTransformation((args) => {
    const parent = args.opts.parent ? chains.get(args.opts.parent) : undefined;
    const chain = parent ? `${parent.chain}$${args.type}` : args.type;
    const urn = `urn:pulumi:${stack}::${project}::${chain}::${args.name}`;
    chains.set(args.resource, { chain, urn });
    const key = `${args.type}::${args.name}`;
    const deps = args.opts.dependsOn;
    const dependsOn = (Array.isArray(deps) ? deps : deps ? [deps] : []).flatMap((d) => (d instanceof pulumi.Resource ? chains.get(d)?.urn ?? [] : []));
    pending.set(key, [...(pending.get(key) ?? []), { urn, parent: parent?.urn, ...(dependsOn.length > 0 ? { dependsOn } : {}) }]);
    return undefined;
  });

  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const custom = args.custom ?? true;
        let id = custom ? offlineId(args.name) : undefined;
        const computed = COMPUTED_OUTPUTS[args.type]?.(args.inputs, args.name);
        if (args.type !== "pulumi:pulumi:Stack") {
          const key = `${args.type}::${args.name}`;
          const place = pending.get(key)?.shift() ?? { urn: `urn:pulumi:${stack}::${project}::${args.type}::${args.name}` };
          const inputs = maskSecretValues(args.inputs) as Record<string, unknown>;
          if (args.type.startsWith("pulumi:providers:")) id = book.explicit(args.type, args.name, place.urn, inputs);
          else {
            const provider = custom ? { provider: book.reference(args.type, args.provider) } : {};
            rec.resources.push({ type: args.type, name: args.name, urn: place.urn, ...(place.parent ? { parent: place.parent } : {}), ...("dependsOn" in place && place.dependsOn ? { dependsOn: place.dependsOn } : {}), custom, ...(id ? { id } : {}), inputs, ...(computed ? { computed } : {}), ...provider });
          }
        }
        return { id: id ?? args.name, state: { ...scalarOutputs(args.inputs), ...computed } };
      },
      call(args) {
        const standIn = INVOKE_STAND_INS[args.token];
        if (!standIn) throw new Error(`unexpected invoke ${args.token}: the offline plan has no stand-in for it (see tools/plan/mocks.ts)`);
        const result = standIn(args.inputs);
        rec.invokes.push({ token: args.token, args: args.inputs, result });
        return result;
      },
    },
    project,
    stack,
    false,
  );
  return { ...rec, recordPlacement };
}
