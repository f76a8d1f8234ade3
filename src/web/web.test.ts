import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../test/app.ts';
import { ensureSubjects } from '../subjects/subjects.service.ts';

// A stand-in build of the web app, so the test does not depend on `npm run build:web` having run.
const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-web-dist-'));
fs.mkdirSync(path.join(dist, 'assets'));
fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>xinrong-spa-marker</title>');
const bundle = `console.log(${JSON.stringify('x'.repeat(4000))});`;
fs.writeFileSync(path.join(dist, 'assets', 'app-abc123.js'), bundle);
fs.writeFileSync(path.join(dist, 'assets', 'app-abc123.js.gz'), gzipSync(bundle));
fs.writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
process.env.WEB_DIST_DIR = dist;

describe('web app serving', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / and for client-side routes, never cached', async () => {
    for (const url of ['/', '/lookup?q=%E9%83%91%E5%B7%9E', '/verify/R2026-0001', '/enterprise/consents']) {
      const res = await t.inject(url);
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /text\/html/, url);
      assert.match(res.body, /xinrong-spa-marker/, url);
      assert.equal(res.headers['cache-control'], 'no-cache', url);
    }
  });

  it('serves hashed assets immutable, precompressed when the browser accepts it', async () => {
    const res = await t.inject({ url: '/assets/app-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.match(res.headers['cache-control'] as string, /immutable/);
    const plain = await t.inject('/assets/app-abc123.js');
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, bundle);
  });

  it('serves top-level files and answers missing files with a 404 problem, not the app', async () => {
    const icon = await t.inject('/favicon.svg');
    assert.equal(icon.statusCode, 200);
    assert.match(icon.headers['content-type'] as string, /image\/svg\+xml/);
    for (const url of ['/assets/missing-1.js', '/robots.txt']) {
      const res = await t.inject(url);
      assert.equal(res.statusCode, 404, url);
      assert.doesNotMatch(res.body, /xinrong-spa-marker/, url);
    }
    // Escaping the build directory is refused (encoded dots survive URL normalisation).
    for (const url of [
      '/assets/%2e%2e/%2e%2e/package.json',
      '/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
    ]) {
      const res = await t.inject(url);
      assert.ok([400, 403, 404].includes(res.statusCode), `${url}: ${res.statusCode}`);
      assert.doesNotMatch(res.body, /"name"/, url);
    }
  });

  it('keeps problem+json 404s for unknown API paths and non-GET requests', async () => {
    for (const req of [
      { method: 'GET' as const, url: '/api/v1/nothing-here' },
      { method: 'GET' as const, url: '/api' },
      { method: 'POST' as const, url: '/lookup' },
    ]) {
      const res = await t.inject(req);
      assert.equal(res.statusCode, 404, req.url);
      assert.match(res.headers['content-type'] as string, /application\/problem\+json/, req.url);
      assert.equal(res.json().code, 'route_not_found', req.url);
    }
    const docs = await t.inject('/docs/json');
    assert.equal(docs.statusCode, 200);
  });

  it('counts subjects, providers and institutions for the home page', async () => {
    await ensureSubjects(
      t.db,
      [
        { uscc: '91410100MA44C6XA5Q', name: '郑州测试科技有限公司' },
        { uscc: '92410100MA3XQ1HB1U', name: '个体户' },
      ],
      'test',
    );
    const res = await t.inject('/api/v1/stats/public');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.subjects, 2);
    assert.equal(typeof body.records, 'number');
    assert.equal(typeof body.providers, 'number');
    assert.equal(typeof body.institutions, 'number');
    assert.ok(!Number.isNaN(Date.parse(body.asOf)));
  });
});

describe('web app not built', () => {
  let t: TestApp;
  before(async () => {
    process.env.WEB_DIST_DIR = path.join(os.tmpdir(), 'xinrong-no-such-dist');
    t = await createTestApp();
  });
  after(() => t.close());

  it('says how to build it instead of failing', async () => {
    const res = await t.inject('/');
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build:web/);
    assert.match(res.body, /网页尚未构建/);
  });
});
