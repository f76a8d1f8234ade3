import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../test/app.ts';
import { verifyCheckpoint } from './checkpoint.ts';
import { treeHasher } from './hash.ts';
import { createLedgerService } from './ledger.service.ts';
import { verifyInclusion } from './merkle.ts';
import { verifyBundle } from './verify-offline.ts';
import { ingestDebtors } from './fixtures.ts';

// The options: SHA-256 tree and Ed25519 signatures, chosen by the environment (this file runs in its
// own process, so the settings do not leak into other tests).
process.env.LEDGER_HASH = 'sha256';
process.env.LEDGER_SIGNING = 'ed25519';
process.env.LEDGER_CITY = 'pingdingshan';

describe('ledger with LEDGER_HASH=sha256 and LEDGER_SIGNING=ed25519', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await ingestDebtors(t.ctx, 9);
    await t.ctx.ledger.sequenceNow();
  });
  after(() => t.close());

  it('builds a SHA-256 tree and signs Ed25519 checkpoints', async () => {
    const cp = await t.ctx.ledger.latestCheckpoint();
    assert.equal(cp.hashAlgorithm, 'sha256');
    assert.equal(cp.signatureAlgorithm, 'ed25519');
    assert.match(cp.note, /^xinrong\.ledger\/pingdingshan\n/);
    assert.match(cp.note, /\nhash sha256\n/);
    const key = t.ctx.ledger.publicKey();
    assert.equal(key.algorithm, 'ed25519');
    assert.equal(key.userId, null);
    assert.ok(verifyCheckpoint(cp.note, key).ok);
    const h = treeHasher('sha256');
    const e = await t.ctx.ledger.entry(2);
    assert.equal(h.hashLeaf(e.canonical).toString('base64'), e.leafHash);
    const p = await t.ctx.ledger.inclusionProof(2);
    const b = (s: string) => Buffer.from(s, 'base64');
    assert.ok(verifyInclusion(h, 2, cp.treeSize, b(p.leafHash), p.proof.map(b), b(cp.rootHash)));
    assert.equal(verifyBundle(await t.ctx.ledger.bundle(2), key).valid, true);
    const report = await t.ctx.ledger.verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.hashAlgorithm, 'sha256');
  });

  it('refuses to sequence from a process configured with another hash', async () => {
    const other = createLedgerService({ db: t.db, config: t.ctx.config, ledger: { hashAlgorithm: 'sm3' } });
    await assert.rejects(
      other.sequenceNow(),
      /the ledger uses sha256, this process is configured with LEDGER_HASH=sm3/,
    );
  });
});
