import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../test/app.ts';
import { usccCheckChar } from '../shared/identifiers.ts';
import { buildSubjects } from './subjects.factory.ts';
import { loginAs } from '../accounts/accounts.testing.ts';
import { insertScores } from '../evaluation/evaluation.repository.ts';

function uscc(first17: string): string {
  return first17 + usccCheckChar(first17);
}

describe('subject routes (anonymous)', () => {
  let t: TestApp;
  const huarui = uscc('91410105MA44XK3Q1');
  const wangji = uscc('92410402MA9XY4123');

  before(async () => {
    t = await createTestApp();
    await buildSubjects(t.db, [
      {
        uscc: huarui,
        name: '郑州市金水区华瑞科技有限公司',
        industry_code: '6513',
        legal_rep_name: '张伟',
        address: '郑州市金水区花园路 88 号',
        registered_capital: 500,
      },
      { uscc: wangji, name: '平顶山市新华区王记餐饮店', industry_code: '6210', legal_rep_name: '欧阳娜娜' },
    ]);
  });
  after(async () => {
    await t.close();
  });

  it('searches by a two-character fragment and returns only registration basics, masked', async () => {
    const res = await t.inject({ url: `/api/v1/subjects?q=${encodeURIComponent('科技')}` });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.total, 1);
    const s = body.items[0];
    assert.equal(s.uscc, huarui);
    assert.equal(s.legalRepName, '张*');
    assert.deepEqual(s.region, { code: '410105', name: '金水区' });
    assert.equal(s.type, 'enterprise');
    assert.equal(s.address, undefined, 'address is not a public basic');
    assert.equal(s.registeredCapital, undefined);
  });

  it('filters by region and type', async () => {
    const res = await t.inject({ url: '/api/v1/subjects?region=4104&type=individual_business' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().items.map((s: { uscc: string }) => s.uscc),
      [wangji],
    );
    const bad = await t.inject({ url: '/api/v1/subjects?region=41x' });
    assert.equal(bad.statusCode, 400);
  });

  it('shows one subject, masked for anonymous', async () => {
    const res = await t.inject({ url: `/api/v1/subjects/${wangji}` });
    assert.equal(res.statusCode, 200);
    const s = res.json();
    assert.equal(s.name, '平顶山市新华区王记餐饮店');
    assert.equal(s.legalRepName, '欧***');
    assert.deepEqual(s.industry, { code: '6210', name: '正餐服务' });
    assert.deepEqual(s.formerNames, []);
  });

  it('rejects an invalid USCC with 400 uscc_invalid naming the rule', async () => {
    const wrongCheck = huarui.slice(0, 17) + (huarui[17] === '0' ? '1' : '0');
    const res = await t.inject({ url: `/api/v1/subjects/${wrongCheck}` });
    assert.equal(res.statusCode, 400);
    assert.match(String(res.headers['content-type']), /problem\+json/);
    const p = res.json();
    assert.equal(p.code, 'uscc_invalid');
    assert.equal(p.rule, 'check_char');
    assert.match(p.message.zh, /校验码应为/);
    assert.match(p.message.en, /check character/);
    const short = await t.inject({ url: '/api/v1/subjects/9141010' });
    assert.equal(short.json().rule, 'length');
  });

  it('answers 404 for a valid code nobody registered', async () => {
    const res = await t.inject({ url: `/api/v1/subjects/${uscc('91410105MA0000001')}` });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'not_found');
  });

  it('lists regions and industries for forms', async () => {
    const r = await t.inject({ url: '/api/v1/regions?parent=410100' });
    assert.equal(r.statusCode, 200);
    const zz = r.json().items.map((i: { code: string; name: string }) => `${i.code} ${i.name}`);
    assert.ok(zz.includes('410105 金水区'));
    assert.ok(zz.includes('410185 登封市'));
    assert.equal(zz.length, 12);
    const provinces = await t.inject({ url: '/api/v1/regions?maxLevel=1' });
    assert.equal(provinces.json().items.length, 34);
    const sections = await t.inject({ url: '/api/v1/industries?maxLevel=1' });
    assert.equal(sections.json().items.length, 20);
    const divisions = await t.inject({ url: '/api/v1/industries?maxLevel=2' });
    assert.equal(divisions.json().items.length, 20 + 97);
  });

  it('filters by grade for a logged-in institution and shows the grade; refuses anonymous callers', async () => {
    await insertScores(t.db, 1, 1, '2026-11-01', [
      { uscc: huarui, score: 820, grade: 'A', reasonsJson: '[]' },
      { uscc: wangji, score: 610, grade: 'C', reasonsJson: '[]' },
    ]);
    const bank = await loginAs(t, 'institution');
    const res = await t.inject({ url: '/api/v1/subjects?grade=C', headers: bank.headers });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().items.map((s: { uscc: string; grade: string }) => [s.uscc, s.grade]),
      [[wangji, 'C']],
    );
    const anon = await t.inject({ url: '/api/v1/subjects?grade=C' });
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.json().code, 'unauthenticated');
    const anonList = await t.inject({ url: '/api/v1/subjects?region=41' });
    assert.ok(
      anonList.json().items.every((s: object) => !('grade' in s)),
      'grades are not public',
    );
    const bad = await t.inject({ url: '/api/v1/subjects?grade=%27%3B', headers: bank.headers });
    assert.equal(bad.statusCode, 400);
  });
});
