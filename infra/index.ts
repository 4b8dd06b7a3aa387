// The Pulumi program: read and validate the config before anything is
// declared, then declare the stack. Stack outputs are the exports below. The
// offline plan (tools/plan/main.ts) makes the same two calls, passing
// loadStackConfig the exact secret paths of the stack file.
import { loadStackConfig } from "./config/load";
import { declareStack } from "./stack";

const outputs = declareStack(loadStackConfig());

export const region = outputs.region;
export const groups = outputs.groups;
export const contactGroups = outputs.contactGroups;
export const queues = outputs.queues;
export const automationQueues = outputs.automationQueues;
export const automationRules = outputs.automationRules;
export const handlers = outputs.handlers;
export const handlerDeadLetterQueue = outputs.handlerDeadLetterQueue;
export const alertTopic = outputs.alertTopic;
export const oosTemplates = outputs.oosTemplates;
export const oosListeners = outputs.oosListeners;
export const tagPolicyId = outputs.tagPolicyId;
export const authorizations = outputs.authorizations;
export const contactsAwaitingActivation = outputs.contactsAwaitingActivation;
