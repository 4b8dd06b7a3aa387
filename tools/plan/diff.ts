// What a pull request changes in a stack's plan: resources added, removed and
// changed (by URN), with property-level changes at deep paths such as
// `eventPattern.nameLists[3]`. Pure: two graphs in, plain data and markdown out.
// Secrets are "[secret]" in both graphs, so a rotated secret is no change and a
// secret's value never appears here.
import type { PlanGraph, PlannedResource } from "../../policies/plan-graph";

export interface PropertyChange {
  /** `eventPattern.nameLists[3]`; `(parent)` for a move between parents. */
  path: string;
  kind: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

export interface ResourceRef {
  urn: string;
  type: string;
  name: string;
}

export interface ChangedResource extends ResourceRef {
  changes: PropertyChange[];
}

export interface PlanDiff {
  stack: string;
  added: ResourceRef[];
  removed: ResourceRef[];
  changed: ChangedResource[];
}

const ref = (r: PlannedResource): ResourceRef => ({ urn: r.urn, type: r.type, name: r.name });
const byUrn = (a: { urn: string }, b: { urn: string }) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0);

export function diffPlans(base: Pick<PlanGraph, "resources">, head: Pick<PlanGraph, "resources" | "stack">): PlanDiff {
  const before = new Map(base.resources.map((r) => [r.urn, r]));
  const after = new Map(head.resources.map((r) => [r.urn, r]));
  const added = head.resources.filter((r) => !before.has(r.urn)).map(ref).sort(byUrn);
  const removed = base.resources.filter((r) => !after.has(r.urn)).map(ref).sort(byUrn);
  const changed: ChangedResource[] = [];
  for (const [urn, h] of after) {
    const b = before.get(urn);
    if (!b) continue;
    const changes = diffValues(b.inputs ?? {}, h.inputs ?? {}, "");
    if ((b.parent ?? "") !== (h.parent ?? "")) changes.unshift({ path: "(parent)", kind: "changed", before: b.parent ?? null, after: h.parent ?? null });
    if (changes.length > 0) changed.push({ ...ref(h), changes });
  }
  return { stack: head.stack, added, removed, changed: changed.sort(byUrn) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Deep differences between two JSON values, paths sorted; arrays compared index by index. */
export function diffValues(before: unknown, after: unknown, path: string): PropertyChange[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [{ path: path || "(root)", kind: "added", after }];
  if (after === undefined) return [{ path: path || "(root)", kind: "removed", before }];
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: PropertyChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) out.push(...diffValues(before[i], after[i], `${path}[${i}]`));
    return out;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], join(path, k)));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: path || "(root)", kind: "changed", before, after }];
}

export function isEmptyDiff(d: PlanDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length === 0;
}

const MAX_VALUE = 80;

/** A value for a table cell: JSON, long values shortened, pipes and newlines escaped. */
export function showValue(v: unknown): string {
  if (v === undefined) return "";
  let s = JSON.stringify(v) ?? String(v);
  if (s.length > MAX_VALUE) s = `${s.slice(0, MAX_VALUE - 1)}…(${s.length} chars)`;
  return `\`${s.replace(/\|/g, "\\|").replace(/`/g, "'").replace(/\n/g, " ")}\``;
}

const shortType = (t: string) => t.split(":").pop() ?? t;

export function renderDiffMarkdown(d: PlanDiff): string {
  const lines = [`### Plan diff for \`${d.stack}\` against the base branch`, ""];
  if (isEmptyDiff(d)) return [...lines, "No resource added, removed or changed.", ""].join("\n");
  lines.push(`${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed.`, "");
  if (d.added.length > 0) {
    lines.push("**Added**", "", ...d.added.map((r) => `- \`${r.name}\` (${shortType(r.type)})`), "");
  }
  if (d.removed.length > 0) {
    lines.push("**Removed**", "", ...d.removed.map((r) => `- \`${r.name}\` (${shortType(r.type)})`), "");
  }
  if (d.changed.length > 0) {
    lines.push("**Changed**", "");
    for (const r of d.changed) {
      lines.push(`\`${r.name}\` (${shortType(r.type)})`, "", "| property | before | after |", "|---|---|---|");
      for (const c of r.changes) lines.push(`| \`${c.path}\` | ${showValue(c.before)} | ${showValue(c.after)} |`);
      lines.push("");
    }
  }
  return lines.join("\n");
}
