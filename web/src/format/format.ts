import dayjs from 'dayjs';

/**
 * Formatting as Chinese users expect: dates YYYY-MM-DD, amounts with thousands separators in 元
 * or 万元 (10,000 元), counts with separators. Empty values show an em dash.
 */
const dash = '—';

export function formatDate(v: string | number | Date | null | undefined): string {
  if (v === null || v === undefined || v === '') return dash;
  const d = dayjs(v);
  return d.isValid() ? d.format('YYYY-MM-DD') : String(v);
}

export function formatDateTime(v: string | number | Date | null | undefined): string {
  if (v === null || v === undefined || v === '') return dash;
  const d = dayjs(v);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm') : String(v);
}

const intFormat = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const moneyFormat = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function toNumber(v: number | string | null | undefined): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function formatCount(v: number | string | null | undefined): string {
  const n = toNumber(v);
  return n === undefined ? dash : intFormat.format(n);
}

/** An amount in 元: "1,234,567.00 元". */
export function formatYuan(v: number | string | null | undefined): string {
  const n = toNumber(v);
  return n === undefined ? dash : `${moneyFormat.format(n)} 元`;
}

/** An amount already in 万元 (registered capital is stored so): "1,200.00 万元". */
export function formatWanYuan(v: number | string | null | undefined): string {
  const n = toNumber(v);
  return n === undefined ? dash : `${moneyFormat.format(n)} 万元`;
}

/** An amount in 元 shown in 万元 from 100,000 元 up (how loan amounts are usually read). */
export function formatAmount(v: number | string | null | undefined): string {
  const n = toNumber(v);
  if (n === undefined) return dash;
  return Math.abs(n) >= 100_000 ? `${moneyFormat.format(n / 10_000)} 万元` : formatYuan(n);
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return dash;
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

/** A USCC as typed by a user: upper-case, no spaces, full-width letters folded. */
export function normalizeUscc(v: string): string {
  return v
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, '')
    .toUpperCase();
}

/** Looks like a USCC (18 characters of the GB 32100 alphabet); the server checks the check character. */
export function looksLikeUscc(v: string): boolean {
  return /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(normalizeUscc(v));
}
