import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemActor } from '../access/actor.ts';
import type { Catalog } from '../catalog/catalog.schema.ts';
import { createTestApp, type TestApp } from '../test/app.ts';
import { seedCatalog } from '../test/catalog.ts';
import { exampleValue } from './kind-template.ts';
import { classifyTimeliness, lastMonths } from './stats.service.ts';

function exampleRow(catalog: Catalog, kindCode: string, overrides: Record<string, unknown> = {}) {
  const kind = catalog.kinds.find((k) => k.code === kindCode)!;
  return { ...Object.fromEntries(kind.fields.map((f) => [f.code, exampleValue(f)])), ...overrides };
}

describe('operator dashboard aggregates', () => {
  let t: TestApp;
  let catalog: Catalog;
  before(async () => {
    t = await createTestApp();
    catalog = await seedCatalog(t.db);
    const penalty = catalog.kinds.find((k) => k.code === 'admin_penalty')!;
    const numberField = penalty.natural_key.find((c) => c !== 'uscc') ?? penalty.natural_key[0]!;
    // two valid rows and one without its required fields
    await t.ctx.ingest.pushRows(systemActor('test'), {
      kindCode: 'admin_penalty',
      source: 'api',
      rows: [
        exampleRow(catalog, 'admin_penalty', { [numberField]: 'ZZ-2024-0001' }),
        exampleRow(catalog, 'admin_penalty', { [numberField]: 'ZZ-2024-0002' }),
        { [numberField]: 'ZZ-2024-0003' },
      ],
    });
    await t.ctx.ingest.pushRows(systemActor('test'), {
      kindCode: 'dishonest_debtor',
      source: 'api',
      rows: [exampleRow(catalog, 'dishonest_debtor')],
    });
  });
  after(() => t.close());

  it('counts stored records per month by category and by provider', async () => {
    const trend = await t.ctx.stats.ingestTrend(12);
    assert.equal(trend.months.length, 12);
    const current = trend.months.length - 1;
    const penaltyCategory = catalog.kinds.find((k) => k.code === 'admin_penalty')!.category;
    const judicial = catalog.kinds.find((k) => k.code === 'dishonest_debtor')!.category;
    const cat = (code: string) => trend.byCategory.find((s) => s.code === code);
    assert.equal(cat(penaltyCategory)?.accepted[current], 2);
    assert.equal(cat(judicial)?.accepted[current], 1);
    assert.equal(
      cat(penaltyCategory)?.nameZh,
      catalog.categories.find((c) => c.code === penaltyCategory)!.name_zh,
    );
    assert.deepEqual(trend.totals, { batches: 2, received: 4, accepted: 3, rejected: 1 });
    const providerTotal = trend.byProvider.reduce((n, s) => n + s.accepted.reduce((a, b) => a + b, 0), 0);
    assert.equal(providerTotal, 3);
  });

  it('reports each provider’s last batch, rejection rate and timeliness', async () => {
    const health = await t.ctx.stats.providerHealth(30);
    const penaltyProvider = catalog.kinds.find((k) => k.code === 'admin_penalty')!.providers[0]!.id;
    const p = health.providers.find((x) => x.id === penaltyProvider);
    assert.ok(p, `provider ${penaltyProvider} listed`);
    assert.equal(p.batches, 1);
    assert.equal(p.received, 3);
    assert.equal(p.rejected, 1);
    assert.ok(Math.abs((p.rejectionRate ?? 0) - 1 / 3) < 1e-9);
    assert.equal(p.lastBatch?.status, 'completed');
    assert.equal(p.timeliness, 'on_time');
    assert.equal(p.daysSinceCompleted, 0);
    // providers that never sent anything are listed too, as "never"
    assert.ok(health.providers.some((x) => x.timeliness === 'never' && x.lastBatch === null));
  });

  it('serves both to operators only', async () => {
    for (const url of ['/api/v1/stats/ingestion', '/api/v1/stats/providers']) {
      const res = await t.inject(url);
      assert.equal(res.statusCode, 401, url);
      assert.deepEqual(t.routes.find((r) => r.url === url)?.access, ['operator']);
    }
  });

  it('bands timeliness and lists months in China time', () => {
    assert.deepEqual([null, 0, 7, 8, 31, 32].map(classifyTimeliness), [
      'never',
      'on_time',
      'on_time',
      'late',
      'late',
      'stale',
    ]);
    // 2026-01-31 17:00 UTC is 2026-02-01 01:00 in Beijing
    assert.deepEqual(lastMonths(3, Date.parse('2026-01-31T17:00:00Z')), ['2025-12', '2026-01', '2026-02']);
  });
});
