import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { addRecordMark } from '../access/record-marks.repository.ts';
import {
  computeFeaturesForLoans,
  computeFeaturesForSubjects,
} from '../records/evaluation-features.repository.ts';
import { AppError } from '../shared/errors.ts';
import { createTestDb, type TestDb } from '../test/db.ts';
import * as repo from './evaluation.repository.ts';
import {
  createEvaluationService,
  loadDefaultModelDocument,
  type EvaluationService,
} from './evaluation.service.ts';
import { featureKinds, type FeatureSpec } from './feature-spec.ts';
import { evaluationModelSchema, modelFeatures, type EvaluationModelDocument } from './model.schema.ts';
import { binOf, maxPoints, scoreSubject } from './scoring.ts';
import { recordWriter, registerSubject, testUscc, type RecordWriter } from './testing.ts';

const operator = { type: 'operator', id: 'op1' } as const;
const AS_OF = '2026-06-30';

describe('evaluation', () => {
  let t: TestDb;
  let w: RecordWriter;
  let ev: EvaluationService;
  const clean = testUscc(1);
  const troubled = testUscc(2);
  const third = testUscc(3);

  before(async () => {
    t = await createTestDb();
    w = await recordWriter(t.db);
    ev = createEvaluationService({ db: t.db });
    for (const u of [clean, troubled, third]) await registerSubject(w, t.db, u);
    await w.put('tax_credit_rating', clean, [
      { rating_year: 2024, tax_credit_level: 'A' },
      { rating_year: 2023, tax_credit_level: 'B' },
    ]);
    await w.put('tax_credit_rating', troubled, [
      { rating_year: 2024, tax_credit_level: 'D' },
      { rating_year: 2023, tax_credit_level: 'A' },
    ]);
    await w.put('dishonest_debtor', troubled, [
      { case_no: '(2025)豫01执1号', name: '某公司', published_on: '2025-09-01', performance: '全部未履行' },
    ]);
    await w.put('admin_penalty', troubled, [
      { penalty_decision_no: '郑市监罚〔2025〕1号', decided_on: '2025-03-01', fine_amount: 5000 },
      { penalty_decision_no: '郑市监罚〔2025〕2号', decided_on: '2025-04-01', fine_amount: 8000 },
    ]);
  });
  after(() => t.close());

  describe('model as versioned configuration', () => {
    it('seeds the default model over every listed category, adding up to exactly 1000 points', async () => {
      const m = await ev.ensureModel();
      assert.equal(m.version, 1);
      assert.equal(
        m.indicators.reduce((s, i) => s + maxPoints(i), 0),
        1000,
      );
      const kinds = new Set(m.indicators.flatMap((i) => featureKinds(i.feature)));
      for (const k of [
        'annual_report',
        'abnormal_operation',
        'serious_illegal_list',
        'court_judgment',
        'enforcement',
        'dishonest_debtor',
        'tax_credit_rating',
        'tax_arrears',
        'social_insurance_payment',
        'social_insurance_arrears',
        'housing_fund_statistics',
        'housing_fund_deposit',
        'water_fee',
        'electricity_fee',
        'gas_fee',
        'environmental_credit',
        'customs_credit',
        'trademark',
        'patent',
        'science_tech',
        'admin_penalty',
        'admin_reward',
      ]) {
        assert.ok(kinds.has(k), `default model reads ${k}`);
      }
      const ledger = await t.db
        .selectFrom('ledger_entries')
        .select(['entry_type', 'payload'])
        .where('entry_type', '=', 'evaluation_model')
        .execute();
      assert.equal(ledger.length, 1);
    });

    it('refuses a model whose maxima do not add up to 1000, or without a catch-all bin', async () => {
      const doc = loadDefaultModelDocument();
      const broken = structuredClone(doc) as EvaluationModelDocument;
      broken.indicators[0]!.bins[broken.indicators[0]!.bins.length - 1]!.points = 999;
      await assert.rejects(ev.importModel(operator, broken), (e: unknown) => {
        assert.ok(e instanceof AppError && e.code === 'evaluation_model_invalid');
        assert.match(e.messageEn, /add up to/);
        return true;
      });
      const noCatchAll = structuredClone(doc) as EvaluationModelDocument;
      noCatchAll.indicators[1]!.bins.pop();
      await assert.rejects(ev.importModel(operator, noCatchAll), /catch-all/);
      await assert.rejects(ev.importModel(operator, { label: 'x' }), /Invalid evaluation model/);
    });

    it('imports a new version without code; the default model names only kinds and fields the catalog has', async () => {
      const doc = loadDefaultModelDocument();
      const changed = structuredClone(doc) as EvaluationModelDocument;
      changed.label = 'v2 测试';
      const r = await ev.importModel(operator, changed);
      assert.equal(r.version, 2);
      assert.ok(!r.warnings.some((x) => x.includes('kind not in catalog')), r.warnings.join('; '));
      assert.equal((await ev.getModel()).version, 2);
      assert.equal((await ev.getModel(1)).version, 1);
    });
  });

  describe('runs', () => {
    it('evaluates every subject; reasons are the indicators that lost the most points', async () => {
      const r = await ev.run({ mode: 'full', asOf: AS_OF });
      assert.equal(r.subjectsEvaluated, 3);
      assert.equal(r.subjectsChanged, 3);
      const model = await ev.getModel();
      const [row] = await computeFeaturesForSubjects(t.db, modelFeatures(model), [troubled], AS_OF);
      const s = scoreSubject(model, row!.values);
      const view = await ev.getSubjectEvaluation(operator, troubled);
      assert.equal(view.score, s.score);
      // Independently: the top four indicators by (max − earned).
      const lost = model.indicators
        .map((ind, i) => ({
          code: ind.code,
          lost: maxPoints(ind) - ind.bins[binOf(ind, row!.values[i] ?? null)]!.points,
        }))
        .filter((x) => x.lost > 0)
        .sort((a, b) => b.lost - a.lost);
      assert.deepEqual(
        view.reasons!.map((x) => x.indicator),
        lost.slice(0, 4).map((x) => x.code),
      );
      assert.equal(view.reasons![0]!.code, 'R_TAX_GRADE');
      assert.equal(view.reasons![0]!.pointsLost, 90);
      assert.match(view.reasons![0]!.zh, /D 级/);
      assert.equal(view.reasons![1]!.code, 'R_DISHONEST_DEBTOR');
      assert.ok(view.reasons!.some((x) => x.code === 'R_ADMIN_PENALTY'));
      // The clean subject is not blamed for what the troubled one did.
      const cleanView = await ev.getSubjectEvaluation(operator, clean);
      assert.ok(cleanView.score > view.score);
      for (const code of ['R_TAX_GRADE', 'R_DISHONEST_DEBTOR', 'R_ADMIN_PENALTY']) {
        assert.ok(!cleanView.reasons!.some((x) => x.code === code), code);
      }
      // The indicator breakdown adds up to the score.
      assert.equal(Math.round(view.indicators!.reduce((sum, i) => sum + i.points, 0)), view.score);
    });

    it('records each run in the ledger with a digest of its results', async () => {
      const runs = await ev.listRuns();
      const run = runs[0]!;
      const entry = await t.db
        .selectFrom('ledger_entries')
        .select(['payload'])
        .where('entry_type', '=', 'evaluation_run')
        .where('ref_id', '=', String(run.id))
        .executeTakeFirstOrThrow();
      const payload = entry.payload as Record<string, unknown>;
      assert.equal(payload.subjects_evaluated, 3);
      assert.equal(payload.model_version, 2);
      // The digest is SHA-256 over "uscc\tscore\tgrade\treason codes" lines in uscc order.
      const current = await repo.listCurrentScores(t.db, { usccs: [clean, troubled, third] });
      const lines = current
        .sort((a, b) => (a.uscc < b.uscc ? -1 : 1))
        .map((s) => `${s.uscc}\t${s.score}\t${s.grade}\t${s.reasons.map((x) => x.code).join(',')}\n`)
        .join('');
      assert.equal(payload.results_digest, createHash('sha256').update(lines).digest('hex'));
    });

    it('re-evaluates incrementally only the subjects touched by new record versions', async () => {
      const before = await repo.listCurrentScores(t.db, { usccs: [clean, troubled, third] });
      // Nothing new: nothing to do.
      const idle = await ev.run({ mode: 'incremental', asOf: AS_OF });
      assert.equal(idle.runId, null);
      // The debtor performs its obligation: a new version of the same record.
      await w.put('dishonest_debtor', troubled, [
        { case_no: '(2025)豫01执1号', name: '某公司', published_on: '2025-09-01', performance: '已履行' },
      ]);
      const r = await ev.run({ mode: 'incremental', asOf: AS_OF });
      assert.equal(r.mode, 'incremental');
      assert.equal(r.subjectsEvaluated, 1);
      assert.equal(r.subjectsChanged, 1);
      const after = await repo.listCurrentScores(t.db, { usccs: [clean, troubled, third] });
      for (const u of [clean, third]) {
        assert.equal(after.find((s) => s.uscc === u)!.id, before.find((s) => s.uscc === u)!.id);
      }
      const now = after.find((s) => s.uscc === troubled)!;
      assert.equal(now.runId, r.runId);
      assert.ok(now.score > before.find((s) => s.uscc === troubled)!.score);
      assert.ok(!now.reasons.some((x) => x.code === 'R_DISHONEST_DEBTOR'));
      // History kept: the earlier score is still there.
      const view = await ev.getSubjectEvaluation(operator, troubled);
      assert.equal(view.history.length, 2);
      assert.equal(await ev.countPending(), 0);
    });

    it('excludes repaired records and counts disputed ones, flagging their reasons', async () => {
      const ids = await w.put('abnormal_operation', third, [
        { is_listed: true, listing_reason_type: '未按期公示年报', listed_on: '2025-01-10' },
      ]);
      const [penalty] = await w.put('admin_penalty', third, [
        { penalty_decision_no: '郑环罚〔2025〕9号', decided_on: '2025-05-01', fine_amount: 100000 },
      ]);
      await ev.run({ mode: 'incremental', asOf: AS_OF });
      let view = await ev.getSubjectEvaluation(operator, third);
      assert.ok(view.reasons!.some((x) => x.code === 'R_ABNORMAL_OPERATION' && !x.disputed));
      assert.ok(view.reasons!.some((x) => x.code === 'R_ADMIN_PENALTY'));

      await addRecordMark(t.db, {
        recordId: penalty!,
        uscc: third,
        mark: 'repaired',
        sourceTable: 'repairs',
        sourceId: 1,
      });
      await addRecordMark(t.db, {
        recordId: ids[0]!,
        uscc: third,
        mark: 'disputed',
        sourceTable: 'objections',
        sourceId: 1,
      });
      // Marks take effect from the day they are set: evaluate as of today.
      const r = await ev.run({ mode: 'incremental' });
      assert.equal(r.subjectsEvaluated, 1, 'marks queue the subject for re-evaluation');
      view = await ev.getSubjectEvaluation(operator, third);
      assert.ok(
        !view.reasons!.some((x) => x.code === 'R_ADMIN_PENALTY'),
        'repaired penalty no longer counts',
      );
      const flagged = view.reasons!.find((x) => x.code === 'R_ABNORMAL_OPERATION');
      assert.ok(flagged?.disputed, 'disputed listing still counts, flagged');
    });

    it('counts public credit commitments: kept ones earn points, a broken one costs them', async () => {
      const commitment = (status: string, brokenAt: string | null) =>
        t.db
          .insertInto('commitments')
          .values({
            uscc: clean,
            text_version: 'v1',
            text_sha256: 'x',
            purpose: 'general',
            signed_by: 'u1',
            signer_name: '张三',
            signed_at: new Date('2025-01-05T00:00:00Z'),
            status,
            broken_reason: brokenAt ? '与后续记录矛盾' : null,
            broken_at: brokenAt ? new Date(brokenAt) : null,
          })
          .execute();
      assert.equal(await ev.countPending(), 0);
      await commitment('in_force', null);
      await commitment('broken', '2026-02-01T00:00:00Z');
      // Commitments are inputs of the model: signing one queues the subject like a new record does.
      assert.equal(await ev.countPending(), 1, 'a signed commitment queues its subject');
      const run = await ev.run({ mode: 'incremental', asOf: AS_OF });
      assert.equal(run.subjectsEvaluated, 1);
      const view = await ev.getSubjectEvaluation(operator, clean);
      const broken = view.indicators!.find((i) => i.code === 'commitments_broken')!;
      assert.equal(broken.value, 1);
      assert.equal(broken.points, 0);
      assert.equal(view.indicators!.find((i) => i.code === 'commitments_kept')!.points, 5);
      // Before it was broken, the same subject lost nothing for it.
      const model = await ev.getModel();
      const at = (d: string) => computeFeaturesForSubjects(t.db, modelFeatures(model), [clean], d);
      const idx = model.indicators.findIndex((i) => i.code === 'commitments_broken');
      assert.equal((await at('2026-01-15'))[0]!.values[idx], 0);
      assert.equal((await at('2026-03-01'))[0]!.values[idx], 1);
    });

    it('refuses a second run while one is running', async () => {
      const id = await repo.insertRun(t.db, {
        modelVersion: 2,
        mode: 'full',
        asOf: AS_OF,
        triggeredBy: 'test',
        recordWatermark: 0,
      });
      assert.ok(id);
      await assert.rejects(ev.run({ mode: 'full', asOf: AS_OF }), /already in progress/);
      await repo.failRun(t.db, id!, 'test');
    });
  });

  describe('features as of a date (no look-ahead)', () => {
    const u = testUscc(10);
    const specs: FeatureSpec[] = [
      evaluationModelSchema.shape.indicators.element.shape.feature.parse({
        type: 'count',
        kinds: ['abnormal_operation'],
        where: [{ field: 'removed_on', op: 'absent_or_after_as_of' }],
      }),
      evaluationModelSchema.shape.indicators.element.shape.feature.parse({
        type: 'count',
        kinds: ['admin_penalty'],
        window_months: 12,
      }),
      evaluationModelSchema.shape.indicators.element.shape.feature.parse({
        type: 'latest',
        kinds: ['tax_credit_rating'],
        field: 'tax_credit_level',
        order_field: 'rating_year',
        event_date: { field: 'rating_year', type: 'year', available_months_after_year_end: 4 },
      }),
    ];

    before(async () => {
      await registerSubject(w, t.db, u);
      await w.put('abnormal_operation', u, [
        { is_listed: true, listed_on: '2024-03-01', removed_on: '2024-09-01' },
      ]);
      await w.put('admin_penalty', u, [
        { penalty_decision_no: 'A', decided_on: '2024-01-15' },
        { penalty_decision_no: 'B', decided_on: '2024-11-15' },
      ]);
      await w.put('tax_credit_rating', u, [
        { rating_year: 2022, tax_credit_level: 'B' },
        { rating_year: 2023, tax_credit_level: 'C' },
      ]);
    });

    it('counts only what had happened by the date, with dated facts compared to it', async () => {
      const at = async (d: string) => (await computeFeaturesForSubjects(t.db, specs, [u], d))[0]!.values;
      assert.deepEqual(await at('2024-02-01'), [0, 1, 'B']);
      assert.deepEqual(await at('2024-06-01'), [1, 1, 'C']); // 2023 grade out on 2024-04-30
      assert.deepEqual(await at('2024-10-01'), [0, 1, 'C']); // removed from the list on 2024-09-01
      assert.deepEqual(await at('2025-02-01'), [0, 1, 'C']); // A left the 12-month window
      assert.deepEqual(await at('2023-04-01'), [0, 0, null]); // the 2022 grade is out on 2023-04-30
    });

    it('counts a penalty only while it is in its publicity period under the repair rules', async () => {
      // Decided after 2026-04-01 (信用修复管理办法): 轻微 is not published beyond its decision day,
      // 一般 at most 1 year; a provider's own end date wins over the rules.
      const v = testUscc(11);
      await registerSubject(w, t.db, v);
      await w.put('admin_penalty', v, [
        { penalty_decision_no: 'M', decided_on: '2026-05-01', severity: '轻微' },
        { penalty_decision_no: 'G', decided_on: '2026-05-01', severity: '一般' },
        { penalty_decision_no: 'P', decided_on: '2026-05-01', publicity_until: '2026-08-01' },
      ]);
      const inPublicity = evaluationModelSchema.shape.indicators.element.shape.feature.parse({
        type: 'count',
        kinds: ['admin_penalty'],
        window_months: 36,
        where: [{ field: 'publicity_until', op: 'in_publicity_as_of' }],
      });
      const at = async (d: string) =>
        (await computeFeaturesForSubjects(t.db, [inPublicity], [v], d))[0]!.values[0];
      assert.equal(await at('2026-07-01'), 2); // 一般 and the provider-dated one
      assert.equal(await at('2026-09-01'), 1); // the provider's end passed
      assert.equal(await at('2027-05-02'), 0); // 一般: one year from the decision
      const [loan] = await computeFeaturesForLoans(t.db, [inPublicity], [{ uscc: v, asOf: '2026-07-01' }]);
      assert.equal(loan!.values[0], 2);
    });

    it('gives each loan its own date, and in "known" mode only what the platform held then', async () => {
      const rows = await computeFeaturesForLoans(t.db, specs, [
        { uscc: u, asOf: '2024-06-01' },
        { uscc: u, asOf: '2024-02-01' },
        { uscc: testUscc(999), asOf: '2024-06-01' },
      ]);
      assert.deepEqual(
        rows.map((r) => r.values),
        [
          [1, 1, 'C'],
          [0, 1, 'B'],
          [0, 0, null],
        ],
      );
      assert.deepEqual(
        rows.map((r) => r.known),
        [true, true, false],
      );
      // The records reached the platform today: yesterday it knew none of them.
      const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
      const known = await computeFeaturesForLoans(t.db, specs, [{ uscc: u, asOf: yesterday }], {
        knowledge: 'known',
      });
      assert.deepEqual(known[0]!.values, [0, 0, null]);
      const occurred = await computeFeaturesForLoans(t.db, specs, [{ uscc: u, asOf: yesterday }]);
      assert.equal(occurred[0]!.values[2], 'C');
    });
  });
});
