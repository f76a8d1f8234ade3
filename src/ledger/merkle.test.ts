import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashFn, treeHasher, type TreeHasher } from './hash.ts';
import {
  compactRange,
  consistencyProof,
  inclusionProof,
  memoryNodes,
  rootFromInclusionProof,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const dh = (s: string) => Buffer.from(s, 'hex');

// Test vectors of the Certificate Transparency reference implementation, as published in
// github.com/transparency-dev/merkle proof/verify_test.go (from the C++ merkle_tree_test.cc):
// the eight leaves, the root of every prefix of the tree, and known audit paths.
const leaves = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(dh);
const roots = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// {leaf (0-based), tree size, path}; the Go file numbers leaves from 1.
const inclusionVectors: Array<[number, number, string[]]> = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [0, 1, []],
];
const consistencyVectors: Array<[number, number, string[]]> = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

/** MTH straight from RFC 9162 §2.1.1, recursive over the data: the reference to compare against. */
function referenceRoot(h: TreeHasher, data: Uint8Array[]): Buffer {
  if (data.length === 0) return h.emptyRoot();
  if (data.length === 1) return h.hashLeaf(data[0]!);
  let k = 1;
  while (k * 2 < data.length) k *= 2;
  return h.hashChildren(referenceRoot(h, data.slice(0, k)), referenceRoot(h, data.slice(k)));
}

function flipBit(p: Uint8Array[], i: number): Uint8Array[] {
  return p.map((x, j) => {
    if (j !== i) return x;
    const c = Buffer.from(x);
    c[0]! ^= 8;
    return c;
  });
}

describe('SM3 (GB/T 32905-2016 Appendix A)', () => {
  const sm3 = hashFn('sm3');
  it('example 1: "abc"', () => {
    assert.equal(hex(sm3('abc')), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('example 2: the 64-byte "abcd" × 16', () => {
    assert.equal(
      hex(sm3('abcd'.repeat(16))),
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });
  it('the empty tree root is SM3 of the empty string', () => {
    assert.equal(
      hex(treeHasher('sm3').emptyRoot()),
      '1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b',
    );
  });
});

describe('RFC 9162 Merkle tree, Certificate Transparency vectors (SHA-256)', () => {
  const h = treeHasher('sha256');
  const leafHashes = leaves.map((d) => h.hashLeaf(d));
  const nodes = memoryNodes(h, leafHashes);

  it('hashes the empty tree and the empty leaf as RFC 6962 says', () => {
    assert.equal(hex(h.emptyRoot()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(hex(h.hashLeaf(leaves[0]!)), roots[0]);
  });

  it('computes the root of every prefix of the 8-leaf tree', () => {
    for (let n = 1; n <= 8; n++) {
      assert.equal(hex(rootHash(h, nodes, n)), roots[n - 1], `size ${n}`);
      assert.equal(hex(referenceRoot(h, leaves.slice(0, n))), roots[n - 1], `reference, size ${n}`);
    }
  });

  it('produces and verifies the published inclusion proofs', () => {
    for (const [m, n, want] of inclusionVectors) {
      const got = inclusionProof(h, nodes, m, n);
      assert.deepEqual(got.map(hex), want, `leaf ${m} of ${n}`);
      assert.ok(verifyInclusion(h, m, n, leafHashes[m]!, want.map(dh), dh(roots[n - 1]!)));
    }
  });

  it('produces and verifies the published consistency proofs', () => {
    for (const [m, n, want] of consistencyVectors) {
      const got = consistencyProof(h, nodes, m, n);
      assert.deepEqual(got.map(hex), want, `${m} → ${n}`);
      assert.ok(
        verifyConsistency(h, m, n, want.map(dh), dh(roots[m - 1]!), dh(roots[n - 1]!)),
        `${m} → ${n}`,
      );
    }
  });

  it('rejects corrupted inclusion proofs (the probes of the reference tests)', () => {
    for (const [m, n, want] of inclusionVectors.filter((v) => v[2].length > 0)) {
      const proof = want.map(dh);
      const root = dh(roots[n - 1]!);
      const leaf = leafHashes[m]!;
      const bad: Array<[string, boolean]> = [
        ['index - 1', verifyInclusion(h, m - 1, n, leaf, proof, root)],
        ['index + 1', verifyInclusion(h, m + 1, n, leaf, proof, root)],
        ['index ^ 2', verifyInclusion(h, m ^ 2, n, leaf, proof, root)],
        ['size * 2', verifyInclusion(h, m, n * 2, leaf, proof, root)],
        ['size / 2', verifyInclusion(h, m, Math.floor(n / 2), leaf, proof, root)],
        ['wrong leaf', verifyInclusion(h, m, n, Buffer.from('WrongLeaf'), proof, root)],
        ['empty root', verifyInclusion(h, m, n, leaf, proof, h.emptyRoot())],
        ['trailing garbage', verifyInclusion(h, m, n, leaf, [...proof, Buffer.alloc(0)], root)],
        ['trailing root', verifyInclusion(h, m, n, leaf, [...proof, root], root)],
        ['preceding root', verifyInclusion(h, m, n, leaf, [root, ...proof], root)],
        ['removed component', verifyInclusion(h, m, n, leaf, proof.slice(0, -1), root)],
        ...proof.map((_, i): [string, boolean] => [
          `flipped bit in proof[${i}]`,
          verifyInclusion(h, m, n, leaf, flipBit(proof, i), root),
        ]),
      ];
      for (const [what, ok] of bad) assert.equal(ok, false, `${m}/${n}: ${what} must not verify`);
    }
  });

  it('rejects corrupted consistency proofs', () => {
    for (const [m, n, want] of consistencyVectors.filter((v) => v[2].length > 0)) {
      const proof = want.map(dh);
      const r1 = dh(roots[m - 1]!);
      const r2 = dh(roots[n - 1]!);
      const bad: Array<[string, boolean]> = [
        ['size1 - 1', verifyConsistency(h, m - 1, n, proof, r1, r2)],
        ['size1 + 1', verifyConsistency(h, m + 1, n, proof, r1, r2)],
        ['size2 * 2', verifyConsistency(h, m, n * 2, proof, r1, r2)],
        ['swapped roots', verifyConsistency(h, m, n, proof, r2, r1)],
        ['wrong root1', verifyConsistency(h, m, n, proof, Buffer.from('WrongRoot'), r2)],
        ['empty proof', verifyConsistency(h, m, n, [], r1, r2)],
        ['truncated', verifyConsistency(h, m, n, proof.slice(0, -1), r1, r2)],
        ['trailing root2', verifyConsistency(h, m, n, [...proof, r2], r1, r2)],
        ['preceding proof[0]', verifyConsistency(h, m, n, [proof[0]!, ...proof], r1, r2)],
        ...proof.map((_, i): [string, boolean] => [
          `flipped bit in proof[${i}]`,
          verifyConsistency(h, m, n, flipBit(proof, i), r1, r2),
        ]),
      ];
      for (const [what, ok] of bad) assert.equal(ok, false, `${m} → ${n}: ${what} must not verify`);
    }
  });

  it('refuses proofs for leaves outside the tree', () => {
    assert.throws(() => inclusionProof(h, nodes, 8, 8), RangeError);
    assert.throws(() => consistencyProof(h, nodes, 5, 4), RangeError);
    assert.equal(rootFromInclusionProof(h, 0, 0, leafHashes[0]!, []), undefined);
  });
});

describe('every proof of every tree up to 40 leaves, SM3 and SHA-256', () => {
  for (const alg of ['sm3', 'sha256'] as const) {
    it(`${alg}: roots, inclusion and consistency agree with the RFC's recursive definition`, () => {
      const h = treeHasher(alg);
      const data = Array.from({ length: 40 }, (_, i) => Buffer.from(`leaf ${i}`));
      const leafHashes = data.map((d) => h.hashLeaf(d));
      const nodes = memoryNodes(h, leafHashes);
      const range = compactRange(h);
      const refRoots = [h.emptyRoot()];
      for (let n = 1; n <= 40; n++) {
        range.append(leafHashes[n - 1]!);
        refRoots.push(referenceRoot(h, data.slice(0, n)));
        assert.equal(hex(rootHash(h, nodes, n)), hex(refRoots[n]!), `root ${n}`);
        assert.equal(hex(range.root()), hex(refRoots[n]!), `compact range root ${n}`);
      }
      for (let n = 1; n <= 40; n++) {
        for (let m = 0; m < n; m++) {
          const p = inclusionProof(h, nodes, m, n);
          assert.ok(verifyInclusion(h, m, n, leafHashes[m]!, p, refRoots[n]!), `incl ${m}/${n}`);
          assert.ok(
            !verifyInclusion(h, m, n, leafHashes[(m + 1) % 40]!, p, refRoots[n]!),
            `wrong leaf ${m}/${n}`,
          );
        }
        for (let m = 1; m <= n; m++) {
          const p = consistencyProof(h, nodes, m, n);
          assert.ok(verifyConsistency(h, m, n, p, refRoots[m]!, refRoots[n]!), `cons ${m}→${n}`);
          if (m < n) {
            assert.ok(!verifyConsistency(h, m, n, p, refRoots[m - 1]!, refRoots[n]!), `forged ${m}→${n}`);
          }
        }
      }
    });
  }
});
