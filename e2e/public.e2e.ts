import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  assertNoHorizontalScroll,
  baseUrl,
  catalogCategoryCount,
  launchBrowser,
  openPage,
  phone,
  shot,
} from './harness.ts';

describe('public pages', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser.close());

  it('home shows the headline figures in Chinese, and in English after the switch', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await page.goto(baseUrl());
    await page.getByRole('heading', { name: '信融 · 融资信用服务平台' }).waitFor();
    const stats = page.getByTestId('home-stats');
    for (const label of ['信用主体', '信用信息', '数据提供单位', '接入金融机构']) {
      await stats.getByText(label, { exact: true }).waitFor();
    }
    // figures are numbers once loaded (never a dash)
    await page.locator('.ant-statistic-content-value').first().waitFor();
    const values = await page.locator('.ant-statistic-content-value').allInnerTexts();
    assert.equal(values.length, 4);
    for (const v of values) assert.match(v, /^[\d,]+$/);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await shot(page, 'public-home-zh');

    await page.getByTestId('lang-switch').getByText('EN').click();
    await stats.getByText('Credit subjects', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await shot(page, 'public-home-en');
    // the choice survives a reload
    await page.reload();
    await stats.getByText('Credit subjects', { exact: true }).waitFor();
    await page.getByTestId('lang-switch').getByText('中文').click();
    await stats.getByText('信用主体', { exact: true }).waitFor();
    w.assertClean();
    await w.close();
  });

  it('a search from the home page lands on the lookup page with the query', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await page.goto(baseUrl());
    await page.getByTestId('home-search').locator('input').fill('科技');
    await page.getByTestId('home-search').locator('input').press('Enter');
    await page.waitForURL(/\/lookup\?q=/);
    await page.getByRole('heading', { name: '信用查询' }).waitFor();
    assert.equal(await page.getByTestId('lookup-input').locator('input').inputValue(), '科技');
    // either results or an explicit "nothing found": never a blank page
    await page.locator('[data-testid="lookup-result"], .ant-empty').first().waitFor();
    await shot(page, 'public-lookup');
    w.assertClean();
    await w.close();
  });

  it('a subject found by a name fragment opens its public view with registration basics', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await page.goto(`${baseUrl()}/lookup?q=${encodeURIComponent('科技')}`);
    const first = page.getByTestId('lookup-result').first();
    await first.waitFor();
    const name = (await first.locator('a').first().innerText()).trim();
    assert.match(name, /科技/);
    await first.locator('a').first().click();
    await page.waitForURL(/\/subjects\/[0-9A-Z]{18}$/);
    const uscc = page.url().split('/').pop()!;
    assert.equal((await page.getByTestId('subject-name').innerText()).trim(), name);
    // the code is shown in a monospace font
    const code = page.locator('.uscc', { hasText: uscc }).first();
    assert.match(await code.evaluate((el) => getComputedStyle(el).fontFamily), /mono/i);
    // public records (or an explicit "none"), never a blank card
    await page
      .getByTestId('subject-records')
      .locator('[data-testid="records-view"], .ant-empty')
      .first()
      .waitFor();
    await shot(page, 'public-subject');
    w.assertClean();
    await w.close();
  });

  it('the catalog lists every kind with its openness, and a kind opens with its fields', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await page.goto(`${baseUrl()}/catalog`);
    await page.getByText(new RegExp(`${catalogCategoryCount} 个信息种类 · \\d+ 个信息项`)).waitFor();
    await page.getByPlaceholder('搜索信息项').fill('处罚');
    await page.getByTestId('catalog-kind').filter({ hasText: '行政处罚信息' }).waitFor();
    await page.getByPlaceholder('搜索信息项').fill('');
    await page.getByTestId('catalog-kind').filter({ hasText: '营业执照信息' }).click();
    await page.waitForURL(/\/catalog\/business_licence$/);
    const drawer = page.getByRole('dialog');
    await drawer.getByText('统一社会信用代码').first().waitFor();
    await drawer.getByText('公开', { exact: true }).first().waitFor();
    await shot(page, 'public-catalog-kind');
    w.assertClean();
    await w.close();
  });

  it('an unknown report number is reported as not found', async () => {
    const w = await openPage(browser);
    const { page } = w;
    w.allow([400, 404], /\/api\/v1\/reports\/[^/]+\/verify$/);
    // well-formed but never issued, then malformed: both say so
    await page.goto(`${baseUrl()}/verify/XR-20200101-000001-0`);
    await page.getByTestId('verify-result').getByText('未找到该编号的报告').waitFor();
    await page.goto(`${baseUrl()}/verify/NOT-A-NUMBER`);
    await page.getByTestId('verify-result').getByText('未找到该编号的报告').waitFor();
    w.assertClean();
    await w.close();
  });

  it('an unknown page shows a 404 page inside the layout; an unknown API path stays JSON', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await page.goto(`${baseUrl()}/no/such/page`);
    await page.getByText('页面不存在').waitFor();
    const res = await page.request.get(`${baseUrl()}/api/v1/no-such-endpoint`);
    assert.equal(res.status(), 404);
    assert.match(res.headers()['content-type'] ?? '', /problem\+json/);
    w.assertClean();
    await w.close();
  });

  it('on a 375 px phone the layout fits, and the menu opens in a drawer', async () => {
    const w = await openPage(browser, { viewport: phone, isMobile: true });
    const { page } = w;
    await page.goto(baseUrl());
    await page.getByRole('heading', { name: '信融 · 融资信用服务平台' }).waitFor();
    await page.locator('.ant-statistic-content-value').first().waitFor();
    await assertNoHorizontalScroll(page);
    await shot(page, 'phone-home');
    await page.getByTestId('menu-toggle').click();
    await page.getByTestId('mobile-menu').getByText('信用目录').click();
    await page.waitForURL(/\/catalog$/);
    await page.getByRole('heading', { name: '信用信息目录' }).waitFor();
    await assertNoHorizontalScroll(page);
    await shot(page, 'phone-catalog');
    w.assertClean();
    await w.close();
  });
});
