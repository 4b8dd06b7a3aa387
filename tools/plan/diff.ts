// What a pull request changes in a stack's plan: resources added, removed and
// changed (by URN), with property-level changes at deep paths such as
// `eventPattern.nameLists[3]`. Pure: two graphs in, plain data and markdown out.
// Secrets are "[secret]" in both graphs, so a rotated secret is no change and a
// secret's value never appears here.
import type { PlanGraph, PlannedResource } from "../../policies/plan-graph";
import { forceNewField, knownType, type ForceNewField } from "./force-new";
import { maskContacts } from "./mask";

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
  /**
   * `replace` when a changed input is ForceNew in the provider's schema
   * (force-new.ts): the resource is deleted and created again. A component
   * (eventops:*) has no cloud side: `update`.
   */
  action: "update" | "replace";
  /** The ForceNew fields the change touches (empty for an update). */
  forceNew: ForceNewField[];
  /** A cloud type not in the ForceNew table: `update` is a guess. */
  unknownSchema?: true;
}

export interface PlanDiff {
  stack: string;
  added: ResourceRef[];
  removed: ResourceRef[];
  changed: ChangedResource[];
}

/** A diff compares two plans of one stack; against another stack's plan it would list every difference between two environments as a change. */
export class StackMismatchError extends Error {
  override name = "StackMismatchError";
}

const ref = (r: PlannedResource): ResourceRef => ({ urn: r.urn, type: r.type, name: r.name });
const byUrn = (a: { urn: string }, b: { urn: string }) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0);

export function diffPlans(base: Pick<PlanGraph, "resources"> & { stack?: string }, head: Pick<PlanGraph, "resources" | "stack">): PlanDiff {
  if (base.stack !== undefined && base.stack !== head.stack) {
    throw new StackMismatchError(`the base plan is of stack '${base.stack}', this plan is of stack '${head.stack}': diff a plan against a plan of the same stack (npm run plan -- --stack ${head.stack} --json base-plan.json on the base branch)`);
  }
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
    if (changes.length > 0) changed.push({ ...ref(h), changes, ...replacement(h, changes) });
  }
  return { stack: head.stack, added, removed, changed: changed.sort(byUrn) };
}

function replacement(r: PlannedResource, changes: PropertyChange[]): Pick<ChangedResource, "action" | "forceNew" | "unknownSchema"> {
  if (!r.type.startsWith("alicloud:")) return { action: "update", forceNew: [] };
  const fields = [...new Set(changes.map((c) => forceNewField(r.type, c.path)).filter((x): x is ForceNewField => x !== undefined))];
  return { action: fields.length > 0 ? "replace" : "update", forceNew: fields, ...(knownType(r.type) ? {} : { unknownSchema: true as const }) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** A string holding a JSON object or array (a policy document, GROUP_POLICIES), parsed; else undefined. */
function jsonIn(v: unknown): unknown {
  if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** Where a path goes inside a JSON string: `environmentVariables.GROUP_POLICIES#groups.web`. */
export const JSON_IN = "#";

/**
 * Deep differences between two JSON values, paths sorted; arrays compared
 * index by index; strings that both hold JSON compared inside (path `x#a.b`).
 */
export function diffValues(before: unknown, after: unknown, path: string): PropertyChange[] {
  if (before === undefined && after === undefined) return [];
  const [jb, ja] = [jsonIn(before), jsonIn(after)];
  if (jb !== undefined && ja !== undefined && !path.includes(JSON_IN)) return diffValues(jb, ja, `${path}${JSON_IN}`).map((c) => ({ ...c, path: c.path.replace(`${JSON_IN}.`, JSON_IN) }));
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
/** Added or removed resources listed by name; the rest are counted. */
const MAX_LISTED = 100;
/** Names of resources sharing one change, before "and N more". */
const MAX_NAMED = 12;

/** A value for a table cell: JSON, contacts masked, long values shortened, pipes and newlines escaped. */
export function showValue(v: unknown): string {
  if (v === undefined) return "";
  let s = maskContacts(JSON.stringify(v) ?? String(v));
  if (s.length > MAX_VALUE) s = `${s.slice(0, MAX_VALUE - 1)}…(${s.length} chars)`;
  return `\`${s.replace(/\|/g, "\\|").replace(/`/g, "'").replace(/\n/g, " ")}\``;
}

export const shortType = (t: string) => t.split(":").pop() ?? t;

/** `update`, or `replace (ForceNew: ruleName)`; a guess says so. */
export function actionText(r: ChangedResource): string {
  if (r.action === "replace") return `**replace** (ForceNew: ${r.forceNew.map((f) => `\`${f.input}\``).join(", ")})`;
  return r.unknownSchema ? "update (type not in the ForceNew table)" : "update";
}

/**
 * The diff as markdown: counts, added, removed, and each changed resource with
 * its action and property table. `maxChars` bounds the text: changed
 * resources that do not fit are counted and `where` says where they are.
 */
export function renderDiffMarkdown(d: PlanDiff, o: { maxChars?: number; where?: string } = {}): string {
  const lines = [`### Plan diff for \`${d.stack}\` against the base branch`, ""];
  if (isEmptyDiff(d)) return [...lines, "No resource added, removed or changed.", ""].join("\n");
  const replaced = d.changed.filter((r) => r.action === "replace").length;
  lines.push(`${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed${replaced ? ` (${replaced} replaced)` : ""}.`, "");
  // Long lists of names say how many more there are instead of growing without bound.
  const names = (rs: ResourceRef[]) => [...rs.slice(0, MAX_LISTED).map((r) => `- \`${r.name}\` (${shortType(r.type)})`), ...(rs.length > MAX_LISTED ? [`- _… and ${rs.length - MAX_LISTED} more, in ${o.where ?? "the output of npm run plan -- --diff"}_`] : [])];
  if (d.added.length > 0) lines.push("**Added**", "", ...names(d.added), "");
  if (d.removed.length > 0) lines.push("**Removed**", "", ...names(d.removed), "");
  if (d.changed.length > 0) {
    lines.push("**Changed**", "");
    const max = o.maxChars ?? Infinity;
    let size = lines.reduce((n, l) => n + l.length + 1, 0);
    // Resources of one type with the very same change (a tier change in every group) are one block;
    // replacements first: they are the changes a reviewer must not miss.
    const blocks = new Map<string, ChangedResource[]>();
    for (const r of d.changed) {
      const key = JSON.stringify([r.type, r.action, r.changes]);
      blocks.set(key, [...(blocks.get(key) ?? []), r]);
    }
    const order = [...blocks.values()].sort((a, b) => Number(b[0].action === "replace") - Number(a[0].action === "replace"));
    const leftOut = (k: number) => {
      const rest = order.slice(k).flat();
      return `_${rest.length} more changed resource(s) are not shown here (${rest.filter((x) => x.action === "replace").length} replace): ${rest.slice(0, 20).map((x) => `\`${x.name}\``).join(", ")}${rest.length > 20 ? ", …" : ""}. The full diff is in ${o.where ?? "the output of npm run plan -- --diff"}._`;
    };
    for (const [k, group] of order.entries()) {
      const [r] = group;
      const named = group.slice(0, MAX_NAMED).map((x) => `\`${x.name}\` (${shortType(x.type)})`).join(", ") + (group.length > MAX_NAMED ? ` and ${group.length - MAX_NAMED} more` : "");
      const head = group.length > 1 ? `${actionText(r)}, the same change in ${group.length} resources: ${named}` : `${named}: ${actionText(r)}`;
      const block = [head, "", "| property | before | after |", "|---|---|---|", ...r.changes.map((c) => `| \`${c.path}\` | ${showValue(c.before)} | ${showValue(c.after)} |`), ""];
      const blockSize = block.reduce((n, l) => n + l.length + 1, 0);
      // Room for this block and for saying what the blocks after it are, should they not fit.
      const after = k + 1 < order.length ? leftOut(k + 1).length + 2 : 0;
      if (size + blockSize + after > max) {
        lines.push(leftOut(k), "");
        break;
      }
      lines.push(...block);
      size += blockSize;
    }
  }
  return lines.join("\n");
}
