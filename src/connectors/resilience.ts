/**
 * Resilience primitives for calling providers' interfaces (接口调用): a circuit breaker, a semaphore
 * (concurrency limit), a rate limiter (GCRA token bucket) and exponential backoff with jitter. All are
 * in-process and per provider: each platform process protects itself and the provider; no shared state
 * is needed for correctness (a provider sees at most `limit × processes` concurrent calls).
 */

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** Failure ratio (0–1) over the last `windowSize` calls that opens the breaker … */
  errorRateThreshold: number;
  windowSize: number;
  /** … once at least this many calls are in the window. */
  minCalls: number;
  /** Milliseconds the breaker stays open before one probe call is let through (half-open). */
  cooldownMs: number;
  now?: () => number;
}

export const defaultBreakerOptions: BreakerOptions = {
  failureThreshold: 5,
  errorRateThreshold: 0.5,
  windowSize: 20,
  minCalls: 10,
  cooldownMs: 10_000,
};

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** Failure ratio over the current window (0 when empty). */
  errorRate: number;
  openedAt: number | null;
  /** When the next probe will be let through (open state only), epoch ms. */
  retryAt: number | null;
}

export interface CircuitBreaker {
  /**
   * Asks to make a call. Closed: yes. Open: no, until the cooldown has passed; then the breaker turns
   * half-open and lets exactly one probe through. Half-open: no while the probe is out.
   */
  tryAcquire(): boolean;
  onSuccess(): void;
  onFailure(): void;
  /** A permitted call was given up before reaching the provider: frees the half-open probe slot. */
  abandon(): void;
  snapshot(): BreakerSnapshot;
}

/**
 * Closed → open after `failureThreshold` consecutive failures or an error rate above the threshold;
 * open → half-open after `cooldownMs` (one probe); half-open → closed on the probe's success, → open
 * again (new cooldown) on its failure. Pattern as in Nygard, "Release It!" (2nd ed., ch. 5).
 */
export function createCircuitBreaker(opts: Partial<BreakerOptions> = {}): CircuitBreaker {
  const o = { ...defaultBreakerOptions, ...opts };
  const now = o.now ?? Date.now;
  let state: BreakerState = 'closed';
  let consecutive = 0;
  let window: boolean[] = []; // true = failure
  let openedAt: number | null = null;
  let probeStartedAt: number | null = null;

  const open = () => {
    state = 'open';
    openedAt = now();
    probeStartedAt = null;
  };
  const record = (failed: boolean) => {
    window.push(failed);
    if (window.length > o.windowSize) window.shift();
  };
  const errorRate = () => (window.length ? window.filter(Boolean).length / window.length : 0);

  return {
    tryAcquire() {
      if (state === 'closed') return true;
      const t = now();
      if (state === 'open') {
        if (openedAt !== null && t - openedAt >= o.cooldownMs) {
          state = 'half_open';
          probeStartedAt = t;
          return true;
        }
        return false;
      }
      // half-open: one probe at a time; a probe that never reported (caller vanished) is replaced
      // after another cooldown so the breaker cannot stick half-open.
      if (probeStartedAt !== null && t - probeStartedAt >= o.cooldownMs) {
        probeStartedAt = t;
        return true;
      }
      return false;
    },
    onSuccess() {
      consecutive = 0;
      if (state === 'half_open') {
        state = 'closed';
        openedAt = null;
        probeStartedAt = null;
        window = [];
        return;
      }
      record(false);
    },
    onFailure() {
      consecutive += 1;
      if (state === 'half_open') {
        open();
        return;
      }
      record(true);
      if (state !== 'closed') return;
      if (
        consecutive >= o.failureThreshold ||
        (window.length >= o.minCalls && errorRate() >= o.errorRateThreshold)
      ) {
        open();
      }
    },
    abandon() {
      if (state === 'half_open') {
        state = 'open';
        // Let the next caller probe at once rather than after a new cooldown.
        openedAt = now() - o.cooldownMs;
        probeStartedAt = null;
      }
    },
    snapshot() {
      return {
        state,
        consecutiveFailures: consecutive,
        errorRate: errorRate(),
        openedAt,
        retryAt: state === 'open' && openedAt !== null ? openedAt + o.cooldownMs : null,
      };
    },
  };
}

/** Thrown (as the rejection reason) when a wait for a slot or a token would outlast the caller's budget. */
export class LimitWaitError extends Error {
  readonly limit: 'concurrency' | 'rate';
  constructor(limit: 'concurrency' | 'rate') {
    super(limit === 'concurrency' ? 'concurrency limit wait timed out' : 'rate limit wait timed out');
    this.name = 'LimitWaitError';
    this.limit = limit;
  }
}

export interface Semaphore {
  /** Resolves with a release function once a slot is free; rejects when `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  setLimit(limit: number): void;
  readonly inUse: number;
  readonly waiting: number;
}

/** Counting semaphore with a FIFO queue of waiters. */
export function createSemaphore(initialLimit: number): Semaphore {
  let limit = Math.max(1, initialLimit);
  let inUse = 0;
  const waiters: Array<{ grant: () => void }> = [];

  const pump = () => {
    while (inUse < limit && waiters.length) {
      inUse += 1;
      waiters.shift()!.grant();
    }
  };
  const makeRelease = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inUse -= 1;
      pump();
    };
  };

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(new LimitWaitError('concurrency'));
      if (inUse < limit && waiters.length === 0) {
        inUse += 1;
        return Promise.resolve(makeRelease());
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(makeRelease());
          },
        };
        const onAbort = () => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(new LimitWaitError('concurrency'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    setLimit(n) {
      limit = Math.max(1, n);
      pump();
    },
    get inUse() {
      return inUse;
    },
    get waiting() {
      return waiters.length;
    },
  };
}

export interface RateLimiter {
  /**
   * Waits for a token. Rejects at once (consuming nothing) when the wait would exceed `maxWaitMs`, so a
   * caller with a deadline fails fast instead of queueing past it.
   */
  acquire(maxWaitMs: number, signal?: AbortSignal): Promise<void>;
  setRate(perSecond: number): void;
}

/**
 * Generic cell rate algorithm (GCRA, ITU-T I.371), equivalent to a token bucket of `perSecond` tokens
 * per second with a burst of max(1, perSecond) tokens. `perSecond` 0 or less means unlimited.
 */
export function createRateLimiter(perSecond: number, now: () => number = Date.now): RateLimiter {
  let rate = perSecond;
  let tat = 0; // theoretical arrival time, ms
  return {
    acquire(maxWaitMs, signal) {
      if (rate <= 0) return Promise.resolve();
      const t = now();
      const interval = 1000 / rate;
      const tolerance = interval * (Math.max(1, rate) - 1);
      const start = Math.max(tat, t);
      const wait = start - tolerance - t;
      if (wait > maxWaitMs) return Promise.reject(new LimitWaitError('rate'));
      tat = start + interval;
      if (wait <= 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, wait);
        const onAbort = () => {
          clearTimeout(timer);
          reject(new LimitWaitError('rate'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    setRate(n) {
      rate = n;
    },
  };
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 50, capMs: 1_000 };

/**
 * Delay before retry number `attempt` (0 = first retry): exponential, capped, with "equal jitter"
 * (half fixed, half random) so that retries from many callers spread out without collapsing to zero
 * (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = defaultBackoff,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

/** setTimeout as a promise that rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
