import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  baseUrl,
  catalogCategoryCount,
  launchBrowser,
  loginOperator,
  loginWithTotp,
  openPage,
  shot,
} from './harness.ts';
import { loadFixture } from './setup.ts';

const fx = loadFixture();

describe('operator portal', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser.close());

  it('logs in with a TOTP code and sees the dashboard: figures, charts, provider health', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await loginOperator(page, fx.operator.username, fx.operator.password, fx.operator.totpSecret);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="dash-kpis"] .ant-statistic-content-value').length === 4,
    );
    const kpis = await page.getByTestId('dash-kpis').locator('.ant-statistic-content-value').allInnerTexts();
    assert.equal(kpis.length, 4);
    for (const k of kpis) assert.match(k, /^[\d,]+$/);
    // both charts drew on a canvas
    await page.getByTestId('echart-category').locator('canvas').waitFor();
    await page.getByTestId('echart-provider').locator('canvas').waitFor();
    const rows = page.getByTestId('health-row');
    await rows.first().waitFor();
    // the demo data arrived today: the market regulator is on time
    await rows.filter({ hasText: '及时' }).first().waitFor();
    await shot(page, 'operator-dashboard');
    w.assertClean();
    await w.close();
  });

  it('onboards an institution and a provider user (who logs in with TOTP), and searches the access log', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await loginOperator(page, fx.operator.username, fx.operator.password, fx.operator.totpSecret);
    await page.goto(`${baseUrl()}/operator/onboarding`);
    await page.getByTestId('org-row-institution').filter({ hasText: fx.institution.nameZh }).waitFor();
    await page.getByTestId('onboard-new-institution').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('org-id').fill('e2e_guarantor');
    await dialog.getByTestId('org-name').fill('信融测试融资担保公司');
    await dialog.getByTestId('org-type').click();
    await page.locator('.ant-select-dropdown').getByText('担保', { exact: true }).click();
    await dialog.getByTestId('org-purpose').fill('为中小微企业融资提供担保 / guarantees for SME loans');
    await dialog.getByRole('button', { name: /提\s?交/ }).click();
    await page.getByText('已接入').waitFor();
    const row = page.getByTestId('org-row-institution').filter({ hasText: '信融测试融资担保公司' });
    await row.getByText('有效').waitFor();
    await shot(page, 'operator-onboarding');

    // a user for the onboarded provider: password and TOTP secret shown once, then they log in
    await page.getByRole('tab', { name: '用户', exact: true }).click();
    await page.getByTestId('user-new').click();
    const userDialog = page.getByRole('dialog');
    await userDialog.getByTestId('user-role').click();
    await page.locator('.ant-select-dropdown:visible').getByText('数据提供单位', { exact: true }).click();
    // every catalog provider is onboarded in the demo: type to narrow the (virtual) option list
    await userDialog.getByTestId('user-org').click();
    await page.keyboard.type(fx.provider.orgId);
    await page.locator('.ant-select-dropdown:visible').getByText(`（${fx.provider.orgId}）`).click();
    await userDialog.getByTestId('user-username').fill('e2e_provider_clerk');
    await userDialog.getByRole('button', { name: /提\s?交/ }).click();
    const secrets = page.getByTestId('secret');
    await secrets.nth(2).waitFor();
    const [newUser, initialPassword, totpSecret] = await Promise.all(
      [0, 1, 2].map(async (i) => (await secrets.nth(i).innerText()).trim()),
    );
    assert.equal(newUser, 'e2e_provider_clerk');
    await page
      .getByTestId('user-row')
      .filter({ hasText: 'e2e_provider_clerk' })
      .getByText('数据提供单位')
      .waitFor();
    const clerk = await openPage(browser);
    await loginWithTotp(clerk.page, newUser!, initialPassword!, totpSecret!, /\/provider$/);
    clerk.assertClean();
    await clerk.close();

    await page.goto(`${baseUrl()}/operator/access-log`);
    await page.getByTestId('log-uscc').fill(fx.enterprise.uscc);
    await page.getByTestId('log-search').click();
    await page.getByTestId('access-row').first().waitFor();
    for (const text of await page.getByTestId('access-row').allInnerTexts()) {
      assert.ok(text.includes(fx.enterprise.uscc), text);
    }
    await shot(page, 'operator-access-log');
    w.assertClean();
    await w.close();
  });

  it('sees the latest signed checkpoint and verifies the ledger', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await loginOperator(page, fx.operator.username, fx.operator.password, fx.operator.totpSecret);
    await page.goto(`${baseUrl()}/operator/ledger`);
    await page.getByTestId('ledger-root').waitFor();
    const size = Number(
      (await page.locator('.ant-statistic-content-value').first().innerText()).replaceAll(',', ''),
    );
    assert.ok(size > 0, `tree size ${size}`);
    await page.getByTestId('ledger-verify').click();
    await page.getByTestId('ledger-report').getByText('账本完整，未发现篡改').waitFor({ timeout: 120_000 });
    await shot(page, 'operator-ledger');
    w.assertClean();
    await w.close();
  });

  it('browses the catalog with its versions', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await loginOperator(page, fx.operator.username, fx.operator.password, fx.operator.totpSecret);
    await page.goto(`${baseUrl()}/operator/catalog`);
    await page.getByText(`${catalogCategoryCount} 个信息种类`).first().waitFor();
    await page.getByRole('tab', { name: '版本历史' }).click();
    await page.getByText('当前', { exact: true }).waitFor();
    await shot(page, 'operator-catalog');
    w.assertClean();
    await w.close();
  });
});
