import { createHash } from 'node:crypto';
import type { CatalogField, CatalogKind } from '../../catalog/catalog.schema.ts';
import { idCheckDigit, usccCheckChar } from '../../shared/identifiers.ts';

/**
 * Deterministic sandbox data: every value is derived from SHA-256(uscc | kind | record | field), so the
 * same subject always gets the same answer from any sandbox process, and values follow the catalog's
 * field types (valid check characters, real region codes, enum values), so the data passes the same
 * validation as pushed records.
 */

/** GB/T 2260 districts of Zhengzhou (4101xx) and Pingdingshan (4104xx). */
const regionCodes = ['410102', '410103', '410104', '410105', '410122', '410402', '410403', '410411'];
/** GB/T 4754-2017 classes (letter section + 4 digits) common among SMEs. */
const industryCodes = ['C3511', 'C1391', 'E4710', 'F5123', 'I6513', 'M7320', 'A0141', 'H6210'];
const nameWords = [
  '华泰',
  '中原',
  '嵩山',
  '黄河',
  '鹰城',
  '汇通',
  '博远',
  '恒信',
  '金穗',
  '绿源',
  '宏达',
  '天瑞',
];
const nameTrades = ['科技', '商贸', '建材', '农业', '物流', '食品', '机械', '电子'];
const personSurnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄'];
const personGiven = ['伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇'];

function hashInt(...parts: Array<string | number>): number {
  const h = createHash('sha256').update(parts.join('|')).digest();
  // 48 bits: exact in a double.
  return h.readUIntBE(0, 6);
}

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const dayMs = 86_400_000;
const epoch2016 = Date.UTC(2016, 0, 1);

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A valid USCC (GB 32100-2015) for an enterprise registered by market regulation (91…). */
export function sandboxUscc(seed: number): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = `91${pick(regionCodes, seed)}`;
  let n = seed;
  for (let i = 0; i < 9; i++) {
    body += chars[n % 31];
    n = Math.floor(n / 31) + 7 * (i + 1);
  }
  return body + usccCheckChar(body);
}

/** A valid resident ID number (GB 11643-1999): born 1960–1999, sequence from the seed. */
export function sandboxIdNumber(seed: number): string {
  const birth = isoDate(Date.UTC(1960, 0, 1) + (seed % 14_600) * dayMs).replaceAll('-', '');
  const body = `${pick(regionCodes, seed)}${birth}${pad(seed % 1000, 3)}`;
  return body + idCheckDigit(body);
}

export function sandboxCompanyName(uscc: string): string {
  const h = hashInt('name', uscc);
  const city = uscc.slice(2, 6) === '4104' ? '平顶山' : '郑州';
  return `${city}${pick(nameWords, h)}${pick(nameTrades, Math.floor(h / 97))}有限公司`;
}

function personName(n: number): string {
  return `${pick(personSurnames, n)}${pick(personGiven, Math.floor(n / 7))}`;
}

/** How many records a kind holds for a subject: one when the subject alone identifies it, else 1–3. */
function recordCount(kind: CatalogKind, uscc: string): number {
  const keyIsSubjectOnly = kind.natural_key.every((k) => k === kind.subject_field);
  return keyIsSubjectOnly ? 1 : 1 + (hashInt('count', uscc, kind.code) % 3);
}

function fieldValue(
  kind: CatalogKind,
  field: CatalogField,
  uscc: string,
  index: number,
  inKey: boolean,
): unknown {
  if (field.code === kind.subject_field) return uscc;
  if (field.code === kind.subject_name_field) return sandboxCompanyName(uscc);
  const h = hashInt(uscc, kind.code, index, field.code);
  const label = field.label_zh;
  switch (field.type) {
    case 'string': {
      if (field.pattern) return patterned(field.pattern, index, h);
      let v: string;
      if (/名称$|单位$|机关$|机构$/.test(label)) v = `${pick(nameWords, h)}${label.replace(/名称$/, '')}`;
      else if (/权人$/.test(label)) v = `${pick(nameWords, h)}银行股份有限公司`;
      else if (/人$|姓名|负责人|代表/.test(label)) v = personName(h);
      else if (/号|码|编号/.test(label)) v = `SB${pad(h % 1_000_000_000, 9)}${inKey ? `-${index + 1}` : ''}`;
      else v = `${label}${pad(h % 10_000, 4)}${inKey ? `-${index + 1}` : ''}`;
      return field.max_length ? v.slice(0, field.max_length) : v;
    }
    case 'text': {
      const v = `（沙箱数据）${label}：第 ${index + 1} 条，编号 ${pad(h % 100_000, 5)}。`;
      return field.max_length ? v.slice(0, field.max_length) : v;
    }
    case 'integer':
      return inKey ? index + 1 + (h % 100) * 10 : h % 1_000;
    case 'number':
      return Math.round(h % 10_000_000) / 100;
    case 'boolean':
      return h % 4 === 0;
    case 'date':
      // Records of one subject are a year apart, so date keys never collide.
      return isoDate(epoch2016 + index * 400 * dayMs + (h % 365) * dayMs);
    case 'datetime':
      return new Date(epoch2016 + index * 400 * dayMs + (h % (365 * dayMs))).toISOString();
    case 'year':
      return 2024 - index;
    case 'enum': {
      const values = field.enum ?? [];
      return values.length ? values[(h + index) % values.length]!.value : null;
    }
    case 'uscc':
    case 'uscc_or_id':
      return sandboxUscc(h);
    case 'id_number':
      return sandboxIdNumber(h);
    case 'region':
      return pick(regionCodes, h);
    case 'industry':
      return pick(industryCodes, h);
  }
}

/**
 * A value for a string field with a pattern. Periods (YYYY-MM) are the common case: a subject's
 * records are one month apart, counting back from 2025-12, so period keys never collide.
 */
function patterned(pattern: string, index: number, h: number): string | null {
  const month = 2025 * 12 + 11 - index;
  const candidates = [
    `${Math.floor(month / 12)}-${pad((month % 12) + 1, 2)}`,
    String(h % 1_000_000),
    `SB${pad(h % 1_000_000, 6)}`,
  ];
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    return null;
  }
  return candidates.find((c) => re.test(c)) ?? null;
}

/** The records a sandbox provider holds for (subject, kind): deterministic, valid per the catalog. */
export function sandboxRecords(kind: CatalogKind, uscc: string): Array<Record<string, unknown>> {
  const n = recordCount(kind, uscc);
  const records: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (const field of kind.fields) {
      const v = fieldValue(kind, field, uscc, i, kind.natural_key.includes(field.code));
      if (v !== null) row[field.code] = v;
    }
    records.push(row);
  }
  return records;
}

/**
 * A body with the right envelope but records that break the catalog: required fields missing and
 * every remaining value wrapped in an object, plus a field the catalog does not know.
 */
export function wrongSchemaRecords(kind: CatalogKind, uscc: string): Array<Record<string, unknown>> {
  return sandboxRecords(kind, uscc).map((row) => {
    const out: Record<string, unknown> = { unexpected_field: 'x' };
    for (const field of kind.fields) {
      if (field.required || field.code === kind.subject_field) continue;
      out[field.code] = { value: row[field.code] };
    }
    return out;
  });
}
