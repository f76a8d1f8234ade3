import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CatalogKind } from '../catalog/catalog.schema.ts';
import { seedCatalog } from '../test/catalog.ts';
import { createTestDb, type TestDb } from '../test/db.ts';
import { testUscc } from '../ingest/fixtures/files.ts';
import { canonicalJson } from './canonical.ts';
import { createHash } from 'node:crypto';
import { canonicalEntry } from '../ledger/canonical.ts';
import { leafHashBase64, treeHasher } from '../ledger/hash.ts';
import { leafHashOfTextBase64 } from '../ledger/ledger-queue.ts';
import { applyRows, naturalKeyOf, recordVersionEntryText, type StoreRow } from './record-store.service.ts';
import { analyzeRecordStoreIfGrown, listRecordHistory, findRecordId } from './records.repository.ts';
import { sql } from 'kysely';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ANALYZE_AFTER_ROWS, ingestRows } from '../ingest/ingest.service.ts';
import { loadConfig } from '../config/config.ts';
import { createCatalogService } from '../catalog/catalog.service.ts';

describe('record store (applyRows)', () => {
  let t: TestDb;
  let kind: CatalogKind;
  before(async () => {
    t = await createTestDb();
    const catalog = await seedCatalog(t.db);
    kind = catalog.kinds.find((k) => k.code === 'admin_penalty')!;
  });
  after(() => t.close());

  const data = (n: number, fine: number) => ({
    authority_name: '郑州市市场监督管理局',
    decided_on: '2024-03-05',
    fine_amount: fine,
    name: `郑州市第${n}商贸有限公司`,
    penalty_decision_no: `A-${n}`,
    uscc: testUscc(n),
  });
  const apply = (rows: StoreRow[], providerId = 'ndrc') =>
    t.db
      .transaction()
      .execute((trx) => applyRows(trx, { kind, providerId, batchId: null, catalogVersion: 1, rows }));

  it('applies rows of one record within a chunk in order: create, unchanged, update', async () => {
    const r = await apply([
      { row: 2, data: data(1, 1) },
      { row: 3, data: data(1, 1) },
      { row: 4, data: data(1, 2) },
    ]);
    assert.equal(r.accepted, 2);
    assert.equal(r.unchanged, 1);
    assert.deepEqual(
      r.results.map((x) => [x.row, x.result, x.version]),
      [
        [2, 'created', 1],
        [3, 'unchanged', 1],
        [4, 'updated', 2],
      ],
    );
    const id = await findRecordId(t.db, testUscc(1), 'admin_penalty', naturalKeyOf(kind, data(1, 1)));
    const history = await listRecordHistory(t.db, id!);
    assert.deepEqual(
      history.map((h) => [h.version, h.op, h.data.fine_amount]),
      [
        [1, 'create', 1],
        [2, 'update', 2],
      ],
    );
  });

  it('the digest is of canonical JSON: key order does not make a new version', async () => {
    const d = data(2, 5);
    await apply([{ row: 1, data: d }]);
    const reversed = Object.fromEntries(Object.entries(d).reverse());
    assert.equal(canonicalJson(reversed), canonicalJson(d));
    const r = await apply([{ row: 1, data: reversed }]);
    assert.equal(r.unchanged, 1);
  });

  it('refuses withdrawals without a reason, of unknown records, and changes by another provider', async () => {
    await apply([{ row: 1, data: data(3, 1) }]);
    const r = await apply([
      { row: 5, data: { uscc: testUscc(3), penalty_decision_no: 'A-3' }, op: 'withdraw' },
      { row: 6, data: { uscc: testUscc(3), penalty_decision_no: 'nope' }, op: 'withdraw', reason: '错报' },
    ]);
    assert.deepEqual(
      r.rejected.map((e) => [e.row, e.rule]),
      [
        [5, 'reason_required'],
        [6, 'record_not_found'],
      ],
    );
    const other = await apply([{ row: 9, data: data(3, 7) }], 'district_governments');
    assert.equal(other.rejected[0]!.rule, 'record_owner');
    const w = await apply([
      { row: 7, data: { uscc: testUscc(3), penalty_decision_no: 'A-3' }, op: 'withdraw', reason: '撤销' },
    ]);
    assert.equal(w.results[0]!.result, 'withdrawn');
    const again = await apply([{ row: 8, data: data(3, 1) }]);
    assert.equal(again.unchanged, 1, 'an identical re-send does not bring a withdrawn record back');
  });
});

describe('planner statistics after large batches (PGlite has no autovacuum)', () => {
  let t: TestDb;
  before(async () => {
    t = await createTestDb();
    await seedCatalog(t.db);
  });
  after(() => t.close());

  const versionsEstimate = async () =>
    Number(
      (
        await sql<{
          n: number;
        }>`SELECT reltuples AS n FROM pg_class WHERE oid = to_regclass('record_versions')`.execute(t.db)
      ).rows[0]!.n,
    );

  it('a batch of 10,000 rows into an unanalyzed store refreshes the statistics on PGlite; a small one later does not', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-analyze-'));
    const ctx = { db: t.db, config: { ...loadConfig({}), dataDir }, catalog: createCatalogService(t.db) };
    const rows = Array.from({ length: ANALYZE_AFTER_ROWS }, (_, i) => ({
      authority_name: '郑州市市场监督管理局',
      decided_on: '2024-03-05',
      name: `郑州市第${i % 500}商贸有限公司`,
      penalty_decision_no: `S-${i}`,
      uscc: testUscc(i % 500),
    }));
    const out = await ingestRows(ctx, { providerId: 'ndrc', kindCode: 'admin_penalty', rows, source: 'api' });
    assert.equal(out.accepted, ANALYZE_AFTER_ROWS);
    if (t.dialect === 'pglite') assert.equal(await versionsEstimate(), ANALYZE_AFTER_ROWS);
    // (PostgreSQL: autovacuum decides when; analyze here so that what follows holds on both.)
    assert.equal(await analyzeRecordStoreIfGrown(t.db, ANALYZE_AFTER_ROWS), true);
    assert.equal(await versionsEstimate(), ANALYZE_AFTER_ROWS);
    // Under a tenth more: no new ANALYZE (it costs ~1.4 s whatever the size).
    assert.equal(await analyzeRecordStoreIfGrown(t.db, 999), false);
    assert.equal(await analyzeRecordStoreIfGrown(t.db, 1_000), true);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('record version ledger entries', () => {
  it('the leaf hash sent as base64 is H(0x00 ‖ text) of RFC 9162 with SM3 and SHA-256', () => {
    const text = '{"payload":{"natural_key":"郑市监罚〔2024〕12号"},"v":1}';
    for (const alg of ['sm3', 'sha256'] as const) {
      assert.equal(leafHashBase64(alg, text), treeHasher(alg).hashLeaf(text).toString('base64'));
      assert.equal(
        leafHashBase64(alg, text),
        createHash(alg)
          .update(Buffer.concat([Buffer.from([0]), Buffer.from(text, 'utf8')]))
          .digest('base64'),
      );
    }
    assert.equal(leafHashOfTextBase64(text), leafHashBase64('sm3', text));
  });

  it('recordVersionEntryText is exactly the canonical entry (canonicalEntry) of the same facts', () => {
    for (const naturalKey of [
      'A-1',
      '郑市监罚〔2024〕12号',
      '["a\\"b","c\\\\d"]',
      'tab\tline\nsep\u2028end',
      '',
    ]) {
      const e = {
        versionId: 9007199254740,
        recordId: 12,
        uscc: '91410100MA00000001',
        kind: 'admin_penalty',
        naturalKey,
        version: 3,
        op: 'withdraw',
        status: 'withdrawn',
        dataDigest: 'ab'.repeat(32),
        catalogVersion: 2,
      };
      assert.equal(
        recordVersionEntryText(e),
        canonicalEntry({
          entryType: 'record_version',
          refTable: 'record_versions',
          refId: String(e.versionId),
          uscc: e.uscc,
          payload: {
            record_id: e.recordId,
            uscc: e.uscc,
            kind: e.kind,
            natural_key: e.naturalKey,
            version: e.version,
            op: e.op,
            status: e.status,
            data_digest: e.dataDigest,
            catalog_version: e.catalogVersion,
          },
        }),
      );
    }
  });
});
