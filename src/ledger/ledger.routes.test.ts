import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loginAs, type TestSession } from '../accounts/accounts.testing.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { treeHasher } from './hash.ts';
import { verifyConsistency, verifyInclusion } from './merkle.ts';
import { verifyBundle } from './verify-offline.ts';
import { ingestDebtors } from './fixtures.ts';

const b = (s: string) => Buffer.from(s, 'base64');

describe('ledger API', () => {
  let t: TestApp;
  let operator: TestSession;
  let bank: TestSession;
  let firstSize: number;

  before(async () => {
    t = await createTestApp();
    await ingestDebtors(t.ctx, 12);
    firstSize = (await t.ctx.ledger.sequenceNow()).treeSize;
    await ingestDebtors(t.ctx, 5, 500);
    await t.ctx.ledger.sequenceNow();
    operator = await loginAs(t, 'operator');
    bank = await loginAs(t, 'institution');
  });
  after(() => t.close());

  it('publishes the public key and the latest checkpoint, verifiable with it', async () => {
    const key = (await t.inject('/api/v1/ledger/public-key')).json();
    assert.equal(key.algorithm, 'sm2');
    assert.equal(key.userId, '1234567812345678');
    assert.match(key.publicKeyHex, /^04[0-9a-f]{128}$/);
    const res = await t.inject('/api/v1/ledger/checkpoint');
    assert.equal(res.statusCode, 200);
    const cp = res.json();
    assert.equal(cp.hashAlgorithm, 'sm3');
    assert.match(cp.note, /^xinrong\.ledger\/zhengzhou\n\d+\n/);
    assert.match(cp.note, /\n— xinrong\.ledger\/zhengzhou [A-Za-z0-9+/=]+\n$/);
  });

  it('serves inclusion and consistency proofs that verify', async () => {
    const cp = (await t.inject('/api/v1/ledger/checkpoint')).json();
    const h = treeHasher('sm3');
    const p = (await t.inject(`/api/v1/ledger/proof/inclusion?index=3`)).json();
    assert.equal(p.treeSize, cp.treeSize);
    assert.equal(p.checkpoint, cp.note);
    assert.ok(verifyInclusion(h, 3, p.treeSize, b(p.leafHash), p.proof.map(b), b(cp.rootHash)));
    const e = (await t.inject('/api/v1/ledger/entries/3')).json();
    assert.equal(e.leafHash, p.leafHash);
    assert.equal(h.hashLeaf(e.canonical).toString('base64'), e.leafHash);

    const c = (await t.inject(`/api/v1/ledger/proof/consistency?from=${firstSize}`)).json();
    assert.equal(c.to, cp.treeSize);
    assert.ok(verifyConsistency(h, firstSize, c.to, c.proof.map(b), b(c.fromRoot), b(cp.rootHash)));
  });

  it('hands out a bundle that the offline verifier accepts with the published key', async () => {
    const res = await t.inject('/api/v1/ledger/bundle/5');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-disposition']), /ledger-bundle-5\.json/);
    const key = (await t.inject('/api/v1/ledger/public-key')).json();
    const v = verifyBundle(res.body, key);
    assert.equal(v.valid, true, v.message.en);
    assert.equal(v.keyTrusted, true);
  });

  it('shows entries without the content of the records', async () => {
    const rv = await t.db
      .selectFrom('record_versions')
      .select(['id', 'data'])
      .limit(1)
      .executeTakeFirstOrThrow();
    const idx = await t.ctx.ledger.leafIndexFor('record_versions', rv.id);
    const e = (await t.inject(`/api/v1/ledger/entries/${idx}`)).json();
    assert.equal(e.refId, String(rv.id));
    // The record's identity (subject and natural key, here the case number) is in the entry; its data is not.
    const { case_no: naturalKey, debtor_id: subject, ...data } = rv.data as Record<string, unknown>;
    assert.equal(e.payload.natural_key, naturalKey);
    assert.equal(e.uscc, subject);
    for (const [field, v] of Object.entries(data)) {
      if (typeof v === 'string' && v.length > 4) {
        assert.equal(e.canonical.includes(v), false, `leaks ${field}`);
      }
    }
    assert.match(String(e.payload.data_digest), /^[0-9a-f]{64}$/);
  });

  it('answers out-of-range and malformed requests with bilingual problems, never a 500', async () => {
    const size = (await t.inject('/api/v1/ledger/checkpoint')).json().treeSize;
    for (const [url, status, code] of [
      [`/api/v1/ledger/entries/${size + 10}`, 404, 'ledger_index_out_of_range'],
      [`/api/v1/ledger/proof/inclusion?index=${size}`, 404, 'ledger_index_out_of_range'],
      [`/api/v1/ledger/proof/inclusion?index=0&size=${size + 1}`, 400, 'ledger_size_invalid'],
      [`/api/v1/ledger/proof/consistency?from=${size + 1}`, 400, 'ledger_size_invalid'],
      ['/api/v1/ledger/entries/abc', 400, 'validation_failed'],
      ['/api/v1/ledger/proof/inclusion?index=-1', 400, 'validation_failed'],
      [`/api/v1/ledger/bundle/${size + 3}`, 404, 'ledger_index_out_of_range'],
    ] as const) {
      const res = await t.inject(url);
      assert.equal(res.statusCode, status, `${url}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      const body = res.json();
      assert.equal(body.code, code, url);
      assert.ok(body.message.zh && body.message.en);
    }
  });

  it('lets only operators run the full verification, and reports tampering', async () => {
    assert.equal(
      (await t.inject({ method: 'POST', url: '/api/v1/ledger/verify', payload: {} })).statusCode,
      401,
    );
    assert.equal(
      (await t.inject({ method: 'POST', url: '/api/v1/ledger/verify', payload: {}, headers: bank.headers }))
        .statusCode,
      403,
    );
    const ok = await t.inject({
      method: 'POST',
      url: '/api/v1/ledger/verify',
      payload: {},
      headers: operator.headers,
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().ok, true, ok.body);

    const rv = await t.db
      .selectFrom('record_versions')
      .select('id')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    await sql`UPDATE record_versions SET data = jsonb_set(data, '{court}', '"另一法院"') WHERE id = ${rv.id}`.execute(
      t.db,
    );
    const bad = (
      await t.inject({ method: 'POST', url: '/api/v1/ledger/verify', payload: {}, headers: operator.headers })
    ).json();
    assert.equal(bad.ok, false);
    assert.equal(bad.firstBadLeaf.refTable, 'record_versions');
    assert.equal(bad.firstBadLeaf.refId, String(rv.id));
  });
});

describe('ledger API before the first checkpoint', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('says there is no checkpoint yet', async () => {
    const res = await t.inject('/api/v1/ledger/checkpoint');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'ledger_empty');
    const status = (await t.inject('/api/v1/ledger/status')).json();
    assert.equal(status.latestCheckpoint, null);
  });
});
