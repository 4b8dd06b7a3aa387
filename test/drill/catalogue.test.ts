// Every catalogue event drilled on prod for an in-scope instance of every
// application group (so every group policy: proactive / notify / ignore
// maintenance, renew / notify / let-expire expiry, function / OOS spot path),
// and once for an instance outside the scope tag. One twin for all of them
// (one fake cloud, one virtual clock), so the whole matrix runs in seconds.
// Each drill must pass (what `npm run drill` exits 0 on) and leave the state
// its group's policy asks for, read from the fake: load-balancer weights,
// instance status, event status, maintenance records, queue messages, alerts
// on the declared topic and the calls the handlers made.
import * as assert from "node:assert/strict";
import { CATALOGUE, baseName, fullNames, handlersFor, type CatalogueEntry, type EventStatus } from "../../handlers/catalogue";
import { groupPoliciesSchema, type GroupPolicy } from "../../handlers/contract";
import { DESTRUCTIVE_ACTIONS } from "../../tools/drill/burst";
import { bundleExists, ensureBundles } from "../../tools/drill/bundles";
import { runDrills, type DrillPlay, type LocalDrillResult } from "../../tools/drill/local";
import { loadDrillStack, type DrillStack } from "../../tools/drill/stack";

// notBefore 12 hours out, so few reconciler ticks: one window of each proactive group (02:00–05:00 and
// 03:00–06:00 UTC+8, i.e. from 18:00 and 19:00 UTC) and the daily expiry scan (01:00 UTC) fall before it.
const START = Date.parse("2026-11-20T16:00:00Z");
const NOT_BEFORE = Date.parse("2026-11-21T04:00:00Z");

interface Cell {
  entry: CatalogueEntry;
  group: GroupPolicy;
  inScope: boolean;
  result: LocalDrillResult;
}

const succeeded = (r: LocalDrillResult, action: string) => r.calls.filter((c) => c.action === action && c.outcome.status < 300 && !c.replayed);
const mutations = (r: LocalDrillResult) => r.calls.filter((c) => (DESTRUCTIVE_ACTIONS as readonly string[]).includes(c.action) && c.outcome.status < 300);
const outcomes = (r: LocalDrillResult, handler: string) => r.timeline.flatMap((e) => (e.kind === "handler" && e.handler === handler && e.trigger === "event" ? [e] : []));
const emitted = (r: LocalDrillResult, entry: CatalogueEntry) => r.timeline.flatMap((e) => (e.kind === "event" && e.event.name.startsWith(baseName(entry)) ? [e] : []));
const alertsAbout = (r: LocalDrillResult, entry: CatalogueEntry, id: string) => r.alerts.filter((a) => JSON.stringify(a.message).includes(id) && JSON.stringify(a.message).includes(entry.event));
const routesTo = (e: CatalogueEntry, h: string) => e.routes.some((r) => r.handler === h);
/** Hour of day in UTC+8, the ECS convention for maintenance windows. */
const hourUtc8 = (ms: number) => new Date(ms + 8 * 3_600_000).getUTCHours();

describe("every catalogue event drills on prod, for every group policy", function () {
  // Seconds alone; minutes on a machine shared with other builds.
  this.timeout(600_000);
  let stack: DrillStack;
  let policies: Map<string, GroupPolicy>;
  const cells: Cell[] = [];

  before(async () => {
    await ensureBundles();
    stack = loadDrillStack("prod", { available: bundleExists });
    const env = [...stack.deployments.values()][0].env;
    const parsed = groupPoliciesSchema.parse(JSON.parse(env.GROUP_POLICIES));
    policies = new Map(Object.entries(parsed.groups));
    const scope = { [env.SCOPE_TAG_KEY]: env.SCOPE_TAG_VALUE, "eventops-drill": "true" };
    const plays: (DrillPlay & { cell: Omit<Cell, "result"> })[] = [];
    let n = 0;
    const id = () => `i-drill${String(n++).padStart(4, "0")}`;
    for (const entry of CATALOGUE) {
      for (const [tagValue, group] of policies) {
        plays.push({ event: baseName(entry), instanceIds: [id()], tags: { [parsed.tagKey]: tagValue, ...scope }, cell: { entry, group, inScope: true } });
      }
      const [tagValue, group] = [...policies][0];
      plays.push({ event: baseName(entry), instanceIds: [id()], tags: { [parsed.tagKey]: tagValue, "eventops-drill": "true" }, cell: { entry, group, inScope: false } });
    }
    const results = await runDrills({ stack, plays, start: START, at: NOT_BEFORE });
    results.forEach((result, i) => cells.push({ ...plays[i].cell, result }));
  });

  const inScope = () => cells.filter((c) => c.inScope);
  const label = (c: Cell) => `${baseName(c.entry)} × ${c.group.group}${c.inScope ? "" : " (out of scope)"}`;

  it("covers every catalogue entry for every prod group", () => {
    assert.equal(policies.size, 5);
    assert.deepEqual(new Set(inScope().map((c) => baseName(c.entry))), new Set(CATALOGUE.map(baseName)));
    assert.equal(inScope().length, CATALOGUE.length * policies.size);
  });

  it("every drill passes: no failed outcome, nothing lost or dead-lettered, no instance left drained, no record left open", () => {
    const failing = cells.filter((c) => c.result.problems.length > 0).map((c) => `${label(c)}: ${c.result.problems.join("; ")}`);
    assert.deepEqual(failing, []);
    for (const c of cells) assert.equal(c.result.invocations.started, c.result.invocations.finished, label(c));
  });

  it("plays the catalogue's own names, each delivered to the queue of its tier and, through the handlers' queues, to the handlers the catalogue names", () => {
    for (const c of inScope()) {
      const events = emitted(c.result, c.entry);
      assert.ok(events.length > 0, `${label(c)}: nothing emitted`);
      for (const e of events) {
        assert.ok(fullNames(c.entry).includes(e.event.name), `${label(c)}: ${e.event.name} is not a catalogue name`);
        assert.ok(e.routing.groups.includes(c.group.group), `${label(c)}: ${e.event.name} not in group ${c.group.group}`);
        assert.ok(e.routing.queues.length > 0, `${label(c)}: ${e.event.name} reached no queue`);
        const content = e.event.content as Record<string, unknown>;
        const expected = handlersFor(c.entry, (content.eventStatus ?? e.event.name.split(":")[2]) as EventStatus | undefined, content).filter((h) => stack.deployments.has(h));
        assert.deepEqual([...e.invoked].sort(), [...new Set(expected)].sort(), `${label(c)}: ${e.event.name}`);
        for (const h of expected) assert.ok(c.result.timeline.some((x) => x.kind === "handler" && x.handler === h && x.eventName === e.event.name), `${label(c)}: ${h} never ran for ${e.event.name}`);
      }
      // A tier's queue keeps its messages; a handler's queue is read by its trigger, which hands each message to the handler.
      const read = new Set(c.result.queues.filter((q) => q.readBy).map((q) => q.name));
      const delivered = c.result.queues.filter((q) => !read.has(q.name) && !c.result.deadLetterQueues.includes(q.name)).reduce((k, q) => k + q.depth, 0);
      const routed = c.result.timeline.reduce((k, e) => k + (e.kind === "event" ? e.routing.queues.filter((q) => !read.has(q)).length : 0), 0);
      assert.equal(delivered, routed, `${label(c)}: every message routed to a tier's queue is in it`);
      const toHandlers = c.result.timeline.reduce((k, e) => k + (e.kind === "event" ? e.routing.viaQueue.length : 0), 0);
      assert.deepEqual(c.result.deliveries, { sent: toHandlers, answered: toHandlers, waiting: 0, deadLettered: 0, lost: 0 }, `${label(c)}: every message on a handler's queue was taken off by its trigger and answered`);
    }
  });

  it("weights: a released instance is out of every load balancer; any other is back where it was", () => {
    for (const c of cells) {
      for (const i of c.result.instances) {
        if (i.instanceStatus === "released") assert.deepEqual(i.after, [], label(c));
        else assert.deepEqual(i.after, i.before, label(c));
        assert.equal(i.before.length, 3, `${label(c)}: seeded behind a CLB, a vServer group and an ALB server group`);
      }
    }
  });

  it("spot interruption: drained before release on the function path; the OOS path leaves it to the group's template", () => {
    const spot = inScope().filter((c) => routesTo(c.entry, "spot-drain"));
    assert.ok(spot.length > 0);
    for (const c of spot) {
      const [i] = c.result.instances;
      assert.equal(i.instanceStatus, "released", label(c));
      const runs = outcomes(c.result, "spot-drain").map((o) => o.outcome.outcome);
      if (c.group.spotPath === "oos") {
        assert.deepEqual(runs, ["skipped"], label(c));
        assert.equal(succeeded(c.result, "SetBackendServers").length, 0, label(c));
        assert.ok(c.result.timeline.some((e) => e.kind === "note" && /OOS template .*spot-drain/.test(e.text)), `${label(c)}: the OOS template's trigger is shown`);
      } else {
        assert.deepEqual(runs, ["acted"], label(c));
        const release = c.result.timeline.find((e) => e.kind === "event" && e.event.name === "Instance:StateChange");
        const drained = succeeded(c.result, "SetBackendServers").filter((x) => /"Weight":"?0"?[,}]/.test(x.params.BackendServers ?? ""));
        assert.ok(drained.length > 0 && release && drained[0].at < release.at, `${label(c)}: weight 0 before the release`);
      }
    }
  });

  it("maintenance: proactive acts once in the group's window or tells a person; notify tells a person; ignore does nothing", () => {
    const mnt = inScope().filter((c) => routesTo(c.entry, "maintenance"));
    assert.ok(mnt.length > 0);
    for (const c of mnt) {
      const r = c.result;
      const [i] = r.instances;
      const told = alertsAbout(r, c.entry, i.instanceId);
      const acts = [...succeeded(r, "RebootInstance"), ...succeeded(r, "RedeployInstance"), ...succeeded(r, "AcceptInquiredSystemEvent"), ...succeeded(r, "StopInstance")];
      switch (c.group.maintenance.policy) {
        case "ignore":
          assert.deepEqual(mutations(r).map((x) => x.action), [], label(c));
          assert.deepEqual(r.records, [], label(c));
          assert.equal(told.length, 0, label(c));
          break;
        case "notify":
          assert.deepEqual(mutations(r).map((x) => x.action), [], label(c));
          assert.deepEqual(r.records, [], label(c));
          assert.ok(told.length > 0, `${label(c)}: a person is told`);
          break;
        case "proactive": {
          assert.ok(acts.length <= 1, `${label(c)}: at most one action (${acts.map((x) => x.action)})`);
          assert.ok(acts.length === 1 || told.length > 0, `${label(c)}: acts, or tells a person why not`);
          const window = c.group.maintenance.window!;
          for (const a of acts) {
            const h = hourUtc8(a.at);
            assert.ok(h >= Number(window.start.slice(0, 2)) && h < Number(window.end.slice(0, 2)), `${label(c)}: ${a.action} at ${new Date(a.at).toISOString()} is outside ${window.start}–${window.end} UTC+8`);
            assert.ok(a.at < NOT_BEFORE, `${label(c)}: acted before notBefore`);
          }
          if (c.entry.event === "SystemMaintenance.Reboot") {
            assert.equal(i.finalStatus, "Avoided", `${label(c)}: our reboot in the window avoids the platform's`);
            assert.equal(succeeded(r, "RebootInstance").length, 1, label(c));
            assert.deepEqual(r.records.map((x) => [x.phase, x.outcome]), [["done", "completed"]], label(c));
          }
          break;
        }
      }
      for (const rec of r.records) assert.equal(rec.phase, "done", label(c));
    }
  });

  it("expiry: renew renews once for the group's period; notify tells a person; let-expire lets it go; an overdue account is told to top up", () => {
    const exp = inScope().filter((c) => routesTo(c.entry, "expiry"));
    assert.ok(exp.length > 0);
    for (const c of exp) {
      const r = c.result;
      const [i] = r.instances;
      const renewals = succeeded(r, "RenewInstance");
      const told = alertsAbout(r, c.entry, i.instanceId);
      if (c.entry.event.startsWith("AccountUnbalanced.")) {
        assert.equal(renewals.length, 0, label(c));
        assert.ok(told.length > 0, `${label(c)}: told to top the account up`);
        continue;
      }
      assert.ok(i.expiry, `${label(c)}: drilled as a subscription instance`);
      switch (c.group.expiry.policy) {
        case "renew": {
          assert.equal(renewals.length, 1, `${label(c)}: renewed once`);
          assert.equal(renewals[0].params.Period, String(c.group.expiry.renewMonths), label(c));
          const months = (Date.parse(i.expiry.after ?? "") - Date.parse(i.expiry.before)) / 86_400_000;
          assert.ok(months >= 28 * c.group.expiry.renewMonths && months <= 31 * c.group.expiry.renewMonths, `${label(c)}: ExpiredTime ${i.expiry.before} → ${i.expiry.after}`);
          assert.equal(i.instanceStatus, "Running", `${label(c)}: a renewed instance is not stopped or released`);
          break;
        }
        case "notify":
          assert.equal(renewals.length, 0, label(c));
          assert.ok(told.length > 0, `${label(c)}: a person is told`);
          break;
        case "let-expire":
          assert.equal(renewals.length, 0, label(c));
          assert.equal(told.length, 0, label(c));
          break;
      }
      if (c.group.expiry.policy !== "renew") assert.equal(i.instanceStatus, c.entry.event.endsWith(".Delete") ? "released" : "Stopped", `${label(c)}: the platform acts at expiry`);
    }
  });

  it("alerts go to the declared topic with mail and SMS attributes and reach its subscriptions", () => {
    const alerts = cells.flatMap((c) => c.result.alerts);
    assert.ok(alerts.length > 0);
    for (const a of alerts) {
      assert.ok(stack.declared.topics.some((t) => t.name === a.topic));
      assert.equal(a.message.severity, "CRITICAL");
      assert.ok(a.reaches.length > 0);
      assert.deepEqual(Object.keys(a.attributes ?? {}).sort(), ["DirectMail", "DirectSMS"]);
    }
  });

  it("an instance without the scope tag is never changed, only released by the platform", () => {
    for (const c of cells.filter((x) => !x.inScope)) {
      const [i] = c.result.instances;
      if (i.instanceStatus !== "released") assert.deepEqual(mutations(c.result).map((x) => x.action), [], label(c));
      assert.deepEqual(c.result.records, [], label(c));
    }
  });

  it("status-less events end with the instance as it was, unless the event is its release", () => {
    for (const c of inScope().filter((x) => x.entry.statuses.length === 0 && !routesTo(x.entry, "spot-drain"))) {
      const [i] = c.result.instances;
      assert.equal(i.instanceStatus, c.entry.event === "StateChange" ? "released" : "Running", label(c));
      if (c.entry.event === "StateChange") assert.deepEqual(outcomes(c.result, "instance-cleanup").map((o) => o.outcome.outcome), ["acted"], label(c));
      else assert.deepEqual(mutations(c.result).map((x) => x.action), [], label(c));
    }
  });
});
