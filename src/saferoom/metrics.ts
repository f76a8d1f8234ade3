/**
 * Discrimination and stability metrics for scorecards (technical-references §4.2):
 *   AUC  = P(score of a random good > score of a random bad) (+ ½ for ties): Mann–Whitney.
 *   Gini = 2·AUC − 1.
 *   KS   = max over thresholds of |cumulative share of bads − cumulative share of goods|.
 *   PSI  = Σ (A_i − E_i) · ln(A_i / E_i) over bands; < 0.1 stable, 0.1–0.25 monitor, > 0.25 shift.
 * Scores follow the scorecard convention: higher score = lower risk.
 */

export interface Discrimination {
  auc: number;
  gini: number;
  ks: number;
}

/** `bad[i]` is 1 for a default. Scores: higher = better. */
export function discrimination(scores: ArrayLike<number>, bad: ArrayLike<number>): Discrimination {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let bads = 0;
  for (let i = 0; i < n; i++) bads += bad[i] ? 1 : 0;
  const goods = n - bads;
  if (bads === 0 || goods === 0) return { auc: NaN, gini: NaN, ks: NaN };
  // Ascending scores: walk tie groups; count goods ranked above each bad, and the KS gap.
  let auc = 0;
  let ks = 0;
  let cumBad = 0;
  let cumGood = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    let groupBad = 0;
    let groupGood = 0;
    while (j < n && scores[order[j]!] === scores[order[i]!]) {
      if (bad[order[j]!]) groupBad++;
      else groupGood++;
      j++;
    }
    // Each bad in this group: goods with a higher score (goods − cumGood − groupGood) count 1, ties ½.
    auc += groupBad * (goods - cumGood - groupGood + groupGood / 2);
    cumBad += groupBad;
    cumGood += groupGood;
    ks = Math.max(ks, Math.abs(cumBad / bads - cumGood / goods));
    i = j;
  }
  auc /= bads * goods;
  return { auc, gini: 2 * auc - 1, ks };
}

/** Band edges (ascending, interior cut points) at the quantiles of the reference scores. */
export function quantileEdges(scores: ArrayLike<number>, bands = 10): number[] {
  const sorted = Array.from(scores).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let b = 1; b < bands; b++) {
    const v = sorted[Math.floor((b * sorted.length) / bands)];
    if (v !== undefined && (edges.length === 0 || v > edges[edges.length - 1]!)) edges.push(v);
  }
  return edges;
}

/** Band index of a value for interior edges [e1 < e2 < …]: band i holds e_i ≤ v < e_{i+1}. */
export function bandOf(edges: number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v >= edges[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * PSI of `actual` against `expected` over the given band counts (same bands). Empty bands get a
 * share of 0.0001 so the logarithm stays finite (common practice).
 */
export function psiFromCounts(expected: number[], actual: number[]): number {
  const e = expected.reduce((s, x) => s + x, 0);
  const a = actual.reduce((s, x) => s + x, 0);
  if (e === 0 || a === 0) return NaN;
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const pe = Math.max(expected[i]! / e, 1e-4);
    const pa = Math.max((actual[i] ?? 0) / a, 1e-4);
    psi += (pa - pe) * Math.log(pa / pe);
  }
  return psi;
}

/** PSI of two score samples over `bands` bands cut at the expected sample's quantiles. */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>, bands = 10): number {
  const edges = quantileEdges(expected, bands);
  const ec = new Array<number>(edges.length + 1).fill(0);
  const ac = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < expected.length; i++) ec[bandOf(edges, expected[i]!)]!++;
  for (let i = 0; i < actual.length; i++) ac[bandOf(edges, actual[i]!)]!++;
  return psiFromCounts(ec, ac);
}
