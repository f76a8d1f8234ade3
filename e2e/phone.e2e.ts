import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertNoHorizontalScroll, baseUrl, launchBrowser, login, openPage, phone, shot } from './harness.ts';
import { loadFixture } from './setup.ts';

const fx = loadFixture();

describe('on a 375 × 812 phone', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser.close());

  it('an enterprise logs in, reads its records as cards and its consents, without sideways scrolling', async () => {
    const w = await openPage(browser, { viewport: phone, isMobile: true });
    const { page } = w;
    await login(page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    const records = page.getByTestId('subject-records');
    await records.getByTestId('record').first().waitFor();
    // records are cards (label above value), not a table
    assert.equal(await records.locator('.ant-table').count(), 0);
    await assertNoHorizontalScroll(page);
    await shot(page, 'phone-enterprise-profile');
    await shot(page, 'phone-enterprise-top', { viewport: true });
    await records.getByTestId('record').first().scrollIntoViewIfNeeded();
    await shot(page, 'phone-enterprise-records', { viewport: true });

    await page.getByTestId('menu-toggle').click();
    await page.getByTestId('mobile-menu').getByText('授权管理').click();
    await page.waitForURL(/\/enterprise\/consents$/);
    await page.getByTestId('consent-row').first().waitFor();
    await assertNoHorizontalScroll(page);
    await shot(page, 'phone-enterprise-consents');

    await page.getByTestId('menu-toggle').click();
    await page.getByTestId('mobile-menu').getByText('信用评价').click();
    await page.getByTestId('score').first().waitFor();
    await assertNoHorizontalScroll(page);
    await shot(page, 'phone-enterprise-evaluation');
    w.assertClean();
    await w.close();
  });

  it('the public lookup works with the phone layout', async () => {
    const w = await openPage(browser, { viewport: phone, isMobile: true });
    const { page } = w;
    await page.goto(`${baseUrl()}/lookup?q=${encodeURIComponent('有限公司')}`);
    await page.getByTestId('lookup-result').first().click();
    await page.getByTestId('subject-name').waitFor();
    await assertNoHorizontalScroll(page);
    await shot(page, 'phone-subject');
    w.assertClean();
    await w.close();
  });
});
