import {
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

/**
 * Checkpoint signatures (docs/decisions/0043-ledger-signing.md).
 *
 * - `sm2`: SM2 digital signatures per GB/T 32918.2-2016 on the recommended curve of GB/T 32918.5,
 *   with Z_A computed over the standard's default user ID "1234567812345678" (GM/T 0009-2012 §10),
 *   e = SM3(Z_A ‖ M), via `sm-crypto-v2`. Node's OpenSSL "SM2" EC keys sign ECDSA over the SM2 curve
 *   without Z_A, which is not SM2, so they are not used. Signature: r ‖ s, 32 bytes each, big-endian.
 * - `ed25519`: RFC 8032 Ed25519 via Node's crypto, 64-byte signatures.
 *
 * Public keys travel as hex: SM2 uncompressed 04 ‖ X ‖ Y (65 bytes), Ed25519 the 32-byte RFC 8032 key.
 */
export const signatureAlgorithms = ['sm2', 'ed25519'] as const;
export type SignatureAlgorithm = (typeof signatureAlgorithms)[number];

export const SM2_DEFAULT_USER_ID = '1234567812345678';

/** Order n of the SM2 recommended curve (GB/T 32918.5-2017). */
const SM2_N = BigInt('0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123');

export interface KeyPair {
  algorithm: SignatureAlgorithm;
  privateKeyHex: string;
  publicKeyHex: string;
}

export interface Signer {
  algorithm: SignatureAlgorithm;
  publicKeyHex: string;
  sign(message: Uint8Array): Uint8Array;
}

export function isSignatureAlgorithm(x: unknown): x is SignatureAlgorithm {
  return typeof x === 'string' && (signatureAlgorithms as readonly string[]).includes(x);
}

// ---- Ed25519 through JWK, so raw 32-byte keys go in and out of Node's crypto ----

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

function ed25519PrivateKey(privateKeyHex: string, publicKeyHex: string) {
  return createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: b64url(Buffer.from(privateKeyHex, 'hex')),
      x: b64url(Buffer.from(publicKeyHex, 'hex')),
    },
    format: 'jwk',
  });
}

function ed25519PublicKey(publicKeyHex: string) {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: b64url(Buffer.from(publicKeyHex, 'hex')) },
    format: 'jwk',
  });
}

/** The Ed25519 public key of a 32-byte private seed (RFC 8032 §5.1.5). */
export function ed25519PublicKeyOf(privateKeyHex: string): string {
  const key = createPrivateKey({
    // PKCS#8 wrapper of a raw Ed25519 seed (RFC 8410 §7).
    key: Buffer.concat([
      Buffer.from('302e020100300506032b657004220420', 'hex'),
      Buffer.from(privateKeyHex, 'hex'),
    ]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url').toString('hex');
}

// ---- keys ----

export function generateKeyPair(algorithm: SignatureAlgorithm): KeyPair {
  if (algorithm === 'sm2') {
    const kp = sm2.generateKeyPairHex();
    return { algorithm, privateKeyHex: kp.privateKey.padStart(64, '0'), publicKeyHex: kp.publicKey };
  }
  const seed = randomBytes(32).toString('hex');
  return { algorithm, privateKeyHex: seed, publicKeyHex: ed25519PublicKeyOf(seed) };
}

export function publicKeyOf(algorithm: SignatureAlgorithm, privateKeyHex: string): string {
  return algorithm === 'sm2'
    ? sm2.getPublicKeyFromPrivateKey(privateKeyHex)
    : ed25519PublicKeyOf(privateKeyHex);
}

export function signerFromKeyPair(kp: KeyPair): Signer {
  if (kp.algorithm === 'sm2') {
    return {
      algorithm: 'sm2',
      publicKeyHex: kp.publicKeyHex,
      sign(message) {
        const hex = sm2.doSignature(message, kp.privateKeyHex, {
          hash: true, // e = SM3(Z_A ‖ M); without it sm-crypto signs M itself
          publicKey: kp.publicKeyHex,
          userId: SM2_DEFAULT_USER_ID,
        });
        return Buffer.from(hex, 'hex');
      },
    };
  }
  const key = ed25519PrivateKey(kp.privateKeyHex, kp.publicKeyHex);
  return {
    algorithm: 'ed25519',
    publicKeyHex: kp.publicKeyHex,
    sign: (message) => nodeSign(null, message, key),
  };
}

/** True when `signature` is a valid signature of `message` under the public key. Never throws. */
export function verifySignature(
  algorithm: SignatureAlgorithm,
  publicKeyHex: string,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    if (algorithm === 'sm2') {
      if (signature.length !== 64 || !/^04[0-9a-f]{128}$/i.test(publicKeyHex)) return false;
      const sig = Buffer.from(signature);
      const r = BigInt(`0x${sig.subarray(0, 32).toString('hex')}`);
      const s = BigInt(`0x${sig.subarray(32).toString('hex')}`);
      // GB/T 32918.2 §7.1 B1–B2: r, s ∈ [1, n−1]; sm-crypto does not check it (s + n would verify).
      if (r < 1n || r >= SM2_N || s < 1n || s >= SM2_N) return false;
      return sm2.doVerifySignature(message, sig.toString('hex'), publicKeyHex.toLowerCase(), {
        hash: true,
        userId: SM2_DEFAULT_USER_ID,
      });
    }
    if (signature.length !== 64 || !/^[0-9a-f]{64}$/i.test(publicKeyHex)) return false;
    return nodeVerify(null, message, ed25519PublicKey(publicKeyHex), signature);
  } catch {
    return false;
  }
}

// ---- interchange: PEM public keys and DER signatures (for OpenSSL and other verifiers) ----

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  return n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
}

function derInteger(unsigned: Buffer): Buffer {
  let b = unsigned;
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1);
  if (b[0]! >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return Buffer.concat([Buffer.from([0x02]), derLength(b.length), b]);
}

/** r ‖ s (64 bytes) → ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` (GB/T 35276, what OpenSSL uses). */
export function sm2SignatureToDer(signature: Uint8Array): Buffer {
  const sig = Buffer.from(signature);
  const body = Buffer.concat([derInteger(sig.subarray(0, 32)), derInteger(sig.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** ASN.1 DER SM2 signature → r ‖ s (64 bytes). Throws on malformed input. */
export function sm2SignatureFromDer(der: Uint8Array): Buffer {
  const b = Buffer.from(der);
  let i = 0;
  const readLen = (): number => {
    const first = b[i++]!;
    if (first < 0x80) return first;
    const count = first & 0x7f;
    let n = 0;
    for (let k = 0; k < count; k++) n = n * 256 + b[i++]!;
    return n;
  };
  if (b[i++] !== 0x30) throw new Error('not a DER sequence');
  readLen();
  const ints: Buffer[] = [];
  for (let k = 0; k < 2; k++) {
    if (b[i++] !== 0x02) throw new Error('not a DER integer');
    const len = readLen();
    let v = b.subarray(i, i + len);
    i += len;
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    if (v.length > 32) throw new Error('integer too long');
    ints.push(Buffer.concat([Buffer.alloc(32 - v.length), v]));
  }
  return Buffer.concat(ints);
}

/**
 * SubjectPublicKeyInfo PEM of a public key: SM2 as id-ecPublicKey on curve 1.2.156.10197.1.301 (as
 * OpenSSL writes it), Ed25519 per RFC 8410.
 */
export function publicKeyPem(algorithm: SignatureAlgorithm, publicKeyHex: string): string {
  const key = Buffer.from(publicKeyHex, 'hex');
  const der =
    algorithm === 'sm2'
      ? Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex'), key])
      : Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key]);
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PUBLIC KEY-----\n${b64.trim()}\n-----END PUBLIC KEY-----\n`;
}
