import { HASH_SIZE, type TreeHasher } from './hash.ts';
import type { NodeSource } from './merkle.ts';

/**
 * The tree stored as tiles (c2sp.org/tlog-tiles, height 8): tile (L, N) holds the hashes of tree level
 * 8·L, nodes N·256 … N·256+width−1. Level-0 tiles hold the leaf hashes; an entry of a level-1 tile is
 * the root of a full level-0 tile, and so on. Full tiles (width 256) never change; the one partial tile
 * per level is rewritten as the log grows. Any complete subtree is inside one tile: a node of tree level
 * 8·L + s (s < 8) is the perfect subtree over 2^s consecutive entries of one level-L tile.
 *
 * A full tile also stores its inner nodes of sub-levels 4–7 (`inner`: 16 + 8 + 4 + 2 hashes, 960 bytes,
 * +12% storage), so a node inside it costs at most 7 hashes (a sub-level-3 node from 8 entries) instead
 * of up to 127: a proof at 10,000,000 leaves reads one level-0 tile and hashes ~11 nodes; upper tiles
 * are few and cached. Tiles written without `inner` are still served, by hashing.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

export interface Tile {
  level: number;
  idx: number;
  width: number;
  /** width × 32 bytes. */
  hashes: Buffer;
  /** Full tiles: the nodes of sub-levels 4, 5, 6, 7 (16 + 8 + 4 + 2 hashes), in that order. */
  inner?: Buffer | null;
}

/** First stored sub-level of `inner`, and where each sub-level starts in it (in hashes). */
export const INNER_FROM = 4;
const innerStart = [0, 0, 0, 0, 0, 16, 24, 28];
/** Position (in hashes) of sub-level `sub` (4–7) inside `inner`. */
export const innerStartOf = (sub: number): number => innerStart[sub]!;

export type TileKey = `${number}/${number}`;
export const tileKey = (level: number, idx: number): TileKey => `${level}/${idx}`;

/** Where a complete-subtree node lives: the tile, and the range of that tile's entries it spans. */
export function locateNode(
  level: number,
  index: number,
): { tileLevel: number; tileIdx: number; sub: number; offset: number } {
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const sub = level - tileLevel * TILE_HEIGHT; // levels above the tile's own entries
  const first = index * 2 ** sub; // index of the first tile-level entry under the node
  return { tileLevel, tileIdx: Math.floor(first / TILE_WIDTH), sub, offset: first % TILE_WIDTH };
}

/** The tile that must be loaded to read node (level, index). */
export function tileOfNode(level: number, index: number): [number, number] {
  const l = locateNode(level, index);
  return [l.tileLevel, l.tileIdx];
}

/**
 * The subtree hashes of a full tile's entries, level by level: levels[0] = the entries,
 * levels[s][i] = hash of entries [i·2^s, (i+1)·2^s), levels[8] = [the tile's root].
 */
export function fullTileLevels(h: TreeHasher, entries: readonly Uint8Array[]): Buffer[][] {
  const levels: Buffer[][] = [entries.map((e) => Buffer.from(e.buffer, e.byteOffset, e.byteLength))];
  while (levels[levels.length - 1]!.length > 1) {
    const below = levels[levels.length - 1]!;
    const here: Buffer[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) here.push(h.hashChildren(below[i]!, below[i + 1]!));
    levels.push(here);
  }
  return levels;
}

/** Root of a full tile: the hash one tile level up. */
export function fullTileRoot(h: TreeHasher, entries: readonly Uint8Array[]): Buffer {
  return fullTileLevels(h, entries).at(-1)![0]!;
}

/** The `inner` column of a full tile, from its levels. */
export function innerOf(levels: Buffer[][]): Buffer {
  return Buffer.concat([4, 5, 6, 7].flatMap((s) => levels[s]!));
}

/** A node the tiles do not hold: the tree is smaller than asked (or a tile was removed). */
export class MissingNodeError extends Error {}

/**
 * A NodeSource over loaded tiles. Nodes inside a tile are read from `inner` where stored, otherwise
 * hashed from the entries below, and memoised in `cache` (keyed by level/idx/width, which fixes a
 * tile's content; share it across calls to reuse upper tiles).
 */
export function tileNodeSource(
  h: TreeHasher,
  tiles: Map<TileKey, Tile>,
  cache?: Map<string, Array<Array<Buffer | undefined>>>,
): NodeSource {
  const local = new Map<string, Array<Array<Buffer | undefined>>>();
  const memo = cache ?? local;
  const inside = (tile: Tile, levels: Array<Array<Buffer | undefined>>, sub: number, i: number): Buffer => {
    const known = levels[sub]?.[i];
    if (known) return known;
    let node: Buffer;
    if (sub === 0) {
      if (i >= tile.width) {
        throw new MissingNodeError(`ledger tile ${tile.level}/${tile.idx} has no entry ${i}`);
      }
      node = tile.hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
    } else if (sub >= INNER_FROM && tile.inner && tile.width === TILE_WIDTH) {
      const at = innerStart[sub]! + i;
      node = tile.inner.subarray(at * HASH_SIZE, (at + 1) * HASH_SIZE);
    } else {
      node = h.hashChildren(inside(tile, levels, sub - 1, 2 * i), inside(tile, levels, sub - 1, 2 * i + 1));
    }
    (levels[sub] ??= [])[i] = node;
    return node;
  };
  return (level, index) => {
    const loc = locateNode(level, index);
    const tile = tiles.get(tileKey(loc.tileLevel, loc.tileIdx));
    if (!tile) throw new MissingNodeError(`ledger tile ${loc.tileLevel}/${loc.tileIdx} is missing`);
    const ck = `${tile.level}/${tile.idx}/${tile.width}`;
    let levels = memo.get(ck);
    if (!levels) {
      levels = [];
      memo.set(ck, levels);
    }
    if (loc.offset + 2 ** loc.sub > tile.width) {
      throw new MissingNodeError(`ledger node ${level}/${index} is not in tile ${ck}`);
    }
    return inside(tile, levels, loc.sub, loc.offset >> loc.sub);
  };
}

/**
 * The partial tiles on the right edge of a tree of `size` leaves: (level, idx, width) for every tile
 * level whose last tile is not full. A sequencer loads exactly these before appending.
 */
export function edgeTiles(size: number): Array<{ level: number; idx: number; width: number }> {
  const out: Array<{ level: number; idx: number; width: number }> = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const entries = Math.floor(size / TILE_WIDTH ** level); // complete nodes of tree level 8·level
    const width = entries % TILE_WIDTH;
    if (width > 0) out.push({ level, idx: Math.floor(entries / TILE_WIDTH), width });
  }
  return out;
}

/**
 * Appends leaf hashes to a tree of `size` leaves whose edge tiles are given, and returns every tile
 * that changed (full ones with width 256, the new partial ones). Pure: the caller writes them.
 */
export function appendToTiles(
  h: TreeHasher,
  size: number,
  edge: Map<number, Tile>,
  leafHashes: readonly Uint8Array[],
): Tile[] {
  const entries: Buffer[][] = []; // per tile level: entries of the current (partial) tile
  const counts: number[] = []; // per tile level: complete entries so far
  const dirty = new Map<TileKey, { level: number; idx: number; list: Buffer[]; inner?: Buffer }>();
  const ensure = (level: number) => {
    while (entries.length <= level) {
      const l = entries.length;
      const count = Math.floor(size / TILE_WIDTH ** l);
      const width = count % TILE_WIDTH;
      const tile = edge.get(l);
      if (width > 0 && (!tile || tile.width !== width)) {
        throw new Error(
          `ledger edge tile at level ${l} should hold ${width} hashes, found ${tile?.width ?? 'none'}`,
        );
      }
      const list: Buffer[] = [];
      for (let i = 0; i < width; i++) list.push(tile!.hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
      entries.push(list);
      counts.push(count);
    }
  };
  // The dirty record of each level's current tile, made once per tile rather than once per hash
  // (a million leaves made a million records and key strings for the collector).
  const current: Array<{ level: number; idx: number; list: Buffer[]; inner?: Buffer } | undefined> = [];
  const push = (level: number, hash: Buffer) => {
    ensure(level);
    const list = entries[level]!;
    const idx = Math.floor(counts[level]! / TILE_WIDTH);
    list.push(hash);
    counts[level]! += 1;
    let d = current[level];
    if (!d || d.idx !== idx || d.list !== list) {
      d = { level, idx, list };
      current[level] = d;
      dirty.set(tileKey(level, idx), d); // the list is replaced, not emptied, when full
    }
    if (list.length === TILE_WIDTH) {
      entries[level] = [];
      const levels = fullTileLevels(h, list);
      d.inner = innerOf(levels);
      push(level + 1, levels[TILE_HEIGHT]![0]!);
    }
  };
  // Leaf hashes read from the database are fresh Buffers of their own: kept as they are, not copied.
  for (const leaf of leafHashes) push(0, Buffer.isBuffer(leaf) ? leaf : Buffer.from(leaf));
  return [...dirty.values()].map((d) => ({
    level: d.level,
    idx: d.idx,
    width: d.list.length,
    hashes: Buffer.concat(d.list),
    inner: d.inner ?? null,
  }));
}
