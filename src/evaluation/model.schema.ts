import { z } from 'zod';
import {
  conditionSchema,
  featureKinds,
  featureSpecSchema,
  isRecordSpec,
  type FeatureSpec,
} from './feature-spec.ts';

/**
 * The evaluation model (信用评价模型) as versioned configuration: indicators (a feature, its bins and
 * their points, a reason code with Chinese and English text) and grade bands over 0–1000. An operator
 * imports a new version as JSON (route or CLI); no code changes. Points are transparent: each
 * indicator contributes up to its maximum, the maxima add up to exactly 1000, so the score is the sum
 * of points earned and "points lost" (maximum − earned) is what the reason codes rank.
 */

export const MAX_SCORE = 1000;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const binWhenSchema = z.union([
  z.object({ missing: z.literal(true) }).strict(),
  z.object({ values: z.array(scalar).min(1) }).strict(),
  /** min ≤ value < max (either bound may be omitted). */
  z
    .object({ min: z.number().optional(), max: z.number().optional() })
    .strict()
    .refine((r) => r.min !== undefined || r.max !== undefined, 'a range needs min or max'),
]);
export type BinWhen = z.infer<typeof binWhenSchema>;

export const indicatorBinSchema = z.object({
  /** Absent: the catch-all bin, which must be last. */
  when: binWhenSchema.optional(),
  points: z.number().min(0),
  label_zh: z.string().optional(),
  label_en: z.string().optional(),
  /** Reason text for this bin, overriding the indicator's ({value} is replaced by the value). */
  reason_zh: z.string().optional(),
  reason_en: z.string().optional(),
});
export type IndicatorBin = z.infer<typeof indicatorBinSchema>;

export const indicatorSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name_zh: z.string().min(1),
  name_en: z.string().min(1),
  /** Catalog category the indicator belongs to (for grouping in views). */
  category: z.string().min(1),
  feature: featureSpecSchema,
  bins: z.array(indicatorBinSchema).min(1),
  reason: z.object({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'reason codes are upper-case, e.g. R_TAX_GRADE'),
    zh: z.string().min(1),
    en: z.string().min(1),
  }),
});
export type Indicator = z.infer<typeof indicatorSchema>;

export const gradeBandSchema = z.object({
  grade: z.string().min(1).max(4),
  /** Lowest score of the band (inclusive). */
  min: z.number().int().min(0).max(MAX_SCORE),
  label_zh: z.string().min(1),
  label_en: z.string().min(1),
});
export type GradeBand = z.infer<typeof gradeBandSchema>;

export const evaluationModelSchema = z
  .object({
    label: z.string().min(1),
    description_zh: z.string().optional(),
    description_en: z.string().optional(),
    indicators: z.array(indicatorSchema).min(1),
    /** Highest band first; the last band starts at 0. */
    grades: z.array(gradeBandSchema).min(2),
  })
  .superRefine((m, ctx) => {
    const issue = (message: string, path: (string | number)[]) =>
      ctx.addIssue({ code: 'custom', message, path });
    const codes = new Set<string>();
    const reasons = new Set<string>();
    let total = 0;
    m.indicators.forEach((ind, i) => {
      if (codes.has(ind.code)) issue(`duplicate indicator code ${ind.code}`, ['indicators', i, 'code']);
      codes.add(ind.code);
      if (reasons.has(ind.reason.code)) issue(`duplicate reason code ${ind.reason.code}`, ['indicators', i]);
      reasons.add(ind.reason.code);
      ind.bins.forEach((b, j) => {
        const last = j === ind.bins.length - 1;
        if (!b.when && !last) {
          issue('only the last bin may be the catch-all (no "when")', ['indicators', i, 'bins', j]);
        }
        if (b.when && last) {
          issue('the last bin must be the catch-all (no "when")', ['indicators', i, 'bins', j]);
        }
      });
      total += Math.max(...ind.bins.map((b) => b.points));
    });
    if (Math.abs(total - MAX_SCORE) > 1e-9) {
      issue(`the indicators' maximum points add up to ${total}, not ${MAX_SCORE}`, ['indicators']);
    }
    const grades = new Set<string>();
    m.grades.forEach((g, i) => {
      if (grades.has(g.grade)) issue(`duplicate grade ${g.grade}`, ['grades', i]);
      grades.add(g.grade);
      if (i > 0 && g.min >= m.grades[i - 1]!.min) {
        issue('grade bands must be in descending order of min', ['grades', i]);
      }
    });
    if (m.grades[m.grades.length - 1]?.min !== 0) issue('the lowest grade band must start at 0', ['grades']);
  });
export type EvaluationModelDocument = z.infer<typeof evaluationModelSchema>;

/** A stored model version. */
export interface EvaluationModel extends EvaluationModelDocument {
  version: number;
  digest: string;
}

/** Every feature spec of the model, one per indicator, in indicator order. */
export function modelFeatures(model: EvaluationModelDocument): FeatureSpec[] {
  return model.indicators.map((i) => i.feature);
}

/** Kinds the model reads. */
export function modelKinds(model: EvaluationModelDocument): string[] {
  return [...new Set(model.indicators.flatMap((i) => featureKinds(i.feature)))];
}

/** Fields the model reads per kind (for checks against the catalog). */
export function modelFields(model: EvaluationModelDocument): { kind: string; field: string }[] {
  const out: { kind: string; field: string }[] = [];
  for (const ind of model.indicators) {
    const f = ind.feature;
    if (!isRecordSpec(f)) continue;
    const fields = new Set<string>(f.where.map((c: z.infer<typeof conditionSchema>) => c.field));
    if (f.type !== 'count') fields.add(f.field);
    if (f.type === 'latest' && f.order_field) fields.add(f.order_field);
    if (f.event_date) fields.add(f.event_date.field);
    for (const kind of f.kinds) for (const field of fields) out.push({ kind, field });
  }
  return out;
}
