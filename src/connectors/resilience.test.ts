import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backoffDelay,
  createCircuitBreaker,
  createRateLimiter,
  createSemaphore,
  LimitWaitError,
} from './resilience.ts';

describe('circuit breaker', () => {
  it('opens after N consecutive failures, probes once after the cooldown, closes on success', () => {
    let t = 1_000;
    const b = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 500, now: () => t });
    for (let i = 0; i < 2; i++) {
      assert.ok(b.tryAcquire());
      b.onFailure();
    }
    assert.equal(b.snapshot().state, 'closed');
    assert.ok(b.tryAcquire());
    b.onFailure();
    assert.equal(b.snapshot().state, 'open');
    assert.equal(b.snapshot().retryAt, 1_500);
    assert.equal(b.tryAcquire(), false, 'open: calls are refused');
    t += 499;
    assert.equal(b.tryAcquire(), false, 'still cooling down');
    t += 1;
    assert.equal(b.tryAcquire(), true, 'cooldown over: one probe');
    assert.equal(b.snapshot().state, 'half_open');
    assert.equal(b.tryAcquire(), false, 'only one probe at a time');
    b.onSuccess();
    assert.equal(b.snapshot().state, 'closed');
    assert.ok(b.tryAcquire());
  });

  it('reopens when the half-open probe fails', () => {
    let t = 0;
    const b = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 100, now: () => t });
    b.onFailure();
    assert.equal(b.snapshot().state, 'open');
    t = 100;
    assert.ok(b.tryAcquire());
    b.onFailure();
    assert.equal(b.snapshot().state, 'open');
    assert.equal(b.tryAcquire(), false);
    assert.equal(b.snapshot().retryAt, 200);
  });

  it('opens on the error rate even without a long run of consecutive failures', () => {
    const b = createCircuitBreaker({
      failureThreshold: 100,
      errorRateThreshold: 0.5,
      windowSize: 10,
      minCalls: 10,
    });
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 1) b.onFailure();
      else b.onSuccess();
    }
    assert.equal(b.snapshot().state, 'open');
  });

  it('does not open below the minimum number of calls', () => {
    const b = createCircuitBreaker({ failureThreshold: 100, errorRateThreshold: 0.5, minCalls: 10 });
    b.onFailure();
    b.onFailure();
    assert.equal(b.snapshot().state, 'closed');
  });
});

describe('semaphore', () => {
  it('lets `limit` holders in, queues the rest in order, and gives up on abort', async () => {
    const s = createSemaphore(2);
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const order: number[] = [];
    const p3 = s.acquire().then((r) => {
      order.push(3);
      return r;
    });
    const ac = new AbortController();
    const p4 = s.acquire(ac.signal);
    const p5 = s.acquire().then((r) => {
      order.push(5);
      return r;
    });
    assert.equal(s.waiting, 3);
    ac.abort();
    await assert.rejects(p4, LimitWaitError);
    r1();
    r1(); // releasing twice frees one slot only
    const r3 = await p3;
    assert.deepEqual(order, [3]);
    assert.equal(s.inUse, 2);
    r2();
    const r5 = await p5;
    assert.deepEqual(order, [3, 5]);
    r3();
    r5();
    assert.equal(s.inUse, 0);
  });
});

describe('rate limiter', () => {
  it('allows a burst of `rate` tokens, then refuses waits longer than the budget', async () => {
    let t = 0;
    const r = createRateLimiter(2, () => t);
    await r.acquire(0);
    await r.acquire(0);
    await assert.rejects(r.acquire(100), LimitWaitError, 'third token needs a 500 ms wait');
    t = 500;
    await r.acquire(0);
  });

  it('is unlimited at rate 0', async () => {
    const r = createRateLimiter(0);
    for (let i = 0; i < 1000; i++) await r.acquire(0);
  });
});

describe('backoff', () => {
  it('grows exponentially, stays within [ceiling/2, ceiling] and is capped', () => {
    const opts = { baseMs: 100, capMs: 1_000 };
    assert.equal(
      backoffDelay(0, opts, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(0, opts, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(2, opts, () => 0),
      200,
    );
    assert.equal(
      backoffDelay(10, opts, () => 1),
      1_000,
    );
  });
});
