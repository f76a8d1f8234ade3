import { parseCanonicalEntry, type LedgerEntryFacts } from './canonical.ts';
import { verifyCheckpoint, type NoteKey } from './checkpoint.ts';
import { treeHasher } from './hash.ts';
import { rootFromInclusionProof } from './merkle.ts';
import { isSignatureAlgorithm } from './signing.ts';

/**
 * The offline verifier: one JSON file (a "bundle") holding a ledger entry, its leaf index, an inclusion
 * proof and a signed checkpoint says whether the entry is in the log the platform signed, with no
 * database and no network. Reports embed bundles; `xinrong ledger verify-proof <file>` runs this.
 * Imports only pure modules (canonical, checkpoint, hash, merkle, signing) — keep it that way.
 */

export const BUNDLE_FORMAT = 'xinrong-ledger-bundle/1';

export interface LedgerPublicKey extends NoteKey {
  /** 'sm2' keys sign with this user ID (GB/T 32918, default ID). */
  userId?: string | null;
}

export interface LedgerBundle {
  format: typeof BUNDLE_FORMAT;
  /** The entry's leaf data: canonical JSON text, hashed as H(0x00 ‖ UTF-8). */
  entry: string;
  leafIndex: number;
  treeSize: number;
  /** Audit path, base64 hashes, leaf to root (RFC 9162 §2.1.3). */
  inclusionProof: string[];
  /** Signed checkpoint of size `treeSize` (C2SP signed note). */
  checkpoint: string;
  /** The platform's public key as it published it (GET /api/v1/ledger/public-key). */
  publicKey: LedgerPublicKey;
}

export type BundleProblem =
  'malformed' | 'key_mismatch' | 'bad_checkpoint' | 'size_mismatch' | 'entry_not_canonical' | 'proof_invalid';

export interface BundleVerdict {
  valid: boolean;
  problem?: BundleProblem;
  message: { zh: string; en: string };
  /**
   * True when the checkpoint was checked against a key the caller supplied; false when only against
   * the key inside the bundle (then `valid` means "consistent", and the key must be compared with the
   * published one: GET /api/v1/ledger/public-key, docs/ledger.md).
   */
  keyTrusted: boolean;
  origin?: string;
  treeSize?: number;
  timestamp?: string;
  hashAlgorithm?: string;
  rootHash?: string;
  leafHash?: string;
  entry?: LedgerEntryFacts;
}

function fail(problem: BundleProblem, zh: string, en: string, keyTrusted: boolean): BundleVerdict {
  return { valid: false, problem, message: { zh, en }, keyTrusted };
}

function isKey(k: unknown): k is LedgerPublicKey {
  const o = k as Record<string, unknown> | null;
  return (
    !!o &&
    typeof o.keyName === 'string' &&
    isSignatureAlgorithm(o.algorithm) &&
    typeof o.publicKeyHex === 'string' &&
    /^[0-9a-fA-F]+$/.test(o.publicKeyHex)
  );
}

/** Parses a bundle from JSON text or an object; undefined when its shape is wrong. */
export function parseBundle(input: unknown): LedgerBundle | undefined {
  let o: unknown = input;
  if (typeof input === 'string') {
    try {
      o = JSON.parse(input);
    } catch {
      return undefined;
    }
  }
  const b = o as Record<string, unknown> | null;
  if (
    !b ||
    b.format !== BUNDLE_FORMAT ||
    typeof b.entry !== 'string' ||
    !Number.isSafeInteger(b.leafIndex) ||
    !Number.isSafeInteger(b.treeSize) ||
    !Array.isArray(b.inclusionProof) ||
    !b.inclusionProof.every((p) => typeof p === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(p)) ||
    typeof b.checkpoint !== 'string' ||
    !isKey(b.publicKey)
  ) {
    return undefined;
  }
  return b as unknown as LedgerBundle;
}

/**
 * Says whether the bundle's entry is leaf `leafIndex` of the tree its checkpoint signs. Pass the
 * platform's public key (from a trusted copy) to also rule out a bundle re-signed with another key.
 */
export function verifyBundle(input: unknown, publicKey?: LedgerPublicKey): BundleVerdict {
  const bundle = parseBundle(input);
  const trusted = publicKey !== undefined;
  if (!bundle) {
    return fail('malformed', '文件不是有效的账本证明包', 'not a valid ledger proof bundle', trusted);
  }
  const key = publicKey ?? bundle.publicKey;
  if (
    publicKey &&
    (publicKey.algorithm !== bundle.publicKey.algorithm ||
      publicKey.publicKeyHex.toLowerCase() !== bundle.publicKey.publicKeyHex.toLowerCase())
  ) {
    return fail(
      'key_mismatch',
      '证明包中的公钥与平台公布的公钥不一致',
      "the bundle's public key is not the platform's published key",
      trusted,
    );
  }
  const cp = verifyCheckpoint(bundle.checkpoint, key);
  if (!cp.ok) {
    return fail(
      'bad_checkpoint',
      `检查点签名无效：${cp.reason}`,
      `checkpoint signature invalid: ${cp.reason}`,
      trusted,
    );
  }
  const body = cp.value;
  const base = {
    keyTrusted: trusted,
    origin: body.origin,
    treeSize: body.treeSize,
    timestamp: body.timestamp,
    hashAlgorithm: body.hashAlgorithm,
    rootHash: Buffer.from(body.rootHash).toString('base64'),
  };
  if (body.treeSize !== bundle.treeSize) {
    return {
      ...fail(
        'size_mismatch',
        `证明所用树大小 ${bundle.treeSize} 与检查点 ${body.treeSize} 不符`,
        `proof is for tree size ${bundle.treeSize}, the checkpoint signs ${body.treeSize}`,
        trusted,
      ),
      ...base,
    };
  }
  const facts = parseCanonicalEntry(bundle.entry);
  if (!facts) {
    return {
      ...fail('entry_not_canonical', '条目不是规范编码', 'the entry is not in canonical form', trusted),
      ...base,
    };
  }
  const h = treeHasher(body.hashAlgorithm);
  const leafHash = h.hashLeaf(bundle.entry);
  const proof = bundle.inclusionProof.map((p) => Buffer.from(p, 'base64'));
  const root = rootFromInclusionProof(h, bundle.leafIndex, bundle.treeSize, leafHash, proof);
  const result = { ...base, leafHash: leafHash.toString('base64'), entry: facts };
  if (!root || !Buffer.from(root).equals(Buffer.from(body.rootHash))) {
    return {
      ...fail(
        'proof_invalid',
        `第 ${bundle.leafIndex} 号叶子的包含证明与签名的根哈希不符`,
        `the inclusion proof of leaf ${bundle.leafIndex} does not lead to the signed root`,
        trusted,
      ),
      ...result,
    };
  }
  return {
    valid: true,
    message: trusted
      ? {
          zh: `有效：该条目是第 ${bundle.leafIndex} 号叶子，包含在 ${body.origin} 于 ${body.timestamp} 签名的账本（${body.treeSize} 条）中`,
          en: `valid: the entry is leaf ${bundle.leafIndex} of the log ${body.origin} signed at ${body.timestamp} (${body.treeSize} leaves)`,
        }
      : {
          zh: `自洽：该条目是第 ${bundle.leafIndex} 号叶子，检查点由证明包自带的公钥签名；请与平台公布的公钥核对`,
          en: `consistent: the entry is leaf ${bundle.leafIndex}, signed by the key inside the bundle; compare that key with the platform's published key`,
        },
    ...result,
  };
}
