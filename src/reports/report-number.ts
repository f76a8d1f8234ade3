/**
 * Report numbers: XR-YYYYMMDD-NNNNNN-C. YYYYMMDD is the issue day in China time, NNNNNN a platform-wide
 * serial (a database sequence, zero-padded to at least six digits), C the ISO 7064 MOD 11-2 check
 * character (0-9 or X, as in 居民身份证号码, GB 11643) over the digits of date and serial, so a mistyped
 * number is caught before any lookup.
 */

const NUMBER_RE = /^XR-(\d{8})-(\d{6,})-([0-9X])$/;

/** ISO 7064 MOD 11-2 over a string of digits. */
export function mod112(digits: string): string {
  let p = 0;
  for (const ch of digits) p = ((p + Number(ch)) * 2) % 11;
  const c = (12 - p) % 11;
  return c === 10 ? 'X' : String(c);
}

export function formatReportNumber(chinaDay: string, serial: number): string {
  const date = chinaDay.replaceAll('-', '');
  const s = String(serial).padStart(6, '0');
  return `XR-${date}-${s}-${mod112(date + s)}`;
}

/** Normalizes (trim, upper case) and checks a report number; undefined when it is not one. */
export function parseReportNumber(raw: string): string | undefined {
  const n = raw.trim().toUpperCase();
  const m = NUMBER_RE.exec(n);
  if (!m) return undefined;
  return mod112(m[1]! + m[2]!) === m[3] ? n : undefined;
}
