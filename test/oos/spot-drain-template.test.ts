import { strict as assert } from "node:assert";
import {
  MAX_DRAIN_WAIT_SECONDS,
  OOS_MAX_CONTENT_BYTES,
  type OosTask,
  type OosTemplate,
  OosTemplateError,
  SPOT_EVENT_NAME,
  durationSeconds,
  spotDrainTemplate,
  templateActions,
  templateContent,
  validateOosTemplate,
} from "../../infra/oos/spot-drain-template";

const parsed = (opts: Parameters<typeof templateContent>[0] = { drainWaitSeconds: 90 }) => JSON.parse(templateContent(opts)) as OosTemplate;
const task = (t: OosTemplate, name: string): OosTask => {
  const all = (ts: OosTask[]): OosTask[] => ts.flatMap((x) => [x, ...all((x.Properties.LoopTasks as OosTask[] | undefined) ?? [])]);
  const found = all(t.Tasks).find((x) => x.Name === name);
  assert.ok(found, `task ${name}`);
  return found;
};
/** Every API call, with how it iterates: "loadBalancers", "vServerGroups" or "once". */
function apiCalls(t: OosTemplate): { api: string; over: string }[] {
  const out: { api: string; over: string }[] = [];
  for (const x of t.Tasks) {
    if (x.Action === "ACS::ExecuteAPI") out.push({ api: String(x.Properties.API), over: x.Loop ? String(x.Loop.Items) : "once" });
    if (x.Action === "ACS::Loop") for (const inner of x.Properties.LoopTasks as OosTask[]) out.push({ api: String(inner.Properties.API), over: String(x.Properties.LoopItems) });
  }
  return out;
}

describe("spotDrainTemplate: the five steps", () => {
  const t = parsed();

  it("is an OOS-2019-06-01 template that validates", () => {
    assert.equal(t.FormatVersion, "OOS-2019-06-01");
    assert.deepEqual(validateOosTemplate(t), { ok: true, errors: [] });
  });

  it("1. the first and only task of its kind is the ACS::EventTrigger for the interruption, filtered on action: delete", () => {
    const [first] = t.Tasks;
    assert.equal(first.Action, "ACS::EventTrigger");
    assert.equal(t.Tasks.filter((x) => x.Action.endsWith("Trigger")).length, 1);
    assert.deepEqual(first.Properties, { Product: "ECS", Name: [SPOT_EVENT_NAME], Level: ["WARN", "INFO"], Content: { action: "delete" } });
    assert.equal(SPOT_EVENT_NAME, "Instance:PreemptibleInstanceInterruption");
    assert.deepEqual(first.Outputs, { instanceId: { Type: "String", ValueSelector: ".content.instanceId" }, regionId: { Type: "String", ValueSelector: ".regionId" } });
  });

  it("2. finds load balancers by ServerId and keeps ALL of them (a List, no [0])", () => {
    const find = task(t, "findLoadBalancers");
    assert.deepEqual(find.Properties, { Service: "SLB", API: "DescribeLoadBalancers", Parameters: { RegionId: "{{ whenInterrupted.regionId }}", ServerId: "{{ whenInterrupted.instanceId }}", PageSize: 100 } });
    assert.deepEqual(find.Outputs, { loadBalancerIds: { Type: "List", ValueSelector: ".LoadBalancers.LoadBalancer[].LoadBalancerId" } });
    assert.doesNotMatch(JSON.stringify(t), /\[0\]|\| first|\.\[0\]/);
  });

  it("3–5. weight 0, wait, remove: in the default group of every LB and in every vServer group, each by a loop", () => {
    const lbs = "{{ findLoadBalancers.loadBalancerIds }}";
    const groups = "{{ findVServerGroups.vServerGroupIds }}";
    assert.deepEqual(apiCalls(t), [
      { api: "DescribeLoadBalancers", over: "once" },
      { api: "DescribeVServerGroups", over: lbs },
      { api: "SetBackendServers", over: lbs },
      { api: "DescribeVServerGroupAttribute", over: groups },
      { api: "SetVServerGroupAttribute", over: groups },
      { api: "RemoveBackendServers", over: lbs },
      { api: "DescribeVServerGroupAttribute", over: groups },
      { api: "RemoveVServerGroupBackendServers", over: groups },
    ]);
    // The order of the steps: drain both kinds, then sleep, then remove both kinds.
    const names = t.Tasks.map((x) => x.Name);
    assert.deepEqual(names, ["whenInterrupted", "findLoadBalancers", "findVServerGroups", "drainDefaultGroups", "drainVServerGroups", "waitForConnectionsToDrain", "removeFromDefaultGroups", "removeFromVServerGroups"]);
  });

  it("joins the vServer groups of every load balancer into one list", () => {
    assert.deepEqual(task(t, "findVServerGroups").Loop?.Outputs, { vServerGroupIds: { AggregateType: "Fn::ListJoin", AggregateField: "vServerGroupIds" } });
  });

  it("sets weight 0 (not removal) first, for this instance only", () => {
    const drain = task(t, "drainDefaultGroups").Properties.Parameters as Record<string, string>;
    assert.deepEqual(JSON.parse(drain.BackendServers), [{ ServerId: "{{ whenInterrupted.instanceId }}", Weight: "0", Type: "ecs" }]);
    assert.equal(drain.LoadBalancerId, "{{ ACS::TaskLoopItem }}");
    const selector = task(t, "describeVServerGroupForDrain").Outputs!.backends.ValueSelector!;
    assert.match(selector, /select\(\.ServerId == "\{\{ whenInterrupted\.instanceId \}\}"\)/);
    assert.match(selector, /Weight: 0/);
    assert.doesNotMatch(task(t, "describeVServerGroupForRemoval").Outputs!.backends.ValueSelector!, /Weight/);
  });

  const waits: [number, string][] = [
    [1, "PT1S"],
    [90, "PT90S"],
    [MAX_DRAIN_WAIT_SECONDS, "PT180S"],
  ];
  for (const [seconds, duration] of waits) {
    it(`drainWaitSeconds ${seconds} → ACS::Sleep ${duration}`, () => {
      assert.deepEqual(task(parsed({ drainWaitSeconds: seconds }), "waitForConnectionsToDrain").Properties, { Duration: duration });
    });
  }

  const badWaits = [0, MAX_DRAIN_WAIT_SECONDS + 1, 300, 600, 1.5, -1];
  for (const seconds of badWaits) {
    it(`drainWaitSeconds ${seconds} is refused with what is allowed`, () => {
      assert.throws(() => spotDrainTemplate({ drainWaitSeconds: seconds }), /spotDrain\.drainWaitSeconds: .* 1–180/);
    });
  }

  it("tags add a tag filter to the trigger; regionId becomes a parameter used by every call", () => {
    const scoped = parsed({ drainWaitSeconds: 60, tags: [{ key: "app", value: "search" }, { key: "ops:spot-drain", value: "on" }], regionId: "cn-shanghai" });
    assert.deepEqual(scoped.Tasks[0].Properties.Tags, [{ Key: "app", Value: "search" }, { Key: "ops:spot-drain", Value: "on" }]);
    assert.deepEqual(scoped.Parameters?.regionId, { Type: "String", Description: "Region of the load balancers", Default: "cn-shanghai" });
    const regions = JSON.stringify(scoped).match(/"RegionId":"[^"]*"/g) ?? [];
    assert.ok(regions.length >= 8);
    assert.ok(regions.every((r) => r === '"RegionId":"{{ regionId }}"'), regions.join());
  });

  it("content is JSON, well under 64 KB", () => {
    const content = templateContent({ drainWaitSeconds: 90, tags: [{ key: "k", value: "v" }] });
    assert.ok(Buffer.byteLength(content) < OOS_MAX_CONTENT_BYTES / 4);
  });
});

describe("the template's role", () => {
  it("runs as the given role, not as the caller: OOSAssumeRole defaults to it and RamRole refers to it", () => {
    const t = parsed({ drainWaitSeconds: 60, roleName: "eventops-prod-search-oos" });
    assert.equal(t.Parameters?.OOSAssumeRole.Default, "eventops-prod-search-oos");
    assert.equal(t.RamRole, "{{ OOSAssumeRole }}");
  });

  it("templateActions lists exactly the SLB APIs the tasks call, loops included", () => {
    assert.deepEqual(templateActions(spotDrainTemplate({ drainWaitSeconds: 60 })), [
      "slb:DescribeLoadBalancers",
      "slb:DescribeVServerGroupAttribute",
      "slb:DescribeVServerGroups",
      "slb:RemoveBackendServers",
      "slb:RemoveVServerGroupBackendServers",
      "slb:SetBackendServers",
      "slb:SetVServerGroupAttribute",
    ]);
  });
});

describe("validateOosTemplate: a broken template is rejected with a clear message", () => {
  const good = () => spotDrainTemplate({ drainWaitSeconds: 90 });
  type Case = { name: string; mutate: (t: OosTemplate) => OosTemplate | string; error: RegExp };
  const cases: Case[] = [
    {
      name: "trigger not first",
      mutate: (t) => ({ ...t, Tasks: [t.Tasks[1], t.Tasks[0], ...t.Tasks.slice(2)] }),
      error: /the ACS::EventTrigger task "whenInterrupted" must be the first task, it is task 2/,
    },
    { name: "no trigger", mutate: (t) => ({ ...t, Tasks: t.Tasks.slice(1) }), error: /exactly one ACS::EventTrigger task is required, found 0/ },
    { name: "two triggers", mutate: (t) => ({ ...t, Tasks: [...t.Tasks, { ...t.Tasks[0], Name: "again" }] }), error: /exactly one ACS::EventTrigger task is required, found 2/ },
    {
      name: "unresolved reference to a missing output",
      mutate: (t) => ({ ...t, Tasks: t.Tasks.map((x) => (x.Name === "findLoadBalancers" ? { ...x, Properties: { ...x.Properties, Parameters: { ServerId: "{{ whenInterrupted.instanceID }}" } } } : x)) }),
      error: /\{\{ whenInterrupted\.instanceID \}\}: task "whenInterrupted" declares no output "instanceID"/,
    },
    {
      name: "reference to a later task",
      mutate: (t) => ({ ...t, Tasks: t.Tasks.map((x) => (x.Name === "findLoadBalancers" ? { ...x, Properties: { ...x.Properties, Parameters: { ServerId: "{{ findVServerGroups.vServerGroupIds }}" } } } : x)) }),
      error: /refers to "findVServerGroups", which is not an earlier task/,
    },
    { name: "undeclared parameter", mutate: (t) => ({ ...t, RamRole: "{{ AssumeRole }}" }), error: /RamRole: \{\{ AssumeRole \}\} is not a declared parameter/ },
    {
      name: "loop item outside a loop",
      mutate: (t) => ({ ...t, Tasks: t.Tasks.map((x) => (x.Name === "drainDefaultGroups" ? { ...x, Loop: undefined } : x)) }),
      error: /"drainDefaultGroups".*ACS::TaskLoopItem \}\} used outside a loop/,
    },
    {
      name: "sleep of 5 minutes",
      mutate: (t) => ({ ...t, Tasks: t.Tasks.map((x) => (x.Action === "ACS::Sleep" ? { ...x, Properties: { Duration: "PT5M" } } : x)) }),
      error: /ACS::Sleep Duration PT5M is 300 s; .* keep the wait under 300 s/,
    },
    {
      name: "sleep with an unreadable duration",
      mutate: (t) => ({ ...t, Tasks: t.Tasks.map((x) => (x.Action === "ACS::Sleep" ? { ...x, Properties: { Duration: "a while" } } : x)) }),
      error: /Duration "a while" is not an ISO-8601 duration/,
    },
    {
      name: "duplicate task name (inside a loop body too)",
      mutate: (t) => ({ ...t, Tasks: t.Tasks.map((x) => (x.Name === "removeFromDefaultGroups" ? { ...x, Name: "describeVServerGroupForDrain" } : x)) }),
      error: /task name "describeVServerGroupForDrain" is used more than once/,
    },
    { name: "bad task name", mutate: (t) => ({ ...t, Tasks: t.Tasks.map((x, i) => (i === 1 ? { ...x, Name: "find load balancers" } : x)) }), error: /task name must be 1–200 of \[A-Za-z0-9_-\]/ },
    { name: "loop on the sleep task", mutate: (t) => ({ ...t, Tasks: t.Tasks.map((x) => (x.Action === "ACS::Sleep" ? { ...x, Loop: { Items: ["a"] } } : x)) }), error: /ACS::Sleep tasks cannot loop/ },
    { name: "wrong format version", mutate: (t) => ({ ...t, FormatVersion: "2019-06-01" }), error: /FormatVersion must be OOS-2019-06-01/ },
    { name: "over 64 KB", mutate: (t) => ({ ...t, Description: { en: "x".repeat(OOS_MAX_CONTENT_BYTES), "zh-cn": "" } }), error: /content is \d+ bytes; oos\.Template allows at most 65536/ },
    { name: "not JSON", mutate: () => "{ nope", error: /content is not JSON/ },
  ];
  for (const c of cases) {
    it(`rejects: ${c.name}`, () => {
      const result = validateOosTemplate(c.mutate(good()));
      assert.equal(result.ok, false);
      assert.ok(result.errors.some((e) => c.error.test(e)), result.errors.join("\n"));
    });
  }

  it("OosTemplateError (thrown by templateContent) lists every problem", () => {
    const err = new OosTemplateError(["a", "b"]);
    assert.match(err.message, /invalid OOS template:\n- a\n- b/);
  });
});

describe("durationSeconds", () => {
  const cases: [string, number | undefined][] = [
    ["PT60S", 60],
    ["PT1M30S", 90],
    ["pt5m", 300],
    ["90s", 90],
    ["1H2M", 3720],
    ["PT", undefined],
    ["60", undefined],
    ["soon", undefined],
  ];
  for (const [input, seconds] of cases) {
    it(`${input} → ${seconds ?? "unreadable"}`, () => assert.equal(durationSeconds(input), seconds));
  }
});
