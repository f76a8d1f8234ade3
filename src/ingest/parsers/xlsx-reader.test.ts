import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import {
  columnIndex,
  excelSerialToDate,
  isDateFormatCode,
  readFirstSheetRows,
  type XlsxRow,
} from './xlsx-reader.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-xlsx-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A ZIP of stored (uncompressed) parts, in exactly the order given: to put parts where writers don't. */
function storedZip(parts: [string, string][]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of parts) {
    const data = Buffer.from(text, 'utf8');
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(nameBuf.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    central.push(cd, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, end]);
}

async function readAll(bytes: Buffer): Promise<XlsxRow[]> {
  const p = path.join(dir, `${Math.random().toString(36).slice(2)}.xlsx`);
  fs.writeFileSync(p, bytes);
  const rows: XlsxRow[] = [];
  for await (const r of readFirstSheetRows(p)) rows.push(r);
  return rows;
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

describe('XLSX reader', () => {
  it('reads the first sheet in workbook order, whatever the order of parts in the archive', async () => {
    const rows = await readAll(
      storedZip([
        // the sheet the workbook lists second comes first in the archive, workbook.xml last
        [
          'xl/worksheets/sheet1.xml',
          `<worksheet ${NS}><sheetData><row r="1"><c r="A1"><v>2</v></c></row></sheetData></worksheet>`,
        ],
        [
          'xl/worksheets/sheet2.xml',
          `<worksheet ${NS}><sheetData>
            <row r="2"><c r="A2" t="s"><v>0</v></c><c r="C2" t="inlineStr"><is><t xml:space="preserve"> 内联 </t></is></c></row>
            <row r="5"><c r="B5" s="1"><v>45356</v></c><c r="D5" s="2"><v>45356.5</v></c><c r="E5" t="b"><v>1</v></c><c r="F5" t="e"><v>#N/A</v></c><c r="G5" t="str"><f>A1&amp;"x"</f><v>公式结果</v></c><c r="H5"><v>1234.5</v></c></row>
          </sheetData></worksheet>`,
        ],
        [
          'xl/sharedStrings.xml',
          `<sst ${NS}><si><r><t>郑州</t></r><r><rPr><b/></rPr><t>甲公司</t></r><rPh sb="0" eb="2"><t>ZHENGZHOU</t></rPh></si></sst>`,
        ],
        [
          'xl/styles.xml',
          `<styleSheet ${NS}><numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>
           <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
           <cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="176"/><xf numFmtId="22"/></cellXfs></styleSheet>`,
        ],
        [
          'xl/_rels/workbook.xml.rels',
          `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Target="worksheets/sheet1.xml"/><Relationship Id="rId9" Target="/xl/worksheets/sheet2.xml"/></Relationships>`,
        ],
        [
          'xl/workbook.xml',
          `<workbook ${NS} ${RNS}><workbookPr/><sheets><sheet name="数据" sheetId="2" r:id="rId9"/><sheet name="其他" sheetId="1" r:id="rId7"/></sheets></workbook>`,
        ],
      ]),
    );
    assert.deepEqual(
      rows.map((r) => r.row),
      [2, 5],
    );
    assert.deepEqual(rows[0]!.cells, ['郑州甲公司', undefined, ' 内联 ']);
    const c = rows[1]!.cells;
    assert.equal(c[0], undefined);
    assert.deepEqual(c[1], new Date('2024-03-05T00:00:00Z'));
    assert.deepEqual(c[3], new Date('2024-03-05T12:00:00Z'));
    assert.equal(c[4], true);
    assert.equal(c[5], undefined);
    assert.equal(c[6], '公式结果');
    assert.equal(c[7], 1234.5);
  });

  it('honours the 1904 date system and reports a damaged sheet as an error, not as fewer rows', async () => {
    const wb = (pr: string) =>
      `<workbook ${NS} ${RNS}><workbookPr ${pr}/><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>`;
    const rels = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`;
    const styles = `<styleSheet ${NS}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`;
    const sheet = `<worksheet ${NS}><sheetData><row r="1"><c r="A1" s="1"><v>0</v></c></row></sheetData></worksheet>`;
    const rows = await readAll(
      storedZip([
        ['xl/workbook.xml', wb('date1904="1"')],
        ['xl/_rels/workbook.xml.rels', rels],
        ['xl/styles.xml', styles],
        ['xl/worksheets/sheet1.xml', sheet],
      ]),
    );
    assert.deepEqual(rows[0]!.cells[0], new Date('1904-01-01T00:00:00Z'));

    await assert.rejects(
      readAll(
        storedZip([
          ['xl/workbook.xml', wb('')],
          ['xl/_rels/workbook.xml.rels', rels],
          [
            'xl/worksheets/sheet1.xml',
            `<worksheet ${NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row`,
          ],
        ]),
      ),
      /sheet1\.xml/,
    );
    await assert.rejects(readAll(storedZip([['xl/styles.xml', styles]])), /missing part xl\/workbook\.xml/);
  });

  it("refuses a row number beyond Excel's 1,048,576 rows (it would not fit the row number of a row error)", async () => {
    const wb = `<workbook ${NS} ${RNS}><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>`;
    const sheet = (r: string) =>
      `<worksheet ${NS}><sheetData><row r="${r}"><c r="A${r}"><v>1</v></c></row></sheetData></worksheet>`;
    const file = (r: string) =>
      storedZip([
        ['xl/workbook.xml', wb],
        ['xl/worksheets/sheet1.xml', sheet(r)],
      ]);
    assert.equal((await readAll(file('1048576')))[0]!.row, 1048576);
    for (const r of ['1048577', '2147483648', '99999999999']) {
      await assert.rejects(readAll(file(r)), /beyond Excel's 1,048,576 rows/);
    }
  });

  it('reads exceljs output the same way every time (the flaky WorkbookReader case)', async () => {
    const wb = new ExcelJS.Workbook();
    for (const name of ['数据', '填写示例', '字段说明']) {
      const ws = wb.addWorksheet(name);
      ws.addRow([`${name}标题`]);
      ws.addRow(['名称', '日期', '金额']);
      ws.getCell('B3').numFmt = 'yyyy-mm-dd';
      ws.getRow(3).values = [`${name}甲`, new Date(Date.UTC(2024, 2, 5)), 12.5];
      ws.getCell('A3').note = '批注 / a note, which adds comments and drawings parts';
    }
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    for (let i = 0; i < 20; i++) {
      const rows = await readAll(bytes);
      assert.deepEqual(
        rows.map((r) => r.cells),
        [['数据标题'], ['名称', '日期', '金额'], ['数据甲', new Date('2024-03-05T00:00:00Z'), 12.5]],
      );
    }
  });

  it('parses the pieces: column letters, date formats, serials', () => {
    assert.equal(columnIndex('A1'), 0);
    assert.equal(columnIndex('Z9'), 25);
    assert.equal(columnIndex('AA10'), 26);
    assert.equal(columnIndex('XFD1'), 16383);
    assert.equal(columnIndex('12'), -1);
    assert.ok(isDateFormatCode('yyyy"年"m"月"d"日"'));
    assert.ok(isDateFormatCode('[$-804]yyyy/m/d h:mm'));
    assert.ok(isDateFormatCode('[h]:mm:ss'));
    assert.ok(!isDateFormatCode('#,##0.00"元"'));
    assert.ok(!isDateFormatCode('[Red]0.00'));
    assert.ok(!isDateFormatCode('General'));
    assert.ok(!isDateFormatCode('@'));
    assert.deepEqual(excelSerialToDate(45356, false), new Date('2024-03-05T00:00:00Z'));
  });
});
