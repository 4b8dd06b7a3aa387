// The one evaluation entry: the CrossGuard pack (index.ts) and the offline plan
// (tools/plan) both run every rule through `evaluate`, so a stack that passes
// offline passes the same code in a real preview.
import { ramActionsByHandler } from "../handlers/iam";
import { EvaluationContext, Finding, PolicyResourceLike, PolicyRule, Violation } from "./model";
import { RULES } from "./rules";
import { normalizeResources } from "./stack";

/** Context defaults: the handlers' allowed RAM actions come from handlers/iam.ts. */
export function defaultContext(): EvaluationContext {
  return { allowedActions: ramActionsByHandler() };
}

export function toViolation(rule: PolicyRule, f: Finding): Violation {
  return {
    policy: rule.id,
    // Undecided is reported, never silent, and never blocks: like CrossGuard's own unknown handling.
    enforcement: f.undecided ? "advisory" : rule.enforcement,
    severity: rule.severity,
    ...(f.resource ? { resource: { urn: f.resource.urn, name: f.resource.name, type: f.resource.type } } : {}),
    message: f.message,
    remediation: rule.remediation,
    undecided: f.undecided === true,
  };
}

/** Runs the given rules (default: all) over one stack's resources; violations sorted by policy, resource, message. */
export function evaluate(resources: readonly PolicyResourceLike[], context: EvaluationContext = {}, rules: readonly PolicyRule[] = RULES): Violation[] {
  const normalized = normalizeResources(resources);
  const ctx: EvaluationContext = { ...defaultContext(), ...context };
  return rules.flatMap((rule) => rule.check(normalized, ctx).map((f) => toViolation(rule, f))).sort(compareViolations);
}

export function compareViolations(a: Violation, b: Violation): number {
  return a.policy.localeCompare(b.policy) || (a.resource?.urn ?? "").localeCompare(b.resource?.urn ?? "") || a.message.localeCompare(b.message);
}

/** True when a violation must stop the plan / deployment. */
export function blocks(violations: readonly Violation[]): boolean {
  return violations.some((v) => v.enforcement === "mandatory");
}

/** Markdown list of violations, mandatory first, for the plan's summary. */
export function renderViolationsMarkdown(violations: readonly Violation[]): string {
  if (violations.length === 0) return "All policies pass.\n";
  const order = [...violations].sort((a, b) => Number(b.enforcement === "mandatory") - Number(a.enforcement === "mandatory") || compareViolations(a, b));
  const lines = order.map((v) => {
    const tag = v.undecided ? "could not verify" : v.enforcement;
    return `- **${tag}** \`${v.policy}\`${v.resource ? ` — \`${v.resource.name}\`` : ""}: ${v.message}`;
  });
  const mandatory = violations.filter((v) => v.enforcement === "mandatory").length;
  return `${mandatory} mandatory, ${violations.length - mandatory} advisory\n\n${lines.join("\n")}\n`;
}

/** Plain-text lines for a terminal. */
export function renderViolationsText(violations: readonly Violation[]): string {
  return violations
    .map((v) => `${v.enforcement.toUpperCase().padEnd(9)} ${v.policy}${v.resource ? ` [${v.resource.name}]` : ""}: ${v.message}${v.enforcement === "mandatory" ? `\n          fix: ${v.remediation}` : ""}`)
    .join("\n");
}
