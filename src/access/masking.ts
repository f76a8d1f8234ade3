import type { CatalogField } from '../catalog/catalog.schema.ts';

/**
 * Display masking (脱敏) of personal fields, by the usual Chinese practice (no national display
 * rule was found; see docs/decisions/0052): ID numbers keep the first 3 and last 4 characters
 * (410***********1234), mobile numbers the first 3 and last 4 (138****5678), natural persons'
 * names the surname (张*, 欧阳**). The string keeps its length so a reader sees what was hidden.
 */

const idNumber = /^(\d{17}[\dXx]|\d{15})$/;
const mobile = /^1\d{10}$/;
const phoneish = /^[\d\-+() ]{7,20}$/;

// Runs of '*' by length, made once: the read path masks hundreds of values per read.
const starRuns = Array.from({ length: 33 }, (_, i) => '*'.repeat(i));
const stars = (n: number): string => starRuns[n] ?? '*'.repeat(n);
// A UTF-16 surrogate: a character outside the BMP, which takes two code units.
const surrogate = /[\uD800-\uDFFF]/;

export function maskIdNumber(v: string): string {
  if (v.length <= 7) return stars(v.length);
  return v.slice(0, 3) + stars(v.length - 7) + v.slice(-4);
}

export function maskPhone(v: string): string {
  const digits = v.replace(/\D/g, '');
  if (mobile.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return '*'.repeat(digits.length - 4) + digits.slice(-4);
}

// Compound surnames (复姓) keep both characters: 欧阳娜娜 → 欧阳**.
const compoundSurnames = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '令狐',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '端木',
  '独孤',
  '南宫',
  '西门',
  '百里',
]);

export function maskName(v: string): string {
  const t = v.trim();
  // Names within the BMP (nearly all) count one code unit per character: no array of characters.
  if (!surrogate.test(t)) {
    if (t.length <= 1) return stars(t.length);
    const keep = t.length > 2 && compoundSurnames.has(t.slice(0, 2)) ? 2 : 1;
    return t.slice(0, keep) + stars(t.length - keep);
  }
  const chars = [...t];
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  const keep = chars.length > 2 && compoundSurnames.has(chars[0]! + chars[1]!) ? 2 : 1;
  return chars.slice(0, keep).join('') + stars(chars.length - keep);
}

/** Free text that may identify a person: keep the first character only. */
export function maskOther(v: string): string {
  const chars = [...v];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(Math.min(chars.length - 1, 8));
}

export type MaskStyle = 'id' | 'phone' | 'name' | 'other' | 'uscc_or_id';

/** How a personal field is masked, from its type, code and label. */
export function maskStyleOf(field: CatalogField): MaskStyle {
  if (field.type === 'id_number') return 'id';
  if (field.type === 'uscc_or_id') return 'uscc_or_id';
  const code = field.code.toLowerCase();
  const label = field.label_zh;
  if (/phone|mobile|tel/.test(code) || /电话|手机|联系方式/.test(label)) return 'phone';
  if (/证件号|身份证/.test(label) || /id_no|id_number|idcard/.test(code)) return 'id';
  if (/name/.test(code) || /姓名|名称|法定代表人|负责人|经营者|联系人|代理人|当事人/.test(label)) {
    return 'name';
  }
  return 'other';
}

/**
 * Masks one value. `uscc_or_id` masks only natural persons' ID numbers (an organisation's USCC is
 * public). Non-string values (numbers, booleans) are replaced by null: there is no partial form.
 */
export function maskValue(style: MaskStyle, value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  if (typeof value !== 'string') return null;
  switch (style) {
    case 'id':
      return maskIdNumber(value);
    case 'uscc_or_id':
      return idNumber.test(value) ? maskIdNumber(value) : value;
    case 'phone':
      return phoneish.test(value) ? maskPhone(value) : maskOther(value);
    case 'name':
      return maskName(value);
    default:
      return maskOther(value);
  }
}
