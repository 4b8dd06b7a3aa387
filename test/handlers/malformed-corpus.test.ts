// Issue 12: a malformed-input corpus kept in the repository (fixtures/malformed/) → every bundled handler
// answers `rejected` with a reason, nothing throws, nothing is changed, and each body reaches the DLQ as
// received; real-world variants of the valid fixtures (fixtures/events/) → none rejected.
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeDeadLetter } from "../../handlers/cloud/mns-dead-letter";
import { endpointEnv, startFakeCloud, type FakeCloud } from "../../local-cloud";
import { ensureBundles, loadBundledHandler, withEnv, type FcHandler } from "./doubles/bundled";
import { fixture, fixtureNames } from "./doubles/harness";
import { HANDLER_NAMES, MUTATING_RPC_ACTIONS, cloudChanges } from "./doubles/fake-cloud-watch";

const CORPUS = path.join(__dirname, "fixtures", "malformed");
const BUCKET = "event-ops-markers";
const DLQ = "event-ops-dlq";

function corpus(): [string, Buffer][] {
  return fs
    .readdirSync(CORPUS)
    .filter((f) => f !== "README.md")
    .sort()
    .map((f) => [f, fs.readFileSync(path.join(CORPUS, f))]);
}

describe("malformed-input corpus and real-world variants, through every bundled handler", function () {
  this.timeout(120_000);
  let fake: FakeCloud;
  const handlers = new Map<string, FcHandler>();

  before(async () => {
    await ensureBundles();
    for (const h of HANDLER_NAMES) handlers.set(h, loadBundledHandler(h));
  });
  beforeEach(async () => (fake = await startFakeCloud()));
  afterEach(async () => fake.close());

  const env = {
    SCOPE_TAG_KEY: "event-ops",
    SCOPE_TAG_VALUE: "managed",
    DRAIN_WAIT_SECONDS: "0",
    IDEMPOTENCY_BUCKET: BUCKET,
    DEAD_LETTER_QUEUE: DLQ,
    GROUP_POLICIES: JSON.stringify({ tagKey: "app", groups: {} }),
    RETRY_BASE_DELAY_MS: "1",
    RETRY_MAX_DELAY_MS: "5",
  };
  // One stack per region, each with its own marker bucket (OSS answers a bucket only at its region's endpoint).
  const run = (handler: string, body: Buffer, region = "cn-hangzhou") =>
    withEnv({ ...endpointEnv(fake), ...env, IDEMPOTENCY_BUCKET: region === "cn-hangzhou" ? BUCKET : `${BUCKET}-${region}` }, () => handlers.get(handler)!(body, { requestId: randomUUID(), function: { name: handler, timeout: 60 }, region, accountId: "1234567890123456" }));
  const kept = () => (fake.state.getQueue(DLQ)?.Messages ?? []).map((m) => decodeDeadLetter(m.MessageBody));
  const keptBody = (k: ReturnType<typeof kept>[number]) => {
    if (!k.bodyRef) return Buffer.from(k.bodyBase64, "base64");
    const object = fake.state.getObject(BUCKET, k.bodyRef.replace(`oss://${BUCKET}/`, ""));
    return Buffer.from(object!.body.toString(), "base64");
  };

  it("holds at least the 40 bodies its README lists, for every R-row it names", () => {
    const names = corpus().map(([n]) => n);
    assert.ok(names.length >= 40, `${names.length}`);
    for (const row of ["r1-", "r3-", "r7-", "r9-"]) assert.ok(names.some((n) => n.startsWith(row)), row);
  });

  for (const handler of HANDLER_NAMES) {
    it(`${handler}: every corpus body → rejected with a reason, kept in the DLQ byte for byte, nothing changed`, async () => {
      const bodies = corpus();
      let letters = 0;
      for (const [name, body] of bodies) {
        const before = { calls: fake.callLog.count(), kept: kept().length };
        const out = await run(handler, body);
        assert.equal(out.outcome, "rejected", `${name}: ${out.outcome} ${out.reason ?? ""}`);
        assert.ok(out.reason && out.reason.length > 0 && out.reason.length <= 4096, `${name}: a bounded reason`);
        assert.deepEqual(cloudChanges(fake, before.calls, BUCKET), [], `${name}: no cloud change`);
        const added = kept().slice(before.kept);
        if (out.results) {
          // A JSON array is a queue-trigger batch (runtime/trigger-batch.ts): each message is rejected and kept alone.
          assert.ok(out.results.every((r) => r.outcome.outcome === "rejected" && r.outcome.reason), `${name}: every message rejected with a reason`);
          assert.equal(added.length, out.results.length, `${name}: one dead letter per message`);
        } else {
          assert.equal(added.length, 1, `${name}: one dead letter`);
          assert.equal(added[0].reason, `rejected: ${out.reason}`.slice(0, added[0].reason.length), name);
          assert.ok(keptBody(added[0]).equals(body), `${name}: the DLQ keeps the body as received`);
        }
        letters += added.length;
      }
      assert.equal(kept().length, letters, "nothing else dead-lettered");
      assert.ok(letters >= bodies.length, "every body reached the DLQ");
      assert.ok(MUTATING_RPC_ACTIONS.size > 5);
    });
  }

  it("real-world variants of every fixture (optional fields absent or present, base64, string content, MNS-wrapped, a BOM) are never rejected by any handler", async () => {
    let runs = 0;
    for (const name of fixtureNames()) {
      const raw = fixture(name);
      const { ver: _v, userId: _u, ...bare } = raw;
      const variants = [
        raw,
        bare,
        { ...raw, curLevel: raw.level, ruleName: "eventops-rule", groupId: "176,177", time: Date.parse("2026-11-21T00:00:00Z"), instanceName: "web-1" },
        { ...raw, content: JSON.stringify(raw.content) },
        Buffer.from(JSON.stringify(raw)).toString("base64"),
        { TopicOwner: "1234567890123456", TopicName: "events", Message: Buffer.from(JSON.stringify(raw)).toString("base64") },
        `\uFEFF${JSON.stringify(raw)}`, // a UTF-8 byte order mark first: RFC 8259 lets a parser ignore it
      ];
      for (const handler of HANDLER_NAMES) {
        for (const v of variants) {
          const out = await run(handler, Buffer.from(typeof v === "string" ? v : JSON.stringify(v)), raw.regionId as string);
          assert.notEqual(out.outcome, "rejected", `${name} → ${handler}: ${out.reason}`);
          assert.notEqual(out.outcome, "failed", `${name} → ${handler}: ${out.reason}`);
          runs++;
        }
      }
    }
    assert.equal(runs, fixtureNames().length * 7 * HANDLER_NAMES.length);
    assert.equal(kept().length, 0, "nothing dead-lettered");
  });
});
