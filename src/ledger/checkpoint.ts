import { createHash } from 'node:crypto';
import { isHashAlgorithm, HASH_SIZE, type HashAlgorithm } from './hash.ts';
import { SM2_DEFAULT_USER_ID, verifySignature, type SignatureAlgorithm, type Signer } from './signing.ts';

/**
 * Signed checkpoints (signed tree heads) in the C2SP formats: the body is a c2sp.org/tlog-checkpoint,
 * signed as a c2sp.org/signed-note (docs/ledger.md, docs/decisions/0042-ledger-checkpoints.md):
 *
 *     xinrong.ledger/zhengzhou                     origin
 *     1234                                          tree size, decimal
 *     Gq8mOAB0TWs8QBzjFqp6M1b1GSg8fmYNzD3cPVkEuWI=  root hash, base64
 *     time 2026-11-22T01:30:00.000Z                 extension: when it was signed (UTC)
 *     hash sm3                                      extension: the tree's hash function
 *
 *     — xinrong.ledger/zhengzhou <base64(4-byte key ID ‖ signature)>
 *
 * The signature covers the note text: every body line with its final newline, not the blank line.
 */

export interface CheckpointBody {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  /** ISO 8601 UTC with milliseconds. */
  timestamp: string;
  hashAlgorithm: HashAlgorithm;
}

export interface NoteKey {
  keyName: string;
  algorithm: SignatureAlgorithm;
  publicKeyHex: string;
}

export interface NoteSignature {
  keyName: string;
  keyId: Buffer;
  signature: Buffer;
}

const EM_DASH = '\u2014';
const MAX_SIGNATURES = 16;
const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Origins and key names: a schema-less URL, no whitespace, no '+' (c2sp.org/signed-note). */
export function isValidKeyName(name: string): boolean {
  return /^[^\s+\u2014]+$/u.test(name) && name.length <= 256;
}

export function checkpointText(b: CheckpointBody): string {
  if (!isValidKeyName(b.origin)) throw new Error(`invalid origin ${JSON.stringify(b.origin)}`);
  if (!Number.isSafeInteger(b.treeSize) || b.treeSize < 0) throw new Error(`invalid tree size ${b.treeSize}`);
  if (!isoUtc.test(b.timestamp)) throw new Error(`invalid timestamp ${b.timestamp}`);
  return [
    b.origin,
    String(b.treeSize),
    Buffer.from(b.rootHash).toString('base64'),
    `time ${b.timestamp}`,
    `hash ${b.hashAlgorithm}`,
    '',
  ].join('\n');
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export function parseCheckpointText(text: string): Parsed<CheckpointBody> {
  if (!text.endsWith('\n')) return { ok: false, reason: 'checkpoint text must end with a newline' };
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root, ...ext] = lines;
  if (!origin || !isValidKeyName(origin)) return { ok: false, reason: 'bad origin line' };
  if (!size || !/^(0|[1-9]\d{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) {
    return { ok: false, reason: 'bad tree size line' };
  }
  const rootHash = root && /^[A-Za-z0-9+/]+={0,2}$/.test(root) ? Buffer.from(root, 'base64') : undefined;
  if (!rootHash || rootHash.length !== HASH_SIZE || rootHash.toString('base64') !== root) {
    return { ok: false, reason: 'bad root hash line' };
  }
  let timestamp: string | undefined;
  let hashAlgorithm: HashAlgorithm | undefined;
  for (const line of ext) {
    const m = /^(\w+) (.+)$/.exec(line);
    if (!m) return { ok: false, reason: `bad extension line ${JSON.stringify(line)}` };
    if (m[1] === 'time') timestamp = m[2];
    else if (m[1] === 'hash' && isHashAlgorithm(m[2])) hashAlgorithm = m[2];
  }
  if (!timestamp || !isoUtc.test(timestamp)) return { ok: false, reason: 'missing or bad time line' };
  if (!hashAlgorithm) return { ok: false, reason: 'missing or unknown hash line' };
  return { ok: true, value: { origin, treeSize: Number(size), rootHash, timestamp, hashAlgorithm } };
}

/**
 * key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4] (c2sp.org/signed-note). Ed25519
 * is type 0x01 with the 32-byte key. SM2 has no assigned type byte: 0xff followed by the identifier
 * "SM2-SM3/1234567812345678" (algorithm, digest and user ID), then the 65-byte uncompressed key.
 */
export function keyIdOf(keyName: string, algorithm: SignatureAlgorithm, publicKeyHex: string): Buffer {
  const type =
    algorithm === 'ed25519'
      ? Buffer.from([0x01])
      : Buffer.concat([Buffer.from([0xff]), Buffer.from(`SM2-SM3/${SM2_DEFAULT_USER_ID}`)]);
  const digest = createHash('sha256')
    .update(Buffer.from(keyName, 'utf8'))
    .update(Buffer.from([0x0a]))
    .update(type)
    .update(Buffer.from(publicKeyHex, 'hex'))
    .digest();
  return digest.subarray(0, 4);
}

/** The signed note: text, blank line, one signature line. */
export function signNote(text: string, keyName: string, signer: Signer): string {
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  const sig = signer.sign(Buffer.from(text, 'utf8'));
  const keyId = keyIdOf(keyName, signer.algorithm, signer.publicKeyHex);
  return `${text}\n${EM_DASH} ${keyName} ${Buffer.concat([keyId, sig]).toString('base64')}\n`;
}

export function parseSignedNote(note: string): Parsed<{ text: string; signatures: NoteSignature[] }> {
  // Control characters other than newline are not allowed anywhere in a note.
  for (let i = 0; i < note.length; i++) {
    const c = note.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return { ok: false, reason: 'control character in note' };
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'no blank line before the signatures' };
  const text = note.slice(0, split + 1);
  const sigPart = note.slice(split + 2);
  if (!sigPart.endsWith('\n')) return { ok: false, reason: 'signature block must end with a newline' };
  const signatures: NoteSignature[] = [];
  for (const line of sigPart.slice(0, -1).split('\n')) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
    if (!m) return { ok: false, reason: `bad signature line ${JSON.stringify(line)}` };
    const raw = Buffer.from(m[2]!, 'base64');
    if (raw.length < 5) return { ok: false, reason: 'signature too short' };
    signatures.push({ keyName: m[1]!, keyId: raw.subarray(0, 4), signature: raw.subarray(4) });
  }
  if (signatures.length === 0 || signatures.length > MAX_SIGNATURES) {
    return { ok: false, reason: `a note carries 1 to ${MAX_SIGNATURES} signatures` };
  }
  return { ok: true, value: { text, signatures } };
}

/**
 * Verifies a signed note against a known key and returns its text. Signatures from other keys are
 * ignored; a note without a valid signature of the known key is rejected (c2sp.org/signed-note).
 */
export function openNote(note: string, key: NoteKey): Parsed<string> {
  const parsed = parseSignedNote(note);
  if (!parsed.ok) return parsed;
  const keyId = keyIdOf(key.keyName, key.algorithm, key.publicKeyHex);
  const mine = parsed.value.signatures.filter((s) => s.keyName === key.keyName && s.keyId.equals(keyId));
  if (mine.length === 0) return { ok: false, reason: `no signature by key ${key.keyName}` };
  const message = Buffer.from(parsed.value.text, 'utf8');
  for (const s of mine) {
    if (!verifySignature(key.algorithm, key.publicKeyHex, message, s.signature)) {
      return { ok: false, reason: `signature by ${key.keyName} does not verify` };
    }
  }
  return { ok: true, value: parsed.value.text };
}

/** Verifies a signed checkpoint against a known key and parses its body. */
export function verifyCheckpoint(note: string, key: NoteKey): Parsed<CheckpointBody> {
  const text = openNote(note, key);
  return text.ok ? parseCheckpointText(text.value) : text;
}
