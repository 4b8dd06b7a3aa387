// no-dangling-targets: an event rule's contact groups, queues and functions
// exist in this stack (by cloud name), and contact groups list declared
// contacts. (How many targets a rule may hold: event-rule-limits.)
import { Finding, PolicyRule } from "../model";
import { NameIndex, StackIndex, T, describe } from "../stack";
import { isUnknown, list, present, record, text } from "../values";
import { contactGroupReach } from "./receivers";

export const noDanglingTargets: PolicyRule = {
  id: "no-dangling-targets",
  displayName: "Event rule targets exist in this stack",
  severity: "high",
  enforcement: "mandatory",
  description:
    "Every contact group, MNS queue or topic and Function Compute function an event rule targets is declared in this stack " +
    "(matched by cloud name), every contact group a rule notifies has a member with a channel, every contact group's members " +
    "are declared contacts.",
  remediation:
    "Target only names produced by infra/naming.ts for resources this stack declares (contact groups from `contactGroups`, " +
    "queues from `queues`, handlers from `automation.handlers`).",
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
      for (const [prop, label] of [["contactParameters", "contact group"], ["mnsParameters", "MNS"], ["fcParameters", "Function Compute"]]) {
        if (isUnknown(p[prop])) findings.push({ resource: rule, undecided: true, message: `could not verify the ${label} targets of rule ${describe(rule)}: ${prop} is unknown until apply` });
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
