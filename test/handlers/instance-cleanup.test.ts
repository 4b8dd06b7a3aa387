import { strict as assert } from "node:assert";
import { instanceCleanup } from "../../handlers/instance-cleanup/handler";
import { ApiFault } from "./doubles/memory-cloud";
import { buffer, harness, IN_SCOPE, makeEvent } from "./doubles/harness";

const GONE = "i-gone";
const deleted = () => makeEvent("Instance:StateChange", GONE, { resourceId: GONE, state: "Deleted" }, { level: "INFO" });

function seeded(env: Record<string, string> = {}) {
  const h = harness(instanceCleanup, env);
  h.cloud
    .addClb("lb-1", [{ ServerId: GONE, Weight: 100 }, { ServerId: "i-peer", Weight: 100 }], { "rsp-1": [{ ServerId: GONE, Port: 80, Weight: 100 }] })
    .addAlbGroup("sgp-1", [{ ServerId: GONE, Port: 80, Weight: 100, ServerType: "Ecs", Status: "Available" }]);
  h.cloud.scaling.set("asg-1", [GONE, "i-peer"]);
  return h;
}

describe("instance-cleanup", () => {
  it("detaches a released instance from its scaling group and removes it from every LB", async () => {
    const h = seeded();
    const out = await h.invoke(buffer(deleted()));
    assert.equal(out.outcome, "acted", out.reason);
    assert.deepEqual(h.cloud.scaling.get("asg-1"), ["i-peer"]);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.backends.map((b) => b.ServerId), ["i-peer"]);
    assert.deepEqual(h.cloud.clbs.get("lb-1")!.vServerGroups["rsp-1"], []);
    assert.deepEqual(h.cloud.albGroups.get("sgp-1"), []);
    const detach = h.cloud.mutations().find((c) => c.api.action === "DetachInstances")!;
    assert.equal(detach.params.DecreaseDesiredCapacity, false);
    assert.match(String(detach.params.ClientToken), /^[0-9a-f]{40}$/);
    assert.deepEqual(h.clock.slept, [], "no drain wait for a gone instance");
  });

  it("handles the catalogue's delete events on Executed", async () => {
    const h = seeded();
    const out = await h.invoke(buffer(makeEvent("Instance:SystemFailure.Delete:Executed", GONE, { eventStatus: "Executed" }, { level: "CRITICAL" })));
    assert.equal(out.outcome, "acted", out.reason);
    const early = await seeded().invoke(buffer(makeEvent("Instance:SystemFailure.Delete:Executing", GONE, { eventStatus: "Executing" }, { level: "CRITICAL" })));
    assert.equal(early.outcome, "skipped");
  });

  it("ignores state changes other than Deleted", async () => {
    const out = await seeded().invoke(buffer(makeEvent("Instance:StateChange", GONE, { resourceId: GONE, state: "Stopped" }, { level: "INFO" })));
    assert.equal(out.outcome, "skipped");
    assert.match(out.reason!, /does not act on Instance:StateChange/);
  });

  it("skips a still-described instance without the scope tag, and acts on one with it", async () => {
    const foreign = seeded();
    foreign.cloud.addInstance(GONE, { owner: "someone-else" });
    assert.equal((await foreign.invoke(buffer(deleted()))).outcome, "skipped");
    assert.equal(foreign.cloud.mutations().length, 0);
    const ours = seeded();
    ours.cloud.addInstance(GONE, IN_SCOPE);
    assert.equal((await ours.invoke(buffer(deleted()))).outcome, "acted");
  });

  it("tolerates memberships that vanished meanwhile", async () => {
    const h = seeded();
    h.cloud.fail("DetachInstances", () => new ApiFault("InvalidInstanceId.NotFound", 404), 1);
    // The vServer group deleted meanwhile: CLB's documented answer (code and message; core/apis.ts).
    h.cloud.fail("RemoveVServerGroupBackendServers", () => new ApiFault("InvalidParameter", 400, "code: 400, The specified VServerGroupId does not exist. request id: X"), 1);
    assert.equal((await h.invoke(buffer(deleted()))).outcome, "acted");
  });

  it("skips when nothing is left to clean", async () => {
    const h = harness(instanceCleanup);
    const out = await h.invoke(buffer(deleted()));
    assert.equal(out.outcome, "skipped");
    assert.match(out.reason!, /nothing to clean up/);
  });

  it("reuses ClientTokens on redelivery after a crash", async () => {
    const first = seeded({ DRY_RUN: "true" });
    const second = seeded({ DRY_RUN: "true" });
    const event = deleted();
    const a = await first.invoke(buffer(event));
    const b = await second.invoke(buffer(event));
    assert.deepEqual(a.actions, b.actions);
    assert.ok(a.actions.some((x) => typeof x.params.ClientToken === "string"));
  });
});
