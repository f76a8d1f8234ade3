import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canonicalEntry } from './canonical.ts';
import {
  checkpointText,
  keyIdOf,
  openNote,
  parseSignedNote,
  signNote,
  verifyCheckpoint,
} from './checkpoint.ts';
import { treeHasher } from './hash.ts';
import { inclusionProof, memoryNodes, rootHash } from './merkle.ts';
import { generateKeyPair, signerFromKeyPair, type SignatureAlgorithm } from './signing.ts';
import { BUNDLE_FORMAT, verifyBundle, type LedgerBundle } from './verify-offline.ts';

const origin = 'xinrong.ledger/test';

function makeLog(alg: SignatureAlgorithm) {
  const h = treeHasher('sm3');
  const entries = Array.from({ length: 11 }, (_, i) =>
    canonicalEntry({
      entryType: 'record_version',
      refTable: 'record_versions',
      refId: String(100 + i),
      uscc: '91410100MA00000000',
      payload: { version: 1, data_digest: `d${i}` },
    }),
  );
  const nodes = memoryNodes(
    h,
    entries.map((e) => h.hashLeaf(e)),
  );
  const kp = generateKeyPair(alg);
  const key = { keyName: origin, algorithm: alg, publicKeyHex: kp.publicKeyHex };
  const note = signNote(
    checkpointText({
      origin,
      treeSize: entries.length,
      rootHash: rootHash(h, nodes, entries.length),
      timestamp: '2026-11-22T01:30:00.000Z',
      hashAlgorithm: 'sm3',
    }),
    origin,
    signerFromKeyPair(kp),
  );
  const bundle = (i: number): LedgerBundle => ({
    format: BUNDLE_FORMAT,
    entry: entries[i]!,
    leafIndex: i,
    treeSize: entries.length,
    inclusionProof: inclusionProof(h, nodes, i, entries.length).map((p) => Buffer.from(p).toString('base64')),
    checkpoint: note,
    publicKey: key,
  });
  return { entries, key, note, bundle, kp };
}

describe('signed checkpoints (C2SP signed note)', () => {
  it('writes the documented text and verifies it with the signing key only', () => {
    const { note, key } = makeLog('sm2');
    const lines = note.split('\n');
    assert.equal(lines[0], origin);
    assert.equal(lines[1], '11');
    assert.match(lines[2]!, /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(lines[3], 'time 2026-11-22T01:30:00.000Z');
    assert.equal(lines[4], 'hash sm3');
    assert.equal(lines[5], '');
    assert.match(lines[6]!, /^— xinrong\.ledger\/test [A-Za-z0-9+/]+=*$/);
    const parsed = parseSignedNote(note);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.signatures[0]!.keyId, keyIdOf(origin, 'sm2', key.publicKeyHex));
    const ok = verifyCheckpoint(note, key);
    assert.ok(ok.ok);
    assert.equal(ok.value.treeSize, 11);
    const other = { ...key, publicKeyHex: generateKeyPair('sm2').publicKeyHex };
    assert.equal(verifyCheckpoint(note, other).ok, false);
  });

  it('rejects a checkpoint whose text was changed after signing', () => {
    const { note, key } = makeLog('ed25519');
    assert.ok(verifyCheckpoint(note, key).ok);
    assert.equal(verifyCheckpoint(note.replace('\n11\n', '\n12\n'), key).ok, false);
    assert.equal(verifyCheckpoint(note.replace('hash sm3', 'hash sha256'), key).ok, false);
  });

  it('verifies the published Go sumdb/note example (key ID c74f20a3), and rejects it altered', () => {
    // golang.org/x/mod/sumdb/note documentation: vkey "PeterNeumann+c74f20a3+<base64(0x01 ‖ key)>".
    const typeAndKey = Buffer.from('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'base64');
    assert.equal(typeAndKey[0], 0x01);
    const key = {
      keyName: 'PeterNeumann',
      algorithm: 'ed25519' as const,
      publicKeyHex: typeAndKey.subarray(1).toString('hex'),
    };
    assert.equal(keyIdOf(key.keyName, 'ed25519', key.publicKeyHex).toString('hex'), 'c74f20a3');
    const text =
      'If you think cryptography is the answer to your problem,\n' +
      "then you don't know what your problem is.\n";
    const note = `${text}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
    const opened = openNote(note, key);
    assert.ok(opened.ok);
    assert.equal(opened.value, text);
    assert.equal(openNote(note.replace('cryptography', 'Cryptography'), key).ok, false);
  });
});

describe('verifyBundle (offline, no database)', () => {
  for (const alg of ['sm2', 'ed25519'] as const) {
    it(`${alg}: accepts a genuine bundle for every leaf, with the published key`, () => {
      const log = makeLog(alg);
      for (let i = 0; i < log.entries.length; i++) {
        const v = verifyBundle(JSON.stringify(log.bundle(i)), log.key);
        assert.equal(v.valid, true, `leaf ${i}: ${v.message.en}`);
        assert.equal(v.keyTrusted, true);
        assert.equal(v.entry?.refId, String(100 + i));
      }
      const untrusted = verifyBundle(log.bundle(3));
      assert.equal(untrusted.valid, true);
      assert.equal(untrusted.keyTrusted, false);
    });
  }

  it('says why a bundle is not valid', () => {
    const log = makeLog('sm2');
    const b = log.bundle(4);
    const cases: Array<[string, unknown, string]> = [
      ['changed entry', { ...b, entry: b.entry.replace('"d4"', '"dX"') }, 'proof_invalid'],
      ['other leaf index', { ...b, leafIndex: 5 }, 'proof_invalid'],
      ['non-canonical entry', { ...b, entry: b.entry.replace('"v":1', '"v": 1') }, 'entry_not_canonical'],
      [
        'flipped proof hash',
        { ...b, inclusionProof: [Buffer.alloc(32).toString('base64'), ...b.inclusionProof.slice(1)] },
        'proof_invalid',
      ],
      ['short proof', { ...b, inclusionProof: b.inclusionProof.slice(1) }, 'proof_invalid'],
      ['size mismatch', { ...b, treeSize: 12 }, 'size_mismatch'],
      ['edited checkpoint', { ...b, checkpoint: b.checkpoint.replace('\n11\n', '\n10\n') }, 'bad_checkpoint'],
      ['not a bundle', { hello: 'world' }, 'malformed'],
      ['not JSON', '{', 'malformed'],
    ];
    for (const [what, input, problem] of cases) {
      const v = verifyBundle(input, log.key);
      assert.equal(v.valid, false, what);
      assert.equal(v.problem, problem, what);
      assert.ok(v.message.zh && v.message.en);
    }
  });

  it('detects a forged checkpoint signed with another key, when given the published key', () => {
    const log = makeLog('sm2');
    const forger = makeLog('sm2'); // a different log and key
    const forged = { ...forger.bundle(2), publicKey: log.key };
    assert.equal(verifyBundle(forged, log.key).problem, 'bad_checkpoint');
    // A bundle carrying the forger's key is self-consistent but not the platform's.
    assert.equal(verifyBundle(forger.bundle(2), log.key).problem, 'key_mismatch');
  });

  it('imports nothing that reaches a database', () => {
    const dir = path.dirname(fileURLToPath(import.meta.url));
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = fs.readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        assert.doesNotMatch(
          spec,
          /kysely|pglite|^pg$|\/db\/|repository/,
          `${path.basename(file)} imports ${spec}`,
        );
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      }
    };
    visit(path.join(dir, 'verify-offline.ts'));
    assert.ok(seen.size >= 5);
  });
});

describe('docs/ledger.md worked example', () => {
  it('verifies, with the GB/T 32918.5 example key it names', () => {
    const doc = fs.readFileSync(new URL('../../docs/ledger.md', import.meta.url), 'utf8');
    const block = /Bundle of leaf 1[^\n]*\n\n```json\n([\s\S]*?)\n```/.exec(doc);
    assert.ok(block, 'the example bundle is in docs/ledger.md');
    const key = {
      keyName: 'xinrong.ledger/example',
      algorithm: 'sm2' as const,
      publicKeyHex:
        '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13',
    };
    const v = verifyBundle(block[1], key);
    assert.equal(v.valid, true, v.message.en);
    assert.match(doc, new RegExp(`root \`${v.rootHash!.replace(/[+/]/g, '\\$&')}\``));
  });
});
