// A handler's RAM policy document: only the actions its code calls, with the
// data-plane actions narrowed to this stack's marker bucket and dead-letter
// queue. Pure, so it is tested directly and the policy pack can re-check it.

export interface RolePolicyInput {
  actions: string[];
  region: string;
  accountId: string;
  markerBucket: string;
  /** Object prefixes the handler reads and writes (markers, pending actions). */
  objectPrefixes: string[];
  deadLetterQueue: string;
  /** MNS topic for the handler's own CRITICAL alerts. */
  alertTopic: string;
}

/** MNS actions on topics; every other MNS action the handlers use is on the dead-letter queue. */
const TOPIC_ACTIONS = new Set(["mns:PublishMessage"]);

export function handlerPolicyDocument(p: RolePolicyInput): string {
  const oss = p.actions.filter((a) => a.startsWith("oss:"));
  const mns = p.actions.filter((a) => a.startsWith("mns:") && !TOPIC_ACTIONS.has(a));
  const topic = p.actions.filter((a) => TOPIC_ACTIONS.has(a));
  const rest = p.actions.filter((a) => !a.startsWith("oss:") && !a.startsWith("mns:"));
  const statements = [
    rest.length > 0 && { Effect: "Allow", Action: rest, Resource: ["*"] },
    oss.length > 0 && { Effect: "Allow", Action: oss, Resource: p.objectPrefixes.map((prefix) => `acs:oss:*:${p.accountId}:${p.markerBucket}/${prefix}/*`) },
    mns.length > 0 && { Effect: "Allow", Action: mns, Resource: [`acs:mns:${p.region}:${p.accountId}:/queues/${p.deadLetterQueue}/messages`] },
    topic.length > 0 && { Effect: "Allow", Action: topic, Resource: [`acs:mns:${p.region}:${p.accountId}:/topics/${p.alertTopic}/messages`] },
  ].filter(Boolean);
  return JSON.stringify({ Version: "1", Statement: statements });
}

/** Function Compute assumes the handler's role. */
export const FC_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "1",
  Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: ["fc.aliyuncs.com"] } }],
});
