import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { treeHasher } from './hash.ts';
import { compactRange, consistencyProof, inclusionProof, memoryNodes, rootHash } from './merkle.ts';
import {
  appendToTiles,
  edgeTiles,
  tileKey,
  tileNodeSource,
  tileOfNode,
  type Tile,
  type TileKey,
} from './tiles.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('tiles (c2sp.org/tlog-tiles layout)', () => {
  it('names the right edge of a tree', () => {
    assert.deepEqual(edgeTiles(0), []);
    assert.deepEqual(edgeTiles(5), [{ level: 0, idx: 0, width: 5 }]);
    assert.deepEqual(edgeTiles(256), [{ level: 1, idx: 0, width: 1 }]);
    assert.deepEqual(edgeTiles(70_000), [
      { level: 0, idx: 273, width: 112 },
      { level: 1, idx: 1, width: 17 },
      { level: 2, idx: 0, width: 1 },
    ]);
    assert.deepEqual(tileOfNode(0, 513), [0, 2]);
    assert.deepEqual(tileOfNode(9, 3), [1, 0]);
    assert.deepEqual(tileOfNode(16, 0), [2, 0]);
  });

  it('grows by uneven batches and serves the same roots and proofs as the in-memory tree', () => {
    const h = treeHasher('sha256');
    const total = 70_000; // past 256² leaves: three tile levels
    const leaves = Array.from({ length: total }, (_, i) => h.hashLeaf(`leaf ${i}`));
    const store = new Map<TileKey, Tile>();
    const range = compactRange(h);
    const roots = new Map<number, string>();
    let size = 0;
    let batch = 1;
    while (size < total) {
      const n = Math.min(batch, total - size);
      const edge = new Map<number, Tile>();
      for (const e of edgeTiles(size)) edge.set(e.level, store.get(tileKey(e.level, e.idx))!);
      for (const t of appendToTiles(h, size, edge, leaves.slice(size, size + n))) {
        store.set(tileKey(t.level, t.idx), t);
      }
      for (let i = size; i < size + n; i++) range.append(leaves[i]!);
      size += n;
      roots.set(size, hex(range.root()));
      batch = (batch * 7 + 3) % 5000; // 1, 10, 73, 514, 3601, ...
    }
    assert.equal(store.get(tileKey(2, 0))?.width, 1);
    const nodes = tileNodeSource(h, store, new Map());
    const mem = memoryNodes(h, leaves);
    for (const [s, root] of roots) assert.equal(hex(rootHash(h, nodes, s)), root, `root at ${s}`);
    for (const [m, n] of [
      [0, 1],
      [255, 256],
      [256, 257],
      [65_535, 70_000],
      [12_345, 65_536],
      [69_999, 70_000],
      [1, 70_000],
    ] as const) {
      assert.deepEqual(
        inclusionProof(h, nodes, m, n).map(hex),
        inclusionProof(h, mem, m, n).map(hex),
        `incl ${m}/${n}`,
      );
    }
    // Full tiles carry their inner nodes; tiles stored without them (older rows) give the same proofs.
    assert.equal(store.get(tileKey(0, 3))?.inner?.length, 30 * 32);
    const bare = new Map([...store].map(([k, v]) => [k, { ...v, inner: null }]));
    const bareNodes = tileNodeSource(h, bare);
    for (const [m, n] of [
      [12_345, 65_536],
      [69_999, 70_000],
    ] as const) {
      assert.deepEqual(inclusionProof(h, bareNodes, m, n).map(hex), inclusionProof(h, mem, m, n).map(hex));
    }
    for (const [m, n] of [
      [1, 70_000],
      [256, 65_537],
      [1000, 1001],
      [65_536, 70_000],
    ] as const) {
      assert.deepEqual(
        consistencyProof(h, nodes, m, n).map(hex),
        consistencyProof(h, mem, m, n).map(hex),
        `cons ${m}→${n}`,
      );
    }
  });

  it('refuses to append onto an edge that does not match the tree size', () => {
    const h = treeHasher('sm3');
    const tiles = appendToTiles(h, 0, new Map(), [h.hashLeaf('a'), h.hashLeaf('b')]);
    assert.equal(tiles.length, 1);
    const edge = new Map([[0, tiles[0]!]]);
    assert.throws(() => appendToTiles(h, 3, edge, [h.hashLeaf('c')]), /should hold 3 hashes, found 2/);
  });
});
