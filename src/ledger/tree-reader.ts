import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { TreeHasher } from './hash.ts';
import { findTiles } from './ledger.repository.ts';
import { collectNodes, type NodeSource } from './merkle.ts';
import { locateNode, tileKey, tileNodeSource, type Tile, type TileKey } from './tiles.ts';

/**
 * Reads the stored tree for proofs and roots: runs the algorithm once with a recording node source to
 * learn which complete subtrees it needs, fetches the tiles holding them in one query, and serves the
 * nodes. Tiles only grow (a node, once stored, never changes), so tiles and their subtree hashes are
 * kept in a bounded cache and a tile is fetched again only when a node beyond its cached width is
 * asked for: a proof at 10,000,000 leaves usually costs one query (its level-0 tile).
 */
export interface TreeReader {
  nodesFor(run: (nodes: NodeSource) => void): Promise<NodeSource>;
}

export function createTreeReader(db: Kysely<Database>, h: TreeHasher, limit = 4096): TreeReader {
  const tiles = new Map<TileKey, Tile>();
  const trees = new Map<string, Array<Array<Buffer | undefined>>>();
  const remember = (t: Tile) => {
    const key = tileKey(t.level, t.idx);
    tiles.delete(key); // re-insert: most recently used last
    tiles.set(key, t);
    if (tiles.size > limit) tiles.delete(tiles.keys().next().value!);
    if (trees.size > limit) trees.clear();
  };
  return {
    async nodesFor(run) {
      const need = new Map<TileKey, { level: number; idx: number; width: number }>();
      for (const [level, index] of collectNodes(run)) {
        const loc = locateNode(level, index);
        const width = loc.offset + 2 ** loc.sub; // tile entries the node spans, from the tile's start
        const key = tileKey(loc.tileLevel, loc.tileIdx);
        const n = need.get(key);
        if (!n || n.width < width) need.set(key, { level: loc.tileLevel, idx: loc.tileIdx, width });
      }
      const missing = [...need.entries()].filter(([key, n]) => (tiles.get(key)?.width ?? 0) < n.width);
      if (missing.length) {
        for (const t of await findTiles(
          db,
          missing.map(([, n]) => [n.level, n.idx]),
        )) {
          remember(t);
        }
      }
      const view = new Map<TileKey, Tile>();
      for (const key of need.keys()) {
        const t = tiles.get(key);
        if (t) view.set(key, t);
      }
      return tileNodeSource(h, view, trees);
    },
  };
}
