import { strict as assert } from "node:assert";
import { decodeEvent, MAX_BODY_BYTES, parseEventTime } from "../../handlers/core/event";
import { fixture, fixtureNames, makeEvent } from "./doubles/harness";

const ok = (body: unknown) => {
  const r = decodeEvent(body);
  if (!r.ok) assert.fail(`expected accepted, got rejected: ${r.reason}`);
  return r.event;
};
const rejected = (body: unknown) => {
  const r = decodeEvent(body);
  assert.equal(r.ok, false, "expected a rejection");
  return (r as { reason: string }).reason;
};

describe("event intake", () => {
  for (const name of fixtureNames()) {
    it(`accepts fixture ${name} as Buffer, string, base64 and object alike`, () => {
      const raw = fixture(name);
      const json = JSON.stringify(raw);
      const events = [Buffer.from(json), json, Buffer.from(json).toString("base64"), raw].map(ok);
      for (const e of events) assert.deepEqual(e, events[0]);
      assert.equal(events[0].name, raw.name);
      assert.match(events[0].instanceId, /^i-/);
    });
  }

  it("parses content given as a JSON string and keeps unknown fields harmlessly", () => {
    const raw = makeEvent("Instance:PreemptibleInstanceInterruption", "i-1", { action: "delete" }, { ruleName: "r", curLevel: "WARN", serviceType: "ECS" });
    const e = ok({ ...raw, content: JSON.stringify(raw.content) });
    assert.deepEqual(e.content, { instanceId: "i-1", action: "delete" });
  });

  it("accepts CMS-record variants: epoch-ms `time`, comma-separated groupId", () => {
    const raw = makeEvent("Instance:StateChange", "i-2", { state: "Deleted" });
    delete raw.eventTime;
    const e = ok({ ...raw, time: "1763685000000", groupId: "176,177" });
    assert.equal(e.eventTimeMs, 1763685000000);
    assert.deepEqual(e.groupIds, ["176", "177"]);
  });

  it("finds the instance id in content.instanceId, content.resourceId, or the ARN", () => {
    const raw = makeEvent("Instance:StateChange", "ignored");
    assert.equal(ok({ ...raw, content: { instanceId: "i-a", resourceId: "i-b" } }).instanceId, "i-a");
    assert.equal(ok({ ...raw, content: { resourceId: "i-b", state: "Deleted" } }).instanceId, "i-b");
    assert.equal(ok({ ...raw, content: {} }).instanceId, "ignored");
  });

  it("trusts content.eventStatus over the name suffix", () => {
    const raw = makeEvent("Instance:SystemMaintenance.Reboot:Scheduled", "i-3", { eventStatus: "Avoided" });
    assert.equal(ok(raw).status, "Avoided");
    assert.equal(ok({ ...raw, content: { instanceId: "i-3" } }).status, "Scheduled");
  });

  it("keys events by id and status, else by a hash that ignores key order", () => {
    const raw = makeEvent("Instance:SystemMaintenance.Reboot:Scheduled", "i-4", { eventStatus: "Executing" });
    assert.equal(ok(raw).key, `${raw.id}:Executing`);
    const { id: _id, ...noId } = raw;
    const reordered = Object.fromEntries(Object.entries(noId).reverse());
    assert.equal(ok(noId).key, ok(reordered).key);
    assert.match(ok(noId).key, /^sha256-[0-9a-f]{64}$/);
  });

  it("unwraps an MNS topic notification in JSON format", () => {
    const raw = makeEvent("Instance:PreemptibleInstanceInterruption", "i-5");
    assert.equal(ok({ TopicOwner: "1", TopicName: "t", Message: Buffer.from(JSON.stringify(raw)).toString("base64") }).instanceId, "i-5");
  });

  it("parses the compact UTC+8 eventTime", () => {
    assert.equal(parseEventTime("20190409T121826.922+0800"), Date.UTC(2019, 3, 9, 4, 18, 26, 922));
    assert.equal(parseEventTime("yesterday"), undefined);
  });

  const good = makeEvent("Instance:PreemptibleInstanceInterruption", "i-6");
  const cases: [string, unknown, RegExp][] = [
    ["empty buffer", Buffer.alloc(0), /empty body/],
    ["whitespace", "   \n", /empty body/],
    ["undefined", undefined, /empty body/],
    ["invalid JSON", "{not json", /not JSON/],
    ["base64 of garbage", Buffer.from("hello world!").toString("base64"), /base64 but does not decode/],
    ["a JSON array", "[1,2]", /must be a JSON object/],
    ["a JSON number", "42", /must be a JSON object/],
    ["missing product", { ...good, product: undefined }, /product/],
    ["level of the wrong type", { ...good, level: 3 }, /level/],
    ["unknown level", { ...good, level: "PANIC" }, /level/],
    ["content as a number", { ...good, content: 7 }, /content/],
    ["content string that is not JSON", { ...good, content: "nope" }, /content is a string but not a JSON object/],
    ["empty regionId", { ...good, regionId: "" }, /regionId/],
    ["unknown event name", { ...good, name: "Instance:Teleported" }, /unknown event name "Instance:Teleported"/],
    ["known name, uncatalogued status", { ...good, name: "Instance:SystemMaintenance.Reboot:Exploded" }, /unknown event name/],
    ["wrong product for the name", { ...good, product: "RDS" }, /catalogued for product ECS/],
    ["huge body", Buffer.alloc(MAX_BODY_BYTES + 1, 0x20), /too large: \d+ bytes/],
  ];
  for (const [what, body, reason] of cases) {
    it(`rejects ${what} with a reason`, () => assert.match(rejected(body), reason));
  }
});
