import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { hkdf, sm4 } from 'sm-crypto-v2';

/**
 * The platform's symmetric master key, kept in `DATA_DIR/keys/master-sm4.key` (hex, 32 bytes,
 * file mode 0600), never in the database: a copy of the database alone reveals neither machine-client
 * secrets nor natural persons' ID numbers. Created on first use. Subkeys are derived per purpose
 * with HKDF over SM3 (sm-crypto-v2 `hkdf`), so one file backs several independent keys.
 *
 * Production: back the file up with the database (without it, encrypted fields are unreadable) and
 * keep it off shared volumes; a KMS/HSM can replace `loadMasterKey` later without schema changes.
 */

export interface Keyring {
  /** SM4 key (16 bytes) for values that must be readable again server-side (HMAC secrets, TOTP seeds). */
  readonly secretsKey: Uint8Array;
  /** SM4 key (16 bytes) for personal-sensitive record fields. */
  readonly fieldKey: Uint8Array;
  /** HMAC-SM3 key (32 bytes) for the exact-match lookup hash of personal-sensitive fields. */
  readonly fieldLookupKey: Uint8Array;
  /** HMAC-SM3 key (32 bytes) deriving the deterministic GCM nonce of a field value (SIV style). */
  readonly fieldNonceKey: Uint8Array;
}

const fileName = 'master-sm4.key';

export function masterKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', fileName);
}

function loadMasterKey(dataDir: string): Uint8Array {
  const file = masterKeyPath(dataDir);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      // 'wx': never overwrite a key another process created a moment ago.
      fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const hex = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file}: expected 64 hex characters`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function derive(master: Uint8Array, info: string, length: number): Uint8Array {
  return Uint8Array.from(hkdf(master, 'xinrong/keyring/v1', info, length));
}

export function keyringFromMaster(master: Uint8Array): Keyring {
  return {
    secretsKey: derive(master, 'secrets sm4-gcm', 16),
    fieldKey: derive(master, 'record fields sm4-gcm', 16),
    fieldLookupKey: derive(master, 'record fields lookup hmac-sm3', 32),
    fieldNonceKey: derive(master, 'record fields nonce hmac-sm3', 32),
  };
}

/** A keyring whose key file is read (or created) on first use, not when the app context is built. */
export function lazyKeyring(dataDir: string): Keyring {
  let ring: Keyring | undefined;
  const get = (): Keyring => (ring ??= keyringFromMaster(loadMasterKey(dataDir)));
  return {
    get secretsKey() {
      return get().secretsKey;
    },
    get fieldKey() {
      return get().fieldKey;
    },
    get fieldLookupKey() {
      return get().fieldLookupKey;
    },
    get fieldNonceKey() {
      return get().fieldNonceKey;
    },
  };
}

const secretPrefix = 'sm4gcm1:';

/**
 * Encrypts a secret for storage: `sm4gcm1:` + base64(12-byte random nonce ‖ ciphertext ‖ 16-byte tag).
 * `context` (e.g. the key id) is bound as associated data, so a ciphertext moved to another row fails.
 */
export function sealSecret(ring: Keyring, plain: string, context: string): string {
  const iv = randomBytes(12);
  const r = sm4.encrypt(plain, ring.secretsKey, {
    mode: 'gcm',
    iv,
    associatedData: context,
    output: 'array',
    outputTag: true,
  });
  return secretPrefix + Buffer.concat([iv, r.output, r.tag ?? new Uint8Array()]).toString('base64');
}

export function openSecret(ring: Keyring, sealed: string, context: string): string {
  if (!sealed.startsWith(secretPrefix)) throw new Error('unknown secret encoding');
  const buf = Buffer.from(sealed.slice(secretPrefix.length), 'base64');
  const iv = buf.subarray(0, 12);
  const tag = buf.subarray(buf.length - 16);
  const ct = buf.subarray(12, buf.length - 16);
  return sm4.decrypt(ct, ring.secretsKey, {
    mode: 'gcm',
    iv,
    tag,
    associatedData: context,
    output: 'string',
  });
}
