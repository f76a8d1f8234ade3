/**
 * Calendar days in China Standard Time (UTC+8, no daylight saving): agreements' terms, consents'
 * data ranges and publicity periods are calendar dates as the documents state them.
 */
const offsetMs = 8 * 60 * 60 * 1000;

/** YYYY-MM-DD of an instant in UTC+8. */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + offsetMs).toISOString().slice(0, 10);
}

/** Adds whole months to a YYYY-MM-DD date (day clamped to the month's end, e.g. 01-31 + 1 = 02-28). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

export function isDay(v: unknown): v is string {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
}
