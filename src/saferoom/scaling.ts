/**
 * Scorecard scaling ("points to double the odds"), Siddiqi (2012); PDtoolkit `scaled.score`.
 *   score = offset + factor · ln(odds_good),  odds_good = (1 − p) / p
 *   factor = PDO / ln 2,  offset = base_score − factor · ln(base_odds)
 * Default: 600 points at good:bad odds 50:1, 20 points to double the odds →
 *   factor = 28.8539, offset = 487.123 (technical-references §4.2).
 *
 * Per-attribute points with WoE defined on bad (WoE = ln(%bad / %good), the toad convention) and
 * logit P(bad) = β0 + Σ βi·WoEi:
 *   points_ij = −factor·βi·WoE_ij + (offset − factor·β0) / n
 * so that the points of one subject's attributes add up to exactly its scaled score.
 */

export interface ScalingParams {
  /** Score at the base odds (default 600). */
  baseScore: number;
  /** Good:bad odds at the base score (default 50, i.e. 50:1). */
  baseOdds: number;
  /** Points to double the odds (default 20). */
  pdo: number;
}

export const defaultScaling: ScalingParams = { baseScore: 600, baseOdds: 50, pdo: 20 };

export function scalingConstants(params: ScalingParams = defaultScaling): { factor: number; offset: number } {
  if (!(params.pdo > 0) || !(params.baseOdds > 0)) throw new Error('scaling: pdo and baseOdds must be > 0');
  const factor = params.pdo / Math.LN2;
  return { factor, offset: params.baseScore - factor * Math.log(params.baseOdds) };
}

/** Scaled score of a probability of bad p (0 < p < 1). */
export function scoreFromProbability(p: number, params: ScalingParams = defaultScaling): number {
  const { factor, offset } = scalingConstants(params);
  const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  return offset + factor * (Math.log(1 - q) - Math.log(q));
}

/** Probability of bad at a scaled score (inverse of scoreFromProbability). */
export function probabilityFromScore(score: number, params: ScalingParams = defaultScaling): number {
  const { factor, offset } = scalingConstants(params);
  const oddsGood = Math.exp((score - offset) / factor);
  return 1 / (1 + oddsGood);
}

/** Points of one attribute (bin) of one characteristic. */
export function attributePoints(
  woe: number,
  beta: number,
  intercept: number,
  featureCount: number,
  params: ScalingParams = defaultScaling,
): number {
  const { factor, offset } = scalingConstants(params);
  return -factor * beta * woe + (offset - factor * intercept) / featureCount;
}
