import { parse } from 'csv-parse/sync';
import { normalizeCode, checkUscc } from '../shared/identifiers.ts';
import { AppError } from '../shared/errors.ts';

/**
 * The institution's upload: loan outcomes, one row per loan — USCC, loan date, amount (yuan),
 * defaulted. CSV (headers in Chinese or English, UTF-8 with or without BOM) or JSON (an array, or
 * `{ "loans": [...] }`). All or nothing: any bad row rejects the upload, naming row, field and rule.
 */

export interface LoanRow {
  /** Row number as the institution sees it (CSV line incl. header; JSON array position from 1). */
  row: number;
  uscc: string;
  loanDate: string;
  amount: number;
  defaulted: boolean;
}

export interface InputError {
  row: number;
  field: string;
  rule: string;
  value: string;
  zh: string;
  en: string;
}

const headerAliases: Record<keyof Omit<LoanRow, 'row'>, string[]> = {
  uscc: ['uscc', '统一社会信用代码', '信用代码', 'credit_code'],
  loanDate: ['loan_date', 'loandate', '放款日期', '贷款日期', '发放日期', 'date'],
  amount: ['amount', '贷款金额', '金额', '放款金额', 'loan_amount'],
  defaulted: ['defaulted', 'default', '是否违约', '违约', 'is_default', 'bad'],
};

/** Largest upload in rows (a bank's book of SME loans over several years). */
export const MAX_LOANS = 500_000;

function norm(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\s\u200b\ufeff*]+/g, '')
    .toLowerCase();
}

const trueWords = new Set(['1', 'true', 'y', 'yes', '是', '违约', 'bad']);
const falseWords = new Set(['0', 'false', 'n', 'no', '否', '正常', 'good']);

function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  const s = norm(String(v ?? ''));
  if (trueWords.has(s)) return true;
  if (falseWords.has(s)) return false;
  return undefined;
}

function parseDate(v: unknown): string | undefined {
  const s = String(v ?? '').trim();
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return undefined;
  }
  return date.toISOString().slice(0, 10);
}

function parseAmount(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  const s = String(v ?? '')
    .replace(/[,，\s元]/g, '')
    .trim();
  if (!/^\d+(\.\d+)?$/.test(s)) return undefined;
  return Number(s);
}

function validateRows(raw: { row: number; values: Record<string, unknown> }[], today: string): LoanRow[] {
  const errors: InputError[] = [];
  const out: LoanRow[] = [];
  const err = (row: number, field: string, rule: string, value: unknown, zh: string, en: string) =>
    errors.push({ row, field, rule, value: String(value ?? '').slice(0, 64), zh, en });
  for (const { row, values } of raw) {
    const code = normalizeCode(String(values.uscc ?? ''));
    const problem = checkUscc(code);
    if (problem) err(row, 'uscc', problem.rule, values.uscc, problem.zh, problem.en);
    const loanDate = parseDate(values.loanDate);
    if (!loanDate) {
      err(
        row,
        'loan_date',
        'date',
        values.loanDate,
        '放款日期应为 YYYY-MM-DD',
        'loan date must be YYYY-MM-DD',
      );
    } else if (loanDate > today) {
      err(row, 'loan_date', 'future', values.loanDate, '放款日期晚于今天', 'the loan date is in the future');
    }
    const amount = parseAmount(values.amount);
    if (amount === undefined) {
      err(
        row,
        'amount',
        'number',
        values.amount,
        '贷款金额应为非负数（元）',
        'amount must be a non-negative number (yuan)',
      );
    }
    const defaulted = parseBool(values.defaulted);
    if (defaulted === undefined) {
      err(
        row,
        'defaulted',
        'boolean',
        values.defaulted,
        '是否违约应为 是/否 或 1/0',
        'defaulted must be yes/no or 1/0',
      );
    }
    if (!problem && loanDate && loanDate <= today && amount !== undefined && defaulted !== undefined) {
      out.push({ row, uscc: code, loanDate, amount, defaulted });
    }
  }
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new AppError(
      'safe_room_input_invalid',
      {
        detail: `${errors.length} 行有误，如第 ${first.row} 行 ${first.field}：${first.zh} / e.g. row ${first.row} ${first.field}: ${first.en}`,
      },
      { errors: errors.slice(0, 100), errorCount: errors.length },
    );
  }
  if (out.length === 0) throw new AppError('safe_room_input_invalid', { detail: '没有数据行 / no rows' });
  if (out.length > MAX_LOANS) {
    throw new AppError('safe_room_input_invalid', {
      detail: `最多 ${MAX_LOANS} 行 / at most ${MAX_LOANS} rows`,
    });
  }
  return out;
}

function mapColumns(keys: string[]): Map<string, keyof Omit<LoanRow, 'row'>> {
  const map = new Map<string, keyof Omit<LoanRow, 'row'>>();
  for (const key of keys) {
    const k = norm(key);
    for (const [field, aliases] of Object.entries(headerAliases)) {
      if (aliases.some((a) => norm(a) === k)) map.set(key, field as keyof Omit<LoanRow, 'row'>);
    }
  }
  return map;
}

export function parseLoansCsv(text: string, today: string): LoanRow[] {
  let records: string[][];
  try {
    records = parse(text.replace(/^\ufeff/, ''), {
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
    });
  } catch (e) {
    throw new AppError('safe_room_input_invalid', { detail: e instanceof Error ? e.message : String(e) });
  }
  const header = records[0];
  if (!header) throw new AppError('safe_room_input_invalid', { detail: '文件为空 / empty file' });
  const columns = mapColumns(header);
  const missing = Object.keys(headerAliases).filter(
    (f) => ![...columns.values()].includes(f as keyof typeof headerAliases),
  );
  if (missing.length) {
    throw new AppError('safe_room_input_invalid', {
      detail: `缺少列 / missing columns: ${missing.join(', ')}（需要 uscc, loan_date, amount, defaulted）`,
    });
  }
  const raw = records.slice(1).map((cells, i) => {
    const values: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const f = columns.get(h);
      if (f) values[f] = cells[j];
    });
    return { row: i + 2, values };
  });
  return validateRows(raw, today);
}

export function parseLoansJson(input: unknown, today: string): LoanRow[] {
  const list = Array.isArray(input)
    ? input
    : input && typeof input === 'object' && Array.isArray((input as { loans?: unknown }).loans)
      ? (input as { loans: unknown[] }).loans
      : undefined;
  if (!list) {
    throw new AppError('safe_room_input_invalid', {
      detail: '应为数组或 {"loans": [...]} / expected an array or {"loans": [...]}',
    });
  }
  const raw = list.map((item, i) => {
    const values: Record<string, unknown> = {};
    if (item && typeof item === 'object') {
      const columns = mapColumns(Object.keys(item));
      for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
        const f = columns.get(k);
        if (f) values[f] = v;
      }
    }
    return { row: i + 1, values };
  });
  return validateRows(raw, today);
}
