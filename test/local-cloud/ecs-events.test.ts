import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { rpc, rpcError } from "./clients";
import { FakeClock, SIMULATED_EVENT_LIMIT, startFakeCloud, type CmsSystemEvent, type FakeCloud } from "../../local-cloud";

const FIXTURES = resolve(__dirname, "../handlers/fixtures/events");
const fixture = (name: string): CmsSystemEvent => JSON.parse(readFileSync(resolve(FIXTURES, name), "utf8")) as CmsSystemEvent;

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe("fake cloud: ECS system events on the virtual clock", () => {
  let fake: FakeCloud;
  let clock: FakeClock;
  let events: CmsSystemEvent[];
  beforeEach(async () => {
    clock = new FakeClock("2026-11-20T02:15:00Z");
    fake = await startFakeCloud({ clock });
    fake.state.addInstance({ InstanceId: "i-a", Tags: { drill: "true" } });
    fake.state.addInstance({ InstanceId: "i-b" });
    events = [];
    fake.onSystemEvent((e) => events.push(e));
  });
  afterEach(() => fake.close());

  const names = (): string[] => events.filter((e) => e.name !== "Instance:StateChange").map((e) => e.name);
  const states = (id: string): string[] => events.filter((e) => e.name === "Instance:StateChange" && e.content.resourceId === id).map((e) => String(e.content.state));

  it("runs a simulated maintenance reboot Scheduled → Executing → Executed over three virtual days", async () => {
    const notBefore = "2026-11-23T18:00:00Z";
    const created = await rpc(fake, "ECS", "CreateSimulatedSystemEvents", { RegionId: "cn-hangzhou", EventType: "SystemMaintenance.Reboot", InstanceId: ["i-a"], NotBefore: notBefore });
    const [eventId] = created.EventIdSet.EventId as string[];
    assert.match(eventId, /^e-/);
    assert.deepEqual(names(), ["Instance:SystemMaintenance.Reboot:Scheduled"]);

    // The message has the documented shape: same keys as the shared fixture.
    const scheduled = events[0];
    const sample = fixture("maintenance-reboot-scheduled.json");
    assert.deepEqual(Object.keys(scheduled).sort(), Object.keys(sample).sort());
    assert.deepEqual(Object.keys(scheduled.content).sort(), Object.keys(sample.content).sort());
    assert.equal(scheduled.eventTime, "20261120T101500.000+0800");
    assert.equal(scheduled.resourceId, `acs:ecs:cn-hangzhou:${fake.state.accountId}:instance/i-a`);
    assert.equal(scheduled.level, "CRITICAL");
    assert.deepEqual(scheduled.content, { eventId, publishTime: "2026-11-20T02:15:00Z", notBefore, instanceId: "i-a", eventType: "SystemMaintenance.Reboot", eventStatus: "Scheduled" });

    // Documented: without a status filter only finished events are returned.
    assert.equal((await rpc(fake, "ECS", "DescribeInstanceHistoryEvents", { RegionId: "cn-hangzhou", InstanceId: "i-a" })).TotalCount, 0);
    const active = await rpc(fake, "ECS", "DescribeInstanceHistoryEvents", { RegionId: "cn-hangzhou", InstanceId: "i-a", InstanceEventCycleStatus: ["Scheduled", "Executing", "Inquiring"] });
    assert.deepEqual(active.InstanceSystemEventSet.InstanceSystemEventType.map((e: { EventId: string; EventCycleStatus: { Name: string; Code: number }; EventType: { Name: string } }) => [e.EventId, e.EventType.Name, e.EventCycleStatus.Name, e.EventCycleStatus.Code]), [[eventId, "SystemMaintenance.Reboot", "Scheduled", 24]]);

    clock.advance(3 * DAY + 15 * HOUR + 44 * 60_000); // 2026-11-23T17:59Z
    assert.equal(fake.state.events.get(eventId)!.Status, "Scheduled");
    clock.advance(60_000); // NotBefore
    assert.equal(fake.state.events.get(eventId)!.Status, "Executing");
    clock.advance(60_000);
    assert.equal(fake.state.events.get(eventId)!.Status, "Executed");
    assert.deepEqual(names(), ["Instance:SystemMaintenance.Reboot:Scheduled", "Instance:SystemMaintenance.Reboot:Executing", "Instance:SystemMaintenance.Reboot:Executed"]);
    const executed = events.at(-1)!;
    assert.deepEqual(Object.keys(executed.content).sort(), Object.keys(fixture("maintenance-reboot-executed.json").content).sort());
    assert.equal(executed.content.executeStartTime, "2026-11-23T18:00:00Z");
    assert.equal(executed.content.executeFinishTime, "2026-11-23T18:01:00Z");
    assert.deepEqual(states("i-a"), [], "a simulated event never touches the instance");
    assert.equal(fake.state.getInstance("i-a")!.Status, "Running");

    const done = await rpc(fake, "ECS", "DescribeInstanceHistoryEvents", { RegionId: "cn-hangzhou", EventId: [eventId] });
    assert.equal(done.InstanceSystemEventSet.InstanceSystemEventType[0].EventCycleStatus.Name, "Executed");
    assert.equal(done.InstanceSystemEventSet.InstanceSystemEventType[0].EventFinishTime, "2026-11-23T18:01:00Z");
  });

  it("a reboot before NotBefore makes the maintenance Avoided; the reboot goes Stopping → Starting → Running", async () => {
    const { EventIdSet } = await rpc(fake, "ECS", "CreateSimulatedSystemEvents", { EventType: "SystemMaintenance.Reboot", InstanceId: ["i-a", "i-b"], NotBefore: "2026-11-22T00:00:00Z" });
    const [evA, evB] = EventIdSet.EventId as string[];
    clock.advance(DAY);
    await rpc(fake, "ECS", "RebootInstance", { InstanceId: "i-a" });
    assert.equal(fake.state.events.get(evA)!.Status, "Avoided");
    assert.equal(fake.state.getInstance("i-a")!.Status, "Stopping");
    assert.equal((await rpcError(fake, "ECS", "RebootInstance", { InstanceId: "i-a" })).code, "IncorrectInstanceStatus");
    clock.advance(5_000);
    assert.equal(fake.state.getInstance("i-a")!.Status, "Starting");
    clock.advance(5_000);
    assert.equal(fake.state.getInstance("i-a")!.Status, "Running");
    assert.deepEqual(states("i-a"), ["Stopping", "Starting", "Running"]);

    clock.advance(2 * DAY);
    assert.equal(fake.state.events.get(evA)!.Status, "Avoided", "an avoided event stays avoided");
    assert.equal(fake.state.events.get(evB)!.Status, "Executed");
    const avoided = events.find((e) => e.name === "Instance:SystemMaintenance.Reboot:Avoided")!;
    assert.equal(avoided.content.instanceId, "i-a");
    const history = await rpc(fake, "ECS", "DescribeInstanceHistoryEvents", { InstanceEventCycleStatus: ["Avoided"] });
    assert.deepEqual(history.InstanceSystemEventSet.InstanceSystemEventType.map((e: { EventId: string; EventCycleStatus: { Code: number } }) => [e.EventId, e.EventCycleStatus.Code]), [[evA, 8]]);
  });

  it("RebootInstance DryRun and wrong status answer like ECS and change nothing", async () => {
    const dry = await rpcError(fake, "ECS", "RebootInstance", { InstanceId: "i-a", DryRun: true });
    assert.equal(dry.code, "DryRunOperation");
    assert.equal(fake.state.getInstance("i-a")!.Status, "Running");
    await rpc(fake, "ECS", "StopInstance", { InstanceId: "i-b" });
    clock.advance(5_000);
    assert.equal(fake.state.getInstance("i-b")!.Status, "Stopped");
    const wrong = await rpcError(fake, "ECS", "RebootInstance", { InstanceId: "i-b" });
    assert.equal(wrong.code, "IncorrectInstanceStatus");
    assert.equal(wrong.data?.statusCode, 403);
    await rpc(fake, "ECS", "StartInstance", { InstanceId: "i-b" });
    clock.advance(5_000);
    assert.equal(fake.state.getInstance("i-b")!.Status, "Running");
    assert.equal((await rpcError(fake, "ECS", "RebootInstance", { InstanceId: "i-gone" })).code, "InvalidInstanceId.NotFound");
  });

  it("failure types start Executing; cancel works only for simulated events", async () => {
    const { EventIdSet } = await rpc(fake, "ECS", "CreateSimulatedSystemEvents", { EventType: "SystemFailure.Reboot", InstanceId: ["i-a"], NotBefore: "2026-11-20T03:00:00Z" });
    const failure = EventIdSet.EventId[0] as string;
    assert.equal(fake.state.events.get(failure)!.Status, "Executing");
    const first = events.find((e) => e.content.eventId === failure)!;
    assert.equal(first.name, "Instance:SystemFailure.Reboot:Executing");
    assert.deepEqual(Object.keys(first.content).sort(), Object.keys(fixture("system-failure-reboot-executing.json").content).sort());

    const sched = (await rpc(fake, "ECS", "CreateSimulatedSystemEvents", { EventType: "SystemMaintenance.Stop", InstanceId: ["i-b"], NotBefore: "2026-11-21T00:00:00Z" })).EventIdSet.EventId[0] as string;
    await rpc(fake, "ECS", "CancelSimulatedSystemEvents", { EventId: [sched] });
    assert.equal(fake.state.events.get(sched)!.Status, "Canceled");
    assert.ok(names().includes("Instance:SystemMaintenance.Stop:Canceled"));
    clock.advance(2 * DAY);
    assert.equal(fake.state.events.get(sched)!.Status, "Canceled");
    assert.equal(fake.state.events.get(failure)!.Status, "Executed");

    const real = fake.addSystemEvent({ InstanceId: "i-a", EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + DAY });
    assert.equal((await rpcError(fake, "ECS", "CancelSimulatedSystemEvents", { EventId: [real.EventId] })).code, "CannotCancelSystemEvent.NotSimulated");
    assert.equal((await rpcError(fake, "ECS", "CancelSimulatedSystemEvents", { EventId: ["e-nope"] })).code, "InvalidEventId.NotFound");
    assert.equal(fake.state.events.get(real.EventId)!.Status, "Scheduled");
  });

  it("validates CreateSimulatedSystemEvents like the API reference", async () => {
    assert.equal((await rpcError(fake, "ECS", "CreateSimulatedSystemEvents", { EventType: "SystemMaintenance.Reboot", InstanceId: ["i-a"], NotBefore: "2026-11-19T00:00:00Z" })).code, "InvalidNotBefore.Passed");
    const many = Array.from({ length: 101 }, (_, i) => `i-${i}`);
    assert.equal((await rpcError(fake, "ECS", "CreateSimulatedSystemEvents", { EventType: "SystemMaintenance.Reboot", InstanceId: many, NotBefore: "2026-11-21T00:00:00Z" })).code, "InstanceIdLimitExceeded");
    assert.equal((await rpcError(fake, "ECS", "CreateSimulatedSystemEvents", { EventType: "SystemMaintenance.Reboot", InstanceId: ["i-a", "i-nope"], NotBefore: "2026-11-21T00:00:00Z" })).code, "InvalidInstanceId.NotFound");
    assert.equal(fake.state.events.size, 0, "a rejected call creates nothing");

    const ids = Array.from({ length: 100 }, (_, i) => fake.state.addInstance({ InstanceId: `i-bulk${i}` }).InstanceId);
    for (let i = 0; i < SIMULATED_EVENT_LIMIT / 100; i++) {
      await rpc(fake, "ECS", "CreateSimulatedSystemEvents", { EventType: "SystemMaintenance.Reboot", InstanceId: ids, NotBefore: "2026-11-25T00:00:00Z" });
    }
    assert.equal(fake.state.activeSimulatedEvents, SIMULATED_EVENT_LIMIT);
    assert.equal((await rpcError(fake, "ECS", "CreateSimulatedSystemEvents", { EventType: "SystemMaintenance.Reboot", InstanceId: ["i-a"], NotBefore: "2026-11-25T00:00:00Z" })).code, "SimulatedEventLimitExceeded");
    const page = await rpc(fake, "ECS", "DescribeInstanceHistoryEvents", { InstanceEventCycleStatus: ["Scheduled"], PageSize: 100, PageNumber: 10 });
    assert.equal(page.TotalCount, 1000);
    assert.equal(page.InstanceSystemEventSet.InstanceSystemEventType.length, 100);
  });

  it("RedeployInstance ignores simulated events and avoids a real scheduled redeploy", async () => {
    await rpc(fake, "ECS", "CreateSimulatedSystemEvents", { EventType: "SystemMaintenance.Redeploy", InstanceId: ["i-a"], NotBefore: "2026-11-22T00:00:00Z" });
    assert.equal((await rpcError(fake, "ECS", "RedeployInstance", { InstanceId: "i-a" })).code, "IncorrectInstanceStatus");
    const real = fake.addSystemEvent({ InstanceId: "i-b", EventType: "SystemMaintenance.Redeploy", NotBefore: clock.now() + 2 * DAY });
    const res = await rpc(fake, "ECS", "RedeployInstance", { InstanceId: "i-b" });
    assert.ok(res.TaskId);
    assert.equal(fake.state.events.get(real.EventId)!.Status, "Avoided");
    clock.advance(60_000);
    assert.deepEqual(states("i-b"), ["Stopping", "Starting", "Running"]);
  });

  it("a real (non-simulated) scheduled reboot does reboot the instance at NotBefore", () => {
    const ev = fake.addSystemEvent({ InstanceId: "i-b", EventType: "SystemMaintenance.Reboot", NotBefore: clock.now() + HOUR });
    clock.advance(HOUR);
    assert.equal(ev.Status, "Executing");
    assert.equal(fake.state.getInstance("i-b")!.Status, "Stopping");
    clock.advance(60_000);
    assert.equal(ev.Status, "Executed");
    assert.deepEqual(states("i-b"), ["Stopping", "Starting", "Running"]);
  });

  it("accepts an Inquiring event", async () => {
    const ev = fake.addSystemEvent({ InstanceId: "i-a", EventType: "SystemMaintenance.RebootAndIsolateErrorDisk", Status: "Inquiring" });
    assert.equal((await rpcError(fake, "ECS", "AcceptInquiredSystemEvent", { EventId: "e-nope" })).code, "InvalidEventId.NotFound");
    await rpc(fake, "ECS", "AcceptInquiredSystemEvent", { RegionId: "cn-hangzhou", EventId: ev.EventId });
    assert.equal(ev.Status, "Executing");
    assert.deepEqual(names(), ["Instance:SystemMaintenance.RebootAndIsolateErrorDisk:Inquiring", "Instance:SystemMaintenance.RebootAndIsolateErrorDisk:Executing"]);
  });

  it("releasing an instance emits StateChange Deleted and leaves SLB/ESS as they were", () => {
    const lb = fake.state.addLoadBalancer({ BackendServers: [{ ServerId: "i-a" }] });
    fake.state.addScalingGroup({ Instances: [{ InstanceId: "i-a" }] });
    fake.releaseInstance("i-a");
    const e = events.at(-1)!;
    const sample = fixture("state-change-deleted.json");
    assert.equal(e.name, sample.name);
    assert.equal(e.level, sample.level);
    assert.deepEqual(e.content, { resourceId: "i-a", resourceType: "ALIYUN::ECS::Instance", state: "Deleted" });
    assert.equal(fake.state.getInstance("i-a"), undefined);
    assert.deepEqual(fake.state.loadBalancerIdsOfServer("i-a"), [lb.LoadBalancerId]);
    assert.ok(fake.state.scalingGroupByInstance.has("i-a"));
  });

  it("emits a synthetic spot interruption and releases the instance five minutes later", () => {
    const msg = fake.spotInterruption("i-a");
    const sample = fixture("preemptible-interruption.json");
    assert.equal(msg.name, sample.name);
    assert.equal(msg.level, sample.level);
    assert.deepEqual(msg.content, { instanceId: "i-a", action: "delete" });
    clock.advance(5 * 60_000 - 1);
    assert.ok(fake.state.getInstance("i-a"));
    clock.advance(1);
    assert.equal(fake.state.getInstance("i-a"), undefined);
    assert.deepEqual(states("i-a"), ["Deleted"]);
  });
});

describe("fake cloud: ECS instances, maintenance windows, renewal", () => {
  let fake: FakeCloud;
  beforeEach(async () => {
    fake = await startFakeCloud({ clock: new FakeClock("2026-11-20T00:00:00Z") });
  });
  afterEach(() => fake.close());

  it("DescribeInstances filters by InstanceIds and tags, pages, and prints ECS-style fields", async () => {
    for (let i = 0; i < 25; i++) fake.state.addInstance({ InstanceId: `i-${String(i).padStart(2, "0")}`, Tags: i % 2 ? { app: "web" } : { app: "db" }, SpotStrategy: i === 1 ? "SpotAsPriceGo" : "NoSpot" });
    fake.state.addInstance({ InstanceId: "i-sub", InstanceChargeType: "PrePaid", ExpiredTime: Date.parse("2026-12-01T16:00:00Z") });
    const web = await rpc(fake, "ECS", "DescribeInstances", { RegionId: "cn-hangzhou", Tag: [{ Key: "app", Value: "web" }], PageSize: 5, PageNumber: 3 });
    assert.equal(web.TotalCount, 12);
    assert.deepEqual(web.Instances.Instance.map((i: { InstanceId: string }) => i.InstanceId), ["i-21", "i-23"]);
    const ids = await rpc(fake, "ECS", "DescribeInstances", { InstanceIds: JSON.stringify(["i-01", "i-sub", "i-missing"]) });
    const [spot, sub] = ids.Instances.Instance;
    assert.equal(ids.TotalCount, 2);
    assert.equal(spot.SpotStrategy, "SpotAsPriceGo");
    assert.deepEqual(spot.Tags.Tag, [{ TagKey: "app", TagValue: "web" }]);
    assert.equal(sub.InstanceChargeType, "PrePaid");
    assert.equal(sub.ExpiredTime, "2026-12-01T16:00Z");
    assert.equal((await rpcError(fake, "ECS", "DescribeInstances", { InstanceIds: "i-01" })).code, "InvalidParameter");

    const tokenPage = await rpc(fake, "ECS", "DescribeInstances", { MaxResults: 20 });
    assert.equal(tokenPage.Instances.Instance.length, 20);
    const rest = await rpc(fake, "ECS", "DescribeInstances", { MaxResults: 20, NextToken: tokenPage.NextToken });
    assert.equal(rest.Instances.Instance.length, 6);
    assert.equal(rest.NextToken, "");
  });

  it("modifies and describes maintenance attributes (whole hours, UTC+8)", async () => {
    fake.state.addInstance({ InstanceId: "i-m" });
    await rpc(fake, "ECS", "ModifyInstanceMaintenanceAttributes", { InstanceId: ["i-m"], MaintenanceWindow: [{ StartTime: "02:00:00", EndTime: "06:00:00" }], ActionOnMaintenance: "AutoRedeploy", NotifyOnMaintenance: true });
    const res = await rpc(fake, "ECS", "DescribeInstanceMaintenanceAttributes", { InstanceId: ["i-m"] });
    const a = res.MaintenanceAttributes.MaintenanceAttribute[0];
    assert.deepEqual(a.MaintenanceWindows.MaintenanceWindow, [{ StartTime: "02:00:00", EndTime: "06:00:00" }]);
    assert.equal(a.ActionOnMaintenance.Value, "AutoRedeploy");
    assert.equal(a.NotifyOnMaintenance, true);
    const bad = await rpcError(fake, "ECS", "ModifyInstanceMaintenanceAttributes", { InstanceId: ["i-m"], MaintenanceWindow: [{ StartTime: "02:30:00", EndTime: "06:00:00" }] });
    assert.equal(bad.code, "InvalidParameter");
    assert.deepEqual(fake.state.getInstance("i-m")!.Maintenance.Windows, [{ StartTime: "02:00:00", EndTime: "06:00:00" }]);
  });

  it("RenewInstance extends ExpiredTime; auto-renew settings are stored", async () => {
    fake.state.addInstance({ InstanceId: "i-sub", InstanceChargeType: "PrePaid", ExpiredTime: Date.parse("2026-12-01T16:00:00Z") });
    fake.state.addInstance({ InstanceId: "i-payg" });
    await rpc(fake, "ECS", "RenewInstance", { InstanceId: "i-sub", Period: 2, PeriodUnit: "Month", ClientToken: "renew-i-sub-1" });
    assert.equal(new Date(fake.state.getInstance("i-sub")!.ExpiredTime).toISOString(), "2027-02-01T16:00:00.000Z");
    await rpc(fake, "ECS", "RenewInstance", { InstanceId: "i-sub", Period: 2, PeriodUnit: "Month", ClientToken: "renew-i-sub-1" });
    assert.equal(new Date(fake.state.getInstance("i-sub")!.ExpiredTime).toISOString(), "2027-02-01T16:00:00.000Z", "a replayed ClientToken renews once");
    assert.equal((await rpcError(fake, "ECS", "RenewInstance", { InstanceId: "i-payg", Period: 1 })).code, "InstanceChargeType.NotSupported");

    await rpc(fake, "ECS", "ModifyInstanceAutoRenewAttribute", { InstanceId: "i-sub", AutoRenew: true, Duration: 1, PeriodUnit: "Month" });
    assert.deepEqual(fake.state.getInstance("i-sub")!.AutoRenew, { AutoRenewEnabled: true, Duration: 1, PeriodUnit: "Month", RenewalStatus: "AutoRenewal" });
    const attr = await rpc(fake, "ECS", "DescribeInstanceAutoRenewAttribute", { InstanceId: "i-sub" });
    assert.equal(attr.InstanceRenewAttributes.InstanceRenewAttribute[0].RenewalStatus, "AutoRenewal");
  });
});
