import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../../access/actor.ts';
import { readRecords } from '../../access/read-path.ts';
import { ensureInstitution, storeRecords, testUscc } from '../../accounts/accounts.testing.ts';
import type { Catalog, CatalogKind } from '../../catalog/catalog.schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { seedCatalog } from '../../test/catalog.ts';
import { publicityUntilByRules } from '../repair/repair-rules.ts';
import { loadRightsConfig, type RightsConfig } from '../rights-config.ts';
import { findRecordPublicity, recomputeAllPublicity } from './publicity.repository.ts';
import { findPublicityRules, publicityRulesDoc, syncPublicityRules } from './publicity.ts';

const uscc = testUscc(41);
const name = '郑州公示期测试有限公司';

describe('stored publicity ends (公示截止, computed when a version is stored)', () => {
  let t: TestApp;
  let catalog: Catalog;
  let kind: CatalogKind;
  const cfg = loadRightsConfig();

  before(async () => {
    t = await createTestApp();
    catalog = await seedCatalog(t.db);
    kind = catalog.kinds.find((k) => k.code === 'admin_penalty')!;
  });
  after(() => t.close());

  const penalty = (no: string, extra: Record<string, unknown>) => ({
    uscc,
    name,
    penalty_decision_no: no,
    penalty_content: '罚款',
    ...extra,
  });

  it('syncs the database rules with rights.config.json once (as serve does at start), then nothing changes', async () => {
    await syncPublicityRules(t.db, cfg);
    assert.deepEqual(await findPublicityRules(t.db), publicityRulesDoc(cfg));
    assert.deepEqual(await syncPublicityRules(t.db, cfg), { changed: false, recomputed: 0 });
  });

  it('stores the same end as publicityUntilByRules for every regime, class and edge case', async () => {
    const cases: Record<string, unknown>[] = [
      { decided_on: '2026-01-10' }, // Order 58: 36 months
      { decided_on: '2026-03-31', severity: '严重' }, // last day of Order 58
      { decided_on: '2026-04-01' }, // 2026 measures, 一般: 12 months
      { decided_on: '2026-04-01', severity: '严重' }, // 36 months
      { decided_on: '2026-05-20', severity: ' 轻微 ' }, // not published: ends on the decision day
      { decided_on: '2026-06-30', credit_class: 'serious' }, // second severity field
      { decided_on: '2026-01-31', severity: 'unknown' }, // unknown value: the default class
      { decided_on: '2024-02-29' }, // Order 58, month-end clamp (2027-02-28)
      { decided_on: '2026-04-15', publicity_until: '2026-09-30' }, // the provider's own end
      { decided_on: '2022-06-01' }, // before Order 58: the earliest regime
      { publicity_until: '2027-01-01' }, // explicit end, no decision date
      {}, // no date at all
    ];
    const rows = cases.map((c, i) => penalty(`罚〔2026〕P${i}号`, c));
    const ids = await storeRecords(t.ctx, catalog, 'admin_penalty', rows);
    for (const [i, id] of ids.entries()) {
      const stored = await findRecordPublicity(t.db, id);
      assert.ok(stored, `case ${i} stored`);
      const expected =
        cases[i]!.decided_on === '2026-02-30' ? null : publicityUntilByRules(cfg, kind, rows[i]!);
      assert.equal(stored.publicityUntil, expected, `case ${i}: ${JSON.stringify(cases[i])}`);
    }
    const byCase = async (i: number) => (await findRecordPublicity(t.db, ids[i]!))!;
    assert.equal((await byCase(0)).publicityUntil, '2029-01-10');
    assert.equal((await byCase(0)).regime, 'order58');
    assert.equal((await byCase(2)).publicityUntil, '2027-04-01');
    assert.equal((await byCase(2)).severity, 'general');
    assert.equal((await byCase(3)).publicityUntil, '2029-04-01');
    assert.equal((await byCase(4)).publicityUntil, '2026-05-20');
    assert.equal((await byCase(4)).severity, 'minor');
    assert.equal((await byCase(5)).severity, 'serious');
    assert.equal((await byCase(7)).publicityUntil, '2027-02-28');
    assert.equal((await byCase(8)).basis, 'provider');
    assert.equal((await byCase(11)).basis, 'undated');
  });

  it('the writer stores exactly what the SQL recomputation computes, edge cases included (decision 0122)', async () => {
    const odd = testUscc(43);
    const row = (no: string, extra: Record<string, unknown>) => ({
      uscc: odd,
      name: '郑州公示期边界测试有限公司',
      penalty_decision_no: no,
      penalty_content: '罚款',
      ...extra,
    });
    const cases: Record<string, unknown>[] = [
      { decided_on: '2026-02-30' }, // not a calendar day: undated
      { decided_on: '2026-4-1' }, // not the ISO form: undated
      { decided_on: '2023-04-30' }, // before every regime: the earliest
      { decided_on: '2026-03-31', severity: '\t严重' }, // a tab is not trimmed (btrim trims spaces)
      { decided_on: '2026-08-31', severity: '  一般  ', credit_class: '严重' }, // first mapped field wins
      { decided_on: '2026-08-31', severity: 'unknown', credit_class: '严重' }, // unmapped: the next field
      { decided_on: '2026-08-31', severity: 3, dishonesty_level: '轻微' }, // not a string: skipped
      { decided_on: '2026-01-31', publicity_until: '2026-02-31' }, // invalid explicit end: the rules
      { publicity_until: '2027-02-28', severity: '严重' }, // explicit end, undated decision
    ];
    const ids = await storeRecords(
      t.ctx,
      catalog,
      'admin_penalty',
      cases.map((c, i) => row(`罚〔2026〕E${i}号`, c)),
    );
    // Two versions of one record in one statement: only the latest is stored.
    const [twice] = await storeRecords(t.ctx, catalog, 'admin_penalty', [
      row('罚〔2026〕T1号', { decided_on: '2026-05-01' }),
      row('罚〔2026〕T1号', { decided_on: '2026-05-01', severity: '严重' }),
    ]);
    const written = await Promise.all([...ids, twice!].map((id) => findRecordPublicity(t.db, id)));
    assert.equal(written.at(-1)!.version, 2);
    assert.equal(written.at(-1)!.publicityUntil, '2029-05-01');
    assert.deepEqual(
      written.slice(0, 4).map((w) => [w!.basis, w!.regime, w!.severity]),
      [
        ['undated', 'measures2026', 'general'],
        ['undated', 'measures2026', 'general'],
        ['rules', 'order58', 'general'],
        ['rules', 'order58', 'general'],
      ],
    );
    await recomputeAllPublicity(t.db);
    const recomputed = await Promise.all([...ids, twice!].map((id) => findRecordPublicity(t.db, id)));
    assert.deepEqual(recomputed, written);
  });

  it('a new version recomputes the end; only the latest version counts', async () => {
    const [id] = await storeRecords(t.ctx, catalog, 'admin_penalty', [
      penalty('罚〔2026〕V1号', { decided_on: '2026-05-01' }),
    ]);
    assert.equal((await findRecordPublicity(t.db, id!))!.publicityUntil, '2027-05-01');
    await storeRecords(
      t.ctx,
      catalog,
      'admin_penalty',
      [penalty('罚〔2026〕V1号', { decided_on: '2026-05-01', severity: '严重' })],
      undefined,
      { op: 'correct', reason: '更正失信等级 / class corrected' },
    );
    const now = (await findRecordPublicity(t.db, id!))!;
    assert.equal(now.version, 2);
    assert.equal(now.publicityUntil, '2029-05-01');
  });

  it('changed rules in the configuration recompute every stored end, and back', async () => {
    const [id] = await storeRecords(t.ctx, catalog, 'admin_penalty', [
      penalty('罚〔2026〕R1号', { decided_on: '2026-06-01' }),
    ]);
    assert.equal((await findRecordPublicity(t.db, id!))!.publicityUntil, '2027-06-01');
    const changed: RightsConfig = structuredClone(cfg);
    changed.repairRegimes[1]!.classes.general.maxMonths = 6;
    const r = await syncPublicityRules(t.db, changed);
    assert.equal(r.changed, true);
    assert.ok(r.recomputed >= 1);
    assert.equal((await findRecordPublicity(t.db, id!))!.publicityUntil, '2026-12-01');
    assert.equal((await syncPublicityRules(t.db, cfg)).changed, true);
    assert.equal((await findRecordPublicity(t.db, id!))!.publicityUntil, '2027-06-01');
  });

  it('the read path uses the stored end: past its class maximum a record leaves public and institution views, in reports too', async () => {
    await ensureInstitution(t.ctx);
    const other = testUscc(42);
    const row = (no: string, decidedOn: string, extra: Record<string, unknown> = {}) => ({
      uscc: other,
      name: '郑州公示期满测试有限公司',
      penalty_decision_no: no,
      decided_on: decidedOn,
      penalty_content: '罚款',
      ...extra,
    });
    const [general, minor, old] = await storeRecords(t.ctx, catalog, 'admin_penalty', [
      row('罚〔2026〕G1号', '2026-04-10'), // 2026 measures, 一般: public until 2027-04-10
      row('罚〔2026〕M1号', '2026-05-20', { severity: 'minor' }), // 轻微: not published
      row('罚〔2025〕O1号', '2025-06-01'), // Order 58: until 2028-06-01
    ]);
    const owner: Actor = { type: 'enterprise', id: 'u-pub', uscc: other };
    const bank: Actor = { type: 'institution', id: 'bank-user', orgId: 'test_bank' };
    const anonymous: Actor = { type: 'anonymous' };
    const at = (day: string) => () => new Date(`${day}T04:00:00Z`);
    const read = async (actor: Actor, day: string) => {
      const r = await readRecords(
        { db: t.db, fieldCrypto: t.ctx.fieldCrypto, catalog: t.ctx.catalog, clock: at(day) },
        { actor, uscc: other, kinds: ['admin_penalty'] },
      );
      return new Map(r.records.map((x) => [x.recordId, x]));
    };

    // Today (2026-11-22): the 轻微 record was never public; the others are.
    const now = await read(anonymous, '2026-11-22');
    assert.deepEqual([now.has(general!), now.has(minor!), now.has(old!)], [true, false, true]);
    assert.equal(
      now.get(general!)!.publicityUntil,
      '2027-04-10',
      'the class maximum, not the catalog’s 36 months',
    );

    // 2027-05-01: the 一般 record's year is over. Gone for the public and institutions…
    for (const actor of [anonymous, bank]) {
      const later = await read(actor, '2027-05-01');
      assert.equal(later.has(general!), false, actor.type);
      assert.equal(later.has(old!), true, `${actor.type}: Order 58 keeps 36 months`);
    }
    // …shown to the subject as 公示期满.
    const own = await read(owner, '2027-05-01');
    assert.deepEqual(
      own.get(general!)!.marks.map((m) => m.zh),
      ['公示期满'],
    );

    // Reports read through the same path (real clock: the 轻微 record is already out of public view).
    const meta = await t.ctx.reports.createReport(anonymous, { uscc: other, type: 'public' });
    const doc = JSON.stringify(await t.ctx.reports.getDocument(anonymous, meta.number));
    assert.ok(doc.includes('罚〔2026〕G1号') && !doc.includes('罚〔2026〕M1号'));
  });
});

describe('realDay (a calendar day, or null)', () => {
  it('accepts real days only, leap years by the Gregorian rule', async () => {
    const { realDay } = await import('./publicity-compute.ts');
    for (const d of ['2024-02-29', '2000-02-29', '2023-12-31', '2023-04-30', '1999-01-01']) {
      assert.equal(realDay(d), d);
    }
    for (const d of [
      '2023-02-29',
      '1900-02-29',
      '2023-04-31',
      '2023-13-01',
      '2023-00-10',
      '2023-1-5',
      '2023/01/05',
      20230105,
      null,
    ]) {
      assert.equal(realDay(d), null, String(d));
    }
  });
});
