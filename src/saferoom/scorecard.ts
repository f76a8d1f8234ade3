import { binFeature, binForScoring, type FeatureBinning, type FeatureValue } from './binning.ts';
import { fitLogistic } from './logistic.ts';
import { bandOf, discrimination, psiFromCounts, quantileEdges, type Discrimination } from './metrics.ts';
import { attributePoints, defaultScaling, scalingConstants, type ScalingParams } from './scaling.ts';

/**
 * Scorecard training inside the safe room: binning (WoE/IV, monotonic, minimum share, k distinct
 * subjects per bin), feature selection (IV, correlation, coefficient sign), logistic regression on WoE
 * (a true optimum, see logistic.ts), points scaling, and metrics on a development period and an
 * out-of-time validation period (the most recent loans). Everything returned here is releasable:
 * bins, points and aggregates over groups of at least k distinct subjects, never a row.
 */

export interface TrainingRow {
  /** Subject (USCC): the unit of the k rule. */
  subject: string;
  /** Loan date YYYY-MM-DD: features are taken as of this date; periods split on it. */
  date: string;
  bad: 0 | 1;
  /** Loan amount in yuan (aggregates only). */
  amount: number;
  features: Record<string, FeatureValue>;
}

export interface FeatureDefinition {
  code: string;
  kind: 'numeric' | 'categorical';
  name_zh: string;
  name_en: string;
}

export interface TrainingOptions {
  /** Minimum distinct subjects in any released group (k ≥ 10). */
  k: number;
  minBinShare: number;
  maxInitialBins: number;
  /** Features with IV below this are dropped (0.02: "unpredictive", Siddiqi). */
  minIv: number;
  /** Of two features whose WoE correlate above this, the one with lower IV is dropped. */
  maxCorrelation: number;
  /** L2 penalty λ for the logistic regression. */
  l2: number;
  /** Share of the most recent loans held out as the out-of-time validation period. */
  validationShare: number;
  scaling: ScalingParams;
}

export const defaultTrainingOptions: TrainingOptions = {
  k: 10,
  minBinShare: 0.05,
  maxInitialBins: 20,
  minIv: 0.02,
  maxCorrelation: 0.7,
  l2: 1,
  validationShare: 0.3,
  scaling: defaultScaling,
};

export interface ScorecardBin {
  /** Numeric: [lower, upper), null = unbounded. */
  lower: number | null;
  upper: number | null;
  categories?: string[];
  includesMissing: boolean;
  missingOnly: boolean;
  woe: number;
  points: number;
  /** Development-period aggregates of this bin (≥ k distinct subjects by construction). */
  count: number;
  bads: number;
  badRate: number;
  iv: number;
}

export interface ScorecardFeature {
  code: string;
  kind: 'numeric' | 'categorical';
  name_zh: string;
  name_en: string;
  iv: number;
  coefficient: number;
  standardError: number;
  bins: ScorecardBin[];
  /** Population stability of this feature's bins, development vs validation (null without a split). */
  psi: number | null;
}

export interface ScoreBand {
  /** Inclusive lower score bound (null = −∞), exclusive upper (null = +∞). */
  lower: number | null;
  upper: number | null;
  count: number;
  subjects: number;
  bads: number;
  badRate: number;
  amount: number;
}

export interface ScorecardModel {
  features: ScorecardFeature[];
  intercept: number;
  interceptStandardError: number;
  scaling: ScalingParams & { factor: number; offset: number };
  /** Convergence evidence of the logistic regression. */
  fit: { iterations: number; converged: boolean; gradientNorm: number; logLikelihood: number; l2: number };
}

export interface FeatureReport {
  code: string;
  name_zh: string;
  name_en: string;
  iv: number;
  /** Why the feature is not in the model (null when selected). */
  dropped: null | 'suppressed' | 'low_iv' | 'correlated' | 'coefficient_sign';
}

export interface TrainingResult {
  model: ScorecardModel;
  features: FeatureReport[];
  metrics: {
    development: Discrimination & { rows: number; subjects: number; bads: number; from: string; to: string };
    validation:
      (Discrimination & { rows: number; subjects: number; bads: number; from: string; to: string }) | null;
    /** Score PSI, development vs validation period. */
    psi: number | null;
  };
  /** Score bands (development quantiles) with counts, bad rates, amounts; merged until ≥ k subjects. */
  scoreBands: ScoreBand[];
}

export class TrainingError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

function distinct(rows: TrainingRow[]): number {
  return new Set(rows.map((r) => r.subject)).size;
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Points of a subject's feature values under a trained model; score = Σ points. */
export function scoreWithModel(
  model: Pick<ScorecardModel, 'features'>,
  values: Record<string, FeatureValue>,
): { score: number; points: Record<string, number> } {
  const points: Record<string, number> = {};
  let score = 0;
  for (const f of model.features) {
    const i = binForScoring(f, values[f.code] ?? null);
    const p = f.bins[i]!.points;
    points[f.code] = p;
    score += p;
  }
  return { score, points };
}

export function trainScorecard(
  rows: TrainingRow[],
  definitions: FeatureDefinition[],
  options: Partial<TrainingOptions> = {},
): TrainingResult {
  const opts: TrainingOptions = { ...defaultTrainingOptions, ...options };
  if (opts.k < 10) throw new TrainingError('k_too_small', 'k must be at least 10');
  const all = rows.slice().sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const badSubjects = distinct(all.filter((r) => r.bad));
  const goodSubjects = distinct(all.filter((r) => !r.bad));
  if (badSubjects < 2 * opts.k || goodSubjects < 2 * opts.k) {
    throw new TrainingError(
      'too_few_subjects',
      `need at least ${2 * opts.k} distinct defaulted and ${2 * opts.k} distinct non-defaulted subjects`,
    );
  }

  // Out-of-time split: the most recent loans validate, when both periods can stand on their own.
  let dev = all;
  let val: TrainingRow[] = [];
  const cut = Math.floor(all.length * (1 - opts.validationShare));
  if (opts.validationShare > 0 && cut > 0 && cut < all.length) {
    // Loans on the cut date stay together in one period.
    let c = cut;
    while (c < all.length && all[c]!.date === all[c - 1]!.date) c++;
    const d = all.slice(0, c);
    const v = all.slice(c);
    const enough = (rs: TrainingRow[]) =>
      distinct(rs.filter((r) => r.bad)) >= 2 * opts.k && distinct(rs.filter((r) => !r.bad)) >= 2 * opts.k;
    if (enough(d) && enough(v)) {
      dev = d;
      val = v;
    }
  }

  const devBad = dev.map((r) => r.bad);
  const devSubjects = dev.map((r) => r.subject);
  const reports: FeatureReport[] = [];
  const binnings = new Map<string, FeatureBinning>();
  for (const def of definitions) {
    const b = binFeature(
      dev.map((r) => r.features[def.code] ?? null),
      devBad,
      devSubjects,
      {
        kind: def.kind,
        minBinShare: opts.minBinShare,
        minSubjects: opts.k,
        maxInitialBins: opts.maxInitialBins,
      },
    );
    binnings.set(def.code, b);
    reports.push({
      code: def.code,
      name_zh: def.name_zh,
      name_en: def.name_en,
      iv: b.suppressed ? 0 : b.iv,
      dropped: b.suppressed ? 'suppressed' : b.iv < opts.minIv ? 'low_iv' : null,
    });
  }

  const woeColumn = (code: string, rs: TrainingRow[]): number[] => {
    const b = binnings.get(code)!;
    return rs.map((r) => b.bins[binForScoring(b, r.features[code] ?? null)]!.woe);
  };

  // Correlation filter, strongest first.
  const candidates = reports.filter((r) => r.dropped === null).sort((a, b) => b.iv - a.iv);
  const kept: string[] = [];
  const columns = new Map<string, number[]>();
  for (const c of candidates) {
    const col = woeColumn(c.code, dev);
    const tooClose = kept.some((k) => Math.abs(pearson(col, columns.get(k)!)) > opts.maxCorrelation);
    if (tooClose) {
      c.dropped = 'correlated';
      continue;
    }
    kept.push(c.code);
    columns.set(c.code, col);
  }
  if (kept.length === 0) {
    throw new TrainingError(
      'no_predictive_feature',
      'no feature has enough information value to build a model',
    );
  }

  // Fit; with WoE on bad every coefficient should be positive: drop the worst wrong-signed one, refit.
  let selected = kept.slice();
  let fit = fitLogistic(
    dev.map((_, i) => selected.map((c) => columns.get(c)![i]!)),
    devBad,
    { l2: opts.l2 },
  );
  for (;;) {
    let worst = -1;
    selected.forEach((_, j) => {
      const b = fit.coefficients[j + 1]!;
      if (b <= 0 && (worst < 0 || b < fit.coefficients[worst + 1]!)) worst = j;
    });
    if (worst < 0 || selected.length === 1) break;
    const dropped = reports.find((r) => r.code === selected[worst]);
    if (dropped) dropped.dropped = 'coefficient_sign';
    selected = selected.filter((_, j) => j !== worst);
    fit = fitLogistic(
      dev.map((_, i) => selected.map((c) => columns.get(c)![i]!)),
      devBad,
      { l2: opts.l2 },
    );
  }

  const { factor, offset } = scalingConstants(opts.scaling);
  const intercept = fit.coefficients[0]!;
  const features: ScorecardFeature[] = selected.map((code, j) => {
    const b = binnings.get(code)!;
    const def = definitions.find((d) => d.code === code)!;
    const beta = fit.coefficients[j + 1]!;
    return {
      code,
      kind: def.kind,
      name_zh: def.name_zh,
      name_en: def.name_en,
      iv: b.iv,
      coefficient: beta,
      standardError: fit.standardErrors[j + 1]!,
      psi: null,
      bins: b.bins.map((bin) => {
        const out: ScorecardBin = {
          lower: bin.lower,
          upper: bin.upper,
          includesMissing: bin.includesMissing,
          missingOnly: bin.missingOnly,
          woe: bin.woe,
          points: attributePoints(bin.woe, beta, intercept, selected.length, opts.scaling),
          count: bin.count,
          bads: bin.bads,
          badRate: bin.badRate,
          iv: bin.iv,
        };
        if (bin.categories) out.categories = bin.categories;
        return out;
      }),
    };
  });
  const model: ScorecardModel = {
    features,
    intercept,
    interceptStandardError: fit.standardErrors[0]!,
    scaling: { ...opts.scaling, factor, offset },
    fit: {
      iterations: fit.iterations,
      converged: fit.converged,
      gradientNorm: fit.gradientNorm,
      logLikelihood: fit.logLikelihood,
      l2: opts.l2,
    },
  };

  // Feature stability between the periods.
  if (val.length > 0) {
    for (const f of features) {
      const ec = new Array<number>(f.bins.length).fill(0);
      const ac = new Array<number>(f.bins.length).fill(0);
      for (const r of dev) ec[binForScoring(f, r.features[f.code] ?? null)]!++;
      for (const r of val) ac[binForScoring(f, r.features[f.code] ?? null)]!++;
      f.psi = psiFromCounts(ec, ac);
    }
  }

  const devScores = dev.map((r) => scoreWithModel(model, r.features).score);
  const valScores = val.map((r) => scoreWithModel(model, r.features).score);
  const periodMetrics = (rs: TrainingRow[], scores: number[]) => ({
    ...discrimination(
      scores,
      rs.map((r) => r.bad),
    ),
    rows: rs.length,
    subjects: distinct(rs),
    bads: rs.filter((r) => r.bad).length,
    from: rs[0]!.date,
    to: rs[rs.length - 1]!.date,
  });

  // Score bands at development deciles, merged until each holds ≥ k distinct subjects.
  const edges = quantileEdges(devScores, 10);
  const bandRows: TrainingRow[][] = Array.from({ length: edges.length + 1 }, () => []);
  dev.forEach((r, i) => bandRows[bandOf(edges, devScores[i]!)]!.push(r));
  const bands: { lower: number | null; upper: number | null; rows: TrainingRow[] }[] = bandRows.map(
    (rs, i) => ({
      lower: i === 0 ? null : edges[i - 1]!,
      upper: i === edges.length ? null : edges[i]!,
      rows: rs,
    }),
  );
  for (let i = 0; i < bands.length;) {
    if (bands.length > 1 && distinct(bands[i]!.rows) < opts.k) {
      const j = i === bands.length - 1 ? i - 1 : i + 1;
      const [a, b] = j < i ? [j, i] : [i, j];
      bands.splice(a, 2, {
        lower: bands[a]!.lower,
        upper: bands[b]!.upper,
        rows: bands[a]!.rows.concat(bands[b]!.rows),
      });
      i = Math.max(0, a);
    } else {
      i++;
    }
  }
  const scoreBands: ScoreBand[] = bands.map((b) => {
    const bb = b.rows.filter((r) => r.bad).length;
    return {
      lower: b.lower,
      upper: b.upper,
      count: b.rows.length,
      subjects: distinct(b.rows),
      bads: bb,
      badRate: b.rows.length ? bb / b.rows.length : 0,
      amount: b.rows.reduce((s, r) => s + r.amount, 0),
    };
  });

  let scorePsi: number | null = null;
  if (val.length > 0) {
    const ec = new Array<number>(edges.length + 1).fill(0);
    const ac = new Array<number>(edges.length + 1).fill(0);
    for (const s of devScores) ec[bandOf(edges, s)]!++;
    for (const s of valScores) ac[bandOf(edges, s)]!++;
    scorePsi = psiFromCounts(ec, ac);
  }

  return {
    model,
    features: reports,
    metrics: {
      development: periodMetrics(dev, devScores),
      validation: val.length > 0 ? periodMetrics(val, valScores) : null,
      psi: scorePsi,
    },
    scoreBands,
  };
}
