// queue-dead-letter: a queue that receives events keeps what it cannot deliver
// (dead-letter policy to a declared queue), and its encryption settings are
// ones MNS accepts. SSE itself is not required: it "is available only after the
// feature is enabled for your account. To enable the feature, submit a ticket"
// (message/serviceQueue.d.ts), so the stack leaves it off unless configured.
import { Finding, PolicyRule } from "../model";
import { StackIndex, T, describe } from "../stack";
import { isUnknown, list, record, text } from "../values";

export const queueDeadLetter: PolicyRule = {
  id: "queue-dead-letter",
  displayName: "Event queues have a dead-letter queue and valid encryption settings",
  severity: "high",
  enforcement: "mandatory",
  description:
    "Every MNS queue an event rule targets has `dlqPolicy.enabled: true` with `deadLetterTargetQueue` naming another queue " +
    "declared in this stack: an event a handler cannot process is kept, not dropped. An `sseType` needs `enableSse: true`, and `KMS` a `kmsKeyId` " +
    "(message/serviceQueue.d.ts).",
  remediation:
    "Declare event queues with the AutomationQueue component (infra/components/automation-queue.ts); set encryption with event-ops:queueEncryption once the account has SSE enabled.",
  check(resources) {
    const index = StackIndex.of(resources);
    const queues = index.queues();
    const targeted = new Set<string>();
    for (const rule of index.ofType(T.eventRule)) {
      for (const m of list(rule.props.mnsParameters).map(record)) if (text(m.queue) && !isUnknown(m.queue)) targeted.add(text(m.queue)!);
    }
    const findings: Finding[] = [];
    for (const name of [...targeted].sort()) {
      const queue = queues.byName.get(name);
      if (!queue) continue; // dangling: no-dangling-targets reports it
      const what = `queue ${describe(queue)}`;
      const dlq = queue.props.dlqPolicy;
      if (isUnknown(dlq)) {
        findings.push({ resource: queue, undecided: true, message: `could not verify the dead-letter policy of ${what}: dlqPolicy is unknown until apply` });
      } else {
        const policy = record(dlq);
        const target = policy.deadLetterTargetQueue;
        if (isUnknown(policy.enabled)) findings.push({ resource: queue, undecided: true, message: `could not verify the dead-letter policy of ${what}: dlqPolicy.enabled is unknown until apply` });
        else if (policy.enabled !== true) findings.push({ resource: queue, message: `${what} receives events but has no enabled dead-letter policy (dlqPolicy.enabled is ${JSON.stringify(policy.enabled ?? null)})` });
        if (isUnknown(target)) {
          findings.push({ resource: queue, undecided: true, message: `could not verify the dead-letter queue of ${what}: dlqPolicy.deadLetterTargetQueue is unknown until apply` });
        } else if (!text(target)) {
          findings.push({ resource: queue, message: `${what} names no dead-letter queue (dlqPolicy.deadLetterTargetQueue)` });
        } else if (text(target) === name) {
          findings.push({ resource: queue, message: `${what} names itself as its dead-letter queue` });
        } else if (!queues.byName.has(text(target)!)) {
          if (queues.someUnknown) findings.push({ resource: queue, undecided: true, message: `could not verify that dead-letter queue ${text(target)} of ${what} is declared: some queue names are unknown until apply` });
          else findings.push({ resource: queue, message: `the dead-letter queue ${text(target)} of ${what} is not declared in this stack` });
        }
      }
      const { enableSse: sse, sseType, kmsKeyId } = queue.props;
      if (isUnknown(sse) || isUnknown(sseType)) findings.push({ resource: queue, undecided: true, message: `could not verify encryption of ${what}: enableSse or sseType is unknown until apply` });
      else if (text(sseType) && sse !== true) findings.push({ resource: queue, message: `${what} sets sseType ${text(sseType)} but enableSse is ${JSON.stringify(sse ?? null)}: MNS encrypts only with enableSse true` });
      else if (text(sseType) === "KMS" && !text(kmsKeyId) && !isUnknown(kmsKeyId)) findings.push({ resource: queue, message: `${what} uses KMS encryption without a kmsKeyId (required when sseType is KMS)` });
    }
    return findings;
  },
};
