import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binFeature, binForScoring, findBin } from './binning.ts';
import { fitLogistic, logLikelihoodAndGradient, sigmoid } from './logistic.ts';
import { discrimination, psi, psiFromCounts } from './metrics.ts';
import { attributePoints, probabilityFromScore, scalingConstants, scoreFromProbability } from './scaling.ts';
import { scoreWithModel, trainScorecard, type TrainingRow } from './scorecard.ts';

/** Deterministic PRNG (mulberry32) and a Box–Muller normal. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

describe('logistic regression (IRLS)', () => {
  const truth = [-1.0, 0.8, -0.5, 1.2];
  const r = rng(7);
  const n = 20000;
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [normal(r), normal(r), r() < 0.3 ? 1 : 0];
    const eta = truth[0]! + truth[1]! * row[0]! + truth[2]! * row[1]! + truth[3]! * row[2]!;
    x.push(row);
    y.push(r() < sigmoid(eta) ? 1 : 0);
  }

  it('recovers the coefficients the data were generated from (within 4 standard errors)', () => {
    const fit = fitLogistic(x, y);
    assert.ok(fit.converged);
    fit.coefficients.forEach((b, j) => {
      const se = fit.standardErrors[j]!;
      assert.ok(se > 0 && se < 0.1, `standard error ${se}`);
      assert.ok(Math.abs(b - truth[j]!) < 4 * se, `β${j} = ${b}, truth ${truth[j]}, se ${se}`);
    });
  });

  it('stops at a true optimum: the gradient of the log-likelihood is ≈ 0, and moving away lowers it', () => {
    for (const l2 of [0, 5]) {
      const fit = fitLogistic(x, y, { l2 });
      const { gradient, logLikelihood } = logLikelihoodAndGradient(x, y, fit.coefficients, { l2 });
      for (const g of gradient) assert.ok(Math.abs(g) < 1e-6, `gradient component ${g} (λ=${l2})`);
      for (let j = 0; j < fit.coefficients.length; j++) {
        for (const d of [-1e-3, 1e-3]) {
          const moved = fit.coefficients.slice();
          moved[j] = moved[j]! + d;
          assert.ok(logLikelihoodAndGradient(x, y, moved, { l2 }).logLikelihood < logLikelihood);
        }
      }
    }
  });

  it('L2 shrinks the coefficients towards zero but not the intercept', () => {
    const plain = fitLogistic(x, y);
    const ridge = fitLogistic(x, y, { l2: 2000 });
    for (let j = 1; j < 4; j++) {
      assert.ok(Math.abs(ridge.coefficients[j]!) < Math.abs(plain.coefficients[j]!));
    }
  });

  it('converges on perfectly separable data when penalized', () => {
    const xs = [[-2], [-1], [1], [2]];
    const ys = [0, 0, 1, 1];
    const ridge = fitLogistic(xs, ys, { l2: 1 });
    assert.ok(ridge.converged);
    assert.ok(ridge.gradientNorm < 1e-8);
  });
});

describe('WoE / IV', () => {
  it('matches a hand-computed example (WoE = ln(%bad / %good))', () => {
    // a: 1 bad, 9 good; b: 2 bad, 8 good; c: 5 bad, 5 good. Totals: 8 bad, 22 good.
    const values: string[] = [];
    const bad: number[] = [];
    const add = (v: string, b: number, g: number) => {
      for (let i = 0; i < b + g; i++) {
        values.push(v);
        bad.push(i < b ? 1 : 0);
      }
    };
    add('a', 1, 9);
    add('b', 2, 8);
    add('c', 5, 5);
    const subjects = values.map((_, i) => i);
    const b = binFeature(values, bad, subjects, { kind: 'categorical', minSubjects: 1, minBinShare: 0 });
    assert.equal(b.bins.length, 3);
    const woe = Object.fromEntries(b.bins.map((x) => [x.categories![0]!, x.woe]));
    // ln((1/8)/(9/22)) = −1.18562, ln((2/8)/(8/22)) = −0.37469, ln((5/8)/(5/22)) = 1.01160
    assert.ok(Math.abs(woe.a! - -1.18562) < 1e-4);
    assert.ok(Math.abs(woe.b! - -0.37469) < 1e-4);
    assert.ok(Math.abs(woe.c! - 1.0116) < 1e-4);
    // IV = 0.33682 + 0.04258 + 0.40234
    assert.ok(Math.abs(b.iv - 0.78174) < 1e-4, `iv ${b.iv}`);
  });

  it('makes numeric bins monotone and gives every bin k distinct bad and good subjects', () => {
    const r = rng(3);
    const values: (number | null)[] = [];
    const bad: number[] = [];
    const subjects: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const v = i % 50 === 0 ? null : Math.floor(r() * 100);
      // Risk rises with the value, with a wiggle that a non-monotone binning would follow.
      const p = v === null ? 0.3 : 0.02 + 0.002 * v + (v % 10 === 0 ? 0.1 : 0);
      values.push(v);
      bad.push(r() < p ? 1 : 0);
      subjects.push(`s${i % 2500}`);
    }
    const b = binFeature(values, bad, subjects, { kind: 'numeric', minSubjects: 10, minBinShare: 0.05 });
    assert.equal(b.trend, 'ascending');
    const ranged = b.bins.filter((x) => !x.missingOnly);
    assert.ok(ranged.length >= 3, `bins: ${ranged.length}`);
    for (let i = 1; i < ranged.length; i++) assert.ok(ranged[i]!.woe > ranged[i - 1]!.woe);
    for (const bin of b.bins) {
      assert.ok(bin.count >= 0.05 * 5000);
      assert.ok(bin.bads >= 10 && bin.goods >= 10);
    }
    // Every value lands in exactly one bin.
    for (const v of [-5, 0, 37, 99, 1000, null]) assert.ok(findBin(b, v) >= 0);
  });

  it('suppresses a feature whose groups cannot reach k distinct subjects', () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    const bad = values.map((i) => (i < 8 ? 1 : 0));
    const subjects = values.map((i) => `s${i}`);
    const b = binFeature(values, bad, subjects, { kind: 'numeric', minSubjects: 10 });
    assert.ok(b.suppressed);
    assert.equal(b.iv, 0);
  });

  it('scores an unseen category in the riskiest bin', () => {
    const b = binFeature(['A', 'A', 'D', 'D'], [0, 0, 1, 0], [1, 2, 3, 4], {
      kind: 'categorical',
      minSubjects: 1,
      minBinShare: 0,
    });
    assert.equal(findBin(b, 'Z'), -1);
    const worst = b.bins.reduce((w, x, i) => (x.woe > b.bins[w]!.woe ? i : w), 0);
    assert.equal(binForScoring(b, 'Z'), worst);
  });
});

describe('scaling', () => {
  it('uses factor = PDO/ln2 and offset = base − factor·ln(odds): 28.8539 and 487.123 by default', () => {
    const { factor, offset } = scalingConstants();
    assert.ok(Math.abs(factor - 28.8539) < 1e-4);
    assert.ok(Math.abs(offset - 487.123) < 1e-3);
  });

  it('gives 600 at 50:1, 620 at 100:1, 580 at 25:1 and inverts', () => {
    assert.ok(Math.abs(scoreFromProbability(1 / 51) - 600) < 1e-9);
    assert.ok(Math.abs(scoreFromProbability(1 / 101) - 620) < 1e-9);
    assert.ok(Math.abs(scoreFromProbability(1 / 26) - 580) < 1e-9);
    assert.ok(Math.abs(probabilityFromScore(650) - 0.0035) < 1e-4); // table in §4.2: 0.35 %
    const custom = { baseScore: 750, baseOdds: 35, pdo: 60 }; // toad: factor 86.56, offset 442.24
    const c = scalingConstants(custom);
    assert.ok(Math.abs(c.factor - 86.56) < 0.01 && Math.abs(c.offset - 442.24) < 0.01);
  });

  it('attribute points add up to the scaled score of the predicted probability', () => {
    const beta0 = -3.2;
    const betas = [0.9, 1.1, 0.7];
    const woes = [0.4, -0.2, 1.3];
    const eta = beta0 + betas.reduce((s, b, i) => s + b * woes[i]!, 0);
    const sum = betas.reduce((s, b, i) => s + attributePoints(woes[i]!, b, beta0, 3), 0);
    assert.ok(Math.abs(sum - scoreFromProbability(sigmoid(eta))) < 1e-9);
  });
});

describe('metrics', () => {
  it('computes AUC, Gini and KS on a hand-checked example', () => {
    // Higher score = better. Goods at 3, 4, 5, 6; bads at 1, 2, 4.
    const scores = [3, 4, 5, 6, 1, 2, 4];
    const bad = [0, 0, 0, 0, 1, 1, 1];
    const d = discrimination(scores, bad);
    // Pairs (good > bad): bad 1 → 4, bad 2 → 4, bad 4 → 2 + ½ tie = 10.5 of 12.
    assert.ok(Math.abs(d.auc - 10.5 / 12) < 1e-12);
    assert.ok(Math.abs(d.gini - (2 * 10.5) / 12 + 1) < 1e-12);
    // After score 2: bads 2/3, goods 0 → KS 0.6667.
    assert.ok(Math.abs(d.ks - 2 / 3) < 1e-12);
  });

  it('computes PSI from counts and is 0 for identical samples', () => {
    // (0.3−0.2)·ln(1.5) + (0.7−0.8)·ln(0.875)
    const expected = 0.1 * Math.log(1.5) - 0.1 * Math.log(0.875);
    assert.ok(Math.abs(psiFromCounts([20, 80], [30, 70]) - expected) < 1e-12);
    const s = Array.from({ length: 1000 }, (_, i) => i);
    assert.equal(psi(s, s), 0);
  });
});

describe('scorecard training', () => {
  it('builds a monotone, scaled scorecard whose points reproduce the model', () => {
    const r = rng(11);
    const rows: TrainingRow[] = [];
    for (let i = 0; i < 6000; i++) {
      const negatives = Math.floor(r() * 4);
      const grade = ['A', 'B', 'M', 'C', 'D'][Math.floor(r() * 5)]!;
      const age = Math.floor(r() * 20);
      const eta = -3 + 0.6 * negatives + { A: -0.8, B: -0.3, M: 0, C: 0.5, D: 1.0 }[grade]! - 0.05 * age;
      rows.push({
        subject: `S${i % 3000}`,
        date: `2024-${String(1 + (i % 12)).padStart(2, '0')}-15`,
        bad: r() < sigmoid(eta) ? 1 : 0,
        amount: 100000,
        features: { negatives, grade, age, noise: r() },
      });
    }
    const result = trainScorecard(rows, [
      { code: 'negatives', kind: 'numeric', name_zh: '负面', name_en: 'negatives' },
      { code: 'grade', kind: 'categorical', name_zh: '等级', name_en: 'grade' },
      { code: 'age', kind: 'numeric', name_zh: '年限', name_en: 'age' },
      { code: 'noise', kind: 'numeric', name_zh: '噪声', name_en: 'noise' },
    ]);
    const codes = result.model.features.map((f) => f.code).sort();
    assert.deepEqual(codes, ['age', 'grade', 'negatives']);
    assert.equal(result.features.find((f) => f.code === 'noise')!.dropped, 'low_iv');
    assert.ok(result.model.fit.converged && result.model.fit.gradientNorm < 1e-6);
    assert.ok(result.metrics.development.auc > 0.6);
    assert.ok(result.metrics.validation !== null && result.metrics.psi !== null);
    // More negatives → fewer points.
    const neg = result.model.features.find((f) => f.code === 'negatives')!;
    for (let i = 1; i < neg.bins.length; i++) assert.ok(neg.bins[i]!.points < neg.bins[i - 1]!.points);
    // Σ points = offset + factor·ln(odds) of the model's probability.
    const { score } = scoreWithModel(result.model, { negatives: 2, grade: 'C', age: 3 });
    let eta = result.model.intercept;
    for (const f of result.model.features) {
      const v = { negatives: 2, grade: 'C', age: 3 }[f.code as 'negatives' | 'grade' | 'age'];
      eta += f.coefficient * f.bins[binForScoring(f, v)]!.woe;
    }
    assert.ok(Math.abs(score - scoreFromProbability(sigmoid(eta))) < 1e-6);
    for (const band of result.scoreBands) assert.ok(band.subjects >= 10);
  });
});
