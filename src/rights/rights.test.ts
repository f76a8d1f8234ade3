import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../access/actor.ts';
import type { ReadRecord } from '../access/read-path.types.ts';
import { ensureInstitution, storeRecords, testUscc } from '../accounts/accounts.testing.ts';
import type { Catalog } from '../catalog/catalog.schema.ts';
import { AppError } from '../shared/errors.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { seedCatalog } from '../test/catalog.ts';
import { startRightsJob } from './rights.job.ts';
import { createRightsService } from './rights.service.ts';

const uscc = testUscc(31);
const name = '郑州异议测试有限公司';

describe('subject rights: objections, repair, commitments', () => {
  let t: TestApp;
  let catalog: Catalog;
  let providerId: string;
  let ids: Record<string, number>;
  const owner: Actor = { type: 'enterprise', id: 'u-owner', uscc };
  const stranger: Actor = { type: 'enterprise', id: 'u-other', uscc: testUscc(32) };
  const operator: Actor = { type: 'operator', id: 'op-1' };
  const bank: Actor = { type: 'institution', id: 'bank-user', orgId: 'test_bank' };
  let provider: Actor;

  const penalty = (no: string, decidedOn: string, extra: Record<string, unknown> = {}) => ({
    uscc,
    name,
    penalty_decision_no: no,
    decided_on: decidedOn,
    publicity_until: '2099-12-31',
    penalty_content: '罚款',
    ...extra,
  });

  async function view(actor: Actor): Promise<Map<number, ReadRecord>> {
    const r = await t.ctx.access.readRecords({ actor, uscc, kinds: ['admin_penalty'] });
    return new Map(r.records.map((x) => [x.recordId, x]));
  }
  const marks = (r: ReadRecord | undefined) => r?.marks.map((m) => m.zh) ?? [];

  before(async () => {
    t = await createTestApp();
    catalog = await seedCatalog(t.db);
    await ensureInstitution(t.ctx);
    providerId = catalog.kinds.find((k) => k.code === 'admin_penalty')!.providers[0]!.id;
    provider = { type: 'provider', id: 'prov-client', orgId: providerId };
    const list = [
      penalty('罚〔2025〕1号', '2025-06-01'), // confirm
      penalty('罚〔2025〕2号', '2025-06-01'), // correct
      penalty('罚〔2025〕3号', '2025-06-01'), // withdraw
      penalty('罚〔2025〕4号', '2025-06-01'), // rejected at filing, overdue
      penalty('罚〔2025〕5号', '2025-06-01'), // repair success
      penalty('罚〔2026〕6号', '2026-10-01'), // repair: minimum not passed (2026 measures)
      penalty('罚〔2026〕7号', '2026-01-10', { penalty_basis: '《中华人民共和国消防法》第六十条' }), // Order 58 消防: 1 year
      penalty('罚〔2026〕8号', '2026-01-10'), // Order 58 ordinary: 3 months
      penalty('罚〔2025〕10号', '2025-06-01'), // periodic job
      penalty('罚〔2025〕11号', '2025-06-01'), // deadline into 2027
    ];
    const recordIds = await storeRecords(t.ctx, catalog, 'admin_penalty', list);
    ids = Object.fromEntries(
      ['confirm', 'correct', 'withdraw', 'reject', 'repair', 'young', 'fire', 'plain', 'job', 'y2027'].map(
        (k, i) => [k, recordIds[i]!],
      ),
    );
  });
  after(() => t.close());

  async function fileAndForward(recordId: number, reasons: string) {
    const filed = await t.ctx.rights.fileObjection(owner, {
      recordId,
      reasons,
      fieldCode: 'penalty_content',
      attachments: [
        {
          fileName: 'proof.pdf',
          contentType: 'application/pdf',
          content: Buffer.from('%PDF-1.4 proof').toString('base64'),
        },
      ],
    });
    assert.equal(filed.status, 'filed');
    assert.ok(filed.dueOn, 'acceptance deadline set');
    const accepted = await t.ctx.rights.acceptObjection(operator, filed.id, { accept: true });
    assert.equal(accepted.status, 'accepted');
    const forwarded = await t.ctx.rights.forwardObjection(operator, filed.id, {});
    assert.equal(forwarded.status, 'forwarded');
    assert.ok(forwarded.dueOn! > accepted.dueOn!, 'the provider has 10 working days');
    return filed;
  }

  it('marks a record under objection 异议处理中 for the subject, institutions, the public and in reports', async () => {
    const filed = await fileAndForward(ids.confirm!, '处罚内容有误 / the penalty content is wrong');
    assert.equal(filed.attachments.length, 1);
    assert.match(filed.attachments[0]!.sha256, /^[0-9a-f]{64}$/);
    for (const actor of [owner, bank, { type: 'anonymous' } as Actor, operator]) {
      assert.ok(marks((await view(actor)).get(ids.confirm!)).includes('异议处理中'), actor.type);
    }
    const meta = await t.ctx.reports.createReport(owner, { uscc, type: 'self' });
    const doc = JSON.stringify(await t.ctx.reports.getDocument(owner, meta.number));
    assert.ok(doc.includes('异议处理中'), 'self report carries the mark');
    const pub = await t.ctx.reports.createReport({ type: 'anonymous' }, { uscc, type: 'public' });
    assert.ok(
      JSON.stringify(await t.ctx.reports.getDocument({ type: 'anonymous' }, pub.number)).includes(
        '异议处理中',
      ),
    );
    // A second objection to the same record while one is open is refused.
    await assert.rejects(
      t.ctx.rights.fileObjection(owner, { recordId: ids.confirm!, reasons: 'again' }),
      (e: unknown) => e instanceof AppError && e.code === 'objection_open',
    );
  });

  it('confirm → decide: the record stands, the mark is cleared, the enterprise is told', async () => {
    const [open] = await t.ctx.rights.listObjections(owner, { open: true });
    const answered = await t.ctx.rights.answerObjection(provider, open!.id, {
      answer: 'confirm',
      note: '经核实无误',
    });
    assert.equal(answered.status, 'answered');
    const done = await t.ctx.rights.decideObjection(operator, open!.id, { note: '维持' });
    assert.equal(done.outcome, 'upheld');
    assert.deepEqual(
      done.history.map((h) => h.event),
      ['filed', 'accepted', 'forwarded', 'answered', 'decided', 'notified'],
    );
    assert.match(done.history.at(-1)!.note!, /维持/);
    assert.ok(!marks((await view(bank)).get(ids.confirm!)).includes('异议处理中'));
    // Someone else's enterprise cannot see the case.
    await assert.rejects(
      t.ctx.rights.getObjection(stranger, open!.id),
      (e: unknown) => e instanceof AppError && e.status === 404,
    );
  });

  it('correct: the provider writes a new version; the old one stays in the history', async () => {
    const filed = await fileAndForward(ids.correct!, '罚款金额有误');
    await assert.rejects(
      t.ctx.rights.answerObjection({ type: 'provider', id: 'x', orgId: 'another_provider' }, filed.id, {
        answer: 'confirm',
        note: 'n',
      }),
      (e: unknown) => e instanceof AppError && e.status === 404,
      'another provider cannot answer',
    );
    await t.ctx.rights.answerObjection(provider, filed.id, {
      answer: 'correct',
      note: '更正处罚内容',
      changes: { penalty_content: '警告' },
    });
    const done = await t.ctx.rights.decideObjection(operator, filed.id, {});
    assert.equal(done.outcome, 'corrected');
    const r = await t.ctx.access.readRecords({
      actor: owner,
      uscc,
      kinds: ['admin_penalty'],
      includeHistory: true,
    });
    const rec = r.records.find((x) => x.recordId === ids.correct)!;
    assert.equal(rec.data.penalty_content, '警告');
    assert.equal(rec.version, 2);
    assert.equal(rec.history?.[0]?.data.penalty_content, '罚款');
  });

  it('withdraw: the record leaves institution and public views, the subject sees 已撤回', async () => {
    const filed = await fileAndForward(ids.withdraw!, '非本企业违法行为');
    await t.ctx.rights.answerObjection(provider, filed.id, { answer: 'withdraw', note: '主体错误，撤回' });
    const done = await t.ctx.rights.decideObjection(operator, filed.id, {});
    assert.equal(done.outcome, 'withdrawn');
    assert.equal((await view(bank)).has(ids.withdraw!), false);
    assert.ok(marks((await view(owner)).get(ids.withdraw!)).includes('已撤回'));
  });

  it('rejection at filing clears the mark; an overdue step escalates once per missed deadline', async () => {
    const filed = await t.ctx.rights.fileObjection(owner, { recordId: ids.reject!, reasons: '无理由' });
    // 30 days later nobody has accepted it: overdue on read, escalated by the periodic check.
    const later = createRightsService({
      db: t.db,
      catalog: t.ctx.catalog,
      fieldCrypto: t.ctx.fieldCrypto,
      clock: () => new Date(Date.now() + 30 * 86_400_000),
    });
    const late = await later.getObjection(owner, filed.id);
    assert.equal(late.overdue, true);
    assert.ok(late.workingDaysLate > 10, String(late.workingDaysLate));
    assert.equal((await t.ctx.rights.getObjection(owner, filed.id)).overdue, false, 'not overdue today');
    assert.deepEqual((await later.checkOverdue()).escalated, [filed.id]);
    assert.deepEqual((await later.checkOverdue()).escalated, [], 'one escalation per deadline');
    const escalated = await later.getObjection(operator, filed.id);
    assert.equal(escalated.escalationLevel, 1);
    assert.ok(escalated.history.some((h) => h.event === 'escalated'));

    const rejected = await t.ctx.rights.acceptObjection(operator, filed.id, {
      accept: false,
      note: '理由不充分',
    });
    assert.equal(rejected.status, 'rejected');
    assert.equal(rejected.outcome, 'rejected_at_filing');
    assert.ok(rejected.history.some((h) => h.event === 'notified'));
    assert.ok(!marks((await view(bank)).get(ids.reject!)).includes('异议处理中'));
    await assert.rejects(
      t.ctx.rights.forwardObjection(operator, filed.id, {}),
      (e: unknown) => e instanceof AppError && e.code === 'rights_step_invalid',
    );
    const ledger = await t.db
      .selectFrom('ledger_queue')
      .select('entry_type')
      .where('entry_type', '=', 'objection')
      .execute();
    assert.ok(ledger.length >= 14, `objection ledger entries: ${ledger.length}`);
  });

  it('the periodic job started by serve escalates a step filed long ago', async () => {
    const past = createRightsService({
      db: t.db,
      catalog: t.ctx.catalog,
      fieldCrypto: t.ctx.fieldCrypto,
      clock: () => new Date(Date.now() - 30 * 86_400_000),
    });
    const filed = await past.fileObjection(owner, { recordId: ids.job!, reasons: '旧案 / old case' });
    const lines: string[] = [];
    const stop = startRightsJob(t.ctx, { log: (l) => lines.push(l) });
    try {
      // Wait for the job's first run (it starts at once) to log its escalation.
      for (let i = 0; i < 400 && !lines.some((l) => l.includes(`#${filed.id}`)); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      stop();
    }
    const now = await t.ctx.rights.getObjection(operator, filed.id);
    assert.equal(now.escalationLevel, 1);
    assert.equal(now.overdue, true);
    assert.ok(
      lines.some((l) => l.includes(`#${filed.id}`)),
      lines.join('\n'),
    );
  });

  it('refuses a repair with every reason in zh and en, then grants it: hidden from institutions and the public', async () => {
    const refused = await t.ctx.rights.applyForRepair(owner, {
      recordId: ids.repair!,
      penaltyFulfilled: false,
    });
    assert.equal(refused.status, 'refused');
    assert.deepEqual(
      refused.refusals.map((r) => r.code),
      ['not_fulfilled', 'no_commitment'],
    );
    assert.ok(refused.refusals.every((r) => r.zh && r.en));

    const text = t.ctx.rights.currentCommitmentText();
    const c = await t.ctx.rights.signCommitment(owner, {
      purpose: 'repair',
      signerName: '张三',
      textVersion: text.version,
    });
    const applied = await t.ctx.rights.applyForRepair(owner, {
      recordId: ids.repair!,
      penaltyFulfilled: true,
      fulfilmentNote: '罚款已缴纳',
      evidence: [
        {
          fileName: 'receipt.pdf',
          contentType: 'application/pdf',
          content: Buffer.from('receipt').toString('base64'),
        },
      ],
      commitmentId: c.id,
    });
    assert.equal(applied.status, 'under_review', JSON.stringify(applied.refusals));
    assert.equal(applied.regime, 'order58');
    const repaired = await t.ctx.rights.reviewRepair(operator, applied.id, {
      approve: true,
      note: '同意修复',
    });
    assert.equal(repaired.status, 'repaired');
    assert.equal((await view(bank)).has(ids.repair!), false, 'institution');
    assert.equal((await view({ type: 'anonymous' })).has(ids.repair!), false, 'public');
    assert.ok(marks((await view(owner)).get(ids.repair!)).includes('已修复'), 'subject sees 已修复');
    const meta = await t.ctx.reports.createReport(owner, { uscc, type: 'self' });
    assert.ok(JSON.stringify(await t.ctx.reports.getDocument(owner, meta.number)).includes('已修复'));
    assert.ok(repaired.history.some((h) => h.event === 'notified'));
  });

  it('applies the regime of the decision date: 2026 minimum periods and Order 58’s 1 year for 消防', async () => {
    const text = t.ctx.rights.currentCommitmentText();
    const c = await t.ctx.rights.signCommitment(owner, {
      purpose: 'repair',
      signerName: '张三',
      textVersion: text.version,
    });
    const base = {
      penaltyFulfilled: true,
      evidence: [{ fileName: 'e.pdf', contentType: 'application/pdf', content: 'ZQ==' }],
      commitmentId: c.id,
    };
    const young = await t.ctx.rights.applyForRepair(owner, { ...base, recordId: ids.young! });
    assert.equal(young.regime, 'measures2026');
    assert.equal(young.minUntil, '2027-01-01');
    assert.deepEqual(
      young.refusals.map((r) => r.code),
      ['min_period'],
    );
    assert.match(young.refusals[0]!.zh, /2027-01-01/);
    const fire = await t.ctx.rights.applyForRepair(owner, { ...base, recordId: ids.fire! });
    assert.equal(fire.minUntil, '2027-01-10');
    assert.equal(fire.status, 'refused');
    const plain = await t.ctx.rights.applyForRepair(owner, {
      ...base,
      recordId: ids.plain!,
      greenChannel: true,
    });
    assert.equal(plain.minUntil, '2026-04-10');
    assert.equal(plain.status, 'under_review');
    const queue = await t.ctx.rights.listRepairs(operator, { status: 'under_review' });
    assert.equal(queue[0]!.id, plain.id, 'green channel first');
  });

  it('declarations are marked 自愿申报 and need a commitment in force; a broken one hides them', async () => {
    const text = t.ctx.rights.currentCommitmentText();
    const c = await t.ctx.rights.signCommitment(owner, {
      purpose: 'declaration',
      signerName: '张三',
      textVersion: text.version,
    });
    await assert.rejects(
      t.ctx.rights.declare(owner, { type: 'lottery', data: {}, commitmentId: c.id }),
      (e: unknown) => e instanceof AppError && e.code === 'declaration_type_unknown',
    );
    await assert.rejects(
      t.ctx.rights.declare(stranger, { type: 'qualification', data: {}, commitmentId: c.id }),
      (e: unknown) => e instanceof AppError && e.code === 'commitment_required',
    );
    const d = await t.ctx.rights.declare(owner, {
      type: 'qualification',
      data: { name: '建筑业企业资质证书', number: 'D241000001' },
      commitmentId: c.id,
    });
    assert.equal(d.mark.zh, '自愿申报');
    const pub = await t.ctx.rights.listDeclarations({ type: 'anonymous' }, uscc);
    assert.equal(pub.length, 1);
    assert.equal(pub[0]!.mark.zh, '自愿申报');
    await t.ctx.rights.breakCommitment(operator, c.id, { reason: '资质证书经核查为伪造' });
    assert.equal((await t.ctx.rights.listDeclarations({ type: 'anonymous' }, uscc)).length, 0);
    const own = await t.ctx.rights.listDeclarations(owner, uscc);
    assert.equal(own[0]!.status, 'contradicted');
  });

  it('a deadline counted into 2027 is provisional until the 2027 notice is imported, then recounted and ledgered', async () => {
    // Wed 2026-12-30, 10:00 in China.
    const dec30 = createRightsService({
      db: t.db,
      catalog: t.ctx.catalog,
      fieldCrypto: t.ctx.fieldCrypto,
      clock: () => new Date('2026-12-30T02:00:00Z'),
    });
    const filed = await dec30.fileObjection(owner, {
      recordId: ids.y2027!,
      reasons: '年末提交 / filed at year end',
    });
    assert.equal(filed.dueOn, '2027-01-01', 'two working days, 2027 counted Monday–Friday');
    assert.equal(filed.dueOnProvisional, true);
    assert.match(filed.calendarWarning!.zh, /2027年节假日安排尚未导入/);
    assert.match(filed.calendarWarning!.en, /not loaded/);
    assert.match((await dec30.calendarStatus()).warning!.zh, /2027年/);

    const r = await dec30.importCalendarYear(operator, {
      year: 2027,
      source: '测试 / test',
      holidays: [{ day: '2027-01-01', name: '元旦' }],
      workdays: [],
    });
    assert.equal(r.deadlinesChanged, 1);
    const after = await dec30.getObjection(owner, filed.id);
    assert.equal(after.dueOn, '2027-01-04', 'New Year’s Day is a holiday: Monday');
    assert.equal(after.dueOnProvisional, false);
    assert.equal(after.calendarWarning, null);
    const changed = after.history.find((h) => h.event === 'deadline_changed')!;
    assert.deepEqual(changed.data, { from: '2027-01-01', to: '2027-01-04', calendarYear: 2027 });
    const ledger = await t.db
      .selectFrom('ledger_queue')
      .select('payload')
      .where('entry_type', '=', 'objection')
      .where('ref_id', '=', String(filed.id))
      .execute();
    assert.ok(ledger.some((l) => JSON.stringify(l.payload).includes('deadline_changed')));
    assert.equal((await dec30.calendarStatus()).warning, null);
  });
});
