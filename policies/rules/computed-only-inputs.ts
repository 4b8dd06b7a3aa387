// computed-only-inputs: fields the provider's schema marks Computed only (never
// Required or Optional) cannot be set; the Pulumi typings still offer some of
// them, so the type checker does not catch what the preview then rejects.
import { Finding, PolicyRule } from "../model";
import { StackIndex, T } from "../stack";
import { isUnknown, valuesAt } from "../values";
import { Fact, SOURCE, broken, unverified } from "./provider-facts";

interface ComputedField {
  type: string;
  /** Path of the computed-only field (values.ts valuesAt). */
  path: string;
  source: string;
}

/** terraform-provider-alicloud resource_alicloud_cms_event_rule.go: `"arn": { Type: schema.TypeString, Computed: true }` in each target block. */
export const COMPUTED_ONLY: readonly ComputedField[] = ["fcParameters", "mnsParameters", "slsParameters", "openApiParameters"].map((block) => ({
  type: T.eventRule,
  path: `${block}[].arn`,
  source: `${SOURCE.tfEventRule}; ${SOURCE.sdkComputedOnly}`,
}));

export const computedOnlyInputs: PolicyRule = {
  id: "computed-only-inputs",
  displayName: "No value for a field the provider only computes",
  severity: "high",
  enforcement: "mandatory",
  description:
    "The stack sets no field that the provider's schema marks computed-only: `arn` of an event rule's fc/mns/sls/openApi " +
    "targets is filled in by the provider after create, and a configured value fails the preview (\"this field cannot be set\").",
  remediation: "Drop the field from the declaration (infra/alerting/event-rule.ts builds the targets); read it back as an output if needed.",
  sources: [SOURCE.tfEventRule, SOURCE.sdkComputedOnly],
  // Outputs always hold the computed arn: only the declared inputs tell whether the program set it.
  judgesInputs: true,
  check(resources) {
    const index = StackIndex.of(resources);
    const findings: Finding[] = [];
    for (const field of COMPUTED_ONLY) {
      const fact: Fact = { says: `${field.path.replace(/\[\]/g, "[n]")} is computed-only in the provider and cannot be set`, source: field.source };
      for (const r of index.ofType(field.type)) {
        for (const { path, value } of valuesAt(r.props, field.path)) {
          // A field set to a value unknown until apply is still set: only an unknown container is undecided.
          const container = !path.endsWith(".arn");
          if (isUnknown(value) && container) findings.push(unverified(r, `whether ${path} sets arn`, fact));
          else findings.push(broken(r, `${path} is set`, fact));
        }
      }
    }
    return findings;
  },
};
