import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sm3 } from 'sm-crypto-v2';

/**
 * Signed requests for machine clients (provider systems, institution systems). Each request carries:
 *
 *   X-Xr-Key-Id       the client key id issued by an operator
 *   X-Xr-Timestamp    Unix time in seconds; refused when more than ±300 s from the server clock
 *   X-Xr-Nonce        16–64 characters [A-Za-z0-9_-], never reused by the same key (refused as replay)
 *   X-Xr-Algorithm    HMAC-SHA256 or HMAC-SM3
 *   X-Xr-Body-Digest  lower-case hex SHA-256 (HMAC-SHA256) or SM3 (HMAC-SM3) of the raw body bytes
 *                     (of the empty string when there is no body)
 *   X-Xr-Signature    lower-case hex HMAC of the canonical string with the key's secret
 *
 * Canonical string: these lines joined by "\n" (no trailing newline), UTF-8:
 *
 *   XR-HMAC-V1
 *   <algorithm>
 *   <HTTP method, upper case>
 *   <request target exactly as sent: path and query string>
 *   <timestamp>
 *   <nonce>
 *   <body digest>
 *   <key id>
 *
 * The secret is the 32-byte key shown once at creation, as 64 hex characters; the HMAC key is the
 * secret's bytes. Multipart bodies cannot be signed (send the file as the raw body instead).
 */

export const signatureAlgorithms = ['HMAC-SHA256', 'HMAC-SM3'] as const;
export type SignatureAlgorithm = (typeof signatureAlgorithms)[number];

export const signatureHeaders = {
  keyId: 'x-xr-key-id',
  timestamp: 'x-xr-timestamp',
  nonce: 'x-xr-nonce',
  algorithm: 'x-xr-algorithm',
  bodyDigest: 'x-xr-body-digest',
  signature: 'x-xr-signature',
} as const;

/** Freshness window, seconds either side of the server clock. */
export const signatureWindowSeconds = 300;

export interface SignedParts {
  algorithm: SignatureAlgorithm;
  method: string;
  target: string;
  timestamp: string;
  nonce: string;
  bodyDigest: string;
  keyId: string;
}

export function canonicalString(p: SignedParts): string {
  return [
    'XR-HMAC-V1',
    p.algorithm,
    p.method.toUpperCase(),
    p.target,
    p.timestamp,
    p.nonce,
    p.bodyDigest,
    p.keyId,
  ].join('\n');
}

export function bodyDigest(algorithm: SignatureAlgorithm, body: Uint8Array | string): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return algorithm === 'HMAC-SM3' ? sm3(bytes) : createHash('sha256').update(bytes).digest('hex');
}

export function hmacHex(algorithm: SignatureAlgorithm, secretHex: string, message: string): string {
  const key = Buffer.from(secretHex, 'hex');
  if (algorithm === 'HMAC-SM3') return sm3(Buffer.from(message, 'utf8'), { key, mode: 'hmac' });
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Client side: the headers for one request (used by tests, the demo and any TypeScript client).
 * `target` is the path with query string, e.g. `/api/v1/batches?kind=admin_penalty`.
 */
export function signRequest(input: {
  keyId: string;
  secretHex: string;
  method: string;
  target: string;
  body?: Uint8Array | string | undefined;
  algorithm?: SignatureAlgorithm;
  timestamp?: number;
  nonce?: string;
}): Record<string, string> {
  const algorithm = input.algorithm ?? 'HMAC-SHA256';
  const parts: SignedParts = {
    algorithm,
    method: input.method,
    target: input.target,
    timestamp: String(input.timestamp ?? Math.floor(Date.now() / 1000)),
    nonce: input.nonce ?? randomBytes(16).toString('base64url'),
    bodyDigest: bodyDigest(algorithm, input.body ?? ''),
    keyId: input.keyId,
  };
  return {
    [signatureHeaders.keyId]: parts.keyId,
    [signatureHeaders.timestamp]: parts.timestamp,
    [signatureHeaders.nonce]: parts.nonce,
    [signatureHeaders.algorithm]: algorithm,
    [signatureHeaders.bodyDigest]: parts.bodyDigest,
    [signatureHeaders.signature]: hmacHex(algorithm, input.secretHex, canonicalString(parts)),
  };
}
