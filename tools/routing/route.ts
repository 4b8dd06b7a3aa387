// Routes one event through a stack's declared rules: which application groups
// the resource is in, which rules fire, who is told, which queues and webhooks
// receive it, which functions it reaches — invoked by a rule itself, or by the
// queue trigger reading a queue a rule sends to — and which handlers act.
// Pure. The matching itself is cms-semantics.ts.
import { HANDLER_NAMES, HandlerName, handlersFor } from "../../handlers/catalogue";
import { isMember, patternMatches, PatternVerdict } from "./cms-semantics";
import { CmsEvent, EventFacts, eventFacts } from "./events";
import { DeclaredRule, RoutingModel } from "./model";
import type { TriggerWindow } from "./queue-triggers";

export interface RuleVerdict extends PatternVerdict {
  ruleName: string;
}

/** One way a function gets the event through a queue: a firing rule sends it to `queue`, whose trigger invokes `function` in batches. */
export interface QueueHop {
  queue: string;
  function: string;
  trigger: string;
  /** The trigger's batch window (undefined: the trigger declares none). */
  window?: TriggerWindow;
}

export interface Routing {
  event: { name: string; level: string; status?: string; cmsEventType?: string; instanceId?: string };
  /** Application groups the resource belongs to. */
  groups: string[];
  /** Rules that fire, sorted. */
  rules: string[];
  /** `<contact group>:<channel>` (channel = phone | sms | chat), sorted, unique. */
  contacts: string[];
  /** Queues the firing rules send to. */
  queues: string[];
  /** Functions the event reaches: a firing rule's own target (fcParameters), or through a queue (`viaQueue`). */
  functions: string[];
  /** Functions reached through a queue: the queue, the function whose enabled trigger reads it, the batch window. Sorted by queue, then function. */
  viaQueue: QueueHop[];
  webhooks: string[];
  /** Handlers that act: the catalogue routes them AND the event reaches their function (directly or through a queue trigger). */
  handlers: HandlerName[];
  /** Handlers the catalogue routes the event to whose function the event does not reach (a gap: no rule, or no trigger on the rule's queue). */
  unreached: HandlerName[];
  /** Every rule's verdict, for explanations. */
  verdicts: RuleVerdict[];
}

const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort();

/**
 * The handler a Function Compute function runs: function names are
 * `<prefix>-<stack>-<handler>` (infra/naming.ts functionName), so the handler
 * is the longest handler name the function name ends with.
 */
export function handlerOfFunction(functionName: string): HandlerName | undefined {
  const candidates = HANDLER_NAMES.filter((h) => functionName === h || functionName.endsWith(`-${h}`) || functionName.endsWith(`/${h}`));
  return candidates.sort((a, b) => b.length - a.length)[0];
}

export function groupsOf(model: RoutingModel, tags: Readonly<Record<string, string>>): { name: string; groupId: string }[] {
  return model.groups.filter((g) => isMember(g, tags)).map((g) => ({ name: g.name, groupId: g.groupId }));
}

export function ruleVerdict(rule: DeclaredRule, facts: EventFacts, memberOf: ReadonlySet<string>): RuleVerdict {
  if (!rule.enabled) return { ruleName: rule.ruleName, matched: false, failedOn: "status" };
  const v = patternMatches(rule.pattern, facts);
  if (!v.matched) return { ruleName: rule.ruleName, ...v };
  if (rule.groupId !== undefined && !memberOf.has(rule.groupId)) return { ruleName: rule.ruleName, matched: false, failedOn: "group" };
  return { ruleName: rule.ruleName, matched: true };
}

export function route(model: RoutingModel, event: CmsEvent, tags: Readonly<Record<string, string>>): Routing {
  const facts = eventFacts(event);
  const groups = groupsOf(model, tags);
  const memberOf = new Set(groups.map((g) => g.groupId));
  const verdicts = model.rules.map((r) => ruleVerdict(r, facts, memberOf));
  const firing = model.rules.filter((_, i) => verdicts[i].matched);
  const queues = sortedUnique(firing.flatMap((r) => r.queues));
  const viaQueue = queueHops(model, queues);
  const functions = sortedUnique([...firing.flatMap((r) => r.functions), ...viaQueue.map((h) => h.function)]);
  const reached = new Set(functions.map(handlerOfFunction).filter((h): h is HandlerName => h !== undefined));
  const routed = facts.entry ? handlersFor(facts.entry, facts.status, facts.content) : [];
  return {
    event: { name: facts.name, level: facts.level, status: facts.status, cmsEventType: facts.cmsEventType, instanceId: facts.instanceId },
    groups: groups.map((g) => g.name).sort(),
    rules: sortedUnique(firing.map((r) => r.ruleName)),
    contacts: sortedUnique(firing.flatMap((r) => r.contacts.map((c) => `${c.contactGroupName}:${c.channel}`))),
    queues,
    functions,
    viaQueue,
    webhooks: sortedUnique(firing.flatMap((r) => r.webhooks)),
    handlers: [...new Set(routed.filter((h) => reached.has(h)))].sort(),
    unreached: [...new Set(routed.filter((h) => !reached.has(h)))].sort(),
    verdicts,
  };
}

/** The functions whose enabled queue trigger reads one of `queues` (a disabled trigger reads nothing). */
export function queueHops(model: RoutingModel, queues: readonly string[]): QueueHop[] {
  const sent = new Set(queues);
  return model.queueTriggers
    .filter((t) => t.enabled && sent.has(t.queue))
    .map((t): QueueHop => ({ queue: t.queue, function: t.functionName, trigger: t.triggerName, ...(t.window ? { window: t.window } : {}) }))
    .sort((a, b) => a.queue.localeCompare(b.queue) || a.function.localeCompare(b.function));
}
