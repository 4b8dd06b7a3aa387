// The live drill against the fake cloud, through the handlers' RPC adapter:
// it creates, follows and cancels its simulated events, also when interrupted,
// and refuses what it should refuse. Assertions read the fake's event state.
import * as assert from "node:assert/strict";
import { endpointEnv, FakeClock, startFakeCloud, type FakeCloud } from "../../local-cloud";
import { drillCloud } from "../../tools/drill/cloud";
import { DrillError, runLiveDrill, type LiveDrillOptions } from "../../tools/drill/live";

const HOUR = 3600_000;

describe("live drill against the fake cloud", function () {
  this.timeout(60_000);
  let fake: FakeCloud;
  let clock: FakeClock;
  let lines: string[];

  beforeEach(async () => {
    clock = new FakeClock("2026-11-20T00:00:00Z");
    fake = await startFakeCloud({ clock });
    lines = [];
  });
  afterEach(async () => {
    await fake.close();
  });

  const seed = (n: number, tags: Record<string, string> = { "eventops-drill": "true" }) =>
    Array.from({ length: n }, (_, i) => fake.state.addInstance({ InstanceId: `i-drill${String(i).padStart(4, "0")}`, Tags: tags }).InstanceId);
  const options = (over: Partial<LiveDrillOptions>): LiveDrillOptions => ({
    cloud: drillCloud({ env: endpointEnv(fake), credentials: { accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret } }),
    regionId: "cn-hangzhou",
    eventType: "SystemMaintenance.Reboot",
    notBefore: new Date(clock.now() + HOUR),
    yes: false,
    pollMs: 10 * 60_000,
    now: () => clock.now(),
    sleep: async (ms) => void clock.advance(ms),
    log: (l) => lines.push(l),
    ...over,
  });
  const drillEvents = () => [...fake.state.events.values()].filter((e) => e.Simulated);

  it("creates, follows Scheduled → Executing → Executed, and has nothing left to cancel", async () => {
    const ids = seed(3);
    const r = await runLiveDrill(options({ instanceIds: ids }));
    assert.equal(r.created, 3);
    assert.deepEqual(r.events.map((e) => e.statuses), [0, 1, 2].map(() => ["Scheduled", "Executing", "Executed"]));
    assert.equal(r.canceled, 0);
    assert.deepEqual(drillEvents().map((e) => e.Status), ["Executed", "Executed", "Executed"]);
    // Following needs the status filter, or Scheduled/Executing would never show.
    const follow = fake.calls("DescribeInstanceHistoryEvents")[0];
    assert.equal(follow.params["InstanceEventCycleStatus.1"], "Inquiring");
    assert.equal(fake.calls("CreateSimulatedSystemEvents")[0].params.TriggerRealOps, undefined, "never TriggerRealOps");
  });

  it("cancels what is still open when following ends", async () => {
    const ids = seed(2);
    const r = await runLiveDrill(options({ instanceIds: ids, followMs: 20 * 60_000 }));
    assert.equal(r.canceled, 2);
    assert.deepEqual(r.events.map((e) => e.final), ["Canceled", "Canceled"]);
    assert.deepEqual(drillEvents().map((e) => e.Status), ["Canceled", "Canceled"]);
  });

  it("cancels everything it created when interrupted (SIGINT/SIGTERM abort the signal)", async () => {
    const ids = seed(4);
    const interrupt = new AbortController();
    const r = await runLiveDrill(
      options({
        instanceIds: ids,
        signal: interrupt.signal,
        sleep: async (ms) => {
          clock.advance(ms);
          interrupt.abort();
        },
      }),
    );
    assert.equal(r.interrupted, true);
    assert.equal(r.canceled, 4);
    assert.deepEqual(drillEvents().map((e) => e.Status), ["Canceled", "Canceled", "Canceled", "Canceled"]);
    assert.ok(lines.some((l) => /interrupted: cancelling/.test(l)));
  });

  it("creates in batches of at most 100 instances, selecting by tag", async () => {
    seed(250);
    fake.state.addInstance({ InstanceId: "i-not-a-drill", Tags: { app: "checkout" } });
    const r = await runLiveDrill(options({ tag: { key: "eventops-drill", value: "true" }, yes: true, followMs: 0 }));
    assert.equal(r.created, 250);
    assert.ok(!r.instances.includes("i-not-a-drill"));
    const creates = fake.calls("CreateSimulatedSystemEvents");
    assert.deepEqual(creates.map((c) => Object.keys(c.params).filter((k) => k.startsWith("InstanceId.")).length), [100, 100, 50]);
    assert.equal(r.canceled, 250);
    assert.ok(fake.calls("CancelSimulatedSystemEvents").every((c) => Object.keys(c.params).filter((k) => k.startsWith("EventId.")).length <= 100));
  });

  it("stops at the 1000-event quota with a clear error and cancels what it had created", async () => {
    const filler = seed(900, { filler: "yes" });
    for (const id of filler) fake.addSystemEvent({ InstanceId: id, EventType: "SystemMaintenance.Reboot", Simulated: true, NotBefore: clock.now() + 10 * HOUR });
    const ids = Array.from({ length: 150 }, (_, i) => fake.state.addInstance({ InstanceId: `i-quota${i}`, Tags: { "eventops-drill": "true" } }).InstanceId);
    const r = await runLiveDrill(options({ instanceIds: ids, yes: true, followMs: 0 }));
    assert.equal(r.created, 100);
    assert.equal(r.stoppedBy?.code, "SimulatedEventLimitExceeded");
    assert.match(r.stoppedBy!.message, /maximum of 1000 scheduled simulated events/);
    assert.equal(r.canceled, 100);
    assert.equal(drillEvents().filter((e) => e.Status === "Canceled").length, 100);
  });

  it("explains InvalidNotBefore.Passed when the cloud's clock disagrees", async () => {
    const ids = seed(1);
    const r = await runLiveDrill(options({ instanceIds: ids, notBefore: new Date(clock.now() - HOUR), now: () => clock.now() - 2 * HOUR }));
    assert.equal(r.created, 0);
    assert.equal(r.stoppedBy?.code, "InvalidNotBefore.Passed");
    assert.match(r.stoppedBy!.message, /already in the past/);
  });

  const refusals: [string, (ids: string[]) => Partial<LiveDrillOptions>, RegExp][] = [
    ["more than 5 instances without --yes", (ids) => ({ instanceIds: ids }), /6 instances: a drill of more than 5 instances needs --yes/],
    ["an instance that does not exist", (ids) => ({ instanceIds: [...ids.slice(0, 1), "i-nope"] }), /not found in this region: i-nope .*InvalidInstanceId\.NotFound/],
    ["a NotBefore in the past", (ids) => ({ instanceIds: ids.slice(0, 1), notBefore: new Date(clock.now() - 1000) }), /not in the future/],
    ["an event the API cannot simulate", (ids) => ({ instanceIds: ids.slice(0, 1), eventType: "Instance:PreemptibleInstanceInterruption" }), /cannot be simulated.*local drill/],
  ];
  for (const [title, over, message] of refusals) {
    it(`refuses ${title}, creating nothing`, async () => {
      const ids = seed(6);
      await assert.rejects(runLiveDrill(options(over(ids))), (e: unknown) => e instanceof DrillError && message.test(e.message));
      assert.equal(fake.calls("CreateSimulatedSystemEvents").length, 0);
    });
  }

  it("refuses instances not tagged as drill instances unless --yes", async () => {
    const ids = seed(2, { app: "checkout" });
    await assert.rejects(runLiveDrill(options({ instanceIds: ids })), /not tagged as drill instances \(eventops-drill=true\)/);
    const r = await runLiveDrill(options({ instanceIds: ids, yes: true, followMs: 0 }));
    assert.equal(r.created, 2);
  });
});
