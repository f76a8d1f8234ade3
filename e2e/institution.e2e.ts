import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { baseUrl, launchBrowser, login, openPage, shot } from './harness.ts';
import { loadFixture } from './setup.ts';

const fx = loadFixture();

describe('institution portal', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser.close());

  it('finds a subject by a name fragment and reads it under the consent it holds', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await login(page, fx.institution.username, fx.institution.password, /\/institution$/);
    // a two-character fragment from the middle of the name
    const fragment = fx.enterprise.name.replace(/^(郑州市|平顶山市|河南省|河南)/, '').slice(2, 4);
    await page.getByTestId('inst-q').fill(fragment);
    await page.getByTestId('inst-search').click();
    const hit = page.getByTestId('inst-result').filter({ hasText: fx.enterprise.uscc });
    await hit.waitFor();
    // the grade is shown to the institution; filtering by it keeps the subject, another grade drops it
    const grade = (await hit.getByTestId('result-grade').innerText()).trim();
    assert.match(grade, /^[A-D]\+?$/);
    const pickGrade = async (g: string) => {
      await page.getByTestId('inst-grade').click();
      await page
        .locator('.ant-select-dropdown:visible')
        .getByText(new RegExp(`^${g.replace('+', '\\+')} · `))
        .click();
      await page.getByTestId('inst-search').click();
      await page.waitForURL(new RegExp(`grade=${encodeURIComponent(g)}`));
    };
    await pickGrade(grade);
    await hit.waitFor();
    assert.equal(await hit.getByTestId('result-grade').innerText(), grade);
    await shot(page, 'institution-search');
    const other = grade === 'D' ? 'A' : 'D';
    await pickGrade(other);
    await page.locator('.ant-table-tbody').waitFor();
    await page.waitForFunction(
      (u) => !document.querySelector('.ant-table-tbody')?.textContent?.includes(u),
      fx.enterprise.uscc,
    );
    await pickGrade(grade);
    await hit.click();
    await page.waitForURL(new RegExp(`/institution/subjects/${fx.enterprise.uscc}`));
    assert.equal((await page.getByTestId('subject-name').innerText()).trim(), fx.enterprise.name);
    // the consent is chosen by default and the read is a consented one
    await page.getByText('当前依据企业授权查看').waitFor();
    const records = page.getByTestId('subject-records');
    await records.getByText('授权范围内的全部信息').waitFor();
    await records.getByTestId('records-view').waitFor();
    // conditional information (tax credit grade) is visible under the consent
    await records.getByTestId('category-title').filter({ hasText: '纳税信息' }).waitFor();
    // score and grade without using the consent
    await page.getByTestId('evaluation').getByTestId('score').waitFor();
    await shot(page, 'institution-subject-consent');
    // the full report under the consent, as a PDF
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('issue-full').click(),
    ]);
    assert.match(download.suggestedFilename(), /\.pdf$/);
    await page.getByTestId('issued-number').waitFor();

    // the public view hides what needs consent, and says so
    await page.getByTestId('view-consent').click();
    await page.locator('.ant-select-dropdown').getByText('仅查看公开信息（不使用授权）').click();
    await page.getByText('当前查看公开信息').waitFor();
    await page.getByTestId('withheld').waitFor();
    assert.equal(await records.getByTestId('category-title').filter({ hasText: '纳税信息' }).count(), 0);
    w.assertClean();
    await w.close();
  });

  it('lists the consents it holds and the scores of those subjects', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await login(page, fx.institution.username, fx.institution.password, /\/institution$/);
    await page.goto(`${baseUrl()}/institution/consents`);
    const row = page.getByTestId('consent-row').filter({ hasText: fx.enterprise.uscc });
    await row.getByText('有效').waitFor();
    await row.getByText('贷款申请审查').waitFor();
    await shot(page, 'institution-consents');
    await page.goto(`${baseUrl()}/institution/scores`);
    const scoreRow = page.getByTestId('score-row').filter({ hasText: fx.enterprise.uscc });
    await scoreRow.getByTestId('grade').waitFor();
    await shot(page, 'institution-scores');
    w.assertClean();
    await w.close();
  });
});
