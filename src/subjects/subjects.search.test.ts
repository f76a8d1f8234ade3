import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anonymous, systemActor, type Actor } from '../access/actor.ts';
import { AppError } from '../shared/errors.ts';
import { deleteScoresOfRun, insertScores } from '../evaluation/evaluation.repository.ts';
import { createTestDb, type TestDb } from '../test/db.ts';
import { usccCheckChar } from '../shared/identifiers.ts';
import { createSubjectsService, ensureSubjects, type SubjectsService } from './subjects.service.ts';
import { buildSubjects } from './subjects.factory.ts';

function uscc(first17: string): string {
  return first17 + usccCheckChar(first17);
}

describe('subject search', () => {
  let t: TestDb;
  let svc: SubjectsService;
  const huarui = uscc('91410105MA44XK3Q1');
  const wangji = uscc('92410402MA9XY4123');
  const coop = uscc('93410421MA3QK7T51');
  const zhongyuan = uscc('91410102MA46BCD21');

  before(async () => {
    t = await createTestDb();
    svc = createSubjectsService(t.db);
    await svc.ensureDictionaries();
    await buildSubjects(t.db, [
      { uscc: huarui, name: '郑州市金水区华瑞科技有限公司', industry_code: '6513', legal_rep_name: '张伟' },
      { uscc: wangji, name: '平顶山市新华区王记餐饮店', industry_code: '6210', legal_rep_name: '王秀英' },
      { uscc: coop, name: '宝丰县丰收种植专业合作社', industry_code: '0112', legal_rep_name: '李强' },
      { uscc: zhongyuan, name: '郑州中原科技发展有限公司', industry_code: '6531', legal_rep_name: '刘洋' },
    ]);
    // noise: 300 subjects elsewhere, some with 科 and 技 not adjacent (bigram false positives)
    const noise = [];
    for (let i = 0; i < 300; i++) {
      noise.push({
        uscc: uscc(`91410303MA${String(i).padStart(7, '0')}`),
        name: i % 2 ? `洛阳市西工区科达技术服务部${i}` : `洛阳市老城区恒信商贸有限公司${i}`,
      });
    }
    await ensureSubjects(t.db, noise, 'test');
  });
  after(async () => {
    await t.close();
  });

  it('finds a subject by its exact USCC, also when typed in full-width with spaces', async () => {
    const r = await svc.search({ q: huarui }, anonymous);
    assert.deepEqual(
      r.items.map((s) => s.uscc),
      [huarui],
    );
    const fullWidth = huarui.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const r2 = await svc.search({ q: ` ${fullWidth.slice(0, 9)} ${fullWidth.slice(9)} ` }, anonymous);
    assert.deepEqual(
      r2.items.map((s) => s.uscc),
      [huarui],
    );
  });

  it('finds subjects by a USCC prefix', async () => {
    const r = await svc.search({ q: '92410402' }, anonymous);
    assert.deepEqual(
      r.items.map((s) => s.uscc),
      [wangji],
    );
    const r2 = await svc.search({ q: '91410303MA000010' }, anonymous);
    assert.equal(r2.total, 10);
  });

  it('finds a two-character fragment (科技) without the non-adjacent 科…技 names', async () => {
    const r = await svc.search({ q: '科技' }, anonymous);
    assert.deepEqual(r.items.map((s) => s.name).sort(), [
      '郑州中原科技发展有限公司',
      '郑州市金水区华瑞科技有限公司',
    ]);
    assert.equal(r.total, 2);
    assert.equal(r.totalIsLowerBound, false);
  });

  it('finds longer fragments and ranks an exact or prefix match first', async () => {
    const r = await svc.search({ q: '丰收种植' }, anonymous);
    assert.deepEqual(
      r.items.map((s) => s.uscc),
      [coop],
    );
    const p = await svc.search({ q: '郑州' }, anonymous);
    assert.equal(p.items.length, 2);
    const exact = await svc.search({ q: '平顶山市新华区王记餐饮店' }, anonymous);
    assert.equal(exact.items[0]?.uscc, wangji);
    const one = await svc.search({ q: '恒' }, anonymous);
    assert.equal(one.total, 150);
  });

  it('filters by region prefix: 4101 (all of Zhengzhou), 410400 (Pingdingshan), a county, a province', async () => {
    const zz = await svc.search({ region: '4101' }, anonymous);
    assert.deepEqual(zz.items.map((s) => s.uscc).sort(), [huarui, zhongyuan].sort());
    const pds = await svc.search({ region: '410400' }, anonymous);
    assert.deepEqual(pds.items.map((s) => s.uscc).sort(), [wangji, coop].sort());
    const baofeng = await svc.search({ region: '410421' }, anonymous);
    assert.deepEqual(
      baofeng.items.map((s) => s.uscc),
      [coop],
    );
    const henan = await svc.search({ region: '410000', pageSize: 5 }, anonymous);
    assert.equal(henan.total, 304);
    const withQ = await svc.search({ q: '科技', region: '410102' }, anonymous);
    assert.deepEqual(
      withQ.items.map((s) => s.uscc),
      [zhongyuan],
    );
  });

  it('filters by industry: a 门类 letter, a 大类 and a 小类', async () => {
    const i = await svc.search({ industry: 'I' }, anonymous);
    assert.deepEqual(i.items.map((s) => s.uscc).sort(), [huarui, zhongyuan].sort());
    const div = await svc.search({ industry: '65' }, anonymous);
    assert.equal(div.total, 2);
    const cls = await svc.search({ industry: '6513' }, anonymous);
    assert.deepEqual(
      cls.items.map((s) => s.uscc),
      [huarui],
    );
    const agri = await svc.search({ industry: 'A', q: '合作社' }, anonymous);
    assert.deepEqual(
      agri.items.map((s) => s.uscc),
      [coop],
    );
  });

  it('filters by type and pages through results', async () => {
    const coops = await svc.search({ type: 'farmer_cooperative' }, anonymous);
    assert.deepEqual(
      coops.items.map((s) => s.uscc),
      [coop],
    );
    const p1 = await svc.search({ q: '洛阳', page: 1, pageSize: 100 }, anonymous);
    const p3 = await svc.search({ q: '洛阳', page: 3, pageSize: 100 }, anonymous);
    assert.equal(p1.total, 300);
    assert.equal(p3.items.length, 100);
    assert.equal(new Set([...p1.items, ...p3.items].map((s) => s.uscc)).size, 200);
  });

  it('caps frequent fragments at 1,000 matches and says the total is a lower bound', async () => {
    const many = [];
    for (let i = 0; i < 1000; i++) {
      many.push({
        uscc: uscc(`91410411MA${String(i).padStart(7, '0')}`),
        name: `平顶山市湛河区恒信物流有限公司${i}`,
      });
    }
    await ensureSubjects(t.db, many, 'test');
    const r = await svc.search({ q: '恒信', pageSize: 5 }, anonymous);
    assert.equal(r.total, 1000);
    assert.equal(r.totalIsLowerBound, true);
    assert.equal(r.items.length, 5);
    const narrow = await svc.search({ q: '恒信', region: '410303' }, anonymous);
    assert.equal(narrow.total, 150);
    assert.equal(narrow.totalIsLowerBound, false);
    const list = await svc.search({ region: '4104' }, anonymous);
    assert.equal(list.totalIsLowerBound, true);
  });

  it('can answer every kind of search from an index (EXPLAIN, sequential scans disabled)', async () => {
    const plans: [string, Parameters<SubjectsService['explainSearch']>[0], string | undefined][] = [
      ['2-character fragment', { q: '科技' }, 'subjects_name_bigrams'],
      ['1-character fragment', { q: '恒' }, 'subjects_name_bigrams'],
      ['4-character fragment', { q: '丰收种植' }, undefined],
      ['exact USCC', { q: huarui }, 'subjects_pkey'],
      ['USCC prefix', { q: '91410303MA' }, 'subjects_pkey'],
      ['region listing', { region: '4101' }, undefined],
      ['fragment in a region', { q: '科技', region: '410102' }, undefined],
      ['industry listing', { industry: 'I' }, undefined],
    ];
    for (const [label, query, index] of plans) {
      const plan = (await svc.explainSearch(query, { noSeqScan: true })).join('\n');
      assert.doesNotMatch(plan, /Seq Scan on subjects/, `${label}:\n${plan}`);
      if (index) assert.match(plan, new RegExp(index), `${label}:\n${plan}`);
    }
  });

  it('shows region and industry names, and masks the legal representative for anonymous callers', async () => {
    const anon = await svc.getSubject(huarui, anonymous);
    assert.deepEqual(anon.region, { code: '410105', name: '金水区' });
    assert.deepEqual(anon.industry, { code: '6513', name: '应用软件开发' });
    assert.equal(anon.legalRepName, '张*');
    const sys = await svc.getSubject(huarui, systemActor());
    assert.equal(sys.legalRepName, '张伟');
  });

  it('filters by the current evaluation grade, for institutions and operators only', async () => {
    const bank: Actor = { type: 'institution', id: 'u1', orgId: 'bank' };
    const score = (uscc: string, grade: string) => ({ uscc, score: 700, grade, reasonsJson: '[]' });
    // run 1: huarui B, zhongyuan A, coop D; run 2 changes huarui to A (history keeps both rows)
    await insertScores(t.db, 1, 1, '2026-11-01', [
      score(huarui, 'B'),
      score(zhongyuan, 'A'),
      score(coop, 'D'),
    ]);
    await insertScores(t.db, 2, 1, '2026-11-02', [score(huarui, 'A')]);
    const a = await svc.search({ grade: 'A' }, bank);
    assert.deepEqual(a.items.map((s) => s.uscc).sort(), [huarui, zhongyuan].sort());
    assert.deepEqual(
      a.items.map((s) => s.grade),
      ['A', 'A'],
    );
    assert.equal((await svc.search({ grade: 'B' }, bank)).total, 0, 'the latest score counts, not history');
    // combined with a name fragment, a region and a lower-case grade
    const withQ = await svc.search({ q: '科技', region: '410105', grade: 'a' }, bank);
    assert.deepEqual(
      withQ.items.map((s) => s.uscc),
      [huarui],
    );
    const d = await svc.search({ q: '合作社', grade: 'D' }, { type: 'operator', id: 'op' });
    assert.deepEqual(
      d.items.map((s) => s.uscc),
      [coop],
    );
    // a failed run's scores deleted: the subject is back at its previous grade
    await deleteScoresOfRun(t.db, 2);
    assert.deepEqual(
      (await svc.search({ grade: 'B' }, bank)).items.map((s) => s.uscc),
      [huarui],
    );
    // grades are not public: refused for anonymous callers and enterprises, hidden in their results
    await assert.rejects(
      svc.search({ grade: 'A' }, anonymous),
      (e) => e instanceof AppError && e.code === 'unauthenticated',
    );
    await assert.rejects(
      svc.search({ grade: 'A' }, { type: 'enterprise', id: 'e1', uscc: huarui }),
      (e) => e instanceof AppError && e.code === 'forbidden',
    );
    const anon = await svc.search({ q: '科技' }, anonymous);
    assert.ok(anon.items.every((s) => !('grade' in s)));
    const inst = await svc.search({ q: '王记' }, bank);
    assert.equal(inst.items[0]?.grade, null, 'never evaluated');
  });

  it('answers grade filters from the subject_grades index (EXPLAIN, sequential scans disabled)', async () => {
    for (const query of [{ grade: 'A' }, { grade: 'A', region: '4101' }, { grade: 'A', q: '科技' }]) {
      const plan = (await svc.explainSearch(query, { noSeqScan: true })).join('\n');
      assert.doesNotMatch(plan, /Seq Scan on (subjects|subject_grades|evaluation_scores)/, plan);
      assert.doesNotMatch(plan, /evaluation_scores/, `no latest-score subquery:\n${plan}`);
      assert.match(plan, /subject_grades/, plan);
    }
  });
});
