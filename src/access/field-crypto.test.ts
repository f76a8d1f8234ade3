import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeRecords, testUscc } from '../accounts/accounts.testing.ts';
import type { Catalog } from '../catalog/catalog.schema.ts';
import { findRecordIdsByLookupHash } from '../records/record-reads.repository.ts';
import { seedCatalog } from '../test/catalog.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { createFieldCrypto, isEncryptedValue } from './field-crypto.ts';
import { keyringFromMaster } from './keyring.ts';
import { maskIdNumber, maskName, maskPhone, maskValue } from './masking.ts';

describe('field encryption and masking', () => {
  let t: TestApp;
  let catalog: Catalog;
  const uscc = testUscc(31);
  const id = '41010219800101123X';

  before(async () => {
    t = await createTestApp();
    catalog = await seedCatalog(t.db);
    await storeRecords(t.ctx, catalog, 'admin_penalty', [
      {
        uscc,
        name: '测试公司',
        legal_rep_name: '孙七',
        legal_rep_id_number: id.toLowerCase(),
        penalty_decision_no: 'A1',
        decided_on: '2025-01-01',
      },
      {
        uscc,
        name: '测试公司',
        legal_rep_name: '孙七',
        legal_rep_id_number: id,
        penalty_decision_no: 'A2',
        decided_on: '2025-02-01',
      },
    ]);
  });
  after(() => t.close());

  it('keeps ID numbers encrypted in the database, deterministic and findable by keyed hash only', async () => {
    const rows = await t.db
      .selectFrom('record_versions')
      .select('data')
      .where('kind_code', '=', 'admin_penalty')
      .execute();
    const stored = rows.map(
      (r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data).legal_rep_id_number as string,
    );
    for (const v of stored) {
      assert.ok(isEncryptedValue(v), v);
      assert.ok(!v.includes('19800101'), 'no plaintext digits');
    }
    assert.equal(
      stored[0],
      stored[1],
      'same number, same stored text (natural keys and digests stay stable)',
    );
    assert.equal(t.ctx.fieldCrypto.decryptValue(stored[0]!), id);
    const found = await findRecordIdsByLookupHash(
      t.db,
      'admin_penalty',
      'legal_rep_id_number',
      t.ctx.fieldCrypto.lookupHash(id),
    );
    assert.equal(found.length, 2);
    assert.equal(
      (
        await findRecordIdsByLookupHash(
          t.db,
          'admin_penalty',
          'legal_rep_id_number',
          t.ctx.fieldCrypto.lookupHash('410102198001011234'),
        )
      ).length,
      0,
    );
  });

  it('refuses a tampered ciphertext and cannot be read with another master key', () => {
    const a = createFieldCrypto(keyringFromMaster(new Uint8Array(32).fill(1)));
    const b = createFieldCrypto(keyringFromMaster(new Uint8Array(32).fill(2)));
    const enc = a.encryptValue(id);
    assert.equal(a.decryptValue(enc), id);
    const body = enc.slice(enc.lastIndexOf(':') + 1);
    const bytes = Buffer.from(body, 'base64');
    bytes[20]! ^= 1;
    assert.throws(() => a.decryptValue(enc.slice(0, enc.lastIndexOf(':') + 1) + bytes.toString('base64')));
    assert.throws(() => b.decryptValue(enc));
    assert.notEqual(a.lookupHash(id), b.lookupHash(id));
  });

  it('masks in the usual Chinese display forms', () => {
    assert.equal(maskIdNumber('410102198001011234'), '410***********1234');
    assert.equal(maskPhone('13812345678'), '138****5678');
    assert.equal(maskName('张三'), '张*');
    assert.equal(maskName('欧阳娜娜'), '欧阳**');
    assert.equal(maskValue('uscc_or_id', '91410100MA0000031X'), '91410100MA0000031X');
    assert.equal(maskValue('uscc_or_id', '410102198001011234'), '410***********1234');
    assert.equal(maskValue('name', 42), null, 'no partial form for a number');
  });
});
