import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { deflateSync, inflateSync } from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addRecordMark } from '../access/record-marks.repository.ts';
import type { ReadRecordsResult } from '../access/read-path.types.ts';
import {
  ensureInstitution,
  loginAs,
  storeRecords,
  testUscc,
  type TestSession,
} from '../accounts/accounts.testing.ts';
import type { Catalog } from '../catalog/catalog.schema.ts';
import { applyRows } from '../records/record-store.service.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { seedCatalog } from '../test/catalog.ts';
import { resolveSections } from './report-layout.ts';
import { parseReportNumber } from './report-number.ts';
import { verifyReportPdf } from './report-verify.ts';
import type { ReportDocument } from './report.types.ts';
import type { ReportMeta } from './reports.service.ts';

const uscc = testUscc(61);
const name = '郑州报告测试科技有限公司';
const idNumber = '410102198001011234';

function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}
function daysAgo(n: number): string {
  return inDays(-n);
}

function kindOf(doc: ReportDocument, code: string) {
  return doc.sections.flatMap((s) => s.kinds).find((k) => k.code === code);
}

/** Rewrites one stream of a PDF (inflate → change → deflate), fixing its /Length. */
function rewriteStream(
  pdf: Buffer,
  match: (plain: Buffer) => boolean,
  change: (plain: Buffer) => Buffer,
): Buffer {
  const text = pdf.toString('latin1');
  const re = /\/Length (\d+)([^]*?)>>\s*stream\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const start = m.index + m[0].length;
    const len = Number(m[1]);
    let plain: Buffer;
    try {
      plain = inflateSync(pdf.subarray(start, start + len));
    } catch {
      continue;
    }
    if (!match(plain)) continue;
    const packed = deflateSync(change(plain));
    const head = Buffer.from(
      text.slice(m.index, start).replace(`/Length ${len}`, `/Length ${packed.length}`),
      'latin1',
    );
    return Buffer.concat([pdf.subarray(0, m.index), head, packed, pdf.subarray(start + len)]);
  }
  throw new Error('no matching stream');
}

describe('credit reports', () => {
  let t: TestApp;
  let catalog: Catalog;
  let owner: TestSession;
  let bank: TestSession;
  let otherBank: TestSession;
  let operator: TestSession;
  let consentId: string;
  const ids: Record<string, number> = {};

  const post = (session: TestSession | null, payload: Record<string, unknown>) =>
    t.inject({ method: 'POST', url: '/api/v1/reports', headers: session?.headers ?? {}, payload });
  const get = (session: TestSession | null, url: string) =>
    t.inject({ url, headers: session?.headers ?? {} });
  async function issue(session: TestSession | null, payload: Record<string, unknown>): Promise<ReportMeta> {
    const res = await post(session, { uscc, ...payload });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as ReportMeta;
  }
  async function docOf(session: TestSession | null, meta: ReportMeta): Promise<ReportDocument> {
    const res = await get(session, meta.links.json);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as ReportDocument;
  }

  before(async () => {
    t = await createTestApp();
    catalog = await seedCatalog(t.db);
    await storeRecords(t.ctx, catalog, 'business_licence', [
      { uscc, name, legal_rep_name: '张三', established_on: '2015-03-01', registration_status: '存续' },
    ]);
    const penalty = (no: string, decided: string, extra: Record<string, unknown> = {}) => ({
      uscc,
      name,
      legal_rep_name: '张三',
      legal_rep_id_number: idNumber,
      penalty_decision_no: no,
      decided_on: decided,
      publicity_until: '2099-12-31',
      violation_facts: '未按规定公示年度报告',
      fine_amount: 5000,
      ...extra,
    });
    const [p1, p2, p3, p4, p5] = await storeRecords(t.ctx, catalog, 'admin_penalty', [
      penalty('郑市监罚〔2025〕1号', daysAgo(30)),
      penalty('郑市监罚〔2025〕2号', daysAgo(60)),
      penalty('郑市监罚〔2024〕3号', daysAgo(400)),
      penalty('郑市监罚〔2018〕4号', '2018-01-01', { publicity_until: '2019-01-01' }),
      penalty('郑市监罚〔2025〕5号', daysAgo(10)),
    ]);
    Object.assign(ids, { p1, p2, p3, p4, p5 });
    // p2 repaired, p3 disputed (the subject-rights module writes these marks through the read path's mechanism).
    await addRecordMark(t.db, { recordId: p2!, uscc, mark: 'repaired', sourceTable: 'repairs', sourceId: 1 });
    await addRecordMark(t.db, {
      recordId: p3!,
      uscc,
      mark: 'disputed',
      sourceTable: 'objections',
      sourceId: 1,
    });
    // p5 withdrawn by its provider.
    const kind = catalog.kinds.find((k) => k.code === 'admin_penalty')!;
    await t.db.transaction().execute((trx) =>
      applyRows(trx, {
        kind,
        providerId: kind.providers[0]!.id,
        batchId: null,
        catalogVersion: catalog.version,
        rows: [
          {
            row: 2,
            op: 'withdraw',
            reason: '决定已撤销',
            data: t.ctx.fieldCrypto.protectRecordData(kind, penalty('郑市监罚〔2025〕5号', daysAgo(10))),
          },
        ],
      }),
    );
    await storeRecords(t.ctx, catalog, 'tax_credit_rating', [
      { uscc, name, rating_year: '2024', tax_credit_level: 'A' },
    ]);
    await storeRecords(t.ctx, catalog, 'court_judgment', [
      { uscc, name, case_no: '（2024）豫0105刑初88号', cause: '单位行贿罪', published_on: daysAgo(200) },
      { uscc, name, case_no: '（2024）豫0105民初99号', cause: '买卖合同纠纷', published_on: daysAgo(100) },
    ]);
    await ensureInstitution(t.ctx);
    await ensureInstitution(t.ctx, 'other_bank', '另一家银行');
    owner = await loginAs(t, 'enterprise', { uscc });
    bank = await loginAs(t, 'institution');
    otherBank = await loginAs(t, 'institution', { orgId: 'other_bank' });
    operator = await loginAs(t, 'operator');
    const granted = await t.inject({
      method: 'POST',
      url: '/api/v1/consents',
      headers: owner.headers,
      payload: {
        institutionId: 'test_bank',
        purpose: 'loan_application',
        mode: 'full_report',
        validUntil: inDays(90),
        scope: { categories: ['tax'] },
      },
    });
    assert.equal(granted.statusCode, 201, granted.body);
    consentId = (granted.json() as { id: string }).id;
  });
  after(() => t.close());

  it('lays out every catalog kind in one fixed section order, commitments and evaluation last', () => {
    const sections = resolveSections(catalog);
    const placed = sections.flatMap((s) => s.kinds);
    assert.deepEqual([...placed].sort(), catalog.kinds.map((k) => k.code).sort());
    assert.deepEqual(
      sections.map((s) => s.def.code),
      [
        'registration',
        'listings',
        'judicial',
        'tax',
        'social_security',
        'utilities',
        'environment',
        'customs',
        'intellectual_property',
        'real_estate',
        'administrative',
        'science_tech',
        'new_agri',
        'public_resource',
        'commitments',
        'evaluation',
      ],
    );
  });

  it('issues numbered reports whose sections hold exactly what the read path returns for that view', async () => {
    const meta = await issue(owner, { type: 'self' });
    assert.ok(parseReportNumber(meta.number), meta.number);
    assert.equal(
      parseReportNumber(meta.number.slice(0, -1) + (meta.number.endsWith('0') ? '1' : '0')),
      undefined,
    );
    const doc = await docOf(owner, meta);
    const read: ReadRecordsResult = await t.ctx.access.readRecords({ actor: owner.actor, uscc });
    for (const s of doc.sections) {
      for (const k of s.kinds.filter((x) => x.status === 'shown')) {
        const expected = read.records.filter((r) => r.kindCode === k.code).length;
        assert.equal(k.records.length, expected, `${k.code}: ${k.records.length} ≠ ${expected}`);
      }
    }
    assert.equal(
      doc.sections.reduce((n, s) => n + s.kinds.reduce((m, k) => m + k.records.length, 0), 0),
      read.records.length,
    );
    // Empty sections say so.
    const utilities = doc.sections.find((s) => s.code === 'utilities')!;
    assert.equal(utilities.recordCount, 0);
    assert.match(utilities.emptyNote?.zh ?? '', /本节无记录/);
    assert.match(doc.sections.find((s) => s.code === 'commitments')!.emptyNote?.zh ?? '', /本节无记录/);
  });

  it('self report: repaired, disputed and withdrawn records marked, personal data unmasked', async () => {
    const doc = await docOf(owner, await issue(owner, { type: 'self' }));
    const penalties = kindOf(doc, 'admin_penalty')!.records;
    const marks = (id: number) => penalties.find((r) => r.recordId === id)?.marks.map((m) => m.zh) ?? null;
    assert.deepEqual(marks(ids.p1!), []);
    assert.deepEqual(marks(ids.p2!), ['已修复']);
    assert.deepEqual(marks(ids.p3!), ['异议处理中']);
    assert.deepEqual(marks(ids.p5!), ['已撤回']);
    assert.deepEqual(marks(ids.p4!), ['公示期满']);
    assert.equal(penalties.find((r) => r.recordId === ids.p1)!.data.legal_rep_id_number, idNumber);
    assert.equal(kindOf(doc, 'tax_credit_rating')!.records.length, 1);
  });

  it('public report: anyone, public kinds only, masked, repaired and expired records left out', async () => {
    const meta = await issue(null, { type: 'public' });
    const doc = await docOf(null, meta);
    const penalties = kindOf(doc, 'admin_penalty')!.records;
    assert.deepEqual(penalties.map((r) => r.recordId).sort(), [ids.p1, ids.p3].sort());
    const p1 = penalties.find((r) => r.recordId === ids.p1)!;
    assert.notEqual(p1.data.legal_rep_id_number, idNumber);
    assert.match(String(p1.data.legal_rep_id_number), /\*/);
    assert.deepEqual(
      penalties.find((r) => r.recordId === ids.p3)!.marks.map((m) => m.zh),
      ['异议处理中'],
    );
    const tax = kindOf(doc, 'tax_credit_rating')!;
    assert.equal(tax.status, 'withheld');
    assert.equal(tax.records.length, 0);
    assert.equal(doc.subject.legalRepName, '张*');
    assert.equal(doc.sections.find((s) => s.code === 'evaluation')!.evaluation?.available, false);
  });

  it('full report: only the institution holding a consent; conditional kinds in scope shown', async () => {
    const denied = await post(otherBank, { uscc, type: 'full' });
    assert.equal(denied.statusCode, 403, denied.body);
    const anon = await post(null, { uscc, type: 'full' });
    assert.equal(anon.statusCode, 403, anon.body);
    const meta = await issue(bank, { type: 'full', consentId });
    assert.equal(meta.consentId, consentId);
    const doc = await docOf(bank, meta);
    assert.equal(kindOf(doc, 'tax_credit_rating')!.records.length, 1);
    // Pulled kinds in the consent's scope are listed with why they could not be obtained.
    const arrears = kindOf(doc, 'tax_arrears')!;
    assert.equal(arrears.pulled?.status, 'unavailable');
    assert.ok(arrears.pulled?.reason?.zh);
    // Repaired records stay hidden from institutions; the ID number is masked.
    const penalties = kindOf(doc, 'admin_penalty')!.records;
    assert.ok(!penalties.some((r) => r.recordId === ids.p2));
    assert.notEqual(penalties.find((r) => r.recordId === ids.p1)!.data.legal_rep_id_number, idNumber);
    // Social insurance is outside the consent: withheld with the reason.
    assert.equal(kindOf(doc, 'social_insurance_payment')!.status, 'withheld');
    // Who may fetch it again.
    assert.equal((await get(otherBank, meta.links.json)).statusCode, 403);
    assert.equal((await get(null, meta.links.json)).statusCode, 403);
    assert.equal((await get(owner, meta.links.json)).statusCode, 403);
    assert.equal((await get(operator, meta.links.json)).statusCode, 200);
  });

  it('special report: chosen window, repaired items marked 已修复, withdrawn left out, clean sections say 无记录', async () => {
    assert.equal((await post(bank, { uscc, type: 'special' })).statusCode, 403);
    assert.equal((await post(owner, { uscc, type: 'special', windowYears: 6 })).statusCode, 400);
    const meta = await issue(owner, { type: 'special', windowYears: 1 });
    assert.ok(meta.window);
    const doc = await docOf(owner, meta);
    assert.deepEqual(
      doc.sections.map((s) => s.code),
      ['admin_penalty', 'admin_coercion', 'serious_dishonesty', 'court_enforcement', 'criminal'],
    );
    const penalties = kindOf(doc, 'admin_penalty')!.records;
    // Within one year: p1 and p2 (p3 is 400 days old, p4 from 2018, p5 withdrawn).
    assert.deepEqual(penalties.map((r) => r.recordId).sort(), [ids.p1, ids.p2].sort());
    assert.deepEqual(
      penalties.find((r) => r.recordId === ids.p2)!.marks.map((m) => m.zh),
      ['已修复'],
    );
    assert.match(String(penalties[0]!.data.legal_rep_id_number), /\*/);
    const coercion = doc.sections.find((s) => s.code === 'admin_coercion')!;
    assert.match(coercion.emptyNote?.zh ?? '', /^无记录/);
    // Criminal judgments only (案号 with 刑).
    const criminal = kindOf(doc, 'court_judgment')!.records;
    assert.equal(criminal.length, 1);
    assert.match(String(criminal[0]!.data.case_no), /刑/);
    // Five years reach p3.
    const five = await docOf(owner, await issue(owner, { type: 'special', windowYears: 5 }));
    assert.equal(kindOf(five, 'admin_penalty')!.records.length, 3);
    assert.equal((await get(bank, meta.links.json)).statusCode, 403);
  });

  it('self and full reports carry the evaluation once the subject is evaluated', async () => {
    await t.ctx.evaluation.ensureModel();
    await t.ctx.evaluation.run({ mode: 'full', triggeredBy: 'test' });
    const doc = await docOf(owner, await issue(owner, { type: 'self' }));
    const ev = doc.sections.find((s) => s.code === 'evaluation')!.evaluation!;
    assert.equal(ev.available, true);
    assert.equal(typeof ev.score, 'number');
    assert.ok(ev.grade);
    const full = await docOf(bank, await issue(bank, { type: 'full', consentId }));
    assert.equal(full.sections.find((s) => s.code === 'evaluation')!.evaluation!.score, ev.score);
  });

  it('anonymous callers get public reports only; numbers are checked', async () => {
    assert.equal((await post(null, { uscc, type: 'self' })).statusCode, 403);
    assert.equal((await post(null, { uscc, type: 'special' })).statusCode, 403);
    const bad = await get(null, '/api/v1/reports/XR-20260101-000001-0.json');
    assert.ok(bad.statusCode === 400 || bad.statusCode === 404, bad.body);
    assert.equal((await get(null, '/api/v1/reports/nonsense')).statusCode, 400);
    const mine = await get(owner, '/api/v1/reports');
    assert.equal(mine.statusCode, 200);
    const list = (mine.json() as { reports: ReportMeta[] }).reports;
    assert.ok(list.length >= 3 && list.every((r) => r.uscc === uscc && r.type !== 'full'));
    assert.equal((await get(null, '/api/v1/reports')).statusCode, 401);
  });

  it('fetching a report again returns the same bytes, in every format', async () => {
    const meta = await issue(owner, { type: 'self', format: 'pdf' });
    for (const f of ['json', 'html', 'pdf'] as const) {
      const a = await get(owner, `/api/v1/reports/${meta.number}.${f}`);
      const b = await get(owner, `/api/v1/reports/${meta.number}?format=${f}`);
      assert.equal(a.statusCode, 200, a.body);
      assert.ok(a.rawPayload.equals(b.rawPayload), `${f} differs between fetches`);
    }
    const html = (await get(owner, meta.links.html)).body;
    const upHtml = await t.inject({
      method: 'POST',
      url: '/api/v1/reports/verify',
      headers: { 'content-type': 'text/html; charset=utf-8' },
      payload: Buffer.from(html, 'utf8'),
    });
    assert.equal(upHtml.statusCode, 200, upHtml.body);
    assert.equal(upHtml.json().exactCopy, true);
    const upEdited = await t.inject({
      method: 'POST',
      url: '/api/v1/reports/verify',
      headers: { 'content-type': 'text/html; charset=utf-8' },
      payload: Buffer.from(html.replace(name, '开封某公司'), 'utf8'),
    });
    assert.equal(upEdited.statusCode, 400, upEdited.body);
    assert.match(html, /@page \{ size: A4/);
    assert.ok(html.includes(name));
    assert.ok(!html.includes('<script>'));
  });

  it('the PDF carries Chinese text pdftotext can extract, and verifies offline; tampering fails', async () => {
    const meta = await issue(owner, { type: 'self' });
    const res = await get(owner, meta.links.pdf);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    const pdf = res.rawPayload;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-report-'));
    const file = path.join(dir, 'r.pdf');
    fs.writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.ok(text.includes(name), 'subject name');
    for (const title of [
      '登记注册信息',
      '司法信息',
      '行政管理信息',
      '信用承诺和自愿填报信息',
      '信用评价',
      '本节无记录',
    ]) {
      assert.ok(text.includes(title), title);
    }
    assert.match(text, /第\s*1\s*页\s*\/\s*共\s*\d+\s*页/);

    const key = t.ctx.ledger.publicKey();
    const trusted = { keyName: key.keyName, algorithm: key.algorithm, publicKeyHex: key.publicKeyHex };
    const ok = await verifyReportPdf(pdf, trusted);
    if (!ok.valid && process.env.REPORT_DEBUG_DIR) {
      fs.writeFileSync(path.join(process.env.REPORT_DEBUG_DIR, 'fail.pdf'), pdf);
    }
    assert.equal(ok.valid, true, JSON.stringify(ok.checks.filter((c) => !c.ok)));
    assert.equal(ok.number, meta.number);

    // One byte of the embedded JSON changed.
    const json = Buffer.from(meta.number);
    const badJson = rewriteStream(
      pdf,
      (p) => p.includes(json) && p.includes(Buffer.from('"format":"xinrong-report/1"')),
      (p) => {
        const s = p.toString('utf8').replace(name, name.replace('郑州', '开封'));
        return Buffer.from(s, 'utf8');
      },
    );
    const v1 = await verifyReportPdf(badJson, trusted);
    assert.equal(v1.valid, false);
    assert.ok(v1.checks.some((c) => c.code === 'digest' && !c.ok));

    // One glyph of the visible text changed (the page content stream).
    const badText = rewriteStream(
      pdf,
      (p) => / Tj|TJ/.test(p.toString('latin1')) && p.toString('latin1').includes('BT'),
      (p) => {
        const s = p.toString('latin1');
        const i = s.search(/<[0-9a-f]{4}/);
        const digit = s[i + 4]!;
        return Buffer.from(s.slice(0, i + 4) + (digit === '0' ? '1' : '0') + s.slice(i + 5), 'latin1');
      },
    );
    const v2 = await verifyReportPdf(badText, trusted);
    assert.equal(v2.valid, false);
    assert.ok(v2.checks.some((c) => (c.code === 'visible_text' || c.code === 'page_furniture') && !c.ok));

    // A flipped byte anywhere in a compressed stream: damaged, not authentic.
    const flipped = Buffer.from(pdf);
    const mid = Math.floor(pdf.length / 2);
    flipped[mid] = flipped[mid]! ^ 0xff;
    const v3 = await verifyReportPdf(flipped, trusted);
    if (v3.valid && process.env.REPORT_DEBUG_DIR) {
      fs.writeFileSync(path.join(process.env.REPORT_DEBUG_DIR, 'flipped.pdf'), flipped);
      fs.writeFileSync(path.join(process.env.REPORT_DEBUG_DIR, 'orig.pdf'), pdf);
    }
    assert.equal(v3.valid, false, JSON.stringify(v3.checks.map((c) => c.code)));

    // Online: the uploaded file is an exact copy; a tampered one is not authentic.
    const up = await t.inject({
      method: 'POST',
      url: '/api/v1/reports/verify',
      headers: { 'content-type': 'application/pdf' },
      payload: pdf,
    });
    assert.equal(up.statusCode, 200, up.body);
    assert.equal(up.json().valid, true);
    assert.equal(up.json().exactCopy, true);
    const up2 = await t.inject({
      method: 'POST',
      url: '/api/v1/reports/verify',
      headers: { 'content-type': 'application/pdf' },
      payload: badText,
    });
    assert.equal(up2.json().valid, false);
    assert.equal(up2.json().exactCopy, false);
  });

  it('anyone verifies a number: authenticity, digest and inclusion proof, never the content', async () => {
    const meta = await issue(owner, { type: 'special' });
    for (const url of [`/api/v1/reports/verify/${meta.number}`, `/api/v1/reports/${meta.number}/verify`]) {
      const res = await get(null, url);
      assert.equal(res.statusCode, 200, res.body);
      const v = res.json();
      assert.equal(v.authentic, true);
      assert.equal(v.digest, meta.sha256);
      assert.equal(v.subjectName, name);
      assert.ok(Array.isArray(v.inclusionProof));
      assert.ok(!res.body.includes('郑市监罚'), 'no report content');
    }
    assert.equal((await get(null, '/api/v1/reports/verify/XR-20200101-999999-1')).statusCode < 500, true);
    // The JSON file posted back is recognised by its digest.
    const json = (await get(owner, meta.links.json)).rawPayload;
    const up = await t.inject({
      method: 'POST',
      url: '/api/v1/reports/verify',
      headers: { 'content-type': 'application/json' },
      payload: json,
    });
    assert.equal(up.statusCode, 200, up.body);
    assert.equal(up.json().valid, true);
  });
});
