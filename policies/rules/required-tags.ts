// required-tags: the stack's taggable resources carry the tag keys the stack
// config requires (`tags.required`), so cost and ownership reports find them.
import { Finding, PolicyRule } from "../model";
import { StackIndex, T, describe } from "../stack";
import { isUnknown, record, text } from "../values";

/** Types this stack tags (config `tags.resourceTags` goes on queues and functions; OOS templates take tags too). */
export const TAGGABLE_TYPES: readonly string[] = [T.queue, T.fcFunction, T.oosTemplate];

export const requiredTags: PolicyRule = {
  id: "required-tags",
  displayName: "Taggable resources carry the required tag keys",
  severity: "low",
  enforcement: "advisory",
  description: "Every taggable resource of the stack (MNS queues, FC functions, OOS templates) has a non-empty value for each tag key in `tags.required`.",
  remediation: "Add the key to `tags.resourceTags` in the stack config; components pass those tags to every taggable resource.",
  check(resources, context) {
    const index = StackIndex.of(resources);
    const taggable = TAGGABLE_TYPES.flatMap((t) => index.ofType(t));
    if (taggable.length === 0) return [];
    const keys = context.requiredTagKeys;
    if (!keys) {
      return [{ undecided: true, message: "could not verify required tags: the required tag keys were not given (pack config `required-tags.requiredKeys`, or `tags.required` offline)" }];
    }
    const findings: Finding[] = [];
    for (const r of taggable) {
      const tags = r.props.tags;
      if (isUnknown(tags)) {
        findings.push({ resource: r, undecided: true, message: `could not verify the tags of ${describe(r)}: tags are unknown until apply` });
        continue;
      }
      const missing = keys.filter((k) => !text(record(tags)[k]));
      const unknown = keys.filter((k) => isUnknown(record(tags)[k]));
      if (unknown.length > 0) findings.push({ resource: r, undecided: true, message: `could not verify tag(s) ${unknown.join(", ")} of ${describe(r)}: unknown until apply` });
      const absent = missing.filter((k) => !unknown.includes(k));
      if (absent.length > 0) findings.push({ resource: r, message: `${describe(r)} lacks required tag key(s) ${absent.join(", ")}` });
    }
    return findings;
  },
};
