// How a stack's automation events reach its handlers, read from the resources:
// which MNS queues carry events meant for a handler, the FC 3.0 queue triggers
// that read them (an `eventbridge` trigger whose event source is an MNS queue)
// and what each trigger's configuration says. Shared by the
// automation-queue-trigger rule and the plan's automation path table.
//
// Field names are the FC 3.0 SDK models' JSON names (@alicloud/fc20230330
// src/models: EventBridgeTriggerConfig, EventSourceConfig, SourceMnsparameters,
// RunOptions, BatchWindow, RetryStrategy, DeadLetterQueue).
import { PolicyResourceLike } from "../model";
import { StackIndex, T } from "../stack";
import { UNKNOWN, isUnknown, list, record, text } from "../values";

/** The components infra declares around the automation path (component type tokens are the pack's contract with infra). */
export const AUTOMATION_RULES = "eventops:index:AutomationRules";
export const AUTOMATION_QUEUE = "eventops:index:AutomationQueue";
/** Logical-name prefix of a handler's own AutomationQueue component (`auto-queue-<handler>`, infra/stack.ts). */
export const HANDLER_QUEUE_PREFIX = "auto-queue-";
/** FC's trigger type for EventBridge-backed triggers, MNS queues included (TF fcv3_trigger: "... mns_topic and eventbridge"). */
export const EVENTBRIDGE = "eventbridge";

/** A read field: its value, or UNKNOWN until apply, or undefined when absent. */
type Field = unknown;

/** One queue trigger's configuration as the rule and the plan read it. */
export interface QueueTrigger {
  resource: PolicyResourceLike;
  /** The function it invokes (`functionName`). */
  functionName: Field;
  /** Why the configuration could not be read: unknown until apply, or not a JSON object. */
  unreadable?: { unknown: boolean; reason: string };
  /** `triggerEnable` (SDK default true). */
  enabled: Field;
  /** `eventSourceConfig.eventSourceType`. */
  sourceType: Field;
  /** `eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName` / `.RegionId`. */
  queue: Field;
  region: Field;
  /** `runOptions.*`. */
  mode: Field;
  countBasedWindow: Field;
  timeBasedWindow: Field;
  retryStrategy: Field;
  errorsTolerance: Field;
  deadLetterArn: Field;
  /** `sourceMNSParameters.IsBase64Decode` (FC's default true) and `asyncInvocationType` (default false). */
  isBase64Decode: Field;
  asyncInvocation: Field;
}

/** Walks a path of object keys; an unknown container makes the whole value UNKNOWN. */
function at(root: unknown, ...keys: string[]): Field {
  let cur = root;
  for (const k of keys) {
    if (isUnknown(cur)) return UNKNOWN;
    if (cur === undefined || cur === null) return undefined;
    cur = record(cur)[k];
  }
  return cur;
}

/**
 * `triggerConfig` parsed: the provider takes it as a JSON string (fc/v3Trigger.d.ts);
 * an object is accepted as is (a provider that returns it decoded).
 */
function parseConfig(raw: unknown): { config: Record<string, unknown> } | { unknown: boolean; reason: string } {
  if (isUnknown(raw)) return { unknown: true, reason: "triggerConfig is unknown until apply" };
  if (raw && typeof raw === "object" && !Array.isArray(raw)) return { config: raw as Record<string, unknown> };
  if (typeof raw !== "string") return { unknown: false, reason: `triggerConfig is ${raw === undefined ? "not set" : JSON.stringify(raw)}, not a JSON object` };
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return { config: parsed as Record<string, unknown> };
    return { unknown: false, reason: `triggerConfig holds ${JSON.stringify(parsed)}, not a JSON object` };
  } catch (e) {
    return { unknown: false, reason: `triggerConfig is not JSON (${(e as Error).message})` };
  }
}

export function readQueueTrigger(r: PolicyResourceLike): QueueTrigger {
  const parsed = parseConfig(r.props.triggerConfig);
  const base = { resource: r, functionName: r.props.functionName };
  if (!("config" in parsed)) {
    const u = isUnknown(r.props.triggerConfig) ? UNKNOWN : undefined;
    return { ...base, unreadable: parsed, enabled: u, sourceType: u, queue: u, region: u, mode: u, countBasedWindow: u, timeBasedWindow: u, retryStrategy: u, errorsTolerance: u, deadLetterArn: u, isBase64Decode: u, asyncInvocation: u };
  }
  const c = parsed.config;
  const source = at(c, "eventSourceConfig", "eventSourceParameters", "sourceMNSParameters");
  const run = at(c, "runOptions");
  return {
    ...base,
    enabled: c.triggerEnable,
    sourceType: at(c, "eventSourceConfig", "eventSourceType"),
    queue: at(source, "QueueName"),
    region: at(source, "RegionId"),
    mode: at(run, "mode"),
    countBasedWindow: at(run, "batchWindow", "CountBasedWindow"),
    timeBasedWindow: at(run, "batchWindow", "TimeBasedWindow"),
    retryStrategy: at(run, "retryStrategy", "PushRetryStrategy"),
    errorsTolerance: at(run, "errorsTolerance"),
    deadLetterArn: at(run, "deadLetterQueue", "Arn"),
    isBase64Decode: at(source, "IsBase64Decode"),
    asyncInvocation: c.asyncInvocationType,
  };
}

/** Every `eventbridge` trigger of the stack (and those whose type is unknown until apply), read. */
export function eventbridgeTriggers(index: StackIndex): QueueTrigger[] {
  return index
    .ofType(T.fcTrigger)
    .filter((r) => isUnknown(r.props.triggerType) || text(r.props.triggerType) === EVENTBRIDGE)
    .map(readQueueTrigger);
}

/** Does the trigger read MNS queue `name`? "unknown" when its source is unknown until apply. */
export function readsQueue(t: QueueTrigger, name: string): boolean | "unknown" {
  if (isUnknown(t.resource.props.triggerType) || isUnknown(t.sourceType) || isUnknown(t.queue)) return "unknown";
  return text(t.sourceType) === "MNS" && text(t.queue) === name;
}

/** Queue name → the functions its enabled MNS queue triggers invoke (what the plan's tables and diagram draw). */
export function queueReaders(index: StackIndex): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const t of eventbridgeTriggers(index)) {
    const queue = text(t.queue);
    const fn = text(t.functionName);
    if (text(t.sourceType) === "MNS" && t.enabled !== false && !isUnknown(queue) && !isUnknown(fn) && queue && fn) readers.set(queue, [...(readers.get(queue) ?? []), fn].sort());
  }
  return readers;
}

/** An MNS queue ARN as EventBridge names one (`acs:mns:<region>:<account>:/queues/<name>`, TF message_service_event_rule example). */
export interface MnsQueueArn {
  region: string;
  account: string;
  queue: string;
}

const MNS_QUEUE_ARN = /^acs:mns:([a-z0-9-]+):(\d+):\/queues\/([A-Za-z0-9-]+)$/;

export function parseMnsQueueArn(arn: string): MnsQueueArn | undefined {
  const m = MNS_QUEUE_ARN.exec(arn);
  return m ? { region: m[1], account: m[2], queue: m[3] } : undefined;
}

/** Why an automation queue counts as one: the components or rules that make it so. */
export interface AutomationQueues {
  /** Queue name → what makes it an automation queue (`AutomationQueue auto-queue-spot-drain`, `rule eventops-prod-auto-spot-drain`). */
  byName: Map<string, string[]>;
  /** Some automation rule's queue target is unknown until apply. */
  someUnknown: boolean;
}

/**
 * The queues whose messages are meant for a handler: the main queue (the one
 * with a dead-letter policy) of each handler's AutomationQueue component, and
 * every queue an AutomationRules rule targets. A tier rule's handler target is
 * that handler's queue (infra/alerting/tier-rules.ts), so it is one of these.
 */
export function automationQueues(index: StackIndex): AutomationQueues {
  const byName = new Map<string, string[]>();
  const add = (name: string, why: string) => byName.set(name, [...(byName.get(name) ?? []), why]);
  let someUnknown = false;
  for (const c of index.ofType(AUTOMATION_QUEUE).filter((c) => c.name.startsWith(HANDLER_QUEUE_PREFIX))) {
    for (const q of index.childrenOf(c, T.queue)) {
      const name = q.props.queueName;
      if (isUnknown(name)) someUnknown = true;
      else if (text(name) && q.props.dlqPolicy !== undefined) add(text(name)!, `AutomationQueue ${c.name}`);
    }
  }
  for (const rules of index.ofType(AUTOMATION_RULES)) {
    for (const rule of index.childrenOf(rules, T.eventRule)) {
      if (isUnknown(rule.props.mnsParameters)) someUnknown = true;
      for (const m of list(rule.props.mnsParameters).map(record)) {
        if (isUnknown(m.queue)) someUnknown = true;
        else if (text(m.queue)) add(text(m.queue)!, `rule ${text(rule.props.ruleName) ?? rule.name}`);
      }
    }
  }
  return { byName, someUnknown };
}

/** A handler function: the FC 3.0 function of a HandlerFunction component, with the handler's name. */
export interface HandlerFunctionRef {
  component: PolicyResourceLike;
  handler: string;
  fn: PolicyResourceLike;
}

/** Handler functions by cloud function name; `someUnknown` when a name is unknown until apply. */
export function handlerFunctions(index: StackIndex): { byName: Map<string, HandlerFunctionRef>; someUnknown: boolean } {
  const byName = new Map<string, HandlerFunctionRef>();
  let someUnknown = false;
  for (const component of index.ofType(T.handlerFunction)) {
    for (const fn of index.childrenOf(component, T.fcFunction)) {
      const name = fn.props.functionName;
      if (isUnknown(name)) someUnknown = true;
      else if (text(name)) byName.set(text(name)!, { component, handler: text(component.props.handler) ?? component.name.replace(/^handler-/, ""), fn });
    }
  }
  return { byName, someUnknown };
}
