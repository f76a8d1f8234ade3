import { createHash } from 'node:crypto';

/**
 * SM4 (GB/T 32907-2016) block cipher with a cached key schedule, in CTR mode, and HMAC-SM3 with
 * precomputed pad states. Why not Node's `createCipheriv('sm4-ctr')` / `createHmac('sm3')`: under
 * OpenSSL 3 each of those builds a fresh context (about 30 µs), which dominated the read path when
 * it decrypts hundreds of short values per request. Here the round keys are expanded once per key
 * and a 2-block value costs a few microseconds. Checked against the standard's example and against
 * Node's OpenSSL implementation in sm4.test.ts.
 */

const SBOX = Uint8Array.from([
  0xd6, 0x90, 0xe9, 0xfe, 0xcc, 0xe1, 0x3d, 0xb7, 0x16, 0xb6, 0x14, 0xc2, 0x28, 0xfb, 0x2c, 0x05, 0x2b, 0x67,
  0x9a, 0x76, 0x2a, 0xbe, 0x04, 0xc3, 0xaa, 0x44, 0x13, 0x26, 0x49, 0x86, 0x06, 0x99, 0x9c, 0x42, 0x50, 0xf4,
  0x91, 0xef, 0x98, 0x7a, 0x33, 0x54, 0x0b, 0x43, 0xed, 0xcf, 0xac, 0x62, 0xe4, 0xb3, 0x1c, 0xa9, 0xc9, 0x08,
  0xe8, 0x95, 0x80, 0xdf, 0x94, 0xfa, 0x75, 0x8f, 0x3f, 0xa6, 0x47, 0x07, 0xa7, 0xfc, 0xf3, 0x73, 0x17, 0xba,
  0x83, 0x59, 0x3c, 0x19, 0xe6, 0x85, 0x4f, 0xa8, 0x68, 0x6b, 0x81, 0xb2, 0x71, 0x64, 0xda, 0x8b, 0xf8, 0xeb,
  0x0f, 0x4b, 0x70, 0x56, 0x9d, 0x35, 0x1e, 0x24, 0x0e, 0x5e, 0x63, 0x58, 0xd1, 0xa2, 0x25, 0x22, 0x7c, 0x3b,
  0x01, 0x21, 0x78, 0x87, 0xd4, 0x00, 0x46, 0x57, 0x9f, 0xd3, 0x27, 0x52, 0x4c, 0x36, 0x02, 0xe7, 0xa0, 0xc4,
  0xc8, 0x9e, 0xea, 0xbf, 0x8a, 0xd2, 0x40, 0xc7, 0x38, 0xb5, 0xa3, 0xf7, 0xf2, 0xce, 0xf9, 0x61, 0x15, 0xa1,
  0xe0, 0xae, 0x5d, 0xa4, 0x9b, 0x34, 0x1a, 0x55, 0xad, 0x93, 0x32, 0x30, 0xf5, 0x8c, 0xb1, 0xe3, 0x1d, 0xf6,
  0xe2, 0x2e, 0x82, 0x66, 0xca, 0x60, 0xc0, 0x29, 0x23, 0xab, 0x0d, 0x53, 0x4e, 0x6f, 0xd5, 0xdb, 0x37, 0x45,
  0xde, 0xfd, 0x8e, 0x2f, 0x03, 0xff, 0x6a, 0x72, 0x6d, 0x6c, 0x5b, 0x51, 0x8d, 0x1b, 0xaf, 0x92, 0xbb, 0xdd,
  0xbc, 0x7f, 0x11, 0xd9, 0x5c, 0x41, 0x1f, 0x10, 0x5a, 0xd8, 0x0a, 0xc1, 0x31, 0x88, 0xa5, 0xcd, 0x7b, 0xbd,
  0x2d, 0x74, 0xd0, 0x12, 0xb8, 0xe5, 0xb4, 0xb0, 0x89, 0x69, 0x97, 0x4a, 0x0c, 0x96, 0x77, 0x7e, 0x65, 0xb9,
  0xf1, 0x09, 0xc5, 0x6e, 0xc6, 0x84, 0x18, 0xf0, 0x7d, 0xec, 0x3a, 0xdc, 0x4d, 0x20, 0x79, 0xee, 0x5f, 0x3e,
  0xd7, 0xcb, 0x39, 0x48,
]);

const FK = Uint32Array.from([0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc]);

const CK = (() => {
  const ck = new Uint32Array(32);
  for (let i = 0; i < 32; i++) {
    let w = 0;
    for (let j = 0; j < 4; j++) w = (w << 8) | (((4 * i + j) * 7) & 0xff);
    ck[i] = w >>> 0;
  }
  return ck;
})();

function rotl(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

function tau(a: number): number {
  return (
    ((SBOX[(a >>> 24) & 0xff]! << 24) |
      (SBOX[(a >>> 16) & 0xff]! << 16) |
      (SBOX[(a >>> 8) & 0xff]! << 8) |
      SBOX[a & 0xff]!) >>>
    0
  );
}

/** The round function's linear transform L, folded with τ into four lookup tables (T-tables). */
const T0 = new Uint32Array(256);
const T1 = new Uint32Array(256);
const T2 = new Uint32Array(256);
const T3 = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  const b = SBOX[i]! << 24;
  const l = (b ^ rotl(b, 2) ^ rotl(b, 10) ^ rotl(b, 18) ^ rotl(b, 24)) >>> 0;
  T0[i] = l;
  T1[i] = rotl(l, 24);
  T2[i] = rotl(l, 16);
  T3[i] = rotl(l, 8);
}

/** 32 round keys from a 16-byte key (GB/T 32907 §7.3). */
export function sm4ExpandKey(key: Uint8Array): Uint32Array {
  if (key.length !== 16) throw new Error('SM4 key must be 16 bytes');
  const k = new Uint32Array(36);
  for (let i = 0; i < 4; i++) {
    k[i] =
      (((key[4 * i]! << 24) | (key[4 * i + 1]! << 16) | (key[4 * i + 2]! << 8) | key[4 * i + 3]!) ^
        FK[i]!) >>>
      0;
  }
  const rk = new Uint32Array(32);
  for (let i = 0; i < 32; i++) {
    const b = tau((k[i + 1]! ^ k[i + 2]! ^ k[i + 3]! ^ CK[i]!) >>> 0);
    k[i + 4] = (k[i]! ^ b ^ rotl(b, 13) ^ rotl(b, 23)) >>> 0;
    rk[i] = k[i + 4]!;
  }
  return rk;
}

/** Encrypts one 16-byte block `input[at…at+16)` into `out[0…16)`. */
export function sm4EncryptBlock(rk: Uint32Array, input: Uint8Array, at: number, out: Uint8Array): void {
  let x0 = ((input[at]! << 24) | (input[at + 1]! << 16) | (input[at + 2]! << 8) | input[at + 3]!) >>> 0;
  let x1 = ((input[at + 4]! << 24) | (input[at + 5]! << 16) | (input[at + 6]! << 8) | input[at + 7]!) >>> 0;
  let x2 = ((input[at + 8]! << 24) | (input[at + 9]! << 16) | (input[at + 10]! << 8) | input[at + 11]!) >>> 0;
  let x3 =
    ((input[at + 12]! << 24) | (input[at + 13]! << 16) | (input[at + 14]! << 8) | input[at + 15]!) >>> 0;
  for (let i = 0; i < 32; i++) {
    const a = (x1 ^ x2 ^ x3 ^ rk[i]!) >>> 0;
    const t = (T0[a >>> 24]! ^ T1[(a >>> 16) & 0xff]! ^ T2[(a >>> 8) & 0xff]! ^ T3[a & 0xff]!) >>> 0;
    const x4 = (x0 ^ t) >>> 0;
    x0 = x1;
    x1 = x2;
    x2 = x3;
    x3 = x4;
  }
  // Reverse order R: (X35, X34, X33, X32).
  const w = [x3, x2, x1, x0];
  for (let i = 0; i < 4; i++) {
    out[4 * i] = w[i]! >>> 24;
    out[4 * i + 1] = (w[i]! >>> 16) & 0xff;
    out[4 * i + 2] = (w[i]! >>> 8) & 0xff;
    out[4 * i + 3] = w[i]! & 0xff;
  }
}

/**
 * SM4-CTR (the counter block is the 16-byte IV, incremented as a 128-bit big-endian integer, as
 * OpenSSL does). Encryption and decryption are the same operation.
 */
export function sm4Ctr(rk: Uint32Array, iv: Uint8Array, data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  const counter = Uint8Array.from(iv);
  const ks = new Uint8Array(16);
  for (let off = 0; off < data.length; off += 16) {
    sm4EncryptBlock(rk, counter, 0, ks);
    const n = Math.min(16, data.length - off);
    for (let i = 0; i < n; i++) out[off + i] = data[off + i]! ^ ks[i]!;
    for (let i = 15; i >= 0; i--) {
      counter[i] = (counter[i]! + 1) & 0xff;
      if (counter[i] !== 0) break;
    }
  }
  return out;
}

// ---- SM3 (GB/T 32905-2016) compression, for HMAC over short messages ----

const SM3_IV = Uint32Array.from([
  0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
]);
const TJ = (() => {
  const t = new Uint32Array(64);
  for (let j = 0; j < 64; j++) t[j] = rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j % 32);
  return t;
})();
const W = new Uint32Array(68);
const W1 = new Uint32Array(64);

function p1(x: number): number {
  return (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0;
}

/** One SM3 compression of the 64-byte block at `block[at…]` into state `v` (in place). */
function sm3Compress(v: Uint32Array, block: Uint8Array, at: number): void {
  for (let j = 0; j < 16; j++) {
    const o = at + 4 * j;
    W[j] = ((block[o]! << 24) | (block[o + 1]! << 16) | (block[o + 2]! << 8) | block[o + 3]!) >>> 0;
  }
  for (let j = 16; j < 68; j++) {
    W[j] = (p1((W[j - 16]! ^ W[j - 9]! ^ rotl(W[j - 3]!, 15)) >>> 0) ^ rotl(W[j - 13]!, 7) ^ W[j - 6]!) >>> 0;
  }
  for (let j = 0; j < 64; j++) W1[j] = (W[j]! ^ W[j + 4]!) >>> 0;
  let a = v[0]!,
    b = v[1]!,
    c = v[2]!,
    d = v[3]!,
    e = v[4]!,
    f = v[5]!,
    g = v[6]!,
    h = v[7]!;
  for (let j = 0; j < 64; j++) {
    const a12 = rotl(a, 12);
    const ss1 = rotl((a12 + e + TJ[j]!) >>> 0, 7);
    const ss2 = (ss1 ^ a12) >>> 0;
    const ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c);
    const gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
    const tt1 = ((ff >>> 0) + d + ss2 + W1[j]!) >>> 0;
    const tt2 = ((gg >>> 0) + h + ss1 + W[j]!) >>> 0;
    d = c;
    c = rotl(b, 9);
    b = a;
    a = tt1;
    h = g;
    g = rotl(f, 19);
    f = e;
    e = (tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17)) >>> 0;
  }
  v[0] = (v[0]! ^ a) >>> 0;
  v[1] = (v[1]! ^ b) >>> 0;
  v[2] = (v[2]! ^ c) >>> 0;
  v[3] = (v[3]! ^ d) >>> 0;
  v[4] = (v[4]! ^ e) >>> 0;
  v[5] = (v[5]! ^ f) >>> 0;
  v[6] = (v[6]! ^ g) >>> 0;
  v[7] = (v[7]! ^ h) >>> 0;
}

/** Finishes a hash whose state already absorbed `prefixBytes` bytes (a multiple of 64). */
function sm3Finish(state: Uint32Array, prefixBytes: number, message: Uint8Array): Buffer {
  const v = Uint32Array.from(state);
  const total = prefixBytes + message.length;
  const padded = new Uint8Array(Math.ceil((message.length + 9) / 64) * 64);
  padded.set(message);
  padded[message.length] = 0x80;
  const bits = total * 8;
  const dv = new DataView(padded.buffer);
  dv.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  dv.setUint32(padded.length - 4, bits >>> 0);
  for (let off = 0; off < padded.length; off += 64) sm3Compress(v, padded, off);
  const out = Buffer.allocUnsafe(32);
  for (let i = 0; i < 8; i++) out.writeUInt32BE(v[i]!, 4 * i);
  return out;
}

/**
 * HMAC-SM3 (RFC 2104 over GB/T 32905) with the key's inner and outer pad states compressed once:
 * a short message then costs two compressions.
 */
export function hmacSm3(key: Uint8Array): (message: string | Uint8Array) => Buffer {
  let k = Buffer.from(key);
  if (k.length > 64) k = createHash('sm3').update(k).digest();
  const ipad = Buffer.alloc(64, 0x36);
  const opad = Buffer.alloc(64, 0x5c);
  for (let i = 0; i < k.length; i++) {
    ipad[i]! ^= k[i]!;
    opad[i]! ^= k[i]!;
  }
  const inner = Uint32Array.from(SM3_IV);
  sm3Compress(inner, ipad, 0);
  const outer = Uint32Array.from(SM3_IV);
  sm3Compress(outer, opad, 0);
  return (message) => {
    const m = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    return sm3Finish(outer, 64, sm3Finish(inner, 64, m));
  };
}
