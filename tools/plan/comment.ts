// The pull-request comment of one stack: what a reviewer reads first is the
// summary (resources added / updated / replaced / removed, coverage before →
// after, the policy result) and the change in config terms; everything else is
// folded (<details>). No email address or phone number appears (mask.ts). The
// comment stays within GitHub's limit (65,536 characters) without cutting
// anything silently: what does not fit is named, with where to find it.
import { LEVELS } from "../../handlers/catalogue";
import { renderViolationsMarkdown } from "../../policies/evaluate";
import type { Violation } from "../../policies/model";
import type { PlanGraph } from "../../policies/plan-graph";
import { configChanges } from "./config-diff";
import { automationPath, emptyCells, type CoverageRow } from "./coverage";
import { diffPlans, isEmptyDiff, renderDiffMarkdown, shortType, type PlanDiff } from "./diff";
import { maskContacts } from "./mask";
import { renderMermaidMarkdown } from "./mermaid";
import { renderRegionsMarkdown, resourcesPerRegion } from "./regions";
import { automationPathMarkdown, coverageMarkdown, resourcesByTypeMarkdown } from "./render";

/** GitHub's limit for an issue or pull-request comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Room left for what the workflow adds around the file (its marker line). */
const WORKFLOW_MARGIN = 200;

export interface CommentInput {
  head: PlanGraph;
  rows: CoverageRow[];
  violations: readonly Violation[];
  /** The base branch's plan of the same stack, when there is one. */
  base?: PlanGraph;
  baseRows?: CoverageRow[];
  /** Where the full plan is, said wherever something is left out. */
  fullReport?: string;
  /** Characters the comment may take (default: GitHub's limit less a margin). */
  limit?: number;
}

export const defaultFullReport = (stack: string) =>
  `the job summary and the \`plan-${stack}\` artifact of this workflow run (or locally: \`npm run plan -- --stack ${stack} --diff base-plan.json\`)`;

const count = (n: number, what: string) => `${n} ${what}`;

function coverageLine(rows: CoverageRow[]): string {
  const cells = rows.length * LEVELS.length;
  return `${cells - emptyCells(rows).length}/${cells}`;
}

function policyLine(violations: readonly Violation[]): string {
  const mandatory = violations.filter((v) => v.enforcement === "mandatory");
  const advisory = violations.length - mandatory.length;
  const head = mandatory.length ? `**FAIL**: ${count(mandatory.length, "mandatory violation(s)")} (${[...new Set(mandatory.map((v) => `\`${v.policy}\``))].join(", ")})` : "**pass**: every mandatory policy";
  return advisory ? `${head}; ${count(advisory, "advisory finding(s)")}` : head;
}

function summary(i: CommentInput, diff?: PlanDiff): string[] {
  const replaced = diff?.changed.filter((r) => r.action === "replace").length ?? 0;
  const lines = [`## Offline plan: \`${i.head.stack}\``, ""];
  if (diff) {
    lines.push(`- **Resources:** ${diff.added.length} added · ${diff.changed.length - replaced} updated · ${replaced} replaced · ${diff.removed.length} removed (${i.head.resources.length} in the plan)`);
    lines.push(`- **Coverage:** ${i.baseRows ? `${coverageLine(i.baseRows)} → ` : ""}${coverageLine(i.rows)} group × tier cells reach someone`);
  } else {
    lines.push(`- **Resources:** ${i.head.resources.length} in the plan (no base plan to compare with)`);
    lines.push(`- **Coverage:** ${coverageLine(i.rows)} group × tier cells reach someone`);
  }
  lines.push(`- **Policies:** ${policyLine(i.violations)}`, "");
  const replacedNames = diff?.changed.filter((r) => r.action === "replace") ?? [];
  if (replacedNames.length) {
    const shown = replacedNames.slice(0, 10).map((r) => `\`${r.name}\` (${shortType(r.type)}: ${r.forceNew.map((f) => `\`${f.input}\``).join(", ")} ForceNew)`);
    lines.push(`**Replaced** (deleted, then created again): ${shown.join(", ")}${replacedNames.length > 10 ? ` and ${replacedNames.length - 10} more` : ""}`, "");
  }
  const empty = emptyCells(i.rows);
  if (empty.length) lines.push(`**Nobody is told for:** ${empty.map((c) => `\`${c.group}\`/${c.level}`).join(", ")}`, "");
  return lines;
}

/** One folded section. */
const fold = (title: string, body: string) => `<details><summary>${title}</summary>\n\n${body.trimEnd()}\n\n</details>\n`;

interface Section {
  title: string;
  render: () => string;
}

/** The comment, within `limit` characters. Throws StackMismatchError for a base of another stack. */
export function renderComment(i: CommentInput): string {
  const limit = (i.limit ?? GITHUB_COMMENT_LIMIT) - WORKFLOW_MARGIN;
  const where = i.fullReport ?? defaultFullReport(i.head.stack);
  const diff = i.base ? diffPlans(i.base, i.head) : undefined;
  const parts: string[] = [maskContacts(summary(i, diff).join("\n"))];
  const left: string[] = [];
  const used = () => parts.reduce((n, p) => n + p.length + 1, 0);
  // What must be said when anything is left out; reserved before it is needed.
  const reserve = 600 + where.length;

  if (diff) {
    const changes = configChanges(i.base!, i.head);
    const bullets = changes.length ? changes.map((c) => `- ${c}`) : [isEmptyDiff(diff) ? "- nothing: this plan is the base plan" : "- no change in config terms; the resource changes below are all there is"];
    let body = ["### What changes", "", ...bullets, ""].join("\n");
    for (let n = bullets.length; body.length > (limit - used() - reserve) / 2 && n > 1; n = Math.floor(n / 2)) {
      body = ["### What changes", "", ...bullets.slice(0, n), "", `_${bullets.length - n} more change(s) are not listed here: see ${where}._`, ""].join("\n");
    }
    parts.push(maskContacts(body));
    if (!isEmptyDiff(diff)) {
      const replaced = diff.changed.filter((r) => r.action === "replace").length;
      const title = `Resource changes: ${diff.added.length} create, ${diff.changed.length - replaced} update, ${replaced} replace, ${diff.removed.length} delete`;
      const room = limit - used() - reserve - title.length - 100;
      parts.push(maskContacts(fold(title, renderDiffMarkdown(diff, { maxChars: room, where }))));
    }
  }

  const mandatory = i.violations.filter((v) => v.enforcement === "mandatory").length;
  const regions = resourcesPerRegion(i.head);
  const handlers = new Set(automationPath(i.head).map((r) => r.handler)).size;
  const sections: Section[] = [
    { title: `Policies: ${mandatory ? `${mandatory} mandatory violation(s)` : "pass"}, ${i.violations.length - mandatory} advisory`, render: () => `### Policies\n\n${renderViolationsMarkdown(i.violations)}` },
    { title: `Tier template: CRITICAL, WARN and INFO, the same for all ${i.rows.length} groups`, render: () => `### Tier template\n\n${renderMermaidMarkdown(i.head, i.base)}` },
    { title: `Coverage: ${i.rows.length} groups × ${LEVELS.length} tiers, who is told and what acts`, render: () => `### Coverage\n\n${coverageMarkdown(i.head, i.rows)}` },
    ...(handlers > 0 ? [{ title: `Automation event path: ${handlers} handler(s), rule → queue → queue trigger → function`, render: () => `### Automation event path\n\n${automationPathMarkdown(i.head)}` }] : []),
    { title: `Resources per region: ${regions.map((r) => `${r.region} ${r.resources}`).join(", ")}`, render: () => renderRegionsMarkdown(i.head).join("\n") },
    { title: `All ${i.head.resources.length} resources by type`, render: () => `### Resources by type\n\n${resourcesByTypeMarkdown(i.head)}` },
  ];
  for (const s of sections) {
    const text = maskContacts(fold(s.title, s.render()));
    if (text.length <= limit - used() - reserve) parts.push(text);
    else left.push(s.title.toLowerCase());
  }
  if (left.length) parts.push(`_Left out to stay within GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en")}-character comment limit: ${left.join("; ")}. They are in ${where}._\n`);
  return parts.join("\n");
}
