// Routing cases as data: `test/routing/cases/<stack>.yaml`. A case names an
// event (catalogue name + status, or a whole event JSON) and the resource's
// tags, and says where the event must go. A compact form expands one case
// over several statuses. Loading, expansion and the readable diff live here;
// the mocha runner (test/routing/routing.test.ts) only wires them up.
//
//   cases:
//     - name: checkout reboot maintenance
//       event: Instance:SystemMaintenance.Reboot   # catalogue name, status optional
//       statuses: "*"                              # or [Scheduled, Executed], or `status: Scheduled`
//       level: WARN                                # only for events sent with several levels
//       content: { state: Deleted }                # extra content fields
//       tags: { app: checkout, eventops-managed: "true" }
//       expect:                                    # every field is checked; absent = expected empty
//         groups: [checkout]
//         rules: [eventops-prod-checkout-critical, eventops-prod-auto-maintenance]
//         contacts: ["eventops-prod-oncall:phone"]
//         queues: [eventops-prod-events, eventops-prod-auto-maintenance]
//         functions: [eventops-prod-maintenance]   # a rule's own target, or the function whose queue trigger reads one of `queues`
//         webhooks: ["eventops-prod-checkout-critical#1"]
//         handlers: [maintenance]
//         unreached: []                            # catalogue handlers whose function the event does not reach
//       byStatus:                                  # per-status overrides of `expect` fields
//         Executed: { handlers: [] }
//     - name: a raw event, exactly as delivered
//       raw: { product: ECS, name: ..., level: ..., regionId: ..., resourceId: ..., content: {...} }
//       tags: {}
//       expect: { ... }
//
// YAML merge keys (`<<: *critical`) work, so shared expectations are written once.
import * as assert from "node:assert";
import * as fs from "node:fs";
import YAML from "yaml";
import { z } from "zod";
import { EventStatus, LEVELS, STATUSES, baseName, lookup } from "../../handlers/catalogue";
import { CmsEvent, buildEvent } from "./events";
import { RoutingModel } from "./model";
import { Routing, route } from "./route";

export const EXPECT_FIELDS = ["groups", "rules", "contacts", "queues", "functions", "webhooks", "handlers", "unreached"] as const;
export type ExpectField = (typeof EXPECT_FIELDS)[number];
export type Expectation = Record<ExpectField, string[]>;

const list = z.array(z.string());
const expectSchema = z.strictObject(Object.fromEntries(EXPECT_FIELDS.map((f) => [f, list.optional()])) as Record<ExpectField, z.ZodOptional<typeof list>>);
const tags = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

const caseSchema = z
  .strictObject({
    name: z.string().min(1),
    event: z.string().optional(),
    status: z.enum(STATUSES).optional(),
    statuses: z.union([z.literal("*"), z.array(z.enum(STATUSES)).min(1)]).optional(),
    level: z.enum(LEVELS).optional(),
    content: z.record(z.string(), z.unknown()).optional(),
    raw: z.looseObject({ product: z.string(), name: z.string(), level: z.string(), regionId: z.string(), resourceId: z.string(), content: z.union([z.record(z.string(), z.unknown()), z.string()]) }).optional(),
    tags: tags.default({}),
    expect: expectSchema,
    byStatus: z.partialRecord(z.enum(STATUSES), expectSchema).optional(),
  })
  .refine((c) => (c.event === undefined) !== (c.raw === undefined), "give exactly one of `event` (catalogue name) or `raw` (a whole event)")
  .refine((c) => !(c.status && c.statuses), "give `status` or `statuses`, not both")
  .refine((c) => c.raw === undefined || (!c.status && !c.statuses && !c.level && !c.content && !c.byStatus), "a `raw` event carries its own status, level and content");

const fileSchema = z.strictObject({
  /** Optional: must equal the file's stack when given. */
  stack: z.string().optional(),
  /** Anchors for merge keys may live here; ignored otherwise. */
  shared: z.unknown().optional(),
  cases: z.array(caseSchema).min(1),
});

export type RoutingCase = z.infer<typeof caseSchema>;

/** One concrete check: a case expanded to one status. */
export interface ConcreteCase {
  name: string;
  source: string;
  event: CmsEvent;
  tags: Record<string, string>;
  expect: Expectation;
  /** Catalogue base name and status it covers (for the coverage check). */
  covers?: { base: string; status?: EventStatus; level: string };
}

export class CaseFileError extends Error {
  override name = "CaseFileError";
}

export function parseCaseFile(text: string, source: string): RoutingCase[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { merge: true });
  } catch (e) {
    throw new CaseFileError(`${source}: not valid YAML: ${(e as Error).message}`);
  }
  const r = fileSchema.safeParse(doc);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `  ${describePath(doc, i.path)}: ${i.message}`).join("\n");
    throw new CaseFileError(`${source}: invalid routing cases:\n${problems}`);
  }
  return r.data.cases;
}

function describePath(doc: unknown, p: PropertyKey[]): string {
  if (p[0] === "cases" && typeof p[1] === "number") {
    const name = (doc as { cases?: { name?: string }[] })?.cases?.[p[1]]?.name;
    return `cases[${p[1]}]${name ? ` ("${name}")` : ""}${p.length > 2 ? "." + p.slice(2).join(".") : ""}`;
  }
  return p.join(".") || "(file)";
}

export function loadCaseFile(file: string): RoutingCase[] {
  return parseCaseFile(fs.readFileSync(file, "utf8"), file);
}

const fill = (e: Partial<Record<ExpectField, string[]>>): Expectation => Object.fromEntries(EXPECT_FIELDS.map((f) => [f, [...(e[f] ?? [])].sort()])) as Expectation;

/** Expands a case over its statuses into concrete checks. Throws CaseFileError for a name/status the catalogue does not know. */
export function expandCase(c: RoutingCase, source = "case"): ConcreteCase[] {
  const problem = (msg: string) => new CaseFileError(`${source}: case "${c.name}": ${msg}`);
  if (c.raw) {
    return [{ name: c.name, source, event: c.raw as unknown as CmsEvent, tags: c.tags, expect: fill(c.expect) }];
  }
  const hit = lookup(c.event!);
  if (!hit) throw problem(`"${c.event}" is not in the event catalogue (handlers/catalogue.ts)`);
  const entry = hit.entry;
  if (c.statuses && hit.nameStatus) throw problem(`"${c.event}" already names status ${hit.nameStatus}; drop \`statuses\` or the suffix`);
  if (c.statuses && entry.statuses.length === 0) throw problem(`${baseName(entry)} is a status notification: no statuses to expand`);
  const statuses: (EventStatus | undefined)[] = c.statuses === "*" ? [...entry.statuses] : c.statuses ? [...c.statuses] : [c.status ?? hit.nameStatus];
  const unknown = Object.keys(c.byStatus ?? {}).filter((s) => !statuses.includes(s as EventStatus));
  if (unknown.length) throw problem(`byStatus names ${unknown.join(", ")}, which the case does not expand to`);
  return statuses.map((status) => {
    let event: CmsEvent;
    try {
      event = buildEvent({ name: baseName(entry), status, level: c.level, content: c.content });
    } catch (e) {
      throw problem((e as Error).message);
    }
    const override = status ? c.byStatus?.[status] : undefined;
    return {
      name: c.statuses ? `${c.name} [${status}]` : c.name,
      source,
      event,
      tags: c.tags,
      expect: fill({ ...c.expect, ...override }),
      covers: { base: baseName(entry), status, level: event.level },
    };
  });
}

export function actualView(r: Routing): Expectation {
  return { groups: r.groups, rules: r.rules, contacts: r.contacts, queues: r.queues, functions: r.functions, webhooks: r.webhooks, handlers: r.handlers, unreached: r.unreached };
}

/** A readable diff: per field, what was expected and missing, what came and was not expected. */
export function diffExpectation(expected: Expectation, actual: Expectation): string[] {
  const lines: string[] = [];
  for (const f of EXPECT_FIELDS) {
    const want = new Set(expected[f]);
    const got = new Set(actual[f]);
    const missing = [...want].filter((x) => !got.has(x));
    const extra = [...got].filter((x) => !want.has(x));
    if (missing.length || extra.length) {
      lines.push(`  ${f}: expected [${expected[f].join(", ")}], got [${actual[f].join(", ")}]`);
      if (missing.length) lines.push(`    missing:    ${missing.join(", ")}`);
      if (extra.length) lines.push(`    unexpected: ${extra.join(", ")}`);
    }
  }
  return lines;
}

/** Routes the case's event and throws an AssertionError with the case name and a per-field diff on mismatch. */
export function checkCase(model: RoutingModel, c: ConcreteCase): Routing {
  const routing = route(model, c.event, c.tags);
  const actual = actualView(routing);
  const lines = diffExpectation(c.expect, actual);
  if (lines.length > 0) {
    throw new assert.AssertionError({
      message: `routing case "${c.name}" (${c.source}, stack ${model.stack}) does not match:\n${lines.join("\n")}`,
      actual,
      expected: c.expect,
      operator: "deepStrictEqual",
    });
  }
  return routing;
}
