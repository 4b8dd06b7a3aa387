// Every rule of the pack, in report order: mandatory first.
import { PolicyRule } from "../model";
import { alertTopicSubscribed } from "./alert-topic-subscribed";
import { handlerLeastPrivilege } from "./handler-least-privilege";
import { noDanglingTargets } from "./no-dangling-targets";
import { noPlaintextSecrets } from "./no-plaintext-secrets";
import { queueDeadLetter } from "./queue-dead-letter";
import { requiredTags } from "./required-tags";
import { silenceBounds } from "./silence-bounds";
import { tierCoverage } from "./tier-coverage";

export { alertTopicSubscribed, handlerLeastPrivilege, noDanglingTargets, noPlaintextSecrets, queueDeadLetter, requiredTags, silenceBounds, tierCoverage };

export const RULES: readonly PolicyRule[] = [
  tierCoverage,
  noDanglingTargets,
  queueDeadLetter,
  handlerLeastPrivilege,
  alertTopicSubscribed,
  noPlaintextSecrets,
  silenceBounds,
  requiredTags,
];
