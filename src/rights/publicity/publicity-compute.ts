import { addMonths } from '../../access/china-time.ts';

/**
 * The stored publicity end (公示截止) of one record version, computed by the writer in the statement
 * that appends the version (docs/decisions/0122-publicity-computed-by-the-writer.md). It is the same
 * rule, step for step, as the set-based SQL of `record_publicity_recompute` (migration
 * 2026-11-22T0312), which recomputes every stored end when the rules or the catalog change; a test
 * stores edge cases through the writer and checks that the SQL recomputation changes nothing.
 *
 * - decision day: the kind's `from_field`, when it is a string holding a real calendar day;
 * - the provider's explicit end (`until_field`) wins; no valid decision day → no end ('undated');
 * - the regime is the latest one in force on the decision day (the earliest before any took
 *   effect; the latest when undated): 发展改革委令第58号 from 2023-05-01, 《信用修复管理办法》 from 2026-04-01;
 * - the class: the first severity field holding a mapped value (spaces trimmed, as btrim does),
 *   else the kind's default, else the general default;
 * - a published class ends `maxMonths` after the decision day (month-end clamped, as PostgreSQL's
 *   date + interval); an unpublished one (轻微 under the 2026 measures) ends on the decision day.
 */

/** The `publicity_rules` row's document (publicityRulesDoc of the rights configuration). */
export interface PublicityRulesDoc {
  regimes: {
    id: string;
    effectiveFrom: string;
    classes: Record<string, { maxMonths: number; published: boolean }>;
  }[];
  severity: {
    fields: string[];
    values: Record<string, string>;
    defaultByKind: Record<string, string>;
    default: string;
  };
}

export interface StoredPublicityFacts {
  decidedOn: string | null;
  severity: string;
  regime: string | null;
  publicityUntil: string | null;
  basis: 'provider' | 'rules' | 'undated';
}

const dayPattern = /^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

/** xr_day(): the text as a day when it names a real calendar day (2026-02-30 is not one). */
export function realDay(v: unknown): string | null {
  if (typeof v !== 'string' || !dayPattern.test(v)) return null;
  // Digits by char code: this runs for every ingested row of a dated kind (a Date per call showed in profiles).
  const d = (i: number) => v.charCodeAt(i) - 48;
  const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const m = d(5) * 10 + d(6);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const last = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return d(8) * 10 + d(9) <= last ? v : null;
}

/** PostgreSQL's btrim(text): spaces only, not other white space. */
function btrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  return s.slice(a, b);
}

/** A kind's rule as the writer needs it: the catalog's `publicity` (from_field, until_field). */
export interface PublicityKindRule {
  code: string;
  publicity?: { from_field: string; until_field?: string | undefined } | undefined;
}

/** Prepares the rules once per chunk; the returned function computes one version's facts. */
export function publicityComputer(
  rules: PublicityRulesDoc,
  kind: PublicityKindRule,
): ((data: Record<string, unknown>) => StoredPublicityFacts) | null {
  const rule = kind.publicity;
  if (!rule?.from_field) return null;
  const regimes = [...rules.regimes].sort((a, b) =>
    a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0,
  );
  const sev = rules.severity;
  const kindDefault = sev.defaultByKind[kind.code] ?? sev.default;
  return (data) => {
    const from = realDay(data[rule.from_field]);
    const explicit = rule.until_field ? realDay(data[rule.until_field]) : null;
    let severity = kindDefault;
    for (const f of sev.fields) {
      const v = data[f];
      if (typeof v !== 'string') continue;
      const mapped = sev.values[btrim(v)];
      if (mapped !== undefined) {
        severity = mapped;
        break;
      }
    }
    let regime = regimes[0];
    for (const r of regimes) if (from === null || r.effectiveFrom <= from) regime = r;
    // Several regimes may share an effective date in the SQL (a join on the date); the rights
    // configuration never has two, and this takes the last one listed.
    const cls = regime?.classes[severity];
    const until = explicit ?? (from === null ? null : cls?.published ? addMonths(from, cls.maxMonths) : from);
    return {
      decidedOn: from,
      severity,
      regime: cls ? regime!.id : null,
      publicityUntil: until,
      basis: explicit !== null ? 'provider' : from === null ? 'undated' : 'rules',
    };
  };
}
