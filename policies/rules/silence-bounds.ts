// silence-bounds: a repeat of the same alert is held back long enough to avoid
// floods, never so long that a CRITICAL repeat goes unheard.
import { Finding, PolicyRule } from "../model";
import { StackIndex, T, describe, ruleLevels } from "../stack";
import { isUnknown, list } from "../values";

/** Upper bounds in seconds per tier; CMS's own default when unset is 86400. */
export const MAX_SILENCE_SECONDS: Readonly<Record<string, number>> = { CRITICAL: 3600, WARN: 86400, INFO: 86400 };
export const CMS_DEFAULT_SILENCE_SECONDS = 86400;

export const silenceBounds: PolicyRule = {
  id: "silence-bounds",
  displayName: "Alert silence times fit their tier",
  severity: "low",
  enforcement: "advisory",
  description:
    "A tier rule's silenceTime is at most 1 hour for CRITICAL and 1 day for WARN and INFO; an INFO rule that notifies people " +
    "with silenceTime 0 sends every repeat (a flood). Rules without a person to notify (automation) are not checked.",
  remediation: "Set `silenceSeconds` of the tier in the stack config (`tiers.<LEVEL>.silenceSeconds`).",
  check(resources) {
    const index = StackIndex.of(resources);
    const findings: Finding[] = [];
    for (const rule of index.ofType(T.eventRule)) {
      const levels = ruleLevels(rule);
      if (levels === "unknown" || list(rule.props.contactParameters).length === 0) continue;
      const tiers = levels.filter((l) => l in MAX_SILENCE_SECONDS);
      if (tiers.length === 0) continue;
      const raw = rule.props.silenceTime;
      if (isUnknown(raw)) {
        findings.push({ resource: rule, undecided: true, message: `could not verify the silence time of rule ${describe(rule)}: silenceTime is unknown until apply` });
        continue;
      }
      const seconds = raw === undefined || raw === null ? CMS_DEFAULT_SILENCE_SECONDS : Number(raw);
      const shown = raw === undefined || raw === null ? `unset (CMS default ${CMS_DEFAULT_SILENCE_SECONDS} s)` : `${seconds} s`;
      const bound = Math.min(...tiers.map((l) => MAX_SILENCE_SECONDS[l]));
      if (!(seconds <= bound)) {
        findings.push({ resource: rule, message: `rule ${describe(rule)} (${tiers.join("/")}) silences repeats for ${shown}; at most ${bound} s for this tier` });
      }
      if (seconds === 0 && tiers.includes("INFO")) {
        findings.push({ resource: rule, message: `rule ${describe(rule)} notifies people of every INFO repeat (silenceTime 0): expect floods` });
      }
    }
    return findings;
  },
};
