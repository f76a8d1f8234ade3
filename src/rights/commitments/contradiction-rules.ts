import { addMonths } from '../../access/china-time.ts';
import type { RightsConfig } from '../rights-config.ts';

/**
 * Does a later record contradict a public credit commitment (信用承诺)? Pure; the rules are data
 * (`contradictionRules` in rights.config.json, docs/decisions/0103). A match only flags the
 * commitment: an operator confirms (it becomes broken and a negative record is written) or rejects.
 */

export type ContradictionRule = RightsConfig['contradictionRules'][number];

export interface CommitmentFacts {
  purpose: string;
  /** The matter the commitment was signed for (e.g. a licence decision number), if any. */
  matterRef: string | null;
  /** China day the commitment was signed. */
  signedOn: string;
}

export interface RecordFacts {
  kindCode: string;
  /** The record's principal date (the kind's date_field); undated records never contradict. */
  occurredOn: string | null;
  data: Record<string, unknown>;
}

export interface RuleMatch {
  ruleId: string;
  /** The field and text that matched (matter or keyword), for the evidence shown to operators. */
  field: string | null;
  matched: string | null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v : null;
}

/** The first rule a record matches for a commitment, or null. */
export function contradiction(
  rules: readonly ContradictionRule[],
  c: CommitmentFacts,
  r: RecordFacts,
): RuleMatch | null {
  for (const rule of rules) {
    if (!rule.kinds.includes(r.kindCode) || !rule.commitmentPurposes.includes(c.purpose)) continue;
    // Only a record dated on or after the signing is "later"; withinMonths bounds the period.
    if (!r.occurredOn || r.occurredOn < c.signedOn) continue;
    if (rule.withinMonths && r.occurredOn > addMonths(c.signedOn, rule.withinMonths)) continue;
    let hit: { field: string; matched: string } | null = null;
    if (rule.matterFields) {
      const ref = c.matterRef?.trim();
      if (!ref) continue;
      const field = rule.matterFields.find((f) => text(r.data[f])?.includes(ref));
      if (!field) continue;
      hit = { field, matched: ref };
    }
    if (rule.keywords) {
      const fields = rule.keywordFields ?? Object.keys(r.data);
      let found: { field: string; matched: string } | null = null;
      for (const f of fields) {
        const v = text(r.data[f]);
        const k = v ? rule.keywords.find((w) => v.includes(w)) : undefined;
        if (k) {
          found = { field: f, matched: k };
          break;
        }
      }
      if (!found) continue;
      hit ??= found;
    }
    return { ruleId: rule.id, field: hit?.field ?? null, matched: hit?.matched ?? null };
  }
  return null;
}
