import { addMonths } from '../../access/china-time.ts';
import type { Bilingual } from '../../consent/consent.types.ts';
import type { RightsConfig, Severity } from '../rights-config.ts';

/**
 * Credit repair eligibility (信用修复), pure. The regime is the one in force on the record's decision
 * date (Order No. 58 from 2023-05-01, the 信用修复管理办法 from 2026-04-01; see rights.config.json and
 * docs/decisions/0102). Periods run from the decision date (自决定之日起算); repair may be requested
 * once the minimum has passed; publication stops at the maximum.
 */

export interface RepairRecordFacts {
  kindCode: string;
  data: Record<string, unknown>;
  /** The date the period runs from (the kind's publicity from_field, else its date field). */
  decidedOn: string | null;
}

export interface RepairPeriods {
  regime: RightsConfig['repairRegimes'][number];
  severity: Severity;
  minUntil: string | null;
  maxUntil: string | null;
  published: boolean;
  /** The sector override applied (特种设备/安全生产/消防), if any. */
  override: string | null;
}

export function regimeOn(cfg: RightsConfig, day: string): RightsConfig['repairRegimes'][number] {
  const sorted = [...cfg.repairRegimes].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  return sorted.filter((r) => r.effectiveFrom <= day).pop() ?? sorted[0]!;
}

export function severityOf(cfg: RightsConfig, facts: RepairRecordFacts): Severity {
  for (const f of cfg.severity.fields) {
    const v = facts.data[f];
    if (typeof v === 'string' && cfg.severity.values[v.trim()]) return cfg.severity.values[v.trim()]!;
  }
  return cfg.severity.defaultByKind[facts.kindCode] ?? cfg.severity.default;
}

export function repairPeriods(cfg: RightsConfig, facts: RepairRecordFacts): RepairPeriods {
  const regime = regimeOn(cfg, facts.decidedOn ?? '9999-12-31');
  const severity = severityOf(cfg, facts);
  const rule = regime.classes[severity];
  let minMonths = rule.minMonths;
  let override: string | null = null;
  // Sector overrides look at the text describing the violation (penalty basis, type, authority).
  const text = Object.values(facts.data)
    .filter((v) => typeof v === 'string')
    .join(' ');
  for (const o of regime.sectorOverrides) {
    if (o.minMonths > minMonths && o.keywords.some((k) => text.includes(k))) {
      minMonths = o.minMonths;
      override = o.label;
    }
  }
  const from = facts.decidedOn;
  return {
    regime,
    severity,
    minUntil: from ? addMonths(from, minMonths) : null,
    maxUntil: from ? addMonths(from, rule.maxMonths) : null,
    published: rule.published,
    override,
  };
}

export interface EligibilityInput {
  today: string;
  periods: RepairPeriods;
  penaltyFulfilled: boolean;
  evidenceCount: number;
  commitmentSigned: boolean;
  negative: boolean;
}

export interface Refusal extends Bilingual {
  code: 'not_negative' | 'min_period' | 'no_date' | 'not_fulfilled' | 'no_evidence' | 'no_commitment';
}

/** Every reason the application fails, in zh and en (empty: eligible). */
export function repairRefusals(i: EligibilityInput): Refusal[] {
  const out: Refusal[] = [];
  if (!i.negative) {
    out.push({
      code: 'not_negative',
      zh: '该记录不是失信（负面）信息，无需修复',
      en: 'The record is not negative information',
    });
  }
  if (!i.periods.minUntil) {
    out.push({
      code: 'no_date',
      zh: '记录缺少决定日期，无法计算最短公示期',
      en: 'The record has no decision date to count the minimum period from',
    });
  } else if (i.today < i.periods.minUntil) {
    out.push({
      code: 'min_period',
      zh: `最短公示期未满：${i.periods.minUntil} 起可申请（${i.periods.regime.title}）`,
      en: `The minimum publicity period has not passed: apply from ${i.periods.minUntil}`,
    });
  }
  if (!i.penaltyFulfilled) {
    out.push({
      code: 'not_fulfilled',
      zh: '未声明已纠正失信行为、履行相关义务',
      en: 'Correction of the wrongdoing and performance of the obligations not declared',
    });
  } else if (i.evidenceCount === 0) {
    out.push({
      code: 'no_evidence',
      zh: '未提供履行义务的证明材料',
      en: 'No evidence of the obligations performed',
    });
  }
  if (!i.commitmentSigned) {
    out.push({ code: 'no_commitment', zh: '未签署公开信用承诺', en: 'No public credit commitment signed' });
  }
  return out;
}

/**
 * The end of publicity under the repair rules (YYYY-MM-DD), for the read path: the provider's explicit
 * end when sent, else the decision date + the class maximum of the regime in force on that date;
 * a 轻微 record under the 2026 measures (not published) ends on its decision date. Null when the kind
 * has no publicity rule or the record no date.
 */
export function publicityUntilByRules(
  cfg: RightsConfig,
  kind: { code: string; publicity?: { from_field: string; until_field?: string | undefined } | undefined },
  data: Record<string, unknown>,
): string | null {
  const rule = kind.publicity;
  if (!rule) return null;
  const explicit = rule.until_field ? data[rule.until_field] : undefined;
  if (typeof explicit === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(explicit)) return explicit;
  const from = data[rule.from_field];
  if (typeof from !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(from)) return null;
  const p = repairPeriods(cfg, { kindCode: kind.code, data, decidedOn: from });
  return p.published ? p.maxUntil : from;
}
