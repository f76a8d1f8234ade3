import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  assertNoHorizontalScroll,
  baseUrl,
  launchBrowser,
  login,
  loginOperator,
  loginWithTotp,
  openPage,
  phone,
  shot,
} from './harness.ts';
import { loadFixture } from './setup.ts';

const fx = loadFixture();

/**
 * Subject rights across roles: the enterprise objects to one of its records; the record is marked
 * 异议处理中; the operator accepts and forwards; the provider answers; the operator closes; the
 * enterprise sees the whole history. Then a voluntary declaration under a signed commitment.
 */
describe('objections and declarations', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser.close());

  it('an objection goes from the enterprise to the operator, the provider and back', async () => {
    // enterprise: object to an administrative licence (sent by the e2e provider's unit)
    const ent = await openPage(browser);
    await login(ent.page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    const records = ent.page.getByTestId('subject-records');
    const licences = records.locator('.xr-kind-block').filter({ hasText: '行政许可信息' });
    await licences.getByTestId('record-object').first().click();
    const dialog = ent.page.getByRole('dialog');
    await dialog
      .getByTestId('objection-reasons')
      .fill('许可证已于去年注销，记录状态与实际不符（浏览器测试）');
    await dialog.getByRole('button', { name: '提交异议' }).click();
    await ent.page.getByText('异议已提交').waitFor();
    // marked wherever the record is shown: here at once
    await licences.getByTestId('mark-disputed').first().waitFor();
    await shot(ent.page, 'rights-enterprise-disputed');
    await ent.page.goto(`${baseUrl()}/enterprise/rights`);
    await ent.page.getByTestId('objection-row').first().getByText('已提交，待受理').waitFor();

    // operator: accept, then forward to the provider
    const op = await openPage(browser);
    await loginOperator(op.page, fx.operator.username, fx.operator.password, fx.operator.totpSecret);
    await op.page.goto(`${baseUrl()}/operator/rights`);
    const row = op.page.getByTestId('objection-row').filter({ hasText: fx.enterprise.uscc }).first();
    await row.getByTestId('objection-accept').click();
    await op.page.getByTestId('step-note').fill('材料齐全，予以受理');
    await op.page
      .getByRole('dialog')
      .getByRole('button', { name: /受\s?理/ })
      .click();
    await row.getByTestId('objection-forward').click();
    await op.page.getByRole('dialog').getByRole('button', { name: '转提供单位核实' }).click();
    await row.getByText('已转数据提供单位核实').waitFor();
    await shot(op.page, 'rights-operator');

    // provider: confirm the record
    const prov = await openPage(browser);
    await loginWithTotp(
      prov.page,
      fx.provider.username,
      fx.provider.password,
      fx.provider.totpSecret,
      /\/provider$/,
    );
    await prov.page.goto(`${baseUrl()}/provider/objections`);
    const pRow = prov.page.getByTestId('objection-row').filter({ hasText: fx.enterprise.uscc }).first();
    await pRow.getByTestId('objection-answer').click();
    await prov.page.getByTestId('answer-note').fill('经核实，该许可证仍在有效期内，记录无误');
    await prov.page
      .getByRole('dialog')
      .getByRole('button', { name: /提\s?交/ })
      .click();
    await pRow.getByText('数据提供单位已答复，待平台决定').waitFor();
    await shot(prov.page, 'rights-provider');

    // operator: close and tell the enterprise
    await op.page.reload();
    await row.getByText('数据提供单位已答复，待平台决定').waitFor();
    await row.getByTestId('objection-decide').click();
    const decide = op.page.getByRole('dialog');
    await decide.getByTestId('step-note').fill('维持原记录，已告知企业');
    await decide.getByRole('button', { name: '办结并告知' }).click();
    await decide.waitFor({ state: 'hidden' });
    // closed cases leave the open-only list
    await op.page
      .getByTestId('objection-row')
      .filter({ hasText: fx.enterprise.uscc })
      .first()
      .waitFor({ state: 'detached' });

    // enterprise: closed, with every step in its history
    await ent.page.reload();
    const eRow = ent.page.getByTestId('objection-row').first();
    await eRow.getByText('已办结').waitFor();
    await eRow.locator('.ant-table-row-expand-icon').click();
    for (const step of ['提交异议', '平台受理', '转数据提供单位核实', '数据提供单位答复', '办结并告知']) {
      await ent.page.getByText(step, { exact: true }).first().waitFor();
    }
    await shot(ent.page, 'rights-enterprise-history');
    for (const w of [ent, op, prov]) {
      w.assertClean();
      await w.close();
    }
  });

  it('a declaration made under a signed commitment is public and marked self-declared', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await login(page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    await page.goto(`${baseUrl()}/enterprise/declarations`);
    await page.getByTestId('commitment-text').waitFor();
    if (!(await page.getByTestId('commitment-active').isVisible())) {
      await page.getByTestId('decl-signer').fill('测试法定代表人');
      await page.getByTestId('decl-sign').click();
      await page.getByTestId('commitment-active').waitFor();
    }
    await page.getByTestId('decl-new').click();
    await page.getByTestId('decl-type').click();
    await page.locator('.ant-select-dropdown').getByText('资质证照', { exact: true }).click();
    await page.getByTestId('decl-title').fill('建筑业企业资质证书（浏览器测试）');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /提\s?交/ })
      .click();
    await page
      .getByTestId('declaration-row')
      .filter({ hasText: '建筑业企业资质证书' })
      .getByText('自愿申报')
      .waitFor();

    // anyone sees it on the public view, marked
    const anon = await openPage(browser);
    await anon.page.goto(`${baseUrl()}/subjects/${fx.enterprise.uscc}`);
    const card = anon.page.getByTestId('declarations');
    await card.getByText('建筑业企业资质证书（浏览器测试）').waitFor();
    assert.ok(await card.getByText('自愿申报').first().isVisible());
    await shot(anon.page, 'rights-public-declaration');
    anon.assertClean();
    await anon.close();
    w.assertClean();
    await w.close();
  });
});

/** Today in China (UTC+8), as the platform counts days. */
function chinaToday(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

interface Penalty {
  no: string;
  type: string;
  facts: string;
  content: string;
  decidedOn: string;
  publicityUntil: string;
}

/** Administrative penalties of the registered enterprise as its department exports them (CSV). */
function penaltyCsv(name: string, penalties: Penalty[]): string {
  const header = [
    '企业名称',
    '统一社会信用代码',
    '行政处罚决定文书名称',
    '行政处罚决定文书号',
    '违法行为类型',
    '违法事实',
    '行政处罚内容',
    '行政处罚决定日期',
    '失信信息类别',
    '公示截止期',
    '行政机关名称',
  ];
  const rows = penalties.map((p) => [
    fx.enterprise.name,
    fx.enterprise.uscc,
    '行政处罚决定书',
    p.no,
    p.type,
    p.facts,
    p.content,
    p.decidedOn,
    '一般',
    p.publicityUntil,
    '郑州市市场监督管理局',
  ]);
  const csv = [header, ...rows]
    .map((cells) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(','))
    .join('\r\n');
  const file = path.join(os.tmpdir(), `xinrong-e2e-${name}-${process.pid}.csv`);
  fs.writeFileSync(file, `\uFEFF${csv}\r\n`);
  return file;
}

function nextYear(day: string): string {
  return `${Number(day.slice(0, 4)) + 1}${day.slice(4)}`;
}

/**
 * Two penalties: one decided today for a false commitment (it contradicts the public credit
 * commitment signed today), one decided in 2022 whose publicity ended in 2023 (公示期满: the
 * enterprise still sees it, the public and institutions no longer do).
 */
function contradictingCsv(): string {
  const today = chinaToday();
  return penaltyCsv('breach', [
    {
      no: breachPenaltyNo,
      type: '虚假承诺',
      facts: '经查，当事人在告知承诺审批中作出虚假承诺，实际不具备许可条件（浏览器测试）',
      content: '罚款人民币5000元',
      decidedOn: today,
      publicityUntil: nextYear(today),
    },
    {
      no: endedPenaltyNo,
      type: '未按规定公示年度报告',
      facts: '经查，当事人未按规定公示年度报告（浏览器测试）',
      content: '警告',
      decidedOn: '2022-03-01',
      publicityUntil: '2023-03-01',
    },
  ]);
}

/** The provider user uploads a file of administrative penalties through the upload page. */
async function uploadPenalties(page: Page, file: string, rows: number): Promise<void> {
  await page.getByTestId('upload-kind').click();
  await page.locator('.ant-select-dropdown').getByText(fx.provider.kindName, { exact: true }).click();
  await page.locator('input[type=file]').setInputFiles(file);
  await page.getByTestId('upload-submit').click();
  const outcome = page.getByTestId('upload-outcome');
  await outcome.waitFor();
  const figures = await outcome.locator('.ant-statistic-content-value').allInnerTexts();
  // received, stored, unchanged, rejected
  assert.deepEqual(figures, [String(rows), String(rows), '0', '0']);
}

const breachPenaltyNo = '郑市监罚〔2026〕e2e901号';
const endedPenaltyNo = '郑市监罚〔2022〕e2e902号';
const unrelatedPenaltyNo = '郑市监罚〔2026〕e2e903号';

/** Waits for running CSS animations (a drawer sliding in) so a screenshot shows the settled page. */
async function settled(page: Page): Promise<void> {
  // Finite animations only (a loading shimmer or a status dot runs forever), and never more than
  // 3 s: this only makes the picture nicer, it asserts nothing.
  await page.evaluate(() =>
    Promise.race([
      Promise.all(
        document
          .getAnimations()
          .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
          .map((a) => a.finished.catch(() => undefined)),
      ),
      new Promise((resolve) => setTimeout(resolve, 3000)),
    ]).then(() => undefined),
  );
}

/** The record blocks a viewer sees for one catalog kind on a subject's page. */
function kindBlock(page: Page, kindName: string) {
  return page.getByTestId('subject-records').locator('.xr-kind-block').filter({ hasText: kindName });
}

/**
 * A broken public credit commitment (docs/decisions/0103): the enterprise has signed one; its
 * department uploads a penalty for a false commitment; the automatic check flags the commitment; the
 * operator reads the commitment, the rule and the contradicting record and confirms; the platform
 * writes a public negative record. Before the confirmation nobody outside sees a thing; after it the
 * public and the bank see the negative record, and the enterprise sees its commitment broken with
 * the record it produced. A penalty past its publicity end shows as 公示期满 to the enterprise only.
 */
describe('commitment breaches', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser.close());

  it('a contradicting record flags a commitment; the operator confirms; everyone sees what they should', async () => {
    // enterprise: a public credit commitment in force
    const ent = await openPage(browser);
    await login(ent.page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    await ent.page.goto(`${baseUrl()}/enterprise/declarations`);
    await ent.page.getByTestId('commitment-text').waitFor();
    await ent.page.getByTestId('commitment-row').first().or(ent.page.getByText('尚未签署信用承诺')).waitFor();
    if (!(await ent.page.getByTestId('commitment-active').isVisible())) {
      await ent.page.getByTestId('decl-signer').fill('测试法定代表人');
      await ent.page.getByTestId('decl-sign').click();
      await ent.page.getByTestId('commitment-active').waitFor();
    }
    const inForce = ent.page.getByTestId('commitment-row').filter({ hasText: '有效' }).first();
    await inForce.waitFor();
    const commitmentNo = /CMT-\d+/.exec(await inForce.innerText())?.[0] ?? '';
    assert.match(commitmentNo, /^CMT-\d+$/);
    // this commitment's number, not one it prefixes (CMT-1 vs CMT-12)
    const thisCommitment = new RegExp(`${commitmentNo}(?!\\d)`);

    // provider: the department uploads the penalties (the real upload flow)
    const prov = await openPage(browser);
    await loginWithTotp(
      prov.page,
      fx.provider.username,
      fx.provider.password,
      fx.provider.totpSecret,
      /\/provider$/,
    );
    await uploadPenalties(prov.page, contradictingCsv(), 2);
    prov.assertClean();
    await prov.close();

    // operator: the calendar's state, then run the check now and find the flag
    const op = await openPage(browser);
    await loginOperator(op.page, fx.operator.username, fx.operator.password, fx.operator.totpSecret);
    await op.page.goto(`${baseUrl()}/operator/rights`);
    const cal = (await (await fetch(`${baseUrl()}/api/v1/rights/calendar`)).json()) as {
      coveredYears: number[];
      missingYears: number[];
    };
    const calCard = op.page.getByTestId('calendar-status');
    for (const y of cal.coveredYears) await calCard.getByText(String(y), { exact: true }).waitFor();
    if (cal.missingYears.length) {
      // e.g. from 1 November, next year's holidays before the State Council publishes them
      await op.page
        .getByTestId('calendar-warning')
        .getByText(`${cal.missingYears.join('、')} 年节假日安排尚未载入`)
        .waitFor();
    }
    await op.page.getByTestId('breach-check').click();
    await op.page.getByText(/已比对 \d+ 条新记录/).waitFor();
    await op.page.getByRole('tab', { name: /违背承诺线索/ }).click();
    // every commitment in force is checked; this one was flagged for the penalty
    const flag = op.page
      .getByTestId('breach-row')
      .filter({ hasText: fx.enterprise.uscc })
      .filter({ hasText: thisCommitment });
    await flag.getByText('疑似违背承诺，待运营人员核实').waitFor();
    await flag.getByTestId('breach-open').click();
    const drawer = op.page.getByTestId('breach-drawer');
    await drawer.getByTestId('breach-commitment').getByText(commitmentNo, { exact: true }).waitFor();
    await drawer.getByTestId('breach-commitment').getByText('疑似违诺，待核实').waitFor();
    await drawer.getByTestId('breach-rule').getByText('承诺后因虚假承诺、违背承诺受到行政处罚').waitFor();
    assert.match(await drawer.getByTestId('breach-rule').innerText(), /命中内容：虚假承诺/);
    const evidence = drawer.getByTestId('breach-evidence');
    await evidence.getByText(breachPenaltyNo).waitFor();
    assert.match(await evidence.innerText(), /行政处罚信息/);
    await settled(op.page);
    await shot(op.page, 'rights-breach-review', { viewport: true });

    // before the operator decides, nothing changes for the public: commitment in force, no breach record
    const anon = await openPage(browser);
    await anon.page.goto(`${baseUrl()}/subjects/${fx.enterprise.uscc}`);
    await kindBlock(anon.page, '行政处罚信息').getByText(breachPenaltyNo).waitFor();
    assert.equal(await kindBlock(anon.page, '违背信用承诺信息').count(), 0);
    const pubCommitments = anon.page.getByTestId('declarations').getByTestId('commitment-status');
    await pubCommitments.first().waitFor();
    assert.deepEqual([...new Set((await pubCommitments.allInnerTexts()).map((x) => x.trim()))].sort(), [
      '有效',
    ]);
    // the penalty whose publicity ended in 2023 is not public any more
    assert.equal(await anon.page.getByText(endedPenaltyNo).count(), 0);
    // nor for the bank reading under the enterprise's consent
    const bank = await openPage(browser);
    await login(bank.page, fx.institution.username, fx.institution.password, /\/institution$/);
    await bank.page.goto(`${baseUrl()}/institution/subjects/${fx.enterprise.uscc}`);
    await kindBlock(bank.page, '行政处罚信息').getByText(breachPenaltyNo).waitFor();
    assert.equal(await kindBlock(bank.page, '违背信用承诺信息').count(), 0);
    const bankCommitments = bank.page.getByTestId('declarations').getByTestId('commitment-status');
    await bankCommitments.first().waitFor();
    assert.deepEqual([...new Set((await bankCommitments.allInnerTexts()).map((x) => x.trim()))], ['有效']);
    // the enterprise itself is told its commitment is under review
    await ent.page.reload();
    await ent.page
      .getByTestId('commitment-row')
      .filter({ hasText: thisCommitment })
      .getByText('疑似违诺，待核实')
      .waitFor();

    // operator: confirm, with a note; the negative record is written and reachable from the case
    await drawer.getByTestId('breach-note').fill('经核实，处罚决定认定企业作出虚假承诺，认定违背信用承诺');
    await drawer.getByTestId('breach-confirm').click();
    await drawer.getByText('已认定违背承诺').first().waitFor();
    const negative = drawer.getByTestId('breach-negative-record');
    await negative.getByText('违背信用承诺信息').first().waitFor();
    await negative.getByText(commitmentNo, { exact: true }).waitFor();
    assert.match(await negative.innerText(), /认定违背承诺日期/);
    // the note is kept with the review and quoted in the record's 违背承诺情形
    await drawer.getByText('经核实，处罚决定认定企业作出虚假承诺，认定违背信用承诺').first().waitFor();
    await settled(op.page);
    await shot(op.page, 'rights-breach-confirmed', { viewport: true });
    await drawer.getByRole('link', { name: '查看公开信息页' }).waitFor();
    op.assertClean();
    await op.close();

    // enterprise: the commitment is broken, with the negative record it produced
    await ent.page.reload();
    const broken = ent.page.getByTestId('commitment-row').filter({ hasText: thisCommitment });
    await broken.getByText('已违诺').waitFor();
    const produced = ent.page.getByTestId('commitment-negative-record');
    await produced.getByText(commitmentNo, { exact: true }).waitFor();
    assert.match(await produced.innerText(), /违背信用承诺信息/);
    assert.match(await produced.innerText(), /虚假承诺/);
    await shot(ent.page, 'rights-enterprise-commitment-broken');
    // and in the profile, with its other records: the breach record, and 公示期满 on the old penalty
    await ent.page.goto(`${baseUrl()}/enterprise`);
    await kindBlock(ent.page, '违背信用承诺信息').getByText(commitmentNo, { exact: true }).waitFor();
    const ended = kindBlock(ent.page, '行政处罚信息')
      .getByTestId('record')
      .filter({ hasText: endedPenaltyNo });
    await ended.getByTestId('mark-publicity_ended').waitFor();
    assert.equal((await ended.getByTestId('mark-publicity_ended').innerText()).trim(), '公示期满');
    await shot(ent.page, 'rights-enterprise-profile-breach');
    ent.assertClean();
    await ent.close();

    // the public: the negative record like any other, the commitment shown broken
    await anon.page.reload();
    await kindBlock(anon.page, '违背信用承诺信息').getByText(commitmentNo, { exact: true }).waitFor();
    await anon.page.getByTestId('declarations').getByText('已违诺').first().waitFor();
    assert.equal(await anon.page.getByText(endedPenaltyNo).count(), 0);
    await shot(anon.page, 'rights-public-breach');
    anon.assertClean();
    await anon.close();

    // the bank, under the enterprise's consent: the same negative record, not the ended penalty
    await bank.page.reload();
    await kindBlock(bank.page, '违背信用承诺信息').getByText(commitmentNo, { exact: true }).waitFor();
    await kindBlock(bank.page, '行政处罚信息').getByText(breachPenaltyNo).waitFor();
    assert.equal(await bank.page.getByText(endedPenaltyNo).count(), 0);
    await shot(bank.page, 'rights-institution-breach');
    bank.assertClean();
    await bank.close();

    // the enterprise on a phone: its broken commitment and the record, without sideways scrolling
    const mobile = await openPage(browser, { viewport: phone, isMobile: true });
    await login(mobile.page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    await mobile.page.goto(`${baseUrl()}/enterprise/declarations`);
    await mobile.page
      .getByTestId('commitment-negative-record')
      .getByText(commitmentNo, { exact: true })
      .waitFor();
    await assertNoHorizontalScroll(mobile.page);
    await shot(mobile.page, 'phone-enterprise-commitment-broken');
    mobile.assertClean();
    await mobile.close();
  });

  it('a flag the operator rejects leaves the commitment in force and publishes nothing', async () => {
    // enterprise: a commitment in force (a new one if the last was found broken)
    const ent = await openPage(browser);
    await login(ent.page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    await ent.page.goto(`${baseUrl()}/enterprise/declarations`);
    await ent.page.getByTestId('commitment-text').waitFor();
    await ent.page.getByTestId('commitment-row').first().or(ent.page.getByText('尚未签署信用承诺')).waitFor();
    if (!(await ent.page.getByTestId('commitment-active').isVisible())) {
      await ent.page.getByTestId('decl-signer').fill('测试法定代表人');
      await ent.page.getByTestId('decl-sign').click();
      await ent.page.getByTestId('commitment-active').waitFor();
    }
    const inForce = ent.page.getByTestId('commitment-row').filter({ hasText: '有效' }).first();
    await inForce.waitFor();
    const commitmentNo = /CMT-\d+/.exec(await inForce.innerText())?.[0] ?? '';
    const thisCommitment = new RegExp(`${commitmentNo}(?!\\d)`);

    // provider: a penalty mentioning a broken commitment arrives
    const prov = await openPage(browser);
    await loginWithTotp(
      prov.page,
      fx.provider.username,
      fx.provider.password,
      fx.provider.totpSecret,
      /\/provider$/,
    );
    const today = chinaToday();
    await uploadPenalties(
      prov.page,
      penaltyCsv('unrelated', [
        {
          no: unrelatedPenaltyNo,
          type: '未履行承诺',
          facts: '经查，当事人未履行其向消费者作出的售后服务承诺（浏览器测试）',
          content: '警告',
          decidedOn: today,
          publicityUntil: nextYear(today),
        },
      ]),
      1,
    );
    prov.assertClean();
    await prov.close();

    // operator: the flag names the penalty; it is about a promise to consumers, not the commitment
    const op = await openPage(browser);
    await loginOperator(op.page, fx.operator.username, fx.operator.password, fx.operator.totpSecret);
    await op.page.goto(`${baseUrl()}/operator/rights`);
    await op.page.getByTestId('breach-check').click();
    await op.page.getByText(/已比对 \d+ 条新记录/).waitFor();
    await op.page.getByRole('tab', { name: /违背承诺线索/ }).click();
    const flag = op.page.getByTestId('breach-row').filter({ hasText: thisCommitment });
    await flag.getByTestId('breach-open').click();
    const drawer = op.page.getByTestId('breach-drawer');
    await drawer.getByTestId('breach-evidence').getByText(unrelatedPenaltyNo).waitFor();
    await drawer.getByTestId('breach-note').fill('处罚针对对消费者的售后承诺，与公开信用承诺无关');
    await drawer.getByTestId('breach-reject').click();
    await drawer.getByText('经核实未违背承诺').first().waitFor();
    await drawer.getByText('处罚针对对消费者的售后承诺，与公开信用承诺无关').waitFor();
    assert.equal(await drawer.getByTestId('breach-negative-record').count(), 0);
    // the queue of open suspicions no longer lists it
    await flag.waitFor({ state: 'detached' });
    op.assertClean();
    await op.close();

    // enterprise: in force again; public: no breach record for this commitment
    await ent.page.reload();
    await ent.page
      .getByTestId('commitment-row')
      .filter({ hasText: thisCommitment })
      .getByText('有效')
      .waitFor();
    ent.assertClean();
    await ent.close();
    const anon = await openPage(browser);
    await anon.page.goto(`${baseUrl()}/subjects/${fx.enterprise.uscc}`);
    await kindBlock(anon.page, '行政处罚信息').getByText(unrelatedPenaltyNo).waitFor();
    assert.equal(
      await kindBlock(anon.page, '违背信用承诺信息').getByText(commitmentNo, { exact: true }).count(),
      0,
    );
    anon.assertClean();
    await anon.close();
  });
});
