import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../test/app.ts';

describe('system routes', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('answers health with the database in use', async () => {
    const res = await t.inject('/api/v1/health');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().database, t.dialect === 'postgres' ? 'postgres' : 'pglite');
  });

  it('answers an unknown route with a bilingual RFC 9457 problem', async () => {
    const res = await t.inject('/api/v1/does-not-exist');
    assert.equal(res.statusCode, 404);
    assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
    const body = res.json();
    assert.equal(body.code, 'route_not_found');
    assert.match(body.message.zh, /接口不存在/);
    assert.match(body.message.en, /No such endpoint/);
  });

  it('serves the OpenAPI description at /docs', async () => {
    const res = await t.inject('/docs/json');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().info.title, '信融 xinrong API');
  });
});
