import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Catalog } from '../catalog/catalog.schema.ts';
import {
  createSigner,
  ensureProvider,
  loginAs,
  ensureInstitution,
  storeRecords,
  testUscc,
  type TestSession,
} from '../accounts/accounts.testing.ts';
import { seedCatalog } from '../test/catalog.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { countRows } from '../test/db.ts';
import { addRecordMark } from './record-marks.repository.ts';
import type { ReadRecord, ReadRecordsResult } from './read-path.types.ts';

type Body = Omit<ReadRecordsResult, 'records'> & { records?: unknown };
type Entry = { actorType: string; basis: string };

function kindRecords(b: Body, code: string): ReadRecord[] {
  return b.sections.flatMap((s) => s.kinds).find((k) => k.code === code)?.records ?? [];
}

const uscc = testUscc(1);
const other = testUscc(2);
const idNumber = '410102198001011234';

describe('the read path', () => {
  let t: TestApp;
  let catalog: Catalog;
  let bank: TestSession;
  let owner: TestSession;
  let operator: TestSession;
  let penaltyIds: number[];

  before(async () => {
    t = await createTestApp();
    catalog = await seedCatalog(t.db);
    await storeRecords(t.ctx, catalog, 'business_licence', [
      {
        uscc,
        name: '郑州测试科技有限公司',
        legal_rep_name: '张三',
        established_on: '2015-03-01',
        registration_status: '存续',
      },
      { uscc: other, name: '平顶山另一家公司', legal_rep_name: '李四', established_on: '2018-01-01' },
    ]);
    penaltyIds = await storeRecords(t.ctx, catalog, 'admin_penalty', [
      {
        uscc,
        name: '郑州测试科技有限公司',
        legal_rep_name: '张三',
        legal_rep_id_number: idNumber,
        penalty_decision_no: '郑市监罚〔2025〕1号',
        decided_on: '2025-06-01',
        publicity_until: '2099-12-31',
        violation_facts: "<script>alert(1)</script>'; DROP TABLE records; --",
      },
      {
        uscc,
        name: '郑州测试科技有限公司',
        penalty_decision_no: '郑市监罚〔2019〕9号',
        decided_on: '2019-01-01',
        publicity_until: '2020-01-01',
      },
    ]);
    await storeRecords(t.ctx, catalog, 'tax_credit_rating', [
      { uscc, name: '郑州测试科技有限公司', rating_year: '2024', tax_credit_level: 'A' },
    ]);
    await ensureInstitution(t.ctx);
    bank = await loginAs(t, 'institution');
    owner = await loginAs(t, 'enterprise', { uscc });
    operator = await loginAs(t, 'operator');
  });
  after(() => t.close());

  it('stores natural persons’ ID numbers encrypted and never returns them unmasked to the public', async () => {
    const res = await t.inject(`/api/v1/subjects/${uscc}/records?kinds=admin_penalty`);
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes(idNumber));
    const body = res.json() as Body;
    assert.equal(body.basis, 'public');
    const rec = kindRecords(body, 'admin_penalty');
    assert.equal(rec.length, 1, 'the penalty past its publicity end is not public');
    assert.equal(rec[0]!.data.legal_rep_id_number, '410***********1234');
    assert.equal(rec[0]!.data.legal_rep_name, '张*');
    assert.deepEqual(rec[0]!.maskedFields.sort(), ['legal_rep_id_number', 'legal_rep_name']);
    // Script and SQL text come back as stored, inert strings.
    assert.equal(rec[0]!.data.violation_facts, "<script>alert(1)</script>'; DROP TABLE records; --");
    assert.match(String(res.headers['content-type']), /application\/json/);
  });

  it('shows the subject everything, unmasked, with the publicity-ended record marked', async () => {
    const res = await t.inject({ url: `/api/v1/subjects/${uscc}/records`, headers: owner.headers });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as Body;
    assert.equal(body.basis, 'self');
    const penalties = kindRecords(body, 'admin_penalty');
    assert.equal(penalties.length, 2);
    assert.ok(penalties.some((r) => r.data.legal_rep_id_number === idNumber));
    assert.ok(
      penalties.some((r) => r.marks.some((m) => m.code === 'publicity_ended' && m.zh === '公示期满')),
    );
    assert.ok(body.records === undefined, 'the flat list is not part of the HTTP response');
    assert.ok(body.sections.flatMap((s) => s.kinds).some((k) => k.code === 'tax_credit_rating'));
    // When each version was stored: ISO 8601 in UTC, to the millisecond, as stored (this test's data
    // were stored moments ago).
    for (const r of penalties) {
      assert.match(r.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(r.createdAt) - Date.now()) < 10 * 60_000, r.createdAt);
    }
  });

  it('withholds conditionally shared kinds from an institution without consent, and refuses an explicit ask', async () => {
    const res = await t.inject({ url: `/api/v1/subjects/${uscc}/records`, headers: bank.headers });
    const body = res.json() as Body;
    assert.equal(body.basis, 'public');
    assert.ok(body.withheld.some((w) => w.kind === 'tax_credit_rating' && /授权/.test(w.reason.zh)));
    const denied = await t.inject({
      url: `/api/v1/subjects/${uscc}/records?kinds=tax_credit_rating`,
      headers: bank.headers,
    });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, 'consent_required');
  });

  it('hides repaired records from the public and shows them to the subject marked 已修复; disputed ones are marked for all', async () => {
    await addRecordMark(t.db, {
      recordId: penaltyIds[0]!,
      uscc,
      mark: 'disputed',
      sourceTable: 'objections',
      sourceId: 1,
    });
    let pub = (await t.inject(`/api/v1/subjects/${uscc}/records?kinds=admin_penalty`)).json() as Body;
    assert.deepEqual(
      kindRecords(pub, 'admin_penalty')[0]!.marks.map((m) => m.code),
      ['disputed'],
    );
    await addRecordMark(t.db, {
      recordId: penaltyIds[0]!,
      uscc,
      mark: 'repaired',
      sourceTable: 'repairs',
      sourceId: 1,
    });
    pub = (await t.inject(`/api/v1/subjects/${uscc}/records?kinds=admin_penalty`)).json() as Body;
    assert.equal(kindRecords(pub, 'admin_penalty').length, 0);
    const own = (
      await t.inject({ url: `/api/v1/subjects/${uscc}/records?kinds=admin_penalty`, headers: owner.headers })
    ).json() as Body;
    const repaired = kindRecords(own, 'admin_penalty').find((r) => r.recordId === penaltyIds[0])!;
    assert.deepEqual(repaired.marks.map((m) => m.zh).sort(), ['已修复', '异议处理中'].sort());
  });

  it('writes the access log for every read and a ledger leaf for non-public ones', async () => {
    const before = await countRows(t.db, 'access_log');
    const ledgerBefore = await countRows(t.db, 'ledger_entries');
    await t.inject(`/api/v1/subjects/${uscc}/records?kinds=business_licence`);
    assert.equal(await countRows(t.db, 'access_log'), before + 1);
    assert.equal(await countRows(t.db, 'ledger_entries'), ledgerBefore, 'public read: no ledger leaf');
    await t.inject({ url: `/api/v1/subjects/${uscc}/records`, headers: operator.headers });
    assert.equal(await countRows(t.db, 'access_log'), before + 2);
    assert.equal(await countRows(t.db, 'ledger_entries'), ledgerBefore + 1);
    const log = (await t.inject({ url: '/api/v1/me/access-log', headers: owner.headers })).json() as Entry[];
    assert.ok(log.length >= 2);
    assert.equal(log[0]!.actorType, 'operator');
    assert.equal(log[0]!.basis, 'operator');
    assert.equal(log[1]!.actorType, 'anonymous');
  });
});

describe('the read path: masking per role, withdrawals, history, providers, dates', () => {
  let t: TestApp;
  let catalog: Catalog;
  const subject = testUscc(3);
  const plaintiffId = '410105199001015678';

  before(async () => {
    t = await createTestApp();
    catalog = await seedCatalog(t.db);
    await storeRecords(t.ctx, catalog, 'business_licence', [
      {
        uscc: subject,
        name: '郑州掩码测试有限公司',
        legal_rep_name: '欧阳娜娜',
        established_on: '2010-01-01',
      },
    ]);
    await storeRecords(t.ctx, catalog, 'court_judgment', [
      {
        uscc: subject,
        name: '郑州掩码测试有限公司',
        cause: '民间借贷纠纷',
        case_no: '（2024）豫0105民初1号',
        plaintiff_name: '李建国',
        plaintiff_id: plaintiffId,
        defendant_name: '郑州掩码测试有限公司',
        defendant_id: subject,
        published_on: '2024-03-01',
      },
      {
        uscc: subject,
        name: '郑州掩码测试有限公司',
        cause: '买卖合同纠纷',
        case_no: '（2025）豫0105民初2号',
        published_on: '2025-05-01',
      },
      {
        uscc: subject,
        name: '郑州掩码测试有限公司',
        cause: '劳动争议',
        case_no: '（2023）豫0105民初3号',
        plaintiff_name: '王小明',
        plaintiff_id: plaintiffId,
        defendant_name: '郑州掩码测试有限公司',
        defendant_id: subject,
        published_on: '2023-06-01',
      },
    ]);
    await storeRecords(t.ctx, catalog, 'water_fee', [
      {
        uscc: subject,
        name: '郑州掩码测试有限公司',
        account_no: 'W1',
        bill_period: '2025-01',
        amount_billed: 300,
        amount_paid: 300,
        paid_on: '2025-01-20',
      },
    ]);
    // A correction (new version) and a withdrawal, both by the responsible provider.
    await storeRecords(
      t.ctx,
      catalog,
      'court_judgment',
      [
        {
          uscc: subject,
          name: '郑州掩码测试有限公司',
          cause: '买卖合同纠纷（更正）',
          case_no: '（2025）豫0105民初2号',
          published_on: '2025-05-01',
        },
      ],
      undefined,
      { op: 'correct', reason: '案由录入错误' },
    );
    await storeRecords(
      t.ctx,
      catalog,
      'court_judgment',
      [{ uscc: subject, case_no: '（2024）豫0105民初1号' }],
      undefined,
      { op: 'withdraw', reason: '重复报送' },
    );
  });
  after(() => t.close());

  const read = async (headers: Record<string, string>, query = '') => {
    const res = await t.inject({ url: `/api/v1/subjects/${subject}/records?${query}`, headers });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Body;
  };

  it('masks natural persons’ names and ID numbers for everyone but the subject and operators', async () => {
    const owner = await loginAs(t, 'enterprise', { uscc: subject });
    const operator = await loginAs(t, 'operator');
    const recommender = await loginAs(t, 'recommender');
    const bank = await loginAs(t, 'institution');
    const other = await loginAs(t, 'enterprise', { uscc: testUscc(4) });
    const labour = (b: Body) =>
      kindRecords(b, 'court_judgment').find((r) => r.data.case_no === '（2023）豫0105民初3号')!;
    for (const [who, headers] of [
      ['operator', operator.headers],
      ['owner', owner.headers],
    ] as const) {
      const rec = labour(await read(headers));
      assert.equal(rec.data.plaintiff_id, plaintiffId, who);
      assert.equal(rec.data.plaintiff_name, '王小明', who);
      assert.equal(rec.data.defendant_id, subject, who);
      assert.deepEqual(rec.maskedFields, [], who);
    }
    for (const [who, headers] of [
      ['anonymous', {}],
      ['recommender', recommender.headers],
      ['institution without consent', bank.headers],
      ['another enterprise', other.headers],
    ] as const) {
      const b = await read(headers);
      assert.equal(b.basis, 'public', who);
      const rec = labour(b);
      assert.equal(rec.data.plaintiff_id, '410***********5678', who);
      assert.equal(rec.data.plaintiff_name, '王**', who);
      // An organisation's code in a person-or-organisation field stays readable.
      assert.equal(rec.data.defendant_id, subject, who);
      assert.ok(
        rec.maskedFields.includes('plaintiff_id') && rec.maskedFields.includes('plaintiff_name'),
        who,
      );
      assert.ok(!JSON.stringify(b).includes(plaintiffId), who);
    }
    const anon = await read({});
    assert.equal(anon.subject.legalRepName, '欧阳**');
    assert.equal((await read(owner.headers)).subject.legalRepName, '欧阳娜娜');
  });

  it('shows withdrawn records (已撤回) and every version only to the subject and operators', async () => {
    const owner = await loginAs(t, 'enterprise', { uscc: subject });
    const own = await read(owner.headers, 'kinds=court_judgment&includeHistory=true');
    const withdrawn = kindRecords(own, 'court_judgment').find((r) => r.status === 'withdrawn')!;
    assert.deepEqual(
      withdrawn.marks.map((m) => m.zh),
      ['已撤回'],
    );
    const corrected = kindRecords(own, 'court_judgment').find(
      (r) => r.data.case_no === '（2025）豫0105民初2号',
    )!;
    assert.equal(corrected.version, 2);
    assert.equal(corrected.data.cause, '买卖合同纠纷（更正）');
    assert.equal(corrected.history?.length, 1);
    assert.equal(corrected.history?.[0]?.data.cause, '买卖合同纠纷');
    const anon = await read({}, 'kinds=court_judgment&includeHistory=true');
    const pub = kindRecords(anon, 'court_judgment');
    assert.equal(pub.length, 2, 'the withdrawn judgment is not public');
    assert.ok(
      pub.every((r) => r.history === undefined),
      'no history for the public',
    );
  });

  it('lets a provider see its own records of a conditional kind, and nobody else’s', async () => {
    await ensureProvider(t.ctx, 'water');
    const water = await createSigner(t.ctx, 'water');
    const url = `/api/v1/subjects/${subject}/records?kinds=water_fee`;
    const res = await t.inject({ url, headers: water.sign('GET', url) });
    assert.equal(res.statusCode, 200, res.body);
    const b = res.json() as Body;
    assert.equal(b.basis, 'provider');
    assert.equal(kindRecords(b, 'water_fee').length, 1);
    await ensureProvider(t.ctx, 'gas');
    const gas = await createSigner(t.ctx, 'gas');
    const denied = await t.inject({ url, headers: gas.sign('GET', url) });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, 'consent_required');
  });

  it('filters by the requested date range', async () => {
    const b = await read({}, 'kinds=court_judgment&from=2025-01-01&to=2025-12-31');
    assert.deepEqual(
      kindRecords(b, 'court_judgment').map((r) => r.occurredOn),
      ['2025-05-01'],
    );
    const none = await read({}, 'kinds=court_judgment&from=2026-01-01');
    assert.equal(kindRecords(none, 'court_judgment').length, 0);
  });

  it('answers an unknown subject or kind with a clear 4xx, never a 500', async () => {
    assert.equal((await t.inject(`/api/v1/subjects/${testUscc(999)}/records`)).statusCode, 404);
    const kind = await t.inject(`/api/v1/subjects/${subject}/records?kinds=no_such_kind`);
    assert.equal(kind.statusCode, 400);
    assert.equal(kind.json().code, 'kind_unknown');
    const sqlish = await t.inject(`/api/v1/subjects/${encodeURIComponent("x' OR 1=1 --")}/records`);
    assert.ok(sqlish.statusCode === 404 || sqlish.statusCode === 400, String(sqlish.statusCode));
  });
});
