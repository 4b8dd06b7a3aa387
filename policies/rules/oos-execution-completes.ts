// oos-execution-completes: an oos.Execution is created by starting the template
// and waiting until the execution is Success, Failed or Cancelled (11 minutes by
// default). A template whose first task is ACS::EventTrigger waits for its event
// instead ("Waiting"), so `up` blocks, then times out: such a template is never
// started through an oos.Execution.
import YAML from "yaml";
import { Finding, PolicyResourceLike, PolicyRule } from "../model";
import { StackIndex, T } from "../stack";
import { isUnknown, list, record, text } from "../values";
import { Fact, SOURCE, broken, unverified } from "./provider-facts";

const WAITS: Fact = {
  says: "an oos.Execution waits until the execution ends, and one of a template starting with ACS::EventTrigger stays Waiting until the event: `up` blocks 11 minutes, then fails",
  source: `${SOURCE.tfOosExecution}; ${SOURCE.oosEventTrigger}`,
};

/** The first task's action of a template's content (JSON or YAML); undefined when unreadable. */
export function firstAction(content: string): string | undefined {
  try {
    return text(record(list(record(YAML.parse(content)).Tasks)[0]).Action);
  } catch {
    return undefined;
  }
}

export const oosExecutionCompletes: PolicyRule = {
  id: "oos-execution-completes",
  displayName: "No oos.Execution of a template that waits for an event",
  severity: "high",
  enforcement: "mandatory",
  description:
    "The stack declares no oos.Execution of a template whose first task is ACS::EventTrigger: the provider's create polls " +
    "until Success, Failed or Cancelled, while such an execution stays Waiting until its event occurs.",
  remediation: "Declare the template only and start its listener outside `up` (a documented first-deploy step), or route the event through CMS → MNS → FC.",
  sources: [SOURCE.tfOosExecution, SOURCE.oosEventTrigger],
  check(resources) {
    const index = StackIndex.of(resources);
    const templates = index.named(T.oosTemplate, "templateName");
    const findings: Finding[] = [];
    for (const exec of index.ofType(T.oosExecution)) {
      const name = exec.props.templateName;
      if (isUnknown(name)) {
        findings.push(unverified(exec, "which template it starts", WAITS));
        continue;
      }
      const template: PolicyResourceLike | undefined = templates.byName.get(text(name) ?? "");
      const content = template?.props.content;
      if (!template) findings.push(unverified(exec, `template ${text(name)}`, WAITS, templates.someUnknown ? "some template names are unknown until apply" : "the template is not declared in this stack, so its first task cannot be read"));
      else if (isUnknown(content)) findings.push(unverified(exec, `the content of template ${text(name)}`, WAITS));
      else if (firstAction(text(content) ?? "") === "ACS::EventTrigger") findings.push(broken(exec, `starts template ${text(name)}, whose first task is ACS::EventTrigger`, WAITS));
    }
    return findings;
  },
};
