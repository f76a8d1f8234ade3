import { z } from 'zod';
import { addMonths } from '../access/china-time.ts';
import type { ReadRecord } from '../access/read-path.types.ts';
import type { Bilingual } from './consent.types.ts';

/**
 * Verify-only questions (可用不可见): an institution asks yes/no questions about a subject and gets
 * the answers, never the records behind them. The question set is data: each question names the
 * kinds it reads and a rule of one of three shapes, so adding a question is adding an entry here
 * (and kinds are catalog codes, so a catalog change can be followed without code).
 *
 * Rule shapes:
 * - latest_in: the latest record (by `orderField`) has `field` in the asked list;
 * - none: no record of the kinds matches (`match`), counting only records dated within the asked
 *   number of months when `months` applies (records of kinds without a date always count);
 * - none_listed: like none, with `match` on a list flag and `clearedField` marking removal.
 */

export type Match =
  | { field: string; equals: boolean | string }
  | { field: string; notEquals: boolean | string }
  | { always: true };

export interface KindCheck {
  kind: string;
  match: Match;
  /** Date field deciding whether the record falls in the last N months (default: the record's date). */
  dateField?: string;
  /** A record whose field is set (e.g. removed_on, lifted_on) no longer counts. */
  clearedField?: string;
}

export type VerifyRule =
  | { type: 'latest_in'; kind: string; field: string; orderField: string }
  | { type: 'none'; checks: KindCheck[]; months: boolean };

export interface VerifyQuestion {
  code: string;
  label: Bilingual;
  /** Describes the parameter (zod schema) — a list of values, a number of months, or nothing. */
  param: z.ZodType;
  paramHelp: Bilingual | null;
  rule: VerifyRule;
}

const months = z.number().int().min(1).max(120);

export const verifyQuestions: VerifyQuestion[] = [
  {
    code: 'tax_grade_in',
    label: {
      zh: '最近一期纳税信用等级属于所列等级',
      en: 'The latest tax credit grade is one of the listed grades',
    },
    param: z
      .array(z.enum(['A', 'B', 'M', 'C', 'D']))
      .min(1)
      .max(5),
    paramHelp: { zh: '等级列表，如 ["A","B"]', en: 'list of grades, e.g. ["A","B"]' },
    rule: {
      type: 'latest_in',
      kind: 'tax_credit_rating',
      field: 'tax_credit_level',
      orderField: 'rating_year',
    },
  },
  {
    code: 'no_arrears_months',
    label: {
      zh: '近 N 个月无欠税、欠缴社会保险费和住房公积金',
      en: 'No tax, social-insurance or housing-fund arrears in the last N months',
    },
    param: months,
    paramHelp: { zh: '月数，如 12', en: 'number of months, e.g. 12' },
    rule: {
      type: 'none',
      months: true,
      checks: [
        { kind: 'tax_arrears', match: { field: 'in_arrears', equals: true } },
        {
          kind: 'social_insurance_arrears',
          match: { field: 'is_repaid', notEquals: true },
          dateField: 'arrears_to',
        },
        { kind: 'medical_insurance_arrears', match: { field: 'in_arrears', equals: true } },
        { kind: 'housing_fund_deposit', match: { field: 'in_arrears', equals: true } },
      ],
    },
  },
  {
    code: 'no_dishonest_debtor',
    label: { zh: '未被列为失信被执行人', en: 'Not listed as a dishonest judgment debtor' },
    param: z.literal(true).optional(),
    paramHelp: null,
    rule: { type: 'none', months: false, checks: [{ kind: 'dishonest_debtor', match: { always: true } }] },
  },
  {
    code: 'no_penalty_months',
    label: {
      zh: '近 N 个月无行政处罚（公示期内）',
      en: 'No administrative penalty (in publicity) in the last N months',
    },
    param: months,
    paramHelp: { zh: '月数，如 24', en: 'number of months, e.g. 24' },
    rule: { type: 'none', months: true, checks: [{ kind: 'admin_penalty', match: { always: true } }] },
  },
  {
    code: 'no_abnormal_operation',
    label: { zh: '未列入经营异常名录', en: 'Not on the list of abnormal operations' },
    param: z.literal(true).optional(),
    paramHelp: null,
    rule: {
      type: 'none',
      months: false,
      checks: [
        {
          kind: 'abnormal_operation',
          match: { field: 'is_listed', notEquals: false },
          clearedField: 'removed_on',
        },
      ],
    },
  },
  {
    code: 'no_serious_illegal_list',
    label: {
      zh: '未列入严重违法失信企业名单',
      en: 'Not on the list of seriously illegal and dishonest enterprises',
    },
    param: z.literal(true).optional(),
    paramHelp: null,
    rule: {
      type: 'none',
      months: false,
      checks: [{ kind: 'serious_illegal_list', match: { always: true }, clearedField: 'removed_on' }],
    },
  },
  {
    code: 'no_abnormal_taxpayer',
    label: { zh: '不是非正常纳税户', en: 'Not an abnormal taxpayer' },
    param: z.literal(true).optional(),
    paramHelp: null,
    rule: {
      type: 'none',
      months: false,
      checks: [
        {
          kind: 'abnormal_taxpayer',
          match: { field: 'is_abnormal', notEquals: false },
          clearedField: 'lifted_on',
        },
      ],
    },
  },
];

export function findVerifyQuestion(code: string): VerifyQuestion | undefined {
  return verifyQuestions.find((q) => q.code === code);
}

/** Kinds a question reads. */
export function questionKinds(q: VerifyQuestion): string[] {
  return q.rule.type === 'latest_in' ? [q.rule.kind] : q.rule.checks.map((c) => c.kind);
}

function matches(m: Match, data: Record<string, unknown>): boolean {
  if ('always' in m) return true;
  const v = data[m.field];
  if ('equals' in m) return v === m.equals;
  return v !== m.notEquals;
}

/**
 * Answers one question from the records the read path returned (already filtered for what this
 * institution may use: repaired records and records past their publicity end are not there).
 */
export function answerQuestion(
  q: VerifyQuestion,
  param: unknown,
  records: ReadRecord[],
  today: string,
): boolean {
  const rule = q.rule;
  if (rule.type === 'latest_in') {
    const list = (param as string[]) ?? [];
    const own = records
      .filter((r) => r.kindCode === rule.kind && r.status === 'active')
      .sort((a, b) =>
        String(b.data[rule.orderField] ?? '').localeCompare(String(a.data[rule.orderField] ?? '')),
      );
    const latest = own[0];
    return !!latest && list.includes(String(latest.data[rule.field]));
  }
  const since = rule.months ? addMonths(today, -(param as number)) : null;
  for (const check of rule.checks) {
    for (const r of records) {
      if (r.kindCode !== check.kind || r.status !== 'active') continue;
      if (check.clearedField && r.data[check.clearedField]) continue;
      if (!matches(check.match, r.data)) continue;
      if (since) {
        const d = check.dateField ? r.data[check.dateField] : r.occurredOn;
        if (typeof d === 'string' && /^\d{4}-\d{2}-\d{2}/.test(d) && d.slice(0, 10) < since) continue;
      }
      return false;
    }
  }
  return true;
}
