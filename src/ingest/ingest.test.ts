import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { createApiToken } from '../access/authenticate.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { seedCatalog } from '../test/catalog.ts';
import { countRows } from '../test/db.ts';
import { encodeGbk, penaltyCsv, penaltyWorkbook, testUscc } from './fixtures/files.ts';
import { ingestRows } from './ingest.service.ts';

const PROVIDER = { authorization: 'Bearer tok-ndrc' };
const COURT = { authorization: 'Bearer tok-court' };
const OPERATOR = { authorization: 'Bearer tok-operator' };

function multipart(filename: string, content: Buffer, fields: Record<string, string> = {}) {
  const boundary = `----xinrong${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

async function counts(t: TestApp) {
  return {
    records: await countRows(t.db, 'records'),
    versions: await countRows(t.db, 'record_versions'),
    ledger: await countRows(t.db, 'ledger_entries'),
    subjects: await countRows(t.db, 'subjects'),
  };
}

const row = (n: number, extra: Partial<Record<'date' | 'fine' | 'name', string>> = {}) => [
  extra.name ?? `郑州市第${n}商贸有限公司`,
  testUscc(n),
  `郑监罚〔2024〕${n}号`,
  extra.date ?? '2024-03-05',
  '郑州市市场监督管理局',
  extra.fine ?? '1.5',
];

/** Each reported error as [row, field, rule, value]. */
const errorFacts = (out: { errors: { row: number; field: string; rule: string; value: string }[] }) =>
  out.errors.map((e) => [e.row, e.field, e.rule, e.value]);

describe('ingestion over HTTP', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await seedCatalog(t.db);
    await createApiToken(t.db, { type: 'provider', id: 'ndrc' }, 'ndrc', 'tok-ndrc');
    await createApiToken(t.db, { type: 'provider', id: 'court' }, 'court', 'tok-court');
    await createApiToken(t.db, { type: 'operator', id: 'op1' }, 'op', 'tok-operator');
  });
  after(() => t.close());

  const push = (
    body: string | Buffer,
    query: string,
    headers: Record<string, string> = PROVIDER,
    type = 'text/csv',
  ) =>
    t.inject({
      method: 'POST',
      url: `/api/v1/batches?${query}`,
      payload: body,
      headers: { ...headers, 'content-type': type },
    });

  it('accepts valid rows, reports rejected ones by spreadsheet row, keeps the raw upload with SHA-256 and SM3', async () => {
    const csv = penaltyCsv([row(1), row(2, { date: '2024-02-30' }), row(3, { fine: '12.5万元' })], {
      title: '2024年行政处罚',
    });
    const res = await push(csv, 'kind=admin_penalty');
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json();
    assert.deepEqual(Object.keys(out), ['batch', 'received', 'accepted', 'unchanged', 'rejected', 'errors']);
    assert.deepEqual([out.received, out.accepted, out.unchanged, out.rejected], [3, 2, 0, 1]);
    assert.deepEqual(errorFacts(out), [[4, 'decided_on', 'date', '2024-02-30']]);
    assert.deepEqual(Object.keys(out.errors[0]), ['row', 'field', 'rule', 'value', 'message']);
    assert.match(out.errors[0].message.zh, /行政处罚决定日期/);
    // 12.5万元 in a 万元 field is accepted as 12.5
    const b = (await t.inject({ url: `/api/v1/batches/${out.batch}`, headers: PROVIDER })).json();
    assert.equal(b.status, 'completed');
    assert.equal(b.sha256, createHash('sha256').update(csv).digest('hex'));
    assert.equal(b.sm3, createHash('sm3').update(csv).digest('hex'));
    assert.equal(fs.readFileSync(path.join(t.ctx.config.dataDir, 'blobs', b.sha256), 'utf8'), csv);
    // A provisional subject was created from the record's name and code.
    const s = await t.db
      .selectFrom('subjects')
      .select(['name', 'is_provisional'])
      .where('uscc', '=', testUscc(1))
      .executeTakeFirst();
    assert.deepEqual(s, { name: '郑州市第1商贸有限公司', is_provisional: true });
  });

  it('an identical re-send changes nothing; changed data becomes a new version with a ledger entry', async () => {
    const csv = penaltyCsv([row(10), row(11)]);
    const first = (await push(csv, 'kind=admin_penalty')).json();
    assert.equal(first.accepted, 2);
    const before = await counts(t);
    const again = (await push(csv, 'kind=admin_penalty')).json();
    assert.deepEqual([again.accepted, again.unchanged, again.rejected], [0, 2, 0]);
    assert.deepEqual(await counts(t), before);
    const changed = (await push(penaltyCsv([row(10, { fine: '3' }), row(11)]), 'kind=admin_penalty')).json();
    assert.deepEqual([changed.accepted, changed.unchanged], [1, 1]);
    const after = await counts(t);
    assert.equal(after.versions, before.versions + 1);
    assert.equal(after.ledger, before.ledger + 1);
    assert.equal(after.records, before.records);
    const versions = await t.db
      .selectFrom('record_versions')
      .innerJoin('records', 'records.id', 'record_versions.record_id')
      .select(['record_versions.version', 'record_versions.op', 'record_versions.data'])
      .where('records.natural_key', '=', '郑监罚〔2024〕10号')
      .orderBy('record_versions.version')
      .execute();
    assert.deepEqual(
      versions.map((v) => [v.version, v.op, (v.data as { fine_amount: number }).fine_amount]),
      [
        [1, 'create', 1.5],
        [2, 'update', 3],
      ],
    );
  });

  it('withdraw and correct keep history; an `_op` column does the same in a file', async () => {
    await push(penaltyCsv([row(20), row(21)]), 'kind=admin_penalty');
    const noReason = await t.inject({
      method: 'POST',
      url: '/api/v1/records/withdraw',
      headers: PROVIDER,
      payload: {
        kind: 'admin_penalty',
        reason: '',
        records: [{ uscc: testUscc(20), penalty_decision_no: '郑监罚〔2024〕20号' }],
      },
    });
    assert.equal(noReason.statusCode, 400);
    const w = await t.inject({
      method: 'POST',
      url: '/api/v1/records/withdraw',
      headers: PROVIDER,
      payload: {
        kind: 'admin_penalty',
        reason: '处罚决定已撤销',
        records: [{ uscc: testUscc(20), penalty_decision_no: '郑监罚〔2024〕20号' }],
      },
    });
    assert.equal(w.statusCode, 200, w.body);
    assert.equal(w.json().accepted, 1);
    const corrected = await t.inject({
      method: 'POST',
      url: '/api/v1/records/correct',
      headers: PROVIDER,
      payload: {
        kind: 'admin_penalty',
        reason: '罚款金额录入错误',
        records: [
          {
            企业名称: '郑州市第21商贸有限公司',
            uscc: testUscc(21),
            行政处罚决定文书号: '郑监罚〔2024〕21号',
            decided_on: '2024-03-05',
            authority_name: '郑州市市场监督管理局',
            fine_amount: 0.5,
          },
        ],
      },
    });
    assert.equal(corrected.json().accepted, 1);
    const missing = await t.inject({
      method: 'POST',
      url: '/api/v1/records/withdraw',
      headers: PROVIDER,
      payload: {
        kind: 'admin_penalty',
        reason: '错报',
        records: [{ uscc: testUscc(29), penalty_decision_no: '不存在' }],
      },
    });
    assert.equal(missing.statusCode, 422);
    assert.equal(missing.json().errors[0].rule, 'record_not_found');
    // Restore through an _op column in a CSV.
    const restore = `统一社会信用代码,行政处罚决定文书号,_op,_reason\n${testUscc(20)},郑监罚〔2024〕20号,恢复,撤销有误\n`;
    const r = (await push(restore, 'kind=admin_penalty')).json();
    assert.equal(r.accepted, 1, JSON.stringify(r));
    const history = await t.db
      .selectFrom('record_versions')
      .innerJoin('records', 'records.id', 'record_versions.record_id')
      .select([
        'record_versions.op',
        'record_versions.status',
        'record_versions.reason',
        'record_versions.data_digest',
        'records.natural_key',
      ])
      .where('records.natural_key', 'in', ['郑监罚〔2024〕20号', '郑监罚〔2024〕21号'])
      .orderBy('records.natural_key')
      .orderBy('record_versions.version')
      .execute();
    assert.deepEqual(
      history.map((h) => [h.natural_key, h.op, h.status, h.reason]),
      [
        ['郑监罚〔2024〕20号', 'create', 'active', null],
        ['郑监罚〔2024〕20号', 'withdraw', 'withdrawn', '处罚决定已撤销'],
        ['郑监罚〔2024〕20号', 'restore', 'active', '撤销有误'],
        ['郑监罚〔2024〕21号', 'create', 'active', null],
        ['郑监罚〔2024〕21号', 'correct', 'active', '罚款金额录入错误'],
      ],
    );
    assert.equal(history[0]!.data_digest, history[1]!.data_digest); // withdrawal keeps the data
  });

  it('all-or-nothing: one bad row rejects the batch and leaves the database unchanged', async () => {
    const before = await counts(t);
    const res = await push(
      penaltyCsv([row(30), row(31), row(32, { date: '明天' })]),
      'kind=admin_penalty&allOrNothing=true',
    );
    assert.equal(res.statusCode, 422);
    const body = res.json();
    assert.equal(body.code, 'batch_rejected');
    assert.deepEqual([body.received, body.accepted, body.rejected], [3, 0, 1]);
    assert.equal(body.errors[0].row, 4);
    assert.deepEqual(await counts(t), before);
    const b = (await t.inject({ url: `/api/v1/batches/${body.batch}`, headers: PROVIDER })).json();
    assert.equal(b.status, 'rejected');
    const ok = await push(penaltyCsv([row(30), row(31)]), 'kind=admin_penalty&allOrNothing=true');
    assert.equal(ok.json().accepted, 2);
  });

  it('reads an XLSX upload with a title row, notes, Excel serials and numbers as text', async () => {
    const m = multipart('处罚.xlsx', await penaltyWorkbook(), { kind: 'admin_penalty' });
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/batches/upload',
      payload: m.payload,
      headers: { ...PROVIDER, ...m.headers },
    });
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json();
    assert.deepEqual([out.received, out.accepted, out.rejected], [4, 3, 1]);
    assert.deepEqual(
      out.errors.map((e: { row: number; rule: string }) => [e.row, e.rule]),
      [[8, 'date']],
    );
    const data = await t.db
      .selectFrom('record_versions')
      .select(['data', 'occurred_on'])
      .where('batch_id', '=', out.batch)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      data.map((d) => [
        (d.data as { decided_on: string }).decided_on,
        (d.data as { fine_amount: number }).fine_amount,
        d.occurred_on,
      ]),
      [
        ['2024-03-05', 1234.5, '2024-03-05'],
        ['2024-03-06', 12, '2024-03-06'],
        ['2024-03-07', 5, '2024-03-07'],
      ],
    );
    assert.equal((data[1]!.data as { uscc: string }).uscc, testUscc(2)); // lower case normalised
  });

  it('a multipart upload cut off, without a boundary or with a second file is a 4xx and applies nothing', async () => {
    const before = await counts(t);
    const upload = (payload: Buffer | string, type: string) =>
      t.inject({
        method: 'POST',
        url: '/api/v1/batches/upload?kind=admin_penalty',
        payload,
        headers: { ...PROVIDER, 'content-type': type },
      });
    const one = multipart('a.csv', Buffer.from(penaltyCsv([row(90), row(91)])));
    const type = one.headers['content-type'];
    const boundary = type.split('boundary=')[1]!;
    // Cut off in the middle of the file (a dropped connection, a broken proxy).
    const cut = await upload(one.payload.subarray(0, one.payload.length - 60), type);
    assert.equal(cut.statusCode, 400, cut.body);
    assert.equal(cut.json().code, 'file_unreadable');
    const b = (await t.inject({ url: `/api/v1/batches/${cut.json().batch}`, headers: PROVIDER })).json();
    assert.deepEqual([b.status, b.errorCode], ['rejected', 'file_unreadable']);
    // Cut off before the file began.
    const early = await upload(one.payload.subarray(0, 20), type);
    assert.equal(early.statusCode, 400, early.body);
    assert.equal(early.json().code, 'validation_failed');
    // No boundary in the content type.
    const bare = await upload(one.payload, 'multipart/form-data');
    assert.equal(bare.statusCode, 400, bare.body);
    assert.equal(bare.json().code, 'validation_failed');
    // Two files: only one is read per request, so the second would be dropped without a word.
    const second = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.csv"\r\n\r\n${penaltyCsv([row(92)])}\r\n--${boundary}--\r\n`,
    );
    const two = await upload(
      Buffer.concat([one.payload.subarray(0, one.payload.length - `--${boundary}--\r\n`.length), second]),
      type,
    );
    assert.equal(two.statusCode, 400, two.body);
    assert.equal(two.json().code, 'validation_failed');
    assert.match(two.json().message.zh, /一个文件/);
    assert.deepEqual(await counts(t), before);
    // Fields after the file are fine.
    const after = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nx\r\n--${boundary}--\r\n`,
    );
    const trailing = await upload(
      Buffer.concat([one.payload.subarray(0, one.payload.length - `--${boundary}--\r\n`.length), after]),
      type,
    );
    assert.equal(trailing.statusCode, 200, trailing.body);
    assert.equal(trailing.json().accepted, 2);
  });

  it('an upload the client breaks off is a rejected batch (file_unreadable), not an internal error', async () => {
    // The first bytes arrive, then the connection is reset.
    let reads = 0;
    const body = new Readable({
      read() {
        if (reads++ === 0) this.push(penaltyCsv([row(93), row(94)]).slice(0, 120));
        else this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      },
    });
    await t
      .inject({
        method: 'POST',
        url: '/api/v1/batches?kind=admin_penalty',
        payload: body,
        headers: { ...PROVIDER, 'content-type': 'text/csv' },
      })
      .catch(() => undefined); // the client is gone: nobody reads the answer
    let b: { status: string; errorCode: string | null; errorMessage: { zh: string } | null } | undefined;
    for (let i = 0; i < 100 && (!b || b.status === 'receiving'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      b = (await t.inject({ url: '/api/v1/batches?limit=1', headers: PROVIDER })).json().batches[0];
    }
    assert.deepEqual([b!.status, b!.errorCode], ['rejected', 'file_unreadable']);
    assert.match(b!.errorMessage!.zh, /中断/);
  });

  it('reads a GBK CSV and stores SQL and HTML in text fields inertly', async () => {
    const evil = "'); DROP TABLE records; -- <script>alert(1)</script>";
    const csv = penaltyCsv([row(40, { name: `郑州${evil}` })]);
    const res = await push(encodeGbk(csv), 'kind=admin_penalty');
    assert.equal(res.json().accepted, 1, res.body);
    const v = await t.db
      .selectFrom('record_versions')
      .select('data')
      .where('batch_id', '=', res.json().batch)
      .executeTakeFirstOrThrow();
    assert.equal((v.data as { name: string }).name, `郑州${evil}`);
    assert.ok((await countRows(t.db, 'records')) > 0);
  });

  /** One 行政处罚 row as NDJSON, with the date and authority every such test row has. */
  const pushPenaltyLine = (fields: Record<string, unknown>) =>
    push(
      `${JSON.stringify({ ...fields, decided_on: '2024-03-05', authority_name: '郑州市市场监督管理局' })}\n`,
      'kind=admin_penalty',
      PROVIDER,
      'application/x-ndjson',
    );

  it('a NUL or a lone surrogate (which PostgreSQL cannot store in text) rejects its row by name, never the batch', async () => {
    // A few rows around it: one NUL in a short file makes it look binary (file_unreadable), as it should.
    const rows = [60, 61, 62, 63, 64, 65].map((n) =>
      n === 61 ? row(n, { name: '郑州\u0000商贸有限公司' }) : row(n),
    );
    const res = await push(penaltyCsv(rows), 'kind=admin_penalty');
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json();
    assert.deepEqual([out.received, out.accepted, out.rejected], [6, 5, 1]);
    assert.deepEqual(errorFacts(out), [[3, 'name', 'invalid_character', '郑州\u2400商贸有限公司']]);
    assert.match(out.errors[0].message.zh, /NUL/);
    // In NDJSON, a NUL, and a lone UTF-16 surrogate (only JSON can carry one): neither storable
    // nor shown as sent.
    for (const [n, decisionNo, name] of [
      [66, 'x\u0000', '郑州商贸有限公司'],
      [73, 'y1', '郑州\ud800商贸有限公司'],
    ] as const) {
      const r = await pushPenaltyLine({ name, uscc: testUscc(n), penalty_decision_no: decisionNo });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual([r.json().rejected, r.json().errors[0].rule], [1, 'invalid_character'], decisionNo);
    }
    // In a JSON key: the unknown field is reported with ␀ and �, the row applies.
    const keyed = await pushPenaltyLine({
      name: '郑州商贸有限公司',
      uscc: testUscc(75),
      penalty_decision_no: 'y3',
      '备\u0000注\ud800': 'x',
    });
    assert.equal(keyed.json().accepted, 1, keyed.body);
    assert.equal(keyed.json().errors[0].field, '备\u2400注\ufffd');
    // In a file name: kept, with the NUL shown as ␀.
    const named = await push(penaltyCsv([row(66)]), 'kind=admin_penalty&filename=a%00b.csv');
    assert.equal(named.statusCode, 200, named.body);
    const nb = (await t.inject({ url: `/api/v1/batches/${named.json().batch}`, headers: PROVIDER })).json();
    assert.equal(nb.filename, 'a\u2400b.csv');
    // In a header: the unknown column is reported (its name shown with ␀), the rows still apply.
    const header = penaltyCsv([67, 68, 69, 70, 71, 72].map((n) => row(n))).replace('\r\n', ',备\u0000注\r\n');
    const h = await push(header, 'kind=admin_penalty');
    assert.equal(h.statusCode, 200, h.body);
    assert.equal(h.json().accepted, 6);
    assert.ok(
      h
        .json()
        .errors.some(
          (e: { rule: string; field: string }) => e.rule === 'unknown_column' && e.field === '备\u2400注',
        ),
      h.body,
    );
  });

  it('a record of the correct / withdraw API nested too deeply is a 400, not a 500', async () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/records/correct',
      headers: { ...PROVIDER, 'content-type': 'application/json' },
      payload: `{"kind":"admin_penalty","reason":"更正","records":[{"uscc":"${testUscc(80)}","penalty_decision_no":"x","violation_facts":${deep}}]}`,
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'validation_failed');
    assert.match(res.json().message.zh, /嵌套/);
  });

  it('an unknown column or key of a megabyte is reported cut to 200 characters; a reason over 2,000 is refused', async () => {
    const long = '备'.repeat(1_000_000);
    const csv = penaltyCsv([95, 96, 97].map((n) => row(n))).replace('\r\n', `,${long}\r\n`);
    const h = await push(csv, 'kind=admin_penalty');
    assert.equal(h.statusCode, 200, h.body);
    const warning = h.json().errors.find((e: { rule: string }) => e.rule === 'unknown_column');
    assert.equal(warning.field, `${'备'.repeat(200)}…`);
    assert.ok(warning.message.zh.length < 300);
    const nd = await pushPenaltyLine({
      name: '郑州商贸有限公司',
      uscc: testUscc(98),
      penalty_decision_no: 'r1',
      [long]: 1,
      _op: 'upsert',
      _reason: '因'.repeat(2001),
    });
    assert.equal(nd.statusCode, 200, nd.body);
    assert.deepEqual(
      nd.json().errors.map((e: { field: string; rule: string }) => [e.field.length, e.rule]),
      [
        [201, 'unknown_column'],
        [7, 'max_length'],
      ],
    );
    assert.equal(nd.json().rejected, 1);
  });

  it('a row with cells beyond the header (an unquoted comma) is rejected, not cut to the header', async () => {
    const header = '企业名称,统一社会信用代码,行政处罚决定文书号,行政处罚决定日期,行政机关名称,违法事实';
    const csv = [
      header,
      `郑州商贸有限公司,${testUscc(99)},郑监罚〔2024〕99号,2024-03-05,郑州市市场监督管理局,未公示年报`,
      // "未公示年报, 逾期未改正" without quotes: the second half used to vanish.
      `郑州商贸有限公司,${testUscc(100)},郑监罚〔2024〕100号,2024-03-05,郑州市市场监督管理局,未公示年报, 逾期未改正`,
      `郑州商贸有限公司,${testUscc(101)},郑监罚〔2024〕101号,2024-03-05,郑州市市场监督管理局,未公示年报,,`,
    ].join('\n');
    const res = await push(`${csv}\n`, 'kind=admin_penalty');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([res.json().accepted, res.json().rejected], [2, 1], res.body);
    const e = res.json().errors[0];
    assert.deepEqual([e.row, e.field, e.rule, e.value], [3, null, 'extra_cells', ' 逾期未改正']);
    assert.match(e.message.zh, /第 7 列/);
    // A cell under an empty header cell is refused the same way.
    const gap = await push(
      `企业名称,统一社会信用代码,行政处罚决定文书号,,行政处罚决定日期,行政机关名称\n郑州商贸有限公司,${testUscc(102)},郑监罚〔2024〕102号,x,2024-03-05,郑州市市场监督管理局\n`,
      'kind=admin_penalty',
    );
    assert.deepEqual([gap.json().rejected, gap.json().errors[0]?.rule], [1, 'extra_cells'], gap.body);
  });

  it('JSON and NDJSON bodies', async () => {
    const rows = [row(50), row(51)].map((r) => ({
      name: r[0],
      uscc: r[1],
      penalty_decision_no: r[2],
      decided_on: r[3],
      authority_name: r[4],
    }));
    const j = await push(JSON.stringify(rows), 'kind=admin_penalty', PROVIDER, 'application/json');
    assert.equal(j.json().accepted, 2, j.body);
    const nd = await push(
      rows.map((r) => JSON.stringify(r)).join('\n'),
      'kind=admin_penalty',
      PROVIDER,
      'application/x-ndjson',
    );
    assert.equal(nd.json().unchanged, 2, nd.body);
    const wrapped = await push(JSON.stringify({ rows }), 'kind=admin_penalty', PROVIDER, 'application/json');
    assert.equal(wrapped.json().unchanged, 2, wrapped.body);
    // Numbers beyond a double's precision: a text field keeps the digits sent, a number field refuses them.
    const line = (n: number, fine: string) =>
      `{"name":"郑州商贸有限公司","uscc":"${testUscc(n)}","penalty_decision_no":12345678901234567890${n},"decided_on":"2024-03-05","authority_name":"郑州市市场监督管理局","fine_amount":${fine}}`;
    const big = await push(
      `${line(52, '1.5')}\n${line(53, '123456789012345678901')}\n`,
      'kind=admin_penalty',
      PROVIDER,
      'application/x-ndjson',
    );
    assert.deepEqual([big.json().accepted, big.json().rejected], [1, 1], big.body);
    assert.deepEqual(
      [
        big.json().errors[0].row,
        big.json().errors[0].field,
        big.json().errors[0].rule,
        big.json().errors[0].value,
      ],
      [2, 'fine_amount', 'precision', '123456789012345678901'],
    );
    const v = await t.db
      .selectFrom('record_versions')
      .select('data')
      .where('batch_id', '=', big.json().batch)
      .executeTakeFirstOrThrow();
    assert.equal((v.data as { penalty_decision_no: string }).penalty_decision_no, '1234567890123456789052');
    // The same through the records API (a JSON body): the number names the record by its digits.
    const change = (path: string, record: string) =>
      t.inject({
        method: 'POST',
        url: `/api/v1/records/${path}`,
        headers: { ...PROVIDER, 'content-type': 'application/json' },
        payload: `{"kind":"admin_penalty","reason":"重复报送","records":[${record}]}`,
      });
    const w = await change(
      'withdraw',
      `{"uscc":"${testUscc(52)}","penalty_decision_no":1234567890123456789052}`,
    );
    assert.equal(w.statusCode, 200, w.body);
    assert.equal(w.json().accepted, 1);
    const c = await change(
      'correct',
      line(52, '123456789012345678901').replace(
        '"penalty_decision_no":1234567890123456789052',
        '"penalty_decision_no":"1234567890123456789052"',
      ),
    );
    assert.equal(c.statusCode, 422, c.body);
    assert.equal(c.json().errors[0].rule, 'precision');
  });

  it('bad input gets a clear 4xx, never a 500, and nothing is applied', async () => {
    const before = await counts(t);
    const cases: [string | Buffer, string, number, string][] = [
      [
        Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 256)),
        'application/octet-stream',
        400,
        'file_unreadable',
      ],
      [
        (await penaltyWorkbook()).subarray(0, 900),
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        400,
        'file_unreadable',
      ],
      ['', 'text/csv', 400, 'file_empty'],
      ['纳税人名称,纳税信用等级,评价年度\n甲,A,2023\n', 'text/csv', 400, 'header_missing'],
      ['企业名称,统一社会信用代码\n甲,x\n', 'text/csv', 400, 'columns_missing'],
      ['[{"name": "a", "uscc": ', 'application/json', 400, 'file_unreadable'],
    ];
    for (const [body, type, status, code] of cases) {
      const res = await push(body, 'kind=admin_penalty', PROVIDER, type);
      assert.equal(res.statusCode, status, `${code}: ${res.body}`);
      const p = res.json();
      assert.equal(p.code, code);
      assert.match(res.headers['content-type'] as string, /problem\+json/);
      assert.ok(p.message.zh && p.message.en);
      assert.equal(typeof p.batch, 'number');
      const b = (await t.inject({ url: `/api/v1/batches/${p.batch}`, headers: PROVIDER })).json();
      assert.equal(b.status, 'rejected');
      assert.equal(b.errorCode, code);
    }
    const unknown = await push('a,b\n', 'kind=no_such_kind', OPERATOR);
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().code, 'kind_unknown');
    const pullOnly = await push('a,b\n', 'kind=tax_details', OPERATOR);
    assert.equal(pullOnly.statusCode, 400);
    assert.equal(pullOnly.json().code, 'kind_not_pushable');
    const noKind = await push('a,b\n', '');
    assert.equal(noKind.statusCode, 400);
    assert.deepEqual(await counts(t), before);
  });

  it('a provider pushes only its kinds and sees only its batches; an operator any', async () => {
    const res = await push(penaltyCsv([row(60)]), 'kind=admin_penalty', COURT);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, 'kind_not_assigned');
    const theirs = await push(penaltyCsv([row(61)]), 'kind=admin_penalty', PROVIDER);
    const id = theirs.json().batch;
    assert.equal((await t.inject({ url: `/api/v1/batches/${id}`, headers: COURT })).statusCode, 404);
    assert.equal((await t.inject({ url: `/api/v1/batches/${id}/errors`, headers: COURT })).statusCode, 404);
    const list = (await t.inject({ url: '/api/v1/batches', headers: COURT })).json();
    assert.equal(list.batches.length, 0);
    const ops = (await t.inject({ url: '/api/v1/batches?limit=500', headers: OPERATOR })).json();
    assert.ok(ops.batches.some((b: { id: number }) => b.id === id));
    const onBehalf = await push(
      penaltyCsv([row(62)]),
      'kind=admin_penalty&provider=district_governments',
      OPERATOR,
    );
    assert.equal(onBehalf.statusCode, 200);
    const b = (await t.inject({ url: `/api/v1/batches/${onBehalf.json().batch}`, headers: OPERATOR })).json();
    assert.equal(b.providerId, 'district_governments');
    // An operator files only under a provider responsible for the kind: a typo would otherwise file
    // records under a provider that does not exist (and so can never correct them).
    for (const provider of ['no_such_provider', 'court']) {
      const res = await push(penaltyCsv([row(63)]), `kind=admin_penalty&provider=${provider}`, OPERATOR);
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().code, 'kind_not_assigned');
      const rec = await t.inject({
        method: 'POST',
        url: '/api/v1/records/withdraw',
        headers: OPERATOR,
        payload: { kind: 'admin_penalty', provider, reason: '撤销', records: [{ uscc: testUscc(62) }] },
      });
      assert.equal(rec.statusCode, 403, rec.body);
    }
    // A NUL in a name or code is a 400 (PostgreSQL text cannot hold one: it was a 500).
    for (const url of [
      '/api/v1/batches?kind=admin_penalty&provider=nd%00rc',
      '/api/v1/batches?kind=admin%00penalty',
    ]) {
      const res = await t.inject({
        method: 'POST',
        url,
        payload: penaltyCsv([row(64)]),
        headers: { ...OPERATOR, 'content-type': 'text/csv' },
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 'validation_failed');
    }
    const listed = await t.inject({ url: '/api/v1/batches?kind=a%00b', headers: OPERATOR });
    assert.equal(listed.statusCode, 400, listed.body);
    const nulProvider = await t.inject({
      method: 'POST',
      url: '/api/v1/records/correct',
      headers: OPERATOR,
      payload: {
        kind: 'admin_penalty',
        provider: 'nd\u0000rc',
        reason: '更正',
        records: [{ uscc: testUscc(62) }],
      },
    });
    assert.equal(nulProvider.statusCode, 400, nulProvider.body);
    // A record belongs to the provider that filed it.
    const other = await push(
      penaltyCsv([row(61, { fine: '9' })]),
      'kind=admin_penalty&provider=district_governments',
      OPERATOR,
    );
    assert.equal(other.json().errors[0].rule, 'record_owner');
    assert.equal(
      (await t.inject({ method: 'POST', url: '/api/v1/batches?kind=admin_penalty', payload: 'x' }))
        .statusCode,
      401,
    );
  });

  it('errors download as CSV for Excel (UTF-8 BOM, Chinese headers) and as JSON pages', async () => {
    const res = await push(
      penaltyCsv([row(70, { date: 'x' }), row(71, { date: 'y' }), row(72)]),
      'kind=admin_penalty',
    );
    const id = res.json().batch;
    const csv = await t.inject({ url: `/api/v1/batches/${id}/errors?format=csv`, headers: PROVIDER });
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    const raw = csv.rawPayload;
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = raw.toString('utf8').slice(1).trim().split('\r\n');
    assert.match(lines[0]!, /^行号 Row,字段 Field,规则 Rule/);
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /^2,decided_on,date,x,/);
    const page = (await t.inject({ url: `/api/v1/batches/${id}/errors?limit=1`, headers: PROVIDER })).json();
    assert.equal(page.errors.length, 1);
    const next = (
      await t.inject({
        url: `/api/v1/batches/${id}/errors?limit=1&afterRow=${page.next.afterRow}&afterId=${page.next.afterId}`,
        headers: PROVIDER,
      })
    ).json();
    assert.equal(next.errors[0].row, 3);
    // Row numbers are PostgreSQL integers: a larger afterRow is a 400, not a database error (500).
    for (const q of ['afterRow=99999999999&afterId=1', 'afterRow=-99999999999&afterId=1']) {
      const big = await t.inject({ url: `/api/v1/batches/${id}/errors?${q}`, headers: PROVIDER });
      assert.equal(big.statusCode, 400, big.body);
      assert.equal(big.json().code, 'validation_failed');
    }
    const last = await t.inject({
      url: `/api/v1/batches/${id}/errors?afterRow=2147483647&afterId=1`,
      headers: PROVIDER,
    });
    assert.deepEqual([last.statusCode, last.json().errors], [200, []]);
  });

  it('two batches of the same records at once: one creates, the other finds them unchanged', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => {
      const r = row(5000 + i);
      return { name: r[0], uscc: r[1], penalty_decision_no: r[2], decided_on: r[3], authority_name: r[4] };
    });
    const before = await counts(t);
    const [a, b] = await Promise.all([
      ingestRows(t.ctx, { providerId: 'ndrc', kindCode: 'admin_penalty', rows, source: 'api' }),
      ingestRows(t.ctx, { providerId: 'ndrc', kindCode: 'admin_penalty', rows, source: 'api' }),
    ]);
    assert.equal(a.accepted + b.accepted, 2500);
    assert.equal(a.unchanged + b.unchanged, 2500);
    const after = await counts(t);
    assert.equal(after.records - before.records, 2500);
    assert.equal(after.versions - before.versions, 2500);
  });

  it('batch progress is visible from another request while the batch runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seen: { batch: number; received: number } | undefined;
    const rows = Array.from({ length: 2500 }, (_, i) => {
      const r = row(1000 + i);
      return { name: r[0], uscc: r[1], penalty_decision_no: r[2], decided_on: r[3], authority_name: r[4] };
    });
    const running = ingestRows(t.ctx, {
      providerId: 'ndrc',
      kindCode: 'admin_penalty',
      rows,
      source: 'api',
      onProgress: async (p) => {
        if (!seen && p.received >= 1000) {
          seen = p;
          await gate;
        }
      },
    });
    while (!seen) await new Promise((r) => setTimeout(r, 20));
    const b = (await t.inject({ url: `/api/v1/batches/${seen.batch}`, headers: OPERATOR })).json();
    assert.equal(b.status, 'running');
    // The gated chunk holds the batch open ('running'); on PostgreSQL the other chunk writers go on
    // meanwhile (decision 0033), so anything from the first chunk to every row may be counted by now.
    assert.ok(b.received >= 1000 && b.received <= 2500, `received ${b.received}`);
    assert.equal(b.accepted, b.received);
    release();
    const out = await running;
    assert.equal(out.accepted, 2500);
    const done = (await t.inject({ url: `/api/v1/batches/${seen.batch}`, headers: OPERATOR })).json();
    assert.equal(done.status, 'completed');
  });
});

describe('upload size limit', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ uploadLimitBytes: 2048 });
    await seedCatalog(t.db);
    await createApiToken(t.db, { type: 'provider', id: 'ndrc' }, 'ndrc', 'tok-ndrc');
  });
  after(() => t.close());

  it('answers 413 naming the limit, for a body and for a multipart upload', async () => {
    const big = penaltyCsv(Array.from({ length: 60 }, (_, i) => row(i + 1)));
    assert.ok(big.length > 2048);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/batches?kind=admin_penalty',
      payload: big,
      headers: { ...PROVIDER, 'content-type': 'text/csv' },
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().code, 'payload_too_large');
    assert.match(res.json().message.zh, /2 KiB/);
    const m = multipart('big.csv', Buffer.from(big), { kind: 'admin_penalty' });
    const up = await t.inject({
      method: 'POST',
      url: '/api/v1/batches/upload',
      payload: m.payload,
      headers: { ...PROVIDER, ...m.headers },
    });
    assert.equal(up.statusCode, 413, up.body);
    assert.match(up.json().message.en, /2 KiB/);
    assert.equal(await countRows(t.db, 'record_versions'), 0);
  });
});
