import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { usccCheckChar } from '../src/shared/identifiers.ts';
import { exampleValue } from '../src/web/kind-template.ts';
import { baseUrl, launchBrowser, loginWithTotp, openPage, shot } from './harness.ts';
import { loadFixture } from './setup.ts';

const fx = loadFixture();

interface Field {
  code: string;
  label_zh: string;
  type: string;
  required: boolean;
  pattern?: string;
  sensitivity: 'public' | 'restricted' | 'personal';
  aliases: string[];
  label_en: string;
}

/** A CSV of administrative penalties as a department exports it: two good rows, one with a bad code. */
async function penaltyCsv(): Promise<{ file: string; badRow: number }> {
  const res = await fetch(`${baseUrl()}/api/v1/catalog/kinds/${fx.provider.kind}`);
  const { kind } = (await res.json()) as { kind: { fields: Field[] } };
  const first17 = '91410100MA45E2E0';
  const uscc = first17 + '1' + usccCheckChar(`${first17}1`);
  const row = (decisionNo: string, code: string) =>
    kind.fields.map((f) => {
      if (f.code === 'uscc') return code;
      if (f.code === 'penalty_decision_no') return decisionNo;
      if (f.code === 'name') return '郑州浏览器测试有限公司';
      return String(exampleValue(f as Parameters<typeof exampleValue>[0]));
    });
  const wrong = uscc.slice(0, 17) + (uscc[17] === '0' ? '1' : '0');
  const lines = [
    kind.fields.map((f) => f.label_zh),
    row('郑e2e罚〔2026〕1号', uscc),
    row('郑e2e罚〔2026〕2号', uscc),
    row('郑e2e罚〔2026〕3号', wrong),
  ].map((cells) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(','));
  const file = path.join(os.tmpdir(), `xinrong-e2e-penalties-${process.pid}.csv`);
  fs.writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
  return { file, badRow: 4 };
}

describe('provider portal', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser.close());

  it('uploads a file with a progress bar and sees the rejected row with its reason', async () => {
    const { file, badRow } = await penaltyCsv();
    const w = await openPage(browser);
    const { page } = w;
    await loginWithTotp(
      page,
      fx.provider.username,
      fx.provider.password,
      fx.provider.totpSecret,
      /\/provider$/,
    );
    await page.getByTestId('upload-kind').click();
    await page.locator('.ant-select-dropdown').getByText(fx.provider.kindName, { exact: true }).click();
    await page.locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('upload-submit').click();
    const outcome = page.getByTestId('upload-outcome');
    await outcome.waitFor();
    await outcome.getByText('1 行未通过校验').waitFor();
    const figures = await outcome.locator('.ant-statistic-content-value').allInnerTexts();
    assert.deepEqual(figures, ['3', '2', '0', '1']); // received, stored, unchanged, rejected
    const errors = page.getByTestId('row-errors');
    const bad = errors.locator('tbody tr').filter({ hasText: '统一社会信用代码' }).first();
    await bad.waitFor();
    assert.equal((await bad.locator('td').first().innerText()).trim(), String(badRow));
    assert.match(await bad.innerText(), /校验/);
    await shot(page, 'provider-upload');

    // the batch page keeps it, and the errors download as CSV with Chinese headers
    await outcome.getByText('查看批次详情').click();
    await page.waitForURL(/\/provider\/batches\/\d+$/);
    await page
      .getByTestId('batch-status')
      .getByText(/已完成/)
      .waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('errors-csv').click(),
    ]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    assert.match(csv, /行号|row/);
    assert.match(csv, new RegExp(`\\n${badRow},`));
    await shot(page, 'provider-batch');

    await page.goto(`${baseUrl()}/provider/batches`);
    await page.getByTestId('batch-row').first().waitFor();
    w.assertClean();
    await w.close();
    fs.rmSync(file, { force: true });
  });

  it('downloads an XLSX template with Chinese headers and an example row', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await loginWithTotp(
      page,
      fx.provider.username,
      fx.provider.password,
      fx.provider.totpSecret,
      /\/provider$/,
    );
    await page.goto(`${baseUrl()}/provider/templates`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`template-${fx.provider.kind}`).click(),
    ]);
    assert.match(download.suggestedFilename(), /报送模板\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await download.path());
    const header: string[] = [];
    wb.getWorksheet('数据')!
      .getRow(2)
      .eachCell((c) => header.push(String(c.value)));
    assert.ok(header.includes('统一社会信用代码') && header.includes('行政处罚决定文书号'), header.join(','));
    const example: string[] = [];
    wb.getWorksheet('填写示例')!
      .getRow(3)
      .eachCell((c) => example.push(String(c.value)));
    assert.equal(example.length, header.length);
    await shot(page, 'provider-templates');
    w.assertClean();
    await w.close();
  });
});
