import type { TreeHasher } from './hash.ts';

/**
 * Merkle tree algorithms of RFC 9162 §2.1 (= RFC 6962 §2.1), written against a source of
 * *complete-subtree* hashes so that the same code serves an in-memory list of leaves (tests, the
 * offline verifier) and the stored tiles of a 10,000,000-leaf log (ledger.service.ts).
 *
 * Notation: a complete subtree at `level` ℓ and `index` j covers leaves [j·2^ℓ, (j+1)·2^ℓ); level 0
 * is the leaf hashes. Such a node never changes once the tree has grown past it.
 */

/** Hash of the complete subtree at (level, index); only asked for subtrees inside the tree. */
export type NodeSource = (level: number, index: number) => Uint8Array;

/** The largest power of two strictly smaller than n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

/**
 * MTH(D[lo:hi]) from complete subtrees. Ranges reached by the RFC's recursion are always aligned:
 * a power-of-two range starts at a multiple of its size, so it is one stored node.
 */
export function rangeHash(h: TreeHasher, nodes: NodeSource, lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n <= 0) return h.emptyRoot();
  if (isPowerOfTwo(n) && lo % n === 0) return nodes(Math.log2(n), lo / n);
  const k = splitPoint(n);
  return h.hashChildren(rangeHash(h, nodes, lo, lo + k), rangeHash(h, nodes, lo + k, hi));
}

/** MTH of the first `size` leaves. */
export function rootHash(h: TreeHasher, nodes: NodeSource, size: number): Uint8Array {
  return rangeHash(h, nodes, 0, size);
}

/** PATH(m, D[0:n]) of RFC 9162 §2.1.3.1: the audit path of leaf m in the tree of size n. */
export function inclusionProof(h: TreeHasher, nodes: NodeSource, m: number, n: number): Uint8Array[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m < n)) {
    throw new RangeError(`leaf ${m} is not in a tree of size ${n}`);
  }
  const path = (lo: number, hi: number): Uint8Array[] => {
    if (hi - lo === 1) return [];
    const k = splitPoint(hi - lo);
    return m < lo + k
      ? [...path(lo, lo + k), rangeHash(h, nodes, lo + k, hi)]
      : [...path(lo + k, hi), rangeHash(h, nodes, lo, lo + k)];
  };
  return path(0, n);
}

/** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: proves the tree of size m is a prefix of the tree of size n. */
export function consistencyProof(h: TreeHasher, nodes: NodeSource, m: number, n: number): Uint8Array[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m <= n)) {
    throw new RangeError(`cannot prove size ${m} against size ${n}`);
  }
  if (m === 0 || m === n) return [];
  // SUBPROOF(m, D[lo:hi], b): b is true while D[lo:lo+m] is the whole old tree, whose root the
  // verifier already has.
  const subproof = (mm: number, lo: number, hi: number, b: boolean): Uint8Array[] => {
    const size = hi - lo;
    if (mm === size) return b ? [] : [rangeHash(h, nodes, lo, hi)];
    const k = splitPoint(size);
    return mm <= k
      ? [...subproof(mm, lo, lo + k, b), rangeHash(h, nodes, lo + k, hi)]
      : [...subproof(mm - k, lo + k, hi, false), rangeHash(h, nodes, lo, lo + k)];
  };
  return subproof(m, 0, n, true);
}

/** Every complete-subtree node the functions above will ask for, so they can be fetched in one go. */
export function collectNodes(run: (nodes: NodeSource) => void): Array<[number, number]> {
  const seen = new Map<string, [number, number]>();
  const dummy = new Uint8Array(32);
  run((level, index) => {
    seen.set(`${level}:${index}`, [level, index]);
    return dummy;
  });
  return [...seen.values()];
}

// ---- verification (RFC 9162 §2.1.3.2 and §2.1.4.2): need no tree, only hashes ----

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** The root an inclusion proof leads to, or undefined when the proof has the wrong shape. */
export function rootFromInclusionProof(
  h: TreeHasher,
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: Uint8Array[],
): Uint8Array | undefined {
  if (!(Number.isSafeInteger(leafIndex) && Number.isSafeInteger(treeSize))) return undefined;
  if (leafIndex < 0 || leafIndex >= treeSize) return undefined;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return undefined; // proof longer than the path
    if (fn % 2 === 1 || fn === sn) {
      r = h.hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = h.hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

/** RFC 9162 §2.1.3.2: true when `proof` shows leaf `leafHash` at `leafIndex` in the tree with `root`. */
export function verifyInclusion(
  h: TreeHasher,
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): boolean {
  if (leafHash.length !== root.length) return false;
  const r = rootFromInclusionProof(h, leafIndex, treeSize, leafHash, proof);
  return r !== undefined && equal(r, root);
}

/** RFC 9162 §2.1.4.2: true when `proof` shows the tree (size1, root1) is a prefix of (size2, root2). */
export function verifyConsistency(
  h: TreeHasher,
  size1: number,
  size2: number,
  proof: Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2))) return false;
  if (size1 < 0 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && equal(root1, root2);
  if (size1 === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0) return false;
  // Step 1: if size1 is an exact power of 2, prepend root1 to the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // Step 2-3.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  // Step 4.
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = h.hashChildren(c, fr);
      sr = h.hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = h.hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 5.
  return sn === 0 && equal(fr, root1) && equal(sr, root2);
}

// ---- an in-memory tree over a list of leaf hashes (tests, offline tools, verification) ----

/** Complete-subtree hashes computed on demand from the leaf hashes and memoised. */
export function memoryNodes(h: TreeHasher, leafHashes: readonly Uint8Array[]): NodeSource {
  const memo = new Map<string, Uint8Array>();
  const node: NodeSource = (level, index) => {
    if (level === 0) {
      const leaf = leafHashes[index];
      if (!leaf) throw new RangeError(`no leaf ${index}`);
      return leaf;
    }
    const key = `${level}:${index}`;
    let v = memo.get(key);
    if (!v) {
      v = h.hashChildren(node(level - 1, 2 * index), node(level - 1, 2 * index + 1));
      memo.set(key, v);
    }
    return v;
  };
  return node;
}

/**
 * Compact range over a growing log (the "peaks" of a Merkle mountain range): appending a leaf costs
 * amortised one interior hash, and the root of the current size costs at most log2(n) hashes. Used by
 * the full verification, which recomputes every leaf of the log in one pass.
 */
export interface CompactRange {
  readonly size: number;
  /** Appends a leaf hash; `onNode(level, index, hash)` hears every complete subtree that closes. */
  append(leafHash: Uint8Array, onNode?: (level: number, index: number, hash: Uint8Array) => void): void;
  root(): Uint8Array;
}

export function compactRange(h: TreeHasher): CompactRange {
  // peaks[i] = hash of a complete subtree; levels strictly decreasing from first to last.
  const peaks: Array<{ level: number; hash: Uint8Array }> = [];
  let size = 0;
  return {
    get size() {
      return size;
    },
    append(leafHash, onNode) {
      let level = 0;
      let hash = leafHash;
      let index = size;
      onNode?.(0, index, hash);
      while (peaks.length && peaks[peaks.length - 1]!.level === level) {
        const left = peaks.pop()!;
        hash = h.hashChildren(left.hash, hash);
        level += 1;
        index = Math.floor(index / 2);
        onNode?.(level, index, hash);
      }
      peaks.push({ level, hash });
      size += 1;
    },
    root() {
      if (peaks.length === 0) return h.emptyRoot();
      let r = peaks[peaks.length - 1]!.hash;
      for (let i = peaks.length - 2; i >= 0; i--) r = h.hashChildren(peaks[i]!.hash, r);
      return r;
    },
  };
}
