import { featureKinds, type FeatureValue } from './feature-spec.ts';
import { MAX_SCORE, type BinWhen, type EvaluationModelDocument, type Indicator } from './model.schema.ts';

/**
 * Scoring with a points-table model: pure functions, no I/O.
 * score = Σ points earned (0–1000); grade = the first band whose min ≤ score;
 * reasons = up to four indicators ranked by points lost = (indicator maximum − points earned),
 * largest first, ties in indicator order, only indicators that lost points ("max points − earned",
 * the adverse-action method of technical-references §4.2; FICO publishes 4–5 reasons by impact).
 */

export const MAX_REASONS = 4;

export interface IndicatorOutcome {
  code: string;
  points: number;
  max: number;
  value: FeatureValue;
  /** Index of the bin that matched. */
  bin: number;
}

export interface Reason {
  /** Reason code, e.g. R_TAX_GRADE. */
  code: string;
  indicator: string;
  zh: string;
  en: string;
  pointsLost: number;
  value: FeatureValue;
  /** A record behind this indicator is under objection (异议处理中): it counts until decided. */
  disputed: boolean;
}

export interface SubjectScore {
  score: number;
  grade: string;
  indicators: IndicatorOutcome[];
  reasons: Reason[];
}

function matches(when: BinWhen | undefined, value: FeatureValue): boolean {
  if (!when) return true;
  if ('missing' in when) return value === null || value === '';
  if (value === null || value === '') return false;
  if ('values' in when) return when.values.some((v) => String(v) === String(value));
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return false;
  return (when.min === undefined || n >= when.min) && (when.max === undefined || n < when.max);
}

/** The bin of an indicator a value falls in (the catch-all when nothing else matches). */
export function binOf(indicator: Indicator, value: FeatureValue): number {
  const i = indicator.bins.findIndex((b) => matches(b.when, value));
  return i >= 0 ? i : indicator.bins.length - 1;
}

const maxCache = new WeakMap<Indicator, number>();

export function maxPoints(indicator: Indicator): number {
  let m = maxCache.get(indicator);
  if (m === undefined) {
    m = Math.max(...indicator.bins.map((b) => b.points));
    maxCache.set(indicator, m);
  }
  return m;
}

function display(value: FeatureValue): string {
  if (value === null) return '—';
  if (typeof value === 'number') return String(Math.round(value * 10) / 10);
  return value;
}

function fill(template: string, value: FeatureValue): string {
  return template.replaceAll('{value}', display(value));
}

export function gradeOf(model: Pick<EvaluationModelDocument, 'grades'>, score: number): string {
  return (model.grades.find((g) => score >= g.min) ?? model.grades[model.grades.length - 1]!).grade;
}

/** Scores one subject from its feature values (one per indicator, in indicator order). */
export function scoreSubject(
  model: EvaluationModelDocument,
  values: FeatureValue[],
  disputedKinds: readonly string[] = [],
): SubjectScore {
  const disputed = new Set(disputedKinds);
  const indicators: IndicatorOutcome[] = [];
  const losses: { i: number; lost: number }[] = [];
  let total = 0;
  model.indicators.forEach((ind, i) => {
    const value = values[i] ?? null;
    const bin = binOf(ind, value);
    const points = ind.bins[bin]!.points;
    const max = maxPoints(ind);
    total += points;
    indicators.push({ code: ind.code, points, max, value, bin });
    if (max - points > 1e-9) losses.push({ i, lost: max - points });
  });
  losses.sort((a, b) => b.lost - a.lost || a.i - b.i);
  const reasons: Reason[] = losses.slice(0, MAX_REASONS).map(({ i, lost }) => {
    const ind = model.indicators[i]!;
    const bin = ind.bins[indicators[i]!.bin]!;
    const value = indicators[i]!.value;
    return {
      code: ind.reason.code,
      indicator: ind.code,
      zh: fill(bin.reason_zh ?? ind.reason.zh, value),
      en: fill(bin.reason_en ?? ind.reason.en, value),
      pointsLost: Math.round(lost * 100) / 100,
      value,
      disputed: featureKinds(ind.feature).some((k) => disputed.has(k)),
    };
  });
  const score = Math.max(0, Math.min(MAX_SCORE, Math.round(total)));
  return { score, grade: gradeOf(model, score), indicators, reasons };
}
