import type { Db } from '../../db/database.ts';
import type { RightsConfig } from '../rights-config.ts';
import { findPublicityRules, recomputeAllPublicity, replacePublicityRules } from './publicity.repository.ts';

/**
 * The end of publicity (公示截止) is stored per record when a version is written (by the statement
 * that appends it, computed by `publicityComputer`; decision 0122), so the read path, reports and any
 * set-based reader compare a stored date. The writer computes with the `publicity_rules` row: this module keeps that
 * row equal to the repair regimes and severity mapping of rights.config.json, and recomputes every
 * stored end when they change. docs/decisions/0102-credit-repair.md.
 */

/** The part of the configuration the stored publicity end depends on (class maxima, severity). */
export function publicityRulesDoc(cfg: RightsConfig) {
  const cls = (c: { maxMonths: number; published: boolean }) => ({
    maxMonths: c.maxMonths,
    published: c.published,
  });
  return {
    regimes: cfg.repairRegimes.map((r) => ({
      id: r.id,
      effectiveFrom: r.effectiveFrom,
      classes: {
        minor: cls(r.classes.minor),
        general: cls(r.classes.general),
        serious: cls(r.classes.serious),
      },
    })),
    severity: {
      fields: cfg.severity.fields,
      values: cfg.severity.values,
      defaultByKind: cfg.severity.defaultByKind,
      default: cfg.severity.default,
    },
  };
}

/**
 * Makes the database's rules equal to the configuration; when they differed, every stored publicity
 * end is recomputed (one statement, in one transaction with the new rules).
 */
export async function syncPublicityRules(
  db: Db,
  cfg: RightsConfig,
): Promise<{ changed: boolean; recomputed: number }> {
  const doc = publicityRulesDoc(cfg);
  const run = async (trx: Db) => {
    if (!(await replacePublicityRules(trx, doc))) return { changed: false, recomputed: 0 };
    return { changed: true, recomputed: await recomputeAllPublicity(trx) };
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

export { findPublicityRules };
