// Who an event rule actually reaches: contact groups with members that have a
// channel, and automation targets declared in the stack. Shared by
// tier-coverage and the plan's diagrams.
import { PolicyResourceLike } from "../model";
import { StackIndex } from "../stack";
import { isUnknown, list, present, record, text } from "../values";

/** CMS contact notification levels (infra/config/schema.ts CHANNEL_LEVELS): 2 phone, 3 SMS, 4 chat. */
export const URGENT_LEVELS: ReadonlySet<string> = new Set(["2", "3"]);
export const LEVEL_LABELS: Readonly<Record<string, string>> = { "2": "phone", "3": "sms", "4": "chat" };

/** A yes/no that may be undecidable before apply. */
export type Tri = true | false | "unknown";

export const orTri = (values: Tri[]): Tri => (values.includes(true) ? true : values.includes("unknown") ? "unknown" : false);

/** What the members of a contact group can be reached by. */
export interface Reach {
  /** Some member has a channel at all (email, SMS, DingTalk, Aliim). */
  any: Tri;
  /** Some member has a phone number (SMS / phone call). */
  phone: Tri;
  /** Some member has email or chat (DingTalk, Aliim). */
  chat: Tri;
}

function has(v: unknown): Tri {
  return isUnknown(v) ? "unknown" : present(v);
}

export function contactGroupReach(index: StackIndex, group: PolicyResourceLike): Reach {
  const members = group.props.contacts;
  if (isUnknown(members)) return { any: "unknown", phone: "unknown", chat: "unknown" };
  const contacts = index.contacts();
  const reach = list(members).map((m): Reach => {
    const name = text(m);
    if (isUnknown(m) || (name && !contacts.byName.has(name) && contacts.someUnknown)) return { any: "unknown", phone: "unknown", chat: "unknown" };
    const contact = name ? contacts.byName.get(name) : undefined;
    if (!contact) return { any: false, phone: false, chat: false };
    const p = contact.props;
    const phone = has(p.channelsSms);
    const chat = orTri([has(p.channelsMail), has(p.channelsDingWebHook), has(p.channelsAliim)]);
    return { any: orTri([phone, chat]), phone, chat };
  });
  return { any: orTri(reach.map((r) => r.any)), phone: orTri(reach.map((r) => r.phone)), chat: orTri(reach.map((r) => r.chat)) };
}

export interface ContactTarget {
  kind: "contacts";
  name: string | undefined;
  level: string | undefined;
  group?: PolicyResourceLike;
  reach: Reach;
}
export interface AutomationTarget {
  kind: "queue" | "topic" | "function" | "webhook";
  name: string | undefined;
  /** Declared in the stack (webhooks: a URL is set). */
  live: Tri;
}
export type Target = ContactTarget | AutomationTarget;

const NOBODY: Reach = { any: false, phone: false, chat: false };
const UNDECIDED: Reach = { any: "unknown", phone: "unknown", chat: "unknown" };

/** Every target of a rule, with whether it reaches anyone. Unknown lists yield one undecided target. */
export function ruleTargets(index: StackIndex, rule: PolicyResourceLike): Target[] {
  const p = rule.props;
  const out: Target[] = [];
  const groups = index.contactGroups();
  if (isUnknown(p.contactParameters)) out.push({ kind: "contacts", name: undefined, level: undefined, reach: UNDECIDED });
  for (const c of list(p.contactParameters).map(record)) {
    const name = text(c.contactGroupName);
    const level = text(c.level);
    const group = name && !isUnknown(name) ? groups.byName.get(name) : undefined;
    const reach = isUnknown(name) || (!group && groups.someUnknown) ? UNDECIDED : group ? contactGroupReach(index, group) : NOBODY;
    out.push({ kind: "contacts", name, level, ...(group ? { group } : {}), reach });
  }
  const declared = (idx: ReturnType<StackIndex["queues"]>, name: unknown): Tri =>
    isUnknown(name) ? "unknown" : text(name) !== undefined && idx.byName.has(text(name)!) ? true : idx.someUnknown ? "unknown" : false;
  for (const m of list(p.mnsParameters).map(record)) {
    if (present(m.queue)) out.push({ kind: "queue", name: text(m.queue), live: declared(index.queues(), m.queue) });
    else out.push({ kind: "topic", name: text(m.topic), live: declared(index.topics(), m.topic) });
  }
  for (const f of list(p.fcParameters).map(record)) out.push({ kind: "function", name: text(f.functionName), live: declared(index.functions(), f.functionName) });
  for (const w of list(p.webhookParameters).map(record)) out.push({ kind: "webhook", name: text(w.webhookParametersId), live: has(w.url) });
  if (isUnknown(p.mnsParameters) || isUnknown(p.fcParameters) || isUnknown(p.webhookParameters)) out.push({ kind: "webhook", name: undefined, live: "unknown" });
  return out;
}

/** Does this target reach a person or an automation? */
export function targetLive(t: Target): Tri {
  return t.kind === "contacts" ? t.reach.any : t.live;
}
