// Text renderings of a plan (resources by type, the coverage matrix with empty
// cells impossible to miss) and the markdown pieces the pull-request comment (comment.ts) folds.
import { LEVELS } from "../../handlers/catalogue";
import { AutomationPathRow, CoverageCell, CoverageRow, alertTopics, automationPath } from "./coverage";
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
          // A handler's queue: the trigger takes its messages to the function.
          return `mns:${short(r.name)}${r.via ? ` → ${r.via.map((f) => `fc:${short(f)}`).join(" & ")}` : ""}`;
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
  out.push(...textTable(["group", "tag", ...LEVELS], rows.map((r) => [r.group, r.tag, ...LEVELS.map((l) => describeCell(r.cells[l], graph.stack))])));
  if (rows.length === 0) out.push(`  ${EMPTY_CELL} (no application group declared)`);
  for (const t of alertTopics(graph)) {
    out.push("");
    out.push(`Handler alerts (CRITICAL) → topic ${t.topic}: ${t.subscribers.length > 0 ? t.subscribers.join(", ") : EMPTY_CELL}`);
  }
  const path = automationPath(graph);
  if (path.length > 0) {
    out.push("");
    out.push(`Automation event path: rule(s) → queue → queue trigger → function, and where failed batches go (cloud names without the '-${graph.stack}-' stem)`);
    out.push(...textTable(AUTOMATION_PATH_HEADER, automationPathCells(path, graph.stack)));
  }
  return out.join("\n");
}

/** Rows of a padded text table, indented, with a rule under the header. */
function textTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((row) => row[i].length))));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" | ").trimEnd();
  return [`  ${line(header)}`, `  ${widths.map((w) => "-".repeat(w)).join("-+-")}`, ...rows.map((row) => `  ${line(row)}`)];
}

export const AUTOMATION_PATH_HEADER = ["handler", "rules", "queue", "trigger", "function", "dead-letter queue"];
/** Shown where a handler's path is broken: no rule sends to its queue, no trigger reads it, no dead-letter queue. */
export const NO_RULE = "!! NO RULE SENDS HERE !!";
export const NO_TRIGGER = "!! NO QUEUE TRIGGER — events reach no function !!";
export const NO_DLQ = "!! NONE — failed batches are discarded !!";

const shown = (v: unknown) => (v === undefined ? "?" : String(v));

/** `queue: batch 1000 msgs / 2 s, BACKOFF_RETRY` (and what deviates from a working trigger: disabled, errors not tolerated). */
export function describeTrigger(t: NonNullable<AutomationPathRow["trigger"]>): string {
  const notes = [...(t.enabled ? [] : ["DISABLED"]), ...(t.errorsTolerance === "ALL" ? [] : [`errorsTolerance ${shown(t.errorsTolerance ?? "NONE")}`])];
  return `${t.name}: batch ${shown(t.countBasedWindow)} msgs / ${shown(t.timeBasedWindow)} s, ${shown(t.retryStrategy ?? "no retry strategy")}${notes.map((n) => `, ${n}`).join("")}`;
}

/** The automation path table's cells, one row per handler trigger, names without the stack stem. */
export function automationPathCells(rows: AutomationPathRow[], stack: string): string[][] {
  const short = (n: string) => shortName(n, stack);
  return rows.map((r) => [
    r.handler,
    r.rules.length > 0 ? r.rules.map(short).join(", ") : NO_RULE,
    r.queue ? short(r.queue) : "?",
    r.trigger ? describeTrigger(r.trigger) : NO_TRIGGER,
    r.functionName ? short(r.functionName) : "?",
    r.trigger ? (r.deadLetterQueue ? short(r.deadLetterQueue) : NO_DLQ) : "-",
  ]);
}

/** The automation path table as markdown, for the pull-request comment: names as code, gaps in bold. */
export function automationPathMarkdown(graph: PlanGraph): string {
  const rows = automationPath(graph);
  if (rows.length === 0) return "No handler deployed.\n";
  const names = (c: string) => (c.startsWith("!!") ? `**${c}**` : c === "-" ? c : c.split(", ").map((n) => `\`${n}\``).join(", "));
  const body = automationPathCells(rows, graph.stack).map(([handler, rules, queue, trigger, fn, dlq]) =>
    `| ${[names(handler), names(rules), names(queue), trigger.startsWith("!!") ? `**${trigger}**` : trigger, names(fn), names(dlq)].join(" | ")} |`,
  );
  return [
    `CloudMonitor rule(s) → the handler's MNS queue → FC 3.0 queue trigger (batch window, retry strategy) → function; batches that still fail go to the dead-letter queue. Cloud names without the \`-${graph.stack}-\` stem.`,
    "",
    `| ${AUTOMATION_PATH_HEADER.join(" | ")} |`,
    `|${AUTOMATION_PATH_HEADER.map(() => "---").join("|")}|`,
    ...body,
  ].join("\n") + "\n";
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
