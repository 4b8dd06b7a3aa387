import { strict as assert } from "node:assert";
import { spotDrain } from "../../handlers/spot-drain/handler";
import { stateRecord } from "../../handlers/state-record/handler";
import { instanceCleanup } from "../../handlers/instance-cleanup/handler";
import { OUTCOMES } from "../../handlers/core/outcome";
import { ALERT_APIS } from "../../handlers/core/apis";
import type { EventHandler } from "../../handlers/core/handler";
import { ECS } from "../../handlers/core/apis";
import { ApiFault } from "./doubles/memory-cloud";
import { buffer, fixture, fixtureNames, harness, IN_SCOPE, makeEvent } from "./doubles/harness";

const SPOT = "Instance:PreemptibleInstanceInterruption";

function spotHarness(env: Record<string, string> = {}) {
  const h = harness(spotDrain, env);
  h.cloud.addInstance("i-1", IN_SCOPE).addClb("lb-1", [{ ServerId: "i-1", Weight: 100 }, { ServerId: "i-2", Weight: 100 }]);
  return h;
}

describe("invocation", () => {
  describe("each fixture gets the right outcome from each handler", () => {
    // What the catalogue routes where; everything else is skipped with a reason.
    const expected: Record<string, Record<string, string>> = {
      "preemptible-interruption": { "spot-drain": "acted", "instance-cleanup": "skipped", "state-record": "skipped" },
      "state-change-deleted": { "spot-drain": "skipped", "instance-cleanup": "acted", "state-record": "acted" },
      "system-failure-reboot-executing": { "spot-drain": "skipped", "instance-cleanup": "skipped", "state-record": "acted" },
      "maintenance-reboot-scheduled": { "spot-drain": "skipped", "instance-cleanup": "skipped", "state-record": "skipped" },
      "maintenance-reboot-executed": { "spot-drain": "skipped", "instance-cleanup": "skipped", "state-record": "skipped" },
      "burstable-restricted": { "spot-drain": "skipped", "instance-cleanup": "skipped", "state-record": "skipped" },
    };
    it("covers every fixture", () => assert.deepEqual(Object.keys(expected).sort(), fixtureNames()));
    for (const name of fixtureNames()) {
      for (const handler of [spotDrain, instanceCleanup, stateRecord]) {
        it(`${name} → ${handler.name}: ${expected[name]?.[handler.name]}`, async () => {
          const raw = fixture(name);
          const content = raw.content as Record<string, string>;
          const instanceId = content.instanceId ?? content.resourceId;
          const h = harness(handler);
          h.cloud.addInstance(instanceId, IN_SCOPE).addClb("lb-1", [{ ServerId: instanceId, Weight: 100 }, { ServerId: "i-peer", Weight: 100 }]);
          if (handler === instanceCleanup) h.cloud.instances.delete(instanceId);
          const out = await h.invoke(buffer(raw));
          assert.equal(out.outcome, expected[name][handler.name], out.reason);
          assert.ok(out.reason, "every outcome says why");
          assert.equal(out.eventId, raw.id);
          assert.equal(out.instanceId, instanceId);
        });
      }
    }
  });

  it("acts once when the same event is delivered three times", async () => {
    const h = spotHarness();
    const body = buffer(makeEvent(SPOT, "i-1"));
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await h.invoke(body)).outcome);
    assert.deepEqual(outcomes, ["acted", "duplicate", "duplicate"]);
    assert.equal(h.cloud.mutations().length, 2); // one weight change, one removal
  });

  it("acts once when the same event arrives twice at the same moment", async () => {
    const h = spotHarness();
    const body = buffer(makeEvent(SPOT, "i-1"));
    const outcomes = (await Promise.all([h.invoke(body), h.invoke(body)])).map((o) => o.outcome).sort();
    assert.deepEqual(outcomes, ["acted", "duplicate"]);
    assert.equal(h.cloud.mutations().length, 2);
  });

  it("lets a later invocation take over an event whose owner crashed (lease expired, not done)", async () => {
    const h = spotHarness();
    const event = makeEvent(SPOT, "i-1");
    await h.store.putIfAbsent(`event-ops/markers/spot-drain/${event.id}`, JSON.stringify({ state: "claimed", owner: "crashed", generation: 0, claimedAt: "x", leaseExpiresAt: new Date(h.clock.now() - 1).toISOString() }));
    const out = await h.invoke(buffer(event));
    assert.equal(out.outcome, "acted", out.reason);
    const takeover = JSON.parse(h.store.objects.get(`event-ops/markers/spot-drain/${event.id}/takeover-1`)!);
    assert.equal(takeover.state, "done");
    assert.equal((await h.invoke(buffer(event))).outcome, "duplicate");
  });

  it("treats a live lease held by another invocation as a duplicate", async () => {
    const h = spotHarness();
    const event = makeEvent(SPOT, "i-1");
    await h.store.putIfAbsent(`event-ops/markers/spot-drain/${event.id}`, JSON.stringify({ state: "claimed", owner: "other", generation: 0, claimedAt: "x", leaseExpiresAt: new Date(h.clock.now() + 60_000).toISOString() }));
    const out = await h.invoke(buffer(event));
    assert.equal(out.outcome, "duplicate");
    assert.match(out.reason!, /in progress by other/);
    assert.equal(h.cloud.mutations().length, 0);
  });

  it("ends a permanent failure as `failed`, keeps the message and error in the DLQ, and lets a replay retry", async () => {
    const h = spotHarness();
    h.cloud.fail("RemoveBackendServers", () => new ApiFault("Forbidden.RAM", 403, "not allowed"), 1);
    const event = makeEvent(SPOT, "i-1");
    const body = buffer(event);
    const out = await h.invoke(body);
    assert.equal(out.outcome, "failed");
    assert.match(out.reason!, /not allowed/);
    assert.equal(h.dlq.records.length, 1);
    const kept = h.dlq.records[0];
    assert.equal(Buffer.from(kept.bodyBase64, "base64").toString(), body.toString());
    assert.equal(kept.error?.code, "Forbidden.RAM");
    assert.match(kept.reason, /^failed: /);
    assert.equal(JSON.parse(h.store.objects.get(`event-ops/markers/spot-drain/${event.id}`)!).state, "failed");
    // A replay from the DLQ may try again.
    const replay = await h.invoke(body);
    assert.equal(replay.outcome, "acted", replay.reason);
  });

  it("throws only when the dead-letter write itself fails, releasing the marker for the retry", async () => {
    const h = spotHarness();
    h.cloud.fail("RemoveBackendServers", () => new ApiFault("Forbidden.RAM", 403), 1);
    h.dlq.broken = new Error("mns down");
    const event = makeEvent(SPOT, "i-1");
    await assert.rejects(h.invoke(buffer(event)), /could not keep failed event .* \(mns down\); original failure/);
    assert.equal(JSON.parse(h.store.objects.get(`event-ops/markers/spot-drain/${event.id}`)!).state, "released");
    h.dlq.broken = undefined;
    assert.equal((await h.invoke(buffer(event))).outcome, "acted");
  });

  const malformed: [string, unknown][] = [
    ["invalid JSON", Buffer.from("{oops")],
    ["wrong types", buffer({ ...makeEvent(SPOT, "i-1"), level: 5, content: [] })],
    ["an unknown name", buffer(makeEvent("Instance:Vanished", "i-1"))],
    ["an empty body", Buffer.alloc(0)],
    ["a huge body", Buffer.alloc(200 * 1024, 0x41)],
  ];
  for (const [what, body] of malformed) {
    it(`rejects ${what} with a reason and keeps it in the DLQ`, async () => {
      const h = spotHarness();
      const out = await h.invoke(body);
      assert.equal(out.outcome, "rejected");
      assert.ok(out.reason && out.reason.length > 5);
      assert.equal(h.dlq.records.length, 1);
      assert.equal(h.dlq.records[0].bodyBase64, Buffer.from(body as Buffer).toString("base64"));
      assert.equal(h.dlq.records[0].reason, `rejected: ${out.reason}`);
      assert.equal(h.cloud.calls.length, 0);
    });
  }

  it("throws on a rejected event only when the DLQ write fails (never drops it)", async () => {
    const h = spotHarness();
    h.dlq.broken = new Error("queue missing");
    await assert.rejects(h.invoke(Buffer.from("nope")), /queue missing/);
  });

  it("routes ctx.alerts to ALERT_TOPIC for handlers listing ALERT_APIS; the others' alerts are not delivered and say why", async () => {
    const alerting = (apis: EventHandler["apis"]): EventHandler => ({
      ...stateRecord,
      apis,
      run: async (ctx) => {
        try {
          await ctx.alerts.critical({ name: "EventOps:Test", summary: "test alert", detail: { why: "test" } });
        } catch (err) {
          return { outcome: "acted", reason: "alert failed", warnings: [(err as Error).message] };
        }
        return { outcome: "acted", reason: "alerted" };
      },
    });
    const event = fixture("system-failure-reboot-executing");
    const viaTopic = harness(alerting(ALERT_APIS));
    const sent = await viaTopic.invoke(buffer(event));
    assert.equal(sent.reason, "alerted");
    assert.deepEqual(viaTopic.topics.messages("event-ops-critical").map((m) => [m.alert, m.summary, m.handler, (m.detail as { why: string }).why]), [["EventOps:Test", "[CRITICAL] test alert", "state-record", "test"]]);
    assert.equal(viaTopic.cloud.customEvents.length, 0);

    const undeclared = harness(alerting([]));
    const out = await undeclared.invoke(buffer(event));
    assert.deepEqual(out.warnings, ["CRITICAL alert EventOps:Test NOT delivered: state-record does not list ALERT_APIS (mns:PublishMessage) in its apis"]);
    assert.equal(undeclared.topics.published.size, 0);
    assert.equal(undeclared.cloud.calls.length, 0, "no CMS custom event either");
  });

  describe("a timer tick runs through the same runtime", () => {
    // A handler named `maintenance` has a timer in the contract (contract/timers.ts); this one records what the runtime hands it.
    const ticking = (onTimer: EventHandler["onTimer"]): EventHandler => ({ ...stateRecord, name: "maintenance", apis: [ECS.rebootInstance, ...ALERT_APIS], destructive: true, onTimer });
    const envelope = (payload: unknown) => buffer({ triggerTime: "2026-11-21T00:30:00Z", triggerName: "maintenance-reconcile", payload: JSON.stringify(payload) });

    it("tells a tick (bare or in FC's trigger envelope) from an event, and reports it with the timer's ids, actions and timings", async () => {
      const seen: string[] = [];
      const h = harness(
        ticking(async (ctx) => {
          seen.push(`${ctx.regionId} ${ctx.tickId} ${ctx.requestId}`);
          const cloud = ctx.gateway("maintenance/e-1", "cn-shanghai");
          await cloud.mutate(ECS.rebootInstance, { RegionId: "cn-shanghai", InstanceId: "i-1" }, "i-1");
          await ctx.alerts(cloud, { eventId: "e-1", instanceId: "i-1" }).critical({ name: "EventOps:Test", summary: "tick alert", detail: {} });
          return { outcome: "acted", reason: "ticked", warnings: [] };
        }),
      );
      h.cloud.addInstance("i-1", IN_SCOPE);
      for (const body of [buffer({ reconcile: true }), envelope({ reconcile: true })]) {
        const out = await h.invoke(body, "req-tick");
        assert.equal(out.outcome, "acted", out.reason);
        assert.equal(out.eventId, "reconcile/req-tick");
        assert.equal(out.name, "timer:reconcile");
        assert.equal(out.warnings, undefined, "no empty warning list");
        assert.deepEqual(out.actions.map((a) => [a.action, a.params.InstanceId ?? a.params.TopicName]), [["RebootInstance", "i-1"], ["PublishMessage", "event-ops-critical"]]);
        assert.deepEqual(Object.keys(out.timings ?? {}), ["totalMs", "apiMs", "waitMs"]);
      }
      assert.deepEqual(seen, ["cn-hangzhou reconcile/req-tick req-tick", "cn-hangzhou reconcile/req-tick req-tick"]);
      assert.deepEqual(h.cloud.mutations().map((c) => [c.api.action, c.regionId]), [["RebootInstance", "cn-shanghai"], ["RebootInstance", "cn-shanghai"]]);
      assert.deepEqual(h.cloud.reboots, ["i-1", "i-1"]);
      assert.deepEqual(h.topics.messages("event-ops-critical").map((m) => [m.handler, m.eventId, m.instanceId]), [["maintenance", "e-1", "i-1"], ["maintenance", "e-1", "i-1"]]);
      assert.deepEqual(h.store.markers(), [], "a tick claims no marker (the sweep keeps only its journal cursor)");
      assert.equal(h.dlq.records.length, 0);
    });

    it("maps acted to dry-run under DRY_RUN, and sends nothing", async () => {
      const h = harness(
        ticking(async (ctx) => {
          await ctx.gateway("k", ctx.regionId).mutate(ECS.rebootInstance, { InstanceId: "i-1" }, "i-1");
          return { outcome: "acted" };
        }),
        { DRY_RUN: "true" },
      );
      const out = await h.invoke(buffer({ reconcile: true }));
      assert.equal(out.outcome, "dry-run");
      assert.equal(out.actions.length, 1);
      assert.equal(h.cloud.calls.length, 0);
      assert.deepEqual(h.cloud.reboots, []);
    });

    it("reports a failed tick with the actions made so far, and dead-letters nothing: the next tick is the retry", async () => {
      const h = harness(
        ticking(async (ctx) => {
          await ctx.gateway("k", ctx.regionId).mutate(ECS.rebootInstance, { InstanceId: "i-1" }, "i-1");
          throw new Error("index unreadable");
        }),
      );
      h.cloud.addInstance("i-1", IN_SCOPE);
      const out = await h.invoke(buffer({ reconcile: true }), "req-9");
      assert.equal(out.outcome, "failed");
      assert.equal(out.reason, "index unreadable");
      assert.equal(out.eventId, "reconcile/req-9");
      assert.deepEqual(out.actions.map((a) => a.action), ["RebootInstance"]);
      assert.deepEqual(h.cloud.reboots, ["i-1"]);
      assert.equal(h.dlq.records.length, 0);
    });

    it("treats another timer's payload, or any payload for a handler without onTimer, as an event (rejected and kept)", async () => {
      let ticks = 0;
      const h = harness(ticking(async () => (ticks++, { outcome: "skipped" })));
      const other = await h.invoke(buffer({ scan: "expiry" }));
      assert.equal(other.outcome, "rejected");
      assert.equal(ticks, 0);
      const plain = harness(stateRecord);
      assert.equal((await plain.invoke(buffer({ reconcile: true }))).outcome, "rejected");
      assert.equal(plain.dlq.records.length, 1);
      assert.equal(h.dlq.records.length, 1);
    });
  });

  it("never leaves the outcome contract", async () => {
    const h = spotHarness();
    const out = await h.invoke(buffer(makeEvent(SPOT, "i-1")));
    assert.ok(OUTCOMES.includes(out.outcome));
    assert.deepEqual(Object.keys(out).sort(), ["actions", "durationMs", "eventId", "handler", "instanceId", "name", "outcome", "reason", "timings", "warnings"].filter((k) => k in out).sort());
    for (const a of out.actions) assert.deepEqual(Object.keys(a).sort(), ["action", "params", "product"]);
    // Every kind of outcome carries its timings.
    const rejected = await h.invoke(Buffer.from("nope"));
    const duplicate = await h.invoke(buffer(makeEvent(SPOT, "i-1", {}, { id: out.eventId })));
    // A drain that set a weight 0 also says when the first one applied.
    assert.deepEqual(Object.keys(out.timings ?? {}), ["totalMs", "apiMs", "waitMs", "firstWeightZeroMs"], out.outcome);
    for (const o of [rejected, duplicate]) assert.deepEqual(Object.keys(o.timings ?? {}), ["totalMs", "apiMs", "waitMs"], o.outcome);
  });
});
