// One diagram per application group: group → tiers → receivers (contact groups
// with their channel level) and targets (queues, functions, webhooks), read
// from the recorded graph with the same receiver logic the tier-coverage policy
// uses. An empty tier is drawn red, a receiver that reaches no one dashed.
// Pure and sorted, so a diagram diff in review shows only real changes.
import { LEVELS } from "../../handlers/catalogue";
import { fromPlanGraph } from "../../policies/plan-graph";
import { LEVEL_LABELS, Target, ruleTargets, targetLive } from "../../policies/rules/receivers";
import { StackIndex, T, ruleLevels } from "../../policies/stack";
import { isSecret, text } from "../../policies/values";
import type { PlanGraph } from "../../policies/plan-graph";

export interface GroupDiagram {
  group: string;
  mermaid: string;
}

/** Mermaid label text: quotes and angle brackets as entities; lines joined by <br/>. */
const label = (...lines: string[]) => lines.map((s) => s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;")).join("<br/>");

export function groupDiagrams(graph: Pick<PlanGraph, "resources">): GroupDiagram[] {
  const index = new StackIndex(fromPlanGraph(graph));
  return index
    .ofType(T.applicationGroup)
    .map((app) => ({ app, group: app.name.replace(/^group-/, "") }))
    .sort((a, b) => a.group.localeCompare(b.group))
    .map(({ app, group }) => {
      const dynamic = index.childrenOf(app, T.dynamicTagGroup)[0];
      const match = (dynamic?.props.matchExpresses as Record<string, unknown>[] | undefined)?.[0];
      const tag = dynamic ? `${text(dynamic.props.tagKey) ?? "?"}=${text(match?.tagValue) ?? "?"}` : "no tag group";
      const rules = index.childrenOf(app, T.eventRule);
      const lines = ["flowchart LR", `  group["${label(group, tag)}"]`];
      const nodes = new Map<string, string>();
      const edges: string[] = [];
      const dead = new Set<string>();
      const empty: string[] = [];
      for (const level of LEVELS) {
        const tierId = `tier_${level}`;
        const tierRules = rules
          .filter((r) => {
            const levels = ruleLevels(r);
            return levels !== "unknown" && (levels.includes(level) || levels.includes("*")) && text(r.props.status) !== "DISABLED";
          })
          .sort((a, b) => a.name.localeCompare(b.name));
        const targets = tierRules.flatMap((r) => ruleTargets(index, r));
        const silence = tierRules.map((r) => text(r.props.silenceTime)).filter((s): s is string => s !== undefined);
        const detail = tierRules.length === 0 ? "no rule" : silence.length > 0 ? `silence ${[...new Set(silence)].join("/")} s` : "";
        lines.push(`  ${tierId}["${label(level, ...(detail ? [detail] : []))}"]`);
        edges.push(`  group --> ${tierId}`);
        const live = targets.filter((t) => targetLive(t) !== false);
        if (tierRules.length === 0 || live.length === 0) empty.push(tierId);
        for (const t of sortTargets(targets)) {
          const { id, node } = targetNode(t, nodes.size);
          const existing = [...nodes.entries()].find(([, n]) => n === node)?.[0];
          const nodeId = existing ?? id;
          if (!existing) nodes.set(nodeId, node);
          if (targetLive(t) === false) dead.add(nodeId);
          const via = t.kind === "contacts" ? (LEVEL_LABELS[t.level ?? ""] ?? `level ${t.level ?? "?"}`) : "";
          edges.push(via ? `  ${tierId} -- ${via} --> ${nodeId}` : `  ${tierId} --> ${nodeId}`);
        }
      }
      for (const [id, node] of nodes) lines.push(`  ${id}${node}`);
      lines.push(...[...new Set(edges)]);
      lines.push("  classDef empty fill:#fdd,stroke:#c00,stroke-width:2px,color:#900");
      lines.push("  classDef dead stroke:#c00,stroke-dasharray:4 3,color:#900");
      if (empty.length > 0) lines.push(`  class ${empty.join(",")} empty`);
      if (dead.size > 0) lines.push(`  class ${[...dead].join(",")} dead`);
      return { group, mermaid: lines.join("\n") + "\n" };
    });
}

const KIND_ORDER: Record<Target["kind"], number> = { contacts: 0, queue: 1, topic: 2, function: 3, webhook: 4 };
function sortTargets(targets: Target[]): Target[] {
  return [...targets].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.name ?? "").localeCompare(b.name ?? ""));
}

/** Node shape by kind: contact groups as boxes, queues as cylinders, functions as subroutines, webhooks as flags. */
function targetNode(t: Target, n: number): { id: string; node: string } {
  const name = t.name === undefined ? "?" : isSecret(t.name) ? "[secret]" : t.name;
  switch (t.kind) {
    case "contacts":
      return { id: `r${n}`, node: `["${label(`contacts: ${name}`)}"]` };
    case "queue":
    case "topic":
      return { id: `r${n}`, node: `[("${label(`${t.kind}: ${name}`)}")]` };
    case "function":
      return { id: `r${n}`, node: `[["${label(`function: ${name}`)}"]]` };
    case "webhook":
      return { id: `r${n}`, node: `>"${label(`webhook ${name}`)}"]` };
  }
}

/** Every group's diagram as markdown sections with mermaid blocks. */
export function renderMermaidMarkdown(graph: Pick<PlanGraph, "resources">): string {
  const diagrams = groupDiagrams(graph);
  if (diagrams.length === 0) return "No application group declared.\n";
  return diagrams.map((d) => `#### Application group \`${d.group}\`\n\n\`\`\`mermaid\n${d.mermaid}\`\`\`\n`).join("\n");
}
