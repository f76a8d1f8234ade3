import { createHash } from 'node:crypto';
import { canonicalJson } from '../records/canonical.ts';

/**
 * Ledger entries are public (anyone may fetch a leaf to check a proof), so entries about consents
 * and accesses commit to the facts by digest only: SHA-256 (hex) of the canonical JSON of the
 * stored row's facts. A verifier holding the row recomputes the digest; nobody else learns which
 * institution holds which enterprise's consent, or who read what.
 */
export function factsDigest(facts: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(facts)).digest('hex');
}
