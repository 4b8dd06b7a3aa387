// The component library: every event-ops component with its args, for this
// stack (infra/stack.ts) and for any other Pulumi program
// (`import { ApplicationGroup } from "alicloud-event-ops/components"`; see
// docs/examples/own-groups). Args are in cloud terms: names, Inputs, catalogue
// handler names; nothing here reads stack config.
export { ApplicationGroup, decideGroup, type ApplicationGroupArgs, type GroupLookup } from "./application-group";
export { AutomationBase, type AutomationBaseArgs } from "./automation-base";
export { AutomationQueue, type AutomationQueueArgs, CmsQueueAccess, type CmsQueueAccessArgs, type QueueSse } from "./automation-queue";
export { AutomationRules, type AutomationRulesArgs } from "./automation-rules";
export { Contacts, type AlarmContactGroupSpec, type AlarmContactSpec, type ContactsArgs } from "./contacts";
export { CriticalAlertTopic, type AlertSubscriber, type CriticalAlertTopicArgs } from "./critical-alert-topic";
export { HandlerFunction, type HandlerFunctionArgs } from "./handler-function";
export { OosSpotDrain, listenerCommand, type OosSpotDrainArgs } from "./oos-spot-drain";
export { TagTaxonomy, type AllowedTags, type TagTaxonomyArgs } from "./tag-taxonomy";
export type { ResourceTags } from "./resource-tags";

// What the args are made of, and the pure expansions that show what a component will declare.
export type { ContactTarget, EventPattern, EventRuleArgs, RuleScope, RuleTargetLocation } from "../alerting/event-rule";
export { ALL_ECS_EVENTS, selectedNames, tierRules, type EventSelection, type Tier, type TierRulesArgs, type TierTemplate } from "../alerting/tier-template";
export { handlerRule, handlerRules, type HandlerRouteArgs } from "../alerting/handler-rule";
export { readBundles, type HandlerBundle } from "../automation/bundles";
export { CHANNEL_LEVELS, DYNAMIC_TAG_GROUP_PRODUCTS, MATCH_FUNCTIONS, MAX_NAMES_PER_PATTERN, type ChannelLevel, type MatchFunction } from "../cms-terms";
export { HANDLER_NAMES, LEVELS, type HandlerName, type Level } from "../../handlers/catalogue";
