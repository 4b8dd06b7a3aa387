// The one evaluation entry: the CrossGuard pack (index.ts) and the offline plan
// (tools/plan) both run every rule through `evaluate`, so a stack that passes
// offline passes the same code in a real preview.
import { readBundles } from "../infra/automation/bundles";
import { EvaluationContext, Finding, PolicyResourceLike, PolicyRule, Violation } from "./model";
import { RULES } from "./rules";
import { normalizeResources } from "./stack";

/**
 * Each handler's allowed RAM actions, from the bundle manifest `npm run bundle`
 * writes (dist/handlers/manifest.json): the list infra puts in the handler's
 * RAM policy, so the pack checks the stack against the same fact in a real
 * preview and in the offline plan. Throws MissingBundleError when not built.
 */
export function bundledRamActions(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(readBundles()).map(([name, b]) => [name, b.ramActions]));
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
  const ctx: EvaluationContext = { ...context, allowedActions: context.allowedActions ?? bundledRamActions() };
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
