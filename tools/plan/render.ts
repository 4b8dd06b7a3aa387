// Text renderings of a plan (resources by type, the coverage matrix with empty
// cells impossible to miss) and the markdown pieces the pull-request comment (comment.ts) folds.
import { LEVELS } from "../../handlers/catalogue";
import { CoverageCell, CoverageRow, alertTopics } from "./coverage";
import { PlanGraph, ofType } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { renderRegionsText } from "./regions";

export const EMPTY_CELL = "!! NOBODY — no rule or no live receiver !!";

/** Cloud names all start with `<prefix>-<stack>-`; the matrix shows what follows, so a cell stays readable. */
function shortName(name: string, stack: string): string {
  const at = name.indexOf(`-${stack}-`);
  return at > 0 ? name.slice(at + stack.length + 2) : name;
}

export function describeCell(cell: CoverageCell, stack = ""): string {
  if (cell.empty) return EMPTY_CELL;
  const short = (n: string) => (stack ? shortName(n, stack) : n);
  return cell.receivers
    .map((r) => {
      switch (r.kind) {
        case "contacts":
          return `${short(r.name)} (${r.channel}${r.reachable ? "" : ", NO REACHABLE MEMBER"})`;
        case "queue":
          return `mns:${short(r.name)}`;
        case "function":
          return `fc:${short(r.name)}`;
        default:
          return r.name;
      }
    })
    .join(", ");
}

export function resourcesByType(graph: PlanGraph): [string, string[]][] {
  const byType = new Map<string, string[]>();
  for (const r of graph.resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r.name]);
  return [...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([t, names]) => [t, names.sort()]);
}

export function renderText(graph: PlanGraph, rows: CoverageRow[]): string {
  const out: string[] = [];
  out.push(`Offline plan of stack '${graph.stack}' (project ${graph.project}): ${graph.resources.length} resources, no cloud calls made.`);
  out.push("");
  out.push("Resources by type:");
  for (const [type, names] of resourcesByType(graph)) {
    out.push(`  ${type} (${names.length})`);
    for (const n of names) out.push(`    ${n}`);
  }
  out.push("");
  out.push(...renderRegionsText(graph));
  out.push("");
  out.push(`Coverage: application group × tier → receivers and targets (cloud names without the '-${graph.stack}-' stem)`);
  const header = ["group", "tag", ...LEVELS];
  const table = rows.map((r) => [r.group, r.tag, ...LEVELS.map((l) => describeCell(r.cells[l], graph.stack))]);
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...table.map((row) => row[i].length))));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" | ");
  out.push(`  ${line(header)}`);
  out.push(`  ${widths.map((w) => "-".repeat(w)).join("-+-")}`);
  for (const row of table) out.push(`  ${line(row)}`);
  if (rows.length === 0) out.push(`  ${EMPTY_CELL} (no application group declared)`);
  for (const t of alertTopics(graph)) {
    out.push("");
    out.push(`Handler alerts (CRITICAL) → topic ${t.topic}: ${t.subscribers.length > 0 ? t.subscribers.join(", ") : EMPTY_CELL}`);
  }
  return out.join("\n");
}

/** The coverage table and who the handlers' alerts reach, as markdown. */
export function coverageMarkdown(graph: PlanGraph, rows: CoverageRow[]): string {
  const out: string[] = [];
  out.push(`| group | tag | ${LEVELS.join(" | ")} |`);
  out.push(`|---|---|${LEVELS.map(() => "---").join("|")}|`);
  for (const r of rows) {
    out.push(`| ${r.group} | \`${r.tag}\` | ${LEVELS.map((l) => (r.cells[l].empty ? `**${EMPTY_CELL}**` : describeCell(r.cells[l], graph.stack))).join(" | ")} |`);
  }
  // Subscriptions by name: their endpoints are people's addresses, which a comment never shows.
  const subscriptions = ofType(graph, T.subscription).map((s) => s.inputs);
  for (const t of alertTopics(graph)) {
    const names = subscriptions.filter((s) => s.topicName === t.topic).map((s) => `${s.pushType}:${s.subscriptionName}`).sort();
    out.push("");
    out.push(`Handler alerts (CRITICAL) → \`${t.topic}\`: ${names.length > 0 ? names.map((x) => `\`${x}\``).join(", ") : `**${EMPTY_CELL}**`}`);
  }
  return out.join("\n") + "\n";
}

/** Resource types and how many of each, as a markdown list. */
export function resourcesByTypeMarkdown(graph: PlanGraph): string {
  return resourcesByType(graph).map(([type, names]) => `- \`${type}\` × ${names.length}`).join("\n") + "\n";
}
