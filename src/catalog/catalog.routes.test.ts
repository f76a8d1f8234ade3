import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { stringify as toYaml } from 'yaml';
import { createApiToken } from '../access/authenticate.ts';
import { seedCatalog } from '../test/catalog.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { countRows } from '../test/db.ts';
import { catalogDocumentSchema } from './catalog.schema.ts';
import { readSeedCatalog } from './catalog.service.ts';

const operatorToken = 'op-token-catalog-test';
const providerToken = 'provider-token-catalog-test';
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('catalog routes', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await seedCatalog(t.db);
    await createApiToken(t.db, { type: 'operator', id: 'op1' }, 'test operator', operatorToken);
    await createApiToken(t.db, { type: 'provider', id: 'tax' }, 'test provider', providerToken);
  });
  after(() => t.close());

  it('GET /api/v1/catalog is public: version, categories and kinds with fields', async () => {
    const res = await t.inject('/api/v1/catalog');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.version, 1);
    assert.equal(body.categories.length, 16);
    const dishonest = body.kinds.find((k: { code: string }) => k.code === 'dishonest_debtor');
    assert.equal(dishonest.name_zh, '失信被执行人信息');
    assert.ok(dishonest.fields.some((f: { code: string }) => f.code === 'case_no'));
  });

  it('GET /api/v1/catalog/kinds/:code returns the kind with its category; unknown kind is a clear 400', async () => {
    const res = await t.inject('/api/v1/catalog/kinds/electricity_fee');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.catalog_version, 1);
    assert.equal(body.category.name_zh, '水电气费缴纳信息');
    assert.ok(body.kind.fields.some((f: { label_zh: string }) => f.label_zh === '价值等级'));

    const missing = await t.inject('/api/v1/catalog/kinds/nope');
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().code, 'kind_unknown');
  });

  it('POST /api/v1/catalog/import: 401 anonymous, 403 non-operator, nothing written', async () => {
    const doc = JSON.parse(readSeedCatalog());
    const anon = await t.inject({ method: 'POST', url: '/api/v1/catalog/import', payload: doc });
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.json().code, 'unauthenticated');
    const provider = await t.inject({
      method: 'POST',
      url: '/api/v1/catalog/import',
      headers: auth(providerToken),
      payload: doc,
    });
    assert.equal(provider.statusCode, 403);
    assert.equal(provider.json().code, 'forbidden');
    assert.equal(await countRows(t.db, 'catalog_versions'), 1);
  });

  it('an operator imports YAML: 201 with the version and the diff; the same again is 200, unchanged', async () => {
    const doc = catalogDocumentSchema.parse(JSON.parse(readSeedCatalog()));
    const spot = doc.kinds.find((k) => k.code === 'spot_checks')!;
    spot.fields.push({
      code: 'last_check_on',
      label_zh: '最近一次抽查日期',
      label_en: 'Last inspection',
      type: 'date',
      required: false,
      sensitivity: 'public',
      aliases: [],
    });
    const yaml = toYaml(doc);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/catalog/import?label=%E4%BF%AE%E8%AE%A2',
      headers: { ...auth(operatorToken), 'content-type': 'application/yaml' },
      payload: yaml,
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.version, 2);
    assert.equal(body.created, true);
    assert.equal(body.label, '修订');
    assert.deepEqual(body.diff.kinds_changed, [
      {
        code: 'spot_checks',
        properties: [],
        fields_added: ['last_check_on'],
        fields_removed: [],
        fields_changed: [],
      },
    ]);

    const again = await t.inject({
      method: 'POST',
      url: '/api/v1/catalog/import?label=%E4%BF%AE%E8%AE%A2',
      headers: { ...auth(operatorToken), 'content-type': 'text/yaml' },
      payload: yaml,
    });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().created, false);
    assert.equal(again.json().version, 2);

    const versions = await t.inject('/api/v1/catalog/versions');
    assert.deepEqual(
      versions.json().items.map((v: { version: number }) => v.version),
      [2, 1],
    );
    assert.equal(versions.json().items[0].imported_by, undefined, 'operator identity is not public');
    const v1 = await t.inject('/api/v1/catalog/versions/1');
    assert.equal(v1.statusCode, 200);
    const spot1 = v1.json().kinds.find((k: { code: string }) => k.code === 'spot_checks');
    assert.ok(!spot1.fields.some((f: { code: string }) => f.code === 'last_check_on'));
    const v9 = await t.inject('/api/v1/catalog/versions/9');
    assert.equal(v9.statusCode, 404);
    assert.equal(v9.json().code, 'catalog_version_unknown');
  });

  it('an invalid JSON import is a 400 catalog_invalid naming the path, bilingual', async () => {
    const doc = JSON.parse(readSeedCatalog());
    doc.kinds[2].fields[0].type = 'money';
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/catalog/import',
      headers: auth(operatorToken),
      payload: doc,
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
    const body = res.json();
    assert.equal(body.code, 'catalog_invalid');
    assert.match(body.message.zh, /kinds\[2\]\.fields\[0\]\.type/);
    assert.match(body.message.en, /kinds\[2\]\.fields\[0\]\.type/);
    assert.equal(await countRows(t.db, 'catalog_versions'), 2);

    const garbage = await t.inject({
      method: 'POST',
      url: '/api/v1/catalog/import',
      headers: { ...auth(operatorToken), 'content-type': 'application/yaml' },
      payload: 'kinds: [unclosed',
    });
    assert.equal(garbage.statusCode, 400);
    assert.equal(garbage.json().code, 'catalog_invalid');
  });
});
