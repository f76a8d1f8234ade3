import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../shared/errors.ts';
import {
  addWorkingDays,
  buildCalendar,
  calendarStatus,
  deadline,
  isWorkingDay,
  parseCalendarYear,
  shippedCalendarYears,
  workingDaysBetween,
} from './working-days.ts';

const cal = buildCalendar(shippedCalendarYears());

describe('working-day calendar', () => {
  it('ships 2025 and 2026', () => {
    assert.deepEqual(cal.coveredYears, [2025, 2026]);
  });

  it('knows holidays, ordinary weekends and adjusted working days (调休)', () => {
    assert.equal(isWorkingDay('2025-10-01', cal), false, '国庆');
    assert.equal(isWorkingDay('2025-10-08', cal), false, '国庆 last day (a Wednesday)');
    assert.equal(isWorkingDay('2025-10-11', cal), true, 'adjusted Saturday');
    assert.equal(isWorkingDay('2025-10-18', cal), false, 'ordinary Saturday');
    assert.equal(isWorkingDay('2025-09-28', cal), true, 'adjusted Sunday');
    assert.equal(isWorkingDay('2025-10-09', cal), true, 'Thursday after the holiday');
  });

  it('adds working days across 国庆 and its adjusted Saturday', () => {
    // Filed Tuesday 2025-09-30: Oct 1–8 off, Thu 9, Fri 10, Sat 11 (adjusted) are working days.
    assert.equal(addWorkingDays('2025-09-30', 1, cal), '2025-10-09');
    assert.equal(addWorkingDays('2025-09-30', 2, cal), '2025-10-10');
    assert.equal(addWorkingDays('2025-09-30', 3, cal), '2025-10-11');
    assert.equal(addWorkingDays('2025-09-30', 4, cal), '2025-10-13');
    // Friday 2025-09-26 + 1: Sunday 28 is an adjusted working day.
    assert.equal(addWorkingDays('2025-09-26', 1, cal), '2025-09-28');
    assert.equal(addWorkingDays('2025-10-13', -4, cal), '2025-09-30');
  });

  it('adds working days across 春节 (Sunday before and Saturday after adjusted)', () => {
    // Fri 2025-01-24 + 1 = Sun 26 (adjusted); + 2 = Mon 27; + 3 skips Jan 28–Feb 4 → Wed Feb 5.
    assert.equal(addWorkingDays('2025-01-24', 1, cal), '2025-01-26');
    assert.equal(addWorkingDays('2025-01-24', 3, cal), '2025-02-05');
    // Provider's 10 working days from Mon 2025-01-27: Feb 5,6,7,8(Sat, adjusted),10,11,12,13,14,17.
    assert.equal(addWorkingDays('2025-01-27', 10, cal), '2025-02-17');
    assert.equal(workingDaysBetween('2025-01-27', '2025-02-17', cal), 10);
  });

  it('counts working days between two dates, negative when reversed', () => {
    assert.equal(workingDaysBetween('2025-09-30', '2025-10-11', cal), 3);
    assert.equal(workingDaysBetween('2025-10-11', '2025-09-30', cal), -3);
    assert.equal(workingDaysBetween('2025-10-11', '2025-10-11', cal), 0);
  });

  it('holds the official 2026 schedule (国办发明电〔2025〕7号) day by day', () => {
    const off = (from: string, to: string) => {
      for (
        let d = new Date(`${from}T00:00:00Z`);
        d <= new Date(`${to}T00:00:00Z`);
        d.setUTCDate(d.getUTCDate() + 1)
      ) {
        const day = d.toISOString().slice(0, 10);
        assert.equal(isWorkingDay(day, cal), false, day);
      }
    };
    off('2026-01-01', '2026-01-03'); // 元旦
    off('2026-02-15', '2026-02-23'); // 春节, 9 days
    off('2026-04-04', '2026-04-06'); // 清明
    off('2026-05-01', '2026-05-05'); // 劳动节
    off('2026-06-19', '2026-06-21'); // 端午
    off('2026-09-25', '2026-09-27'); // 中秋
    off('2026-10-01', '2026-10-07'); // 国庆
    // The weekend days that are working days (调休上班), and no others.
    const adjusted = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];
    for (const d of adjusted) assert.equal(isWorkingDay(d, cal), true, d);
    const y2026 = shippedCalendarYears().find((y) => y.year === 2026)!;
    assert.deepEqual(y2026.workdays.map((w) => w.day).sort(), adjusted);
    assert.equal(y2026.holidays.length, 3 + 9 + 3 + 5 + 3 + 3 + 7);
    assert.equal(isWorkingDay('2026-10-08', cal), true, 'Thursday after 国庆 2026');
    // Filed Wed 2026-09-30: Oct 1–7 off, Thu 8, Fri 9, Sat 10 (adjusted), Mon 12.
    assert.equal(addWorkingDays('2026-09-30', 3, cal), '2026-10-10');
    assert.equal(addWorkingDays('2026-09-30', 4, cal), '2026-10-12');
    // Fri 2026-02-13 + 1 = Sat 14 (adjusted); + 2 skips 春节 to Tue Feb 24.
    assert.equal(addWorkingDays('2026-02-13', 1, cal), '2026-02-14');
    assert.equal(addWorkingDays('2026-02-13', 2, cal), '2026-02-24');
  });

  it('flags a deadline counted into 2027 (not yet published) as provisional, with the way to load it', () => {
    // Wed 2026-12-30 + 2 = Fri 2027-01-01, a weekday without data: counted Monday–Friday only.
    const d = deadline('2026-12-30', 2, cal);
    assert.equal(d.dueOn, '2027-01-01');
    assert.equal(d.provisional, true);
    assert.deepEqual(d.uncoveredYears, [2027]);
    assert.match(d.warning!.zh, /2027年节假日安排尚未导入.*xinrong calendar import/);
    assert.match(d.warning!.en, /2027 is not loaded/);
    const inside = deadline('2026-11-20', 2, cal);
    assert.equal(inside.provisional, false);
    assert.equal(inside.warning, null);
    // With 2027's notice loaded the same period ends on the Monday.
    const with2027 = buildCalendar([
      ...shippedCalendarYears(),
      parseCalendarYear({ year: 2027, holidays: [{ day: '2027-01-01', name: '元旦' }], workdays: [] }),
    ]);
    assert.deepEqual(deadline('2026-12-30', 2, with2027), {
      dueOn: '2027-01-04',
      provisional: false,
      uncoveredYears: [],
      warning: null,
    });
  });

  it('warns operators from 1 November when next year is missing, and always for the current year', () => {
    assert.deepEqual(calendarStatus(cal, '2026-10-31').missingYears, []);
    assert.deepEqual(calendarStatus(cal, '2026-11-22').missingYears, [2027]);
    assert.match(calendarStatus(cal, '2026-11-22').warning!.zh, /2027年/);
    assert.deepEqual(calendarStatus(cal, '2027-03-01').missingYears, [2027]);
  });

  it('counts Monday–Friday in a year without data', () => {
    assert.equal(addWorkingDays('2030-10-01', 2, cal), '2030-10-03');
    assert.equal(addWorkingDays('2030-10-04', 1, cal), '2030-10-07', 'Friday + 1 = Monday');
  });

  it('refuses a malformed year file with a bilingual error', () => {
    assert.throws(
      () => parseCalendarYear({ year: 2027, holidays: [{ day: '2026-10-01' }], workdays: [] }),
      (e: unknown) => e instanceof AppError && e.code === 'calendar_invalid' && /2027/.test(e.message),
    );
    assert.throws(() => parseCalendarYear({ year: 2027, holidays: [{ day: '2027-02-30' }], workdays: [] }));
  });
});
