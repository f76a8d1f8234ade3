import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  assertNoHorizontalScroll,
  baseUrl,
  launchBrowser,
  login,
  loginOperator,
  openPage,
  phone,
  pickOption,
  shot,
} from './harness.ts';
import { loadFixture } from './setup.ts';

const fx = loadFixture();
const reason = '辖区重点培育企业，经走访核实经营正常、订单增长，有流动资金贷款需求';

/**
 * The financing whitelist end to end: a district's recommender screens and recommends an enterprise,
 * the operator approves it, the bank sees it (list and badge), the enterprise sees its standing, and
 * the recommender withdraws it again.
 */
describe('financing whitelist (recommender portal)', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser.close());

  it('recommend → approve → institutions and the enterprise see it → withdraw', async () => {
    // the recommender screens its district and recommends the enterprise with a reason
    const rec = await openPage(browser);
    await login(rec.page, fx.recommender.username, fx.recommender.password, /\/recommender$/);
    const fragment = fx.enterprise.name.replace(/^(郑州市|平顶山市|河南省|河南)/, '').slice(2, 4);
    await rec.page.getByTestId('rec-q').fill(fragment);
    await rec.page.getByTestId('rec-search').click();
    const hit = rec.page.getByTestId('rec-result').filter({ hasText: fx.enterprise.uscc });
    await hit.getByTestId('rec-recommend').click();
    const dialog = rec.page.getByRole('dialog');
    await pickOption(rec.page, dialog.getByTestId('rec-category'), '科技型中小企业');
    await dialog.getByTestId('rec-reason').fill(reason);
    await shot(rec.page, 'recommender-recommend');
    await dialog.getByRole('button', { name: /提\s?交/ }).click();
    await rec.page.waitForURL(/\/recommender\/entries$/);
    const mine = rec.page.getByTestId('wl-row').filter({ hasText: fx.enterprise.uscc });
    await mine.getByText('待审核').waitFor();
    await shot(rec.page, 'recommender-entries');
    rec.assertClean();

    // the operator approves it
    const op = await openPage(browser);
    await loginOperator(op.page, fx.operator.username, fx.operator.password, fx.operator.totpSecret);
    await op.page.goto(`${baseUrl()}/operator/whitelist`);
    const pending = op.page.getByTestId('wl-row').filter({ hasText: fx.enterprise.uscc });
    await pending.getByText(reason).waitFor();
    await pending.getByText(fx.recommender.orgName).waitFor();
    await pending.getByTestId('wl-approve').click();
    await op.page.getByRole('dialog').getByTestId('wl-note').fill('经核查符合白名单条件');
    await op.page
      .getByRole('dialog')
      .getByRole('button', { name: /提\s?交/ })
      .click();
    await op.page.getByText('已处理').waitFor();
    await pending.waitFor({ state: 'detached' });
    await shot(op.page, 'operator-whitelist');
    op.assertClean();
    await op.close();

    // the bank sees it in force, with the reason, and the badge on the subject page
    const bank = await openPage(browser);
    await login(bank.page, fx.institution.username, fx.institution.password, /\/institution$/);
    await bank.page.goto(`${baseUrl()}/institution/whitelist`);
    const listed = bank.page.getByTestId('wl-row').filter({ hasText: fx.enterprise.uscc });
    await listed.getByText('已入库').waitFor();
    await listed.getByText('科技型中小企业').waitFor();
    await shot(bank.page, 'institution-whitelist');
    await listed.getByRole('link', { name: fx.enterprise.name }).click();
    await bank.page.waitForURL(new RegExp(`/institution/subjects/${fx.enterprise.uscc}`));
    await bank.page.getByTestId('whitelist-badge').waitFor();
    bank.assertClean();
    await bank.close();

    // the enterprise sees its own standing
    const ent = await openPage(browser);
    await login(ent.page, fx.enterprise.username, fx.enterprise.password, /\/enterprise$/);
    await ent.page.getByTestId('whitelist-badge').waitFor();
    ent.assertClean();
    await ent.close();

    // the recommender sees the approval and withdraws, with a reason; the history has every step
    await rec.page.reload();
    await mine.getByText('已入库').waitFor();
    await mine.getByTestId('wl-withdraw').click();
    await rec.page.getByRole('dialog').getByTestId('wl-note').fill('企业已获得银行授信，无需继续推荐');
    await rec.page
      .getByRole('dialog')
      .getByRole('button', { name: /撤\s?回/ })
      .click();
    await mine.getByText('已撤回').waitFor();
    await mine.getByTestId('wl-history').click();
    await rec.page.getByTestId('wl-event').nth(2).waitFor();
    const events = await rec.page.getByTestId('wl-event').allInnerTexts();
    assert.deepEqual(
      events.map((e) => e.split(/\s/)[0]),
      ['推荐', '审核通过，列入白名单', '推荐单位撤回'],
    );
    rec.assertClean();
    await rec.close();
  });

  it('fits a phone screen', async () => {
    const w = await openPage(browser, { viewport: phone, isMobile: true });
    await login(w.page, fx.recommender.username, fx.recommender.password, /\/recommender$/);
    await w.page.goto(`${baseUrl()}/recommender/entries`);
    await w.page.getByTestId('wl-row').first().waitFor();
    await assertNoHorizontalScroll(w.page);
    await shot(w.page, 'recommender-entries-phone');
    w.assertClean();
    await w.close();
  });
});
