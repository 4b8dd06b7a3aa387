// Maintenance windows and slot planning: pure functions, plain data in and out.
//
// A planned maintenance event (reboot / redeploy) carries `notBefore`. An owner
// who performs the action first, inside their own maintenance window, gets the
// event Avoided. This module answers "when, exactly?".
//
// Time conventions (one rule, everywhere in this module):
// - Inputs accept an `Instant`: epoch milliseconds, or an ISO-8601 string with
//   an explicit offset (`2026-11-23T18:00:00Z`).
// - Outputs are always epoch milliseconds (UTC). Format for people at the edge.
// - Window hours are whole hours in UTC+8: that is how ECS
//   Describe/ModifyInstanceMaintenanceAttributes express them
//   (`StartTime: "02:00:00"`, `EndTime: "18:00:00"`, "HH:mm:ss, UTC+8, on the
//   hour, EndTime 1–23 h after StartTime").

// zod/mini: this module is bundled into the maintenance function; classic zod would double its size.
import * as z from "zod/mini";

export type Instant = number | string;

export const UTC8_OFFSET_MS = 8 * 3_600_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;

/** Day of week in UTC+8, 0 = Sunday … 6 = Saturday (as `Date#getUTCDay`). */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;
export const WEEKDAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

/**
 * One recurring maintenance window, in UTC+8 whole hours.
 * `endHour < startHour` means the window crosses midnight (22 → 02 is 4 h).
 * `weekdays`, when present, restricts the days on which the window *opens*
 * (a Fri 22:00 → Sat 02:00 window belongs to Friday).
 */
export interface MaintenanceWindow {
  readonly startHour: number;
  readonly endHour: number;
  readonly weekdays?: readonly Weekday[];
}

/** A concrete interval in epoch ms, `[start, end)`. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

export class WindowConfigError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "WindowConfigError";
  }
}

/** Epoch ms from an `Instant`; throws on anything that is not a real time. */
export function toEpochMs(t: Instant, what = "time"): number {
  if (typeof t === "number") {
    if (!Number.isFinite(t)) throw new RangeError(`${what}: not a finite epoch-ms number (${t})`);
    return t;
  }
  // Require an explicit offset: a bare local time would depend on the host's zone.
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(t.trim())) throw new RangeError(`${what}: ISO time needs an explicit offset (Z or ±hh:mm), got "${t}"`);
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new RangeError(`${what}: not an ISO-8601 time: "${t}"`);
  return ms;
}

/** Length of a window in hours (1–23), midnight crossing included. */
export function windowHours(w: MaintenanceWindow): number {
  return (((w.endHour - w.startHour) % 24) + 24) % 24;
}

function checkWindow(w: MaintenanceWindow, path: string): MaintenanceWindow {
  for (const [k, v] of [["startHour", w.startHour], ["endHour", w.endHour]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 23) throw new WindowConfigError(`${path}.${k}`, `must be a whole hour 0–23, got ${v}`);
  }
  const hours = windowHours(w);
  if (hours < 1 || hours > 23) throw new WindowConfigError(path, `a window lasts 1–23 hours; start ${w.startHour}:00 and end ${w.endHour}:00 give ${hours}`);
  if (w.weekdays) {
    if (w.weekdays.length === 0) throw new WindowConfigError(`${path}.weekdays`, "empty: omit it to allow every day");
    for (const d of w.weekdays) if (!Number.isInteger(d) || d < 0 || d > 6) throw new WindowConfigError(`${path}.weekdays`, `weekday must be 0–6 (Sun–Sat), got ${d}`);
  }
  return w;
}

// ---------------------------------------------------------------------------
// Parsing: the ECS API shape

/** `MaintenanceWindow` as DescribeInstanceMaintenanceAttributes returns it. */
export interface ApiMaintenanceWindow {
  StartTime?: string;
  EndTime?: string;
}

/** One `MaintenanceAttribute` (or anything holding `MaintenanceWindows`). */
export interface ApiMaintenanceAttribute {
  InstanceId?: string;
  MaintenanceWindows?: { MaintenanceWindow?: ApiMaintenanceWindow[] };
}

/**
 * `"02:00:00"` → 2. The API speaks UTC+8, on the hour. A trailing `Z` is
 * tolerated and still read as UTC+8: the documentation states every window time
 * is UTC+8 and some SDK examples print a `Z` suffix anyway (unconfirmed which
 * the live API sends). Minutes/seconds other than zero are rejected.
 */
export function parseApiHour(value: string, path = "StartTime"): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?Z?$/i.exec(value.trim());
  if (!m) throw new WindowConfigError(path, `expected "HH:00:00" (UTC+8, on the hour), got "${value}"`);
  const [hh, mm, ss] = [Number(m[1]), Number(m[2]), Number(m[3] ?? "0")];
  if (mm !== 0 || ss !== 0) throw new WindowConfigError(path, `maintenance windows are whole hours, got "${value}"`);
  // "24:00:00" as an end of day is read as midnight.
  if (hh === 24) return 0;
  if (hh > 23) throw new WindowConfigError(path, `hour out of range in "${value}"`);
  return hh;
}

/**
 * Windows from a DescribeInstanceMaintenanceAttributes `MaintenanceAttribute`
 * (or a bare `MaintenanceWindow[]`). Entries with neither time are skipped (the
 * API omits windows the user never set); an entry with only one time is an error.
 */
export function parseApiWindows(input: ApiMaintenanceAttribute | readonly ApiMaintenanceWindow[], path = "MaintenanceWindows"): MaintenanceWindow[] {
  const list = Array.isArray(input) ? (input as readonly ApiMaintenanceWindow[]) : ((input as ApiMaintenanceAttribute).MaintenanceWindows?.MaintenanceWindow ?? []);
  const out: MaintenanceWindow[] = [];
  list.forEach((w, i) => {
    const p = `${path}.MaintenanceWindow[${i}]`;
    if (w.StartTime === undefined && w.EndTime === undefined) return;
    if (w.StartTime === undefined || w.EndTime === undefined) throw new WindowConfigError(p, "StartTime and EndTime must be set together");
    out.push(checkWindow({ startHour: parseApiHour(w.StartTime, `${p}.StartTime`), endHour: parseApiHour(w.EndTime, `${p}.EndTime`) }, p));
  });
  return out;
}

// ---------------------------------------------------------------------------
// Parsing: our own config shape

const hourString = z.string().check(z.regex(/^([01]\d|2[0-3]):00$/, 'a whole hour "HH:00", 00:00–23:00'));

/** Config shape: `{ start: "02:00", end: "05:00", timezone: "+08:00", weekdays?: ["Mon", ...] }`. */
export const windowConfigSchema = z.strictObject({
  start: hourString,
  end: hourString,
  /** Fixed: ECS maintenance windows are UTC+8. Stated so a reader never guesses. */
  timezone: z._default(z.literal("+08:00"), "+08:00"),
  weekdays: z.optional(z.array(z.enum(WEEKDAY_NAMES)).check(z.minLength(1))),
});
export type WindowConfig = z.input<typeof windowConfigSchema>;

/** Validates config windows; errors name the config path and what is allowed. */
export function parseWindowConfig(input: unknown, path = "maintenance.windows"): MaintenanceWindow[] {
  const parsed = z.array(windowConfigSchema).check(z.minLength(1)).safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = [path, ...issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))].join("").replace(/\.\[/g, "[");
    throw new WindowConfigError(where, issue.message);
  }
  return parsed.data.map((c, i) =>
    checkWindow(
      {
        startHour: Number(c.start.slice(0, 2)),
        endHour: Number(c.end.slice(0, 2)),
        ...(c.weekdays ? { weekdays: c.weekdays.map((d) => WEEKDAY_NAMES.indexOf(d) as Weekday) } : {}),
      },
      `${path}[${i}]`,
    ),
  );
}

// ---------------------------------------------------------------------------
// Occurrences

/**
 * Concrete occurrences of the windows overlapping `[from, to)`, sorted, with
 * overlapping or touching occurrences merged (22–24 + 00–03 is one 22–03 span).
 */
export function windowOccurrences(windows: readonly MaintenanceWindow[], from: number, to: number): Interval[] {
  if (to <= from) return [];
  const raw: Interval[] = [];
  // Local (UTC+8) calendar days: start a day early for windows crossing midnight.
  const firstDay = Math.floor((from + UTC8_OFFSET_MS) / DAY_MS) - 1;
  const lastDay = Math.floor((to + UTC8_OFFSET_MS) / DAY_MS);
  for (let day = firstDay; day <= lastDay; day++) {
    const localMidnightUtc = day * DAY_MS - UTC8_OFFSET_MS;
    const weekday = new Date(day * DAY_MS).getUTCDay() as Weekday;
    for (const w of windows) {
      if (w.weekdays && !w.weekdays.includes(weekday)) continue;
      const start = localMidnightUtc + w.startHour * HOUR_MS;
      const end = start + windowHours(w) * HOUR_MS;
      if (end > from && start < to) raw.push({ start, end });
    }
  }
  raw.sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Interval[] = [];
  for (const r of raw) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else merged.push(r);
  }
  return merged;
}

/** The occurrence containing `t`, if any. */
export function occurrenceAt(windows: readonly MaintenanceWindow[], t: number): Interval | undefined {
  return windowOccurrences(windows, t - DAY_MS, t + DAY_MS).find((o) => o.start <= t && t < o.end);
}

// ---------------------------------------------------------------------------
// Slot planning

export interface PlanSlotInput {
  now: Instant;
  /** The event's `notBefore`: the platform acts at or after this time. */
  notBefore: Instant;
  windows: readonly MaintenanceWindow[];
  /** Slack kept between the end of our action and `notBefore`. */
  safetyMarginMinutes: number;
  /** How long drain + action + recovery takes; the slot is this long. */
  actionDurationMinutes: number;
  /**
   * Slot starts a capacity guard refused. A refused start blocks the candidate
   * cell that holds it (the whole window occurrence by default, or one
   * `slotStepMinutes` cell), so asking again yields the next one.
   */
  blockedSlots?: readonly Instant[];
  /**
   * Granularity of candidates inside a window occurrence. Absent: one candidate
   * per occurrence (its earliest feasible start), so a refusal moves to the next
   * window (usually the next night). Present: candidates every N minutes,
   * aligned on the occurrence start.
   */
  slotStepMinutes?: number;
  /** Never look further than this many days ahead (default 400). */
  maxSearchDays?: number;
}

export type SlotPlan =
  | { kind: "slot"; start: number; end: number; window: Interval }
  | { kind: "none"; reason: NoSlotReason; detail: string };

export type NoSlotReason = "no-windows" | "too-late" | "no-window-fits" | "all-blocked";

function ceilToMinute(t: number): number {
  return Math.ceil(t / MINUTE_MS) * MINUTE_MS;
}

/**
 * The earliest slot `[start, start + actionDuration)` that lies inside one
 * window occurrence, starts at or after `now` (rounded up to the minute) and
 * ends at least `safetyMargin` before `notBefore`; or why there is none.
 */
export function planSlot(input: PlanSlotInput): SlotPlan {
  const now = toEpochMs(input.now, "now");
  const notBefore = toEpochMs(input.notBefore, "notBefore");
  const { safetyMarginMinutes: margin, actionDurationMinutes: duration } = input;
  if (!(duration > 0)) throw new RangeError(`actionDurationMinutes must be > 0, got ${duration}`);
  if (!(margin >= 0)) throw new RangeError(`safetyMarginMinutes must be ≥ 0, got ${margin}`);
  if (input.slotStepMinutes !== undefined && !(Number.isInteger(input.slotStepMinutes) && input.slotStepMinutes > 0)) {
    throw new RangeError(`slotStepMinutes must be a positive whole number, got ${input.slotStepMinutes}`);
  }
  if (input.windows.length === 0) return { kind: "none", reason: "no-windows", detail: "no maintenance window is configured" };

  const durationMs = duration * MINUTE_MS;
  const earliestStart = ceilToMinute(now);
  const latestEnd = notBefore - margin * MINUTE_MS; // the slot must end at or before this
  if (earliestStart + durationMs > latestEnd) {
    return { kind: "none", reason: "too-late", detail: `a ${duration}-minute action starting now would not end ${margin} minutes before notBefore ${new Date(notBefore).toISOString()}` };
  }
  const horizon = Math.min(latestEnd, now + (input.maxSearchDays ?? 400) * DAY_MS);
  const blocked = (input.blockedSlots ?? []).map((b, i) => toEpochMs(b, `blockedSlots[${i}]`));
  const step = input.slotStepMinutes !== undefined ? input.slotStepMinutes * MINUTE_MS : undefined;

  let fitted = 0;
  for (const occ of windowOccurrences(input.windows, earliestStart, horizon)) {
    // Cells of this occurrence: the whole occurrence, or step-sized pieces.
    const cells: Interval[] = [];
    if (step === undefined) cells.push(occ);
    else for (let s = occ.start; s < occ.end; s += step) cells.push({ start: s, end: Math.min(s + step, occ.end) });
    for (const cell of cells) {
      const start = Math.max(cell.start, earliestStart);
      if (start >= cell.end && step !== undefined) continue;
      const end = start + durationMs;
      if (end > occ.end || end > latestEnd) continue;
      fitted++;
      if (blocked.some((b) => b >= cell.start && b < cell.end)) continue;
      return { kind: "slot", start, end, window: occ };
    }
  }
  if (fitted > 0) return { kind: "none", reason: "all-blocked", detail: `${fitted} candidate slot(s) fit before notBefore and every one was refused` };
  return {
    kind: "none",
    reason: "no-window-fits",
    detail: `no window leaves ${duration} minutes of action plus ${margin} minutes of margin before notBefore ${new Date(notBefore).toISOString()}`,
  };
}
