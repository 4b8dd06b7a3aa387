import { strict as assert } from "node:assert";
import { decodeEvent, depthOf, MAX_BODY_BYTES, MAX_DEPTH, parseEventTime } from "../../handlers/core/event";
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

  it("finds the instance id in content.instanceId, content.resourceId, or the ARN, in that order", () => {
    const raw = makeEvent("Instance:StateChange", "i-arn");
    assert.equal(ok({ ...raw, content: { instanceId: "i-a", resourceId: "i-b" } }).instanceId, "i-a");
    assert.equal(ok({ ...raw, content: { resourceId: "i-b", state: "Deleted" } }).instanceId, "i-b");
    assert.equal(ok({ ...raw, content: {} }).instanceId, "i-arn");
    assert.equal(ok({ ...raw, resourceId: "i-bare", content: {} }).instanceId, "i-bare", "a bare instance id as resourceId");
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

// Issue 12 (R1, R3, R9, R10): every field intake uses is checked for its type, length and documented form.
describe("event intake: hostile and malformed fields", () => {
  const spot = () => makeEvent("Instance:PreemptibleInstanceInterruption", "i-bp1aaaaaaaa", { action: "delete" });
  const maint = () => makeEvent("Instance:SystemMaintenance.Reboot:Scheduled", "i-bp1bbbbbbbb", { eventId: "e-bp1cccc", eventType: "SystemMaintenance.Reboot", eventStatus: "Scheduled", notBefore: "2026-11-23T18:00:00Z" });
  const decode = (body: unknown, functionRegion?: string) => decodeEvent(body, { functionRegion });
  const reasonOf = (body: unknown, functionRegion?: string) => {
    const r = decode(body, functionRegion);
    if (r.ok) assert.fail(`expected a rejection, got ${r.event.name} for ${r.event.instanceId}`);
    return r.reason;
  };

  describe("R1: a region id picks the API host, so only a region id of this function is accepted", () => {
    const hostile = ["x@127.0.0.1:9/#", "cn-hangzhou.evil.example", "cn-hangzhou/../x", "CN-HANGZHOU", "cn_hangzhou", "cn", "cn-hangzhou ", "a-b-c-d-e-f", "x".repeat(41)];
    for (const regionId of hostile) {
      it(`rejects regionId ${JSON.stringify(regionId).slice(0, 30)} by its form`, () => assert.match(reasonOf({ ...spot(), regionId }), /regionId: (.* is not a region id|41 characters, at most 40)/));
    }
    it("rejects the event of another region, naming both", () => {
      assert.match(reasonOf({ ...spot() }, "cn-shanghai"), /regionId: "cn-hangzhou" is not this function's region cn-shanghai/);
      assert.equal(decode(spot(), "cn-hangzhou").ok, true);
    });
    it("rejects a resource ARN of another region than the event's, or of another account form or kind", () => {
      assert.match(reasonOf({ ...spot(), resourceId: "acs:ecs:cn-beijing:1234567890123456:instance/i-bp1aaaaaaaa" }), /resourceId: region "cn-beijing" is not the event's regionId cn-hangzhou/);
      assert.match(reasonOf({ ...spot(), resourceId: "acs:ecs:cn-hangzhou:evil.com:instance/i-bp1aaaaaaaa" }), /account "evil.com" is not an account id/);
      assert.match(reasonOf({ ...spot(), resourceId: "acs:ecs:cn-hangzhou:1234567890123456:disk/d-bp1" }), /a "disk" ARN for a Instance event/);
    });
  });

  describe("R3: nesting is bounded before anything walks the value", () => {
    const nested = (depth: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < depth; i++) v = [v];
      return v;
    };
    it(`rejects a 5,000-deep array in content (raw JSON, a content string and an object body alike), without throwing`, () => {
      const deep = { ...spot(), content: { instanceId: "i-bp1aaaaaaaa", extra: nested(5000) } };
      const text = `{"id":"x","product":"ECS","name":"Instance:PreemptibleInstanceInterruption","level":"WARN","regionId":"cn-hangzhou","resourceId":"i-bp1aaaaaaaa","content":{"extra":${"[".repeat(5000)}${"]".repeat(5000)}}}`;
      const asString = { ...spot(), content: `{"extra":${"[".repeat(5000)}${"]".repeat(5000)}}` };
      for (const body of [Buffer.from(text), asString, deep]) {
        assert.match(reasonOf(body), new RegExp(`nested deeper than ${MAX_DEPTH} levels`));
      }
    });
    it("rejects a body nested 60,000 deep (the most 128 KiB can hold) as quickly as any other", () => {
      const started = Date.now();
      assert.match(reasonOf(Buffer.from(`${"[".repeat(60_000)}${"]".repeat(60_000)}`)), /nested deeper/);
      assert.ok(Date.now() - started < 1000);
    });
    it("measures depth without recursion", () => {
      assert.equal(depthOf(nested(3)), 3);
      assert.equal(depthOf({ a: { b: [1, { c: 2 }] } }), 4);
      assert.equal(depthOf(nested(100_000), 40), 41, "stops counting past the limit");
    });
  });

  describe("R9: ids of the documented form and strict types; a bad one is rejected, never fallen back from", () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["a numeric content.instanceId", { content: { instanceId: 12345, action: "delete" } }, /content\.instanceId: expected a string, got number 12345/],
      ["an empty content.instanceId", { content: { instanceId: "", action: "delete" } }, /content\.instanceId: empty/],
      ["an upper-case instance id", { content: { instanceId: "I-BP1AAAA", action: "delete" } }, /content\.instanceId: "I-BP1AAAA" is not an instance id/],
      ["an instance id with a slash", { content: { instanceId: "i-bp1/../x" } }, /is not an instance id/],
      ["a resource ARN ending in /", { resourceId: "acs:ecs:cn-hangzhou:1234567890123456:instance/", content: { action: "delete" } }, /resourceId: "" is not an instance id/],
      ["a bare resourceId that is no instance id", { resourceId: "lb-123", content: {} }, /resourceId: "lb-123" is neither acs:ecs:<region>:<account>:instance\/<id> nor an instance id/],
      ["an instance id of 100 characters", { content: { instanceId: `i-${"a".repeat(98)}` } }, /content\.instanceId: 100 characters, at most 64/],
      ["a numeric envelope id", { id: 42 }, /id: expected a string, got number 42/],
      ["an envelope id with a slash", { id: "a/b" }, /id: "a\/b" is not an event id/],
      ["an envelope id of 1,000 characters", { id: "x".repeat(1000) }, /id: 1000 characters, at most 128/],
      ["a 120 KB name", { name: "n".repeat(120_000) }, /name: 120000 characters, at most 128/],
      ["a product that is an object", { product: { ECS: true } }, /product: expected a string, got an object/],
      ["a level that is a number", { level: 3 }, /level: expected a string, got number 3/],
      ["content that is an array", { content: [1] }, /content: expected a JSON object, got an array/],
      ["an eventTime that is not a time", { eventTime: "yesterday" }, /eventTime: "yesterday" is not a time/],
      ["a CMS time that is not epoch ms", { eventTime: undefined, time: "soon" }, /time: "soon" is not epoch milliseconds/],
      ["a groupId that is an object", { groupId: { a: 1 } }, /groupId: expected a string, got an object/],
      ["a content.action that is a number", { content: { action: 1 } }, /content\.action: expected a string, got number 1/],
    ];
    for (const [what, change, reason] of cases) {
      it(`rejects ${what}`, () => assert.match(reasonOf({ ...spot(), ...change }), reason));
    }
    const maintCases: [string, Record<string, unknown>, RegExp][] = [
      ["an eventId of another form", { eventId: "evt-1" }, /content\.eventId: "evt-1" is not a system event id/],
      ["an unknown eventStatus", { eventStatus: "Exploded" }, /content\.eventStatus: "Exploded" is not one of Inquiring, Scheduled/],
      ["an eventType of another event than the name's", { eventType: "SystemMaintenance.Redeploy" }, /content\.eventType: "SystemMaintenance.Redeploy" does not match the event name's SystemMaintenance.Reboot/],
      ["a notBefore that is not a time", { notBefore: "later" }, /content\.notBefore: "later" is not a time/],
    ];
    for (const [what, change, reason] of maintCases) {
      it(`rejects ${what}`, () => {
        const raw = maint();
        assert.match(reasonOf({ ...raw, content: { ...(raw.content as object), ...change } }), reason);
      });
    }
    it("reports every problem of the envelope at once, each with its path", () => {
      const reason = reasonOf({ ...spot(), product: 1, level: "PANIC", regionId: "x@y" });
      assert.match(reason, /product: expected a string.*; level: "PANIC" is not one of CRITICAL, WARN, INFO; regionId: "x@y" is not a region id/);
    });
    it("treats null as absent for optional fields", () => {
      const raw = spot();
      assert.equal(ok({ ...raw, id: null, groupId: null, content: { ...(raw.content as object), instanceId: null } }).instanceId, "i-bp1aaaaaaaa");
    });
  });

  describe("R10: one key per event, whatever optional fields a redelivery adds or drops", () => {
    it("ignores content.eventStatus on an event type that has no statuses", () => {
      const raw = spot();
      const plain = ok(raw);
      const withStatus = ok({ ...raw, content: { ...(raw.content as object), eventStatus: "Executed" } });
      assert.equal(withStatus.key, plain.key);
      assert.equal(plain.key, raw.id);
      assert.equal(withStatus.status, undefined);
    });
    it("keys an event with statuses by id and status", () => {
      const raw = maint();
      assert.equal(ok(raw).key, `${raw.id}:Scheduled`);
      assert.equal(ok({ ...raw, curLevel: "CRITICAL", ruleName: "r", groupId: "176", ver: undefined, userId: undefined }).key, `${raw.id}:Scheduled`);
      assert.notEqual(ok({ ...raw, content: { ...(raw.content as object), eventStatus: "Executed" } }).key, ok(raw).key);
    });
    it("without an id, hashes what identifies the event, not the optional fields around it", () => {
      const { id: _id, ...raw } = maint();
      const base = ok(raw).key;
      assert.match(base, /^sha256-[0-9a-f]{64}$/);
      const variants = [
        { ...raw, curLevel: "CRITICAL", ruleName: "eventops-auto-maintenance", groupId: "176,177" },
        { ...raw, ver: undefined, userId: undefined, level: "CRITICAL" },
        { ...raw, content: JSON.stringify({ ...(raw.content as object), publishTime: "2026-11-20T02:15:00Z", executeStartTime: "x" }) },
        { ...raw, eventTime: undefined, time: String(parseEventTime(raw.eventTime as string)) },
        Object.fromEntries(Object.entries(raw).reverse()),
      ];
      for (const v of variants) assert.equal(ok(v).key, base, JSON.stringify(Object.keys(v)));
      assert.notEqual(ok({ ...raw, content: { ...(raw.content as object), eventStatus: "Executing" } }).key, base, "another status");
      assert.notEqual(ok({ ...raw, resourceId: "acs:ecs:cn-hangzhou:1234567890123456:instance/i-other", content: { ...(raw.content as object), instanceId: "i-other" } }).key, base, "another instance");
      assert.notEqual(ok({ ...raw, eventTime: "20261121T083001.501+0800" }).key, base, "another moment");
    });
  });

  describe("real-world variants of the fixtures are never rejected", () => {
    for (const name of fixtureNames()) {
      it(`${name}: optional fields absent or present, base64, string content, MNS-wrapped, in its own region`, () => {
        const raw = fixture(name);
        const region = raw.regionId as string;
        const { ver: _ver, userId: _userId, eventTime: _eventTime, ...bare } = raw;
        const variants: unknown[] = [
          raw,
          bare,
          { ...raw, curLevel: raw.level, ruleName: "eventops-rule", serviceType: "ECS", groupId: "176", instanceName: "web-1", time: Date.parse("2026-11-21T00:00:00Z") },
          { ...raw, content: JSON.stringify(raw.content) },
          Buffer.from(JSON.stringify(raw)).toString("base64"),
          `\n  ${JSON.stringify(raw, null, 2)}\n`,
          { TopicOwner: "1234567890123456", TopicName: "events", Message: Buffer.from(JSON.stringify(raw)).toString("base64"), MessageId: "m-1" },
          { ...raw, content: { ...(raw.content as object), instanceId: null } },
          Buffer.from(`\uFEFF${JSON.stringify(raw)}`),
        ];
        for (const v of variants) {
          const r = decodeEvent(v, { functionRegion: region });
          assert.ok(r.ok, `${name}: ${r.ok ? "" : r.reason}`);
          assert.equal(r.event.instanceId, ok(raw).instanceId);
        }
      });
    }
  });
});
