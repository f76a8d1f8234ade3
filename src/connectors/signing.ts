import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Headers the platform sends with every call to a provider's interface, after X-Road's REST protocol
 * (`X-Road-Client`, `X-Road-Id`, `X-Road-UserId`, `X-Road-Issue`;
 * https://docs.x-road.global/Protocols/pr-rest_x-road_message_protocol_for_rest.html), and the headers
 * of the optional HMAC signature. Header names are lower case as Node presents them.
 */
export const xinrongHeaders = {
  /** The platform's identity, `INSTANCE/CLASS/MEMBER/SUBSYSTEM` as in X-Road. */
  client: 'x-xinrong-client',
  /** Unique id of this call; logged on both sides (pull_calls.request_id). */
  requestId: 'x-xinrong-request-id',
  /** The consent the call is made under (X-Road-Issue: case reference); `self` for a subject's own view. */
  issue: 'x-xinrong-issue',
  /** Purpose code of the consent (percent-encoded when not ASCII). */
  purpose: 'x-xinrong-purpose',
  /** Who asked (X-Road-UserId): `institution:<org id>` or `enterprise:<uscc>`. */
  user: 'x-xinrong-user',
  kind: 'x-xinrong-kind',
  keyId: 'x-xinrong-key-id',
  timestamp: 'x-xinrong-timestamp',
  nonce: 'x-xinrong-nonce',
  signature: 'x-xinrong-signature',
  signatureAlgorithm: 'x-xinrong-signature-algorithm',
} as const;

export const signatureAlgorithms = ['hmac-sha256', 'hmac-sm3'] as const;
export type SignatureAlgorithm = (typeof signatureAlgorithms)[number];

/** Signed requests older or newer than this are refused by a verifying provider (replay window). */
export const maxClockSkewMs = 5 * 60_000;

export interface CanonicalRequestParts {
  method: string;
  /** Path and query exactly as sent, e.g. `/kinds/tax_arrears?uscc=91…`. */
  pathAndQuery: string;
  timestamp: string;
  nonce: string;
  client: string;
  requestId: string;
  issue: string;
  purpose: string;
  /** Lower-case hex SHA-256 of the request body (of the empty string for GET). */
  bodySha256: string;
}

/**
 * The string that is signed: one value per line, in this order. The consent reference and purpose are
 * signed too, so that a call cannot be replayed under another consent.
 */
export function canonicalRequest(p: CanonicalRequestParts): string {
  return [
    p.method.toUpperCase(),
    p.pathAndQuery,
    p.timestamp,
    p.nonce,
    p.client,
    p.requestId,
    p.issue,
    p.purpose,
    p.bodySha256,
  ].join('\n');
}

export const emptyBodySha256 = createHash('sha256').update('').digest('hex');

export function hmacSign(algorithm: SignatureAlgorithm, secret: string, canonical: string): string {
  return createHmac(algorithm === 'hmac-sm3' ? 'sm3' : 'sha256', secret)
    .update(canonical)
    .digest('hex');
}

/** Constant-time check of a hex signature; also refuses timestamps outside the replay window. */
export function hmacVerify(
  algorithm: SignatureAlgorithm,
  secret: string,
  parts: CanonicalRequestParts,
  signature: string,
  now: number = Date.now(),
): boolean {
  const ts = Date.parse(parts.timestamp);
  if (!Number.isFinite(ts) || Math.abs(now - ts) > maxClockSkewMs) return false;
  const expected = Buffer.from(hmacSign(algorithm, secret, canonicalRequest(parts)), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Header values must be Latin-1; purposes may be Chinese text, so they travel percent-encoded. */
export function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}
