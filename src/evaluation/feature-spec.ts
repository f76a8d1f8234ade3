import { z } from 'zod';

/**
 * Features as data: what an indicator measures, written against the catalog's kind and field codes
 * (not code), so an operator can point an indicator at a new kind without a release. The records
 * module compiles a set of specs into one set-based SQL statement
 * (`src/records/evaluation-features.repository.ts`); this file only describes them.
 *
 * Every feature is taken **as of a date** D (no look-ahead): a record counts only if its event date
 * is on or before D; dated facts inside it (removal from a list, end of publicity) are compared to D.
 */

const code = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case code (a–z, 0–9, _)');

export const conditionSchema = z.discriminatedUnion('op', [
  z.object({ field: code, op: z.literal('eq'), value: z.union([z.string(), z.number(), z.boolean()]) }),
  z.object({ field: code, op: z.literal('ne'), value: z.union([z.string(), z.number(), z.boolean()]) }),
  z.object({ field: code, op: z.literal('in'), values: z.array(z.union([z.string(), z.number()])).min(1) }),
  z.object({
    field: code,
    op: z.literal('not_in'),
    values: z.array(z.union([z.string(), z.number()])).min(1),
  }),
  /** true / 1 / 是 / Y (providers' booleans are normalised to true/false on ingestion). */
  z.object({ field: code, op: z.literal('is_true') }),
  z.object({ field: code, op: z.literal('is_not_true') }),
  z.object({ field: code, op: z.literal('present') }),
  z.object({ field: code, op: z.literal('absent') }),
  z.object({ field: code, op: z.literal('gt'), value: z.number() }),
  z.object({ field: code, op: z.literal('gte'), value: z.number() }),
  z.object({ field: code, op: z.literal('lt'), value: z.number() }),
  z.object({ field: code, op: z.literal('lte'), value: z.number() }),
  /** A date field (YYYY-MM-DD) absent or after D: e.g. "not yet removed from the list at D". */
  z.object({ field: code, op: z.literal('absent_or_after_as_of') }),
  /**
   * The record is still in its publicity period (公示期) at D: the platform's stored publicity end
   * (record_publicity: the provider's end date if it sent one, else the maximum of the repair rules
   * for the record's severity class — 信用修复管理办法, rights decision 0102) is after D. Without a
   * stored end, the named field is read as `absent_or_after_as_of`. The same end the read path uses
   * to take a record out of public view.
   */
  z.object({ field: code, op: z.literal('in_publicity_as_of') }),
  /** A date field present and on or before D: e.g. "removed from the list by D". */
  z.object({ field: code, op: z.literal('on_or_before_as_of') }),
  /** The field holds the subject's own USCC (e.g. the defendant of a judgment is this subject). */
  z.object({ field: code, op: z.literal('is_subject') }),
]);
export type Condition = z.infer<typeof conditionSchema>;

/**
 * When a record becomes known, for the as-of rule and windows. Default: the record's principal date
 * (the kind's date_field, stored as occurred_on), or the day it reached the platform when the kind has
 * none. A year field (报告年度, 评级年度) with the months after the year's end at which such results are
 * out: tax credit grades are published in April of the next year (§2.10), annual reports are due by
 * 30 June of the next year (《企业信息公示暂行条例》第八条).
 */
export const eventDateSchema = z.union([
  /** YYYY-MM-DD, or a month YYYY-MM / YYYYMM (缴费期间), taken as its first day. */
  z.object({ field: code, type: z.literal('date') }),
  z.object({
    field: code,
    type: z.literal('year'),
    available_months_after_year_end: z.number().int().min(0).max(36).default(0),
  }),
]);
export type EventDate = z.infer<typeof eventDateSchema>;

const recordScope = {
  kinds: z.array(code).min(1),
  /** Only records whose event date is within this many months before D. */
  window_months: z.number().int().positive().max(600).optional(),
  where: z.array(conditionSchema).default([]),
  event_date: eventDateSchema.optional(),
};

export const subjectAttributes = [
  'age_years', // years from established_on to D
  'registered_capital', // 万元, as registered
  'registration_status', // 存续 / 在业 / 吊销 / 注销 …
  'subject_type',
  'industry_code',
  'region_code',
] as const;
export type SubjectAttribute = (typeof subjectAttributes)[number];

/**
 * Subject attributes come from the registry, which holds today's values only: of them, only
 * `age_years` is free of look-ahead for a past date (the safe room uses only look-ahead-free features).
 */
export const lookAheadFreeAttributes: ReadonlySet<SubjectAttribute> = new Set(['age_years']);

export const featureSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subject'), attr: z.enum(subjectAttributes) }),
  /** Number of current records in scope. */
  z.object({ type: z.literal('count'), ...recordScope }),
  /** A field of the most recent record in scope (by `order_field`, then event date, then record). */
  z.object({
    type: z.literal('latest'),
    ...recordScope,
    field: code,
    /** A year or ISO date field to order by (compared as text). */
    order_field: code.optional(),
  }),
  /** Sum / max of a numeric field over the records in scope (null when none). */
  z.object({ type: z.literal('sum'), ...recordScope, field: code }),
  z.object({ type: z.literal('max'), ...recordScope, field: code }),
  /**
   * Public credit commitments (信用承诺, the subject-rights module's `commitments`): `broken` counts
   * commitments found broken by D (within the window, if any); `kept` counts those signed by D and not
   * broken at D.
   */
  z.object({
    type: z.literal('commitments'),
    state: z.enum(['broken', 'kept']),
    window_months: z.number().int().positive().max(600).optional(),
  }),
]);
export type FeatureSpec = z.infer<typeof featureSpecSchema>;
/** Features computed from record versions (they name catalog kinds). */
export type RecordFeatureSpec = Extract<FeatureSpec, { type: 'count' | 'latest' | 'sum' | 'max' }>;

export function isRecordSpec(spec: FeatureSpec): spec is RecordFeatureSpec {
  return spec.type === 'count' || spec.type === 'latest' || spec.type === 'sum' || spec.type === 'max';
}
export type FeatureSpecInput = z.input<typeof featureSpecSchema>;

/** The value a feature takes: numbers for count/sum/max/numeric attributes, text for latest/status. */
export type FeatureValue = number | string | null;

/** Kinds a feature reads (for consent scopes and disputed-record flags). */
export function featureKinds(spec: FeatureSpec): string[] {
  return isRecordSpec(spec) ? spec.kinds : [];
}

/** Whether the feature's value at a past date uses only what was true at that date. */
export function isLookAheadFree(spec: FeatureSpec): boolean {
  return spec.type !== 'subject' || lookAheadFreeAttributes.has(spec.attr);
}
