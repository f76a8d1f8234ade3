import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { leafHashBase64 } from './hash.ts';
import { leafHashesBase64, stopLeafHashWorker, WORKER_MIN_ENTRIES } from './leaf-hash-worker.ts';

describe('leaf hashes on the worker thread', () => {
  after(() => stopLeafHashWorker());

  const texts = (n: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        `{"payload":{"natural_key":"郑市监罚〔2024〕${i}号","version":${i % 3}},"ref":{"id":"${i}","table":"record_versions"},"type":"record_version","uscc":null,"v":1}`,
    );

  for (const alg of ['sm3', 'sha256'] as const) {
    it(`a chunk hashed on the worker equals the same leaves hashed here, in order (${alg})`, async () => {
      const t = texts(WORKER_MIN_ENTRIES * 3 + 7);
      assert.deepEqual(
        await leafHashesBase64(alg, t),
        t.map((x) => leafHashBase64(alg, x)),
      );
    });
  }

  it('several chunks in flight at once each get their own hashes', async () => {
    const sets = [texts(500), texts(800).reverse(), texts(300).map((x) => `${x} `)];
    const got = await Promise.all(sets.map((s) => leafHashesBase64('sm3', s)));
    for (const [k, s] of sets.entries()) {
      assert.deepEqual(
        got[k],
        s.map((x) => leafHashBase64('sm3', x)),
      );
    }
  });

  it('texts holding a raw newline (never canonical JSON) and small sets are hashed here, correctly', async () => {
    const t = texts(WORKER_MIN_ENTRIES);
    t[5] = 'two\nlines';
    assert.deepEqual(
      await leafHashesBase64('sm3', t),
      t.map((x) => leafHashBase64('sm3', x)),
    );
    assert.deepEqual(await leafHashesBase64('sm3', ['a']), [leafHashBase64('sm3', 'a')]);
  });
});
