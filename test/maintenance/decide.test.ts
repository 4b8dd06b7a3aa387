import { strict as assert } from "node:assert";
import type { EventStatus } from "../../handlers/catalogue";
import { CATALOGUE, namesHandledBy } from "../../handlers/catalogue";
import { type MaintenanceDecision, type MaintenanceInput, actionAllowed, actionForEventType, decideMaintenance, redeployAnswers } from "../../handlers/maintenance/decide";

const at8 = (s: string) => Date.parse(`${s.replace(" ", "T")}:00+08:00`);

const base: MaintenanceInput = {
  policy: "proactive",
  status: "Scheduled",
  eventType: "SystemMaintenance.Reboot",
  eventId: "e-1",
  instanceId: "i-1",
  now: "2026-11-20T02:15:00Z",
  notBefore: "2026-11-23T18:00:00Z",
  windows: [{ startHour: 2, endHour: 5 }],
  safetyMarginMinutes: 30,
  actionDurationMinutes: 30,
  hasPending: false,
};

describe("actionForEventType", () => {
  const cases: [string, string | undefined, "notify" | "stop-start" | undefined][] = [
    ["SystemMaintenance.Reboot", "RebootInstance", undefined],
    ["SystemMaintenance.Redeploy", "RedeployInstance", undefined],
    ["SystemFailure.Redeploy", "RedeployInstance", undefined],
    ["SystemMaintenance.Stop", undefined, undefined],
    ["SystemMaintenance.Stop", "StopStartInstance", "stop-start"],
    ["SystemMaintenance.RebootAndIsolateErrorDisk", undefined, undefined],
    ["SystemFailure.Reboot", undefined, undefined],
  ];
  for (const [type, action, stop] of cases) {
    it(`${type}${stop ? ` (stopEventAction=${stop})` : ""} → ${action ?? "none"}`, () => {
      assert.equal(actionForEventType(type, { stopEventAction: stop }), action);
    });
  }

  it("every event the catalogue routes to the maintenance handler with a Scheduled status is known here", () => {
    const scheduled = CATALOGUE.filter((e) => e.routes.some((r) => r.handler === "maintenance") && e.statuses.includes("Scheduled")).map((e) => e.event);
    assert.ok(namesHandledBy("maintenance").length > 0);
    for (const type of scheduled) {
      const known = actionForEventType(type, { stopEventAction: "stop-start" });
      assert.ok(known !== undefined, `${type} has no action mapping`);
    }
  });
});

describe("redeployAnswers: RedeployInstance's own table (SDK ecs-20140526 client.ts)", () => {
  const rows: [string, EventStatus[]][] = [
    ["SystemMaintenance.Reboot", ["Inquiring", "Scheduled"]],
    ["SystemMaintenance.Redeploy", ["Inquiring", "Scheduled"]],
    ["SystemMaintenance.RebootAndIsolateErrorDisk", ["Inquiring"]],
    ["SystemMaintenance.RebootAndReInitErrorDisk", ["Inquiring"]],
    ["SystemFailure.Redeploy", ["Inquiring"]],
    ["SystemFailure.Reboot", ["Executing"]],
    ["SystemMaintenance.IsolateErrorDisk", ["Inquiring"]],
    ["SystemMaintenance.ReInitErrorDisk", ["Inquiring"]],
    ["SystemMaintenance.Stop", []],
  ];
  const all: EventStatus[] = ["Inquiring", "Scheduled", "Executing", "Executed", "Avoided", "Canceled", "Failed"];
  for (const [type, yes] of rows) {
    it(`${type}: ${yes.join(", ") || "never"}`, () => {
      assert.deepEqual(all.filter((st) => redeployAnswers(type, st)), yes);
      assert.equal(actionAllowed("RedeployInstance", type, "Unknown"), false);
    });
  }
  it("DrainOnly is never a call", () => assert.equal(actionAllowed("DrainOnly", "SystemFailure.Redeploy", "Inquiring"), false));
});

describe("decideMaintenance", () => {
  type Case = { name: string; input: Partial<MaintenanceInput>; kind: MaintenanceDecision["kind"]; check?: (d: MaintenanceDecision) => void };
  const cases: Case[] = [
    {
      name: "Scheduled + proactive → plan the first night",
      input: {},
      kind: "plan",
      check: (d) => {
        assert.ok(d.kind === "plan");
        assert.equal(d.action, "RebootInstance");
        assert.equal(d.slot.start, at8("2026-11-21 02:00"));
      },
    },
    {
      name: "Scheduled redeploy + proactive → plan RedeployInstance",
      input: { eventType: "SystemMaintenance.Redeploy" },
      kind: "plan",
      check: (d) => assert.ok(d.kind === "plan" && d.action === "RedeployInstance"),
    },
    {
      name: "Scheduled + proactive, no slot fits → notify with the reason",
      input: { notBefore: at8("2026-11-21 02:20") },
      kind: "notify",
      check: (d) => assert.ok(d.kind === "notify" && d.plan?.kind === "none" && /no-window-fits/.test(d.reason)),
    },
    {
      name: "Scheduled SystemFailure.Redeploy + proactive → drain just before notBefore, never RedeployInstance (it answers Inquiring only)",
      input: { eventType: "SystemFailure.Redeploy" },
      kind: "plan",
      check: (d) => {
        assert.ok(d.kind === "plan");
        assert.equal(d.action, "DrainOnly");
        assert.deepEqual(d.slot, { start: Date.parse("2026-11-23T18:00:00Z") - 30 * 60_000, end: Date.parse("2026-11-23T18:00:00Z") });
        assert.match(d.reason, /RedeployInstance answers SystemFailure\.Redeploy only in Inquiring/);
      },
    },
    { name: "Scheduled SystemFailure.Redeploy past notBefore → notify", input: { eventType: "SystemFailure.Redeploy", now: "2026-11-23T18:05:00Z" }, kind: "notify" },
    { name: "Scheduled Stop (default) → notify, no action", input: { eventType: "SystemMaintenance.Stop" }, kind: "notify" },
    { name: "Scheduled Stop with stop-start opt-in → plan", input: { eventType: "SystemMaintenance.Stop", stopEventAction: "stop-start" }, kind: "plan" },
    { name: "Scheduled without notBefore → notify", input: { notBefore: undefined }, kind: "notify" },
    { name: "Scheduled + notify → notify", input: { policy: "notify" }, kind: "notify" },
    { name: "Scheduled + ignore → nothing", input: { policy: "ignore" }, kind: "nothing" },
    {
      name: "Inquiring + proactive inside the window → accept now",
      input: { status: "Inquiring", now: at8("2026-11-21 03:00"), eventType: "SystemMaintenance.RebootAndIsolateErrorDisk" },
      kind: "accept-inquired",
      check: (d) => assert.ok(d.kind === "accept-inquired" && d.at === at8("2026-11-21 03:00") && d.eventId === "e-1"),
    },
    {
      name: "Inquiring + proactive outside the window → accept when it opens",
      input: { status: "Inquiring", now: at8("2026-11-21 12:00") },
      kind: "accept-inquired",
      check: (d) => assert.ok(d.kind === "accept-inquired" && d.at === at8("2026-11-22 02:00")),
    },
    { name: "Inquiring + proactive, no window before notBefore → notify", input: { status: "Inquiring", now: at8("2026-11-21 12:00"), notBefore: at8("2026-11-21 23:00") }, kind: "notify" },
    { name: "Inquiring + proactive but acceptInquiring=false → notify", input: { status: "Inquiring", acceptInquiring: false }, kind: "notify" },
    { name: "Inquiring + notify → notify", input: { status: "Inquiring", policy: "notify" }, kind: "notify" },
    { name: "Canceled with a pending action → drop + restore", input: { status: "Canceled", hasPending: true }, kind: "drop-pending-and-restore" },
    { name: "Avoided with a pending action → drop + restore", input: { status: "Avoided", hasPending: true }, kind: "drop-pending-and-restore" },
    { name: "Avoided, nothing pending, proactive → nothing", input: { status: "Avoided" }, kind: "nothing" },
    { name: "Canceled, nothing pending, notify → notify INFO", input: { status: "Canceled", policy: "notify" }, kind: "notify" },
    { name: "Executed with a pending action → verify + restore", input: { status: "Executed", hasPending: true }, kind: "verify-and-restore" },
    { name: "Executed with a pending action even under ignore → verify + restore (never leave weights at 0)", input: { status: "Executed", hasPending: true, policy: "ignore" }, kind: "verify-and-restore" },
    { name: "Canceled with a pending action under ignore → drop + restore", input: { status: "Canceled", hasPending: true, policy: "ignore" }, kind: "drop-pending-and-restore" },
    {
      name: "Failed → escalate CRITICAL",
      input: { status: "Failed", hasPending: true },
      kind: "escalate",
      check: (d) => assert.ok(d.kind === "escalate" && d.severity === "CRITICAL" && /left at 0/.test(d.reason)),
    },
    { name: "Failed under notify → escalate", input: { status: "Failed", policy: "notify" }, kind: "escalate" },
    { name: "Failed under ignore → nothing", input: { status: "Failed", policy: "ignore" }, kind: "nothing" },
    { name: "Executing → notify", input: { status: "Executing" }, kind: "notify" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideMaintenance({ ...base, ...c.input });
      assert.equal(d.kind, c.kind, JSON.stringify(d));
      assert.ok(d.reason.length > 0);
      c.check?.(d);
    });
  }

  it("decides something for every (status, policy) pair without throwing", () => {
    const statuses: EventStatus[] = ["Inquiring", "Scheduled", "Executing", "Executed", "Avoided", "Canceled", "Failed"];
    for (const status of statuses)
      for (const policy of ["proactive", "notify", "ignore"] as const)
        for (const hasPending of [true, false]) {
          const d = decideMaintenance({ ...base, status, policy, hasPending });
          assert.ok(d.kind && d.reason, `${status}/${policy}/${hasPending}`);
          if (policy === "ignore" && !hasPending) assert.equal(d.kind, "nothing", `${status}: ignore does nothing`);
        }
  });
});
