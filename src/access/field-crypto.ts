import { timingSafeEqual } from 'node:crypto';
import { sm4 } from 'sm-crypto-v2';
import type { CatalogField, CatalogKind } from '../catalog/catalog.schema.ts';
import type { Keyring } from './keyring.ts';
import { hmacSm3, sm4Ctr, sm4ExpandKey } from './sm4.ts';

/**
 * Personal-sensitive record fields (natural persons' ID numbers) encrypted at rest with SM4, with an
 * HMAC-SM3 keyed hash for exact-match lookup (PIPL Art. 28/51; 等保三级 数据保密性).
 *
 * Stored form, in place of the value inside `record_versions.data`:
 *   `enc:sm4:<lookup hash, 64 hex>:<base64(16-byte synthetic IV ‖ SM4-CTR ciphertext)>`
 *
 * The construction is SIV (RFC 5297's idea, with HMAC-SM3 as the PRF): IV = HMAC-SM3(nonce key,
 * plaintext) truncated to 16 bytes; ciphertext = SM4-CTR(field key, IV, plaintext); on decryption
 * the IV is recomputed from the plaintext and must match, which authenticates the value. It is
 * deterministic: the same ID number always gives the same stored text, so the record store's
 * natural keys, digests and "identical re-send changes nothing" rule keep working, and the ledger
 * commits to exactly what is stored. What that reveals — that two stored values are equal — the
 * lookup hash reveals anyway; nothing else is revealed without the key. SM4-CTR (GB/T 32907, with a cached
 * key schedule, ./sm4.ts) and HMAC-SM3 (GB/T 32905): a few µs a value, so the read path can decrypt
 * hundreds per request. (Values written by the first version, SM4-GCM via sm-crypto-v2, still
 * decrypt.)
 *
 * Lookup: `lookupHash(idNumber)` → the 64-hex prefix; the record-read repository matches it with
 * `data->>field LIKE 'enc:sm4:<hash>:%'`.
 */

export const encryptedPrefix = 'enc:sm4:';

const idNumberPattern = /^(\d{17}[\dXx]|\d{15})$/;

export interface FieldCrypto {
  /** Encrypts the personal-sensitive fields of one record's data (returns a new object). */
  protectRecordData(kind: CatalogKind, data: Record<string, unknown>): Record<string, unknown>;
  /**
   * Decrypts them again (values that are not encrypted pass through unchanged): a new object, or
   * `data` itself changed when `inPlace` (the read path, on objects it has just parsed).
   */
  revealRecordData(
    kind: CatalogKind,
    data: Record<string, unknown>,
    inPlace?: boolean,
  ): Record<string, unknown>;
  encryptValue(plain: string): string;
  decryptValue(stored: string): string;
  /** HMAC-SM3 of the normalised value (upper-case, trimmed), hex. */
  lookupHash(plain: string): string;
}

export function isEncryptedValue(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(encryptedPrefix);
}

/** Whether a field holds natural persons' ID numbers that must be encrypted at rest. */
export function isEncryptedField(field: CatalogField): boolean {
  if (field.sensitivity !== 'personal') return false;
  if (field.type === 'id_number' || field.type === 'uscc_or_id') return true;
  return /证件号码|身份证/.test(field.label_zh);
}

/**
 * Fields of a kind to encrypt. `uscc_or_id` fields are encrypted only when the value is an ID
 * number (a natural person), never when it is an organisation's USCC.
 */
function shouldEncrypt(field: CatalogField, value: unknown): value is string {
  if (typeof value !== 'string' || value === '' || value.startsWith(encryptedPrefix)) return false;
  if (field.type === 'uscc_or_id') return idNumberPattern.test(value.trim());
  return true;
}

function normalise(plain: string): string {
  return plain.trim().toUpperCase();
}

const fieldCache = new WeakMap<CatalogKind, CatalogField[]>();
function encryptedFields(kind: CatalogKind): CatalogField[] {
  let f = fieldCache.get(kind);
  if (!f) {
    f = kind.fields.filter(isEncryptedField);
    fieldCache.set(kind, f);
  }
  return f;
}

export function createFieldCrypto(ring: Keyring): FieldCrypto {
  // Keys are derived lazily (the key file is read on first use), then cached with their schedules.
  let k: { rk: Uint32Array; lookup: ReturnType<typeof hmacSm3>; siv: ReturnType<typeof hmacSm3> } | undefined;
  const keys = () =>
    (k ??= {
      rk: sm4ExpandKey(ring.fieldKey),
      lookup: hmacSm3(ring.fieldLookupKey),
      siv: hmacSm3(ring.fieldNonceKey),
    });
  const lookupHash = (plain: string) => keys().lookup(normalise(plain)).toString('hex');
  const syntheticIv = (value: Uint8Array) => keys().siv(value).subarray(0, 16);

  const encryptValue = (plain: string): string => {
    const value = Buffer.from(normalise(plain), 'utf8');
    const iv = syntheticIv(value);
    const ct = sm4Ctr(keys().rk, iv, value);
    return `${encryptedPrefix}${keys().lookup(value).toString('hex')}:${Buffer.concat([iv, ct]).toString('base64')}`;
  };

  // Encryption is deterministic, so a stored value always decrypts to the same text: recently
  // decrypted values are kept (bounded, first in first out). The key that protects them is in this
  // process's memory anyway, so the cache does not widen what a memory read could reveal.
  const cache = new Map<string, string>();
  const cacheSize = 20_000;

  const decryptValue = (stored: string): string => {
    if (!isEncryptedValue(stored)) return stored;
    const hit = cache.get(stored);
    if (hit !== undefined) return hit;
    const plain = decryptUncached(stored);
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
    cache.set(stored, plain);
    return plain;
  };

  const decryptUncached = (stored: string): string => {
    const rest = stored.slice(encryptedPrefix.length);
    const buf = Buffer.from(rest.slice(rest.indexOf(':') + 1), 'base64');
    const iv = buf.subarray(0, 16);
    const plain = sm4Ctr(keys().rk, iv, buf.subarray(16));
    if (timingSafeEqual(syntheticIv(plain), iv)) return plain.toString('utf8');
    return decryptLegacyGcm(buf);
  };

  /** First-version values: base64(12-byte nonce ‖ SM4-GCM ciphertext ‖ 16-byte tag). Throws if forged. */
  const decryptLegacyGcm = (buf: Buffer): string =>
    sm4.decrypt(buf.subarray(12, buf.length - 16), ring.fieldKey, {
      mode: 'gcm',
      iv: buf.subarray(0, 12),
      tag: buf.subarray(buf.length - 16),
      output: 'string',
    });

  return {
    lookupHash,
    encryptValue,
    decryptValue,
    protectRecordData(kind, data) {
      const fields = encryptedFields(kind);
      if (fields.length === 0) return data;
      let out: Record<string, unknown> | undefined;
      for (const f of fields) {
        const v = data[f.code];
        if (!shouldEncrypt(f, v)) continue;
        out ??= { ...data };
        out[f.code] = encryptValue(v);
      }
      return out ?? data;
    },
    revealRecordData(kind, data, inPlace = false) {
      const fields = encryptedFields(kind);
      if (fields.length === 0) return data;
      let out: Record<string, unknown> | undefined;
      for (const f of fields) {
        const v = data[f.code];
        if (!isEncryptedValue(v)) continue;
        out ??= inPlace ? data : { ...data };
        out[f.code] = decryptValue(v);
      }
      return out ?? data;
    },
  };
}
