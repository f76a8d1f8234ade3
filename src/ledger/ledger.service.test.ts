import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../test/app.ts';
import { verifyCheckpoint } from './checkpoint.ts';
import { treeHasher } from './hash.ts';
import { enqueueLedgerEntries } from './ledger-queue.ts';
import { verifyConsistency, verifyInclusion } from './merkle.ts';
import { verifyBundle } from './verify-offline.ts';
import { ingestDebtors } from './fixtures.ts';

const b = (s: string) => Buffer.from(s, 'base64');

describe('ledger: sequencing, checkpoints, proofs', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('signs an empty checkpoint on first run, then sequences ingested record versions gap-free', async () => {
    const first = await t.ctx.ledger.sequenceNow();
    // The seed catalog import may already have queued its own entry.
    const base = first.treeSize;
    assert.ok(first.checkpoint, 'a first checkpoint is signed');
    await ingestDebtors(t.ctx, 40);
    const r = await t.ctx.ledger.sequenceNow();
    assert.equal(r.recomputed, 0);
    assert.ok(r.treeSize >= base + 40);
    assert.equal(r.checkpoint?.treeSize, r.treeSize);
    // Every queued entry has exactly one leaf index, and the indexes are 0..n-1.
    const rows = await t.db
      .selectFrom('ledger_entries')
      .select(['id', 'leaf_index'])
      .orderBy('leaf_index')
      .execute();
    assert.equal(rows.length, r.treeSize);
    assert.deepEqual(
      rows.map((x) => Number(x.leaf_index)),
      rows.map((_, i) => i),
    );
    // Nothing more to do: a second run adds nothing and signs nothing.
    const again = await t.ctx.ledger.sequenceNow();
    assert.equal(again.sequenced, 0);
    assert.equal(again.checkpoint, undefined);
  });

  it('publishes a checkpoint signed with the published key', async () => {
    const cp = await t.ctx.ledger.latestCheckpoint();
    const key = t.ctx.ledger.publicKey();
    assert.equal(key.algorithm, 'sm2');
    assert.equal(key.userId, '1234567812345678');
    assert.match(key.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
    const v = verifyCheckpoint(cp.note, key);
    assert.ok(v.ok);
    assert.equal(v.value.treeSize, cp.treeSize);
    assert.equal(Buffer.from(v.value.rootHash).toString('base64'), cp.rootHash);
    assert.equal(cp.note.split('\n')[0], 'xinrong.ledger/zhengzhou');
  });

  it('serves inclusion proofs that verify against the signed root, for every leaf', async () => {
    const cp = await t.ctx.ledger.latestCheckpoint();
    const h = treeHasher('sm3');
    for (let i = 0; i < cp.treeSize; i++) {
      const p = await t.ctx.ledger.inclusionProof(i);
      const e = await t.ctx.ledger.entry(i);
      assert.equal(p.leafHash, e.leafHash);
      assert.equal(h.hashLeaf(e.canonical).toString('base64'), e.leafHash);
      assert.ok(
        verifyInclusion(h, i, cp.treeSize, b(p.leafHash), p.proof.map(b), b(cp.rootHash)),
        `leaf ${i}`,
      );
    }
  });

  it('serves consistency proofs between checkpoints', async () => {
    const before = await t.ctx.ledger.latestCheckpoint();
    await ingestDebtors(t.ctx, 7, 1000);
    await t.ctx.ledger.sequenceNow();
    const now = await t.ctx.ledger.latestCheckpoint();
    assert.equal(now.treeSize, before.treeSize + 7);
    const h = treeHasher('sm3');
    const c = await t.ctx.ledger.consistencyProof(before.treeSize, now.treeSize);
    assert.equal(c.fromRoot, before.rootHash);
    assert.equal(c.toRoot, now.rootHash);
    assert.ok(
      verifyConsistency(
        h,
        before.treeSize,
        now.treeSize,
        c.proof.map(b),
        b(before.rootHash),
        b(now.rootHash),
      ),
    );
  });

  it('finds the leaf of a record version, and builds a bundle that verifies offline', async () => {
    const rv = await t.db.selectFrom('record_versions').select('id').orderBy('id').limit(3).execute();
    const map = await t.ctx.ledger.leafIndexesFor(
      'record_versions',
      rv.map((r) => r.id),
    );
    assert.equal(map.size, 3);
    const idx = await t.ctx.ledger.leafIndexFor('record_versions', rv[1]!.id);
    assert.equal(idx, map.get(String(rv[1]!.id)));
    const e = await t.ctx.ledger.entry(idx!);
    assert.equal(e.refTable, 'record_versions');
    assert.equal(e.refId, String(rv[1]!.id));
    assert.equal(e.entryType, 'record_version');
    // The entry carries the digest of the data, not the data.
    assert.match(String(e.payload.data_digest), /^[0-9a-f]{64}$/);
    assert.equal(JSON.stringify(e.payload).includes('商贸有限公司'), false);
    const bundle = await t.ctx.ledger.bundleFor('record_versions', rv[1]!.id);
    const key = t.ctx.ledger.publicKey();
    const v = verifyBundle(JSON.parse(JSON.stringify(bundle)), key);
    assert.equal(v.valid, true, v.message.en);
    assert.equal(v.entry?.refId, String(rv[1]!.id));
  });

  it('recomputes a queued leaf hash that does not match its entry (a row written behind its back)', async () => {
    await t.db.transaction().execute(async (trx) => {
      await enqueueLedgerEntries(trx, [
        { entryType: 'report', refTable: 'test_refs', refId: 'r-1', uscc: null, payload: { digest: 'aa' } },
      ]);
      await sql`UPDATE ledger_queue SET leaf_hash = decode(repeat('00', 32), 'hex') WHERE ref_id = 'r-1'`.execute(
        trx,
      );
    });
    const r = await t.ctx.ledger.sequenceNow();
    assert.equal(r.sequenced, 1);
    assert.equal(r.recomputed, 1);
    const report = await t.ctx.ledger.verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });

  it('verifies the whole log', async () => {
    const report = await t.ctx.ledger.verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.leavesChecked, report.treeSize);
    assert.ok(report.checkpointsChecked >= 3);
    assert.equal(report.pending, 0);
  });

  it('refuses proofs outside the tree with bilingual errors', async () => {
    const cp = await t.ctx.ledger.latestCheckpoint();
    await assert.rejects(t.ctx.ledger.inclusionProof(cp.treeSize), { code: 'ledger_index_out_of_range' });
    await assert.rejects(t.ctx.ledger.inclusionProof(0, cp.treeSize + 5), { code: 'ledger_size_invalid' });
    await assert.rejects(t.ctx.ledger.consistencyProof(cp.treeSize + 1, cp.treeSize), {
      code: 'ledger_size_invalid',
    });
    await assert.rejects(t.ctx.ledger.entry(-1), { code: 'ledger_index_out_of_range' });
  });
});
