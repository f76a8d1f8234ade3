import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createSigner,
  ensureInstitution,
  ensureProvider,
  loginAs,
  storeRecords,
  testUscc,
  type TestSession,
} from '../accounts/accounts.testing.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { seedCatalog } from '../test/catalog.ts';

const uscc = testUscc(41);

type Rec = { recordId: number; marks: { zh: string }[] };
type Body = { sections: { kinds: { code: string; records: Rec[] }[] }[] };

describe('subject-rights routes', () => {
  let t: TestApp;
  let owner: TestSession;
  let operator: TestSession;
  let bank: TestSession;
  let recordId: number;
  let providerId: string;

  before(async () => {
    t = await createTestApp();
    const catalog = await seedCatalog(t.db);
    providerId = catalog.kinds.find((k) => k.code === 'admin_penalty')!.providers[0]!.id;
    await ensureProvider(t.ctx, providerId);
    await ensureInstitution(t.ctx);
    [recordId] = (await storeRecords(t.ctx, catalog, 'admin_penalty', [
      {
        uscc,
        name: '郑州路由测试有限公司',
        penalty_decision_no: '罚〔2025〕9号',
        decided_on: '2025-06-01',
        publicity_until: '2099-12-31',
      },
    ])) as [number];
    owner = await loginAs(t, 'enterprise', { uscc });
    operator = await loginAs(t, 'operator');
    bank = await loginAs(t, 'institution');
  });
  after(() => t.close());

  async function marksSeenBy(headers: Record<string, string>): Promise<string[]> {
    const res = await t.inject({ url: `/api/v1/subjects/${uscc}/records?kinds=admin_penalty`, headers });
    assert.equal(res.statusCode, 200, res.body);
    const recs = (res.json() as Body).sections.flatMap((s) => s.kinds).flatMap((k) => k.records);
    return recs.find((r) => r.recordId === recordId)?.marks.map((m) => m.zh) ?? [];
  }

  it('runs an objection over HTTP: filing, marks in institution views, provider answer by signed request, decision', async () => {
    const filed = await t.inject({
      method: 'POST',
      url: '/api/v1/objections',
      headers: owner.headers,
      payload: {
        recordId,
        reasons: '已整改 / corrected',
        attachments: [
          {
            fileName: '整改报告.txt',
            contentType: 'text/plain',
            content: Buffer.from('整改完毕').toString('base64'),
          },
        ],
      },
    });
    assert.equal(filed.statusCode, 201, filed.body);
    const { id, attachments } = filed.json() as { id: number; attachments: { id: number; sha256: string }[] };
    const file = await t.inject({
      url: `/api/v1/objections/${id}/attachments/${attachments[0]!.id}`,
      headers: operator.headers,
    });
    assert.equal(file.statusCode, 200, file.body);
    assert.equal(file.body, '整改完毕');
    assert.equal(file.headers['x-content-sha256'], attachments[0]!.sha256);
    const other = await loginAs(t, 'enterprise', { uscc: testUscc(42) });
    const hidden = await t.inject({
      url: `/api/v1/objections/${id}/attachments/${attachments[0]!.id}`,
      headers: other.headers,
    });
    assert.equal(hidden.statusCode, 404, 'another enterprise cannot fetch it');
    assert.ok((await marksSeenBy(bank.headers)).includes('异议处理中'));
    assert.ok((await marksSeenBy({})).includes('异议处理中'), 'public view');

    // An institution may not file or read objections.
    const denied = await t.inject({ url: `/api/v1/objections/${id}`, headers: bank.headers });
    assert.equal(denied.statusCode, 403);

    for (const step of ['accept', 'forward']) {
      const res = await t.inject({
        method: 'POST',
        url: `/api/v1/objections/${id}/${step}`,
        headers: operator.headers,
        payload: step === 'accept' ? { accept: true } : {},
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    const signer = await createSigner(t.ctx, providerId);
    const body = JSON.stringify({ answer: 'confirm', note: '核实无误' });
    const target = `/api/v1/objections/${id}/answer`;
    const answered = await t.inject({
      method: 'POST',
      url: target,
      headers: signer.sign('POST', target, body),
      payload: body,
    });
    assert.equal(answered.statusCode, 200, answered.body);
    const decided = await t.inject({
      method: 'POST',
      url: `/api/v1/objections/${id}/decide`,
      headers: operator.headers,
      payload: {},
    });
    assert.equal(decided.statusCode, 200, decided.body);
    const mine = await t.inject({ url: '/api/v1/objections', headers: owner.headers });
    const item = (mine.json() as { items: { id: number; outcome: string; history: { event: string }[] }[] })
      .items[0]!;
    assert.equal(item.outcome, 'upheld');
    assert.equal(item.history.at(-1)!.event, 'notified');
    assert.ok(!(await marksSeenBy(bank.headers)).includes('异议处理中'));
  });

  it('explains a refused repair with a 201 case holding the reasons, and imports a calendar year', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/repairs',
      headers: owner.headers,
      payload: { recordId, penaltyFulfilled: false },
    });
    assert.equal(res.statusCode, 201, res.body);
    const rep = res.json() as { status: string; refusals: { zh: string; en: string }[] };
    assert.equal(rep.status, 'refused');
    assert.ok(rep.refusals.some((r) => /信用承诺/.test(r.zh) && /commitment/.test(r.en)));

    const bad = await t.inject({
      method: 'POST',
      url: '/api/v1/rights/calendar',
      headers: operator.headers,
      payload: { year: 2027, holidays: [{ day: '2026-01-01' }], workdays: [] },
    });
    assert.equal(bad.statusCode, 400);
    const ok = await t.inject({
      method: 'POST',
      url: '/api/v1/rights/calendar',
      headers: operator.headers,
      payload: { year: 2027, source: 'test', holidays: [{ day: '2027-01-01', name: '元旦' }], workdays: [] },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const types = await t.inject('/api/v1/declarations/types');
    assert.ok(
      (types.json() as { items: { code: string; zh: string }[] }).items.some((x) => x.zh === '资质证照'),
    );
    const cal = await t.inject('/api/v1/rights/calendar');
    assert.deepEqual((cal.json() as { coveredYears: number[] }).coveredYears, [2025, 2026, 2027]);
  });
});
