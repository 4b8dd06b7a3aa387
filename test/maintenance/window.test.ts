import { strict as assert } from "node:assert";
import {
  type MaintenanceWindow,
  type PlanSlotInput,
  WindowConfigError,
  parseApiHour,
  parseApiWindows,
  parseWindowConfig,
  planSlot,
  toEpochMs,
  windowOccurrences,
} from "../../handlers/maintenance/window";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const iso = (t: number) => new Date(t).toISOString();
/** A UTC+8 wall-clock time as epoch ms: `at8("2026-11-21 02:00")`. */
const at8 = (s: string) => Date.parse(`${s.replace(" ", "T")}:00+08:00`);
const nightly: MaintenanceWindow[] = [{ startHour: 2, endHour: 5 }];

describe("maintenance windows: parsing the ECS API shape", () => {
  const cases: { name: string; input: string; hour?: number; error?: RegExp }[] = [
    { name: "documented HH:mm:ss", input: "02:00:00", hour: 2 },
    { name: "end of range", input: "23:00:00", hour: 23 },
    { name: "trailing Z still read as UTC+8", input: "18:00:00Z", hour: 18 },
    { name: "HH:mm accepted", input: "05:00", hour: 5 },
    { name: "24:00:00 is midnight", input: "24:00:00", hour: 0 },
    { name: "not on the hour", input: "02:30:00", error: /whole hours/ },
    { name: "garbage", input: "2am", error: /HH:00:00/ },
    { name: "hour out of range", input: "25:00:00", error: /out of range/ },
  ];
  for (const c of cases) {
    it(`${c.name}: "${c.input}"`, () => {
      if (c.error) assert.throws(() => parseApiHour(c.input), c.error);
      else assert.equal(parseApiHour(c.input), c.hour);
    });
  }

  it("reads a DescribeInstanceMaintenanceAttributes MaintenanceAttribute", () => {
    const attr = { InstanceId: "i-1", MaintenanceWindows: { MaintenanceWindow: [{ StartTime: "02:00:00", EndTime: "18:00:00" }, { StartTime: "22:00:00", EndTime: "01:00:00" }] } };
    assert.deepEqual(parseApiWindows(attr), [
      { startHour: 2, endHour: 18 },
      { startHour: 22, endHour: 1 },
    ]);
  });

  it("skips empty entries, rejects half-set ones and 0-hour windows with the path", () => {
    assert.deepEqual(parseApiWindows([{}]), []);
    assert.deepEqual(parseApiWindows({}), []);
    assert.throws(() => parseApiWindows([{ StartTime: "02:00:00" }]), /MaintenanceWindow\[0\]: StartTime and EndTime must be set together/);
    assert.throws(() => parseApiWindows([{ StartTime: "02:00:00", EndTime: "02:00:00" }]), /1–23 hours/);
  });
});

describe("maintenance windows: parsing config", () => {
  it("accepts start/end/timezone and weekdays", () => {
    assert.deepEqual(parseWindowConfig([{ start: "02:00", end: "05:00", timezone: "+08:00" }, { start: "22:00", end: "01:00", weekdays: ["Sat", "Sun"] }]), [
      { startHour: 2, endHour: 5 },
      { startHour: 22, endHour: 1, weekdays: [6, 0] },
    ]);
  });
  const bad: { name: string; input: unknown; error: RegExp }[] = [
    { name: "minutes", input: [{ start: "02:30", end: "05:00" }], error: /maintenance\.windows\[0\]\.start: .*HH:00/ },
    { name: "other timezone", input: [{ start: "02:00", end: "05:00", timezone: "+00:00" }], error: /maintenance\.windows\[0\]\.timezone/ },
    { name: "zero length", input: [{ start: "02:00", end: "02:00" }], error: /maintenance\.windows\[0\]: a window lasts 1–23 hours/ },
    { name: "unknown weekday", input: [{ start: "02:00", end: "05:00", weekdays: ["Funday"] }], error: /weekdays/ },
    { name: "empty list", input: [], error: /maintenance\.windows/ },
    { name: "unknown key", input: [{ start: "02:00", end: "05:00", tz: "+08:00" }], error: /maintenance\.windows\[0\]/ },
  ];
  for (const c of bad) {
    it(`rejects ${c.name} with the config path`, () => {
      assert.throws(() => parseWindowConfig(c.input), (e: unknown) => e instanceof WindowConfigError && c.error.test(e.message));
    });
  }
});

describe("maintenance windows: occurrences", () => {
  it("expands a nightly window as UTC+8 hours", () => {
    const occ = windowOccurrences(nightly, at8("2026-11-20 12:00"), at8("2026-11-22 12:00"));
    assert.deepEqual(occ.map((o) => [iso(o.start), iso(o.end)]), [
      ["2026-11-20T18:00:00.000Z", "2026-11-20T21:00:00.000Z"],
      ["2026-11-21T18:00:00.000Z", "2026-11-21T21:00:00.000Z"],
    ]);
  });
  it("a midnight-crossing window belongs to the day it opens (weekday filter)", () => {
    // 2026-11-20 is a Friday.
    const occ = windowOccurrences([{ startHour: 22, endHour: 2, weekdays: [5] }], at8("2026-11-16 00:00"), at8("2026-11-23 00:00"));
    assert.deepEqual(occ, [{ start: at8("2026-11-20 22:00"), end: at8("2026-11-21 02:00") }]);
  });
  it("merges touching windows into one span", () => {
    const occ = windowOccurrences([{ startHour: 22, endHour: 0 }, { startHour: 0, endHour: 3 }], at8("2026-11-20 12:00"), at8("2026-11-21 12:00"));
    assert.deepEqual(occ, [{ start: at8("2026-11-20 22:00"), end: at8("2026-11-21 03:00") }]);
  });
});

describe("planSlot", () => {
  type Case = { name: string; input: Partial<PlanSlotInput> & Pick<PlanSlotInput, "now" | "notBefore">; slotStart?: number; none?: string };
  const base = { windows: nightly, safetyMarginMinutes: 30, actionDurationMinutes: 30 };
  const cases: Case[] = [
    {
      name: "Scheduled reboot three days out, nightly 02:00–05:00 → the first night",
      input: { now: "2026-11-20T02:15:00Z", notBefore: "2026-11-23T18:00:00Z" },
      slotStart: at8("2026-11-21 02:00"),
    },
    {
      name: "ISO and epoch inputs give the same answer",
      input: { now: Date.parse("2026-11-20T02:15:00Z"), notBefore: Date.parse("2026-11-23T18:00:00Z") },
      slotStart: at8("2026-11-21 02:00"),
    },
    {
      name: "notBefore before any window fits → none",
      input: { now: at8("2026-11-20 12:00"), notBefore: at8("2026-11-21 02:40") },
      none: "no-window-fits",
    },
    {
      name: "notBefore too close for the action at all → too-late",
      input: { now: at8("2026-11-20 12:00"), notBefore: at8("2026-11-20 12:45") },
      none: "too-late",
    },
    {
      name: "margin exactly met: slot ends at notBefore − margin",
      input: { now: at8("2026-11-20 12:00"), notBefore: at8("2026-11-21 03:00"), actionDurationMinutes: 30, safetyMarginMinutes: 30 },
      slotStart: at8("2026-11-21 02:00"),
    },
    {
      name: "margin one minute too big → none",
      input: { now: at8("2026-11-20 12:00"), notBefore: at8("2026-11-21 03:00"), actionDurationMinutes: 30, safetyMarginMinutes: 31 },
      none: "no-window-fits",
    },
    {
      name: "now inside the window → start now, rounded up to the minute",
      input: { now: at8("2026-11-21 02:10") + 5_000, notBefore: at8("2026-11-25 00:00") },
      slotStart: at8("2026-11-21 02:11"),
    },
    {
      name: "too little of tonight's window left → next night",
      input: { now: at8("2026-11-21 04:45"), notBefore: at8("2026-11-25 00:00") },
      slotStart: at8("2026-11-22 02:00"),
    },
    {
      name: "midnight-crossing window 22:00–02:00: a 3 h action starting at 23:30 does not fit → next evening",
      input: { now: at8("2026-11-20 23:30"), notBefore: at8("2026-11-25 00:00"), windows: [{ startHour: 22, endHour: 2 }], actionDurationMinutes: 180 },
      slotStart: at8("2026-11-21 22:00"),
    },
    {
      name: "midnight-crossing window: a slot may span midnight",
      input: { now: at8("2026-11-20 12:00"), notBefore: at8("2026-11-25 00:00"), windows: [{ startHour: 23, endHour: 3 }], actionDurationMinutes: 120 },
      slotStart: at8("2026-11-20 23:00"),
    },
    {
      name: "weekday-restricted window skips other days",
      input: { now: at8("2026-11-20 12:00"), notBefore: at8("2026-12-01 00:00"), windows: [{ startHour: 2, endHour: 5, weekdays: [0] }] },
      slotStart: at8("2026-11-22 02:00"),
    },
    {
      name: "blocked slot → next night",
      input: { now: "2026-11-20T02:15:00Z", notBefore: "2026-11-23T18:00:00Z", blockedSlots: [at8("2026-11-21 02:00")] },
      slotStart: at8("2026-11-22 02:00"),
    },
    {
      name: "blocked slot given as ISO → next night",
      input: { now: "2026-11-20T02:15:00Z", notBefore: "2026-11-23T18:00:00Z", blockedSlots: ["2026-11-20T18:00:00Z"] },
      slotStart: at8("2026-11-22 02:00"),
    },
    {
      name: "with slotStepMinutes the next candidate is later the same night",
      input: { now: "2026-11-20T02:15:00Z", notBefore: "2026-11-23T18:00:00Z", blockedSlots: [at8("2026-11-21 02:00")], slotStepMinutes: 60 },
      slotStart: at8("2026-11-21 03:00"),
    },
    {
      name: "every fitting slot blocked → all-blocked",
      input: { now: "2026-11-20T02:15:00Z", notBefore: "2026-11-21T18:00:00Z", blockedSlots: [at8("2026-11-21 02:00")] },
      none: "all-blocked",
    },
    {
      name: "no windows → none",
      input: { now: "2026-11-20T02:15:00Z", notBefore: "2026-11-23T18:00:00Z", windows: [] },
      none: "no-windows",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planSlot({ ...base, ...c.input });
      if (c.none) {
        assert.equal(plan.kind, "none");
        assert.equal(plan.kind === "none" && plan.reason, c.none);
      } else {
        assert.equal(plan.kind, "slot", JSON.stringify(plan));
        if (plan.kind !== "slot") return;
        assert.equal(iso(plan.start), iso(c.slotStart!));
        assert.equal(plan.end - plan.start, (c.input.actionDurationMinutes ?? base.actionDurationMinutes) * MIN);
      }
    });
  }

  it("rejects times without an explicit offset", () => {
    assert.throws(() => toEpochMs("2026-11-20T02:15:00"), /explicit offset/);
    assert.throws(() => planSlot({ ...base, now: "soon", notBefore: "2026-11-23T18:00:00Z" }), /now/);
  });
});

// ---------------------------------------------------------------------------
// Property-style: many random inputs against a brute-force oracle that knows
// nothing of occurrences or merging, only "is this minute inside a window".

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function minuteInWindows(windows: readonly MaintenanceWindow[], t: number): boolean {
  const local = t + 8 * HOUR;
  const h = Math.floor(local / HOUR) % 24;
  const day = Math.floor(local / DAY);
  const weekdayOf = (d: number) => new Date(d * DAY).getUTCDay();
  return windows.some((w) => {
    const ok = (d: number) => !w.weekdays || w.weekdays.includes(weekdayOf(d) as never);
    if (w.startHour < w.endHour) return h >= w.startHour && h < w.endHour && ok(day);
    return (h >= w.startHour && ok(day)) || (h < w.endHour && ok(day - 1));
  });
}

/** Earliest feasible minute start by brute force, or undefined. */
function oracle(windows: readonly MaintenanceWindow[], now: number, notBefore: number, durationMin: number, marginMin: number): number | undefined {
  const first = Math.ceil(now / MIN) * MIN;
  const latestEnd = notBefore - marginMin * MIN;
  const n = Math.floor((latestEnd - first) / MIN);
  if (n < durationMin) return undefined;
  const run = new Array<number>(n + 1).fill(0);
  for (let i = n - 1; i >= 0; i--) run[i] = minuteInWindows(windows, first + i * MIN) ? run[i + 1] + 1 : 0;
  for (let i = 0; i + durationMin <= n; i++) if (run[i] >= durationMin) return first + i * MIN;
  return undefined;
}

describe("planSlot properties (random now / notBefore / windows)", () => {
  it("matches the brute-force earliest slot, stays in a window and ends before notBefore − margin (600 cases)", () => {
    const rand = rng(20261120);
    const pick = (n: number) => Math.floor(rand() * n);
    let slots = 0;
    let nones = 0;
    for (let i = 0; i < 600; i++) {
      const windows: MaintenanceWindow[] = Array.from({ length: 1 + pick(2) }, () => {
        const startHour = pick(24);
        const len = 1 + pick(23);
        const w: MaintenanceWindow = { startHour, endHour: (startHour + len) % 24 };
        return rand() < 0.3 ? { ...w, weekdays: [pick(7), pick(7)] as MaintenanceWindow["weekdays"] } : w;
      });
      const now = Date.parse("2026-01-01T00:00:00Z") + Math.floor(rand() * 365 * DAY);
      const notBefore = now + Math.floor(rand() * 5 * DAY);
      const duration = 5 + pick(240);
      const margin = pick(120);
      const plan = planSlot({ now, notBefore, windows, actionDurationMinutes: duration, safetyMarginMinutes: margin });
      const expected = oracle(windows, now, notBefore, duration, margin);
      const ctx = JSON.stringify({ windows, now: iso(now), notBefore: iso(notBefore), duration, margin, plan });
      if (expected === undefined) {
        assert.equal(plan.kind, "none", ctx);
        nones++;
        continue;
      }
      assert.equal(plan.kind, "slot", ctx);
      if (plan.kind !== "slot") continue;
      slots++;
      assert.equal(plan.start, expected, `earliest: ${ctx}`);
      assert.ok(plan.start >= now, `starts ≥ now: ${ctx}`);
      assert.ok(plan.end <= notBefore - margin * MIN, `ends before notBefore − margin: ${ctx}`);
      for (let t = plan.start; t < plan.end; t += MIN) assert.ok(minuteInWindows(windows, t), `inside a window at ${iso(t)}: ${ctx}`);
      assert.ok(plan.window.start <= plan.start && plan.end <= plan.window.end, `inside its occurrence: ${ctx}`);

      // Blocking the slot moves to a later window occurrence, never earlier.
      const again = planSlot({ now, notBefore, windows, actionDurationMinutes: duration, safetyMarginMinutes: margin, blockedSlots: [plan.start] });
      if (again.kind === "slot") assert.ok(again.start >= plan.window.end, `blocked → later occurrence: ${ctx} → ${JSON.stringify(again)}`);
      else assert.ok(again.reason === "all-blocked", ctx);
    }
    // The generator must exercise both outcomes, or the loop proves little.
    assert.ok(slots > 100 && nones > 50, `slots=${slots} nones=${nones}`);
  });
});
