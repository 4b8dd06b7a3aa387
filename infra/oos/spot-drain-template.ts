// OOS template for the cloud-managed spot-interruption path: when ECS announces
// `Instance:PreemptibleInstanceInterruption` (about 5 minutes before release),
// take the instance out of EVERY classic load balancer and EVERY vServer group
// it serves, wait for connections to drain, then remove it.
//
// Alibaba's public template (ACS-ECS-RemoveFromSLBWhenPreemptibleInstanceInterrupted)
// acts on the first load balancer only and sleeps a fixed minute. This one
// loops over all of them and takes the wait from config.
//
// Pure generator: plain options in, a template object / JSON string out. The
// Pulumi side passes `templateContent(...)` to `oos.Template`.
//
// OOS syntax used, from the OOS docs (template syntax, "Loop", ACS::Loop,
// ACS::EventTrigger, ACS::ExecuteAPI, ACS::Sleep):
// - There is no `ACS::ForEach`: a task repeats over a list with its `Loop`
//   property (`Items`, `RateControl`, `Outputs` aggregated with `Fn::ListJoin`),
//   and a multi-task body repeats with `ACS::Loop` (`LoopItems`,
//   `LoopRateControl`, `LoopTasks`). The current item is `{{ ACS::TaskLoopItem }}`.
// - The trigger must be the first task and the only trigger.
// Unconfirmed (verify with `aliyun oos validate-template-content` and a drill):
// - whether `Fn::ListJoin` flattens per-iteration List outputs (we rely on it to
//   join the vServer group IDs of several load balancers into one list);
// - whether `{{ }}` is substituted inside a `ValueSelector` (we select the
//   instance's own backends of a vServer group with it);
// - that several EventTrigger `Tags` must all match (the form `Tags: [{Key, Value}]` is
//   Alibaba's own, aliyun/oos-templates ACS-ECS-RemoveFromSLBWhenPreemptibleInstanceInterrupted.yml);
// - whether SetVServerGroupAttribute / RemoveVServerGroupBackendServers accept an
//   empty `BackendServers` list ("[]") for a group the instance is not in.

import { CATALOGUE, baseName } from "../../handlers/catalogue";
import { DRAIN_WAIT_CEILING_SECONDS } from "../../handlers/contract";

export const OOS_FORMAT_VERSION = "OOS-2019-06-01";
/** oos.Template `content` limit. */
export const OOS_MAX_CONTENT_BYTES = 64 * 1024;
/** The instance is released ~5 minutes after the notice: the wait must end well before (the function's ceiling too). */
export const MAX_DRAIN_WAIT_SECONDS = DRAIN_WAIT_CEILING_SECONDS;

const interruption = CATALOGUE.find((e) => e.event === "PreemptibleInstanceInterruption");
if (!interruption) throw new Error("catalogue: Instance:PreemptibleInstanceInterruption is missing");
export const SPOT_EVENT_NAME = baseName(interruption);

export interface SpotDrainTemplateOptions {
  /** Seconds between weight 0 and removal, 1–MAX_DRAIN_WAIT_SECONDS. */
  readonly drainWaitSeconds: number;
  /**
   * Only instances carrying these tags trigger the template: the group's tag and the
   * automation scope tag. The `Tags: [{Key, Value}]` form is Alibaba's own
   * (aliyun/oos-templates ACS-ECS-RemoveFromSLBWhenPreemptibleInstanceInterrupted.yml
   * `Tags: '{{ tags }}'`); that several tags must all match is unconfirmed.
   */
  readonly tags?: readonly { readonly key: string; readonly value: string }[];
  /** RAM role OOS assumes (the `OOSAssumeRole` parameter's default). Without one, "OOS uses the permissions of the current Alibaba Cloud account" (OOS doc "Use RAM to grant permissions to OOS"). */
  readonly roleName?: string;
  /** Fixed region; absent: the region the event came from. */
  readonly regionId?: string;
  /** Parallel API calls per loop (default 10). */
  readonly concurrency?: number;
}

export type OosValue = string | number | boolean | null | OosValue[] | { [k: string]: OosValue };
export interface OosOutput {
  Type?: string;
  ValueSelector?: string;
  Value?: string;
}
export interface OosTask {
  Name: string;
  Action: string;
  Description?: string;
  Properties: { [k: string]: OosValue | OosTask[] };
  Outputs?: { [k: string]: OosOutput };
  Loop?: {
    Items: string | string[];
    RateControl?: { Mode: "Concurrency" | "Batch"; Concurrency?: number; MaxErrors?: number | string };
    Outputs?: { [k: string]: { AggregateType: string; AggregateField: string } };
  };
}
export interface OosTemplate {
  FormatVersion: string;
  Description: { en: string; "zh-cn": string };
  Parameters?: { [k: string]: { Type: string; Description?: string; Default?: OosValue } };
  RamRole?: string;
  Tasks: OosTask[];
  Outputs?: { [k: string]: { Type: string; Value: string } };
}

export class OosTemplateError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(`invalid OOS template:\n- ${errors.join("\n- ")}`);
    this.name = "OosTemplateError";
  }
}

const ref = (s: string) => `{{ ${s} }}`;

export function spotDrainTemplate(options: SpotDrainTemplateOptions): OosTemplate {
  const { drainWaitSeconds } = options;
  if (!Number.isInteger(drainWaitSeconds) || drainWaitSeconds < 1 || drainWaitSeconds > MAX_DRAIN_WAIT_SECONDS) {
    throw new RangeError(
      `spotDrain.drainWaitSeconds: ${drainWaitSeconds} is not allowed; use a whole number of seconds 1–${MAX_DRAIN_WAIT_SECONDS} (the instance is released about 5 minutes after the notice)`,
    );
  }
  for (const [i, t] of (options.tags ?? []).entries()) {
    if (!t.key || t.value === undefined) throw new RangeError(`spotDrain.tags[${i}]: key and value are required`);
  }
  const concurrency = options.concurrency ?? 10;

  const instanceId = ref("whenInterrupted.instanceId");
  const region = options.regionId ? ref("regionId") : ref("whenInterrupted.regionId");
  const rate = { Mode: "Concurrency" as const, Concurrency: concurrency, MaxErrors: 0 };
  const eachLoadBalancer = { Items: ref("findLoadBalancers.loadBalancerIds"), RateControl: rate };
  const defaultGroupBackend = (weight?: number) => JSON.stringify([{ ServerId: "__ID__", ...(weight === undefined ? {} : { Weight: String(weight) }), Type: "ecs" }]).replace("__ID__", instanceId);
  // This instance's entries of one vServer group (a server may sit there on several ports).
  const ownBackends = (zeroWeight: boolean) =>
    `[.BackendServers.BackendServer[]? | select(.ServerId == "${instanceId}") | {ServerId, Port, Type${zeroWeight ? ", Weight: 0" : ""}}] | tojson`;
  const perVServerGroup = (verb: "drain" | "remove"): OosTask => {
    const describe = verb === "drain" ? "describeVServerGroupForDrain" : "describeVServerGroupForRemoval";
    return {
      Name: verb === "drain" ? "drainVServerGroups" : "removeFromVServerGroups",
      Action: "ACS::Loop",
      Description: verb === "drain" ? "Set the instance's weight to 0 in every vServer group it is in" : "Remove the instance from every vServer group it is in",
      Properties: {
        LoopItems: ref("findVServerGroups.vServerGroupIds"),
        LoopRateControl: rate,
        LoopTasks: [
          {
            Name: describe,
            Action: "ACS::ExecuteAPI",
            Properties: { Service: "SLB", API: "DescribeVServerGroupAttribute", Parameters: { RegionId: region, VServerGroupId: ref("ACS::TaskLoopItem") } },
            Outputs: { backends: { Type: "String", ValueSelector: ownBackends(verb === "drain") } },
          },
          {
            Name: verb === "drain" ? "setVServerGroupWeightZero" : "removeVServerGroupBackends",
            Action: "ACS::ExecuteAPI",
            Properties: {
              Service: "SLB",
              API: verb === "drain" ? "SetVServerGroupAttribute" : "RemoveVServerGroupBackendServers",
              Parameters: { RegionId: region, VServerGroupId: ref("ACS::TaskLoopItem"), BackendServers: ref(`${describe}.backends`) },
            },
          },
        ],
      },
    };
  };

  const trigger: OosTask = {
    Name: "whenInterrupted",
    Action: "ACS::EventTrigger",
    Description: `Wait for ${SPOT_EVENT_NAME} (action: delete)`,
    Properties: {
      Product: interruption!.product,
      Name: [SPOT_EVENT_NAME],
      // WARN in the CMS list, INFO in an ECS example: match both (see the catalogue).
      Level: [...interruption!.levels],
      Content: { action: "delete" },
      ...(options.tags?.length ? { Tags: options.tags.map((t) => ({ Key: t.key, Value: t.value })) } : {}),
    },
    Outputs: {
      instanceId: { Type: "String", ValueSelector: ".content.instanceId" },
      regionId: { Type: "String", ValueSelector: ".regionId" },
    },
  };

  return {
    FormatVersion: OOS_FORMAT_VERSION,
    Description: {
      en: `Drain a preemptible instance from every CLB and vServer group before release: weight 0, wait ${drainWaitSeconds}s, remove.`,
      "zh-cn": `抢占式实例释放前从所有负载均衡及虚拟服务器组摘除：权重置 0，等待 ${drainWaitSeconds} 秒，移除。`,
    },
    Parameters: {
      ...(options.regionId ? { regionId: { Type: "String", Description: "Region of the load balancers", Default: options.regionId } } : {}),
      OOSAssumeRole: { Type: "String", Description: "RAM role OOS assumes to run this template", Default: options.roleName ?? "" },
    },
    RamRole: ref("OOSAssumeRole"),
    Tasks: [
      trigger,
      {
        Name: "findLoadBalancers",
        Action: "ACS::ExecuteAPI",
        Description: "Every CLB where the instance is a backend (all of them, not the first)",
        Properties: { Service: "SLB", API: "DescribeLoadBalancers", Parameters: { RegionId: region, ServerId: instanceId, PageSize: 100 } },
        Outputs: { loadBalancerIds: { Type: "List", ValueSelector: ".LoadBalancers.LoadBalancer[].LoadBalancerId" } },
      },
      {
        Name: "findVServerGroups",
        Action: "ACS::ExecuteAPI",
        Description: "Every vServer group of each of those load balancers",
        Properties: { Service: "SLB", API: "DescribeVServerGroups", Parameters: { RegionId: region, LoadBalancerId: ref("ACS::TaskLoopItem") } },
        Outputs: { vServerGroupIds: { Type: "List", ValueSelector: ".VServerGroups.VServerGroup[].VServerGroupId" } },
        Loop: { ...eachLoadBalancer, Outputs: { vServerGroupIds: { AggregateType: "Fn::ListJoin", AggregateField: "vServerGroupIds" } } },
      },
      {
        Name: "drainDefaultGroups",
        Action: "ACS::ExecuteAPI",
        Description: "Weight 0 in the default server group of every load balancer: no new connections",
        Properties: { Service: "SLB", API: "SetBackendServers", Parameters: { RegionId: region, LoadBalancerId: ref("ACS::TaskLoopItem"), BackendServers: defaultGroupBackend(0) } },
        Loop: eachLoadBalancer,
      },
      perVServerGroup("drain"),
      {
        Name: "waitForConnectionsToDrain",
        Action: "ACS::Sleep",
        Properties: { Duration: `PT${drainWaitSeconds}S` },
      },
      {
        Name: "removeFromDefaultGroups",
        Action: "ACS::ExecuteAPI",
        Description: "Remove the instance from the default server group of every load balancer",
        Properties: { Service: "SLB", API: "RemoveBackendServers", Parameters: { RegionId: region, LoadBalancerId: ref("ACS::TaskLoopItem"), BackendServers: defaultGroupBackend() } },
        Loop: eachLoadBalancer,
      },
      perVServerGroup("remove"),
    ],
    Outputs: {
      instanceId: { Type: "String", Value: instanceId },
      loadBalancerIds: { Type: "List", Value: ref("findLoadBalancers.loadBalancerIds") },
    },
  };
}

// ---------------------------------------------------------------------------
// Validation

/** OOS pseudo parameters a template may reference anywhere. */
const PSEUDO_PARAMETERS = new Set(["ACS::RegionId", "ACS::AccountId", "ACS::ExecutionId", "ACS::TemplateName", "ACS::TemplateVersion"]);
const TRIGGER_ACTIONS = new Set(["ACS::EventTrigger", "ACS::TimerTrigger", "ACS::AlarmTrigger"]);
const NO_LOOP_ACTIONS = new Set([...TRIGGER_ACTIONS, "ACS::Sleep"]);

/** `PT60S`, `PT1M30S`, `90s`, `1m` (OOS Duration, case-insensitive) → seconds, or undefined. */
export function durationSeconds(value: string): number | undefined {
  const m = /^(?:P?T)?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/i.exec(value.trim());
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => stringsIn(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => stringsIn(x, out));
  return out;
}

const REF = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Checks what OOS would reject, or what would silently misbehave:
 * size ≤ 64 KB; FormatVersion; exactly one trigger, an ACS::EventTrigger, first;
 * unique valid task names (loop bodies included); every `{{ … }}` resolves to a
 * parameter, a pseudo parameter, the loop item inside a loop, or an output of an
 * earlier task; ACS::Sleep under 5 minutes; no Loop on trigger / sleep tasks.
 */
export function validateOosTemplate(input: OosTemplate | string): { ok: boolean; errors: string[] } {
  const errors: string[] = [];
  const content = typeof input === "string" ? input : JSON.stringify(input);
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > OOS_MAX_CONTENT_BYTES) errors.push(`content is ${bytes} bytes; oos.Template allows at most ${OOS_MAX_CONTENT_BYTES}`);
  let t: OosTemplate;
  try {
    t = typeof input === "string" ? (JSON.parse(input) as OosTemplate) : input;
  } catch (e) {
    return { ok: false, errors: [...errors, `content is not JSON: ${(e as Error).message}`] };
  }
  if (t.FormatVersion !== OOS_FORMAT_VERSION) errors.push(`FormatVersion must be ${OOS_FORMAT_VERSION}, got ${JSON.stringify(t.FormatVersion)}`);
  if (!Array.isArray(t.Tasks) || t.Tasks.length === 0) return { ok: false, errors: [...errors, "Tasks must be a non-empty list"] };

  const triggers = t.Tasks.map((task, i) => ({ task, i })).filter(({ task }) => TRIGGER_ACTIONS.has(task.Action));
  const eventTriggers = triggers.filter(({ task }) => task.Action === "ACS::EventTrigger");
  if (eventTriggers.length !== 1) errors.push(`exactly one ACS::EventTrigger task is required, found ${eventTriggers.length}`);
  if (triggers.length > 1) errors.push(`only one trigger task is allowed, found ${triggers.length}: ${triggers.map(({ task }) => task.Name).join(", ")}`);
  if (eventTriggers.length >= 1 && eventTriggers[0].i !== 0) errors.push(`the ACS::EventTrigger task "${eventTriggers[0].task.Name}" must be the first task, it is task ${eventTriggers[0].i + 1}`);

  const params = new Set(Object.keys(t.Parameters ?? {}));
  const seen = new Set<string>();
  const outputsOf = new Map<string, Set<string>>();

  const checkRefs = (where: string, value: unknown, scope: ReadonlyMap<string, Set<string>>, inLoop: boolean) => {
    for (const s of stringsIn(value)) {
      for (const m of s.matchAll(REF)) {
        const name = m[1];
        if (name === "ACS::TaskLoopItem") {
          if (!inLoop) errors.push(`${where}: {{ ACS::TaskLoopItem }} used outside a loop`);
          continue;
        }
        if (PSEUDO_PARAMETERS.has(name)) continue;
        const dot = name.indexOf(".");
        if (dot < 0) {
          if (!params.has(name)) errors.push(`${where}: {{ ${name} }} is not a declared parameter`);
          continue;
        }
        const [task, output] = [name.slice(0, dot), name.slice(dot + 1)];
        const outputs = scope.get(task);
        if (!outputs) errors.push(`${where}: {{ ${name} }} refers to "${task}", which is not an earlier task`);
        else if (!outputs.has(output)) errors.push(`${where}: {{ ${name} }}: task "${task}" declares no output "${output}"`);
      }
    }
  };

  const visit = (tasks: readonly OosTask[], scope: Map<string, Set<string>>, inLoopBody: boolean, path: string) => {
    tasks.forEach((task, i) => {
      const where = `${path}[${i}] "${task.Name}"`;
      if (typeof task.Name !== "string" || !/^[A-Za-z0-9_-]{1,200}$/.test(task.Name)) errors.push(`${where}: task name must be 1–200 of [A-Za-z0-9_-]`);
      if (seen.has(task.Name)) errors.push(`${where}: task name "${task.Name}" is used more than once`);
      seen.add(task.Name);
      if (task.Loop && NO_LOOP_ACTIONS.has(task.Action)) errors.push(`${where}: ${task.Action} tasks cannot loop`);
      if (inLoopBody && TRIGGER_ACTIONS.has(task.Action)) errors.push(`${where}: a trigger cannot sit inside a loop body`);
      const looping = inLoopBody || task.Loop !== undefined || task.Action === "ACS::Loop";

      if (task.Action === "ACS::Sleep") {
        const d = task.Properties?.Duration;
        const secs = typeof d === "string" ? durationSeconds(d) : undefined;
        if (secs === undefined) errors.push(`${where}: ACS::Sleep Duration ${JSON.stringify(d)} is not an ISO-8601 duration like PT60S`);
        else if (secs >= 300) errors.push(`${where}: ACS::Sleep Duration ${d} is ${secs} s; the spot instance is released about 5 minutes after the notice, keep the wait under 300 s`);
      }

      const { LoopTasks, ...props } = (task.Properties ?? {}) as { LoopTasks?: OosTask[] };
      checkRefs(`${where}.Properties`, props, scope, looping);
      if (task.Loop) checkRefs(`${where}.Loop.Items`, task.Loop.Items, scope, inLoopBody);
      // A task's own outputs select from its own response: they may use earlier tasks, not itself.
      checkRefs(`${where}.Outputs`, task.Outputs, scope, looping);
      if (task.Action === "ACS::Loop") {
        if (!Array.isArray(LoopTasks) || LoopTasks.length === 0) errors.push(`${where}: ACS::Loop needs LoopTasks`);
        else visit(LoopTasks, new Map(scope), true, `${where}.LoopTasks`);
      }
      scope.set(task.Name, new Set([...Object.keys(task.Outputs ?? {}), ...Object.keys(task.Loop?.Outputs ?? {})]));
    });
  };
  visit(t.Tasks, outputsOf, false, "Tasks");
  if (t.RamRole !== undefined) checkRefs("RamRole", t.RamRole, outputsOf, false);
  if (t.Outputs) checkRefs("Outputs", t.Outputs, outputsOf, false);

  return { ok: errors.length === 0, errors };
}

/** The template as the JSON string `oos.Template.content` takes, validated. */
export function templateContent(options: SpotDrainTemplateOptions): string {
  const content = JSON.stringify(spotDrainTemplate(options), null, 2);
  const result = validateOosTemplate(content);
  if (!result.ok) throw new OosTemplateError(result.errors);
  return content;
}

/**
 * The RAM actions a template's `ACS::ExecuteAPI` tasks call (`<service>:<API>`, e.g.
 * `slb:SetBackendServers`), sorted: what its OOS role must allow, and nothing more.
 */
export function templateActions(template: OosTemplate): string[] {
  const out = new Set<string>();
  const walk = (tasks: OosTask[]) => {
    for (const task of tasks) {
      const { Service, API, LoopTasks } = task.Properties as { Service?: string; API?: string; LoopTasks?: OosTask[] };
      if (task.Action === "ACS::ExecuteAPI" && Service && API) out.add(`${Service.toLowerCase()}:${API}`);
      if (Array.isArray(LoopTasks)) walk(LoopTasks);
    }
  };
  walk(template.Tasks);
  return [...out].sort();
}
