import { strict as assert } from "node:assert";
import {
  type ExpiryDecision,
  type ExpiryInput,
  type InstanceBilling,
  checkRenewPeriod,
  decideExpiry,
  instancesWithinHorizon,
  parseExpiredTime,
  renewClientToken,
} from "../../handlers/expiry/decide";

const now = "2026-11-20T00:00:00Z";
const prepaid = (ExpiredTime: string | undefined, extra: Partial<InstanceBilling> = {}): InstanceBilling => ({ InstanceId: "i-sub", InstanceChargeType: "PrePaid", ExpiredTime, ...extra });
const base: ExpiryInput = { policy: "renew", renewPeriod: 1, renewPeriodUnit: "Month", instance: prepaid("2026-11-25T16:00Z"), now, horizonDays: 7 };

describe("decideExpiry: each policy does only what it says", () => {
  type Case = { name: string; input: Partial<ExpiryInput>; kind: ExpiryDecision["kind"] };
  const cases: Case[] = [
    { name: "renew, inside the horizon → renew", input: {}, kind: "renew" },
    { name: "renew, already expired (grace period) → renew", input: { instance: prepaid("2026-11-18T16:00Z") }, kind: "renew" },
    { name: "renew, auto-renew on → nothing", input: { instance: prepaid("2026-11-25T16:00Z", { AutoRenew: true }) }, kind: "nothing" },
    { name: "renew, beyond the horizon → nothing", input: { instance: prepaid("2027-01-25T16:00Z") }, kind: "nothing" },
    { name: "notify, inside the horizon → notify (no renewal)", input: { policy: "notify" }, kind: "notify" },
    { name: "notify, auto-renew on → still notify", input: { policy: "notify", instance: prepaid("2026-11-25T16:00Z", { AutoRenew: true }) }, kind: "notify" },
    { name: "notify, beyond the horizon → nothing", input: { policy: "notify", instance: prepaid("2027-01-25T16:00Z") }, kind: "nothing" },
    { name: "let-expire, inside the horizon → nothing", input: { policy: "let-expire" }, kind: "nothing" },
    { name: "let-expire, already expired → nothing", input: { policy: "let-expire", instance: prepaid("2026-11-18T16:00Z") }, kind: "nothing" },
    { name: "PostPaid under renew → not applicable", input: { instance: { InstanceId: "i-pay", InstanceChargeType: "PostPaid", ExpiredTime: "2099-12-31T15:59Z" } }, kind: "not-applicable" },
    { name: "PostPaid under notify → not applicable", input: { policy: "notify", instance: { InstanceId: "i-pay", InstanceChargeType: "PostPaid" } }, kind: "not-applicable" },
    { name: "PrePaid without ExpiredTime → undecidable, not silent", input: { instance: prepaid(undefined) }, kind: "undecidable" },
    { name: "PrePaid with a local-time ExpiredTime → undecidable", input: { instance: prepaid("2026-11-25 16:00") }, kind: "undecidable" },
    { name: "exactly at the horizon → acts", input: { instance: prepaid("2026-11-27T00:00Z") }, kind: "renew" },
    { name: "one minute past the horizon → nothing", input: { instance: prepaid("2026-11-27T00:01Z") }, kind: "nothing" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideExpiry({ ...base, ...c.input });
      assert.equal(d.kind, c.kind, JSON.stringify(d));
      assert.ok(d.reason.includes(((c.input.instance ?? base.instance) as InstanceBilling).InstanceId));
    });
  }

  it("renew carries the RenewInstance parameters, with a token stable across redeliveries", () => {
    const d = decideExpiry({ ...base, renewPeriod: 3 });
    assert.ok(d.kind === "renew");
    assert.deepEqual(d.params, { InstanceId: "i-sub", Period: 3, PeriodUnit: "Month", ClientToken: "renew-i-sub-20261125T1600" });
    assert.deepEqual(decideExpiry({ ...base, renewPeriod: 3, now: "2026-11-21T00:00:00Z" }), { ...d, daysLeft: d.daysLeft - 1, reason: d.reason.replace("5.7", "4.7") });
    assert.ok(d.params.ClientToken.length <= 64 && /^[\x20-\x7e]+$/.test(d.params.ClientToken));
    assert.notEqual(renewClientToken("i-sub", Date.parse("2026-12-25T16:00Z")), d.params.ClientToken, "a new expiry gets a new token");
  });

  const badPeriods: [number, "Month" | "Week", RegExp][] = [
    [10, "Month", /renewPeriod 10 is not valid for Month; allowed: 1, 2/],
    [5, "Week", /not valid for Week; allowed: 1, 2, 3, 4/],
    [0, "Month", /not valid/],
  ];
  for (const [period, unit, message] of badPeriods) {
    it(`rejects renewPeriod ${period} ${unit} under renew, naming what is allowed`, () => {
      assert.throws(() => checkRenewPeriod(period, unit), message);
      assert.throws(() => decideExpiry({ ...base, renewPeriod: period, renewPeriodUnit: unit }), message);
    });
  }
  it("does not validate the renew period when the policy never renews", () => {
    assert.equal(decideExpiry({ ...base, policy: "notify", renewPeriod: 10 }).kind, "notify");
  });
});

describe("parseExpiredTime", () => {
  const cases: [string | undefined, string | undefined][] = [
    ["2026-11-25T16:00Z", "2026-11-25T16:00:00.000Z"],
    ["2026-11-25T16:00:30Z", "2026-11-25T16:00:30.000Z"],
    ["2026-11-25T16:00", undefined],
    ["", undefined],
    [undefined, undefined],
    ["soon", undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected ?? "unreadable"}`, () => {
      const ms = parseExpiredTime(input);
      assert.equal(ms === undefined ? undefined : new Date(ms).toISOString(), expected);
    });
  }
});

describe("instancesWithinHorizon: what events miss", () => {
  const page = {
    TotalCount: 7,
    PageNumber: 1,
    PageSize: 100,
    Instances: {
      Instance: [
        { InstanceId: "i-later", InstanceChargeType: "PrePaid", ExpiredTime: "2027-03-01T16:00Z" },
        { InstanceId: "i-soon", InstanceChargeType: "PrePaid", ExpiredTime: "2026-11-25T16:00Z", InstanceName: "web-1", RegionId: "cn-hangzhou" },
        { InstanceId: "i-sooner", InstanceChargeType: "PrePaid", ExpiredTime: "2026-11-22T16:00Z", AutoRenew: true },
        { InstanceId: "i-expired", InstanceChargeType: "PrePaid", ExpiredTime: "2026-11-19T16:00Z" },
        { InstanceId: "i-payg", InstanceChargeType: "PostPaid", ExpiredTime: "2099-12-31T15:59Z" },
        { InstanceId: "i-payg-soon", InstanceChargeType: "PostPaid", ExpiredTime: "2026-11-21T15:59Z" },
        { InstanceId: "i-broken", InstanceChargeType: "PrePaid" },
      ],
    },
  };

  it("lists only PrePaid instances inside the horizon, soonest first, expired included", () => {
    const scan = instancesWithinHorizon(page, now, 7);
    assert.deepEqual(
      scan.expiring.map((e) => e.InstanceId),
      ["i-expired", "i-sooner", "i-soon"],
    );
    assert.deepEqual(scan.expiring[2], { InstanceId: "i-soon", InstanceName: "web-1", RegionId: "cn-hangzhou", expiredAt: Date.parse("2026-11-25T16:00Z"), daysLeft: 5 + 16 / 24 });
    assert.equal(scan.expiring[1].AutoRenew, true);
    assert.ok(scan.expiring[0].daysLeft < 0);
  });

  it("reports unreadable PrePaid instances instead of dropping them", () => {
    assert.deepEqual(instancesWithinHorizon(page, now, 7).unreadable, ["i-broken"]);
  });

  const horizons: [number, string[]][] = [
    [0, ["i-expired"]],
    [3, ["i-expired", "i-sooner"]],
    [365, ["i-expired", "i-sooner", "i-soon", "i-later"]],
  ];
  for (const [days, ids] of horizons) {
    it(`horizon ${days} days → ${ids.join(", ")}`, () => {
      assert.deepEqual(instancesWithinHorizon(page, now, days).expiring.map((e) => e.InstanceId), ids);
    });
  }

  const paging: [object, boolean][] = [
    [{ TotalCount: 250, PageNumber: 1, PageSize: 100 }, true],
    [{ TotalCount: 250, PageNumber: 3, PageSize: 100 }, false],
    [{ NextToken: "abc" }, true],
    [{}, false],
  ];
  for (const [p, more] of paging) {
    it(`paging ${JSON.stringify(p)} → hasMore ${more}`, () => {
      assert.equal(instancesWithinHorizon(p, now, 7).hasMore, more);
    });
  }
});
