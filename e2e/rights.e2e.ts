import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { baseUrl, launchBrowser, login, loginOperator, loginWithTotp, openPage, shot } from './harness.ts';
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
