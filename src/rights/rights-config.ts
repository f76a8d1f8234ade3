import fs from 'node:fs';
import { z } from 'zod';

/**
 * Subject-rights configuration (src/rights/rights.config.json): objection and repair deadlines in
 * working days, the repair regimes by effective date, severity mapping, the versioned commitment
 * text and the kinds of information an enterprise may declare. Sources are in the file.
 */

const classRule = z.object({
  minMonths: z.number().int().nonnegative(),
  maxMonths: z.number().int().nonnegative(),
  /** 轻微 under the 2026 measures: in principle not published at all. */
  published: z.boolean(),
});

export const rightsConfigSchema = z.object({
  objectionDeadlines: z.object({
    source: z.string(),
    acceptWorkingDays: z.number().int().positive(),
    platformCheckWorkingDays: z.number().int().positive(),
    providerAnswerWorkingDays: z.number().int().positive(),
    decideWorkingDays: z.number().int().positive(),
  }),
  repairDeadlines: z.object({
    source: z.string(),
    reviewWorkingDays: z.number().int().positive(),
    greenChannelReviewWorkingDays: z.number().int().positive(),
  }),
  repairRegimes: z
    .array(
      z.object({
        id: z.string(),
        effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        title: z.string(),
        classes: z.object({ minor: classRule, general: classRule, serious: classRule }),
        sectorOverrides: z.array(
          z.object({ keywords: z.array(z.string()), minMonths: z.number().int(), label: z.string() }),
        ),
      }),
    )
    .min(1),
  severity: z.object({
    note: z.string(),
    fields: z.array(z.string()),
    values: z.record(z.string(), z.enum(['minor', 'general', 'serious'])),
    defaultByKind: z.record(z.string(), z.enum(['minor', 'general', 'serious'])),
    default: z.enum(['minor', 'general', 'serious']),
  }),
  commitmentTexts: z
    .array(z.object({ version: z.string(), effectiveFrom: z.string(), zh: z.string(), en: z.string() }))
    .min(1),
  declarationTypes: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })),
  /** What a commitment is signed for; `matterRequired`: the matter (e.g. licence number) must be named. */
  commitmentPurposes: z
    .array(
      z.object({
        code: z.string().regex(/^[a-z_]+$/),
        zh: z.string(),
        en: z.string(),
        matterRequired: z.boolean().default(false),
      }),
    )
    .min(1),
  /**
   * When a later record contradicts a commitment (docs/decisions/0103): a record of one of `kinds`,
   * dated on or after the day the commitment was signed (and within `withinMonths`, if set), for a
   * commitment of one of `commitmentPurposes`; `matterFields`: one of these fields names the
   * commitment's matter; `keywords`: one of `keywordFields` (all text fields when absent) contains one.
   */
  contradictionRules: z.array(
    z.object({
      id: z.string().regex(/^[a-z0-9_]+$/),
      zh: z.string(),
      en: z.string(),
      source: z.string().optional(),
      commitmentPurposes: z.array(z.string()).min(1),
      kinds: z.array(z.string()).min(1),
      withinMonths: z.number().int().positive().optional(),
      matterFields: z.array(z.string()).min(1).optional(),
      keywords: z.array(z.string().min(1)).min(1).optional(),
      keywordFields: z.array(z.string()).min(1).optional(),
    }),
  ),
  /** The negative record written when a commitment is found broken. */
  commitmentBreachRecord: z.object({
    kind: z.string(),
    providerId: z.string(),
    severity: z.enum(['minor', 'general', 'serious']),
    note: z.string().optional(),
  }),
});
export type RightsConfig = z.infer<typeof rightsConfigSchema>;
export type Severity = 'minor' | 'general' | 'serious';

export function loadRightsConfig(): RightsConfig {
  const text = fs.readFileSync(new URL('./rights.config.json', import.meta.url), 'utf8');
  return rightsConfigSchema.parse(JSON.parse(text));
}

/** The commitment text in force on a day (the latest whose effectiveFrom is not after it). */
export function commitmentTextOn(cfg: RightsConfig, day: string): RightsConfig['commitmentTexts'][number] {
  const sorted = [...cfg.commitmentTexts].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  return sorted.filter((t) => t.effectiveFrom <= day).pop() ?? sorted[0]!;
}
