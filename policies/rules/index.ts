// Every rule of the pack, in report order: mandatory first.
import { PolicyRule } from "../model";
import { alertTopicSubscribed } from "./alert-topic-subscribed";
import { automationQueueTrigger } from "./automation-queue-trigger";
import { cloudNameRules } from "./cloud-name-rules";
import { computedOnlyInputs } from "./computed-only-inputs";
import { enumValues } from "./enum-values";
import { eventRuleLimits } from "./event-rule-limits";
import { fcMemoryCpu } from "./fc-memory-cpu";
import { globallyUniqueNames } from "./globally-unique-names";
import { handlerLeastPrivilege } from "./handler-least-privilege";
import { noDanglingTargets } from "./no-dangling-targets";
import { noPlaintextSecrets } from "./no-plaintext-secrets";
import { oosExecutionCompletes } from "./oos-execution-completes";
import { queueDeadLetter } from "./queue-dead-letter";
import { regionSupport } from "./region-support";
import { requiredTags } from "./required-tags";
import { silenceBounds } from "./silence-bounds";
import { tierCoverage } from "./tier-coverage";

export {
  alertTopicSubscribed, automationQueueTrigger, cloudNameRules, computedOnlyInputs, enumValues, eventRuleLimits, fcMemoryCpu, globallyUniqueNames, handlerLeastPrivilege,
  noDanglingTargets, noPlaintextSecrets, oosExecutionCompletes, queueDeadLetter, regionSupport, requiredTags, silenceBounds, tierCoverage,
};

/** The provider's and the cloud's own constraints, each rule citing its sources (rules/provider-facts.ts). */
export const PROVIDER_CONSTRAINTS: readonly PolicyRule[] = [
  computedOnlyInputs,
  eventRuleLimits,
  cloudNameRules,
  regionSupport,
  globallyUniqueNames,
  fcMemoryCpu,
  enumValues,
  oosExecutionCompletes,
];

export const RULES: readonly PolicyRule[] = [
  tierCoverage,
  noDanglingTargets,
  queueDeadLetter,
  automationQueueTrigger,
  handlerLeastPrivilege,
  alertTopicSubscribed,
  noPlaintextSecrets,
  ...PROVIDER_CONSTRAINTS,
  silenceBounds,
  requiredTags,
];
