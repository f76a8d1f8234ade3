import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { systemActor } from '../access/actor.ts';
import type { Catalog } from '../catalog/catalog.schema.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { seedCatalog } from '../test/catalog.ts';
import { buildKindTemplate } from './kind-template.ts';

async function readWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

function rowTexts(ws: ExcelJS.Worksheet, n: number): string[] {
  const out: string[] = [];
  ws.getRow(n).eachCell({ includeEmpty: false }, (c) => out.push(String(c.value)));
  return out;
}

describe('kind templates (报送模板)', () => {
  let t: TestApp;
  let catalog: Catalog;
  before(async () => {
    t = await createTestApp();
    catalog = await seedCatalog(t.db);
  });
  after(() => t.close());

  it('has the Chinese labels as headers, an example row and a field sheet for every kind', async () => {
    for (const kind of catalog.kinds) {
      const wb = await readWorkbook(await buildKindTemplate(kind, catalog.version));
      assert.deepEqual(
        wb.worksheets.map((w) => w.name),
        ['数据', '填写示例', '字段说明'],
      );
      const labels = kind.fields.map((f) => f.label_zh);
      assert.deepEqual(rowTexts(wb.getWorksheet('数据')!, 2), labels, kind.code);
      assert.deepEqual(rowTexts(wb.getWorksheet('填写示例')!, 2), labels, kind.code);
      assert.equal(rowTexts(wb.getWorksheet('填写示例')!, 3).length, kind.fields.length, kind.code);
      // the data sheet holds no record: nothing but the title and the header
      assert.equal(wb.getWorksheet('数据')!.actualRowCount, 2, kind.code);
      assert.equal(wb.getWorksheet('字段说明')!.getCell(2, 2).value, kind.fields[0]!.code);
    }
  });

  it('its example row passes ingestion when copied into the data sheet, for every pushed kind', async () => {
    for (const kind of catalog.kinds.filter((k) => k.share_mode !== 'pull')) {
      const code = kind.code;
      const wb = await readWorkbook(await buildKindTemplate(kind, catalog.version));
      const example = wb.getWorksheet('填写示例')!.getRow(3);
      const data = wb.getWorksheet('数据')!;
      kind.fields.forEach((_f, i) => {
        data.getCell(3, i + 1).value = example.getCell(i + 1).value;
      });
      const bytes = Buffer.from(await wb.xlsx.writeBuffer());
      const outcome = await t.ctx.ingest.pushFile(systemActor('test'), {
        kindCode: code,
        allOrNothing: false,
        filename: `${code}.xlsx`,
        format: 'xlsx',
        source: 'upload',
        stream: Readable.from([bytes]),
      });
      assert.deepEqual(
        { received: outcome.received, accepted: outcome.accepted, errors: outcome.errors },
        { received: 1, accepted: 1, errors: [] },
        code,
      );
    }
  });

  it('is served to providers and operators only, as an XLSX attachment', async () => {
    const anon = await t.inject('/api/v1/catalog/kinds/admin_penalty/template.xlsx');
    assert.equal(anon.statusCode, 401);
    const route = t.routes.find((r) => r.url === '/api/v1/catalog/kinds/:code/template.xlsx');
    assert.deepEqual(route?.access, ['provider', 'operator']);
  });
});
