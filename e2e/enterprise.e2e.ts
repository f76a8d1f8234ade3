import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { baseUrl, catalogCategoryCount, launchBrowser, login, openPage, shot } from './harness.ts';
import { loadFixture } from './setup.ts';

const fx = loadFixture();

describe('enterprise portal', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser.close());

  it('a wrong ID number is refused with the API’s message, in the form', async () => {
    const w = await openPage(browser);
    const { page } = w;
    w.allow(422, /\/api\/v1\/auth\/register-enterprise$/);
    await page.goto(`${baseUrl()}/register`);
    await page.getByTestId('reg-uscc').fill(fx.registration.uscc);
    await page.getByTestId('reg-name').fill(fx.registration.legalRepName);
    // a valid ID number (check digit right) that is not the legal representative's
    await page.getByTestId('reg-id').fill('11010519491231002X');
    await page.getByTestId('reg-username').fill('e2e_wrong_person');
    await page.getByTestId('reg-password').fill('Another-passw0rd');
    await page.getByTestId('reg-confirm').fill('Another-passw0rd');
    await page.getByTestId('reg-agree').check();
    await page.getByTestId('reg-submit').click();
    await page.getByTestId('problem').getByText('法定代表人姓名或证件号码与市场主体登记信息不一致').waitFor();
    assert.match(page.url(), /\/register$/);
    // the client-side check is the server's: a wrong check character is caught before sending
    await page.getByTestId('reg-id').fill('110105194912310021');
    await page.getByTestId('reg-id').blur();
    await page.getByText(/身份证号码不正确：校验位应为/).waitFor();
    await shot(page, 'enterprise-register-error');
    w.assertClean();
    await w.close();
  });

  it('registers with real-name data and sees every category of its credit profile', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await page.goto(`${baseUrl()}/register`);
    await page.getByTestId('reg-uscc').fill(fx.registration.uscc);
    await page.getByTestId('reg-name').fill(fx.registration.legalRepName);
    await page.getByTestId('reg-id').fill(fx.registration.legalRepIdNumber);
    await page.getByTestId('reg-username').fill('e2e_registered');
    await page.getByTestId('reg-password').fill('Register-passw0rd');
    await page.getByTestId('reg-confirm').fill('Register-passw0rd');
    await page.getByTestId('reg-agree').check();
    await page.getByTestId('reg-submit').click();
    await page.waitForURL(/\/enterprise$/);
    assert.equal((await page.getByTestId('subject-name').innerText()).trim(), fx.registration.name);
    const records = page.getByTestId('subject-records');
    await records.getByTestId('records-view').waitFor();
    // every category of the catalog is listed, the empty ones too
    const titles = await records.getByTestId('category-title').allInnerTexts();
    assert.equal(titles.length, catalogCategoryCount, titles.join(','));
    assert.ok(titles.includes('市场主体登记信息'));
    await records.getByTestId('record').first().waitFor();
    await records.getByText('正常').first().waitFor();
    await shot(page, 'enterprise-profile');
    w.assertClean();
    await w.close();
  });

  it('sees the consent it granted, grants another and revokes it at once', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await login(page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    await page.goto(`${baseUrl()}/enterprise/consents`);
    const rows = page.getByTestId('consent-row');
    await rows.filter({ hasText: fx.institution.nameZh }).first().waitFor();
    const before = await rows.count();
    assert.equal(await rows.filter({ hasText: '有效' }).count(), before);

    await page.getByTestId('consent-new').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('consent-institution').click();
    await page.locator('.ant-select-dropdown').getByText(fx.institution.nameZh, { exact: true }).click();
    await dialog.getByText('贷后管理').click();
    await dialog.getByText('仅核验（是/否）').click();
    await dialog.getByTestId('consent-categories').click();
    await page.locator('.ant-select-dropdown').getByText('纳税信息', { exact: true }).click();
    await page.keyboard.press('Escape');
    await shot(page, 'enterprise-consent-form');
    await dialog.getByRole('button', { name: '确认授权' }).click();
    await page.getByText('授权已生效').waitFor();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="consent-row"]').length === n,
      before + 1,
    );
    const added = rows.filter({ hasText: '贷后管理' });
    await added.getByText('有效').waitFor();

    await added.getByTestId('consent-revoke').click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /撤\s?销/ })
      .click();
    await page.getByText('授权已撤销').waitFor();
    await added.getByText('已撤销').waitFor();
    await shot(page, 'enterprise-consents');
    w.assertClean();
    await w.close();
  });

  it('sees who looked at its information, and its evaluation with reasons', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await login(page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    await page.getByTestId('subject-records').getByTestId('records-view').waitFor();
    await page.goto(`${baseUrl()}/enterprise/access-log`);
    // its own look at the profile is logged too
    await page.getByTestId('access-row').filter({ hasText: '本企业查看' }).first().waitFor();
    await shot(page, 'enterprise-access-log');

    await page.goto(`${baseUrl()}/enterprise/evaluation`);
    const score = Number(await page.getByTestId('score').first().innerText());
    assert.ok(score >= 0 && score <= 1000, `score ${score}`);
    await page.getByTestId('grade').first().waitFor();
    await page.getByText('主要扣分理由', { exact: true }).waitFor();
    await shot(page, 'enterprise-evaluation');
    w.assertClean();
    await w.close();
  });

  it('issues its own report as a PDF, and anyone can verify it by number', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await login(page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    await page.goto(`${baseUrl()}/enterprise/reports`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('issue-self').click(),
    ]);
    assert.equal(
      fs
        .readFileSync(await download.path())
        .subarray(0, 5)
        .toString('latin1'),
      '%PDF-',
    );
    const row = page.getByTestId('report-row').first();
    await row.waitFor();
    const number = (await row.locator('a.xr-mono').innerText()).trim();
    await shot(page, 'enterprise-reports');

    // a bank clerk (or anyone) checks it on the public verification page
    const anon = await openPage(browser);
    await anon.page.goto(`${baseUrl()}/verify/${encodeURIComponent(number)}`);
    await anon.page.getByTestId('verify-result').getByText('报告真实有效').waitFor();
    await anon.page.getByText(fx.enterprise.name).waitFor();
    await shot(anon.page, 'public-verify');
    anon.assertClean();
    await anon.close();
    w.assertClean();
    await w.close();
  });

  it('switches the whole portal to English', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await login(page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    await page.getByTestId('lang-switch').getByText('EN').click();
    await page.getByRole('heading', { name: 'My credit profile' }).waitFor();
    await page.getByText('All my credit information').waitFor();
    await page.getByTestId('lang-switch').getByText('中文').click();
    await page.getByRole('heading', { name: '我的信用档案' }).waitFor();
    w.assertClean();
    await w.close();
  });
});
