import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../access/actor.ts';
import { chinaDay } from '../access/china-time.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { recordWriter, registerSubject, testUscc, type RecordWriter } from './testing.ts';

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
});
