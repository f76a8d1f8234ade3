import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { hkdf, sm4 } from 'sm-crypto-v2';
import { runScript } from '../sql-script.ts';

// Providers' interface secrets (bearer tokens, HMAC secrets) at rest: sealed with SM4-GCM under the
// keyring's secrets key, like machine-client secrets and TOTP seeds (src/access/keyring.ts
// `sealSecret`: `sm4gcm1:` + base64(12-byte random nonce ‖ ciphertext ‖ 16-byte tag), the interface's
// (provider, kind) pair bound as associated data). Secrets are case-sensitive: they are sealed exactly
// as given (the record-field helper, which normalises ID numbers to upper case, is not used).
//
// This migration seals the rows stored in plain text before it, then adds a CHECK so that nothing
// stores a plain secret again. The key is the platform's master key file, found the way the
// application finds it (DATA_DIR, default ./data, then keys/master-sm4.key) and created the same way
// when it does not exist yet; it is only read when there is something to seal. The derivation and the
// format are frozen here (a migration never imports application code) and equal the keyring's.

const secretPrefix = 'sm4gcm1:';

function secretsKey(): Uint8Array {
  const file = path.join(path.resolve(process.env.DATA_DIR ?? './data'), 'keys', 'master-sm4.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const hex = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file}: expected 64 hex characters`);
  const master = Uint8Array.from(Buffer.from(hex, 'hex'));
  return Uint8Array.from(hkdf(master, 'xinrong/keyring/v1', 'secrets sm4-gcm', 16));
}

function context(providerId: string, kindCode: string): string {
  return `connector-interface:${providerId}:${kindCode}`;
}

interface Row {
  id: number | string;
  provider_id: string;
  kind_code: string;
  auth_secret: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const plain = (
    await sql<Row>`
      SELECT id, provider_id, kind_code, auth_secret FROM connector_interfaces
      WHERE auth_secret IS NOT NULL AND auth_secret NOT LIKE ${`${secretPrefix}%`}`.execute(db)
  ).rows;
  if (plain.length > 0) {
    const key = secretsKey();
    for (const r of plain) {
      const iv = randomBytes(12);
      const out = sm4.encrypt(r.auth_secret, key, {
        mode: 'gcm',
        iv,
        associatedData: context(r.provider_id, r.kind_code),
        output: 'array',
        outputTag: true,
      });
      const sealed =
        secretPrefix + Buffer.concat([iv, out.output, out.tag ?? new Uint8Array()]).toString('base64');
      await sql`UPDATE connector_interfaces SET auth_secret = ${sealed} WHERE id = ${r.id}`.execute(db);
    }
  }
  await runScript(
    db,
    `
    ALTER TABLE connector_interfaces ADD CONSTRAINT connector_interfaces_secret_sealed
      CHECK (auth_secret IS NULL OR auth_secret LIKE 'sm4gcm1:%');
  `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `ALTER TABLE connector_interfaces DROP CONSTRAINT connector_interfaces_secret_sealed;`);
  const sealed = (
    await sql<Row>`
      SELECT id, provider_id, kind_code, auth_secret FROM connector_interfaces
      WHERE auth_secret LIKE ${`${secretPrefix}%`}`.execute(db)
  ).rows;
  if (sealed.length === 0) return;
  const key = secretsKey();
  for (const r of sealed) {
    const buf = Buffer.from(r.auth_secret.slice(secretPrefix.length), 'base64');
    const plain = sm4.decrypt(buf.subarray(12, buf.length - 16), key, {
      mode: 'gcm',
      iv: buf.subarray(0, 12),
      tag: buf.subarray(buf.length - 16),
      associatedData: context(r.provider_id, r.kind_code),
      output: 'string',
    });
    await sql`UPDATE connector_interfaces SET auth_secret = ${plain} WHERE id = ${r.id}`.execute(db);
  }
}
