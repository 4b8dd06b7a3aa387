// Where a plan's cloud resources land: each resource's region is its provider's
// (explicit, or the default one from `alicloud:region`), since every API call
// of a resource goes to its provider's regional endpoint.
import { PlanGraph, providerOf } from "../../policies/plan-graph";

export interface RegionRow {
  /** A region, or a note in parentheses when there is none to show. */
  region: string;
  resources: number;
  /** Providers of this region, e.g. `default_3_108_0 (default)`. */
  providers: string[];
}

const NO_PROVIDER = "(no provider recorded)";

function regionOf(p: ReturnType<typeof providerOf>): string {
  if (!p) return NO_PROVIDER;
  if (p.region === undefined) return `(no region: ${p.type.replace(/^pulumi:providers:/, "")})`;
  // The alicloud provider then reads ALICLOUD_REGION or ALIBABA_CLOUD_REGION (terraform-provider-alicloud alicloud/provider.go).
  return p.region ?? "(unset: from ALICLOUD_REGION at deploy time)";
}

/** Cloud resources per region, regions first (by name), then the rows without one. */
export function resourcesPerRegion(graph: Pick<PlanGraph, "resources" | "providers">): RegionRow[] {
  const rows = new Map<string, { resources: number; providers: Set<string> }>();
  for (const r of graph.resources.filter((x) => x.custom)) {
    const p = providerOf(graph, r);
    const key = regionOf(p);
    const row = rows.get(key) ?? { resources: 0, providers: new Set<string>() };
    row.resources++;
    if (p) row.providers.add(p.default ? `${p.name} (default)` : p.name);
    rows.set(key, row);
  }
  return [...rows.entries()]
    .map(([region, row]) => ({ region, resources: row.resources, providers: [...row.providers].sort() }))
    .sort((a, b) => Number(a.region.startsWith("(")) - Number(b.region.startsWith("(")) || a.region.localeCompare(b.region));
}

export function renderRegionsText(graph: Pick<PlanGraph, "resources" | "providers">): string[] {
  const rows = resourcesPerRegion(graph);
  const width = Math.max(6, ...rows.map((r) => r.region.length));
  return [
    "Resources per region (each resource's provider):",
    ...rows.map((r) => `  ${r.region.padEnd(width)} ${String(r.resources).padStart(4)}  ${r.providers.join(", ")}`),
  ];
}

export function renderRegionsMarkdown(graph: Pick<PlanGraph, "resources" | "providers">): string[] {
  return [
    "### Resources per region",
    "",
    "| region | resources | providers |",
    "|---|---|---|",
    ...resourcesPerRegion(graph).map((r) => `| ${r.region} | ${r.resources} | ${r.providers.map((p) => `\`${p}\``).join(", ")} |`),
  ];
}
