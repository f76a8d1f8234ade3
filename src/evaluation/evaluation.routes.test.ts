import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureInstitution, loginAs, type TestSession } from '../accounts/accounts.testing.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { loadDefaultModelDocument } from './evaluation.service.ts';
import { recordWriter, registerSubject, testUscc } from './testing.ts';

interface View {
  basis: string;
  score: number;
  grade: string;
  reasons: { code: string; indicator: string; zh: string }[] | null;
  indicators: { code: string }[] | null;
  withheld: string[];
  consentId: string | null;
}

describe('evaluation routes', () => {
  let t: TestApp;
  let operator: TestSession;
  let bank: TestSession;
  let owner: TestSession;
  let other: TestSession;
  const u = testUscc(301);
  const v = testUscc(302);

  before(async () => {
    t = await createTestApp();
    const w = await recordWriter(t.db);
    await registerSubject(w, t.db, u);
    await registerSubject(w, t.db, v);
    await w.put('tax_credit_rating', u, [{ rating_year: 2024, tax_credit_level: 'C' }]);
    await w.put('social_insurance_arrears', u, [
      { in_arrears: true, arrears_to: '2026-03-31', arrears_total: 8000 },
    ]);
    await w.put('enforcement', u, [
      { case_no: '(2026)豫0105执1号', enforced_on: '2026-01-10', amount: 200000 },
    ]);
    await ensureInstitution(t.ctx, 'bank_e', '评价银行');
    operator = await loginAs(t, 'operator');
    bank = await loginAs(t, 'institution', { orgId: 'bank_e' });
    owner = await loginAs(t, 'enterprise', { uscc: u });
    other = await loginAs(t, 'enterprise', { uscc: v });
  });
  after(() => t.close());

  it('runs the evaluation for operators only', async () => {
    const denied = await t.inject({
      method: 'POST',
      url: '/api/v1/evaluation/runs',
      headers: bank.headers,
      payload: {},
    });
    assert.equal(denied.statusCode, 403);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/evaluation/runs',
      headers: operator.headers,
      payload: { mode: 'full' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { subjectsEvaluated: number }).subjectsEvaluated, 2);
    const runs = await t.inject({ url: '/api/v1/evaluation/runs', headers: operator.headers });
    assert.equal((runs.json() as { items: { status: string }[] }).items[0]!.status, 'completed');
  });

  it('shows the subject its own score with reasons, and no one else’s', async () => {
    const res = await t.inject({ url: `/api/v1/subjects/${u}/evaluation`, headers: owner.headers });
    assert.equal(res.statusCode, 200, res.body);
    const view = res.json() as View;
    assert.equal(view.basis, 'self');
    const codes = view.reasons!.map((r) => r.code);
    assert.ok(
      codes.includes('R_TAX_GRADE') && codes.includes('R_SI_ARREARS') && codes.includes('R_ENFORCEMENT'),
    );
    assert.ok(view.indicators!.length >= 25);
    const foreign = await t.inject({ url: `/api/v1/subjects/${u}/evaluation`, headers: other.headers });
    assert.equal(foreign.statusCode, 403);
    const anonymous = await t.inject({ url: `/api/v1/subjects/${u}/evaluation` });
    assert.equal(anonymous.statusCode, 401);
  });

  it('gives an institution the score and grade, and reasons only under a consent covering them', async () => {
    const plain = await t.inject({ url: `/api/v1/subjects/${u}/evaluation`, headers: bank.headers });
    assert.equal(plain.statusCode, 200, plain.body);
    const p = plain.json() as View;
    assert.equal(p.basis, 'public');
    assert.equal(p.reasons, null);
    assert.equal(p.indicators, null);
    assert.ok(p.withheld.includes('tax_credit_grade'));

    const consent = await t.ctx.consent.grantConsent(
      { type: 'enterprise', id: 'owner', uscc: u },
      {
        institutionId: 'bank_e',
        purpose: 'loan_application',
        scope: { categories: ['tax'] },
        mode: 'verify',
        validUntil: new Date(Date.now() + 200 * 86400000).toISOString().slice(0, 10),
      },
    );
    const res = await t.inject({
      url: `/api/v1/subjects/${u}/evaluation?consent_id=${consent.id}`,
      headers: bank.headers,
    });
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json() as View;
    assert.equal(c.basis, 'consent');
    assert.equal(c.consentId, consent.id);
    assert.equal(c.score, p.score);
    const codes = c.reasons!.map((r) => r.code);
    assert.ok(codes.includes('R_TAX_GRADE'), 'tax is in the consent');
    assert.ok(codes.includes('R_ENFORCEMENT'), 'enforcement records are public');
    assert.ok(!codes.includes('R_SI_ARREARS'), 'social insurance is not in the consent');
    assert.ok(c.withheld.includes('social_insurance_arrears'));
    // A consent of another subject cannot be used here.
    const foreign = await t.inject({
      url: `/api/v1/subjects/${v}/evaluation?consent_id=${consent.id}`,
      headers: bank.headers,
    });
    assert.equal(foreign.statusCode, 403);
  });

  it('publishes the model and lets only operators import a version', async () => {
    const model = await t.inject({ url: '/api/v1/evaluation/model' });
    assert.equal(model.statusCode, 200);
    assert.equal((model.json() as { version: number }).version, 1);
    const doc = loadDefaultModelDocument();
    const byBank = await t.inject({
      method: 'POST',
      url: '/api/v1/evaluation/models',
      headers: bank.headers,
      payload: doc,
    });
    assert.equal(byBank.statusCode, 403);
    const bad = await t.inject({
      method: 'POST',
      url: '/api/v1/evaluation/models',
      headers: operator.headers,
      payload: { ...doc, grades: [] },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal((bad.json() as { code: string }).code, 'evaluation_model_invalid');
    const ok = await t.inject({
      method: 'POST',
      url: '/api/v1/evaluation/models',
      headers: operator.headers,
      payload: { ...doc, label: '模型 v2' },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal((ok.json() as { version: number }).version, 2);
  });
});
