import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../test/app.ts';
import { canonicalJson } from './canonical.ts';
import { checkpointText, signNote } from './checkpoint.ts';
import { treeHasher } from './hash.ts';
import { upsertTiles } from './ledger.repository.ts';
import type { VerifyProblemKind, VerifyReport } from './ledger-verify.ts';
import { generateKeyPair, signerFromKeyPair } from './signing.ts';
import { appendToTiles } from './tiles.ts';
import { ingestDebtors } from './fixtures.ts';

// Changes made behind the application's back, with real SQL, each followed by `verify`, which must
// name the first bad leaf and the record behind it; then the change is undone and the log verifies.

describe('ledger verify catches tampering', () => {
  let t: TestApp;
  let rvIds: number[];
  const leafOf = new Map<number, number>();

  before(async () => {
    t = await createTestApp();
    await ingestDebtors(t.ctx, 20);
    await t.ctx.ledger.sequenceNow();
    await ingestDebtors(t.ctx, 20, 100);
    await t.ctx.ledger.sequenceNow();
    rvIds = (await t.db.selectFrom('record_versions').select('id').orderBy('id').execute()).map((r) =>
      Number(r.id),
    );
    for (const [id, leaf] of await t.ctx.ledger.leafIndexesFor('record_versions', rvIds)) {
      leafOf.set(Number(id), leaf);
    }
    assert.equal(leafOf.size, 40);
  });
  after(() => t.close());

  async function verifyOk() {
    const r = await t.ctx.ledger.verify();
    assert.equal(r.ok, true, JSON.stringify(r.problems, null, 1));
    return r;
  }

  function expectProblem(r: VerifyReport, kind: VerifyProblemKind, leaf?: number) {
    assert.equal(r.ok, false, 'verify must fail');
    const p = r.problems.find((x) => x.kind === kind);
    assert.ok(p, `expected a ${kind} problem, got ${JSON.stringify(r.problems)}`);
    assert.ok(p.message.zh && p.message.en);
    if (leaf !== undefined) {
      assert.equal(p.leafIndex, leaf);
      assert.equal(r.firstBadLeaf?.leafIndex, leaf, `first bad leaf: ${JSON.stringify(r.firstBadLeaf)}`);
    }
    return p;
  }

  const queueIdOf = async (refId: number) =>
    Number(
      (
        await sql<{
          id: number;
        }>`SELECT id FROM ledger_queue WHERE ref_table = 'record_versions' AND ref_id = ${String(refId)}`.execute(
          t.db,
        )
      ).rows[0]!.id,
    );

  it('the untouched log verifies', async () => {
    const r = await verifyOk();
    assert.ok(r.treeSize >= 40);
  });

  it('an UPDATE of a record version’s data', async () => {
    const id = rvIds[7]!;
    const orig = await sql<{
      data: string;
    }>`SELECT data::text AS data FROM record_versions WHERE id = ${id}`.execute(t.db);
    await sql`UPDATE record_versions SET data = jsonb_set(data, '{performance}', '"全部履行"') WHERE id = ${id}`.execute(
      t.db,
    );
    const r = await t.ctx.ledger.verify();
    const p = expectProblem(r, 'source_mismatch', leafOf.get(id));
    assert.equal(p.refTable, 'record_versions');
    assert.equal(p.refId, String(id));
    assert.equal(r.firstBadLeaf?.refId, String(id));
    assert.match(p.message.en, /data digest/);
    await sql`UPDATE record_versions SET data = ${orig.rows[0]!.data}::jsonb WHERE id = ${id}`.execute(t.db);
    await verifyOk();
  });

  it('an UPDATE of the data together with its digest, and then of the ledger entry as well', async () => {
    const id = rvIds[11]!;
    const orig = await sql<{ data: string; data_digest: string }>`
      SELECT data::text AS data, data_digest FROM record_versions WHERE id = ${id}`.execute(t.db);
    const data = { ...JSON.parse(orig.rows[0]!.data), performance: '全部履行' };
    const digest = createHash('sha256').update(canonicalJson(data)).digest('hex');
    await sql`UPDATE record_versions SET data = ${JSON.stringify(data)}::jsonb, data_digest = ${digest} WHERE id = ${id}`.execute(
      t.db,
    );
    // A version's entry is the version row's own facts (decision 0123): the new digest changes the
    // entry, which no longer matches its leaf.
    const leafProblem = expectProblem(await t.ctx.ledger.verify(), 'leaf_hash', leafOf.get(id));
    assert.equal(leafProblem.refId, String(id));

    // The attacker stores the old facts as the entry's own payload, so that the leaf matches again:
    // the sources check sees that the row no longer carries them.
    await sql`UPDATE ledger_queue SET payload = json_build_object('catalog_version', v.catalog_version,
        'data_digest', ${orig.rows[0]!.data_digest}::text, 'kind', v.kind_code, 'natural_key', r.natural_key,
        'op', v.op, 'record_id', v.record_id, 'status', v.status, 'uscc', v.uscc, 'version', v.version)
      FROM record_versions v JOIN records r ON r.id = v.record_id
      WHERE v.id = ${id} AND ledger_queue.ref_table = 'record_versions' AND ledger_queue.ref_id = ${String(id)}`.execute(
      t.db,
    );
    const p = expectProblem(await t.ctx.ledger.verify(), 'source_mismatch', leafOf.get(id));
    assert.match(p.message.en, /data_digest changed/);

    await sql`UPDATE ledger_queue SET payload = NULL
      WHERE ref_table = 'record_versions' AND ref_id = ${String(id)}`.execute(t.db);
    await sql`UPDATE record_versions SET data = ${orig.rows[0]!.data}::jsonb, data_digest = ${orig.rows[0]!.data_digest}
      WHERE id = ${id}`.execute(t.db);
    await verifyOk();
  });

  it('a DELETE of a record version', async () => {
    const id = rvIds[3]!;
    await sql`CREATE TABLE tamper_rv AS SELECT * FROM record_versions WHERE id = ${id}`.execute(t.db);
    await sql`DELETE FROM record_versions WHERE id = ${id}`.execute(t.db);
    const p = expectProblem(await t.ctx.ledger.verify(), 'source_missing', leafOf.get(id));
    assert.equal(p.refId, String(id));
    assert.match(p.message.en, /no longer exists/);
    await sql`INSERT INTO record_versions SELECT * FROM tamper_rv`.execute(t.db);
    await sql`DROP TABLE tamper_rv`.execute(t.db);
    await verifyOk();
  });

  it('a DELETE of a ledger entry', async () => {
    const id = rvIds[25]!;
    const qid = await queueIdOf(id);
    await sql`CREATE TABLE tamper_q AS SELECT * FROM ledger_queue WHERE id = ${qid}`.execute(t.db);
    await sql`DELETE FROM ledger_queue WHERE id = ${qid}`.execute(t.db);
    const p = expectProblem(await t.ctx.ledger.verify(), 'entry_missing', leafOf.get(id));
    assert.equal(p.entryId, qid);
    await sql`INSERT INTO ledger_queue SELECT * FROM tamper_q`.execute(t.db);
    await sql`DROP TABLE tamper_q`.execute(t.db);
    await verifyOk();
  });

  it('two entries swapped', async () => {
    const [a, b] = [rvIds[5]!, rvIds[30]!];
    const [qa, qb] = [await queueIdOf(a), await queueIdOf(b)];
    const swap = async (x: number, y: number) => {
      await sql`UPDATE ledger_queue q SET ref_id = o.ref_id, payload = o.payload, uscc = o.uscc, leaf_hash = o.leaf_hash
        FROM ledger_queue o WHERE (q.id, o.id) IN ((${x}::bigint, ${y}::bigint), (${y}::bigint, ${x}::bigint))`.execute(
        t.db,
      );
    };
    await swap(qa, qb);
    const r = await t.ctx.ledger.verify();
    const first = Math.min(leafOf.get(a)!, leafOf.get(b)!);
    expectProblem(r, 'leaf_hash', first);
    assert.equal(r.problems.filter((p) => p.kind === 'leaf_hash').length, 2);
    await swap(qa, qb);
    await verifyOk();
  });

  it('a record version inserted by hand', async () => {
    const r0 = await sql<{ id: number }>`
      INSERT INTO record_versions (record_id, uscc, kind_code, version, op, status, data, data_digest, catalog_version, provider_id)
      SELECT record_id, uscc, kind_code, version + 1, 'update', status, data, data_digest, catalog_version, provider_id
      FROM record_versions WHERE id = ${rvIds[0]!} RETURNING id`.execute(t.db);
    const fake = Number(r0.rows[0]!.id);
    const r = await t.ctx.ledger.verify();
    const p = expectProblem(r, 'source_unlogged');
    assert.equal(p.refId, String(fake));
    assert.match(p.message.en, /no ledger entry/);
    await sql`DELETE FROM record_versions WHERE id = ${fake}`.execute(t.db);
    await verifyOk();
  });

  it('a stored tree node changed', async () => {
    const leaf = leafOf.get(rvIds[2]!)!;
    const orig = await sql<{
      h: string;
    }>`SELECT encode(hashes, 'hex') AS h FROM ledger_tiles WHERE level = 0 AND idx = 0`.execute(t.db);
    const hex = orig.rows[0]!.h;
    const changed = hex.slice(0, leaf * 64) + 'ff'.repeat(32) + hex.slice(leaf * 64 + 64);
    await sql`UPDATE ledger_tiles SET hashes = decode(${changed}, 'hex') WHERE level = 0 AND idx = 0`.execute(
      t.db,
    );
    expectProblem(await t.ctx.ledger.verify(), 'leaf_hash', leaf);
    await sql`UPDATE ledger_tiles SET hashes = decode(${hex}, 'hex') WHERE level = 0 AND idx = 0`.execute(
      t.db,
    );
    await verifyOk();
  });

  it('a stored inner node of a full tile changed', async () => {
    // 300 more entries so that tile 0 is full and carries its inner nodes.
    await ingestDebtors(t.ctx, 300, 2000);
    await t.ctx.ledger.sequenceNow();
    const orig = await sql<{ h: string | null }>`
      SELECT encode(inner_hashes, 'hex') AS h FROM ledger_tiles WHERE level = 0 AND idx = 0`.execute(t.db);
    const hex = orig.rows[0]!.h!;
    assert.equal(hex.length, 30 * 64);
    await sql`UPDATE ledger_tiles SET inner_hashes = decode(${'00'.repeat(32) + hex.slice(64)}, 'hex')
      WHERE level = 0 AND idx = 0`.execute(t.db);
    const r = await t.ctx.ledger.verify();
    const p = expectProblem(r, 'tile');
    assert.equal(p.leafIndex, 0); // the first sub-level-4 node covers leaves 0–15
    await sql`UPDATE ledger_tiles SET inner_hashes = decode(${hex}, 'hex') WHERE level = 0 AND idx = 0`.execute(
      t.db,
    );
    await verifyOk();
  });

  it('a forged checkpoint', async () => {
    const cp = await t.ctx.ledger.latestCheckpoint();
    const forger = generateKeyPair('sm2');
    const note = signNote(
      checkpointText({
        origin: cp.origin,
        treeSize: cp.treeSize,
        rootHash: Buffer.alloc(32, 7),
        timestamp: new Date().toISOString(),
        hashAlgorithm: 'sm3',
      }),
      cp.keyName,
      signerFromKeyPair(forger),
    );
    await sql`INSERT INTO ledger_checkpoints (tree_size, root_hash, hash_alg, signed_at, key_name, key_id, signature_alg, note)
      VALUES (${cp.treeSize}, ${Buffer.alloc(32, 7).toString('base64')}, 'sm3', now(), ${cp.keyName}, ${cp.keyId}, 'sm2', ${note})`.execute(
      t.db,
    );
    const p = expectProblem(await t.ctx.ledger.verify(), 'checkpoint_signature');
    assert.match(p.message.en, /forged/);
    // An edited copy of a genuine note (root changed, signature kept) fails the same way.
    await sql`UPDATE ledger_checkpoints SET note = ${cp.note.replace(cp.rootHash, Buffer.alloc(32, 8).toString('base64'))}
      WHERE note = ${note}`.execute(t.db);
    expectProblem(await t.ctx.ledger.verify(), 'checkpoint_signature');
    await sql`DELETE FROM ledger_checkpoints WHERE key_id = ${cp.keyId} AND root_hash = ${Buffer.alloc(32, 7).toString('base64')}`.execute(
      t.db,
    );
    await verifyOk();
  });

  it('entries, record and every stored tree node rewritten consistently: only the signed roots catch it', async () => {
    const id = rvIds[33]!;
    const leaf = leafOf.get(id)!;
    const h = treeHasher('sm3');
    const rebuildTiles = async () => {
      const size = (await t.ctx.ledger.status()).treeSize;
      const leaves: Buffer[] = [];
      for (let i = 0; i < size; i++) {
        leaves.push(Buffer.from((await t.ctx.ledger.entry(i)).leafHash, 'base64'));
      }
      await sql`DELETE FROM ledger_tiles`.execute(t.db);
      await upsertTiles(t.db, appendToTiles(h, 0, new Map(), leaves));
    };
    const orig = await sql<{ data: string; data_digest: string }>`
      SELECT data::text AS data, data_digest FROM record_versions WHERE id = ${id}`.execute(t.db);
    const data = { ...JSON.parse(orig.rows[0]!.data), performance: '全部履行' };
    const digest = createHash('sha256').update(canonicalJson(data)).digest('hex');
    await sql`UPDATE record_versions SET data = ${JSON.stringify(data)}::jsonb, data_digest = ${digest} WHERE id = ${id}`.execute(
      t.db,
    );
    await sql`UPDATE ledger_queue SET payload = jsonb_set(payload::jsonb, '{data_digest}', to_jsonb(${digest}::text))::json, leaf_hash = NULL
      WHERE ref_table = 'record_versions' AND ref_id = ${String(id)}`.execute(t.db);
    await rebuildTiles();
    const r = await t.ctx.ledger.verify();
    assert.equal(r.ok, false);
    assert.deepEqual(
      [...new Set(r.problems.map((p) => p.kind))],
      ['checkpoint_root'],
      'entries, tiles and the record agree; the signatures do not',
    );
    const bad = r.firstBadLeaf!;
    assert.ok(bad.beforeTreeSize! > leaf && bad.leafIndex <= leaf, JSON.stringify(bad));

    await sql`UPDATE ledger_queue SET payload = jsonb_set(payload::jsonb, '{data_digest}', to_jsonb(${orig.rows[0]!.data_digest}::text))::json
      WHERE ref_table = 'record_versions' AND ref_id = ${String(id)}`.execute(t.db);
    await sql`UPDATE record_versions SET data = ${orig.rows[0]!.data}::jsonb, data_digest = ${orig.rows[0]!.data_digest}
      WHERE id = ${id}`.execute(t.db);
    await rebuildTiles();
    await verifyOk();
  });

  it('a ledger entry inserted by hand is sequenced, and names a record that does not exist', async () => {
    await sql`INSERT INTO ledger_queue (entry_type, ref_table, ref_id, uscc, payload)
      VALUES ('record_version', 'record_versions', '999999', ${'91410100MA00000001'}, '{"version":1}'::jsonb)`.execute(
      t.db,
    );
    const s = await t.ctx.ledger.sequenceNow();
    assert.equal(s.sequenced, 1);
    const leaf = s.treeSize - 1;
    const p = expectProblem(await t.ctx.ledger.verify(), 'source_missing', leaf);
    assert.equal(p.refId, '999999');
  });
});
