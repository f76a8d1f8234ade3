import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiToken } from '../../access/authenticate.ts';
import type { Actor } from '../../access/actor.ts';
import { testUscc } from '../../accounts/accounts.testing.ts';
import { penaltyCsv } from '../../ingest/fixtures/files.ts';
import { AppError } from '../../shared/errors.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { seedCatalog } from '../../test/catalog.ts';
import { findRecordPublicity } from '../publicity/publicity.repository.ts';
import { loadRightsConfig } from '../rights-config.ts';
import { createRightsService } from '../rights.service.ts';
import { contradiction } from './contradiction-rules.ts';

const uscc = testUscc(51);
const name = '郑州承诺测试建筑有限公司';
const licenceNo = '豫建许〔2026〕88号';
const header = [
  '企业名称',
  '统一社会信用代码',
  '行政处罚决定文书号',
  '行政处罚决定日期',
  '行政机关名称',
  '违法事实',
  '暂扣或吊销证照名称及编号',
];

describe('broken commitments: automatic detection through ingestion, operator review, negative record', () => {
  let t: TestApp;
  const owner: Actor = { type: 'enterprise', id: 'u-cmt', uscc };
  const operator: Actor = { type: 'operator', id: 'op-7' };
  const anonymous: Actor = { type: 'anonymous' };
  // Commitments signed on 2026-06-01 (10:00 in China), before the penalties below.
  let june: ReturnType<typeof createRightsService>;

  const ingest = async (rows: string[][]) => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/batches?kind=admin_penalty',
      payload: penaltyCsv(rows, { header }),
      headers: { authorization: 'Bearer tok-ndrc-cmt', 'content-type': 'text/csv' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json() as { accepted: number; rejected: number; errors: unknown[] };
    assert.equal(out.rejected, 0, JSON.stringify(out.errors));
    return out;
  };
  const sign = (purpose: string, matterRef?: string) =>
    june.signCommitment(owner, {
      purpose,
      signerName: '李四',
      textVersion: june.currentCommitmentText().version,
      ...(matterRef ? { matterRef } : {}),
    });
  const penaltyRow = (no: string, date: string, facts: string, licence = '') => [
    name,
    uscc,
    no,
    date,
    '郑州市城乡建设局',
    facts,
    licence,
  ];

  before(async () => {
    t = await createTestApp();
    await seedCatalog(t.db);
    await createApiToken(t.db, { type: 'provider', id: 'ndrc' }, 'ndrc', 'tok-ndrc-cmt');
    await createApiToken(t.db, { type: 'operator', id: 'op-7' }, 'op', 'tok-op-cmt');
    june = createRightsService({
      db: t.db,
      catalog: t.ctx.catalog,
      fieldCrypto: t.ctx.fieldCrypto,
      clock: () => new Date('2026-06-01T02:00:00Z'),
    });
    // The subject exists once a provider has sent anything about it.
    await ingest([penaltyRow('郑建罚〔2026〕1号', '2026-03-02', '施工现场扬尘')]);
  });
  after(() => t.close());

  it('a licence commitment names its matter; unknown purposes are refused', async () => {
    await assert.rejects(
      sign('licence'),
      (e: unknown) => e instanceof AppError && e.code === 'validation_failed' && /matter/.test(e.message),
    );
    await assert.rejects(sign('lottery'), (e: unknown) => e instanceof AppError && e.status === 400);
  });

  it('flags a licence commitment when a later penalty names the licence; the public does not see the suspicion', async () => {
    const licence = await sign('licence', licenceNo);
    const general = await sign('general');
    assert.equal(licence.matterRef, licenceNo);
    await ingest([
      // Before the commitment: not "later".
      penaltyRow('郑建罚〔2026〕2号', '2026-05-20', '资质不符', `建筑业企业资质证书 ${licenceNo}`),
      // Another matter.
      penaltyRow('郑建罚〔2026〕3号', '2026-08-01', '未按规定报送', '安全生产许可证 豫安许〔2025〕1号'),
      // The contradicting record.
      penaltyRow(
        '郑建罚〔2026〕4号',
        '2026-09-15',
        '承诺后核查不具备资质条件',
        `建筑业企业资质证书 ${licenceNo}`,
      ),
    ]);
    const r = await t.ctx.rights.checkContradictions();
    assert.ok(r.checked >= 3, `checked ${r.checked}`);
    assert.equal(r.flagged.length, 1, JSON.stringify(r.flagged));
    assert.equal(r.flagged[0]!.commitmentId, licence.id);
    assert.deepEqual((await t.ctx.rights.checkContradictions()).flagged, [], 'each version is checked once');

    const own = await t.ctx.rights.listCommitments(owner, uscc);
    assert.equal(own.find((c) => c.id === licence.id)!.status, 'flagged');
    assert.equal(own.find((c) => c.id === general.id)!.status, 'in_force');
    const pub = await t.ctx.rights.listCommitments(anonymous, uscc);
    assert.equal(pub.find((c) => c.id === licence.id)!.status, 'in_force', 'a suspicion is not published');

    const [breach] = await t.ctx.rights.listBreaches(operator, { status: 'suspected' });
    assert.equal(breach!.ruleId, 'licence_matter_penalty');
    assert.equal(breach!.recordId, r.flagged[0]!.recordId);
    assert.deepEqual((breach!.evidence as { matched: unknown }).matched, {
      field: 'suspended_licence',
      text: licenceNo,
    });
    const ledger = await t.db
      .selectFrom('ledger_queue')
      .select('payload')
      .where('entry_type', '=', 'commitment')
      .where('ref_id', '=', String(licence.id))
      .execute();
    assert.ok(ledger.some((l) => JSON.stringify(l.payload).includes('"flagged"')));
  });

  it('an operator confirms over HTTP: the commitment is broken and a negative record appears in every public view with its source', async () => {
    const [breach] = await t.ctx.rights.listBreaches(operator, { status: 'suspected' });
    const res = await t.inject({
      method: 'POST',
      url: `/api/v1/commitments/breaches/${breach!.id}/review`,
      headers: { authorization: 'Bearer tok-op-cmt' },
      payload: { confirm: true, note: '经核查，承诺不实' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json() as {
      breach: { status: string };
      commitment: { status: string; breachRecordId: number | null; brokenReason: string };
    };
    assert.equal(out.breach.status, 'confirmed');
    assert.equal(out.commitment.status, 'broken');
    assert.ok(out.commitment.breachRecordId);
    assert.match(out.commitment.brokenReason, /同一许可事项/);

    // The negative record through the one read path, as the public sees it.
    const read = await t.ctx.access.readRecords({ actor: anonymous, uscc, kinds: ['commitment_breach'] });
    const rec = read.records.find((x) => x.recordId === out.commitment.breachRecordId)!;
    assert.ok(rec, 'public view shows the breach record');
    assert.equal(rec.providerId, 'platform');
    assert.equal(rec.data.commitment_no, `CMT-${breach!.commitmentId}`);
    assert.equal(rec.data.commitment_matter, licenceNo);
    assert.match(
      String(rec.data.evidence),
      new RegExp(`行政处罚信息（admin_penalty） 记录 record ${breach!.recordId}（2026-`),
    );
    // A public record names the platform, not the operator's internal account.
    assert.equal(rec.data.decided_by, '平台运营机构 / platform operator');
    assert.equal(rec.data.commitment_purpose, '行政许可告知承诺');
    assert.match(String(rec.data.breach_reason), /承诺不实/);
    assert.equal(rec.data.signed_on, '2026-06-01');
    // Publicity: the 一般 class, 12 months from the finding (stored with the version).
    const stored = await findRecordPublicity(t.db, rec.recordId);
    assert.equal(stored?.severity, 'general');
    assert.equal(rec.publicityUntil, stored?.publicityUntil);
    // Ledgered: the version (record store) and the commitment's break.
    const versionLeaf = await t.db
      .selectFrom('ledger_queue')
      .select('id')
      .where('entry_type', '=', 'record_version')
      .where('ref_id', '=', String(rec.versionId))
      .execute();
    assert.equal(versionLeaf.length, 1);
    // In the public report's commitments section.
    const meta = await t.ctx.reports.createReport(anonymous, { uscc, type: 'public' });
    const doc = JSON.stringify(await t.ctx.reports.getDocument(anonymous, meta.number));
    assert.ok(doc.includes('违背信用承诺信息') && doc.includes(`CMT-${breach!.commitmentId}`));
    // The subject sees it too, and the case history tells the whole story.
    const own = await t.ctx.rights.listCommitments(owner, uscc);
    assert.equal(own.find((c) => c.id === breach!.commitmentId)!.status, 'broken');
    await assert.rejects(
      t.ctx.rights.reviewBreach(operator, breach!.id, { confirm: false }),
      (e: unknown) => e instanceof AppError && e.code === 'rights_step_invalid',
    );
  });

  it('a false-commitment penalty flags a general commitment; an operator rejects it and nothing is published', async () => {
    const c = await sign('general');
    await ingest([penaltyRow('郑建罚〔2026〕5号', '2026-10-09', '以虚假承诺取得备案，责令改正')]);
    const r = await t.ctx.rights.checkContradictions();
    const mine = r.flagged.filter((f) => f.commitmentId === c.id);
    assert.equal(mine.length, 1, JSON.stringify(r.flagged));
    const rejected = await t.ctx.rights.reviewBreach(operator, mine[0]!.breachId, {
      confirm: false,
      note: '处罚与本承诺无关',
    });
    assert.equal(rejected.breach.status, 'rejected');
    assert.equal(rejected.commitment.status, 'in_force');
    assert.equal(rejected.commitment.breachRecordId, null);
    // The same file again: no new version, no new check.
    await ingest([penaltyRow('郑建罚〔2026〕5号', '2026-10-09', '以虚假承诺取得备案，责令改正')]);
    assert.equal((await t.ctx.rights.checkContradictions()).flagged.length, 0);
    const breaches = await t.ctx.rights.listBreaches(owner, {});
    assert.ok(breaches.every((b) => b.uscc === uscc));
    assert.ok(breaches.some((b) => b.status === 'rejected' && b.reviewNote === '处罚与本承诺无关'));
  });

  it('an operator finding a commitment broken by hand also writes the negative record', async () => {
    const c = await sign('declaration');
    const broken = await t.ctx.rights.breakCommitment(operator, c.id, {
      reason: '申报的合同履行信息经核查不实',
    });
    assert.equal(broken.status, 'broken');
    assert.ok(broken.breachRecordId);
    const read = await t.ctx.access.readRecords({ actor: owner, uscc, kinds: ['commitment_breach'] });
    const rec = read.records.find((x) => x.recordId === broken.breachRecordId)!;
    assert.equal(rec.data.breach_reason, '申报的合同履行信息经核查不实');
    assert.equal(rec.data.commitment_purpose, '自愿申报');
  });

  it('the rules are data: kind, purpose, later date, window, matter and keywords all decide', () => {
    const rules = loadRightsConfig().contradictionRules;
    const c = { purpose: 'licence', matterRef: 'L-1', signedOn: '2026-06-01' };
    const rec = (occurredOn: string | null, data: Record<string, unknown>, kindCode = 'admin_penalty') => ({
      kindCode,
      occurredOn,
      data,
    });
    assert.equal(
      contradiction(rules, c, rec('2026-06-01', { suspended_licence: 'L-1' }))?.ruleId,
      'licence_matter_penalty',
    );
    assert.equal(
      contradiction(rules, c, rec('2026-05-31', { suspended_licence: 'L-1' })),
      null,
      'before signing',
    );
    assert.equal(contradiction(rules, c, rec(null, { suspended_licence: 'L-1' })), null, 'undated');
    assert.equal(
      contradiction(rules, c, rec('2026-07-01', { suspended_licence: 'L-2' })),
      null,
      'other matter',
    );
    assert.equal(
      contradiction(rules, c, rec('2026-07-01', { suspended_licence: 'L-1' }, 'admin_reward')),
      null,
      'other kind',
    );
    assert.equal(
      contradiction(
        rules,
        { ...c, purpose: 'repair', matterRef: null },
        rec('2026-07-01', { violation_facts: '虚假承诺' }),
      )?.ruleId,
      'false_commitment_penalty',
    );
    const windowed = [{ ...rules[1]!, withinMonths: 1 }];
    assert.equal(
      contradiction(
        windowed,
        { ...c, purpose: 'general' },
        rec('2026-07-02', { violation_facts: '违背承诺' }),
      ),
      null,
      'outside the window',
    );
  });
});
