import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readSeedCatalog } from '../../catalog/catalog.service.ts';
import { catalogDocumentSchema, type CatalogDocument } from '../../catalog/catalog.schema.ts';
import { createRowValidator } from '../../ingest/validate.ts';
import { isValidUscc } from '../../shared/identifiers.ts';
import { sandboxUscc } from './sandbox.data.ts';
import { startSandboxProvider, type SandboxProvider } from './sandbox.server.ts';

describe('sandbox provider', () => {
  let catalog: CatalogDocument;
  let a: SandboxProvider;
  let b: SandboxProvider;
  const uscc = sandboxUscc(1);
  const other = sandboxUscc(2);

  before(async () => {
    catalog = catalogDocumentSchema.parse(JSON.parse(readSeedCatalog()));
    a = await startSandboxProvider({ catalog });
    b = await startSandboxProvider({ catalog });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  const get = async (p: SandboxProvider, kind: string, who: string) => {
    const res = await fetch(`${p.url}/kinds/${kind}?uscc=${who}`);
    return { status: res.status, text: await res.text() };
  };

  it('serves every pull kind of the catalog, the same data from any process, valid per the catalog', async () => {
    const pullKinds = catalog.kinds.filter((k) => k.share_mode !== 'push');
    assert.ok(pullKinds.length >= 10);
    assert.ok(isValidUscc(uscc) && isValidUscc(other));
    for (const kind of pullKinds) {
      const one = await get(a, kind.code, uscc);
      const two = await get(b, kind.code, uscc);
      const third = await get(a, kind.code, other);
      assert.equal(one.status, 200, kind.code);
      assert.equal(one.text, two.text, `${kind.code}: same subject, same answer`);
      assert.notEqual(one.text, third.text, `${kind.code}: another subject, another answer`);
      const body = JSON.parse(one.text) as { kind: string; uscc: string; records: Record<string, unknown>[] };
      assert.equal(body.kind, kind.code);
      assert.ok(body.records.length >= 1);
      const validate = createRowValidator(kind);
      body.records.forEach((r, i) => {
        const v = validate(i + 1, r);
        assert.ok(v.ok, `${kind.code} record ${i + 1}: ${JSON.stringify(!v.ok && v.errors)}`);
        assert.equal(r[kind.subject_field], uscc);
      });
    }
  });

  it('does not serve push-only kinds', async () => {
    const push = catalog.kinds.find((k) => k.share_mode === 'push')!;
    assert.equal((await get(a, push.code, uscc)).status, 404);
  });

  it('is told at runtime to fail, to send garbage or to go back to normal', async () => {
    const set = (body: unknown) =>
      fetch(`${a.url}/_control`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    assert.equal((await set({ mode: 'nonsense' })).status, 400);
    assert.equal((await set({ mode: 'fail' })).status, 200);
    const failed = await fetch(`${a.url}/kinds/tax_arrears?uscc=${uscc}`);
    assert.equal(failed.status, 503);
    assert.match(failed.headers.get('content-type')!, /html/);
    await failed.text();
    await set({ mode: 'malformed' });
    const broken = await get(a, 'tax_arrears', uscc);
    assert.equal(broken.status, 200);
    assert.throws(() => JSON.parse(broken.text));
    await set({ mode: 'wrong-schema' });
    const wrong = JSON.parse((await get(a, 'tax_arrears', uscc)).text);
    assert.ok(wrong.records[0].unexpected_field);
    await set({ mode: 'ok', latencyMs: 30 });
    const control = await (await fetch(`${a.url}/_control`)).json();
    assert.deepEqual({ mode: control.mode, latencyMs: control.latencyMs }, { mode: 'ok', latencyMs: 30 });
    const started = a.log.length;
    assert.equal((await get(a, 'tax_arrears', uscc)).status, 200);
    assert.equal(a.log.length, started + 1);
    assert.equal(a.log.at(-1)!.status, 200);
  });
});
