// What a drill needs to know about a stack, all read from its recorded plan
// graph: the routing model, and per deployed handler its function name,
// environment and timeout (the FC functions the stack declares).
import { HANDLER_NAMES, type HandlerName } from "../../handlers/catalogue";
import { TIMERS } from "../../handlers/contract";
import { ofType, type PlanGraph } from "../../policies/plan-graph";
import { T } from "../../policies/stack";
import { RoutingModel, routingModel } from "../routing/model";
import { loadGraph } from "../routing/plan";
import { handlerOfFunction } from "../routing/route";

export interface Deployment {
  handler: HandlerName;
  functionName: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  /** Payload of the function's timer trigger, when it has one. */
  timerPayload?: unknown;
  /** When the timer fires: every `everyMs`, or daily at `dailyAtMs` after midnight UTC. */
  timerSchedule?: TimerSchedule;
  /** False when the stack does not deploy it and the drill runs it anyway (--include-undeployed). */
  deployed: boolean;
}

export type TimerSchedule = { everyMs: number } | { dailyAtMs: number };

/** FC timer schedules: `@every 1m` / `@every 2h`, or a 6-field cron that fires once a day (`0 0 1 * * *`). */
export function parseSchedule(expr: string | undefined): TimerSchedule | undefined {
  if (!expr) return undefined;
  const every = /^@every\s+(\d+)([smh])$/.exec(expr.trim());
  if (every) return { everyMs: Number(every[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[every[2] as "s" | "m" | "h"] };
  const f = expr.trim().split(/\s+/);
  if (f.length === 6 && f.slice(0, 3).every((x) => /^\d+$/.test(x)) && f.slice(3).every((x) => x === "*" || x === "?")) {
    return { dailyAtMs: ((Number(f[2]) * 60 + Number(f[1])) * 60 + Number(f[0])) * 1000 };
  }
  return undefined;
}

/** A topic the stack declares, with who its subscriptions reach. */
export interface DeclaredTopic {
  name: string;
  /** `<pushType>:<subscription name>` (endpoints are people's addresses, kept out of reports). */
  subscriptions: string[];
}

/**
 * What the stack declares that the handlers write to: the twin creates exactly
 * these in the fake (which creates nothing on first use), so a handler writing
 * to something the stack does not declare fails in the drill as it would in
 * the account.
 */
export interface DeclaredStores {
  queues: { name: string; visibilityTimeoutSeconds?: number }[];
  topics: DeclaredTopic[];
  buckets: string[];
  /** OOS templates and their content (the twin does not run them; a drill says which event would start one). */
  oosTemplates: { name: string; content: string }[];
}

export interface DrillStack {
  stack: string;
  region: string;
  accountId?: string;
  model: RoutingModel;
  deployments: Map<HandlerName, Deployment>;
  declared: DeclaredStores;
}

const OSS_BUCKET = "alicloud:oss/bucket:Bucket";
const MNS_SUBSCRIPTION = "alicloud:message/serviceSubscription:ServiceSubscription";

export function declaredStores(graph: PlanGraph): DeclaredStores {
  const inputs = (type: string) => ofType(graph, type).map((r) => r.inputs as Props);
  const subscriptions = inputs(MNS_SUBSCRIPTION);
  return {
    queues: inputs(T.queue).map((q) => ({ name: String(q.queueName), ...(typeof q.visibilityTimeout === "number" ? { visibilityTimeoutSeconds: q.visibilityTimeout } : {}) })),
    topics: inputs(T.topic).map((t) => ({
      name: String(t.topicName),
      subscriptions: subscriptions.filter((s) => s.topicName === t.topicName).map((s) => `${s.pushType}:${s.subscriptionName}`),
    })),
    buckets: inputs(OSS_BUCKET).map((b) => String(b.bucket)),
    oosTemplates: inputs(T.oosTemplate).map((t) => ({ name: String(t.templateName), content: String(t.content ?? "") })),
  };
}

const FC_FUNCTION = T.fcFunction;
const FC_TRIGGER = "alicloud:fc/v3Trigger:V3Trigger";

/**
 * A handler's own timer from the contract (handlers/contract/timers.ts): for a
 * handler run without a declared trigger (--include-undeployed), or whose
 * trigger cannot be read.
 */
export function contractTimer(handler: HandlerName): { timerPayload?: unknown; timerSchedule?: TimerSchedule } {
  const timer = TIMERS[handler];
  return timer ? { timerPayload: timer.payload, timerSchedule: parseSchedule(timer.schedule) } : {};
}

type Props = Record<string, any>;

export function drillStack(graph: PlanGraph, opts: { includeUndeployed?: boolean; available?: (h: HandlerName) => boolean } = {}): DrillStack {
  const triggers = graph.resources.filter((r) => r.type === FC_TRIGGER);
  const deployments = new Map<HandlerName, Deployment>();
  for (const fn of graph.resources.filter((r) => r.type === FC_FUNCTION)) {
    const p = fn.inputs as Props;
    const functionName = String(p.functionName ?? fn.name);
    const handler = handlerOfFunction(functionName);
    if (!handler) continue;
    const timer = triggers.find((t) => (t.inputs as Props).functionName === functionName && (t.inputs as Props).triggerType === "timer");
    let { timerPayload, timerSchedule } = contractTimer(handler);
    if (timer) {
      try {
        const cfg = JSON.parse(String((timer.inputs as Props).triggerConfig ?? "{}"));
        timerPayload = typeof cfg.payload === "string" ? JSON.parse(cfg.payload) : (cfg.payload ?? timerPayload);
        timerSchedule = parseSchedule(cfg.cronExpression) ?? timerSchedule ?? { everyMs: 60_000 };
      } catch {
        /* keep the known payload */
      }
    }
    deployments.set(handler, {
      handler,
      functionName,
      env: Object.fromEntries(Object.entries((p.environmentVariables ?? {}) as Props).map(([k, v]) => [k, String(v)])),
      timeoutSeconds: Number(p.timeout ?? 60),
      timerPayload,
      timerSchedule,
      deployed: true,
    });
  }
  if (opts.includeUndeployed) {
    const template = [...deployments.values()][0];
    for (const handler of HANDLER_NAMES) {
      if (deployments.has(handler) || !(opts.available?.(handler) ?? true)) continue;
      deployments.set(handler, {
        handler,
        functionName: `${handler} (not deployed by stack ${graph.stack})`,
        // The handler environment contract is shared by every function (handlers/README.md).
        env: { ...(template?.env ?? {}) },
        timeoutSeconds: template?.timeoutSeconds ?? 60,
        ...contractTimer(handler),
        deployed: false,
      });
    }
  }
  const outputs = graph.outputs as Props;
  const accountId = [...deployments.values()].map((d) => d.env.ALIBABA_CLOUD_ACCOUNT_ID).find(Boolean);
  return { stack: graph.stack, region: String(outputs.region ?? "cn-hangzhou"), accountId, model: routingModel(graph), deployments, declared: declaredStores(graph) };
}

export function loadDrillStack(stack: string, opts: { planFile?: string; includeUndeployed?: boolean; available?: (h: HandlerName) => boolean } = {}): DrillStack {
  return drillStack(loadGraph({ stack, planFile: opts.planFile }), opts);
}
