import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Enterprise size class (大型 / 中型 / 小型 / 微型) per 工信部联企业〔2011〕300号《中小企业划型标准规定》,
 * with thresholds and the industry mapping kept as data (`data/sme-size-standard.json`), so a revised
 * standard is a data change. Rule (国统字〔2017〕213号): large, medium and small must meet every listed
 * lower bound, otherwise they fall one tier; micro needs only one criterion.
 */

const metric = z.enum(['employees', 'revenue', 'assets']);
export type SizeMetric = z.infer<typeof metric>;
const thresholds = z.partialRecord(metric, z.number().nonnegative());

const standardSchema = z.object({
  standard: z.string(),
  source: z.string(),
  industry_mapping_source: z.string(),
  rule_zh: z.string(),
  rule_en: z.string(),
  annual_report_amount_unit: z.enum(['yuan', 'wan_yuan']),
  groups: z
    .array(
      z.object({
        code: z.string(),
        name_zh: z.string(),
        name_en: z.string(),
        /** GB/T 4754-2017 code prefixes without the section letter; [] = every other industry. */
        industry_prefixes: z.array(z.string()),
        large: thresholds,
        medium: thresholds,
        small: thresholds,
      }),
    )
    .min(1),
});
export type SizeStandard = z.infer<typeof standardSchema>;
export type SizeGroup = SizeStandard['groups'][number];

export const sizeClasses = ['large', 'medium', 'small', 'micro'] as const;
export type SizeClass = (typeof sizeClasses)[number];

export const sizeClassLabels: Record<SizeClass, { zh: string; en: string }> = {
  large: { zh: '大型企业', en: 'Large enterprise' },
  medium: { zh: '中型企业', en: 'Medium enterprise' },
  small: { zh: '小型企业', en: 'Small enterprise' },
  micro: { zh: '微型企业', en: 'Micro enterprise' },
};

let cached: SizeStandard | undefined;
export function loadSizeStandard(): SizeStandard {
  cached ??= standardSchema.parse(
    JSON.parse(readFileSync(new URL('./data/sme-size-standard.json', import.meta.url), 'utf8')),
  );
  return cached;
}

/** The standard's industry group of a GB/T 4754 code ('C3311', '3311', '7010'): longest prefix wins. */
export function industryGroup(standard: SizeStandard, industryCode: string | null): SizeGroup {
  const code = (industryCode ?? '').replace(/^[A-Z]/, '');
  let best: SizeGroup | undefined;
  let bestLen = -1;
  for (const g of standard.groups) {
    for (const p of g.industry_prefixes) {
      if (code.startsWith(p) && p.length > bestLen) {
        best = g;
        bestLen = p.length;
      }
    }
  }
  return best ?? standard.groups.find((g) => g.industry_prefixes.length === 0) ?? standard.groups[0]!;
}

export interface SizeInput {
  industryCode: string | null;
  /** 从业人数 (persons). */
  employees: number | null;
  /** 营业收入, 万元. */
  revenue: number | null;
  /** 资产总额, 万元. */
  assets: number | null;
}

export interface SizeResult {
  /** null when the data needed is missing. */
  sizeClass: SizeClass | null;
  group: { code: string; nameZh: string; nameEn: string };
  /** Metrics the group's thresholds need but the data lacks. */
  missing: SizeMetric[];
}

function meets(t: Partial<Record<SizeMetric, number>>, v: SizeInput): boolean | null {
  let unknown = false;
  for (const [m, min] of Object.entries(t) as [SizeMetric, number][]) {
    const x = v[m];
    if (x === null) unknown = true;
    else if (x < min) return false;
  }
  return unknown ? null : true;
}

export function classifySize(v: SizeInput, standard: SizeStandard = loadSizeStandard()): SizeResult {
  const g = industryGroup(standard, v.industryCode);
  const needed = [
    ...new Set([...Object.keys(g.large), ...Object.keys(g.medium), ...Object.keys(g.small)]),
  ] as SizeMetric[];
  const missing = needed.filter((m) => v[m] === null);
  const group = { code: g.code, nameZh: g.name_zh, nameEn: g.name_en };
  for (const tier of ['large', 'medium', 'small'] as const) {
    const r = meets(g[tier], v);
    if (r === true) return { sizeClass: tier, group, missing };
    // Not knowing whether a higher tier is met leaves the class undetermined…
    if (r === null) {
      // …unless a known value already falls below the small tier: micro needs one criterion only.
      const below = (Object.entries(g.small) as [SizeMetric, number][]).some(
        ([m, min]) => v[m] !== null && v[m]! < min,
      );
      return { sizeClass: below ? 'micro' : null, group, missing };
    }
  }
  return { sizeClass: 'micro', group, missing };
}
