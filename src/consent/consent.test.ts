import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Catalog } from '../catalog/catalog.schema.ts';
import {
  createSigner,
  ensureInstitution,
  loginAs,
  storeRecords,
  testUscc,
  type TestSession,
} from '../accounts/accounts.testing.ts';
import { readRecords } from '../access/read-path.ts';
import type { ReadRecord, ReadRecordsResult } from '../access/read-path.types.ts';
import { seedCatalog } from '../test/catalog.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { countRows } from '../test/db.ts';
import { AppError } from '../shared/errors.ts';
import { createConsentService } from './consent.service.ts';
import type { Consent } from './consent.types.ts';

const uscc = testUscc(11);
const name = '郑州授权测试有限公司';
type Body = Omit<ReadRecordsResult, 'records'>;

/** YYYY-MM-DD, `n` days from now. */
function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

function kindRecords(b: Body, code: string): ReadRecord[] {
  return b.sections.flatMap((s) => s.kinds).find((k) => k.code === code)?.records ?? [];
}

describe('consents', () => {
  let t: TestApp;
  let catalog: Catalog;
  let owner: TestSession;
  let bank: TestSession;
  let otherBank: TestSession;
  let operator: TestSession;

  async function grant(body: Record<string, unknown>): Promise<Consent> {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/consents',
      headers: owner.headers,
      payload: {
        institutionId: 'test_bank',
        purpose: 'loan_application',
        mode: 'full_report',
        validUntil: inDays(365),
        scope: { categories: ['tax'] },
        ...body,
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as Consent;
  }

  function read(session: TestSession, query: string) {
    return t.inject({ url: `/api/v1/subjects/${uscc}/records?${query}`, headers: session.headers });
  }

  before(async () => {
    t = await createTestApp();
    catalog = await seedCatalog(t.db);
    await storeRecords(t.ctx, catalog, 'business_licence', [{ uscc, name, legal_rep_name: '王五' }]);
    await storeRecords(t.ctx, catalog, 'tax_credit_rating', [
      { uscc, name, rating_year: '2023', tax_credit_level: 'B' },
      { uscc, name, rating_year: '2024', tax_credit_level: 'A' },
    ]);
    await storeRecords(t.ctx, catalog, 'abnormal_taxpayer', [
      { uscc, name, is_abnormal: false, recognised_on: '2021-05-01', lifted_on: '2021-09-01' },
    ]);
    await storeRecords(t.ctx, catalog, 'admin_penalty', [
      {
        uscc,
        name,
        penalty_decision_no: '郑税罚〔2025〕3号',
        decided_on: '2025-08-01',
        publicity_until: '2099-01-01',
      },
    ]);
    await ensureInstitution(t.ctx, 'test_bank', '测试银行');
    await ensureInstitution(t.ctx, 'other_bank', '另一家银行');
    owner = await loginAs(t, 'enterprise', { uscc });
    bank = await loginAs(t, 'institution', { orgId: 'test_bank' });
    otherBank = await loginAs(t, 'institution', { orgId: 'other_bank' });
    operator = await loginAs(t, 'operator');
  });
  after(() => t.close());

  it('is granted by the enterprise, visible to both sides, and signed into the ledger', async () => {
    const ledgerBefore = await countRows(t.db, 'ledger_entries');
    const c = await grant({ maxUses: 10 });
    assert.equal(c.state, 'ACTIVE');
    assert.equal(c.institutionId, 'test_bank');
    assert.equal(await countRows(t.db, 'ledger_entries'), ledgerBefore + 1);
    const mine = (await t.inject({ url: '/api/v1/consents', headers: owner.headers })).json() as Consent[];
    assert.ok(mine.some((x) => x.id === c.id));
    const held = (await t.inject({ url: '/api/v1/consents', headers: bank.headers })).json() as Consent[];
    assert.ok(held.some((x) => x.id === c.id));
    const notHeld = (
      await t.inject({ url: '/api/v1/consents', headers: otherBank.headers })
    ).json() as Consent[];
    assert.ok(!notHeld.some((x) => x.id === c.id));
    const hidden = await t.inject({ url: `/api/v1/consents/${c.id}`, headers: otherBank.headers });
    assert.equal(hidden.statusCode, 404);
  });

  it('lets the institution read the consented kinds, counting each use, masked for personal fields', async () => {
    const c = await grant({ maxUses: 5 });
    const res = await read(bank, `consentId=${c.id}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as Body;
    assert.equal(body.basis, 'consent');
    assert.equal(body.consentId, c.id);
    assert.equal(kindRecords(body, 'tax_credit_rating').length, 2);
    // Kinds outside the consent (real estate is conditional, not in scope) are withheld, with the reason.
    assert.ok(
      body.withheld.some((w) => w.kind === 'real_estate_registration' && /授权范围/.test(w.reason.zh)),
    );
    const after1 = (
      await t.inject({ url: `/api/v1/consents/${c.id}`, headers: owner.headers })
    ).json() as Consent;
    assert.equal(after1.useCount, 1);
    const log = (await t.inject({ url: '/api/v1/me/access-log', headers: owner.headers })).json() as {
      orgId: string;
      consentId: string;
      purpose: string;
    }[];
    assert.equal(log[0]!.orgId, 'test_bank');
    assert.equal(log[0]!.consentId, c.id);
    assert.equal(log[0]!.purpose, 'loan_application');
  });

  it('stops working the moment the enterprise revokes it (revoked mid-session)', async () => {
    const c = await grant({});
    assert.equal((await read(bank, `consentId=${c.id}&kinds=tax_credit_rating`)).statusCode, 200);
    const rev = await t.inject({
      method: 'POST',
      url: `/api/v1/consents/${c.id}/revoke`,
      headers: owner.headers,
      payload: { reason: "贷款已结清'; DROP TABLE consents; -- <img src=x onerror=alert(1)>" },
    });
    assert.equal(rev.statusCode, 200, rev.body);
    assert.equal((rev.json() as Consent).state, 'REVOKED');
    // Stored and returned as inert text (JSON, never HTML), and the table is still there.
    assert.equal(
      (rev.json() as Consent).revokeReason,
      "贷款已结清'; DROP TABLE consents; -- <img src=x onerror=alert(1)>",
    );
    assert.match(String(rev.headers['content-type']), /^application\/json/);
    assert.ok((await countRows(t.db, 'consents')) > 0);
    const res = await read(bank, `consentId=${c.id}&kinds=tax_credit_rating`);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, 'consent_revoked');
    // Only the subject may revoke.
    const c2 = await grant({});
    const byBank = await t.inject({
      method: 'POST',
      url: `/api/v1/consents/${c2.id}/revoke`,
      headers: bank.headers,
    });
    assert.equal(byBank.statusCode, 403);
  });

  it('is exhausted after its maximum number of uses', async () => {
    const c = await grant({ maxUses: 2 });
    assert.equal((await read(bank, `consentId=${c.id}`)).statusCode, 200);
    assert.equal((await read(bank, `consentId=${c.id}`)).statusCode, 200);
    const third = await read(bank, `consentId=${c.id}`);
    assert.equal(third.statusCode, 403);
    assert.equal(third.json().code, 'consent_exhausted');
    const seen = (
      await t.inject({ url: `/api/v1/consents/${c.id}`, headers: bank.headers })
    ).json() as Consent;
    assert.equal(seen.state, 'EXHAUSTED');
    assert.equal(seen.useCount, 2);
  });

  it('never lets concurrent uses exceed the maximum', async () => {
    const c = await grant({ maxUses: 3 });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        readRecords(
          { db: t.db, fieldCrypto: t.ctx.fieldCrypto },
          { actor: bank.actor, uscc, consentId: c.id, kinds: ['tax_credit_rating'] },
        ),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
    for (const r of results) {
      if (r.status === 'rejected') assert.equal((r.reason as AppError).code, 'consent_exhausted');
    }
    const seen = (
      await t.inject({ url: `/api/v1/consents/${c.id}`, headers: owner.headers })
    ).json() as Consent;
    assert.equal(seen.useCount, 3);
    assert.equal(seen.state, 'EXHAUSTED');
  });

  it('refuses a read whose consent is revoked while it runs, counting and logging nothing', async () => {
    const c = await grant({});
    const logsBefore = await countRows(t.db, 'access_log');
    const usesBefore = await countRows(t.db, 'consent_uses');
    // The marks hook runs after the records were read and before the use is counted and logged: the
    // enterprise revokes exactly then.
    const revokeMidway = {
      async marksFor() {
        await t.ctx.consent.revokeConsent(owner.actor, c.id, '读取途中撤回');
        return new Map();
      },
    };
    await assert.rejects(
      readRecords(
        { db: t.db, fieldCrypto: t.ctx.fieldCrypto, marks: revokeMidway },
        { actor: bank.actor, uscc, consentId: c.id, kinds: ['tax_credit_rating'] },
      ),
      (e: unknown) => e instanceof AppError && e.code === 'consent_revoked',
    );
    assert.equal(await countRows(t.db, 'access_log'), logsBefore);
    assert.equal(await countRows(t.db, 'consent_uses'), usesBefore);
    const seen = (
      await t.inject({ url: `/api/v1/consents/${c.id}`, headers: owner.headers })
    ).json() as Consent;
    assert.equal(seen.useCount, 0);
    assert.equal(seen.state, 'REVOKED');
  });

  it('refuses kinds outside its scope and dates outside its data range', async () => {
    const c = await grant({
      scope: { kinds: ['tax_credit_rating'] },
      dataFrom: '2024-01-01',
      dataTo: '2024-12-31',
    });
    const outOfScope = await read(bank, `consentId=${c.id}&kinds=abnormal_taxpayer`);
    assert.equal(outOfScope.statusCode, 403);
    assert.equal(outOfScope.json().code, 'consent_out_of_scope');
    const outOfRange = await read(bank, `consentId=${c.id}&kinds=tax_credit_rating&from=2025-01-01`);
    assert.equal(outOfRange.statusCode, 403);
    assert.equal(outOfRange.json().code, 'consent_out_of_scope');
    assert.match(outOfRange.json().message.zh, /日期范围/);
    // Within range: tax ratings carry no date field in the catalog, so none can be shown to fall in
    // a bounded range.
    const inRange = (await read(bank, `consentId=${c.id}&kinds=tax_credit_rating`)).json() as Body;
    assert.equal(kindRecords(inRange, 'tax_credit_rating').length, 0);
  });

  it('refuses another institution, a wrong purpose and a narrower mode', async () => {
    const c = await grant({ mode: 'verify' });
    const other = await read(otherBank, `consentId=${c.id}&kinds=tax_credit_rating`);
    assert.equal(other.statusCode, 403);
    assert.equal(other.json().code, 'consent_required');
    const full = await read(bank, `consentId=${c.id}&kinds=tax_credit_rating`);
    assert.equal(full.statusCode, 403);
    assert.equal(full.json().code, 'consent_out_of_scope');
    const purpose = await read(bank, `consentId=${c.id}&kinds=tax_credit_rating&purpose=product_matching`);
    assert.equal(purpose.json().code, 'consent_out_of_scope');
  });

  it('expires at the end of its validity (computed state, not stored)', async () => {
    const c = await grant({ validUntil: inDays(30) });
    const later = () => new Date(Date.now() + 60 * 86_400_000);
    const service = createConsentService({ db: t.db, clock: later });
    const seen = await service.getConsent(owner.actor, c.id);
    assert.equal(seen.state, 'EXPIRED');
    await assert.rejects(
      readRecords(
        { db: t.db, fieldCrypto: t.ctx.fieldCrypto, clock: later },
        { actor: bank.actor, uscc, consentId: c.id, kinds: ['tax_credit_rating'] },
      ),
      (e: unknown) => e instanceof AppError && e.code === 'consent_expired',
    );
    // Still ACTIVE now; a grant that would already be expired, or run past three years, is refused.
    assert.equal(
      (await t.inject({ url: `/api/v1/consents/${c.id}`, headers: bank.headers })).json().state,
      'ACTIVE',
    );
    for (const validUntil of ['2020-01-01', inDays(4 * 366)]) {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/consents',
        headers: owner.headers,
        payload: {
          institutionId: 'test_bank',
          purpose: 'loan_application',
          mode: 'query',
          validUntil,
          scope: { kinds: ['tax_credit_rating'] },
        },
      });
      assert.equal(res.statusCode, 400, validUntil);
    }
  });

  it('requires the institution to have a data-sharing agreement in force', async () => {
    await t.ctx.accounts.onboardOrganisation({ type: 'system', name: 'test' }, 'institution', {
      id: 'lapsed_bank',
      nameZh: '协议已到期的银行',
      institutionType: 'bank',
      agreement: { purposeText: '已到期', validFrom: '2020-01-01', validUntil: '2021-12-31' },
    });
    const lapsed = await loginAs(t, 'institution', { orgId: 'lapsed_bank' });
    const c = await grant({ institutionId: 'lapsed_bank' });
    const res = await read(lapsed, `consentId=${c.id}&kinds=tax_credit_rating`);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, 'agreement_missing');
  });

  it('gives an institution no more than its data-sharing agreement covers', async () => {
    await t.ctx.accounts.onboardOrganisation({ type: 'system', name: 'test' }, 'institution', {
      id: 'tax_only_bank',
      nameZh: '只签了纳税信息协议的银行',
      institutionType: 'bank',
      agreement: {
        purposeText: '纳税信息',
        validFrom: '2020-01-01',
        validUntil: '2099-12-31',
        scope: { kinds: ['tax_credit_rating'] },
      },
    });
    const narrow = await loginAs(t, 'institution', { orgId: 'tax_only_bank' });
    const c = await grant({ institutionId: 'tax_only_bank', scope: { categories: ['tax'] } });
    const res = await read(narrow, `consentId=${c.id}&kinds=tax_credit_rating,abnormal_taxpayer`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as Body;
    assert.equal(kindRecords(body, 'tax_credit_rating').length, 2);
    assert.ok(body.withheld.some((w) => w.kind === 'abnormal_taxpayer' && /数据共享协议/.test(w.reason.zh)));
    const outside = await read(narrow, `consentId=${c.id}&kinds=abnormal_taxpayer`);
    assert.equal(outside.statusCode, 403);
    assert.equal(outside.json().code, 'consent_out_of_scope');
  });

  it('answers verify-only questions with yes/no and no records', async () => {
    const c = await grant({ mode: 'verify', scope: { categories: ['tax'] } });
    const signer = await createSigner(t.ctx, 'test_bank', 'HMAC-SM3');
    const url = `/api/v1/subjects/${uscc}/verify`;
    const payload = JSON.stringify({
      consentId: c.id,
      questions: [
        { code: 'tax_grade_in', param: ['A', 'B'] },
        { code: 'tax_grade_in', param: ['C', 'D'] },
        { code: 'no_abnormal_taxpayer' },
        { code: 'no_dishonest_debtor' },
        { code: 'no_penalty_months', param: 24 },
        { code: 'no_arrears_months', param: 12 },
      ],
    });
    const res = await t.inject({ method: 'POST', url, headers: signer.sign('POST', url, payload), payload });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { answers: { code: string; answer: boolean | null }[]; consentId: string };
    assert.deepEqual(
      body.answers.map((a) => a.answer),
      [true, false, true, true, false, null],
    );
    assert.equal(body.consentId, c.id);
    assert.ok(!res.body.includes('rating_year') && !res.body.includes('郑税罚'), 'no record content leaves');
    const unknown = JSON.stringify({ consentId: c.id, questions: [{ code: 'is_nice' }] });
    const bad = await t.inject({
      method: 'POST',
      url,
      headers: signer.sign('POST', url, unknown),
      payload: unknown,
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'verify_question_unknown');
  });

  it('turns a confirmed written authorization into a consent; rejects non-scan files', async () => {
    const boundary = '----xr';
    const terms = JSON.stringify({
      purpose: 'post_loan_monitoring',
      mode: 'full_report',
      validUntil: inDays(200),
      scope: { categories: ['tax'] },
    });
    const multipart = (file: Buffer) =>
      Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="uscc"\r\n\r\n${uscc}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="terms"\r\n\r\n${terms}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="授权书.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
        ),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
    const upload = (file: Buffer) =>
      t.inject({
        method: 'POST',
        url: '/api/v1/written-authorizations',
        headers: { ...bank.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: multipart(file),
      });
    const notScan = await upload(Buffer.from('just text'));
    assert.equal(notScan.statusCode, 415);
    const res = await upload(Buffer.from('%PDF-1.4\n% 授权书扫描件\n%%EOF\n'));
    assert.equal(res.statusCode, 201, res.body);
    const written = res.json() as { id: number; status: string; sha256: string; sm3: string };
    assert.equal(written.status, 'pending');
    assert.match(written.sm3, /^[0-9a-f]{64}$/);
    const pending = (
      await t.inject({ url: '/api/v1/written-authorizations?status=pending', headers: operator.headers })
    ).json() as { id: number }[];
    assert.ok(pending.some((w) => w.id === written.id));
    const scan = await t.inject({
      url: `/api/v1/written-authorizations/${written.id}/scan`,
      headers: operator.headers,
    });
    assert.equal(scan.statusCode, 200);
    assert.equal(scan.headers['content-type'], 'application/pdf');
    const confirmed = await t.inject({
      method: 'POST',
      url: `/api/v1/written-authorizations/${written.id}/confirm`,
      headers: operator.headers,
      payload: { note: '签章与营业执照一致' },
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const { consent } = confirmed.json() as { consent: Consent };
    assert.equal(consent.source, 'written');
    assert.equal(consent.state, 'ACTIVE');
    assert.equal(consent.purpose, 'post_loan_monitoring');
    const again = await t.inject({
      method: 'POST',
      url: `/api/v1/written-authorizations/${written.id}/confirm`,
      headers: operator.headers,
    });
    assert.equal(again.statusCode, 409, again.body);
    // The enterprise sees the consent made from its written authorization, and can revoke it.
    const mine = (await t.inject({ url: '/api/v1/consents', headers: owner.headers })).json() as Consent[];
    assert.ok(mine.some((x) => x.id === consent.id && x.source === 'written'));
  });
});
