// What a change means in the stack's own terms, read from two recorded plans:
// `tier WARN: owners sms → chat`, `group web added (app=web)`,
// `group checkout: maintenance notify → proactive (02:00–05:00 UTC+8)`,
// `automation: DRAIN_WAIT_SECONDS 45 → 60`. The resource-level diff (diff.ts)
// says what the provider will do; this says what a reviewer asked for.
// Pure: plain graphs in, sentences out; contact details masked.
import { LEVELS, type Level } from "../../handlers/catalogue";
import { ofType, type PlanGraph, type PlannedResource } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { CHANNEL_LABELS } from "./coverage";
import { maskContacts } from "./mask";

type Props = Record<string, any>;
type Graph = Pick<PlanGraph, "resources" | "stack">;

/** Cloud names start with `<prefix>-<stack>-`: what follows is the config's own name. */
export function configName(name: string, stack: string): string {
  const at = name.indexOf(`-${stack}-`);
  return at > 0 ? name.slice(at + stack.length + 2) : name;
}

interface TierView {
  /** Contact group → channel label. */
  contacts: Map<string, string>;
  queues: string[];
  functions: string[];
  webhooks: number;
  silence: string[];
}

interface GroupPolicyView {
  maintenance: string;
  expiry: string;
  spot: string;
}

export interface ConfigView {
  /** Group → its tag (`app=checkout`). */
  groups: Map<string, string>;
  /** Group → tier → what the tier's rules (every product) reach. */
  tiers: Map<string, Map<Level, TierView>>;
  policies: Map<string, GroupPolicyView>;
  /** Handler functions' environment, GROUP_POLICIES aside (the same contract for every function). */
  automation: Map<string, string>;
  handlers: Set<string>;
  /** Contact → the channels it has (email, sms, dingtalk), never their values. */
  contacts: Map<string, string[]>;
  contactGroups: Map<string, string[]>;
  queues: Map<string, Props>;
  /** Tag key → its allowed values (the preset tags, tag.MetaTag). */
  tags: Map<string, string[]>;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();
const uniq = (xs: Iterable<string>) => sorted(new Set(xs));

function tierOf(rules: PlannedResource[], stack: string): TierView {
  const contacts = new Map<string, string>();
  for (const r of rules) for (const c of (r.inputs.contactParameters ?? []) as Props[]) contacts.set(configName(String(c.contactGroupName), stack), CHANNEL_LABELS[String(c.level)] ?? `level ${c.level}`);
  const all = (key: string, pick: (p: Props) => unknown) => uniq(rules.flatMap((r) => ((r.inputs[key] ?? []) as Props[]).map((p) => configName(String(pick(p)), stack))));
  return {
    contacts,
    queues: all("mnsParameters", (m) => m.queue ?? m.topic),
    functions: all("fcParameters", (f) => f.functionName),
    webhooks: Math.max(0, ...rules.map((r) => ((r.inputs.webhookParameters ?? []) as unknown[]).length)),
    silence: uniq(rules.map((r) => String(r.inputs.silenceTime ?? "default"))),
  };
}

const window = (m: Props) => (m?.window ? ` (${m.window.start}–${m.window.end} UTC+8)` : "");

export function configView(graph: Graph): ConfigView {
  const stack = graph.stack;
  const groups = new Map<string, string>();
  const tiers = new Map<string, Map<Level, TierView>>();
  for (const app of ofType(graph, T.applicationGroup)) {
    const name = app.name.replace(/^group-/, "");
    const children = graph.resources.filter((r) => r.parent === app.urn);
    const dynamic = children.find((c) => c.type === T.dynamicTagGroup)?.inputs as Props | undefined;
    groups.set(name, dynamic ? `${dynamic.tagKey}=${dynamic.matchExpresses?.[0]?.tagValue ?? "?"}` : "no tag group");
    const rules = children.filter((c) => c.type === T.eventRule);
    tiers.set(name, new Map(LEVELS.map((l) => [l, tierOf(rules.filter((r) => ((r.inputs.eventPattern as Props)?.levelLists ?? []).includes(l)), stack)])));
  }
  const functions = ofType(graph, T.fcFunction);
  const env = functions.map((f) => (f.inputs.environmentVariables ?? {}) as Record<string, string>);
  const policies = new Map<string, GroupPolicyView>();
  const groupPolicies = env.map((e) => e.GROUP_POLICIES).find((v) => typeof v === "string" && v.startsWith("{"));
  if (groupPolicies) {
    for (const p of Object.values((JSON.parse(groupPolicies) as Props).groups ?? {}) as Props[]) {
      policies.set(String(p.group), {
        maintenance: `${p.maintenance?.policy}${window(p.maintenance)}`,
        expiry: p.expiry?.policy === "renew" ? `renew ${p.expiry.renewMonths} month(s)` : String(p.expiry?.policy),
        spot: p.spotPath === "oos" ? "the group's OOS template" : "the spot-drain function",
      });
    }
  }
  const automation = new Map<string, string>();
  for (const e of env) for (const [k, v] of Object.entries(e)) if (k !== "GROUP_POLICIES") automation.set(k, String(v));
  const contacts = new Map(
    ofType(graph, T.alarmContact).map((c) => {
      const p = c.inputs as Props;
      return [configName(String(p.alarmContactName), stack), [p.channelsMail && "email", p.channelsSms && "sms", p.channelsDingWebHook && "dingtalk"].filter(Boolean) as string[]];
    }),
  );
  const contactGroups = new Map(ofType(graph, T.alarmContactGroup).map((g) => [configName(String(g.inputs.alarmContactGroupName), stack), sorted(((g.inputs.contacts ?? []) as string[]).map((m) => configName(m, stack)))]));
  const queues = new Map(
    ofType(graph, T.queue).map((q) => {
      const { queueName, tags, ...rest } = q.inputs as Props;
      void tags;
      return [configName(String(queueName), stack), rest];
    }),
  );
  const tags = new Map(ofType(graph, T.metaTag).map((t) => [String(t.inputs.key), sorted(((t.inputs.values ?? []) as unknown[]).map(String))]));
  return { groups, tiers, policies, automation, handlers: new Set(functions.map((f) => configName(String(f.inputs.functionName ?? f.name), stack))), contacts, contactGroups, queues, tags };
}

const list = (xs: string[]) => (xs.length ? xs.join(", ") : "none");
/** Groups named one by one up to this many. */
const MANY = 10;
const arrow = (a: string, b: string) => `${a} → ${b}`;

/** Keyed changes of two maps: added, removed, and kept keys whose values differ. */
function keyed<V>(before: Map<string, V>, after: Map<string, V>, same: (a: V, b: V) => boolean = (a, b) => JSON.stringify(a) === JSON.stringify(b)) {
  return {
    added: sorted([...after.keys()].filter((k) => !before.has(k))),
    removed: sorted([...before.keys()].filter((k) => !after.has(k))),
    changed: sorted([...after.keys()].filter((k) => before.has(k) && !same(before.get(k)!, after.get(k)!))),
  };
}

/** What changed in one tier of one group, as phrases (`owners sms → chat`, `+ sre (phone)`, `silence 300 → 600 s`). */
function tierPhrases(a: TierView, b: TierView): string[] {
  const out: string[] = [];
  const c = keyed(a.contacts, b.contacts);
  for (const g of c.changed) out.push(`${g} ${arrow(a.contacts.get(g)!, b.contacts.get(g)!)}`);
  for (const g of c.added) out.push(`+ ${g} (${b.contacts.get(g)})`);
  for (const g of c.removed) out.push(`− ${g} (${a.contacts.get(g)})`);
  if (a.silence.join() !== b.silence.join()) out.push(`silence ${arrow(a.silence.join("/"), b.silence.join("/"))} s`);
  if (a.queues.join() !== b.queues.join()) out.push(`queues ${arrow(list(a.queues), list(b.queues))}`);
  if (a.functions.join() !== b.functions.join()) out.push(`functions ${arrow(list(a.functions), list(b.functions))}`);
  if (a.webhooks !== b.webhooks) out.push(`webhooks ${arrow(String(a.webhooks), String(b.webhooks))}`);
  return out;
}

/** Every change between two plans in config terms, in reading order: groups, tiers, policies, automation, contacts, queues. */
export function configChanges(base: Graph, head: Graph): string[] {
  const a = configView(base);
  const b = configView(head);
  const out: string[] = [];
  const groups = keyed(a.groups, b.groups);
  const policyText = (p?: GroupPolicyView) => (p ? `; maintenance ${p.maintenance}, expiry ${p.expiry}, spot interruptions to ${p.spot}` : "");
  // Many groups at once (a new tag value per team, say) is one line, names counted.
  const many = (gs: string[], what: string) => `${gs.length} groups ${what}: ${gs.slice(0, MANY).map((g) => `\`${g}\``).join(", ")} and ${gs.length - MANY} more`;
  if (groups.added.length > MANY) out.push(`${many(groups.added, "added")}, with the tier template`);
  else for (const g of groups.added) out.push(`group \`${g}\` added (${b.groups.get(g)}), with the tier template${policyText(b.policies.get(g))}`);
  if (groups.removed.length > MANY) out.push(many(groups.removed, "removed"));
  else for (const g of groups.removed) out.push(`group \`${g}\` removed (${a.groups.get(g)})`);
  for (const g of groups.changed) out.push(`group \`${g}\`: tag ${arrow(a.groups.get(g)!, b.groups.get(g)!)}`);

  // A tier change made in the template shows in every group alike: say it once.
  const kept = sorted([...b.groups.keys()].filter((g) => a.groups.has(g)));
  for (const level of LEVELS) {
    const byGroup = new Map(kept.map((g) => [g, tierPhrases(a.tiers.get(g)!.get(level)!, b.tiers.get(g)!.get(level)!)]));
    // Phrases that hold for the same groups share a line: `tier WARN: owners sms → chat, sre sms → chat`.
    const lines = new Map<string, string[]>();
    for (const phrase of uniq([...byGroup.values()].flat())) {
      const where = kept.filter((g) => byGroup.get(g)!.includes(phrase));
      const scope = where.length === kept.length ? `tier ${level}` : `tier ${level} (group ${where.map((g) => `\`${g}\``).join(", ")})`;
      lines.set(scope, [...(lines.get(scope) ?? []), phrase]);
    }
    for (const [scope, phrases] of lines) out.push(`${scope}: ${phrases.join(", ")}`);
  }

  for (const g of kept) {
    const [pa, pb] = [a.policies.get(g), b.policies.get(g)];
    if (!pa || !pb) continue;
    if (pa.maintenance !== pb.maintenance) out.push(`group \`${g}\`: maintenance ${arrow(pa.maintenance, pb.maintenance)}`);
    if (pa.expiry !== pb.expiry) out.push(`group \`${g}\`: expiry ${arrow(pa.expiry, pb.expiry)}`);
    if (pa.spot !== pb.spot) out.push(`group \`${g}\`: spot interruptions to ${arrow(pa.spot, pb.spot)}`);
  }

  const handlers = keyed(new Map([...a.handlers].map((h) => [h, h])), new Map([...b.handlers].map((h) => [h, h])));
  for (const h of handlers.added) out.push(`handler \`${h}\` deployed`);
  for (const h of handlers.removed) out.push(`handler \`${h}\` no longer deployed`);
  const env = keyed(a.automation, b.automation);
  for (const k of env.changed) out.push(`automation: ${k} ${arrow(a.automation.get(k)!, b.automation.get(k)!)}`);
  for (const k of env.added) out.push(`automation: ${k} set to ${b.automation.get(k)}`);
  for (const k of env.removed) out.push(`automation: ${k} unset (was ${a.automation.get(k)})`);

  const contacts = keyed(a.contacts, b.contacts);
  for (const c of contacts.added) out.push(`contact \`${c}\` added (${list(b.contacts.get(c)!)})`);
  for (const c of contacts.removed) out.push(`contact \`${c}\` removed`);
  for (const c of contacts.changed) out.push(`contact \`${c}\`: channels ${arrow(list(a.contacts.get(c)!), list(b.contacts.get(c)!))}`);
  const cg = keyed(a.contactGroups, b.contactGroups);
  for (const g of cg.added) out.push(`contact group \`${g}\` added (${list(b.contactGroups.get(g)!)})`);
  for (const g of cg.removed) out.push(`contact group \`${g}\` removed`);
  for (const g of cg.changed) out.push(`contact group \`${g}\`: members ${arrow(list(a.contactGroups.get(g)!), list(b.contactGroups.get(g)!))}`);

  const tags = keyed(a.tags, b.tags);
  for (const k of tags.added) out.push(`tag \`${k}\` added (${list(b.tags.get(k)!)})`);
  for (const k of tags.removed) out.push(`tag \`${k}\` removed`);
  for (const k of tags.changed) {
    const [va, vb] = [a.tags.get(k)!, b.tags.get(k)!];
    const plus = vb.filter((v) => !va.includes(v)).map((v) => `+ ${v}`);
    const minus = va.filter((v) => !vb.includes(v)).map((v) => `− ${v}`);
    out.push(`tag \`${k}\`: values ${[...plus, ...minus].join(", ")}`);
  }

  const queues = keyed(a.queues, b.queues);
  for (const q of queues.added) out.push(`queue \`${q}\` added`);
  for (const q of queues.removed) out.push(`queue \`${q}\` removed`);
  for (const q of queues.changed) {
    const [qa, qb] = [a.queues.get(q)!, b.queues.get(q)!];
    const keys = uniq([...Object.keys(qa), ...Object.keys(qb)]).filter((k) => JSON.stringify(qa[k]) !== JSON.stringify(qb[k]));
    out.push(`queue \`${q}\`: ${keys.map((k) => `${k} ${arrow(JSON.stringify(qa[k]) ?? "unset", JSON.stringify(qb[k]) ?? "unset")}`).join(", ")}`);
  }
  return out.map(maskContacts);
}
