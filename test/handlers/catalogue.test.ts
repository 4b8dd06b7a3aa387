// The event catalogue against its sources (handlers/catalogue.ts names them):
// confirmed only with a source, statuses and levels as the CloudMonitor ECS list
// gives them, the billing events kept but marked unconfirmed, and routes that
// honour content conditions.
import { strict as assert } from "node:assert";
import { CATALOGUE, baseName, handlersFor, lookup, namesHandledBy, whyNotRouted } from "../../handlers/catalogue";
import { spotDrain } from "../../handlers/spot-drain/handler";
import { IN_SCOPE, buffer, fixture, harness } from "./doubles/harness";

const entry = (name: string) => {
  const hit = lookup(name);
  assert.ok(hit, `${name} is catalogued`);
  return hit.entry;
};

describe("event catalogue", () => {
  it("marks an entry confirmed only when it names its source", () => {
    const unsourced = CATALOGUE.filter((e) => e.confirmed && !e.source?.trim()).map(baseName);
    assert.deepEqual(unsourced, []);
    const silent = CATALOGUE.filter((e) => !e.confirmed && !e.unconfirmed?.trim()).map(baseName);
    assert.deepEqual(silent, [], "an unconfirmed entry says what is open");
  });

  it("gives the disk-repair events the statuses of the CMS list (IsolateErrorDisk and ReInitErrorDisk have Failed)", () => {
    assert.ok(entry("Instance:SystemMaintenance.IsolateErrorDisk").statuses.includes("Failed"));
    assert.ok(entry("Instance:SystemMaintenance.ReInitErrorDisk").statuses.includes("Failed"));
    assert.ok(!entry("Instance:SystemMaintenance.RebootAndIsolateErrorDisk").statuses.includes("Failed"));
    assert.ok(lookup("Instance:SystemMaintenance.ReInitErrorDisk:Failed"), "the full name resolves");
    assert.ok(namesHandledBy("maintenance").includes("Instance:SystemMaintenance.IsolateErrorDisk:Failed"), "the maintenance rule routes it");
  });

  it("uses one level per event, as the CMS list does (Avoided/Canceled of maintenance stay CRITICAL)", () => {
    for (const name of ["Instance:SystemMaintenance.Reboot", "Instance:SystemMaintenance.Redeploy", "Instance:SystemFailure.Redeploy"]) {
      assert.deepEqual(entry(name).levels, ["CRITICAL"], name);
    }
    assert.deepEqual(entry("Instance:SystemMaintenance.PerformanceImpact").levels, ["WARN"]);
    assert.deepEqual(entry("Instance:Security.TpmAlert").levels, ["WARN"]);
  });

  it("keeps the billing events with statuses incl. Failed, unconfirmed; PerformanceAffect has no source at all", () => {
    for (const name of ["Instance:InstanceExpiration.Stop", "Instance:InstanceExpiration.Delete", "Instance:AccountUnbalanced.Stop", "Instance:AccountUnbalanced.Delete"]) {
      const e = entry(name);
      assert.equal(e.confirmed, false, name);
      assert.match(e.source ?? "", /DescribeInstanceHistoryEvents/, `${name}: the event type's source`);
      assert.ok(e.statuses.includes("Failed"), name);
    }
    const affect = entry("Instance:AccountUnbalanced.PerformanceAffect");
    assert.equal(affect.confirmed, false);
    assert.equal(affect.source, undefined);
    assert.match(affect.unconfirmed!, /no source/);
    assert.deepEqual(handlersFor(affect, "Scheduled", {}), ["expiry"]);
  });

  it("routes SystemFailure.Redeploy:Inquiring (where RedeployInstance answers it) and says the CMS list lacks it", () => {
    const e = entry("Instance:SystemFailure.Redeploy");
    assert.ok(e.statuses.includes("Inquiring"));
    assert.match(e.unconfirmed!, /RedeployInstance/);
    assert.deepEqual(handlersFor(e, "Inquiring", {}), ["maintenance"]);
  });

  it("drains a spot interruption only when content.action is delete (or absent: the one documented value)", () => {
    const spot = entry("Instance:PreemptibleInstanceInterruption");
    assert.deepEqual(handlersFor(spot, undefined, { action: "delete" }), ["spot-drain"]);
    assert.deepEqual(handlersFor(spot, undefined, {}), ["spot-drain"]);
    assert.deepEqual(handlersFor(spot, undefined, { action: "stop" }), []);
    assert.match(whyNotRouted(spot, "spot-drain", undefined, { action: "stop" })!, /content\.action is "stop", not "delete"/);
    assert.equal(whyNotRouted(spot, "spot-drain", undefined, { action: "delete" }), undefined);
  });

  it("explains a status condition, and says nothing for a handler no route names", () => {
    const del = entry("Instance:SystemFailure.Delete");
    assert.match(whyNotRouted(del, "instance-cleanup", "Executing", {})!, /acts on Executed only/);
    assert.equal(whyNotRouted(del, "spot-drain", "Executing", {}), undefined);
    const state = entry("Instance:StateChange");
    assert.match(whyNotRouted(state, "instance-cleanup", undefined, { state: "Stopped" })!, /content\.state is "Stopped"/);
    assert.match(whyNotRouted(state, "instance-cleanup", undefined, {})!, /content\.state is absent/);
  });

  it("a spot interruption with another action reaches spot-drain and changes nothing, saying why", async () => {
    const event = fixture("preemptible-interruption");
    const id = (event.content as { instanceId: string }).instanceId;
    const seeded = () => {
      const x = harness(spotDrain);
      x.cloud.addInstance(id, IN_SCOPE).addClb("lb-1", [{ ServerId: id, Weight: 100 }, { ServerId: "i-peer", Weight: 100 }]);
      return x;
    };
    const h = seeded();
    const out = await h.invoke(buffer({ ...event, content: { ...(event.content as object), action: "stop" } }));
    assert.equal(out.outcome, "skipped");
    assert.match(out.reason!, /content\.action is "stop", not "delete"/);
    assert.equal(h.cloud.mutations().length, 0);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((b) => [b.ServerId, b.Weight]), [[id, 100], ["i-peer", 100]]);
    const ok = seeded();
    assert.equal((await ok.invoke(buffer(event))).outcome, "acted", "the fixture's action delete is drained");
    assert.deepEqual(ok.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), ["i-peer"]);
  });
});
