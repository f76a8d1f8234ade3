/**
 * Supervised binning for scorecards: WoE / IV with monotonic bins, a minimum bin share and a minimum
 * number of distinct subjects per bin (the safe room's k rule applies to every released bin).
 *
 * Conventions (technical-references §4.2; XFL VerticalBinningWoeIV; toad):
 *   WoE_i = ln( (bad_i / bad_total) / (good_i / good_total) )      (WoE on bad: higher = riskier)
 *   IV    = Σ (bad_i / bad_total − good_i / good_total) · WoE_i
 *
 * Numeric features: fine bins at quantiles (ties never split), then adjacent bins that break the
 * monotone trend of the bad rate are pooled (pool-adjacent-violators, so the result is the isotonic
 * fit), then bins under the minimum share or under k distinct good or bad subjects are merged with
 * the neighbour whose bad rate is closest (merging neighbours keeps the trend monotone). Missing values
 * form their own bin when it meets the same minimums, otherwise they join the bin with the closest bad
 * rate. Categorical features: categories ordered by bad rate, then merged the same way.
 */

export type FeatureValue = number | string | null;

export interface BinningOptions {
  kind: 'numeric' | 'categorical';
  /** Fine bins before merging (numeric). */
  maxInitialBins?: number;
  /** Minimum share of rows per bin (0.05 = 5 %). */
  minBinShare?: number;
  /** Minimum distinct subjects among the bad rows and among the good rows of every bin (k). */
  minSubjects?: number;
  /** Direction of the bad rate along the value; 'auto' follows the data. */
  trend?: 'auto' | 'ascending' | 'descending';
}

export interface Bin {
  /** Numeric: inclusive lower bound (null = −∞). */
  lower: number | null;
  /** Numeric: exclusive upper bound (null = +∞). */
  upper: number | null;
  /** Categorical: the categories in this bin. */
  categories?: string[];
  /** This bin also receives missing values (null). */
  includesMissing: boolean;
  /** Only missing values. */
  missingOnly: boolean;
  count: number;
  bads: number;
  goods: number;
  badRate: number;
  woe: number;
  iv: number;
}

export interface FeatureBinning {
  kind: 'numeric' | 'categorical';
  bins: Bin[];
  iv: number;
  trend: 'ascending' | 'descending' | 'none';
  /** Set when no binning with at least two bins satisfies the minimums. */
  suppressed?: string;
}

interface Group {
  rows: number[];
  lower: number | null;
  upper: number | null;
  categories?: string[];
  includesMissing: boolean;
  missingOnly: boolean;
  bads: number;
}

const defaults = { maxInitialBins: 20, minBinShare: 0.05, minSubjects: 10 };

function rate(g: Group): number {
  return g.rows.length === 0 ? 0 : g.bads / g.rows.length;
}

function merge(a: Group, b: Group): Group {
  // A missing-only group has no bounds of its own: the merged bin keeps the other's range.
  if (a.missingOnly && !b.missingOnly) return { ...merge(b, a), missingOnly: false };
  if (b.missingOnly && !a.missingOnly) {
    const merged: Group = { ...a, rows: a.rows.concat(b.rows), bads: a.bads + b.bads, includesMissing: true };
    return merged;
  }
  const merged: Group = {
    rows: a.rows.concat(b.rows),
    lower: a.lower === null || b.lower === null ? null : Math.min(a.lower, b.lower),
    upper: a.upper === null || b.upper === null ? null : Math.max(a.upper, b.upper),
    includesMissing: a.includesMissing || b.includesMissing,
    missingOnly: a.missingOnly && b.missingOnly,
    bads: a.bads + b.bads,
  };
  if (a.categories || b.categories) merged.categories = [...(a.categories ?? []), ...(b.categories ?? [])];
  return merged;
}

/** Distinct subjects among the bad rows and among the good rows of a group. */
function distinctSubjects(
  g: Group,
  bad: ArrayLike<number>,
  subjects: ArrayLike<string | number>,
): { bad: number; good: number } {
  const b = new Set<string | number>();
  const gd = new Set<string | number>();
  for (const r of g.rows) (bad[r] ? b : gd).add(subjects[r]!);
  return { bad: b.size, good: gd.size };
}

function meetsMinimums(
  g: Group,
  total: number,
  opts: Required<Pick<BinningOptions, 'minBinShare' | 'minSubjects'>>,
  bad: ArrayLike<number>,
  subjects: ArrayLike<string | number>,
): boolean {
  if (g.rows.length < opts.minBinShare * total) return false;
  const d = distinctSubjects(g, bad, subjects);
  return d.bad >= opts.minSubjects && d.good >= opts.minSubjects;
}

/** Pools adjacent groups until the bad rate is strictly monotone in the given direction. */
function poolAdjacentViolators(groups: Group[], ascending: boolean): Group[] {
  const out = groups.slice();
  let i = 0;
  while (i < out.length - 1) {
    const a = rate(out[i]!);
    const b = rate(out[i + 1]!);
    const violates = ascending ? b <= a : b >= a;
    if (violates) {
      out.splice(i, 2, merge(out[i]!, out[i + 1]!));
      if (i > 0) i--;
    } else {
      i++;
    }
  }
  return out;
}

/** Merges groups below the minimums into the adjacent group with the closest bad rate. */
function enforceMinimums(
  groups: Group[],
  total: number,
  opts: Required<Pick<BinningOptions, 'minBinShare' | 'minSubjects'>>,
  bad: ArrayLike<number>,
  subjects: ArrayLike<string | number>,
): Group[] {
  const out = groups.slice();
  while (out.length > 1) {
    let worst = -1;
    for (let i = 0; i < out.length; i++) {
      if (meetsMinimums(out[i]!, total, opts, bad, subjects)) continue;
      if (worst < 0 || out[i]!.rows.length < out[worst]!.rows.length) worst = i;
    }
    if (worst < 0) break;
    const r = rate(out[worst]!);
    const left = worst > 0 ? Math.abs(rate(out[worst - 1]!) - r) : Infinity;
    const right = worst < out.length - 1 ? Math.abs(rate(out[worst + 1]!) - r) : Infinity;
    const j = left <= right ? worst - 1 : worst + 1;
    const [a, b] = j < worst ? [j, worst] : [worst, j];
    out.splice(a, 2, merge(out[a]!, out[b]!));
  }
  return out;
}

function weightedTrend(groups: Group[]): number {
  // Weighted covariance of bin position and bad rate.
  let n = 0;
  let mx = 0;
  let my = 0;
  groups.forEach((g, i) => {
    n += g.rows.length;
    mx += i * g.rows.length;
    my += rate(g) * g.rows.length;
  });
  if (n === 0) return 0;
  mx /= n;
  my /= n;
  let cov = 0;
  groups.forEach((g, i) => {
    cov += g.rows.length * (i - mx) * (rate(g) - my);
  });
  return cov;
}

export function binFeature(
  values: ArrayLike<FeatureValue>,
  bad: ArrayLike<number>,
  subjects: ArrayLike<string | number>,
  options: BinningOptions,
): FeatureBinning {
  const opts = {
    maxInitialBins: options.maxInitialBins ?? defaults.maxInitialBins,
    minBinShare: options.minBinShare ?? defaults.minBinShare,
    minSubjects: options.minSubjects ?? defaults.minSubjects,
  };
  const total = values.length;
  const missing: Group = {
    rows: [],
    lower: null,
    upper: null,
    includesMissing: true,
    missingOnly: true,
    bads: 0,
  };
  let groups: Group[] = [];
  let trend: FeatureBinning['trend'] = 'none';

  if (options.kind === 'numeric') {
    const present: number[] = [];
    for (let i = 0; i < total; i++) {
      const v = values[i];
      if (v === null || v === undefined || v === '' || !Number.isFinite(Number(v))) {
        missing.rows.push(i);
        missing.bads += bad[i] ? 1 : 0;
      } else {
        present.push(i);
      }
    }
    present.sort((a, b) => Number(values[a]) - Number(values[b]));
    // Fine bins: cut after ~n/maxInitialBins rows, never between equal values.
    const target = Math.max(1, Math.ceil(present.length / opts.maxInitialBins));
    let cur: Group | undefined;
    for (let idx = 0; idx < present.length; idx++) {
      const r = present[idx]!;
      const v = Number(values[r]);
      if (!cur) {
        cur = { rows: [], lower: v, upper: null, includesMissing: false, missingOnly: false, bads: 0 };
      }
      cur.rows.push(r);
      cur.bads += bad[r] ? 1 : 0;
      const next = present[idx + 1];
      if (next !== undefined && cur.rows.length >= target && Number(values[next]) !== v) {
        cur.upper = Number(values[next]);
        groups.push(cur);
        cur = undefined;
      }
    }
    if (cur) groups.push(cur);
    if (groups.length > 0) {
      groups[0]!.lower = null;
      groups[groups.length - 1]!.upper = null;
    }
    const direction =
      options.trend === 'ascending'
        ? true
        : options.trend === 'descending'
          ? false
          : weightedTrend(groups) >= 0;
    trend = direction ? 'ascending' : 'descending';
    groups = poolAdjacentViolators(groups, direction);
    groups = enforceMinimums(groups, total, opts, bad, subjects);
  } else {
    const byCategory = new Map<string, Group>();
    for (let i = 0; i < total; i++) {
      const v = values[i];
      if (v === null || v === undefined || v === '') {
        missing.rows.push(i);
        missing.bads += bad[i] ? 1 : 0;
        continue;
      }
      const key = String(v);
      let g = byCategory.get(key);
      if (!g) {
        g = {
          rows: [],
          lower: null,
          upper: null,
          categories: [key],
          includesMissing: false,
          missingOnly: false,
          bads: 0,
        };
        byCategory.set(key, g);
      }
      g.rows.push(i);
      g.bads += bad[i] ? 1 : 0;
    }
    groups = [...byCategory.values()].sort((a, b) => rate(a) - rate(b) || a.rows.length - b.rows.length);
    trend = 'ascending';
    // Equal bad rates carry no separate information: pool them.
    groups = poolAdjacentViolators(groups, true);
    groups = enforceMinimums(groups, total, opts, bad, subjects);
  }

  if (missing.rows.length > 0) {
    if (groups.length === 0 || meetsMinimums(missing, total, opts, bad, subjects)) {
      groups.push(missing);
    } else {
      const r = rate(missing);
      let best = 0;
      groups.forEach((g, i) => {
        if (Math.abs(rate(g) - r) < Math.abs(rate(groups[best]!) - r)) best = i;
      });
      groups[best] = merge(groups[best]!, missing);
      groups[best]!.missingOnly = false;
    }
  }

  const badTotal = groups.reduce((s, g) => s + g.bads, 0);
  const goodTotal = total - badTotal;
  const result: FeatureBinning = { kind: options.kind, bins: [], iv: 0, trend };
  if (groups.length < 2 || badTotal === 0 || goodTotal === 0) {
    result.suppressed = 'fewer than two bins meet the minimum share and k distinct subjects';
  } else if (!groups.every((g) => meetsMinimums(g, total, opts, bad, subjects))) {
    result.suppressed = 'a bin is below the minimum share or k distinct subjects';
  }
  for (const g of groups) {
    const goods = g.rows.length - g.bads;
    const pb = badTotal > 0 ? g.bads / badTotal : 0;
    const pg = goodTotal > 0 ? goods / goodTotal : 0;
    const woe = pb > 0 && pg > 0 ? Math.log(pb / pg) : 0;
    const bin: Bin = {
      lower: g.lower,
      upper: g.upper,
      includesMissing: g.includesMissing,
      missingOnly: g.missingOnly,
      count: g.rows.length,
      bads: g.bads,
      goods,
      badRate: g.rows.length ? g.bads / g.rows.length : 0,
      woe,
      iv: (pb - pg) * woe,
    };
    if (g.categories) bin.categories = g.categories.slice().sort();
    result.bins.push(bin);
  }
  result.iv = result.bins.reduce((s, b) => s + b.iv, 0);
  if (result.suppressed) result.iv = 0;
  return result;
}

/** What scoring needs of a binning (a trained scorecard feature has the same shape). */
export interface BinLookup {
  kind: 'numeric' | 'categorical';
  bins: Pick<Bin, 'lower' | 'upper' | 'categories' | 'includesMissing' | 'missingOnly' | 'woe'>[];
}

/** Index of the bin a value falls in (−1 when none: an unseen category with no missing bin). */
export function findBin(binning: BinLookup, value: FeatureValue): number {
  const isMissing =
    value === null ||
    value === undefined ||
    value === '' ||
    (binning.kind === 'numeric' && !Number.isFinite(Number(value)));
  if (isMissing) return binning.bins.findIndex((b) => b.includesMissing);
  if (binning.kind === 'categorical') {
    const key = String(value);
    return binning.bins.findIndex((b) => b.categories?.includes(key));
  }
  const v = Number(value);
  return binning.bins.findIndex(
    (b) => !b.missingOnly && (b.lower === null || v >= b.lower) && (b.upper === null || v < b.upper),
  );
}

/**
 * The bin used for a value at scoring time: its own bin; a missing value without a missing bin and an
 * unseen category take the riskiest bin (highest WoE), the conservative choice for a lender.
 */
export function binForScoring(binning: BinLookup, value: FeatureValue): number {
  const i = findBin(binning, value);
  if (i >= 0) return i;
  let worst = 0;
  binning.bins.forEach((b, j) => {
    if (b.woe > binning.bins[worst]!.woe) worst = j;
  });
  return worst;
}
