import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sm2 } from 'sm-crypto-v2';
import {
  generateKeyPair,
  publicKeyOf,
  publicKeyPem,
  signerFromKeyPair,
  sm2SignatureFromDer,
  sm2SignatureToDer,
  SM2_DEFAULT_USER_ID,
  verifySignature,
} from './signing.ts';

const enc = (s: string) => new TextEncoder().encode(s);

// GB/T 32918.5-2017 (= GM/T 0003.5-2012) Appendix A: signature on the recommended curve with the
// default user ID; the same numbers are OpenSSL's test/sm2_internal_test.c "gm_group" case.
const annexA = {
  privateKey: '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8',
  publicKey:
    '04' +
    '09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020' +
    'ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13',
  za: 'b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3',
  k: '59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21',
  message: 'message digest',
  r: 'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3',
  s: 'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa',
};

describe('SM2 signatures (GB/T 32918)', () => {
  it('derives the Appendix A public key and Z_A for the default user ID', () => {
    assert.equal(SM2_DEFAULT_USER_ID, '1234567812345678');
    assert.equal(publicKeyOf('sm2', annexA.privateKey), annexA.publicKey);
    assert.equal(Buffer.from(sm2.getZ(annexA.publicKey, SM2_DEFAULT_USER_ID)).toString('hex'), annexA.za);
  });

  it('reproduces the Appendix A signature exactly when given the example k', () => {
    // sm-crypto-v2 takes precomputed (k, x1 of k·G) points; x1 is the x coordinate of k's public point.
    const kPoint = sm2.getPublicKeyFromPrivateKey(annexA.k);
    const sig = sm2.doSignature(enc(annexA.message), annexA.privateKey, {
      hash: true,
      publicKey: annexA.publicKey,
      userId: SM2_DEFAULT_USER_ID,
      pointPool: [{ k: BigInt(`0x${annexA.k}`), x1: BigInt(`0x${kPoint.slice(2, 66)}`) }],
    });
    assert.equal(sig, annexA.r + annexA.s);
  });

  it('verifies the published Appendix A signature, and nothing else', () => {
    const sig = Buffer.from(annexA.r + annexA.s, 'hex');
    assert.ok(verifySignature('sm2', annexA.publicKey, enc(annexA.message), sig));
    assert.ok(!verifySignature('sm2', annexA.publicKey, enc('message digesT'), sig));
    const flipped = Buffer.from(sig);
    flipped[40]! ^= 1;
    assert.ok(!verifySignature('sm2', annexA.publicKey, enc(annexA.message), flipped));
    // r and s must lie in [1, n−1] (GB/T 32918.2 §7.1 B1–B2).
    const n = 'fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123';
    for (const bad of ['00'.repeat(32) + annexA.s, annexA.r + n, n + annexA.s]) {
      assert.ok(!verifySignature('sm2', annexA.publicKey, enc(annexA.message), Buffer.from(bad, 'hex')));
    }
    assert.ok(!verifySignature('sm2', annexA.publicKey, enc(annexA.message), sig.subarray(0, 63)));
  });

  it('signs and verifies with a fresh key; a signature under the wrong user ID does not verify', () => {
    const kp = generateKeyPair('sm2');
    const signer = signerFromKeyPair(kp);
    const msg = enc('xinrong.ledger/test\n1\nAAAA\n');
    const sig = signer.sign(msg);
    assert.equal(sig.length, 64);
    assert.ok(verifySignature('sm2', kp.publicKeyHex, msg, sig));
    const otherId = sm2.doSignature(msg, kp.privateKeyHex, { hash: true, userId: 'ALICE123@YAHOO.COM' });
    assert.ok(!verifySignature('sm2', kp.publicKeyHex, msg, Buffer.from(otherId, 'hex')));
    // Plain ECDSA-style signing over the SM2 curve (what Node's OpenSSL "SM2" EC keys do) is not SM2.
    const noZa = sm2.doSignature(msg, kp.privateKeyHex, { hash: false });
    assert.ok(!verifySignature('sm2', kp.publicKeyHex, msg, Buffer.from(noZa, 'hex')));
  });

  it('converts signatures to and from DER', () => {
    const sig = Buffer.from(annexA.r + annexA.s, 'hex');
    assert.deepEqual(sm2SignatureFromDer(sm2SignatureToDer(sig)), sig);
    const small = Buffer.concat([Buffer.alloc(31), Buffer.from([5]), Buffer.alloc(31), Buffer.from([0x80])]);
    assert.deepEqual(sm2SignatureFromDer(sm2SignatureToDer(small)), small);
  });
});

// Cross-check against an independent implementation: OpenSSL 3's SM2 (EVP_PKEY_SM2 with distid), through
// the `openssl` command. Skipped, saying so, where the binary lacks SM2.
const opensslHasSm2 =
  spawnSync('openssl', ['genpkey', '-algorithm', 'SM2'], { encoding: 'utf8' }).status === 0;

describe(
  'SM2 cross-check with OpenSSL',
  { skip: opensslHasSm2 ? false : 'openssl with SM2 not available' },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-sm2-'));
    const file = (name: string, data?: string | Uint8Array) => {
      const p = path.join(dir, name);
      if (data !== undefined) fs.writeFileSync(p, data);
      return p;
    };
    const msg = enc('xinrong.ledger/zhengzhou\n42\nq83vEjRWeJA=\ntime 2026-11-22T01:30:00.000Z\nhash sm3\n');

    it('OpenSSL verifies our signature (distid 1234567812345678) with our PEM public key, and only with that ID', () => {
      const kp = generateKeyPair('sm2');
      const sig = signerFromKeyPair(kp).sign(msg);
      file('msg', msg);
      file('sig.der', sm2SignatureToDer(sig));
      file('pub.pem', publicKeyPem('sm2', kp.publicKeyHex));
      const verify = (distid: string) =>
        spawnSync(
          'openssl',
          ['pkeyutl', '-verify', '-pubin', '-inkey', file('pub.pem'), '-rawin', '-digest', 'sm3'].concat([
            '-pkeyopt',
            `distid:${distid}`,
            '-in',
            file('msg'),
            '-sigfile',
            file('sig.der'),
          ]),
          { encoding: 'utf8' },
        );
      const ok = verify(SM2_DEFAULT_USER_ID);
      assert.equal(ok.status, 0, ok.stderr + ok.stdout);
      assert.match(ok.stdout, /Signature Verified Successfully/);
      assert.notEqual(verify('ALICE123@YAHOO.COM').status, 0);
    });

    it('we verify a signature made by OpenSSL', () => {
      const keyPem = file('key.pem');
      execFileSync('openssl', ['genpkey', '-algorithm', 'SM2', '-out', keyPem]);
      const pubDer = execFileSync('openssl', ['pkey', '-in', keyPem, '-pubout', '-outform', 'DER']);
      const publicKeyHex = pubDer.subarray(pubDer.length - 65).toString('hex');
      file('msg2', msg);
      execFileSync('openssl', [
        'pkeyutl',
        '-sign',
        '-inkey',
        keyPem,
        '-rawin',
        '-digest',
        'sm3',
        '-pkeyopt',
        `distid:${SM2_DEFAULT_USER_ID}`,
        '-in',
        file('msg2'),
        '-out',
        file('osig.der'),
      ]);
      const sig = sm2SignatureFromDer(fs.readFileSync(file('osig.der')));
      assert.ok(verifySignature('sm2', publicKeyHex, msg, sig));
      assert.ok(!verifySignature('sm2', publicKeyHex, enc('other'), sig));
      // Our PEM encoding of that key is byte-identical to OpenSSL's.
      const opensslPem = execFileSync('openssl', ['pkey', '-in', keyPem, '-pubout'], { encoding: 'utf8' });
      assert.equal(publicKeyPem('sm2', publicKeyHex), opensslPem);
    });
  },
);

describe('Ed25519 (RFC 8032)', () => {
  it('matches RFC 8032 §7.1 TEST 1', () => {
    const privateKeyHex = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
    const publicKeyHex = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
    assert.equal(publicKeyOf('ed25519', privateKeyHex), publicKeyHex);
    const sig = signerFromKeyPair({ algorithm: 'ed25519', privateKeyHex, publicKeyHex }).sign(
      new Uint8Array(),
    );
    assert.equal(
      Buffer.from(sig).toString('hex'),
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    assert.ok(verifySignature('ed25519', publicKeyHex, new Uint8Array(), sig));
  });

  it('verifies RFC 8032 TEST 2 and rejects a modified message', () => {
    const pub = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
    const sig = Buffer.from(
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
      'hex',
    );
    assert.ok(verifySignature('ed25519', pub, Buffer.from([0x72]), sig));
    assert.ok(!verifySignature('ed25519', pub, Buffer.from([0x73]), sig));
  });

  it('signs with a fresh key', () => {
    const kp = generateKeyPair('ed25519');
    const sig = signerFromKeyPair(kp).sign(enc('x'));
    assert.ok(verifySignature('ed25519', kp.publicKeyHex, enc('x'), sig));
    assert.ok(!verifySignature('sm2', kp.publicKeyHex, enc('x'), sig));
  });
});
