import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit, as `Array.prototype.sort` does), no
 * whitespace, `undefined` members dropped. Two payloads with the same facts give the same text, so
 * the digest of a record's data decides whether a re-send changed anything.
 */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    // Fast path for what the record store writes: a flat object of strings, numbers and booleans
    // whose keys are already in order (the validator builds them so) is its own canonical form.
    const obj = value as Record<string, unknown>;
    let prev = '';
    let fast = true;
    for (const k in obj) {
      const v = obj[k];
      if (
        k <= prev ||
        v === undefined ||
        (v !== null && typeof v === 'object') ||
        (typeof v === 'number' && !Number.isFinite(v))
      ) {
        fast = false;
        break;
      }
      prev = k;
    }
    if (fast) return JSON.stringify(obj);
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** SHA-256 (hex) of the canonical JSON of a record's data. */
export function dataDigest(data: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}
