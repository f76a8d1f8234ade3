import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { hmacSm3, sm4Ctr, sm4EncryptBlock, sm4ExpandKey } from './sm4.ts';

describe('SM4 and HMAC-SM3', () => {
  it('matches the GB/T 32907-2016 example (one block and 1,000,000 rounds)', () => {
    const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    const rk = sm4ExpandKey(key);
    const out = new Uint8Array(16);
    sm4EncryptBlock(rk, key, 0, out);
    assert.equal(Buffer.from(out).toString('hex'), '681edf34d206965e86b3e94f536e4246');
    let block: Uint8Array = Uint8Array.from(key);
    for (let i = 0; i < 1_000_000; i++) {
      const next = new Uint8Array(16);
      sm4EncryptBlock(rk, block, 0, next);
      block = next;
    }
    assert.equal(Buffer.from(block).toString('hex'), '595298c7c6fd271f0402f804c33d3f66');
  });

  it('agrees with OpenSSL’s sm4-ctr and HMAC-SM3 on random inputs', () => {
    for (let i = 0; i < 200; i++) {
      const key = randomBytes(16);
      const iv = randomBytes(16);
      if (i === 0) iv.fill(0xff); // counter wrap-around
      const data = randomBytes(i % 70);
      const c = createCipheriv('sm4-ctr', key, iv);
      const expected = Buffer.concat([c.update(data), c.final()]);
      assert.deepEqual(sm4Ctr(sm4ExpandKey(key), iv, data), expected);
      const hk = randomBytes(i % 2 ? 32 : 80);
      assert.deepEqual(hmacSm3(hk)(data), createHmac('sm3', hk).update(data).digest());
    }
  });
});
