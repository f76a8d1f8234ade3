/**
 * Logistic regression fitted by Newton–Raphson (IRLS) with an optional L2 penalty, written out so
 * that the optimum is checkable: the result carries the gradient of the penalized log-likelihood at
 * the solution, which must be ≈ 0 (a true optimum, not "stopped after N epochs" as SGD would be).
 *
 * Model: logit P(y = 1 | x) = β0 + Σ βj·xj. Penalized log-likelihood:
 *   ℓ(β) = Σ [yi·ηi − ln(1 + e^ηi)] − (λ/2)·Σ_{j≥1} βj²     (the intercept is not penalized)
 * Gradient g = Xᵀ(y − μ) − λβ̃, Hessian H = −(XᵀWX + λĨ) with W = diag(μ(1−μ)).
 * Newton step: β ← β + (XᵀWX + λĨ)⁻¹ g, halved while ℓ does not increase (safeguard against
 * overshooting on nearly separable data).
 */

export interface LogisticOptions {
  /** L2 penalty λ (absolute, on the sum of log-likelihood terms); 0 = plain maximum likelihood. */
  l2?: number;
  maxIterations?: number;
  /** Stop when the largest |gradient| component falls below this. */
  tolerance?: number;
  /** Optional per-row weights (frequency weights). */
  weights?: ArrayLike<number>;
}

export interface LogisticFit {
  /** [β0 (intercept), β1 … βp] */
  coefficients: number[];
  standardErrors: number[];
  /** Penalized log-likelihood at the solution. */
  logLikelihood: number;
  /** Gradient of the penalized log-likelihood at the solution (≈ 0 at the optimum). */
  gradient: number[];
  /** max |gradient component|. */
  gradientNorm: number;
  iterations: number;
  converged: boolean;
}

/** Numerically stable ln(1 + e^x). */
export function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Cholesky solve of a symmetric positive-definite system A·x = b (A given as rows, size k×k). */
export function solveSpd(a: number[][], b: number[]): { x: number[]; inverseDiagonal: number[] } {
  const k = b.length;
  const l: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let m = 0; m < j; m++) s -= l[i]![m]! * l[j]![m]!;
      if (i === j) {
        // A tiny ridge keeps a numerically singular Hessian (constant column, perfect collinearity)
        // from producing NaN; the fit then reports non-convergence through its gradient instead.
        l[i]![i] = Math.sqrt(s > 1e-12 ? s : 1e-12);
      } else {
        l[i]![j] = s / l[j]![j]!;
      }
    }
  }
  const forward = (rhs: number[]): number[] => {
    const y = new Array<number>(k).fill(0);
    for (let i = 0; i < k; i++) {
      let s = rhs[i]!;
      for (let m = 0; m < i; m++) s -= l[i]![m]! * y[m]!;
      y[i] = s / l[i]![i]!;
    }
    return y;
  };
  const backward = (y: number[]): number[] => {
    const x = new Array<number>(k).fill(0);
    for (let i = k - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let m = i + 1; m < k; m++) s -= l[m]![i]! * x[m]!;
      x[i] = s / l[i]![i]!;
    }
    return x;
  };
  const x = backward(forward(b));
  const inverseDiagonal: number[] = [];
  for (let i = 0; i < k; i++) {
    const e = new Array<number>(k).fill(0);
    e[i] = 1;
    inverseDiagonal.push(backward(forward(e))[i]!);
  }
  return { x, inverseDiagonal };
}

/**
 * Evaluates the penalized log-likelihood and its gradient at β for rows X (n×p, without the
 * intercept column) and labels y ∈ {0, 1}.
 */
export function logLikelihoodAndGradient(
  x: ArrayLike<number>[],
  y: ArrayLike<number>,
  beta: number[],
  opts: Pick<LogisticOptions, 'l2' | 'weights'> = {},
): { logLikelihood: number; gradient: number[] } {
  const p = beta.length - 1;
  const l2 = opts.l2 ?? 0;
  const g = new Array<number>(p + 1).fill(0);
  let ll = 0;
  for (let i = 0; i < y.length; i++) {
    const row = x[i]!;
    const w = opts.weights ? opts.weights[i]! : 1;
    let eta = beta[0]!;
    for (let j = 0; j < p; j++) eta += beta[j + 1]! * row[j]!;
    const yi = y[i]!;
    ll += w * (yi * eta - log1pExp(eta));
    const r = w * (yi - sigmoid(eta));
    g[0]! += r;
    for (let j = 0; j < p; j++) g[j + 1]! += r * row[j]!;
  }
  for (let j = 1; j <= p; j++) {
    ll -= (l2 / 2) * beta[j]! * beta[j]!;
    g[j]! -= l2 * beta[j]!;
  }
  return { logLikelihood: ll, gradient: g };
}

export function fitLogistic(
  x: ArrayLike<number>[],
  y: ArrayLike<number>,
  opts: LogisticOptions = {},
): LogisticFit {
  const n = y.length;
  if (n === 0) throw new Error('fitLogistic: no rows');
  const p = x[0]?.length ?? 0;
  const l2 = opts.l2 ?? 0;
  const maxIterations = opts.maxIterations ?? 100;
  const tolerance = opts.tolerance ?? 1e-8;
  const weights = opts.weights;

  // Start at the intercept-only optimum: β0 = logit(mean y).
  let sw = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    sw += w;
    sy += w * y[i]!;
  }
  const mean = Math.min(Math.max(sy / sw, 1e-6), 1 - 1e-6);
  let beta = new Array<number>(p + 1).fill(0);
  beta[0] = Math.log(mean / (1 - mean));

  let current = logLikelihoodAndGradient(x, y, beta, { l2, weights });
  let iterations = 0;
  let converged = false;
  const k = p + 1;
  let inverseDiagonal = new Array<number>(k).fill(NaN);

  while (iterations < maxIterations) {
    // Information matrix XᵀWX + λĨ (with the intercept as column 0).
    const info: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < n; i++) {
      const row = x[i]!;
      const w = weights ? weights[i]! : 1;
      let eta = beta[0]!;
      for (let j = 0; j < p; j++) eta += beta[j + 1]! * row[j]!;
      const mu = sigmoid(eta);
      const v = w * mu * (1 - mu);
      info[0]![0]! += v;
      for (let a = 0; a < p; a++) {
        const va = v * row[a]!;
        info[a + 1]![0]! += va;
        for (let b = 0; b <= a; b++) info[a + 1]![b + 1]! += va * row[b]!;
      }
    }
    for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) info[a]![b] = info[b]![a]!;
    for (let j = 1; j < k; j++) info[j]![j]! += l2;

    const solved = solveSpd(info, current.gradient);
    inverseDiagonal = solved.inverseDiagonal;
    if (maxAbs(current.gradient) < tolerance) {
      converged = true;
      break;
    }
    iterations++;
    let step = 1;
    let next = beta;
    let nextEval = current;
    for (let halvings = 0; halvings < 30; halvings++) {
      next = beta.map((b, j) => b + step * solved.x[j]!);
      nextEval = logLikelihoodAndGradient(x, y, next, { l2, weights });
      if (nextEval.logLikelihood >= current.logLikelihood - 1e-12 * Math.abs(current.logLikelihood)) break;
      step /= 2;
    }
    const moved = maxAbs(next.map((b, j) => b - beta[j]!));
    beta = next;
    current = nextEval;
    if (maxAbs(current.gradient) < tolerance) {
      converged = true;
      break;
    }
    // No progress possible in floating point: the gradient is as small as it gets.
    if (moved < 1e-14) break;
  }

  return {
    coefficients: beta,
    standardErrors: inverseDiagonal.map((v) => Math.sqrt(Math.max(v, 0))),
    logLikelihood: current.logLikelihood,
    gradient: current.gradient,
    gradientNorm: maxAbs(current.gradient),
    iterations,
    converged,
  };
}

function maxAbs(v: number[]): number {
  let m = 0;
  for (const x of v) if (Math.abs(x) > m) m = Math.abs(x);
  return m;
}

/** Predicted P(y = 1) for one row. */
export function predictProbability(coefficients: number[], row: ArrayLike<number>): number {
  let eta = coefficients[0]!;
  for (let j = 1; j < coefficients.length; j++) eta += coefficients[j]! * row[j - 1]!;
  return sigmoid(eta);
}
