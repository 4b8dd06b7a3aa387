// The coverage matrix: application group × tier → who is told and what acts,
// read from the recorded graph (what was declared), not from the config.
import { LEVELS, Level } from "../../handlers/catalogue";
import { PlanGraph, PlannedResource, childrenOf, fromPlanGraph, ofType } from "../../policies/plan-graph";
import { AUTOMATION_QUEUE, HANDLER_QUEUE_PREFIX, QueueTrigger, eventbridgeTriggers, handlerFunctions, parseMnsQueueArn, queueReaders } from "../../policies/rules/queue-triggers";
import { StackIndex, T } from "../../policies/stack";
import { list, record, text } from "../../policies/values";

export const CHANNEL_LABELS: Record<string, string> = { "2": "phone", "3": "sms", "4": "chat" };

export interface Receiver {
  kind: "contacts" | "queue" | "function" | "webhook";
  name: string;
  /** For contact groups: channel label and whether the group has any reachable member. */
  channel?: string;
  reachable?: boolean;
  /** For queues: the functions an enabled queue trigger invokes with its messages (a tier's handler target). */
  via?: string[];
}

export interface CoverageCell {
  rules: string[];
  receivers: Receiver[];
  /** True when no rule exists or no receiver reaches anyone. */
  empty: boolean;
}

export interface CoverageRow {
  group: string;
  tag: string;
  /**
   * No CloudMonitor group exists yet for the group's tag (a fresh account or a new tag value:
   * no member). Its rules are declared DISABLED and unscoped until an `up` after a resource
   * carries the tag (infra/components/application-group.ts); the cells show who they will reach.
   */
  pending: boolean;
  cells: Record<Level, CoverageCell>;
}

const productOf = (rule: PlannedResource) => String((rule.inputs.eventPattern as Props | undefined)?.product ?? "").toUpperCase();

/** Shown beside the tag of a pending group. */
export const PENDING_NOTE = "no members yet: rules DISABLED until `pulumi up` after a resource carries the tag";

/** A pending group's rule: disabled and without a group scope (what ApplicationGroup declares while the look-up finds no group). */
export function isPendingRule(rule: PlannedResource): boolean {
  return rule.inputs.status === "DISABLED" && !rule.inputs.groupId;
}

type Props = Record<string, any>;

function reachableContactGroups(graph: PlanGraph): Map<string, boolean> {
  const contacts = new Map<string, Props>(ofType(graph, T.alarmContact).map((c) => [String(c.inputs.alarmContactName), c.inputs]));
  const hasChannel = (c?: Props) => Boolean(c && (c.channelsMail || c.channelsSms || c.channelsDingWebHook || c.channelsAliim));
  return new Map(
    ofType(graph, T.alarmContactGroup).map((g) => [
      String(g.inputs.alarmContactGroupName),
      ((g.inputs.contacts as string[] | undefined) ?? []).some((m) => hasChannel(contacts.get(m))),
    ]),
  );
}

export function receiversOf(rule: PlannedResource, reachable: Map<string, boolean>, readers: Map<string, string[]> = new Map()): Receiver[] {
  const p = rule.inputs as Props;
  return [
    ...(p.contactParameters ?? []).map((c: Props): Receiver => ({
      kind: "contacts",
      name: String(c.contactGroupName),
      channel: CHANNEL_LABELS[String(c.level)] ?? `level ${c.level}`,
      reachable: reachable.get(String(c.contactGroupName)) ?? false,
    })),
    ...(p.mnsParameters ?? []).map((m: Props): Receiver => {
      const via = m.queue ? readers.get(String(m.queue)) : undefined;
      return { kind: "queue", name: String(m.queue ?? m.topic), ...(via ? { via } : {}) };
    }),
    ...(p.fcParameters ?? []).map((f: Props): Receiver => ({ kind: "function", name: String(f.functionName) })),
    ...(p.webhookParameters ?? []).map((w: Props, i: number): Receiver => ({ kind: "webhook", name: `webhook#${w.webhookParametersId ?? i + 1}` })),
  ];
}

export function coverageMatrix(graph: PlanGraph): CoverageRow[] {
  const reachable = reachableContactGroups(graph);
  const readers = queueReaders(new StackIndex(fromPlanGraph(graph)));
  return ofType(graph, T.applicationGroup)
    .map((group): CoverageRow => {
      const children = childrenOf(graph, group);
      const dynamic = children.find((c) => c.type === T.dynamicTagGroup);
      const match = (dynamic?.inputs.matchExpresses as Props[] | undefined)?.[0];
      const allRules = children.filter((c) => c.type === T.eventRule);
      const pending = allRules.length > 0 && allRules.every(isPendingRule);
      const rules = pending ? allRules : allRules.filter((c) => c.inputs.groupId);
      const products = [...new Set(rules.map(productOf))];
      const cells = Object.fromEntries(
        LEVELS.map((level) => {
          const tierRules = rules.filter((r) => ((r.inputs.eventPattern as Props)?.levelLists ?? []).includes(level));
          // A tier over several products is several rules with the same receivers: each receiver once.
          const seen = new Set<string>();
          const receivers = tierRules.flatMap((r) => receiversOf(r, reachable, readers)).filter((x) => {
            const key = `${x.kind}|${x.name}|${x.channel ?? ""}`;
            return !seen.has(key) && Boolean(seen.add(key));
          });
          const live = receivers.filter((r) => r.kind !== "contacts" || r.reachable);
          // Each product the group routes needs its own rule at every tier.
          const productMissing = products.some((p) => !tierRules.some((r) => productOf(r) === p));
          return [level, { rules: tierRules.map((r) => String(r.inputs.ruleName)), receivers, empty: tierRules.length === 0 || live.length === 0 || productMissing }];
        }),
      ) as Record<Level, CoverageCell>;
      return {
        group: group.name.replace(/^group-/, ""),
        tag: `${dynamic ? `${dynamic.inputs.tagKey}=${match?.tagValue ?? "?"}` : "?"}${pending ? ` (${PENDING_NOTE})` : ""}`,
        pending,
        cells,
      };
    })
    .sort((a, b) => a.group.localeCompare(b.group));
}

export function emptyCells(rows: CoverageRow[]): { group: string; level: Level }[] {
  return rows.flatMap((r) => LEVELS.filter((l) => r.cells[l].empty).map((level) => ({ group: r.group, level })));
}

/** The handlers' own CRITICAL alerts: each topic and the endpoints it pushes to. */
export function alertTopics(graph: PlanGraph): { topic: string; subscribers: string[] }[] {
  const subs = ofType(graph, "alicloud:message/serviceSubscription:ServiceSubscription");
  return ofType(graph, "alicloud:message/serviceTopic:ServiceTopic").map((t) => ({
    topic: String(t.inputs.topicName),
    subscribers: subs
      .filter((s) => s.inputs.topicName === t.inputs.topicName)
      .map((s) => `${s.inputs.pushType}:${s.inputs.pushType === "http" ? String(s.inputs.subscriptionName) : String(s.inputs.endpoint)}`)
      .sort(),
  }));
}

/** One handler's event path: the rules that send to its queue, the queue trigger that reads it, the function, the dead-letter queue. */
export interface AutomationPathRow {
  handler: string;
  /** Cloud names of every event rule (automation or tier) sending to `queue`. */
  rules: string[];
  /** The queue the trigger reads; without a trigger, the handler's own automation queue. */
  queue?: string;
  /** The queue trigger, as configured (absent: the handler has none). */
  trigger?: {
    name: string;
    enabled: boolean;
    countBasedWindow?: unknown;
    timeBasedWindow?: unknown;
    retryStrategy?: unknown;
    errorsTolerance?: unknown;
  };
  functionName?: string;
  /** The queue the trigger dead-letters to (parsed from its ARN), or the ARN when it is not an MNS queue ARN. */
  deadLetterQueue?: string;
}

/**
 * Per handler function, each MNS queue trigger that invokes it and what feeds its queue; read with
 * the pack's own readers (policies/rules/queue-triggers.ts), so the table shows what the
 * automation-queue-trigger policy judges.
 */
export function automationPath(graph: Pick<PlanGraph, "resources" | "providers">): AutomationPathRow[] {
  const index = new StackIndex(fromPlanGraph(graph));
  const triggers = eventbridgeTriggers(index).filter((t) => text(t.sourceType) === "MNS");
  const senders = (queue: string | undefined) =>
    queue === undefined
      ? []
      : index
          .ofType(T.eventRule)
          .filter((r) => list(r.props.mnsParameters).some((m) => text(record(m).queue) === queue))
          .map((r) => text(r.props.ruleName) ?? r.name)
          .sort();
  const rows: AutomationPathRow[] = [];
  for (const [functionName, h] of handlerFunctions(index).byName) {
    const own = triggers.filter((t) => text(t.functionName) === functionName);
    if (own.length === 0) {
      const component = index.ofType(AUTOMATION_QUEUE).find((c) => c.name === `${HANDLER_QUEUE_PREFIX}${h.handler}`);
      const queue = component ? index.childrenOf(component, T.queue).find((q) => q.props.dlqPolicy !== undefined) : undefined;
      const queueName = queue ? text(queue.props.queueName) : undefined;
      rows.push({ handler: h.handler, rules: senders(queueName), ...(queueName ? { queue: queueName } : {}), functionName });
      continue;
    }
    for (const t of own) rows.push({ handler: h.handler, rules: senders(text(t.queue)), queue: text(t.queue), trigger: triggerOf(t), functionName, deadLetterQueue: deadLetterOf(t) });
  }
  return rows.sort((a, b) => a.handler.localeCompare(b.handler) || (a.queue ?? "").localeCompare(b.queue ?? ""));
}

function triggerOf(t: QueueTrigger): NonNullable<AutomationPathRow["trigger"]> {
  return {
    name: text(t.resource.props.triggerName) ?? t.resource.name,
    enabled: t.enabled !== false,
    countBasedWindow: t.countBasedWindow,
    timeBasedWindow: t.timeBasedWindow,
    retryStrategy: t.retryStrategy,
    errorsTolerance: t.errorsTolerance,
  };
}

function deadLetterOf(t: QueueTrigger): string | undefined {
  const arn = text(t.deadLetterArn);
  if (!arn) return undefined;
  return parseMnsQueueArn(arn)?.queue ?? arn;
}
