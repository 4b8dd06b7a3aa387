// One diagram of the tier template: every application group → its CRITICAL,
// WARN and INFO tiers → receivers (contact groups with their channel level)
// and targets (queues, functions, webhooks). The tiers are defined once and
// applied to every group, so one drawing says it for all of them; a group whose
// tiers differ from the template is listed under the diagram, never hidden.
// Read from the recorded graph with the receiver logic the tier-coverage
// policy uses. An empty tier is drawn red, a receiver that reaches no one
// dashed. Pure and sorted, so a diagram diff in review shows only real changes.
import { LEVELS, type Level } from "../../handlers/catalogue";
import { fromPlanGraph } from "../../policies/plan-graph";
import { LEVEL_LABELS, Target, ruleTargets, targetLive } from "../../policies/rules/receivers";
import { queueReaders } from "../../policies/rules/queue-triggers";
import { StackIndex, T, ruleLevels } from "../../policies/stack";
import { isSecret, text } from "../../policies/values";
import type { PlanGraph } from "../../policies/plan-graph";
import { configName } from "./config-diff";

/** Mermaid label text: quotes and angle brackets as entities; lines joined by <br/>. */
const label = (...lines: string[]) => lines.map((s) => s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;")).join("<br/>");

/** One tier of one group: its rules' silence and targets, as drawn. */
interface TierShape {
  rules: number;
  silence: string[];
  targets: Target[];
  /** What the tier looks like, for comparing groups: targets with their channel, silence. */
  signature: string;
}

export interface TierTemplate {
  /** Every application group, with its tag (`checkout (app=checkout)`), by name. */
  groups: string[];
  /** The template: per tier, the shape most groups share. */
  tiers: Record<Level, TierShape>;
  /** Groups whose tier differs from the template: `group ledger, tier WARN: no rule`. */
  deviations: string[];
  mermaid: string;
}

const MAX_GROUPS_IN_LABEL = 6;

/** `base`: the plan this one is compared with; receivers the template did not have there are drawn amber. */
export function tierTemplate(graph: Pick<PlanGraph, "resources" | "stack">, base?: Pick<PlanGraph, "resources" | "stack">): TierTemplate {
  const index = new StackIndex(fromPlanGraph(graph));
  const short = (n: string) => configName(n, graph.stack);
  const apps = index
    .ofType(T.applicationGroup)
    .map((app) => {
      const dynamic = index.childrenOf(app, T.dynamicTagGroup)[0];
      const match = (dynamic?.props.matchExpresses as Record<string, unknown>[] | undefined)?.[0];
      const tag = dynamic ? `${text(dynamic.props.tagKey) ?? "?"}=${text(match?.tagValue) ?? "?"}` : "no tag group";
      const rules = index.childrenOf(app, T.eventRule);
      const tiers = Object.fromEntries(LEVELS.map((level) => [level, tierShape(index, rules, level, short)])) as Record<Level, TierShape>;
      return { group: app.name.replace(/^group-/, ""), tag, tiers };
    })
    .sort((a, b) => a.group.localeCompare(b.group));

  const tiers = {} as Record<Level, TierShape>;
  const deviations: string[] = [];
  for (const level of LEVELS) {
    const counts = new Map<string, number>();
    for (const a of apps) counts.set(a.tiers[level].signature, (counts.get(a.tiers[level].signature) ?? 0) + 1);
    // The template is what most groups have (first group's on a tie).
    const best = [...counts.entries()].sort((x, y) => y[1] - x[1])[0]?.[0];
    const model = apps.find((a) => a.tiers[level].signature === best);
    tiers[level] = model?.tiers[level] ?? { rules: 0, silence: [], targets: [], signature: "" };
    for (const a of apps.filter((x) => x.tiers[level].signature !== best)) deviations.push(`group \`${a.group}\`, tier ${level}: ${describeTier(a.tiers[level], short)} (template: ${describeTier(tiers[level], short)})`);
  }
  const groups = apps.map((a) => `${a.group} (${a.tag})`);
  const before = base ? tierTemplate(base).tiers : undefined;
  const isNew = before ? (level: Level, t: Target) => !before[level].targets.some((x) => targetKey(x, short) === targetKey(t, short)) : () => false;
  return { groups, tiers, deviations, mermaid: drawTemplate(apps.map((a) => a.group), tiers, short, isNew, queueReaders(index)) };
}

function tierShape(index: StackIndex, rules: ReturnType<StackIndex["ofType"]>, level: Level, short: (n: string) => string): TierShape {
  const tierRules = rules
    .filter((r) => {
      const levels = ruleLevels(r);
      return levels !== "unknown" && (levels.includes(level) || levels.includes("*")) && text(r.props.status) !== "DISABLED";
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const seen = new Set<string>();
  const targets = sortTargets(tierRules.flatMap((r) => ruleTargets(index, r))).filter((t) => {
    const key = targetKey(t, short);
    return !seen.has(key) && Boolean(seen.add(key));
  });
  const silence = [...new Set(tierRules.map((r) => text(r.props.silenceTime)).filter((s): s is string => s !== undefined))];
  return { rules: tierRules.length, silence, targets, signature: JSON.stringify([tierRules.length > 0, silence, targets.map((t) => `${targetKey(t, short)}|${targetLive(t)}`)]) };
}

const channelOf = (t: Target) => (t.kind === "contacts" ? (LEVEL_LABELS[t.level ?? ""] ?? `level ${t.level ?? "?"}`) : "");
const nameOf = (t: Target, short: (n: string) => string) => (t.name === undefined ? "?" : isSecret(t.name) ? "[secret]" : short(t.name));
const targetKey = (t: Target, short: (n: string) => string) => `${t.kind}:${nameOf(t, short)}:${channelOf(t)}`;

function describeTier(t: TierShape, short: (n: string) => string): string {
  if (t.rules === 0) return "no rule";
  const targets = t.targets.map((x) => `${nameOf(x, short)}${x.kind === "contacts" ? ` (${channelOf(x)})` : ` [${x.kind}]`}`);
  return `${targets.join(", ") || "no target"}${t.silence.length ? `, silence ${t.silence.join("/")} s` : ""}`;
}

/**
 * Group → tiers → each tier's own receivers: a tree, so no edge crosses
 * another (a receiver two tiers share is drawn under each), the channel in
 * the receiver's box rather than on its edge.
 */
function drawTemplate(groups: string[], tiers: Record<Level, TierShape>, short: (n: string) => string, isNew: (level: Level, t: Target) => boolean, readers: Map<string, string[]>): string {
  const shown = groups.length > MAX_GROUPS_IN_LABEL ? [...groups.slice(0, MAX_GROUPS_IN_LABEL), `and ${groups.length - MAX_GROUPS_IN_LABEL} more`] : groups;
  // Tighter than Mermaid's defaults: the tree stays about as tall as its receivers.
  const lines = ['%%{init: {"flowchart": {"nodeSpacing": 12, "rankSpacing": 36}}}%%', "flowchart LR", `  group["${label(`every application group (${groups.length})`, ...wrap(shown, 3))}"]`];
  const edges: string[] = [];
  const dead: string[] = [];
  const empty: string[] = [];
  const changed: string[] = [];
  for (const level of LEVELS) {
    const tier = tiers[level];
    const tierId = `tier_${level}`;
    const detail = tier.rules === 0 ? "no rule" : tier.silence.length > 0 ? `silence ${tier.silence.join("/")} s` : "";
    lines.push(`  ${tierId}["${label(level, ...(detail ? [detail] : []))}"]`);
    edges.push(`  group --> ${tierId}`);
    if (tier.rules === 0 || !tier.targets.some((t) => targetLive(t) !== false)) empty.push(tierId);
    tier.targets.forEach((t, k) => {
      const id = `${level.toLowerCase()}_${k}`;
      lines.push(`  ${id}${targetNode(t, short, readers)}`);
      if (targetLive(t) === false) dead.push(id);
      else if (isNew(level, t)) changed.push(id);
      edges.push(`  ${tierId} --> ${id}`);
    });
  }
  lines.push(...edges);
  lines.push("  classDef empty fill:#fdd,stroke:#c00,stroke-width:2px,color:#900");
  lines.push("  classDef dead stroke:#c00,stroke-dasharray:4 3,color:#900");
  if (empty.length > 0) lines.push(`  class ${empty.join(",")} empty`);
  if (dead.length > 0) lines.push(`  class ${dead.join(",")} dead`);
  if (changed.length > 0) lines.push("  classDef changed fill:#fff1c2,stroke:#bf8700,stroke-width:2px", `  class ${changed.join(",")} changed`);
  return lines.join("\n") + "\n";
}

/** Names a few to a line, so a long list does not make one wide box. */
const wrap = (names: string[], per: number) => Array.from({ length: Math.ceil(names.length / per) }, (_, i) => names.slice(i * per, i * per + per).join(", "));

const KIND_ORDER: Record<Target["kind"], number> = { contacts: 0, queue: 1, topic: 2, function: 3, webhook: 4 };
function sortTargets(targets: Target[]): Target[] {
  return [...targets].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.name ?? "").localeCompare(b.name ?? ""));
}

/** Node shape by kind: contact groups as boxes, queues as cylinders, functions as subroutines, webhooks as flags. */
function targetNode(t: Target, short: (n: string) => string, readers: Map<string, string[]>): string {
  const name = nameOf(t, short);
  switch (t.kind) {
    case "contacts":
      return `["${label(`contacts: ${name}`, `by ${channelOf(t)}`)}"]`;
    case "queue":
    case "topic": {
      // A handler's queue: its queue trigger takes the events on to the function.
      const via = t.kind === "queue" && t.name ? (readers.get(t.name) ?? []) : [];
      return `[("${label(`${t.kind}: ${name}`, ...via.map((f) => `trigger → function: ${short(f)}`))}")]`;
    }
    case "function":
      return `[["${label(`function: ${name}`)}"]]`;
    case "webhook":
      return `>"${label(`webhook ${name}`)}"]`;
  }
}

/** The tier template as a markdown section: the diagram, the groups it applies to, and any group that differs. */
export function renderMermaidMarkdown(graph: Pick<PlanGraph, "resources" | "stack">, base?: Pick<PlanGraph, "resources" | "stack">): string {
  const t = tierTemplate(graph, base);
  if (t.groups.length === 0) return "No application group declared.\n";
  const legend = /class \S+ changed/.test(t.mermaid) ? " Amber: a receiver the base branch's template does not have (or has by another channel)." : "";
  const lines = [`The tier template, applied to every application group: ${t.groups.map((g) => `\`${g}\``).join(", ")}.${legend}`, "", "```mermaid", t.mermaid + "```", ""];
  if (t.deviations.length > 0) lines.push("**Groups that differ from the template**", "", ...t.deviations.map((d) => `- ${d}`), "");
  return lines.join("\n");
}
