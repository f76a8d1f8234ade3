import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openSecret } from '../access/keyring.ts';
import * as sealedMigration from '../db/migrations/2026-11-22T0341_connector_secrets_sealed.ts';
import type { ConnectorService } from './connector.service.ts';
import { secretContext } from './interface-registry.ts';
import { createPullWorld, operator, type PullWorld } from './test-world.ts';

/**
 * Interface secrets (bearer tokens, HMAC secrets) are stored sealed with SM4-GCM under the keyring's
 * secrets key, exactly as given (case matters), and still authenticate the platform to the provider.
 * Rows stored in plain text before migration 2026-11-22T0341 are sealed by it.
 */
describe('interface secrets at rest', () => {
  let w: PullWorld;
  let svc: ConnectorService;
  const token = 'Bearer-Token-MixedCase-xYz';
  const hmacSecret = 'hMaC-Secret-With-Case-AbC123';

  before(async () => {
    w = await createPullWorld();
    svc = w.service();
  });
  after(() => w.close());

  const stored = async (id: number) =>
    (
      await sql<{ auth_secret: string | null; provider_id: string; kind_code: string }>`
        SELECT auth_secret, provider_id, kind_code FROM connector_interfaces WHERE id = ${id}`.execute(w.t.db)
    ).rows[0]!;

  it('stores bearer tokens and HMAC secrets sealed, case intact, and still signs calls with them', async () => {
    const bearer = await w.sandbox({ bearerToken: token });
    const signed = await w.sandbox({ hmacSecret });
    const bearerId = await w.register(svc, 'tax_arrears', 'tax', bearer, { auth: { type: 'bearer', token } });
    const hmacId = await w.register(svc, 'patent', 'cnipa', signed, {
      auth: { type: 'hmac', keyId: 'k1', secret: hmacSecret, algorithm: 'hmac-sm3' },
    });
    for (const [id, plain] of [
      [bearerId, token],
      [hmacId, hmacSecret],
    ] as const) {
      const row = await stored(id);
      assert.match(row.auth_secret!, /^sm4gcm1:/);
      assert.ok(!row.auth_secret!.includes(plain), 'no plain text in the database');
      assert.equal(
        openSecret(w.t.ctx.keyring, row.auth_secret!, secretContext(row.provider_id, row.kind_code)),
        plain,
        'opens to exactly what was given',
      );
    }
    const view = await svc.getInterface(operator, bearerId);
    assert.equal(view.auth.hasSecret, true);
    assert.ok(!JSON.stringify(view).includes('sm4gcm1'), 'the sealed value is not returned either');

    const consentId = await w.grant(['tax_arrears', 'patent']);
    const r = await svc.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears', 'patent'], consentId });
    assert.deepEqual(
      r.sections.map((s) => s.status),
      ['ok', 'ok'],
      'the providers accepted the opened token and signature',
    );
    await w.clearInterfaces(svc);
  });

  it('refuses a plain secret in the table; the migration seals rows stored before it', async () => {
    const provider = await w.sandbox({ bearerToken: token });
    const id = await w.register(svc, 'tax_arrears', 'tax', provider, { auth: { type: 'bearer', token } });
    await assert.rejects(
      sql`UPDATE connector_interfaces SET auth_secret = ${token} WHERE id = ${id}`.execute(w.t.db),
      /connector_interfaces_secret_sealed/,
    );

    // The table as it was before the migration: the constraint gone, the secret in plain text.
    const before = process.env.DATA_DIR;
    process.env.DATA_DIR = w.t.ctx.config.dataDir;
    try {
      await sealedMigration.down(w.t.db);
      assert.equal((await stored(id)).auth_secret, token, 'down opens the secret again');
      await sealedMigration.up(w.t.db);
    } finally {
      if (before === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = before;
    }
    const row = await stored(id);
    assert.match(row.auth_secret!, /^sm4gcm1:/);
    assert.equal(openSecret(w.t.ctx.keyring, row.auth_secret!, secretContext('tax', 'tax_arrears')), token);
    // Sealed for this interface only: the same value does not open under another interface's context.
    assert.throws(() => openSecret(w.t.ctx.keyring, row.auth_secret!, secretContext('tax', 'patent')));

    const fresh = w.service();
    const consentId = await w.grant(['tax_arrears']);
    const r = await fresh.pull({ actor: w.bank, uscc: w.uscc, kinds: ['tax_arrears'], consentId });
    assert.equal(r.sections[0]!.status, 'ok', 'the migrated secret still authenticates the platform');
    await w.clearInterfaces(svc);
  });
});
