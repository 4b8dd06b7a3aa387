// CrossGuard wiring: turns the pack's rules into @pulumi/policy policies that
// call the same `evaluate` as the offline plan. Kept apart from index.ts so
// tests can call these policies without constructing a PolicyPack (which
// starts a gRPC server).
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { evaluate } from "./evaluate";
import { EvaluationContext, PolicyResourceLike, PolicyRule } from "./model";
import { RULES, noPlaintextSecrets, requiredTags } from "./rules";


/** Pack config of `required-tags`: `{"required-tags": {"requiredKeys": ["env"]}}` (see policies/pack-config.ts). */
export interface RequiredTagsConfig {
  requiredKeys?: string[];
}

function contextFor(rule: PolicyRule, args: Pick<StackValidationArgs, "getConfig">): EvaluationContext {
  if (rule.id !== requiredTags.id) return {};
  const keys = args.getConfig<RequiredTagsConfig>().requiredKeys;
  return keys ? { requiredTagKeys: keys } : {};
}

function metadata(rule: PolicyRule) {
  return {
    name: rule.id,
    displayName: rule.displayName,
    description: rule.sources ? `${rule.description} Sources: ${rule.sources.join("; ")}.` : rule.description,
    enforcementLevel: rule.enforcement,
    severity: rule.severity,
    remediationSteps: rule.remediation,
  };
}

/**
 * A stack rule as a StackValidationPolicy. A mandatory rule reports what it
 * decided; what it could not decide goes to `unverifiedPolicy` (advisory), so
 * an unknown value never blocks and never passes silently.
 */
export function stackPolicy(rule: PolicyRule): StackValidationPolicy {
  return {
    ...metadata(rule),
    ...(rule.id === requiredTags.id
      ? { configSchema: { properties: { requiredKeys: { type: "array", items: { type: "string" } } } } }
      : {}),
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      for (const v of evaluate(args.resources as PolicyResource[], contextFor(rule, args), [rule])) {
        if (v.undecided && rule.enforcement === "mandatory") continue;
        report(v.message, v.resource?.urn);
      }
    },
  };
}

/** One resource under validation, as rules see it (with its provider). */
function asResource(args: ResourceValidationArgs): PolicyResourceLike {
  return { type: args.type, name: args.name, urn: args.urn, props: args.props, ...(args.provider ? { provider: args.provider } : {}) };
}

/**
 * A rule judged on declared inputs as a ResourceValidationPolicy (its `props`
 * are the inputs). What it could not decide goes to `unverifiedInputsPolicy`.
 */
export function inputsPolicy(rule: PolicyRule): ResourceValidationPolicy {
  return {
    ...metadata(rule),
    validateResource: (args, report) => {
      for (const v of evaluate([asResource(args)], {}, [rule])) {
        if (v.undecided && rule.enforcement === "mandatory") continue;
        report(v.message);
      }
    },
  };
}

export const UNVERIFIED_POLICY = "unverified-in-preview";
export const UNVERIFIED_INPUTS_POLICY = "unverified-inputs-in-preview";

/** Metadata of an advisory policy reporting what `rules` could not decide before apply. */
function unverifiedMetadata(name: string, displayName: string, rules: readonly PolicyRule[], what: string) {
  return {
    name,
    displayName,
    description: `Reports what ${rules.map((r) => r.id).join(", ")} could not verify because ${what} is unknown until apply.`,
    enforcementLevel: "advisory" as const,
    severity: "medium" as const,
    remediationSteps: "Re-run the preview after the first apply, when the values are known; the offline plan (`npm run plan`) decides these checks.",
  };
}

/** Advisory: what the mandatory input rules could not decide before apply, with the rule's id. */
export function unverifiedInputsPolicy(rules: readonly PolicyRule[]): ResourceValidationPolicy {
  const mandatory = rules.filter((r) => r.enforcement === "mandatory" && r.judgesInputs);
  return {
    ...unverifiedMetadata(UNVERIFIED_INPUTS_POLICY, "Input checks that could not be decided before apply", mandatory, "an input"),
    validateResource: (args, report) => {
      for (const v of evaluate([asResource(args)], {}, mandatory)) {
        if (v.undecided) report(`[${v.policy}] ${v.message}`);
      }
    },
  };
}

/** Advisory: everything the mandatory stack rules could not decide before apply, with the rule's id. */
export function unverifiedPolicy(rules: readonly PolicyRule[]): StackValidationPolicy {
  const mandatory = rules.filter((r) => r.enforcement === "mandatory" && r.id !== noPlaintextSecrets.id && !r.judgesInputs);
  return {
    ...unverifiedMetadata(UNVERIFIED_POLICY, "Checks that could not be decided before apply", mandatory, "a value"),
    validateStack: (args, report) => {
      for (const v of evaluate(args.resources as PolicyResource[], {}, mandatory)) {
        if (v.undecided) report(`[${v.policy}] ${v.message}`, v.resource?.urn);
      }
    },
  };
}

/**
 * no-plaintext-secrets in CrossGuard. The analyze phases see secrets already
 * decrypted (pulumi/pulumi-policy#241), so secret-ness is read in the
 * remediation phase, where secrets still arrive as `Secret` values: it records
 * the findings per URN and changes nothing; `validateResource`, which the
 * engine runs right after for the same resource, reports them. (Enforcement
 * `remediate` is what makes the engine call the remediation; violations of a
 * remediate-level policy are reported as mandatory.) If no remediation ran,
 * secret-looking values cannot be told from secrets, and the policy says so.
 */
export function secretsPolicy(): ResourceValidationPolicy {
  const recorded = new Map<string, string[]>();
  return {
    ...metadata(noPlaintextSecrets),
    enforcementLevel: "remediate",
    remediateResource: (args) => {
      recorded.set(args.urn, evaluate([asResource(args)], {}, [noPlaintextSecrets]).map((v) => v.message));
      return undefined;
    },
    validateResource: (args, report) => {
      const found = recorded.get(args.urn);
      recorded.delete(args.urn);
      if (found) {
        found.forEach((m) => report(m));
        return;
      }
      const candidates = evaluate([asResource(args)], {}, [noPlaintextSecrets]);
      if (candidates.length > 0) {
        const what = candidates.map((c) => c.message.replace(/^.*?: /, "").replace(/ as a plain value$/, ""));
        report(`could not verify that these values are Pulumi secrets (only the remediation phase sees secret-ness, and it did not run for this resource): ${what.join("; ")}`);
      }
    },
  };
}

/** Every policy of the pack, in report order. */
export function packPolicies(rules: readonly PolicyRule[] = RULES): (StackValidationPolicy | ResourceValidationPolicy)[] {
  const inputRules = rules.filter((r) => r.judgesInputs);
  return [
    ...rules.filter((r) => r.id !== noPlaintextSecrets.id && !r.judgesInputs).map(stackPolicy),
    ...inputRules.map(inputsPolicy),
    secretsPolicy(),
    unverifiedPolicy(rules),
    ...(inputRules.length > 0 ? [unverifiedInputsPolicy(rules)] : []),
  ];
}

