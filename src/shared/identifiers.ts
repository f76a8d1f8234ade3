/**
 * Check characters of Chinese identifiers.
 * - 统一社会信用代码 (USCC), GB 32100-2015: 18 characters from a 31-character set (no I, O, Z, S, V),
 *   weights 3^(i-1) mod 31, check = 31 − (Σ mod 31), 31 ↦ 0.
 * - 居民身份证号码, GB 11643-1999: ISO 7064 MOD 11-2.
 */

const usccChars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** 登记管理部门码 → allowed 机构类别码 (GB 32100-2015 Table 1). */
export const usccRegistrationAuthorities: Record<string, { zh: string; types: string }> = {
  '1': { zh: '机构编制', types: '1239' },
  '2': { zh: '外交', types: '19' },
  '3': { zh: '司法行政', types: '123459' },
  '4': { zh: '文化', types: '19' },
  '5': { zh: '民政', types: '1239' },
  '6': { zh: '旅游', types: '129' },
  '7': { zh: '宗教', types: '129' },
  '8': { zh: '工会', types: '19' },
  '9': { zh: '工商（市场监管）', types: '123' },
  A: { zh: '中央军委改革和编制办公室', types: '19' },
  N: { zh: '农业', types: '1239' },
  Y: { zh: '其他', types: '1' },
};

/**
 * First two digits of the registration authority's region code: GB/T 2260 province-level codes, and
 * 10 for central-level registrations (100000, e.g. 国务院 bodies registered by 中央编办).
 */
export const usccProvinceCodes = new Set([
  '10',
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
]);

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = usccChars.indexOf(first17[i]!);
    if (v < 0) throw new Error(`invalid USCC character ${first17[i]}`);
    sum += v * usccWeights[i]!;
  }
  const c = 31 - (sum % 31);
  return usccChars[c === 31 ? 0 : c]!;
}

export type UsccProblem =
  | { rule: 'length'; zh: string; en: string }
  | { rule: 'charset'; zh: string; en: string }
  | { rule: 'authority'; zh: string; en: string }
  | { rule: 'region'; zh: string; en: string }
  | { rule: 'check_char'; zh: string; en: string };

/** Normalises a USCC as providers send it: full-width to half-width, upper case, spaces removed. */
export function normalizeCode(raw: string): string {
  return raw
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000\u00A0\u200B]/g, '')
    .toUpperCase();
}

/** Validates a (normalised) USCC; returns undefined when valid, else what is wrong (zh/en). */
export function checkUscc(code: string): UsccProblem | undefined {
  if (code.length !== 18) {
    return {
      rule: 'length',
      zh: `应为 18 位，实为 ${code.length} 位`,
      en: `must be 18 characters, got ${code.length}`,
    };
  }
  for (const ch of code) {
    if (!usccChars.includes(ch)) {
      return {
        rule: 'charset',
        zh: `含非法字符“${ch}”（不使用 I、O、Z、S、V）`,
        en: `invalid character "${ch}" (I, O, Z, S, V are never used)`,
      };
    }
  }
  const authority = usccRegistrationAuthorities[code[0]!];
  if (!authority || !authority.types.includes(code[1]!)) {
    return {
      rule: 'authority',
      zh: `登记管理部门码与机构类别码“${code.slice(0, 2)}”不存在`,
      en: `unknown registration authority and type code "${code.slice(0, 2)}"`,
    };
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return {
      rule: 'region',
      zh: '第 3–8 位行政区划码应为数字',
      en: 'positions 3–8 (region code) must be digits',
    };
  }
  if (!usccProvinceCodes.has(code.slice(2, 4))) {
    return {
      rule: 'region',
      zh: `第 3–8 位行政区划码“${code.slice(2, 8)}”不是有效的省级行政区划代码开头（GB/T 2260）`,
      en: `positions 3–8 (region code) "${code.slice(2, 8)}" do not start with a GB/T 2260 province code`,
    };
  }
  const expected = usccCheckChar(code.slice(0, 17));
  if (code[17] !== expected) {
    return {
      rule: 'check_char',
      zh: `校验码应为“${expected}”，实为“${code[17]}”`,
      en: `check character should be "${expected}", got "${code[17]}"`,
    };
  }
  return undefined;
}

export function isValidUscc(code: string): boolean {
  return checkUscc(code) === undefined;
}

const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idCheck = '10X98765432';

export function idCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * idWeights[i]!;
  return idCheck[sum % 11]!;
}

/** Validates an 18-digit resident ID number (birth date and check digit). */
export function checkIdNumber(id: string): { rule: string; zh: string; en: string } | undefined {
  if (!/^\d{17}[\dX]$/.test(id)) {
    return {
      rule: 'format',
      zh: '应为 17 位数字加 1 位数字或 X',
      en: 'must be 17 digits followed by a digit or X',
    };
  }
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { rule: 'birth_date', zh: '出生日期不正确', en: 'invalid birth date' };
  }
  const expected = idCheckDigit(id.slice(0, 17));
  if (id[17] !== expected) {
    return {
      rule: 'check_digit',
      zh: `校验位应为“${expected}”，实为“${id[17]}”`,
      en: `check digit should be "${expected}", got "${id[17]}"`,
    };
  }
  return undefined;
}

export function isValidIdNumber(id: string): boolean {
  return checkIdNumber(id) === undefined;
}
