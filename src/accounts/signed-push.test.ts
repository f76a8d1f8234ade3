import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedCatalog } from '../test/catalog.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { countRows } from '../test/db.ts';
import { createSigner, ensureProvider, testUscc } from './accounts.testing.ts';

/**
 * A provider system pushes a batch with a signed request (the real ingestion path): the ID number
 * it sends is stored encrypted, and a body altered after signing is refused without applying rows.
 */
describe('signed provider push', () => {
  let t: TestApp;
  const uscc = testUscc(41);
  const id = '410102198501012345';

  before(async () => {
    t = await createTestApp();
    await seedCatalog(t.db);
    await ensureProvider(t.ctx, 'ndrc');
  });
  after(() => t.close());

  const rows = (n: number) =>
    JSON.stringify(
      Array.from({ length: n }, (_, i) => ({
        name: '郑州签名推送有限公司',
        uscc,
        legal_rep_name: '周八',
        legal_rep_id_type: '身份证',
        legal_rep_id_number: id,
        penalty_decision_no: `郑发改罚〔2026〕${i + 1}号`,
        decided_on: '2026-03-01',
        authority_name: '郑州市发展和改革委员会',
      })),
    );

  it('stores the pushed ID numbers encrypted', async () => {
    const signer = await createSigner(t.ctx, 'ndrc', 'HMAC-SM3');
    const url = '/api/v1/batches?kind=admin_penalty';
    const body = rows(2);
    const res = await t.inject({
      method: 'POST',
      url,
      headers: signer.sign('POST', url, body),
      payload: body,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().accepted, 2, res.body);
    const stored = await t.db
      .selectFrom('record_versions')
      .select('data')
      .where('kind_code', '=', 'admin_penalty')
      .execute();
    assert.equal(stored.length, 2);
    for (const r of stored) assert.ok(!JSON.stringify(r.data).includes(id), 'no plaintext ID number at rest');
  });

  it('refuses a body altered after signing and applies nothing', async () => {
    const signer = await createSigner(t.ctx, 'ndrc');
    const url = '/api/v1/batches?kind=admin_penalty';
    const before = await countRows(t.db, 'record_versions');
    const signed = rows(1);
    const altered = signed.replace('周八', '周九');
    const res = await t.inject({
      method: 'POST',
      url,
      headers: signer.sign('POST', url, signed),
      payload: altered,
    });
    assert.equal(res.statusCode, 401, res.body);
    assert.equal(res.json().code, 'body_digest_mismatch');
    assert.equal(await countRows(t.db, 'record_versions'), before);
  });
});
