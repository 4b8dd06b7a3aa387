// tier-coverage: every application group has a live CRITICAL, WARN and INFO
// tier — a rule scoped to the group, enabled, with at least one receiver that
// reaches a person or an automation; CRITICAL also reaches a phone.
import { LEVELS } from "../../handlers/catalogue";
import { Finding, PolicyResourceLike, PolicyRule } from "../model";
import { StackIndex, T, describe, ruleLevels } from "../stack";
import { isUnknown, text } from "../values";
import { Target, Tri, URGENT_LEVELS, orTri, ruleTargets, targetLive } from "./receivers";

export const tierCoverage: PolicyRule = {
  id: "tier-coverage",
  displayName: "Every application group has a live CRITICAL, WARN and INFO tier",
  severity: "critical",
  enforcement: "mandatory",
  description:
    "Each CMS application group needs an enabled event rule per tier (CRITICAL, WARN, INFO), scoped to that group, " +
    "whose targets reach someone: a contact group with a member who has a channel, or a declared queue, function or webhook. " +
    "CRITICAL must also page a person: contact level 2 (phone) or 3 (SMS) to a group with a phone number, plus email or chat.",
  remediation:
    "In the stack config, give the tier `contactGroups` whose members have email/phone/dingtalkWebhook, or `targets`; " +
    "for CRITICAL use `channels: phone` or `sms` and a contact with `phone`. Tier rules come from infra/alerting/tier-rules.ts.",
  check(resources, context) {
    const index = StackIndex.of(resources);
    const findings: Finding[] = [];
    const groupIdsSeen = new Map<string, PolicyResourceLike>();
    for (const app of index.ofType(T.applicationGroup)) {
      const dynamic = index.childrenOf(app, T.dynamicTagGroup);
      if (dynamic.length !== 1) {
        findings.push({ resource: app, message: `application group ${app.name} has ${dynamic.length} dynamic tag groups; expected exactly one` });
      }
      const rules = index.childrenOf(app, T.eventRule);
      // A group CloudMonitor has not made yet (no member: fresh account, new tag value) has its rules
      // DISABLED and unscoped until the next `up` (infra/components/application-group.ts): nothing to
      // cover yet, and nothing to decide until a resource carries the tag.
      if (rules.length > 0 && rules.every((r) => text(r.props.status) === "DISABLED" && !text(r.props.groupId) && !isUnknown(r.props.groupId))) {
        findings.push({ resource: app, undecided: true, message: `application group ${app.name} has no members yet: its ${rules.length} rules are DISABLED until \`pulumi up\` runs after a resource carries its tag` });
        continue;
      }
      const dynamicId = dynamic[0]?.id;
      const expected = dynamicId ? context.monitorGroupIdByDynamicTagRule?.get(dynamicId) : undefined;
      findings.push(...scopeFindings(app, rules, expected, groupIdsSeen));
      // A tier over several products is one rule per product (the provider takes one event pattern
      // per rule, resource_alicloud_cms_event_rule.go): each product the group's rules route needs every tier.
      const products = [...new Set(rules.map(ruleProduct))];
      for (const product of products) {
        const ofProduct = rules.filter((r) => ruleProduct(r) === product);
        for (const level of LEVELS) findings.push(...tierFindings(index, app, level, ofProduct, products.length > 1 ? product : undefined));
      }
      if (products.length === 0) for (const level of LEVELS) findings.push(...tierFindings(index, app, level, rules));
    }
    return findings;
  },
};

/**
 * Every rule of the group carries the group's ID: set, the ID CloudMonitor
 * created for the group's dynamic tag rule where that is known (offline),
 * otherwise one value per group and not shared with another group.
 */
function scopeFindings(app: PolicyResourceLike, rules: PolicyResourceLike[], expected: string | undefined, seen: Map<string, PolicyResourceLike>): Finding[] {
  const out: Finding[] = [];
  const known = new Set<string>();
  for (const rule of rules) {
    const groupId = rule.props.groupId;
    if (isUnknown(groupId)) {
      out.push({ resource: rule, undecided: true, message: `could not verify that rule ${describe(rule)} is scoped to application group ${app.name}: groupId is unknown until apply` });
    } else if (!text(groupId)) {
      out.push({ resource: rule, message: `rule ${describe(rule)} has no groupId: it is not scoped to application group ${app.name} and fires for every resource in the account` });
    } else {
      known.add(text(groupId)!);
      if (expected !== undefined && text(groupId) !== expected) {
        out.push({ resource: rule, message: `rule ${describe(rule)} is scoped to group ${text(groupId)}, not to application group ${app.name} (${expected})` });
      }
    }
  }
  if (known.size > 1) out.push({ resource: app, message: `the rules of application group ${app.name} name ${known.size} different group IDs (${[...known].sort().join(", ")}); they must all name this group` });
  for (const id of known) {
    const other = seen.get(id);
    if (other && other.urn !== app.urn) out.push({ resource: app, message: `application groups ${other.name} and ${app.name} scope rules to the same group ID ${id}` });
    else seen.set(id, app);
  }
  return out;
}

/** The product a rule's event pattern selects ("" when unknown or absent). */
function ruleProduct(rule: PolicyResourceLike): string {
  const pattern = rule.props.eventPattern as Record<string, unknown> | undefined;
  return isUnknown(pattern) || isUnknown(pattern?.product) ? "" : (text(pattern?.product) ?? "").toUpperCase();
}

function tierFindings(index: StackIndex, app: PolicyResourceLike, level: string, rules: PolicyResourceLike[], product?: string): Finding[] {
  const of = product ? ` ${product}` : "";
  const matching = rules.filter((r) => {
    const levels = ruleLevels(r);
    return levels !== "unknown" && (levels.includes(level) || levels.includes("*"));
  });
  const undecidedLevels = rules.filter((r) => ruleLevels(r) === "unknown" || (ruleLevels(r) as string[]).includes("unknown"));
  const enabled = matching.filter((r) => text(r.props.status) !== "DISABLED");
  if (enabled.length === 0) {
    if (undecidedLevels.length > 0) {
      return [{ resource: app, undecided: true, message: `could not verify the ${level} tier of application group ${app.name}: the level list of ${undecidedLevels.map(describe).join(", ")} is unknown until apply` }];
    }
    const disabled = matching.length > 0 ? ` (${matching.map(describe).join(", ")} is DISABLED)` : "";
    return [{ resource: app, message: `application group ${app.name} has no enabled ${level}${of} event rule${disabled}: ${level}${of} events of its instances reach no one` }];
  }

  const targets: Target[] = enabled.flatMap((r) => ruleTargets(index, r));
  const out: Finding[] = [];
  const live = orTri(targets.map(targetLive));
  const where = `the ${level} tier of application group ${app.name} (${enabled.map(describe).join(", ")})`;
  if (live === false) {
    out.push({ resource: enabled[0], message: `${where} has no live receiver: ${whyDead(targets)}` });
  } else if (live === "unknown") {
    out.push({ resource: enabled[0], undecided: true, message: `could not verify that ${where} reaches anyone: a receiver or its members are unknown until apply` });
  }
  if (level === "CRITICAL") out.push(...urgentFindings(enabled[0], where, targets));
  return out;
}

/** CRITICAL pages someone (level 2/3 to a group with a phone number) and also reaches email/chat. */
function urgentFindings(rule: PolicyResourceLike, where: string, targets: Target[]): Finding[] {
  const contacts = targets.flatMap((t) => (t.kind === "contacts" ? [t] : []));
  const urgent: Tri = orTri(
    contacts.map((c): Tri => {
      if (c.level === undefined && c.name === undefined) return "unknown";
      if (isUnknown(c.level)) return "unknown";
      if (!URGENT_LEVELS.has(String(c.level))) return false;
      return c.reach.phone;
    }),
  );
  const chat: Tri = orTri(contacts.map((c) => c.reach.chat));
  const out: Finding[] = [];
  if (urgent === false) {
    out.push({ resource: rule, message: `${where} pages no one: it needs a contact target with level "2" (phone) or "3" (SMS) whose group has a member with a phone number` });
  } else if (urgent === "unknown") {
    out.push({ resource: rule, undecided: true, message: `could not verify that ${where} pages someone by phone or SMS: a level or contact is unknown until apply` });
  }
  if (chat === false) {
    out.push({ resource: rule, message: `${where} reaches no one by email or chat: its contact groups need a member with email or a DingTalk webhook` });
  } else if (chat === "unknown") {
    out.push({ resource: rule, undecided: true, message: `could not verify that ${where} reaches someone by email or chat: a contact is unknown until apply` });
  }
  return out;
}

function whyDead(targets: Target[]): string {
  if (targets.length === 0) return "it has no contact group, queue, function or webhook target";
  return targets
    .map((t) => {
      if (t.kind === "contacts") return t.group ? `contact group ${t.name} has no member with a channel` : `contact group ${t.name ?? "?"} is not declared in this stack`;
      if (t.kind === "webhook") return `webhook ${t.name ?? "?"} has no URL`;
      return `${t.kind} ${t.name ?? "?"} is not declared in this stack`;
    })
    .join("; ");
}
