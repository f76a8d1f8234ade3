import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../shared/errors.ts';
import {
  addWorkingDays,
  buildCalendar,
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
