import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../access/actor.ts';
import { chinaDay } from '../access/china-time.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import {
  computeFeaturesForRange,
  computeFeaturesForSubjects,
} from '../records/evaluation-features.repository.ts';
import { modelFeatures } from './model.schema.ts';
import { recordWriter, registerSubject, registerSubjects, testUscc, type RecordWriter } from './testing.ts';

/**
 * Incremental evaluation re-evaluates exactly the subjects whose inputs changed since the last run:
 * new record versions, record marks (repair, objection) and — through the subject-rights module's real
 * service — public credit commitments and the declarations made under them (docs/decisions/0082).
 */
describe('incremental evaluation follows every input of the model', () => {
  let t: TestApp;
  let w: RecordWriter;
  const subject = testUscc(501);
  const other = testUscc(502);
  const owner: Actor = { type: 'enterprise', id: 'u-501', uscc: subject };
  const operator: Actor = { type: 'operator', id: 'op1' };

  before(async () => {
    t = await createTestApp();
    w = await recordWriter(t.db);
    for (const u of [subject, other]) await registerSubject(w, t.db, u);
    await t.ctx.evaluation.ensureModel();
    const full = await t.ctx.evaluation.run({ mode: 'full' });
    assert.equal(full.subjectsEvaluated, 2);
  });
  after(() => t.close());

  const indicator = async (code: string) =>
    (await t.ctx.evaluation.getSubjectEvaluation(operator, subject)).indicators!.find(
      (i) => i.code === code,
    )!;

  it('a new record queues only its subject', async () => {
    assert.equal(await t.ctx.evaluation.countPending(), 0, 'a full run empties the queue');
    await w.put('admin_penalty', other, [
      { penalty_decision_no: '郑市监罚〔2026〕9号', decided_on: chinaDay(new Date()), fine_amount: 1000 },
    ]);
    assert.equal(await t.ctx.evaluation.countPending(), 1);
    const r = await t.ctx.evaluation.run({ mode: 'incremental' });
    assert.equal(r.subjectsEvaluated, 1);
    assert.equal(await t.ctx.evaluation.countPending(), 0);
    const nothing = await t.ctx.evaluation.run({ mode: 'auto' });
    assert.equal(nothing.skipped, 'nothing queued');
  });

  it('signing a commitment, declaring under it and breaking it each re-evaluate the subject', async () => {
    const before = (await indicator('commitments_kept')).points;
    const text = t.ctx.rights.currentCommitmentText();
    const c = await t.ctx.rights.signCommitment(owner, {
      purpose: 'declaration',
      signerName: '张三',
      textVersion: text.version,
    });
    assert.equal(await t.ctx.evaluation.countPending(), 1, 'signing queues the subject');
    let r = await t.ctx.evaluation.run({ mode: 'incremental' });
    assert.equal(r.subjectsEvaluated, 1);
    const kept = await indicator('commitments_kept');
    assert.ok(kept.points > before, 'a commitment in force earns its points without a full run');

    await t.ctx.rights.declare(owner, {
      type: 'qualification',
      data: { name: '建筑业企业资质证书', number: 'D241000001' },
      commitmentId: c.id,
    });
    assert.equal(await t.ctx.evaluation.countPending(), 1, 'a declaration queues the subject');
    await t.ctx.evaluation.run({ mode: 'incremental' });

    await t.ctx.rights.breakCommitment(operator, c.id, { reason: '资质证书经核查为伪造' });
    assert.equal(await t.ctx.evaluation.countPending(), 1, 'breaking it queues the subject');
    r = await t.ctx.evaluation.run({ mode: 'incremental' });
    assert.equal(r.subjectsEvaluated, 1);
    const broken = await indicator('commitments_broken');
    assert.equal(broken.value, 1);
    assert.equal(broken.points, 0, 'the broken commitment costs its points at once');
    const view = await t.ctx.evaluation.getSubjectEvaluation(operator, subject);
    assert.ok(view.history.length >= 3, 'each change is a row of the score history');
  });

  it('computes the same features for a whole chunk (its plan forced) as subject by subject', async () => {
    // More than 100 targets: the chunk statement runs with the index-ordered plan forced
    // (withIndexOrderedPlan); a handful of subjects runs as planned. Both must agree on every value.
    const many = Array.from({ length: 150 }, (_, i) => testUscc(600 + i));
    await registerSubjects(t.db, many);
    await w.putRows(
      'admin_penalty',
      many.slice(0, 60).map((u, i) => ({
        uscc: u,
        penalty_decision_no: `郑市监罚〔2026〕${100 + i}号`,
        decided_on: '2026-01-15',
        fine_amount: 1000 + i,
      })),
    );
    const model = await t.ctx.evaluation.currentModel();
    const specs = modelFeatures(model);
    const asOf = chinaDay(new Date());
    const chunk = await computeFeaturesForRange(t.db, specs, { from: many[0]!, to: many.at(-1)! }, asOf);
    const listed = await computeFeaturesForSubjects(t.db, specs, many, asOf);
    assert.equal(chunk.length, 150);
    assert.deepEqual(
      listed.map((r) => [r.uscc, r.values]),
      chunk.map((r) => [r.uscc, r.values]),
    );
    const sample = [many[0]!, many[59]!, many[60]!, many[149]!];
    const one = await computeFeaturesForSubjects(t.db, specs, sample, asOf);
    const byUscc = new Map(chunk.map((r) => [r.uscc, r.values]));
    for (const r of one) assert.deepEqual(r.values, byUscc.get(r.uscc), r.uscc);
    const penalties = model.indicators.findIndex((i) => i.code === 'admin_penalties');
    assert.ok(penalties >= 0);
    assert.equal(byUscc.get(many[0]!)![penalties], 1);
    assert.equal(byUscc.get(many[60]!)![penalties], 0);
  });
});
