import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDb, countRows, type TestDb } from '../test/db.ts';
import { usccCheckChar } from '../shared/identifiers.ts';
import { ensureSubjects } from './subjects.service.ts';
import { findSubjectRow, listSubjectNames } from './subjects.repository.ts';

function uscc(first17: string): string {
  return first17 + usccCheckChar(first17);
}

describe('ensureSubjects', () => {
  let t: TestDb;
  before(async () => {
    t = await createTestDb();
  });
  after(async () => {
    await t.close();
  });

  it('creates a provisional subject from a record, then upgrades it from the registration record', async () => {
    const code = uscc('91410105MA44XK3Q1');
    await ensureSubjects(t.db, [{ uscc: code, name: '郑州华瑞科技有限公司' }], 'test');
    const provisional = await findSubjectRow(t.db, code);
    assert.ok(provisional);
    assert.equal(provisional.is_provisional, true);
    assert.equal(provisional.name, '郑州华瑞科技有限公司');
    assert.equal(provisional.subject_type, 'enterprise');
    assert.equal(provisional.region_code, '410105');
    assert.equal(provisional.legal_rep_name, null);
    assert.ok(provisional.name_bigrams.includes('科技'));
    assert.ok(provisional.name_bigrams.includes('华'));
    // a provisional subject has no registered name yet
    assert.deepEqual(await listSubjectNames(t.db, code), []);

    await ensureSubjects(
      t.db,
      [
        {
          uscc: code,
          name: '郑州市金水区华瑞科技有限公司',
          registration: {
            name: '郑州市金水区华瑞科技有限公司',
            subject_type: '有限责任公司(自然人投资或控股)',
            legal_rep_name: '张伟',
            established_on: '2018/3/5',
            registration_status: '存续',
            registered_capital: '500',
            address: '郑州市金水区花园路 88 号',
            industry_code: 'I6513',
          },
        },
      ],
      'test',
    );
    const registered = await findSubjectRow(t.db, code);
    assert.ok(registered);
    assert.equal(registered.is_provisional, false);
    assert.equal(registered.name, '郑州市金水区华瑞科技有限公司');
    assert.equal(registered.legal_rep_name, '张伟');
    assert.equal(registered.established_on, '2018-03-05');
    assert.equal(Number(registered.registered_capital), 500);
    assert.equal(registered.industry_code, '6513');
    assert.ok(registered.name_bigrams.includes('金水'));
    assert.deepEqual(
      (await listSubjectNames(t.db, code)).map((n) => n.name),
      ['郑州市金水区华瑞科技有限公司'],
    );
  });

  it('is never downgraded by a later non-registration touch', async () => {
    const code = uscc('91410105MA44XK3Q1');
    await ensureSubjects(t.db, [{ uscc: code, name: '别名科技' }], 'test');
    const s = await findSubjectRow(t.db, code);
    assert.equal(s?.is_provisional, false);
    assert.equal(s?.name, '郑州市金水区华瑞科技有限公司');
    assert.equal(s?.legal_rep_name, '张伟');
  });

  it('keeps the name history when a registration record renames the subject', async () => {
    const code = uscc('91410105MA44XK3Q1');
    await ensureSubjects(
      t.db,
      [{ uscc: code, registration: { name: '河南华瑞智能科技有限公司', legal_rep_name: '张伟' } }],
      'test',
    );
    const s = await findSubjectRow(t.db, code);
    assert.equal(s?.name, '河南华瑞智能科技有限公司');
    assert.ok(s?.name_bigrams.includes('智能'));
    assert.ok(!s?.name_bigrams.includes('金水'));
    assert.deepEqual(
      (await listSubjectNames(t.db, code)).map((n) => n.name),
      ['郑州市金水区华瑞科技有限公司', '河南华瑞智能科技有限公司'],
    );
  });

  it('derives type and region from the code, and handles thousands of touches with duplicates', async () => {
    const touches = [];
    for (let i = 0; i < 2500; i++) {
      const head = ['91', '92', '93', 'N2'][i % 4]!;
      const org = `MA${String(i).padStart(7, '0')}`;
      const code = uscc(`${head}410402${org}`);
      touches.push({ uscc: code, name: `平顶山主体${i}` });
      if (i % 10 === 0) touches.push({ uscc: code, name: `重复${i}` });
    }
    const before = await countRows(t.db, 'subjects');
    await ensureSubjects(t.db, touches, 'test');
    assert.equal((await countRows(t.db, 'subjects')) - before, 2500);
    const coop = await findSubjectRow(t.db, touches.find((x) => x.uscc.startsWith('93'))!.uscc);
    assert.equal(coop?.subject_type, 'farmer_cooperative');
    assert.equal(coop?.region_code, '410402');
    const collective = await findSubjectRow(t.db, touches.find((x) => x.uscc.startsWith('N2'))!.uscc);
    assert.equal(collective?.subject_type, 'rural_collective');
    const first = await findSubjectRow(t.db, touches[0]!.uscc);
    assert.equal(first?.name, '平顶山主体0', 'the first name a batch brings is kept');
  });

  it('fills in the name of a provisional subject first created without one', async () => {
    const code = uscc('92410402MA9XY4123');
    await ensureSubjects(t.db, [{ uscc: code }], 'test');
    assert.equal((await findSubjectRow(t.db, code))?.name, '');
    await ensureSubjects(t.db, [{ uscc: code, name: '平顶山市新华区王记餐饮店' }], 'test');
    const s = await findSubjectRow(t.db, code);
    assert.equal(s?.name, '平顶山市新华区王记餐饮店');
    assert.equal(s?.subject_type, 'individual_business');
    await ensureSubjects(t.db, [{ uscc: code, name: '另一个名字' }], 'test');
    assert.equal((await findSubjectRow(t.db, code))?.name, '平顶山市新华区王记餐饮店');
  });
});
