// Issue 12: property-based fuzzing of intake and of every entry. Any bytes, text or JSON value, and
// events with one field swapped for anything → `rejected` with a reason, or a legitimate outcome; never
// a throw or a hang, and no cloud change for a rejected body. Bounded: a fixed number of runs, a per-run
// timeout. FUZZ_SEED=<n> replays a run; a failure names its seed. The figures are printed at the end.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { decodeEvent } from "../../handlers/core/event";
import { INSTANCE_ID } from "../../handlers/core/ids";
import { OUTCOMES, type Outcome } from "../../handlers/core/outcome";
import { decodeDeadLetter } from "../../handlers/cloud/mns-dead-letter";
import { endpointEnv, startFakeCloud, type FakeCloud } from "../../local-cloud";
import { ensureBundles, loadBundledHandler, withEnv, type FcHandler } from "./doubles/bundled";
import { HANDLER_NAMES, cloudChanges } from "./doubles/fake-cloud-watch";
import { makeEvent } from "./doubles/harness";

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const INTAKE_RUNS = 2000;
const RUNS_PER_ENTRY = 60;
const RUN_TIMEOUT_MS = 5000;
const REGION = "cn-hangzhou";
const BUCKET = "event-ops-markers";
const DLQ = "event-ops-dlq";
const VICTIM = "i-bp1fuzzvictim";

/** Valid events for every handler, in the function's region: the starting points of the mutations. */
const seeds = (): Record<string, unknown>[] => [
  makeEvent("Instance:PreemptibleInstanceInterruption", VICTIM, { action: "delete" }),
  makeEvent("Instance:StateChange", VICTIM, { resourceId: VICTIM, state: "Deleted" }, { level: "INFO" }),
  makeEvent("Instance:SystemMaintenance.Reboot:Scheduled", VICTIM, { eventId: "e-bp1fuzz", eventType: "SystemMaintenance.Reboot", eventStatus: "Scheduled", notBefore: "2026-11-23T18:00:00Z" }, { level: "CRITICAL" }),
  makeEvent("Instance:InstanceExpiration.Delete:Scheduled", VICTIM, { eventType: "InstanceExpiration.Delete", eventStatus: "Scheduled" }, { level: "CRITICAL" }),
  makeEvent("Instance:SystemFailure.Reboot:Executing", VICTIM, { eventType: "SystemFailure.Reboot", eventStatus: "Executing" }, { level: "CRITICAL" }),
];

const FIELDS = ["id", "product", "name", "level", "regionId", "resourceId", "content", "eventTime", "time", "groupId", "ver", "userId"];
const CONTENT_FIELDS = ["instanceId", "resourceId", "eventId", "eventStatus", "eventType", "notBefore", "state", "action", "extra"];
const hostile = fc.constantFrom("x@127.0.0.1:9/#", "i-bp1/../x", "acs:ecs:cn-hangzhou:1:instance/", "I-UPPER", "", " ", "\u0000", "\uffff", "cn-shanghai", "e-../1", "9".repeat(300), "Deleted", "delete", VICTIM);
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostile, fc.string({ unit: "binary", maxLength: 80 }), fc.integer({ min: 30, max: 2000 }).map((n) => JSON.parse("[".repeat(n) + "]".repeat(n))));

/** One valid event with one envelope or content field replaced by anything, or removed, then encoded one of the ways events arrive. */
const mutatedEvent = fc
  .record({
    seed: fc.nat({ max: 4 }),
    where: fc.constantFrom("envelope", "content", "none"),
    field: fc.nat({ max: 99 }),
    remove: fc.boolean(),
    value: anyValue,
    encoding: fc.constantFrom("json", "base64", "content-string", "mns"),
  })
  .map(({ seed, where, field, remove, value, encoding }) => {
    const e: Record<string, unknown> = { ...seeds()[seed] };
    const content: Record<string, unknown> = { ...(e.content as Record<string, unknown>) };
    if (where === "envelope") {
      const k = FIELDS[field % FIELDS.length];
      if (remove) delete e[k];
      else e[k] = value;
    } else if (where === "content") {
      const k = CONTENT_FIELDS[field % CONTENT_FIELDS.length];
      if (remove) delete content[k];
      else content[k] = value;
    }
    if (where !== "envelope" || FIELDS[field % FIELDS.length] !== "content") e.content = content;
    const json = JSON.stringify(e);
    if (encoding === "base64") return Buffer.from(Buffer.from(json).toString("base64"));
    if (encoding === "content-string" && e.content && typeof e.content === "object") return Buffer.from(JSON.stringify({ ...e, content: JSON.stringify(e.content) }));
    if (encoding === "mns") return Buffer.from(JSON.stringify({ TopicOwner: "1234567890123456", TopicName: "events", Message: Buffer.from(json).toString("base64") }));
    return Buffer.from(json);
  });

/** FC's MNS-queue trigger batch (runtime/trigger-batch.ts): CloudEvents whose data.messageBody is a (mutated) event. */
const triggerBatch = fc.array(mutatedEvent, { minLength: 1, maxLength: 3 }).map((bodies) =>
  Buffer.from(JSON.stringify(bodies.map((b, i) => ({ specversion: "1.0", type: "mns:Queue:SendMessage", id: `m-${i}`, source: "MNS-fuzz", data: { messageId: `m-${i}`, messageBody: b.toString() } })))),
);

/** Anything at all: bytes, text, JSON values, deep nesting, mutated events, trigger batches of them. */
const anyBody = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 300 }).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => Buffer.from(JSON.stringify(v) ?? "null")) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 60_000 }).map((n) => Buffer.from("[".repeat(n) + "]".repeat(n))) },
  { weight: 6, arbitrary: mutatedEvent },
  { weight: 1, arbitrary: triggerBatch },
);

const figures = { intakeRuns: 0, intakeRejected: 0, intakeAccepted: 0, entryRuns: 0, byOutcome: {} as Record<string, number>, ms: 0 };

async function check(property: fc.IAsyncPropertyWithHooks<[Buffer]> | fc.IAsyncProperty<[Buffer]> | fc.IProperty<[Buffer]>, numRuns: number): Promise<void> {
  try {
    await fc.assert(property as fc.IAsyncProperty<[Buffer]>, { numRuns, seed: SEED, timeout: RUN_TIMEOUT_MS, endOnFailure: false });
  } catch (err) {
    const cause = (err as Error & { cause?: unknown }).cause;
    throw new Error(`fuzz failed; replay with FUZZ_SEED=${SEED}\n${(err as Error).message}${cause instanceof Error ? `\ncaused by: ${cause.message}` : ""}`);
  }
}

describe(`fuzzing intake and every entry (seed ${SEED})`, function () {
  this.timeout(120_000);
  let started = 0;
  before(() => (started = Date.now()));
  after(() => {
    figures.ms = Date.now() - started;
    console.log(`      fuzz figures (seed ${SEED}): ${JSON.stringify(figures)}`);
  });

  it(`intake: ${INTAKE_RUNS} bodies → an event whose fields hold their forms, or a rejection with a reason; never a throw`, async () => {
    await check(
      fc.property(anyBody, (body) => {
        const r = decodeEvent(body, { functionRegion: REGION });
        figures.intakeRuns++;
        if (!r.ok) {
          figures.intakeRejected++;
          assert.ok(r.reason.length > 0 && r.reason.length <= 4096, `a bounded reason: ${r.reason.length}`);
          return;
        }
        figures.intakeAccepted++;
        assert.equal(r.event.regionId, REGION);
        if (r.event.entry.resource === "Instance") assert.match(r.event.instanceId, INSTANCE_ID);
        assert.ok(r.event.key.length > 0 && r.event.key.length <= 200);
      }) as unknown as fc.IProperty<[Buffer]>,
      INTAKE_RUNS,
    );
    assert.equal(figures.intakeRuns, INTAKE_RUNS);
    assert.ok(figures.intakeAccepted > 0, "the mutations keep some events valid: the accepting path is exercised too");
  });

  describe("every bundled entry against the local cloud", () => {
    let fake: FakeCloud;
    before(async () => {
      await ensureBundles();
      fake = await startFakeCloud();
      const s = fake.state;
      s.addTopic("event-ops-critical");
      s.addInstance({ InstanceId: VICTIM, Tags: { "event-ops": "managed" } });
      s.addInstance({ InstanceId: "i-bp1fuzzpeer", Tags: { "event-ops": "managed" } });
      s.addLoadBalancer({ BackendServers: [{ ServerId: VICTIM, Weight: 100 }, { ServerId: "i-bp1fuzzpeer", Weight: 100 }] });
    });
    after(async () => fake.close());

    const env = () => ({
      ...endpointEnv(fake),
      SCOPE_TAG_KEY: "event-ops",
      SCOPE_TAG_VALUE: "managed",
      DRAIN_WAIT_SECONDS: "0",
      MIN_HEALTHY_BACKENDS: "0",
      IDEMPOTENCY_BUCKET: BUCKET,
      DEAD_LETTER_QUEUE: DLQ,
      ALERT_TOPIC: "event-ops-critical",
      GROUP_POLICIES: JSON.stringify({ tagKey: "app", groups: {} }),
      RETRY_BASE_DELAY_MS: "1",
      RETRY_MAX_DELAY_MS: "5",
    });
    const kept = () => fake.state.getQueue(DLQ)?.Messages.length ?? 0;

    for (const name of HANDLER_NAMES) {
      it(`${name}: ${RUNS_PER_ENTRY} bodies → rejected with a reason (kept, nothing changed) or a legitimate outcome; never a throw or a hang`, async () => {
        const handler: FcHandler = loadBundledHandler(name);
        await check(
          fc.asyncProperty(anyBody, async (body) => {
            const before = { calls: fake.callLog.count(), kept: kept() };
            const out: Outcome = await withEnv(env(), () => handler(body, { requestId: randomUUID(), function: { name, timeout: 60 }, region: REGION, accountId: "1234567890123456" }));
            figures.entryRuns++;
            figures.byOutcome[out.outcome] = (figures.byOutcome[out.outcome] ?? 0) + 1;
            // A JSON array is a queue-trigger batch (runtime/trigger-batch.ts): one outcome per message in `results`.
            const outcomes = out.results?.map((r) => r.outcome) ?? [out];
            const rejected = outcomes.filter((o) => o.outcome === "rejected");
            for (const o of outcomes) assert.ok(OUTCOMES.includes(o.outcome) && o.outcome !== "failed", `${o.outcome}: ${o.reason}; body ${body.toString().slice(0, 600)}`);
            for (const o of rejected) assert.ok(o.reason && o.reason.length > 0, "a rejection names its reason");
            assert.equal(kept(), before.kept + rejected.length, "each rejected body or message reached the DLQ");
            assert.ok((fake.state.getQueue(DLQ)?.Messages ?? []).slice(before.kept).every((m) => decodeDeadLetter(m.MessageBody).reason.startsWith("rejected: ")));
            if (rejected.length === outcomes.length) assert.deepEqual(cloudChanges(fake, before.calls, BUCKET), [], "no cloud change for a rejected body");
            if (!out.results && out.outcome !== "rejected") assert.equal(decodeEvent(body, { functionRegion: REGION }).ok, true, `${out.outcome} for a body intake rejects: ${out.reason}`);
          }),
          RUNS_PER_ENTRY,
        );
      });
    }

    it("acted on some bodies, rejected most: both paths ran", () => {
      assert.equal(figures.entryRuns, RUNS_PER_ENTRY * HANDLER_NAMES.length);
      assert.ok((figures.byOutcome.rejected ?? 0) > 0);
      assert.ok((figures.byOutcome.acted ?? 0) + (figures.byOutcome.skipped ?? 0) + (figures.byOutcome.duplicate ?? 0) > 0);
    });
  });
});
