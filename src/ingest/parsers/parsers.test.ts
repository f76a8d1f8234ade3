import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { AppError } from '../../shared/errors.ts';
import { encodeGbk, penaltyCsv, penaltyWorkbook, seedKind, testUscc } from '../fixtures/files.ts';
import { createHeaderMatcher } from '../headers.ts';
import { csvRecords } from './csv-reader.ts';
import { detectFormat, parseFile, type InputFormat, type ParsedRow } from './index.ts';
import type { RowError } from '../../records/record-store.service.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-parsers-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const kind = seedKind('admin_penalty');

async function parse(bytes: Buffer, declared?: InputFormat) {
  const p = path.join(dir, `f-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(p, bytes);
  const head = bytes.subarray(0, 65536);
  const format = detectFormat(head, declared);
  const warnings: RowError[] = [];
  let headerRow = 0;
  const rows: ParsedRow[] = [];
  for await (const r of parseFile(
    { path: p, size: bytes.length, head },
    format,
    createHeaderMatcher(kind),
    kind.code,
    {
      onHeader: (row, h) => {
        headerRow = row;
        for (const u of h.unknown) {
          warnings.push({
            row,
            field: u.header,
            rule: 'unknown_column',
            value: null,
            message: { zh: '', en: '' },
          });
        }
      },
      onWarning: (w) => warnings.push(w),
    },
  )) {
    rows.push(r);
  }
  return { format, rows, warnings, headerRow };
}

async function rejects(bytes: Buffer, code: string, declared?: InputFormat) {
  await assert.rejects(parse(bytes, declared), (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.ok(e.messageZh && e.messageEn);
    return true;
  });
}

const rowsData = [
  ['郑州甲有限公司', testUscc(1), '郑监罚〔2024〕1号', '2024-03-05', '郑州市市场监督管理局', '1.5'],
  ['郑州乙有限公司', testUscc(2), '郑监罚〔2024〕2号', '2024/3/6', '郑州市市场监督管理局', ''],
];

describe('parsers', () => {
  it('reads a GBK (GB18030) CSV with a title row: row numbers as a spreadsheet shows them', async () => {
    const text = penaltyCsv(rowsData, { title: '郑州市行政处罚信息（2024年）' });
    const gbk = encodeGbk(text);
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk)); // really not UTF-8
    const r = await parse(gbk);
    assert.equal(r.format, 'csv');
    assert.equal(r.headerRow, 2);
    assert.deepEqual(
      r.rows.map((x) => x.row),
      [3, 4],
    );
    assert.equal(r.rows[0]!.values.name, '郑州甲有限公司');
    assert.equal(r.rows[0]!.values.authority_name, '郑州市市场监督管理局');
  });

  it('reads UTF-8 with a BOM and UTF-16LE with a BOM', async () => {
    const text = penaltyCsv(rowsData);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    const r = await parse(bom);
    assert.equal(r.headerRow, 1);
    assert.equal(r.rows[0]!.values.name, '郑州甲有限公司');
    const u16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const r16 = await parse(u16);
    assert.equal(r16.rows[1]!.values.penalty_decision_no, '郑监罚〔2024〕2号');
  });

  it('counts blank lines and multi-line cells like a spreadsheet; skips notes; tab-separated works', async () => {
    const text = `企业名称,统一社会信用代码,行政处罚决定文书号,行政处罚决定日期,行政机关名称\n\n甲,${testUscc(1)},"A\n1",2024-01-01,局\n乙,${testUscc(2)},A2,2024-01-01,局\n注：以上数据截至 2024 年底\n`;
    const r = await parse(Buffer.from(text));
    assert.deepEqual(
      r.rows.map((x) => x.row),
      [3, 4],
    );
    const tsv = text.replaceAll(',', '\t').replace('"A\n1"', 'A1');
    assert.deepEqual(
      (await parse(Buffer.from(tsv))).rows.map((x) => x.values.penalty_decision_no),
      ['A1', 'A2'],
    );
  });

  it('matches headers by label, code, alias, full-width brackets and * marks; unknown columns are warned once', async () => {
    const text = `*企业名称,USCC,penalty_decision_no,处罚决定日期,行政机关名称,罚款金额（万元）,内部编号\n甲,${testUscc(1)},A1,2024-01-01,局,1,x\n乙,${testUscc(2)},A2,2024-01-01,局,2,y\n`;
    const r = await parse(Buffer.from(text));
    assert.deepEqual(Object.keys(r.rows[0]!.values).sort(), [
      'authority_name',
      'decided_on',
      'fine_amount',
      'name',
      'penalty_decision_no',
      'uscc',
    ]);
    assert.deepEqual(
      r.warnings.map((w) => [w.row, w.field, w.rule]),
      [[1, '内部编号', 'unknown_column']],
    );
  });

  it('reads XLSX: title row, Excel serials, date cells, numbers as text, notes below', async () => {
    const r = await parse(await penaltyWorkbook());
    assert.equal(r.format, 'xlsx');
    assert.equal(r.headerRow, 3);
    assert.deepEqual(
      r.rows.map((x) => x.row),
      [4, 5, 6, 8],
    );
    assert.equal(r.rows[0]!.values.decided_on, 45356);
    assert.ok(r.rows[1]!.values.decided_on instanceof Date);
    assert.equal(r.rows[0]!.values.fine_amount, '1,234.50');
  });

  it('XLSX: only the first worksheet is read, and other sheets are named in a warning, never silently skipped', async () => {
    const wb = new ExcelJS.Workbook();
    const header = ['企业名称', '统一社会信用代码', '行政处罚决定文书号', '行政处罚决定日期', '行政机关名称'];
    // Sheets that explain (填表说明, the template's 填写示例 and 字段说明) and blank ones are not named.
    for (const [name, n] of [
      ['2024年', 1],
      ['2023年', 2],
      ['填表说明', 0],
      ['填写示例', 3],
      ['Sheet4', -1],
      ['Sheet5', 0],
    ] as const) {
      const ws = wb.addWorksheet(name);
      if (n >= 0) ws.addRow(n ? header : ['说明', '备注']);
      if (n > 0) ws.addRow([`甲${n}`, testUscc(n), `A${n}`, '2024-01-01', '局']);
    }
    const r = await parse(Buffer.from(await wb.xlsx.writeBuffer()));
    assert.deepEqual(
      r.rows.map((x) => x.values.penalty_decision_no),
      ['A1'],
    );
    assert.deepEqual(
      r.warnings.map((w) => [w.row, w.rule, w.value]),
      [[0, 'sheet_ignored', '“2023年”、“Sheet5”']],
    );
    assert.match(r.warnings[0]!.message.zh, /第一个工作表“2024年”/);
    assert.match(r.warnings[0]!.message.en, /first worksheet "2024年"/);
  });

  it('refuses truncated XLSX, old .xls, binary garbage, empty files and files of another kind', async () => {
    const xlsx = await penaltyWorkbook();
    await rejects(xlsx.subarray(0, Math.floor(xlsx.length / 2)), 'file_unreadable');
    await rejects(
      Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), Buffer.alloc(600)]),
      'file_unreadable',
    );
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    await rejects(garbage, 'file_unreadable');
    await rejects(Buffer.alloc(0), 'file_empty');
    await rejects(Buffer.from('\n\n\n'), 'file_empty');
    await rejects(Buffer.from('纳税人名称,纳税信用等级,评价年度\n甲,A,2023\n'), 'header_missing');
    await rejects(Buffer.from('甲,乙,丙\n1,2,3\n'), 'header_missing');
  });

  it('reads JSON arrays, {rows:[…]} and NDJSON, streaming element by element', async () => {
    const objs = rowsData.map((r) => ({
      企业名称: r[0],
      uscc: r[1],
      行政处罚决定文书号: r[2],
      decided_on: r[3],
      authority_name: r[4],
    }));
    const arr = await parse(Buffer.from(JSON.stringify(objs, null, 2)));
    assert.equal(arr.format, 'json');
    assert.deepEqual(
      arr.rows.map((x) => [x.row, x.values.name]),
      [
        [1, '郑州甲有限公司'],
        [2, '郑州乙有限公司'],
      ],
    );
    const wrapped = await parse(
      Buffer.from(JSON.stringify({ kind: 'admin_penalty', rows: objs, note: '[not rows]' })),
    );
    assert.equal(wrapped.rows.length, 2);
    const nd = await parse(Buffer.from(objs.map((o) => JSON.stringify(o)).join('\n') + '\n'));
    assert.equal(nd.format, 'ndjson');
    assert.deepEqual(
      nd.rows.map((x) => x.row),
      [1, 2],
    );
    await rejects(Buffer.from(JSON.stringify(objs).slice(0, 60)), 'file_unreadable', 'json');
    await rejects(Buffer.from('[]'), 'file_empty', 'json');
  });

  it('a value nested too deeply to re-serialise is a clear file error, not a crash (NDJSON and JSON)', async () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const line = `{"name":"甲","uscc":"${testUscc(1)}","行政处罚决定文书号":"A1","decided_on":"2024-03-05","违法事实":${deep}}`;
    await rejects(Buffer.from(`${line}\n`), 'file_unreadable', 'ndjson');
    await rejects(Buffer.from(`[${line}]`), 'file_unreadable', 'json');
    // Moderately nested values are kept as their JSON text.
    const r = await parse(Buffer.from(`${line.replace(deep, '[[1,{"a":2}]]')}\n`), 'ndjson');
    assert.equal(r.rows[0]!.values.violation_facts, '[[1,{"a":2}]]');
  });

  it('JSON numbers a double cannot hold exactly arrive as their text: never rounded on the way in', async () => {
    const line = (n: number, extra: string) =>
      `{"name":"甲","uscc":"${testUscc(n)}","行政处罚决定文书号":12345678901234567890123,"decided_on":"2024-03-05"${extra}}`;
    const nd = await parse(
      Buffer.from(`${line(1, ',"fine_amount":9007199254740993')}\n${line(2, ',"fine_amount":1e400')}\n`),
      'ndjson',
    );
    assert.deepEqual(
      nd.rows.map((r) => [r.values.penalty_decision_no, r.values.fine_amount]),
      [
        ['12345678901234567890123', '9007199254740993'],
        ['12345678901234567890123', '1e400'],
      ],
    );
    const arr = await parse(Buffer.from(`[${line(3, ',"fine_amount":1234567890.123456789')}]`), 'json');
    assert.deepEqual(arr.rows[0]!.values.fine_amount, '1234567890.123456789');
    // Numbers a double holds exactly stay numbers.
    const exact = await parse(
      Buffer.from(`${line(4, ',"fine_amount":9007199254740992,"confiscated_amount":1.5e3')}\n`),
      'ndjson',
    );
    assert.deepEqual(
      [exact.rows[0]!.values.fine_amount, exact.rows[0]!.values.confiscated_amount],
      [9007199254740992, 1500],
    );
  });

  it('a record spanning many chunks is read in linear time (an unclosed quote in a big file, a huge cell)', async () => {
    // Read 1 KiB at a time, a 4 MiB record used to be parsed again from its start at every chunk:
    // minutes of blocked event loop (hours for a 200 MB upload). Now a few milliseconds.
    async function* chunks(text: string): AsyncGenerator<string> {
      for (let i = 0; i < text.length; i += 1024) yield text.slice(i, i + 1024);
    }
    const big = 'x"'.repeat(2 * 1024 * 1024);
    const csv = `a,b\n1,"${big.replaceAll('"', '""')}\n2"\n3,4\n`;
    const started = Date.now();
    const records: string[][] = [];
    for await (const batch of csvRecords(chunks(csv))) records.push(...batch);
    assert.deepEqual(
      records.map((r) => r.map((c) => c.length)),
      [
        [1, 1],
        [1, big.length + 2],
        [1, 1],
      ],
    );
    assert.equal(records[1]![1], `${big}\n2`);
    const plain = `a,b\n1,${'y'.repeat(4 * 1024 * 1024)}\n3,4`;
    const plainRecords: string[][] = [];
    for await (const batch of csvRecords(chunks(plain))) plainRecords.push(...batch);
    assert.deepEqual(
      plainRecords.map((r) => r.length),
      [2, 2, 2],
    );
    await assert.rejects(
      (async () => {
        for await (const _ of csvRecords(chunks(`a,b\n1,"${'z'.repeat(4 * 1024 * 1024)}\n`)));
      })(),
      (e: unknown) => e instanceof AppError && e.code === 'file_unreadable',
    );
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  it('an NDJSON line of many chunks is read in linear time', async () => {
    // A 64 MB line used to be split again at every 256 KiB chunk: tens of seconds of blocked event loop.
    const facts = 'x'.repeat(64 * 1024 * 1024);
    const line = JSON.stringify({ name: '甲', uscc: testUscc(1), 行政处罚决定文书号: 'A1', 违法事实: facts });
    const started = Date.now();
    const r = await parse(Buffer.from(`${line}\n${line}`), 'ndjson');
    assert.deepEqual(
      r.rows.map((x) => [x.row, (x.values.violation_facts as string).length]),
      [
        [1, facts.length],
        [2, facts.length],
      ],
    );
    assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started} ms`);
  });

  it('refuses JSON with more after its rows: a second array or a second "rows" would be silently dropped', async () => {
    const o = (n: number) => ({
      name: `甲${n}`,
      uscc: testUscc(n),
      行政处罚决定文书号: `A${n}`,
      decided_on: '2024-03-05',
    });
    const one = JSON.stringify([o(1)]);
    await rejects(Buffer.from(one + JSON.stringify([o(2)])), 'file_unreadable', 'json');
    await rejects(Buffer.from(`${one}\n${JSON.stringify([o(2)])}\n`), 'file_unreadable', 'json');
    await rejects(Buffer.from(`${one} garbage`), 'file_unreadable', 'json');
    await rejects(Buffer.from(`{"rows":${one},"rows":${JSON.stringify([o(2)])}}`), 'file_unreadable', 'json');
    // More after the rows in a long file (past the first chunk read) as well.
    const many = JSON.stringify(Array.from({ length: 3000 }, (_, i) => o(i + 1)));
    await rejects(Buffer.from(`${many}${many}`), 'file_unreadable', 'json');
    // Whitespace after the array, and other members around "rows" (strings with brackets, "rows" as a
    // value), are fine.
    assert.equal((await parse(Buffer.from(`${one}\n\n  `), 'json')).rows.length, 1);
    const wrapped = `{"note":"rows","rows":${one},"meta":{"rows":[1,2]},"x":"]}[{","y":["rows"]}\n`;
    assert.equal((await parse(Buffer.from(wrapped), 'json')).rows.length, 1);
  });
});
