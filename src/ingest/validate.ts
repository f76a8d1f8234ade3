import type { CatalogField, CatalogKind } from '../catalog/catalog.schema.ts';
import { checkIdNumber, checkUscc, normalizeCode } from '../shared/identifiers.ts';
import type { RowError, RowOp } from '../records/record-store.service.ts';

/**
 * Row validation against the catalog: pure functions, no I/O. Every value a provider sends is
 * normalised to one stored form (see docs/decisions/0031-validation-rules.md):
 * string/text trimmed; integer/number/year as JSON numbers; boolean as true/false; date as
 * 'YYYY-MM-DD'; datetime as 'YYYY-MM-DDTHH:mm:ss+08:00' (Beijing time when no zone is given);
 * enum as its value; uscc / id_number upper-case half-width. Empty cells are omitted from the data.
 */

export interface ValidatorOptions {
  /** GB/T 2260 dictionary check; without it a region code is checked for shape only (6 digits). */
  isRegion?: (code: string) => boolean;
  /** GB/T 4754-2017 dictionary check; without it shape only. */
  isIndustry?: (code: string) => boolean;
}

export type ValueCheck = { ok: true; value: unknown } | { ok: false; rule: string; zh: string; en: string };

export interface ValidatedRow {
  row: number;
  op: RowOp;
  reason: string | null;
  data: Record<string, unknown>;
}

const MAX_SHOWN_VALUE = 200;

/**
 * Characters in any one text value, whatever the catalog says: 30 times Excel's cell limit, far above
 * any real 违法事实 or 处罚依据. A single value of tens of millions of characters made the database
 * fail (PGlite: out of memory, a 500) and took its whole chunk of rows with it.
 */
export const MAX_TEXT_CHARS = 1_000_000;

/** Characters of a change's reason (`_reason`), as the records API allows. */
const MAX_REASON_CHARS = 2000;

/** Full-width ASCII (U+FF01–FF5E) and the ideographic space to half-width. */
export function toHalfWidth(s: string): string {
  return s
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

function isEmpty(v: unknown): boolean {
  if (typeof v === 'string') {
    // Most cells start with a visible ASCII or CJK character: not empty, without trimming a copy.
    const c = v.charCodeAt(0);
    if ((c > 0x20 && c < 0x7f) || (c >= 0x4e00 && c <= 0x9fff)) return false;
    return v.trim() === '';
  }
  return v === undefined || v === null;
}

/** The raw value as text, for error reports (cut to 200 characters). */
export function shownValue(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = v instanceof Date ? (Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()) : String(v);
  return printable(s.length > MAX_SHOWN_VALUE ? `${s.slice(0, MAX_SHOWN_VALUE)}…` : s);
}

/**
 * Text as it can be stored and shown: PostgreSQL text and jsonb hold neither U+0000 nor a lone
 * UTF-16 surrogate (only a JSON upload can carry one, as `\ud800`). In row errors, warnings and file
 * names a NUL is shown as ␀ (U+2400) and a lone surrogate as � (U+FFFD); the row itself is rejected
 * (`invalid_character`).
 */
export function printable(s: string): string {
  const t = s.includes('\u0000') ? s.replaceAll('\u0000', '\u2400') : s;
  return t.isWellFormed() ? t : t.toWellFormed();
}

/** Why a text cannot be stored as sent, or null when it can. */
function invalidCharacter(s: string, label: string, labelEn: string): { zh: string; en: string } | null {
  if (s.includes('\u0000')) {
    return {
      zh: `“${label}”含有空字符（NUL，U+0000），无法保存，请删除后重报`,
      en: `"${labelEn}" contains a NUL character (U+0000), which cannot be stored; remove it and send the row again`,
    };
  }
  if (!s.isWellFormed()) {
    return {
      zh: `“${label}”含有不成对的 UTF-16 代理项（如 \\ud800），不是有效字符，请更正后重报`,
      en: `"${labelEn}" contains a lone UTF-16 surrogate (such as \\ud800), which is not a character; correct it and send the row again`,
    };
  }
  return null;
}

/**
 * Characters (code points) in a well-formed text, counted without building an array of them:
 * `[...s]` on a cell of 150 million characters ran the process out of memory (a crash, not an error).
 */
function charCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      n--; // a surrogate pair is one character (lone surrogates were refused before)
      i++;
    }
  }
  return n;
}

function fail(rule: string, zh: string, en: string): ValueCheck {
  return { ok: false, rule, zh, en };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function validYmd(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Excel serial day numbers (1900 date system, with Lotus's phantom 1900-02-29): serial 25569 is
 * 1970-01-01. Accepted from 1 (1900-01-01) to 73415 (2100-12-31).
 */
const EXCEL_EPOCH_OFFSET = 25569;
const MAX_EXCEL_SERIAL = 73415;
function excelSerialToDate(serial: number): { y: number; m: number; d: number; secs: number } | undefined {
  if (!(serial >= 1 && serial <= MAX_EXCEL_SERIAL + 1)) return undefined;
  let days = Math.floor(serial);
  if (days < 61) days += 1; // before the phantom 1900-02-29, serials are one day off
  const ms = (days - EXCEL_EPOCH_OFFSET) * 86400000;
  const dt = new Date(ms);
  const secs = Math.round((serial - Math.floor(serial)) * 86400);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate(), secs };
}

/** Numeric text: full-width digits, thousands separators (, ，), surrounding spaces. */
function numericText(raw: string): string {
  return toHalfWidth(raw)
    .replace(/[，,\s]/g, '')
    .replace(/。/g, '.');
}

/**
 * A decimal number's value as a canonical text (sign, digits without leading or trailing zeros,
 * exponent), so that two writings of one value compare equal: '1.50' and '15e-1', '12345678901234567890'
 * and String(12345678901234567000) do not. Undefined when the text is not a plain decimal number.
 */
export function decimalKey(text: string): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && !m[3])) return undefined;
  let digits = m[2]! + (m[3] ?? '');
  let exp = Number(m[4] ?? 0) - (m[3] ?? '').length;
  digits = digits.replace(/^0+/, '');
  if (digits === '') return '0';
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exp += trailing;
  return `${m[1] === '-' ? '-' : ''}${digits}e${exp}`;
}

interface DateParts {
  y: number;
  m: number;
  d: number;
  time?: { h: number; mi: number; s: number };
  zone?: string;
}

function parseDateParts(v: unknown): DateParts | undefined {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return undefined;
    // Spreadsheet readers give dates as UTC midnight of the calendar day shown in the cell.
    const secs = v.getUTCHours() * 3600 + v.getUTCMinutes() * 60 + v.getUTCSeconds();
    return {
      y: v.getUTCFullYear(),
      m: v.getUTCMonth() + 1,
      d: v.getUTCDate(),
      ...(secs ? { time: { h: v.getUTCHours(), mi: v.getUTCMinutes(), s: v.getUTCSeconds() } } : {}),
    };
  }
  if (typeof v === 'number') {
    const x = excelSerialToDate(v);
    if (!x) return undefined;
    return {
      y: x.y,
      m: x.m,
      d: x.d,
      ...(x.secs
        ? { time: { h: Math.floor(x.secs / 3600), mi: Math.floor((x.secs % 3600) / 60), s: x.secs % 60 } }
        : {}),
    };
  }
  const s = toHalfWidth(String(v)).trim();
  // YYYYMMDD
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return { y: +m[1]!, m: +m[2]!, d: +m[3]! };
  // Excel serial sent as text (a date column exported without its format)
  if (/^\d{1,5}(\.\d+)?$/.test(s)) return parseDateParts(Number(s));
  // YYYY-MM-DD, YYYY/M/D, YYYY.M.D, 2024年3月5日, optionally followed by a time
  m =
    /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s+|T)(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}(?:\.\d+)?))?秒?\s*(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
      s,
    );
  if (!m) return undefined;
  return {
    y: +m[1]!,
    m: +m[2]!,
    d: +m[3]!,
    ...(m[4] !== undefined ? { time: { h: +m[4], mi: +m[5]!, s: Math.floor(Number(m[6] ?? 0)) } } : {}),
    ...(m[7] ? { zone: m[7] } : {}),
  };
}

function label(field: CatalogField): string {
  return field.label_zh;
}

/** The unit a number field is sent in: `unit`, else the one named in brackets in its label. */
export function fieldUnit(field: CatalogField): string | undefined {
  if (field.unit) return field.unit;
  const m = /[（(]([^（）()]+)[）)]\s*$/.exec(field.label_zh);
  return m?.[1]?.trim() || undefined;
}

export function checkValue(field: CatalogField, raw: unknown, opts: ValidatorOptions = {}): ValueCheck {
  const name = label(field);
  switch (field.type) {
    case 'string':
    case 'text': {
      const s = (raw instanceof Date ? shownValue(raw)! : String(raw)).trim();
      const bad = invalidCharacter(s, name, field.label_en || field.code);
      if (bad) return { ok: false, rule: 'invalid_character', ...bad };
      // A text has at most as many characters as UTF-16 units: count only when it may be too long.
      const max = Math.min(field.max_length ?? MAX_TEXT_CHARS, MAX_TEXT_CHARS);
      const chars = s.length > max ? charCount(s) : 0;
      if (chars > max) {
        return fail(
          'max_length',
          `“${name}”超过最大长度 ${max} 个字符（实为 ${chars} 个）`,
          `"${field.label_en || field.code}" is longer than ${max} characters (${chars})`,
        );
      }
      if (field.pattern && !new RegExp(`^(?:${field.pattern})$`, 'u').test(s)) {
        return fail(
          'pattern',
          `“${name}”格式不正确`,
          `"${field.label_en || field.code}" has the wrong format`,
        );
      }
      return { ok: true, value: s };
    }
    case 'integer':
    case 'number': {
      let n: number;
      let text: string | undefined; // the number as sent, when sent as text
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'boolean' || raw instanceof Date) n = Number.NaN;
      else {
        // Commas only as thousands separators (1,234,567.5): 1,5 or 1,2,3 would otherwise lose their
        // commas and be stored as 15 or 123.
        const grouped = toHalfWidth(String(raw)).replace(/[\s]/g, '').replace(/，/g, ',').replace(/。/g, '.');
        if (grouped.includes(',') && !/^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[^\d,.].*)?$/.test(grouped)) {
          return field.type === 'integer'
            ? fail(
                'integer',
                `“${name}”应为整数（逗号只能作千位分隔符）`,
                `"${field.label_en || field.code}" must be a whole number (commas only as thousands separators)`,
              )
            : fail(
                'number',
                `“${name}”应为数字（逗号只能作千位分隔符，小数点用“.”）`,
                `"${field.label_en || field.code}" must be a number (commas only as thousands separators, "." for decimals)`,
              );
        }
        let s = numericText(String(raw));
        const unit = fieldUnit(field);
        // A unit is accepted only when it is the field's own unit: 12.5万元 in a 元 field is refused,
        // never silently scaled (amounts are stored as sent, in the field's unit).
        const um = /^([+-]?[\d.]+(?:[eE][+-]?\d+)?)\s*([^\d\s.+-][^\d]*)$/.exec(s);
        if (um) {
          if (unit && um[2] === toHalfWidth(unit)) s = um[1]!;
          else {
            return fail(
              'unit',
              `“${name}”只填数字${unit ? `（单位：${unit}）` : ''}，不应带单位“${um[2]}”`,
              `"${field.label_en || field.code}" takes a plain number${unit ? ` in ${unit}` : ''}, not a unit "${um[2]}"`,
            );
          }
        }
        n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : Number.NaN;
        text = s;
      }
      if (!Number.isFinite(n)) {
        return field.type === 'integer'
          ? fail('integer', `“${name}”应为整数`, `"${field.label_en || field.code}" must be a whole number`)
          : fail('number', `“${name}”应为数字`, `"${field.label_en || field.code}" must be a number`);
      }
      // A double holds 15 to 17 significant digits: a longer text would be stored rounded
      // (12345678901234567890 as 12345678901234567000), so it is refused rather than altered.
      if (text !== undefined && text.length > 15 && decimalKey(text) !== decimalKey(String(n))) {
        return fail(
          'precision',
          `“${name}”的有效数字过多（超过 15 位），无法按原值精确保存，请核对`,
          `"${field.label_en || field.code}" has more significant digits than can be stored exactly (over 15); check the value`,
        );
      }
      if (field.type === 'integer' && !Number.isInteger(n)) {
        return fail(
          'integer',
          `“${name}”应为整数`,
          `"${field.label_en || field.code}" must be a whole number`,
        );
      }
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const s = toHalfWidth(String(raw)).trim().toLowerCase();
      if (['是', 'y', 'yes', 'true', '1', 't', '有', '√'].includes(s)) return { ok: true, value: true };
      if (['否', 'n', 'no', 'false', '0', 'f', '无', '×'].includes(s)) return { ok: true, value: false };
      return fail(
        'boolean',
        `“${name}”应为“是”或“否”`,
        `"${field.label_en || field.code}" must be yes or no (是/否)`,
      );
    }
    case 'date': {
      const p = parseDateParts(raw);
      if (!p || !validYmd(p.y, p.m, p.d)) {
        return fail(
          'date',
          `“${name}”不是有效日期（应为 YYYY-MM-DD、YYYY/M/D、YYYYMMDD 或 2024年3月5日）`,
          `"${field.label_en || field.code}" is not a valid date (YYYY-MM-DD, YYYY/M/D, YYYYMMDD or 2024年3月5日)`,
        );
      }
      return { ok: true, value: `${p.y}-${pad2(p.m)}-${pad2(p.d)}` };
    }
    case 'datetime': {
      const p = parseDateParts(raw);
      const t = p?.time ?? { h: 0, mi: 0, s: 0 };
      // UTC offsets run from -12:00 to +14:00; +99:99 would shift the time by four days.
      const badZone =
        !!p?.zone && p.zone !== 'Z' && (Number(p.zone.slice(1, 3)) > 14 || Number(p.zone.slice(-2)) > 59);
      if (!p || !validYmd(p.y, p.m, p.d) || t.h > 23 || t.mi > 59 || t.s > 59 || badZone) {
        return fail(
          'datetime',
          `“${name}”不是有效的日期时间（应为 YYYY-MM-DD HH:mm:ss）`,
          `"${field.label_en || field.code}" is not a valid date and time (YYYY-MM-DD HH:mm:ss)`,
        );
      }
      let ms = Date.UTC(p.y, p.m - 1, p.d, t.h, t.mi, t.s);
      if (p.zone) {
        const z =
          p.zone === 'Z'
            ? 0
            : (p.zone[0] === '-' ? -1 : 1) * (Number(p.zone.slice(1, 3)) * 60 + Number(p.zone.slice(-2)));
        ms -= z * 60000;
      } else ms -= 8 * 3600000;
      const b = new Date(ms + 8 * 3600000); // shown in Beijing time
      const value = `${b.getUTCFullYear()}-${pad2(b.getUTCMonth() + 1)}-${pad2(b.getUTCDate())}T${pad2(b.getUTCHours())}:${pad2(b.getUTCMinutes())}:${pad2(b.getUTCSeconds())}+08:00`;
      return { ok: true, value };
    }
    case 'year': {
      const s = typeof raw === 'number' ? String(raw) : numericText(String(raw)).replace(/年(度)?$/, '');
      const y = /^\d{4}$/.test(s) ? Number(s) : Number.NaN;
      if (!(y >= 1900 && y <= 2100)) {
        return fail(
          'year',
          `“${name}”应为四位年份`,
          `"${field.label_en || field.code}" must be a four-digit year`,
        );
      }
      return { ok: true, value: y };
    }
    case 'enum': {
      const s = normalizeLabel(String(raw));
      for (const e of field.enum ?? []) {
        const names = [e.value, e.label_zh, e.label_en, ...((e as { aliases?: string[] }).aliases ?? [])];
        if (names.some((x) => x && normalizeLabel(x) === s)) return { ok: true, value: e.value };
      }
      const allowed = (field.enum ?? []).map((e) => e.label_zh).join('、');
      return fail(
        'enum',
        `“${name}”应为以下之一：${allowed}`,
        `"${field.label_en || field.code}" must be one of: ${(field.enum ?? []).map((e) => e.value).join(', ')}`,
      );
    }
    case 'uscc': {
      const code = normalizeCode(String(raw));
      const p = checkUscc(code);
      if (p) {
        return fail(
          'uscc',
          `“${name}”不是有效的统一社会信用代码：${p.zh}`,
          `"${field.label_en || field.code}" is not a valid USCC: ${p.en}`,
        );
      }
      return { ok: true, value: code };
    }
    case 'id_number': {
      const code = normalizeCode(String(raw));
      const p = checkIdNumber(code);
      if (p) {
        return fail(
          'id_number',
          `“${name}”不是有效的居民身份证号码：${p.zh}`,
          `"${field.label_en || field.code}" is not a valid resident ID number: ${p.en}`,
        );
      }
      return { ok: true, value: code };
    }
    case 'uscc_or_id': {
      const code = normalizeCode(String(raw));
      if (!checkUscc(code) || !checkIdNumber(code)) return { ok: true, value: code };
      return fail(
        'uscc_or_id',
        `“${name}”既不是有效的统一社会信用代码，也不是有效的居民身份证号码`,
        `"${field.label_en || field.code}" is neither a valid USCC nor a valid resident ID number`,
      );
    }
    case 'region': {
      const code = numericText(String(raw));
      if (!/^\d{6}$/.test(code) || (opts.isRegion && !opts.isRegion(code))) {
        return fail(
          'region',
          `“${name}”不是有效的行政区划代码（GB/T 2260，6 位数字）`,
          `"${field.label_en || field.code}" is not a GB/T 2260 region code (6 digits)`,
        );
      }
      return { ok: true, value: code };
    }
    case 'industry': {
      const code = normalizeCode(String(raw));
      if (!/^(?:[A-T](?:\d{2,4})?|\d{2,4})$/.test(code) || (opts.isIndustry && !opts.isIndustry(code))) {
        return fail(
          'industry',
          `“${name}”不是有效的国民经济行业代码（GB/T 4754-2017）`,
          `"${field.label_en || field.code}" is not a GB/T 4754-2017 industry code`,
        );
      }
      return { ok: true, value: code };
    }
  }
  return fail('type', `“${name}”的类型未知`, `unknown type of "${field.code}"`);
}

/** For matching labels and enum values: half-width, no spaces, （）→(), no required marks (*). */
export function normalizeLabel(s: string): string {
  return toHalfWidth(s)
    .replace(/[\s\u00A0\u200B\uFEFF]/g, '')
    .replace(/[*＊]/g, '')
    .replace(/【/g, '[')
    .replace(/】/g, ']')
    .toLowerCase();
}

/** Distinct texts remembered per field (createRowValidator), and the lookups after which a field
 * whose texts repeat less than a quarter of the time stops remembering. */
const MEMO_SIZE = 4096;
const MEMO_TRIAL = 2048;

/** `_op` values: what a row asks the store to do (English or Chinese). */
const opNames: Record<string, RowOp> = {
  '': 'upsert',
  upsert: 'upsert',
  create: 'upsert',
  update: 'upsert',
  新增: 'upsert',
  更新: 'upsert',
  correct: 'correct',
  更正: 'correct',
  withdraw: 'withdraw',
  撤销: 'withdraw',
  撤回: 'withdraw',
  restore: 'restore',
  恢复: 'restore',
};

/** Reserved columns (not catalog fields) that carry the row's operation and its reason. */
export const OP_COLUMN = '_op';
export const REASON_COLUMN = '_reason';

export interface RowValidator {
  (
    row: number,
    values: Record<string, unknown>,
  ): { ok: true; value: ValidatedRow } | { ok: false; errors: RowError[] };
}

/**
 * A validator for rows of one kind. `values` are keyed by field code (plus `_op` / `_reason`).
 * Withdraw and restore rows need only the subject and natural-key fields (the record's data stays as
 * it was); other fields they carry are ignored.
 */
export function createRowValidator(kind: CatalogKind, opts: ValidatorOptions = {}): RowValidator {
  const keyFields = new Set([kind.subject_field, ...kind.natural_key]);
  // Data objects are built with their keys in sorted order, so that their plain JSON text is already
  // the canonical form the record store digests (see src/records/canonical.ts).
  const codeOrder = kind.fields
    .map((f, i) => ({ code: f.code, i }))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((x) => x.i);
  const fieldIndex = new Map(kind.fields.map((f, i) => [f.code, i]));
  // Values repeat down a provider's file: enums, the deciding authority and its code, a subject's
  // name, code and representative over its rows, dates. checkValue is pure in (field, text) (the
  // dictionaries in `opts` included), so each field remembers its answers for the distinct texts it
  // has seen, up to MEMO_SIZE; a field whose texts rarely repeat (case numbers) stops remembering.
  // On 行政处罚 files this removes most of validation's cost (enum lookups normalise every label).
  const memos: (Map<string, ValueCheck> | null)[] = kind.fields.map(() => new Map());
  const lookups = new Array<number>(kind.fields.length).fill(0);
  const hits = new Array<number>(kind.fields.length).fill(0);
  const check = (i: number, field: CatalogField, raw: unknown): ValueCheck => {
    const memo = memos[i];
    if (!memo || typeof raw !== 'string') return checkValue(field, raw, opts);
    const known = memo.get(raw);
    lookups[i]! += 1;
    if (known) {
      hits[i]! += 1;
      return known;
    }
    const r = checkValue(field, raw, opts);
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(raw, r);
    if (lookups[i] === MEMO_TRIAL && hits[i]! < MEMO_TRIAL / 4) memos[i] = null;
    return r;
  };
  return (row, values) => {
    const errors: RowError[] = [];
    const opRaw = values[OP_COLUMN];
    const opText = isEmpty(opRaw) ? '' : normalizeLabel(String(opRaw));
    // Own names only: `constructor` or `__proto__` would otherwise find Object.prototype's members.
    const op = Object.hasOwn(opNames, opText) ? opNames[opText] : undefined;
    if (!op) {
      errors.push({
        row,
        field: OP_COLUMN,
        rule: 'op',
        value: shownValue(opRaw),
        message: {
          zh: '操作类型应为：新增/更新、更正、撤销、恢复（或 upsert、correct、withdraw、restore）',
          en: 'operation must be upsert, correct, withdraw or restore (新增/更新、更正、撤销、恢复)',
        },
      });
      return { ok: false, errors };
    }
    const keyOnly = op === 'withdraw' || op === 'restore';
    // Fields are visited in code order, so that `data` is built with its keys sorted; errors are put
    // back in catalog order below.
    const data: Record<string, unknown> = {};
    for (const i of codeOrder) {
      const field = kind.fields[i]!;
      if (keyOnly && !keyFields.has(field.code)) continue;
      const raw = values[field.code];
      if (isEmpty(raw)) {
        if (field.required || keyFields.has(field.code)) {
          errors.push({
            row,
            field: field.code,
            rule: 'required',
            value: null,
            message: {
              zh: `“${field.label_zh}”为必填项`,
              en: `"${field.label_en || field.code}" is required`,
            },
          });
        }
        continue;
      }
      const r = check(i, field, raw);
      if (r.ok) {
        if (!(typeof r.value === 'string' && r.value === '')) data[field.code] = r.value;
        else if (field.required) {
          errors.push({
            row,
            field: field.code,
            rule: 'required',
            value: null,
            message: {
              zh: `“${field.label_zh}”为必填项`,
              en: `"${field.label_en || field.code}" is required`,
            },
          });
        }
      } else {
        errors.push({
          row,
          field: field.code,
          rule: r.rule,
          value: shownValue(raw),
          message: { zh: r.zh, en: r.en },
        });
      }
    }
    if (errors.length > 1) errors.sort((a, b) => fieldIndex.get(a.field!)! - fieldIndex.get(b.field!)!);
    // Records are filed under a subject's USCC (a person's ID number in a uscc_or_id subject field is
    // a natural person, whom this platform does not keep as a subject).
    const subject = data[kind.subject_field];
    if (typeof subject === 'string' && checkUscc(subject)) {
      errors.push({
        row,
        field: kind.subject_field,
        rule: 'subject_uscc',
        value: subject,
        message: {
          zh: '记录须归集到统一社会信用代码名下（自然人身份证号码不作为信用主体）',
          en: 'records are filed under a unified social credit code (a personal ID number is not a subject)',
        },
      });
    }
    const reason = isEmpty(values[REASON_COLUMN]) ? null : String(values[REASON_COLUMN]).trim();
    const reasonChars = reason !== null && reason.length > MAX_REASON_CHARS ? charCount(reason) : 0;
    const tooLong = reasonChars > MAX_REASON_CHARS;
    const badReason = tooLong
      ? {
          zh: `“原因”超过最大长度 ${MAX_REASON_CHARS} 个字符（实为 ${reasonChars} 个）`,
          en: `"reason" is longer than ${MAX_REASON_CHARS} characters (${reasonChars})`,
        }
      : reason === null
        ? null
        : invalidCharacter(reason, '原因', 'reason');
    if (badReason) {
      errors.push({
        row,
        field: REASON_COLUMN,
        rule: tooLong ? 'max_length' : 'invalid_character',
        value: shownValue(reason),
        message: badReason,
      });
    }
    if (errors.length) return { ok: false, errors };
    return { ok: true, value: { row, op, reason, data } };
  };
}
