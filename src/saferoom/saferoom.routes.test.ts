import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureInstitution, loginAs, type TestSession } from '../accounts/accounts.testing.ts';
import { recordWriter, registerSubjects, testUscc } from '../evaluation/testing.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { sigmoid } from './logistic.ts';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const N = 200;
const grades = ['D', 'C', 'B', 'A'] as const;

interface Loan {
  uscc: string;
  loan_date: string;
  amount: number;
  defaulted: boolean;
}

describe('data safe room', () => {
  let t: TestApp;
  let bankA: TestSession;
  let bankB: TestSession;
  let operator: TestSession;
  const usccs = Array.from({ length: N }, (_, i) => testUscc(5000 + i));
  const loans: Loan[] = [];
  let jobId = 0;

  before(async () => {
    t = await createTestApp();
    const w = await recordWriter(t.db);
    await registerSubjects(t.db, usccs);
    await w.putRows(
      'tax_credit_rating',
      usccs.map((uscc, i) => ({ uscc, rating_year: 2023, tax_credit_level: grades[i % 4] })),
    );
    await w.putRows(
      'admin_penalty',
      usccs.flatMap((uscc, i) =>
        Array.from({ length: i % 3 }, (_, j) => ({
          uscc,
          penalty_decision_no: `P-${i}-${j}`,
          decided_on: `2024-0${1 + j}-10`,
          fine_amount: 1000,
        })),
      ),
    );
    // Risk rises with a worse tax grade and more penalties; two loans per subject over 2025.
    const r = rng(42);
    usccs.forEach((uscc, i) => {
      const grade = grades[i % 4]!;
      const eta = -2.2 + { D: 2.2, C: 1.2, B: 0.3, A: 0 }[grade] + 0.5 * (i % 3);
      for (const month of [1 + (i % 6), 7 + (i % 6)]) {
        loans.push({
          uscc,
          loan_date: `2025-${String(month).padStart(2, '0')}-15`,
          amount: 500000,
          defaulted: r() < sigmoid(eta),
        });
      }
    });
    await ensureInstitution(t.ctx, 'bank_a', '甲银行');
    await ensureInstitution(t.ctx, 'bank_b', '乙银行');
    bankA = await loginAs(t, 'institution', { orgId: 'bank_a' });
    bankB = await loginAs(t, 'institution', { orgId: 'bank_b' });
    operator = await loginAs(t, 'operator');
  });
  after(() => t.close());

  it('trains a scorecard from uploaded outcomes and releases only the model, metrics and aggregates', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/saferoom/jobs',
      headers: bankA.headers,
      payload: { name: '小微贷 2025', loans },
    });
    assert.equal(res.statusCode, 202, res.body);
    const created = res.json() as { id: number; status: string; inputSha256: string };
    jobId = created.id;
    await t.ctx.saferoom.kick();
    await t.ctx.saferoom.runQueuedJobs();
    const got = await t.inject({ url: `/api/v1/saferoom/jobs/${jobId}`, headers: bankA.headers });
    assert.equal(got.statusCode, 200);
    const job = got.json() as {
      status: string;
      error: unknown;
      result: {
        k: number;
        counts: { rows: number; matched_rows: number };
        model: {
          fit: { converged: boolean; gradient_norm: number };
          features: { code: string; bins: { count: number; bads: number; points: number }[] }[];
          scaling: { factor: number; offset: number };
        };
        metrics: {
          development: { auc: number; ks: number; gini: number };
          validation: unknown;
          psi: number | null;
        };
        features: { code: string; iv: number }[];
        score_bands: { subjects: number }[];
      };
    };
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const result = job.result;
    assert.equal(result.counts.rows, loans.length);
    assert.ok(result.model.fit.converged && result.model.fit.gradient_norm < 1e-6);
    assert.ok(Math.abs(result.model.scaling.factor - 28.853901) < 1e-5);
    assert.ok(Math.abs(result.model.scaling.offset - 487.122876) < 1e-5);
    const codes = result.model.features.map((f) => f.code);
    assert.ok(codes.includes('tax_credit_grade'), codes.join());
    assert.ok(result.metrics.development.auc > 0.6);
    assert.ok(result.features.find((f) => f.code === 'tax_credit_grade')!.iv > 0.1);
    // Every released group holds at least k subjects.
    for (const f of result.model.features) {
      for (const b of f.bins) assert.ok(b.bads >= result.k && b.count - b.bads >= result.k);
    }
    for (const band of result.score_bands) assert.ok(band.subjects >= result.k);
    // No row leaves: no uploaded USCC appears anywhere in the response.
    for (const u of usccs) assert.ok(!got.body.includes(u));
    // The job and its digests are in the ledger.
    const entries = await t.db
      .selectFrom('ledger_entries')
      .select(['payload'])
      .where('entry_type', '=', 'safe_room_job')
      .where('ref_id', '=', String(jobId))
      .execute();
    const events = entries.map((e) => (e.payload as { event: string }).event);
    assert.deepEqual(events.sort(), ['completed', 'created']);
    for (const e of entries) {
      assert.equal((e.payload as { input_sha256: string }).input_sha256, created.inputSha256);
    }
  });

  it('refuses groups below k and a k below the platform minimum', async () => {
    const few = loans.filter((l) => !l.defaulted || usccs.indexOf(l.uscc) < 12);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/saferoom/jobs',
      headers: bankB.headers,
      payload: { loans: few },
    });
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(res.json().code, 'safe_room_too_few_subjects');
    const lowK = await t.inject({
      method: 'POST',
      url: '/api/v1/saferoom/jobs',
      headers: bankB.headers,
      payload: { loans, options: { k: 3 } },
    });
    assert.equal(lowK.statusCode, 400);
    assert.equal(lowK.json().code, 'safe_room_k_invalid');
  });

  it('refuses a job that differs from an earlier one by fewer than k subjects (differencing)', async () => {
    const minusTwo = loans.filter((l) => l.uscc !== usccs[0] && l.uscc !== usccs[1]);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/saferoom/jobs',
      headers: bankA.headers,
      payload: { loans: minusTwo },
    });
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(res.json().code, 'safe_room_differencing');
  });

  it("keeps one institution's job and model from another", async () => {
    const got = await t.inject({ url: `/api/v1/saferoom/jobs/${jobId}`, headers: bankB.headers });
    assert.equal(got.statusCode, 404);
    const scored = await t.inject({
      method: 'POST',
      url: `/api/v1/saferoom/jobs/${jobId}/scores`,
      headers: bankB.headers,
      payload: { usccs: [usccs[0]] },
    });
    assert.equal(scored.statusCode, 404);
    const mine = await t.inject({ url: '/api/v1/saferoom/jobs', headers: bankB.headers });
    assert.equal((mine.json() as { items: unknown[] }).items.length, 0);
    const all = await t.inject({ url: '/api/v1/saferoom/jobs', headers: operator.headers });
    assert.equal((all.json() as { items: unknown[] }).items.length, 1);
    const enterprise = await loginAs(t, 'enterprise', { uscc: usccs[0]! });
    const denied = await t.inject({ url: `/api/v1/saferoom/jobs/${jobId}`, headers: enterprise.headers });
    assert.equal(denied.statusCode, 403);
  });

  it('scores only subjects that consented, covering the kinds the model reads', async () => {
    const [consenting, narrow, revoked, stranger] = [usccs[3]!, usccs[4]!, usccs[5]!, usccs[6]!];
    const grant = (uscc: string, categories: string[]) =>
      t.ctx.consent.grantConsent(
        { type: 'enterprise', id: `u-${uscc}`, uscc },
        {
          institutionId: 'bank_a',
          purpose: 'loan_application',
          scope: { categories },
          mode: 'verify',
          validUntil: new Date(Date.now() + 365 * 86400000).toISOString().slice(0, 10),
        },
      );
    await grant(consenting, ['tax', 'administration', 'market_registration', 'judicial']);
    await grant(narrow, ['judicial']);
    const c = await grant(revoked, ['tax', 'administration']);
    await t.ctx.consent.revokeConsent({ type: 'enterprise', id: `u-${revoked}`, uscc: revoked }, c.id);
    const res = await t.inject({
      method: 'POST',
      url: `/api/v1/saferoom/jobs/${jobId}/scores`,
      headers: bankA.headers,
      payload: { usccs: [consenting, narrow, revoked, stranger] },
    });
    assert.equal(res.statusCode, 200, res.body);
    const results = (
      res.json() as {
        results: { uscc: string; status: string; score: number | null; reason: { code: string } | null }[];
      }
    ).results;
    const by = Object.fromEntries(results.map((r) => [r.uscc, r]));
    assert.equal(by[consenting]!.status, 'scored');
    assert.ok(typeof by[consenting]!.score === 'number');
    for (const u of [narrow, revoked, stranger]) {
      assert.equal(by[u]!.status, 'refused', u);
      assert.equal(by[u]!.score, null);
    }
    assert.equal(by[stranger]!.reason!.code, 'consent_required');
    assert.equal(by[revoked]!.reason!.code, 'consent_revoked');
    assert.equal(by[narrow]!.reason!.code, 'consent_out_of_scope');
  });

  it('accepts a CSV upload with Chinese headers and names the bad row of a broken one', async () => {
    const boundary = '----xr';
    const multipart = (csv: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="options"\r\n\r\n{"k":10}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="loans.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    const bad = '统一社会信用代码,放款日期,贷款金额,是否违约\n' + `${usccs[0]},2025-02-30,1000,是\n`;
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/saferoom/jobs',
      headers: { ...bankB.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipart(bad),
    });
    assert.equal(res.statusCode, 400, res.body);
    const body = res.json() as { code: string; errors: { row: number; field: string }[] };
    assert.equal(body.code, 'safe_room_input_invalid');
    assert.deepEqual(
      body.errors.map((e) => [e.row, e.field]),
      [[2, 'loan_date']],
    );
    const csv =
      '统一社会信用代码,放款日期,贷款金额,是否违约\n' +
      loans.map((l) => `${l.uscc},${l.loan_date},${l.amount},${l.defaulted ? '是' : '否'}`).join('\n');
    const ok = await t.inject({
      method: 'POST',
      url: '/api/v1/saferoom/jobs',
      headers: { ...bankB.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipart(csv),
    });
    assert.equal(ok.statusCode, 202, ok.body);
    assert.equal((ok.json() as { inputRows: number }).inputRows, loans.length);
  });
});
