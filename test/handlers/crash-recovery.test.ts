// Issue 12 R2: an invocation that dies after the weight-0 calls is finished by another, and no
// destructive call is made twice. A child process runs the bundled spot-drain against the local cloud
// and is killed with SIGKILL during its drain wait, once the marker records its weight-0 calls; then
// FC's retry (a redelivery) or the sweeper (the sweep timer's tick) finishes the drain. Calls are
// counted in the local cloud's call log. The bound: handlers/README.md "Crash recovery".
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MARKER_LEASE_EXTRA_SECONDS } from "../../handlers/contract";
import { endpointEnv, startFakeCloud, type FakeCloud } from "../../local-cloud";
import { bundleZipPath } from "../../tools/bundle-loader";
import { ensureBundles, loadBundledFactory, unzip, withEnv, type FcHandler } from "./doubles/bundled";
import { makeEvent } from "./doubles/harness";

const SPOT = "Instance:PreemptibleInstanceInterruption";
const TAG = { "event-ops": "managed" };
const BUCKET = "event-ops-markers";
const TIMEOUT_S = 60;
const LEASE_MS = (TIMEOUT_S + MARKER_LEASE_EXTRA_SECONDS) * 1000;
const WEIGHT = ["SetBackendServers", "SetVServerGroupAttribute", "UpdateServerGroupServersAttribute"];
const REMOVAL = ["RemoveBackendServers", "RemoveVServerGroupBackendServers", "RemoveServersFromServerGroup"];

/** Runs the bundle's handler on one body and prints its outcome: what FC does with index.js. */
const CHILD = `
const { handler } = require(process.argv[2]);
handler(Buffer.from(process.env.CRASH_BODY_B64, "base64"), JSON.parse(process.env.CRASH_CONTEXT))
  .then((o) => { process.stdout.write(JSON.stringify(o)); process.exit(0); }, (e) => { console.error(e); process.exit(1); });
`;

describe("crash recovery: SIGKILL after weight 0", function () {
  this.timeout(60_000);
  let fake: FakeCloud;
  let dir: string;
  let child: ChildProcess | undefined;

  before(async () => {
    await ensureBundles();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "crash-"));
    fs.writeFileSync(path.join(dir, "index.js"), unzip(fs.readFileSync(bundleZipPath("spot-drain"))).get("index.js")!);
    fs.writeFileSync(path.join(dir, "child.js"), CHILD);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => (fake = await startFakeCloud()));
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await fake.close();
  });

  const env = () => ({
    ...endpointEnv(fake),
    SCOPE_TAG_KEY: "event-ops",
    SCOPE_TAG_VALUE: "managed",
    DRAIN_WAIT_SECONDS: "30",
    MIN_HEALTHY_BACKENDS: "1",
    IDEMPOTENCY_BUCKET: BUCKET,
    IDEMPOTENCY_PREFIX: "markers",
    DEAD_LETTER_QUEUE: "event-ops-dlq",
    RETRY_BASE_DELAY_MS: "5",
    RETRY_MAX_DELAY_MS: "20",
  });
  const context = () => ({ requestId: randomUUID(), function: { name: "spot-drain", timeout: TIMEOUT_S }, region: "cn-hangzhou", accountId: "1234567890123456" });

  /** A victim in one CLB default group, one vServer group and two ALB server groups, each with a healthy peer. */
  function seed() {
    const s = fake.state;
    const [victim, peer] = ["i-victim", "i-victimpeer"];
    s.addInstance({ InstanceId: victim, Tags: TAG });
    s.addInstance({ InstanceId: peer, Tags: TAG });
    const lb = s.addLoadBalancer({ BackendServers: [{ ServerId: victim, Weight: 100 }, { ServerId: peer, Weight: 100 }] });
    const vg = s.addVServerGroup({ LoadBalancerId: lb.LoadBalancerId, BackendServers: [{ ServerId: victim, Port: 80 }, { ServerId: peer, Port: 80 }] });
    const albs = [8080, 8443].map((port) => s.addAlbServerGroup({ Servers: [{ ServerId: victim, Port: port, Status: "Available" }, { ServerId: peer, Port: port, Status: "Available" }] }));
    const where = () => [
      ...(s.getLoadBalancer(lb.LoadBalancerId)!.BackendServers.some((b) => b.ServerId === victim) ? [lb.LoadBalancerId] : []),
      ...(s.getVServerGroup(vg.VServerGroupId)!.BackendServers.some((b) => b.ServerId === victim) ? [vg.VServerGroupId] : []),
      ...albs.filter((g) => s.getAlbServerGroup(g.ServerGroupId)!.Servers.some((b) => b.ServerId === victim)).map((g) => g.ServerGroupId),
    ];
    const weights = () => [
      ...s.getLoadBalancer(lb.LoadBalancerId)!.BackendServers.filter((b) => b.ServerId === victim).map((b) => b.Weight),
      ...s.getVServerGroup(vg.VServerGroupId)!.BackendServers.filter((b) => b.ServerId === victim).map((b) => b.Weight),
      ...albs.flatMap((g) => s.getAlbServerGroup(g.ServerGroupId)!.Servers.filter((b) => b.ServerId === victim).map((b) => b.Weight)),
    ];
    return { victim, where, weights, targets: 4 };
  }

  const objects = () => [...(fake.state.buckets.get(BUCKET)?.entries() ?? [])].map(([key, o]) => ({ key, body: JSON.parse(o.body.toString()) }));
  const markers = () => objects().filter((o) => !o.key.includes("/~claims/")).map((o) => ({ key: o.key, ...o.body }));
  /** Calls the cloud acted on: successful and not a ClientToken replay (an idempotent re-send is no second action). */
  const acted = (actions: string[]) => actions.flatMap((a) => fake.callLog.succeeded(a)).filter((c) => !c.replayed);
  const sent = (actions: string[]) => actions.reduce((n, a) => n + fake.callLog.count(a), 0);

  /** Starts the child on `event` and SIGKILLs it once its marker records every weight-0 call (it is then in the drain wait). */
  async function crashAfterWeightZero(event: Record<string, unknown>, targets: number): Promise<void> {
    child = spawn(process.execPath, [path.join(dir, "child.js"), path.join(dir, "index.js")], {
      env: { ...process.env, ...env(), CRASH_BODY_B64: Buffer.from(JSON.stringify(event)).toString("base64"), CRASH_CONTEXT: JSON.stringify(context()) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const progress = markers()[0]?.progress as Record<string, unknown> | undefined;
      if (progress && Object.keys(progress).length >= targets) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child never recorded its weight-0 calls: ${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL", "a real process kill");
  }

  /** The bundle's handler on a clock `aheadMs` in the future (the lease has run out there); sleeps pass at once. */
  function later(aheadMs: number): { handler: FcHandler; now: () => number } {
    let offset = aheadMs;
    const clock = { now: () => Date.now() + offset, sleep: async (ms: number) => void (offset += ms) };
    return { handler: loadBundledFactory("spot-drain")(clock), now: clock.now };
  }
  const run = (handler: FcHandler, body: unknown) => withEnv(env(), () => handler(Buffer.from(JSON.stringify(body)), context()));

  function assertDrainedOnce(s: ReturnType<typeof seed>) {
    assert.deepEqual(s.where(), [], "out of every load balancer");
    assert.equal(sent(WEIGHT), s.targets, "weight 0 was sent once per target, never again after the crash");
    assert.equal(acted(REMOVAL).length, s.targets, "one removal per target");
    assert.equal(sent(REMOVAL), s.targets, "no removal re-sent");
  }

  it("the sweeper finishes the drain at its first tick after the lease, repeating no destructive call", async () => {
    const s = seed();
    const event = makeEvent(SPOT, s.victim, { action: "delete" });
    await crashAfterWeightZero(event, s.targets);
    assert.equal(s.where().length, s.targets, "killed before removal: still a backend everywhere");
    assert.deepEqual(s.weights(), [0, 0, 0, 0], "…at weight 0");
    const [claimed] = markers();
    assert.equal(claimed.state, "claimed");
    assert.equal(Object.keys(claimed.progress).length, s.targets, "the marker records each weight-0 call");

    // FC's retry arrives while the dead owner's lease still runs: it must not act (the owner might be alive).
    const retry = await run(later(0).handler, event);
    assert.equal(retry.outcome, "duplicate");
    assert.equal(s.where().length, s.targets);

    // A tick before the lease ends resumes nothing; the first tick after it finishes the drain.
    const early = await run(later(LEASE_MS - 5_000).handler, { sweep: true });
    assert.equal(early.outcome, "skipped", early.reason);
    assert.equal(s.where().length, s.targets);
    const tickAt = Date.parse(claimed.leaseExpiresAt) + 60_000 - Date.now(); // at most one tick interval (@every 1m) after expiry
    const sweeper = later(tickAt);
    const tick = await run(sweeper.handler, { sweep: true });
    assert.equal(tick.outcome, "acted", tick.reason);
    assert.equal(tick.eventId.split("/")[0], "sweep");
    assert.match(tick.reason!, new RegExp(`resumed 1: ${event.id} acted`));
    assertDrainedOnce(s);
    const done = markers().find((m) => m.state === "done")!;
    assert.equal(done.generation, 1, "taken over as the next generation");
    const finishedAfterClaimMs = sweeper.now() - Date.parse(claimed.claimedAt);
    assert.ok(finishedAfterClaimMs <= 2 * TIMEOUT_S * 1000 + 2 * 60_000, `finished ${finishedAfterClaimMs} ms after the claim; bound 2 × timeout + 120 s`);

    // Later ticks and redeliveries change nothing more.
    assert.equal((await run(later(tickAt + 60_000).handler, { sweep: true })).outcome, "skipped");
    assert.equal((await run(later(tickAt + 60_000).handler, event)).outcome, "duplicate");
    assertDrainedOnce(s);
  });

  it("a redelivery that arrives after the lease finishes the drain itself, repeating no destructive call", async () => {
    const s = seed();
    const event = makeEvent(SPOT, s.victim, { action: "delete" });
    await crashAfterWeightZero(event, s.targets);
    const redelivery = await run(later(LEASE_MS + 1_000).handler, event);
    assert.equal(redelivery.outcome, "acted", redelivery.reason);
    assert.match(redelivery.warnings!.join("\n"), /resumed: 4 call\(s\) an earlier attempt completed were not sent again/);
    assertDrainedOnce(s);
    // The sweeper sees it done and leaves it.
    const tick = await run(later(LEASE_MS + 61_000).handler, { sweep: true });
    assert.equal(tick.outcome, "skipped", tick.reason);
    assertDrainedOnce(s);
  });
});
