import fs from 'node:fs';
import { z } from 'zod';
import type { Bilingual } from '../../consent/consent.types.ts';
import { AppError } from '../../shared/errors.ts';

/**
 * The working-day calendar (工作日历). Deadlines of objections and repairs are counted in working
 * days: Monday–Friday, minus the public holidays the State Council's General Office (国务院办公厅)
 * announces each year, plus the weekend days it turns into working days (调休上班). The yearly
 * announcement is data (`cn-YYYY.json` here, or an operator's import), never code.
 *
 * A year without data counts Monday–Friday only. That is never silent: `deadline()` flags a due date
 * whose period touches such a year as provisional, with a bilingual warning telling the operator to
 * import the year (`xinrong calendar import cn-YYYY.json`, `POST /api/v1/rights/calendar`, or a
 * `cn-YYYY.json` shipped here); the import recomputes the open cases' due dates.
 */

const dayRe = /^\d{4}-\d{2}-\d{2}$/;

/** 2027-02-30 parses (as 03-02) but is not a day. */
function realDay(day: string): boolean {
  const t = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === day;
}
const entry = z.object({ day: z.string().regex(dayRe), name: z.string().max(200).default('') });

export const calendarYearSchema = z
  .object({
    year: z.number().int().min(2000).max(2100),
    source: z.string().max(1000).default(''),
    holidays: z.array(entry).max(366),
    workdays: z.array(entry).max(366),
  })
  .superRefine((y, ctx) => {
    const seen = new Set<string>();
    for (const [list, label] of [
      [y.holidays, 'holidays'],
      [y.workdays, 'workdays'],
    ] as const) {
      for (const e of list) {
        if (!e.day.startsWith(`${y.year}-`) || !realDay(e.day)) {
          ctx.addIssue({ code: 'custom', message: `${label}: ${e.day} is not a day of ${y.year}` });
        }
        if (seen.has(e.day)) ctx.addIssue({ code: 'custom', message: `${e.day} listed twice` });
        seen.add(e.day);
      }
    }
  });
export type CalendarYear = z.infer<typeof calendarYearSchema>;

export interface WorkingCalendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
  coveredYears: readonly number[];
}

export function buildCalendar(years: CalendarYear[]): WorkingCalendar {
  const holidays = new Set<string>();
  const workdays = new Set<string>();
  for (const y of years) {
    for (const h of y.holidays) holidays.add(h.day);
    for (const w of y.workdays) workdays.add(w.day);
  }
  return { holidays, workdays, coveredYears: years.map((y) => y.year).sort((a, b) => a - b) };
}

/** Parses and checks one year's file; bad input is a 400, never a crash. */
export function parseCalendarYear(input: unknown): CalendarYear {
  const r = calendarYearSchema.safeParse(input);
  if (!r.success) {
    throw new AppError('calendar_invalid', { detail: r.error.issues.map((i) => i.message).join('; ') });
  }
  return r.data;
}

/** The calendars shipped with the code (src/rights/calendar/cn-YYYY.json). */
export function shippedCalendarYears(): CalendarYear[] {
  const dir = new URL('./', import.meta.url);
  return fs
    .readdirSync(dir)
    .filter((f) => /^cn-\d{4}\.json$/.test(f))
    .sort()
    .map((f) => parseCalendarYear(JSON.parse(fs.readFileSync(new URL(f, dir), 'utf8'))));
}

function utc(day: string): Date {
  if (!dayRe.test(day)) throw new AppError('validation_failed', { detail: `not a date: ${day}` });
  return new Date(`${day}T00:00:00Z`);
}

function fmt(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function isWorkingDay(day: string, cal: WorkingCalendar): boolean {
  if (cal.workdays.has(day)) return true;
  if (cal.holidays.has(day)) return false;
  const dow = utc(day).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/**
 * The day on which a period of `n` working days that starts the day after `day` ends: filing on a
 * Friday with n = 2 gives Tuesday. n = 0 returns `day` itself. Negative n counts backwards.
 */
export function addWorkingDays(day: string, n: number, cal: WorkingCalendar): string {
  if (!Number.isInteger(n)) throw new AppError('validation_failed', { detail: `working days: ${n}` });
  const d = utc(day);
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + step);
    if (isWorkingDay(fmt(d), cal)) left--;
  }
  return fmt(d);
}

/**
 * Working days after `from` up to and including `to` (0 when to <= from): how many working days
 * of a period have been used, or (negated order) how late a step is.
 */
export function workingDaysBetween(from: string, to: string, cal: WorkingCalendar): number {
  const a = utc(from);
  const b = utc(to);
  if (b <= a) return b < a ? -workingDaysBetween(to, from, cal) : 0;
  let n = 0;
  for (let d = new Date(a); d < b;) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (isWorkingDay(fmt(d), cal)) n++;
  }
  return n;
}

/** Years from `from` to `to` (inclusive, either order) without calendar data, ascending. */
export function uncoveredYears(from: string, to: string, cal: WorkingCalendar): number[] {
  const a = Number(from.slice(0, 4));
  const b = Number(to.slice(0, 4));
  const out: number[] = [];
  for (let y = Math.min(a, b); y <= Math.max(a, b); y++) if (!cal.coveredYears.includes(y)) out.push(y);
  return out;
}

/** The operators' warning for years without holiday data, or null when every year is loaded. */
export function calendarWarning(years: readonly number[]): Bilingual | null {
  if (years.length === 0) return null;
  const zhYears = years.map((y) => `${y}年`).join('、');
  const enYears = years.join(', ');
  return {
    zh:
      `${zhYears}节假日安排尚未导入，期限暂按周一至周五计算，可能不准确；` +
      `国务院办公厅通知发布后请导入（xinrong calendar import cn-${years[0]}.json 或 POST /api/v1/rights/calendar）`,
    en:
      `The public-holiday schedule for ${enYears} is not loaded: deadlines count Monday–Friday only and may be ` +
      `wrong; import the State Council notice once published (xinrong calendar import cn-${years[0]}.json or ` +
      `POST /api/v1/rights/calendar)`,
  };
}

export interface Deadline {
  dueOn: string;
  /** True when the period touches a year without holiday data (counted Monday–Friday only). */
  provisional: boolean;
  uncoveredYears: number[];
  warning: Bilingual | null;
}

/** `addWorkingDays` with the calendar's coverage of the period stated. */
export function deadline(start: string, n: number, cal: WorkingCalendar): Deadline {
  const dueOn = addWorkingDays(start, n, cal);
  const years = uncoveredYears(start, dueOn, cal);
  return { dueOn, provisional: years.length > 0, uncoveredYears: years, warning: calendarWarning(years) };
}

/**
 * What the console shows: the years loaded, and the current or next year missing. The next year is
 * reported from 1 November (the notice usually appears in November), the current one always.
 */
export function calendarStatus(
  cal: WorkingCalendar,
  today: string,
): { coveredYears: number[]; missingYears: number[]; warning: Bilingual | null } {
  const year = Number(today.slice(0, 4));
  const watch = today.slice(5) >= '11-01' ? [year, year + 1] : [year];
  const missingYears = watch.filter((y) => !cal.coveredYears.includes(y));
  return { coveredYears: [...cal.coveredYears], missingYears, warning: calendarWarning(missingYears) };
}
