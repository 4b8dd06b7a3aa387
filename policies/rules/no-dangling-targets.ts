// no-dangling-targets: an event rule's contact groups, queues and functions
// exist in this stack (by cloud name), contact groups list declared contacts,
// and no rule carries more than CMS's 5 targets of one kind.
import { Finding, PolicyRule } from "../model";
import { NameIndex, StackIndex, T, describe } from "../stack";
import { isUnknown, list, present, record, text } from "../values";
import { contactGroupReach } from "./receivers";

/** CMS accepts at most this many targets of each kind on one rule. */
export const MAX_TARGETS_PER_KIND = 5;

const KINDS = [
  { prop: "contactParameters", label: "contact group" },
  { prop: "mnsParameters", label: "MNS" },
  { prop: "fcParameters", label: "Function Compute" },
  { prop: "webhookParameters", label: "webhook" },
  { prop: "slsParameters", label: "Log Service" },
  { prop: "openApiParameters", label: "OpenAPI" },
] as const;

export const noDanglingTargets: PolicyRule = {
  id: "no-dangling-targets",
  displayName: "Event rule targets exist in this stack",
  severity: "high",
  enforcement: "mandatory",
  description:
    "Every contact group, MNS queue or topic and Function Compute function an event rule targets is declared in this stack " +
    "(matched by cloud name), every contact group a rule notifies has a member with a channel, every contact group's members " +
    "are declared contacts, and a rule has at most 5 targets of each kind.",
  remediation:
    "Target only names produced by infra/naming.ts for resources this stack declares (contact groups from `contactGroups`, " +
    "queues from `queues`, handlers from `automation.handlers`); split a tier's receivers if it needs more than 5 of one kind.",
  check(resources) {
    const index = StackIndex.of(resources);
    const findings: Finding[] = [];
    for (const rule of index.ofType(T.eventRule)) {
      const p = rule.props;
      const ref = (what: string, names: NameIndex, value: unknown, field: string) => {
        if (isUnknown(value)) {
          findings.push({ resource: rule, undecided: true, message: `could not verify the ${what} target of rule ${describe(rule)}: ${field} is unknown until apply` });
          return;
        }
        const name = text(value);
        if (name !== undefined && names.byName.has(name)) return;
        if (names.someUnknown) {
          findings.push({ resource: rule, undecided: true, message: `could not verify that ${what} ${name} targeted by rule ${describe(rule)} is declared: some ${what} names are unknown until apply` });
          return;
        }
        findings.push({ resource: rule, message: `rule ${describe(rule)} targets ${what} ${name ?? "(no name)"}, which this stack does not declare (${field})` });
      };
      for (const kind of KINDS) {
        const targets = p[kind.prop];
        if (isUnknown(targets)) {
          findings.push({ resource: rule, undecided: true, message: `could not verify the ${kind.label} targets of rule ${describe(rule)}: ${kind.prop} is unknown until apply` });
        } else if (list(targets).length > MAX_TARGETS_PER_KIND) {
          findings.push({ resource: rule, message: `rule ${describe(rule)} has ${list(targets).length} ${kind.label} targets; CMS accepts at most ${MAX_TARGETS_PER_KIND} of each kind` });
        }
      }
      list(p.contactParameters).map(record).forEach((c, i) => {
        ref("contact group", index.contactGroups(), c.contactGroupName, `contactParameters[${i}].contactGroupName`);
        // A named receiver that reaches nobody is a silent gap, even when the tier has other receivers.
        const group = isUnknown(c.contactGroupName) ? undefined : index.contactGroups().byName.get(text(c.contactGroupName) ?? "");
        if (group && contactGroupReach(index, group).any === false) {
          findings.push({ resource: rule, message: `rule ${describe(rule)} notifies contact group ${text(c.contactGroupName)}, which has no member with a channel: the alert reaches nobody there (contactParameters[${i}])` });
        }
      });
      list(p.mnsParameters).map(record).forEach((m, i) => {
        if (present(m.queue)) ref("MNS queue", index.queues(), m.queue, `mnsParameters[${i}].queue`);
        else ref("MNS topic", index.topics(), m.topic, `mnsParameters[${i}].topic`);
      });
      list(p.fcParameters).map(record).forEach((f, i) => ref("function", index.functions(), f.functionName, `fcParameters[${i}].functionName`));
    }
    for (const group of index.ofType(T.alarmContactGroup)) {
      const members = group.props.contacts;
      if (isUnknown(members)) {
        findings.push({ resource: group, undecided: true, message: `could not verify the members of contact group ${group.name}: contacts is unknown until apply` });
        continue;
      }
      const contacts = index.contacts();
      list(members).forEach((m, i) => {
        if (isUnknown(m) || contacts.someUnknown) {
          if (!contacts.byName.has(text(m) ?? "")) findings.push({ resource: group, undecided: true, message: `could not verify member contacts[${i}] of contact group ${group.name}: a name is unknown until apply` });
        } else if (!contacts.byName.has(text(m) ?? "")) {
          findings.push({ resource: group, message: `contact group ${group.name} lists contact ${text(m)}, which this stack does not declare (contacts[${i}])` });
        }
      });
    }
    return findings;
  },
};
