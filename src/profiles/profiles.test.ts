import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loginAs } from '../accounts/accounts.testing.ts';
import { recordWriter, registerSubject, testUscc } from '../evaluation/testing.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { classifySize } from './sme-size.ts';

describe('SME size class (工信部联企业〔2011〕300号)', () => {
  const cases: [string, number | null, number | null, number | null, string | null][] = [
    // industry code, employees, revenue 万元, assets 万元 → class
    ['C3311', 1200, 50000, null, 'large'],
    ['C3311', 350, 3000, null, 'medium'],
    ['C3311', 350, 1000, null, 'small'], // revenue below the medium floor: one tier down
    ['3311', 15, 5000, null, 'micro'], // fewer than 20 people: micro on one criterion
    ['3311', 5, null, null, 'micro'],
    ['3311', 400, null, null, null], // revenue unknown: cannot tell medium from small
    ['5211', 60, 600, null, 'medium'], // retail
    ['5191', 30, 4000, null, 'small'], // wholesale: 5000 needed for medium
    ['6513', 5, 40, null, 'micro'], // software
    ['7010', null, 1500, 6000, 'medium'], // real-estate development: revenue and assets
    ['7020', 150, 600, null, 'small'], // property management
    ['4710', null, 7000, 5200, 'medium'], // construction
    ['0111', null, 60, null, 'small'], // agriculture: revenue only
    ['8321', 120, null, null, 'medium'], // other industries: employees only
  ];
  for (const [industryCode, employees, revenue, assets, expected] of cases) {
    it(`${industryCode} ${employees}人 ${revenue}万元 ${assets}万元 → ${expected}`, () => {
      assert.equal(classifySize({ industryCode, employees, revenue, assets }).sizeClass, expected);
    });
  }
});

describe('profiles (画像)', () => {
  let t: TestApp;
  const u = testUscc(77);
  const ids: Record<string, number> = {};
  const first = async (p: Promise<number[]>): Promise<number> => (await p)[0]!;

  before(async () => {
    t = await createTestApp();
    const w = await recordWriter(t.db);
    await registerSubject(w, t.db, u, { industry_code: 'C3311' });
    // 从业 80 人, 营业收入 1,500 万元, in yuan as the catalog stores amounts → small (industry).
    ids.report = await first(
      w.put('annual_report', u, [
        { report_year: 2023, employee_count: 80, total_revenue: 15_000_000, total_assets: 9_000_000 },
        { report_year: 2022, employee_count: 400, total_revenue: 90_000_000 },
      ]),
    );
    ids.hitech = await first(
      w.put('science_tech', u, [{ is_national_hitech: true, hitech_certificate_no: 'GR202341000123' }]),
    );
    ids.srdi = await first(
      w.put('admin_reward', u, [
        { reward_name: '河南省专精特新中小企业', reward_matter: '认定', awarded_on: '2024-05-01' },
      ]),
    );
    ids.customs = await first(
      w.put('customs_registration', u, [{ customs_code: '4101960ABC', customs_deregistered: false }]),
    );
    ids.dishonest = await first(
      w.put('dishonest_debtor', u, [
        {
          case_no: '(2024)豫01执9号',
          published_on: '2024-08-01',
          performance: '全部未履行',
          court: '郑州中院',
        },
      ]),
    );
    ids.abnormal = await first(
      w.put('abnormal_operation', u, [{ is_listed: true, listed_on: '2024-02-01' }]),
    );
    ids.arrears = await first(
      w.put('tax_arrears', u, [{ in_arrears: true, arrears_amount: 12000, tax_types: '增值税' }]),
    );
  });
  after(() => t.close());

  it('derives tags with their evidence for the subject itself, arrears included', async () => {
    const me = await loginAs(t, 'enterprise', { uscc: u });
    const res = await t.inject({ url: `/api/v1/subjects/${u}/profile`, headers: me.headers });
    assert.equal(res.statusCode, 200, res.body);
    const p = res.json() as {
      basis: string;
      tags: {
        code: string;
        evidence: { recordId: number; fields: Record<string, unknown> }[];
        detail?: { group: { code: string } };
      }[];
    };
    assert.equal(p.basis, 'self');
    const tag = (code: string) => p.tags.find((x) => x.code === code);
    assert.deepEqual(p.tags.map((x) => x.code).sort(), [
      'exporter',
      'high_tech',
      'risk_abnormal_operation',
      'risk_arrears',
      'risk_dishonest_debtor',
      'size_small',
      'srdi',
    ]);
    // Size from the latest report (2023), industry group 工业, with the report as evidence.
    assert.equal(tag('size_small')!.evidence[0]!.recordId, ids.report);
    assert.equal(tag('size_small')!.evidence[0]!.fields.report_year, 2023);
    assert.equal(tag('size_small')!.detail!.group.code, 'industry');
    assert.equal(tag('high_tech')!.evidence[0]!.recordId, ids.hitech);
    assert.equal(tag('srdi')!.evidence[0]!.recordId, ids.srdi);
    assert.equal(tag('exporter')!.evidence[0]!.fields.customs_code, '4101960ABC');
    assert.equal(tag('risk_dishonest_debtor')!.evidence[0]!.recordId, ids.dishonest);
    assert.deepEqual(
      tag('risk_abnormal_operation')!.evidence.map((e) => e.recordId),
      [ids.abnormal],
    );
    assert.equal(tag('risk_arrears')!.evidence[0]!.recordId, ids.arrears);
  });

  it('shows the public only tags from public data, and says what was withheld', async () => {
    const res = await t.inject({ url: `/api/v1/subjects/${u}/profile` });
    assert.equal(res.statusCode, 200, res.body);
    const p = res.json() as { basis: string; tags: { code: string }[]; withheld: { kind: string }[] };
    assert.equal(p.basis, 'public');
    const codes = p.tags.map((x) => x.code);
    assert.ok(!codes.includes('risk_arrears'), 'tax arrears are conditionally shared');
    assert.ok(codes.includes('risk_dishonest_debtor') && codes.includes('high_tech'));
    // Annual-report revenue is restricted: the public cannot tell small from medium.
    assert.ok(!codes.some((c) => c.startsWith('size_')));
    assert.ok(p.withheld.some((w) => w.kind === 'tax_arrears'));
  });

  it('answers an unknown subject with 404 and a malformed code with 400', async () => {
    const missing = await t.inject({ url: `/api/v1/subjects/${testUscc(9999)}/profile` });
    assert.equal(missing.statusCode, 404);
    const bad = await t.inject({ url: '/api/v1/subjects/91410100MA00000000/profile' });
    assert.equal(bad.statusCode, 400);
  });
});
