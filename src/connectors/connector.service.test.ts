import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AppError } from '../shared/errors.ts';
import { countRows } from '../test/db.ts';
import type { ConnectorService } from './connector.service.ts';
import { listPullCalls } from './connectors.repository.ts';
import { sandboxRecords } from './sandbox/sandbox.data.ts';
import { createPullWorld, operator, type PullWorld } from './test-world.ts';

describe('pull: on-demand calls to providers under consent', () => {
  let w: PullWorld;
  let svc: ConnectorService;

  before(async () => {
    w = await createPullWorld();
  });
  after(() => w.close());
  afterEach(async () => {
    if (svc) await w.clearInterfaces(svc);
  });

  const kindOf = (code: string) => w.catalog.kinds.find((k) => k.code === code)!;

  it('returns validated data, sends the X-Xinrong headers, logs the digest and queues a ledger entry', async () => {
    svc = w.service();
    const tax = await w.sandbox();
    const cnipa = await w.sandbox();
    await w.register(svc, 'tax_arrears', 'tax', tax);
    await w.register(svc, 'patent', 'cnipa', cnipa);
    const consentId = await w.grant(['tax_arrears', 'patent']);
    const ledgerBefore = await countRows(w.t.db, 'ledger_entries');

    const r = await svc.pull({
      actor: w.bank,
      uscc: w.uscc,
      kinds: ['tax_arrears', 'patent'],
      purpose: 'loan_application',
      consentId,
    });

    assert.equal(r.consentId, consentId);
    assert.deepEqual(
      r.sections.map((s) => [s.kind, s.status, s.providerId, s.cached]),
      [
        ['tax_arrears', 'ok', 'tax', false],
        ['patent', 'ok', 'cnipa', false],
      ],
    );
    assert.deepEqual(r.sections[0]!.data, sandboxRecords(kindOf('tax_arrears'), w.uscc));
    assert.deepEqual(r.sections[1]!.data, sandboxRecords(kindOf('patent'), w.uscc));

    const call = tax.log.at(-1)!;
    assert.equal(call.uscc, w.uscc);
    assert.equal(call.headers['x-xinrong-client'], 'CN/GOV/xinrong/connectors');
    assert.equal(call.headers['x-xinrong-request-id'], r.sections[0]!.requestId);
    assert.equal(call.headers['x-xinrong-issue'], consentId);
    assert.equal(call.headers['x-xinrong-purpose'], 'loan_application');
    assert.equal(call.headers['x-xinrong-user'], `institution:${w.institutionId}`);

    const body = JSON.stringify({
      kind: 'tax_arrears',
      uscc: w.uscc,
      records: sandboxRecords(kindOf('tax_arrears'), w.uscc),
    });
    const sha = createHash('sha256').update(body).digest('hex');
    assert.equal(r.sections[0]!.digest, sha);
    const logged = await listPullCalls(w.t.db, { pullId: r.pullId });
    const row = logged.find((l) => l.kind_code === 'tax_arrears')!;
    assert.equal(row.digest_sha256, sha);
    assert.equal(row.digest_sm3, createHash('sm3').update(body).digest('hex'));
    assert.equal(row.request_id, call.headers['x-xinrong-request-id']);
    assert.equal(row.consent_id, consentId);
    assert.equal(row.status, 'ok');
    assert.equal(row.stored, false, 'pull-only kinds are shown, not stored');
    // One pull_call leaf per section, plus the consent use.
    assert.equal((await countRows(w.t.db, 'ledger_entries')) - ledgerBefore, 3);
    // Each leaf names its pull_calls row; the subject's access log says who saw its data and why.
    const refs = await sql<{ ref_id: string }>`
      SELECT ref_id FROM ledger_entries WHERE ref_table = 'pull_calls' AND ref_id = ANY(${logged.map((l) => String(l.id))}::text[])`.execute(
      w.t.db,
    );
    assert.equal(refs.rows.length, 2);
    const seen = await sql<{ kinds: string[]; basis: string; record_count: number }>`
      SELECT kinds, basis, record_count FROM access_log WHERE uscc = ${w.uscc} AND consent_id = ${consentId}`.execute(
      w.t.db,
    );
    assert.equal(seen.rows.length, 1);
    assert.deepEqual([...seen.rows[0]!.kinds].sort(), ['patent', 'tax_arrears']);
    assert.equal(seen.rows[0]!.basis, 'consent');
    assert.equal(
      seen.rows[0]!.record_count,
      r.sections.reduce((n, x) => n + (x.data?.length ?? 0), 0),
    );
  });

  it('times out a slow provider (with a retry) while the other section succeeds', async () => {
    svc = w.service();
    const slow = await w.sandbox({ control: { mode: 'slow', slowMs: 5_000 } });
    const fast = await w.sandbox();
    await w.register(svc, 'tax_statistics', 'tax', slow, { timeoutMs: 150, retries: 1 });
    await w.register(svc, 'patent', 'cnipa', fast);
    const consentId = await w.grant(['tax_statistics', 'patent']);
    const r = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_statistics', 'patent'], consentId });
    const [timedOut, ok] = r.sections;
    assert.equal(timedOut!.status, 'unavailable');
    assert.equal(timedOut!.code, 'timeout');
    assert.match(timedOut!.reason!.zh, /超时/);
    assert.match(timedOut!.reason!.en, /150 ms \(2 attempts\)/);
    assert.equal(timedOut!.data, null);
    assert.equal(ok!.status, 'ok');
    assert.equal(slow.calls, 2, 'a timeout is retried once');
  });

  it('retries a 5xx and then reports it; a 4xx is not retried', async () => {
    svc = w.service();
    const failing = await w.sandbox({ control: { mode: 'fail' } });
    await w.register(svc, 'social_insurance_arrears', 'hrss', failing, { retries: 2 });
    const guarded = await w.sandbox({ bearerToken: 'the-right-token' });
    await w.register(svc, 'electricity_fee', 'power', guarded, {
      auth: { type: 'bearer', token: 'a-wrong-token' },
      retries: 2,
    });
    const consentId = await w.grant(['social_insurance_arrears', 'electricity_fee']);
    const r = await svc.pull({
      actor: w.bank,
      uscc: w.uscc,
      kinds: ['social_insurance_arrears', 'electricity_fee'],
      consentId,
    });
    assert.equal(r.sections[0]!.code, 'http_5xx');
    assert.match(r.sections[0]!.reason!.en, /HTTP 503 \(3 attempts\)/);
    assert.equal(failing.calls, 3);
    assert.ok(r.sections[0]!.digest, 'the digest of the HTML error page is kept');
    assert.equal(r.sections[1]!.code, 'http_4xx');
    assert.match(r.sections[1]!.reason!.en, /HTTP 401/);
    assert.equal(guarded.log.length, 1, 'a 4xx is not retried');
  });

  it('marks malformed JSON, HTML pages and the wrong schema unavailable, never throws', async () => {
    svc = w.service();
    const malformed = await w.sandbox({ control: { mode: 'malformed' } });
    const html = await w.sandbox({ control: { mode: 'html' } });
    const wrong = await w.sandbox({ control: { mode: 'wrong-schema' } });
    await w.register(svc, 'tax_arrears', 'tax', malformed);
    await w.register(svc, 'patent', 'cnipa', html);
    await w.register(svc, 'electricity_fee', 'power', wrong);
    const kinds = ['tax_arrears', 'patent', 'electricity_fee'];
    const consentId = await w.grant(kinds);
    const r = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds, consentId });
    assert.deepEqual(
      r.sections.map((s) => [s.status, s.code]),
      [
        ['unavailable', 'malformed'],
        ['unavailable', 'malformed'],
        ['unavailable', 'schema'],
      ],
    );
    assert.match(r.sections[0]!.reason!.en, /not valid JSON/);
    assert.match(r.sections[1]!.reason!.en, /text\/html/);
    assert.match(r.sections[2]!.reason!.zh, /不符合信用信息目录/);
    assert.match(r.sections[2]!.reason!.en, /record 1/);
    assert.equal(malformed.calls, 1, 'garbage is not retried');
  });

  it('reports a refused connection as unavailable', async () => {
    svc = w.service();
    // A port that was just free: nothing listens there.
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    await svc.createInterface(operator, {
      providerId: 'tax',
      kind: 'tax_arrears',
      baseUrl: `http://127.0.0.1:${port}/kinds/tax_arrears`,
      auth: { type: 'none' },
      timeoutMs: 1_000,
      retries: 1,
      rateLimitPerSecond: 0,
      maxConcurrency: 4,
      cacheTtlSeconds: 0,
      storeAsRecords: null,
      enabled: true,
      note: '',
    });
    const consentId = await w.grant(['tax_arrears']);
    const r = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears'], consentId });
    assert.equal(r.sections[0]!.code, 'connection');
    assert.match(r.sections[0]!.reason!.en, /ECONNREFUSED/);
  });

  it('opens the breaker after repeated failures, stops calling, then recovers through a half-open probe', async () => {
    // The breaker's clock is the test's: no dependence on how fast this machine is.
    let now = Date.now();
    svc = w.service({
      breaker: { failureThreshold: 3, cooldownMs: 10_000, minCalls: 1_000, now: () => now },
    });
    const s = await w.sandbox({ control: { mode: 'fail' } });
    await w.register(svc, 'tax_arrears', 'tax', s, { retries: 0 });
    const consentId = await w.grant(['tax_arrears']);
    const pullOnce = () => svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears'], consentId });

    for (let i = 0; i < 3; i++) assert.equal((await pullOnce()).sections[0]!.code, 'http_5xx');
    assert.equal(svc.runtimeState('tax').breaker.state, 'open');
    const callsWhenOpened = s.calls;
    const refused = await pullOnce();
    assert.equal(refused.sections[0]!.code, 'breaker_open');
    assert.match(refused.sections[0]!.reason!.zh, /熔断/);
    assert.equal(s.calls, callsWhenOpened, 'an open breaker makes no call');

    s.setControl({ mode: 'ok' });
    now += 9_999;
    assert.equal((await pullOnce()).sections[0]!.code, 'breaker_open', 'still cooling down');
    now += 1; // the 10 s cooldown is over
    const recovered = await pullOnce();
    assert.equal(recovered.sections[0]!.status, 'ok');
    assert.equal(s.calls, callsWhenOpened + 1, 'exactly one probe');
    assert.equal(svc.runtimeState('tax').breaker.state, 'closed');
    assert.equal((await pullOnce()).sections[0]!.status, 'ok');
  });

  it('calls nothing once the consent is revoked between two pulls', async () => {
    svc = w.service();
    const s = await w.sandbox();
    await w.register(svc, 'tax_arrears', 'tax', s);
    const consentId = await w.grant(['tax_arrears']);
    const first = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears'], consentId });
    assert.equal(first.sections[0]!.status, 'ok');
    await w.revoke(consentId);
    const second = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears'], consentId });
    assert.equal(second.sections[0]!.status, 'denied');
    assert.equal(second.sections[0]!.code, 'consent_unusable');
    assert.match(second.sections[0]!.reason!.zh, /撤销/);
    assert.equal(second.sections[0]!.data, null);
    assert.equal(s.calls, 1, 'no call after the revocation');
    const logged = await listPullCalls(w.t.db, { pullId: second.pullId });
    assert.equal(logged[0]!.status, 'denied');
  });

  it('denies a kind outside the consent scope without calling its provider', async () => {
    svc = w.service();
    const tax = await w.sandbox();
    const cnipa = await w.sandbox();
    await w.register(svc, 'tax_arrears', 'tax', tax);
    await w.register(svc, 'patent', 'cnipa', cnipa);
    const consentId = await w.grant(['tax_arrears']);
    const r = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears', 'patent'], consentId });
    assert.equal(r.sections[0]!.status, 'ok');
    assert.equal(r.sections[1]!.status, 'denied');
    assert.equal(r.sections[1]!.code, 'not_in_scope');
    assert.match(r.sections[1]!.reason!.zh, /授权范围/);
    assert.equal(cnipa.calls, 0);
  });

  it('calls several providers concurrently: every call starts before any answers', async () => {
    svc = w.service();
    const kinds = ['tax_arrears', 'patent', 'electricity_fee', 'social_insurance_arrears'];
    const providers = ['tax', 'cnipa', 'power', 'hrss'];
    const boxes = [];
    for (let i = 0; i < kinds.length; i++) {
      const s = await w.sandbox({ control: { latencyMs: 300 + i * 50 } });
      boxes.push(s);
      await w.register(svc, kinds[i]!, providers[i]!, s);
    }
    const consentId = await w.grant(kinds);
    const r = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds, consentId });
    assert.ok(r.sections.every((s) => s.status === 'ok'));
    const calls = boxes.map((b) => b.log.at(-1)!);
    const lastStart = Math.max(...calls.map((c) => c.startedAt));
    const firstFinish = Math.min(...calls.map((c) => c.finishedAt));
    assert.ok(lastStart < firstFinish, 'all four calls were in flight together');
    assert.deepEqual(
      r.sections.map((s) => s.kind),
      kinds,
      'sections come back in the order asked',
    );
  });

  it('lets the subject pull its own data without a consent, and nobody else’s', async () => {
    svc = w.service();
    const s = await w.sandbox();
    await w.register(svc, 'real_estate_registration', 'realestate', s);
    const r = await svc.pull({ actor: w.enterprise, uscc: w.uscc, kinds: ['real_estate_registration'] });
    assert.equal(r.consentId, null);
    assert.equal(r.sections[0]!.status, 'ok');
    assert.equal(s.log.at(-1)!.headers['x-xinrong-issue'], `self:${w.uscc}`);
    // The subject sees personal fields unmasked.
    assert.deepEqual(r.sections[0]!.data, sandboxRecords(kindOf('real_estate_registration'), w.uscc));
    await assert.rejects(
      svc.pull({ actor: w.enterprise, uscc: w.otherUscc, kinds: ['real_estate_registration'] }),
      (e: unknown) => e instanceof AppError && e.code === 'forbidden',
    );
  });

  it('masks personal fields for an institution', async () => {
    svc = w.service();
    const s = await w.sandbox();
    await w.register(svc, 'real_estate_mortgage', 'realestate', s);
    const consentId = await w.grant(['real_estate_mortgage']);
    const r = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['real_estate_mortgage'], consentId });
    const rec = r.sections[0]!.data![0]!;
    const raw = sandboxRecords(kindOf('real_estate_mortgage'), w.uscc)[0]!;
    assert.notEqual(rec.mortgagor, raw.mortgagor, 'the mortgagor (personal) is masked');
    assert.match(String(rec.mortgagor), /\*/);
    assert.equal(rec.certificate_no, raw.certificate_no, 'public fields are shown');
  });

  it('stores answers of kinds shared both ways as records, readable through the read path', async () => {
    svc = w.service();
    const s = await w.sandbox();
    await w.register(svc, 'housing_fund_statistics', 'housing_fund', s);
    const consentId = await w.grant(['housing_fund_statistics']);
    const r = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['housing_fund_statistics'], consentId });
    assert.equal(r.sections[0]!.status, 'ok');
    assert.equal(r.sections[0]!.stored, true);
    const read = await w.t.ctx.access.readRecords({
      actor: w.enterprise,
      uscc: w.uscc,
      kinds: ['housing_fund_statistics'],
    });
    assert.equal(read.records.length, 1);
    assert.equal(read.records[0]!.providerId, 'housing_fund');
    // A second pull of identical data adds no version.
    await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['housing_fund_statistics'], consentId });
    const again = await w.t.ctx.access.readRecords({
      actor: w.enterprise,
      uscc: w.uscc,
      kinds: ['housing_fund_statistics'],
    });
    assert.equal(again.records[0]!.version, 1);
  });

  it('reuses an answer within the cache lifetime, still under a fresh consent check', async () => {
    svc = w.service();
    const s = await w.sandbox();
    await w.register(svc, 'patent', 'cnipa', s, { cacheTtlSeconds: 60 });
    const consentId = await w.grant(['patent']);
    const a = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['patent'], consentId });
    const b = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['patent'], consentId });
    assert.equal(a.sections[0]!.cached, false);
    assert.equal(b.sections[0]!.cached, true);
    assert.deepEqual(b.sections[0]!.data, a.sections[0]!.data);
    assert.equal(b.sections[0]!.fetchedAt, a.sections[0]!.fetchedAt);
    assert.equal(s.calls, 1);
    await w.revoke(consentId);
    const c = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['patent'], consentId });
    assert.equal(c.sections[0]!.status, 'denied', 'the cache never bypasses the consent');
  });

  it('signs requests with HMAC when the interface says so', async () => {
    svc = w.service();
    const secret = 'a-shared-secret-of-32-characters';
    const s = await w.sandbox({ hmacSecret: secret });
    await w.register(svc, 'tax_arrears', 'tax', s, {
      auth: { type: 'hmac', keyId: 'k1', secret, algorithm: 'hmac-sm3' },
    });
    const consentId = await w.grant(['tax_arrears']);
    const r = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears'], consentId });
    assert.equal(r.sections[0]!.status, 'ok');
    assert.equal(s.log.at(-1)!.headers['x-xinrong-key-id'], 'k1');
    await svc.updateInterface(operator, (await svc.listInterfaces(operator))[0]!.id, {
      auth: { type: 'hmac', keyId: 'k1', secret: 'another-secret-of-32-characters!', algorithm: 'hmac-sm3' },
    });
    const bad = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears'], consentId });
    assert.equal(bad.sections[0]!.code, 'http_4xx');
  });

  it('reports kinds without an interface and push-only kinds as unavailable', async () => {
    svc = w.service();
    const pushOnly = w.catalog.kinds.find((k) => k.share_mode === 'push')!.code;
    const consentId = await w.grant(['tax_arrears', pushOnly]);
    const r = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears', pushOnly], consentId });
    assert.equal(r.sections[0]!.code, 'no_interface');
    assert.match(r.sections[0]!.reason!.en, /no enabled provider interface/);
    assert.equal(r.sections[1]!.code, 'not_pull_kind');
    await assert.rejects(
      svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['no_such_kind'], consentId }),
      (e: unknown) => e instanceof AppError && e.code === 'kind_unknown',
    );
    await assert.rejects(
      svc.pull({ actor: w.bank, uscc: '91410100XXXXXXXXXX', kinds: ['tax_arrears'], consentId }),
      (e: unknown) => e instanceof AppError && e.code === 'uscc_invalid',
    );
  });

  it('reports per-provider health: success rate, latency percentiles, last error, breaker', async () => {
    svc = w.service();
    const s = await w.sandbox({ control: { latencyMs: 20 } });
    await w.register(svc, 'tax_arrears', 'tax', s, { retries: 0 });
    const consentId = await w.grant(['tax_arrears']);
    await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears'], consentId });
    s.setControl({ mode: 'malformed' });
    await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears'], consentId });
    const h = await svc.getHealth({ windowMinutes: 1 });
    const tax = h.providers.find((p) => p.providerId === 'tax')!;
    assert.ok(tax.calls >= 2);
    assert.ok(tax.successRate! > 0 && tax.successRate! < 1);
    assert.ok(tax.p50Ms! >= 0 && tax.p95Ms! >= tax.p50Ms!);
    assert.equal(tax.lastError!.code, 'malformed');
    assert.match(tax.lastError!.reason!.zh, /JSON/);
    assert.equal(tax.breaker.state, 'closed');
  });
});
