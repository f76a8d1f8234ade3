import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { canonicalEntry } from './canonical.ts';
import { verifyCheckpoint, type CheckpointBody, type NoteKey } from './checkpoint.ts';
import { HASH_SIZE, treeHasher, type HashAlgorithm } from './hash.ts';
import * as repo from './ledger.repository.ts';
import { compactRange } from './merkle.ts';
import { checkSources, findUnlogged, type SourceEntry } from './sources.ts';
import { INNER_FROM, innerStartOf, TILE_HEIGHT, TILE_WIDTH, type Tile } from './tiles.ts';

/**
 * Full verification (`xinrong ledger verify`, POST /api/v1/ledger/verify): recomputes every leaf from
 * the stored entries, rebuilds the tree and checks it against the stored tiles and against every
 * signed checkpoint (signature and root), then checks each entry against the row it records
 * (sources.ts). Streams the log in pages: memory stays flat at any size.
 */

type Db = Kysely<Database>;

export type VerifyProblemKind =
  | 'checkpoint_signature'
  | 'checkpoint_mismatch'
  | 'checkpoint_root'
  | 'state'
  | 'runs_gap'
  | 'entry_missing'
  | 'leaf_hash'
  | 'tile'
  | 'uncovered_entry'
  | 'source_missing'
  | 'source_mismatch'
  | 'source_unlogged';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  leafIndex?: number;
  entryId?: number;
  refTable?: string;
  refId?: string;
  checkpointId?: number;
  treeSize?: number;
  message: { zh: string; en: string };
}

export interface VerifyReport {
  ok: boolean;
  hashAlgorithm: string | null;
  treeSize: number;
  leavesChecked: number;
  checkpointsChecked: number;
  sourceChecks: boolean;
  /** Entries committed but not yet sequenced (normal; the sequencer runs every second). */
  pending: number;
  /** The first leaf that does not match, and the record behind it. */
  firstBadLeaf?: {
    leafIndex: number;
    /** When only a signed root disagrees (tiles rewritten too): the bad leaf is below this size. */
    beforeTreeSize?: number;
    entryId?: number;
    refTable?: string;
    refId?: string;
    message: { zh: string; en: string };
  };
  problemCount: number;
  /** The first problems found (at most `maxProblems`). */
  problems: VerifyProblem[];
  durationMs: number;
  leavesPerSecond: number;
}

export interface VerifyOptions {
  keys: NoteKey[];
  /** Check entries against their source rows (default true). */
  sources?: boolean;
  maxProblems?: number;
  /** Leaves per page (default 5000). */
  pageSize?: number;
  onProgress?: (done: number, total: number) => void;
}

const leafProblemKinds = new Set<VerifyProblemKind>([
  'runs_gap',
  'entry_missing',
  'leaf_hash',
  'tile',
  'source_missing',
  'source_mismatch',
]);

export async function verifyLedger(db: Db, opts: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const maxProblems = opts.maxProblems ?? 100;
  const pageSize = opts.pageSize ?? 5000;
  const sources = opts.sources ?? true;
  const problems: VerifyProblem[] = [];
  let problemCount = 0;
  const add = (p: VerifyProblem) => {
    problemCount += 1;
    if (problems.length < maxProblems) problems.push(p);
  };

  const state = await repo.findState(db);
  const treeSize = state?.treeSize ?? 0;
  const alg = (state?.hashAlg ?? 'sm3') as HashAlgorithm;
  const h = treeHasher(alg);
  const cursor = repo.cursorOf(state);

  // 1. Checkpoints, streamed in size order beside the leaves (a busy log signs thousands a day): each
  // must carry a valid signature of a known key, say what its row says, and match the rebuilt root.
  let cpPage: repo.CheckpointRow[] = [];
  let cpPos = 0;
  let cpDone = false;
  let checkpointsChecked = 0;
  const peekCheckpoint = async (): Promise<repo.CheckpointRow | undefined> => {
    if (cpPos >= cpPage.length && !cpDone) {
      const last = cpPage[cpPage.length - 1];
      cpPage = await repo.listCheckpoints(db, last ? { treeSize: last.treeSize, id: last.id } : null, 1000);
      cpPos = 0;
      cpDone = cpPage.length < 1000;
    }
    return cpPage[cpPos];
  };
  const verifySigned = (c: repo.CheckpointRow): Buffer | undefined => {
    const key =
      opts.keys.find((k) => k.keyName === c.keyName && k.algorithm === c.signatureAlg) ?? opts.keys[0];
    let body: CheckpointBody | undefined;
    let reason = 'no known key';
    for (const k of key ? [key, ...opts.keys.filter((x) => x !== key)] : []) {
      const v = verifyCheckpoint(c.note, k);
      if (v.ok) {
        body = v.value;
        break;
      }
      reason = v.reason;
    }
    if (!body) {
      add({
        kind: 'checkpoint_signature',
        checkpointId: c.id,
        treeSize: c.treeSize,
        message: {
          zh: `检查点 #${c.id}（大小 ${c.treeSize}）签名无效：${reason}（伪造的检查点？）`,
          en: `checkpoint #${c.id} (size ${c.treeSize}) has no valid signature: ${reason} (forged checkpoint?)`,
        },
      });
      return undefined;
    }
    const root = Buffer.from(body.rootHash);
    if (
      body.treeSize !== c.treeSize ||
      root.toString('base64') !== c.rootHash ||
      body.hashAlgorithm !== alg
    ) {
      add({
        kind: 'checkpoint_mismatch',
        checkpointId: c.id,
        treeSize: c.treeSize,
        message: {
          zh: `检查点 #${c.id} 的签名文本与其记录的大小、根哈希或算法不一致`,
          en: `checkpoint #${c.id}: the signed text disagrees with its row (size, root or hash)`,
        },
      });
      return undefined;
    }
    return root;
  };
  let lastGoodSigned = 0;
  let rootFailure: { size: number; after: number } | undefined;
  const range = compactRange(h);
  /** Consumes the checkpoints up to `size` (the leaves rebuilt so far). */
  const checkSignedAt = async (size: number) => {
    for (let c = await peekCheckpoint(); c && c.treeSize <= size; c = await peekCheckpoint()) {
      cpPos += 1;
      checkpointsChecked += 1;
      const root = verifySigned(c);
      if (!root || c.treeSize !== size) continue; // size < current only after missing leaves: reported
      if (Buffer.from(range.root()).equals(root)) {
        if (!rootFailure) lastGoodSigned = size;
        continue;
      }
      rootFailure ??= { size, after: lastGoodSigned };
      add({
        kind: 'checkpoint_root',
        checkpointId: c.id,
        treeSize: size,
        message: {
          zh: `按现存条目重算的前 ${size} 个叶子的根哈希与签名检查点 #${c.id} 不符`,
          en: `the root recomputed from the stored entries for size ${size} differs from signed checkpoint #${c.id}`,
        },
      });
    }
  };
  await checkSignedAt(0);

  // 2. The leaves, in order: runs → queue rows → recomputed leaf hash vs the stored tiles.
  const upperTiles = new Map<number, Tile>(); // tile level → the tile being compared
  let tiles0 = new Map<number, Tile>(); // level-0 tiles of the current page
  const tileAt = async (tl: number, idx: number): Promise<Tile> => {
    if (tl === 0) {
      const t = tiles0.get(idx);
      if (t) return t;
    }
    let tile = upperTiles.get(tl);
    if (!tile || tile.idx !== idx) {
      tile = (await repo.listTiles(db, tl, idx, 1))[0];
      if (!tile || tile.idx !== idx) tile = { level: tl, idx, width: 0, hashes: Buffer.alloc(0) };
      upperTiles.set(tl, tile);
    }
    return tile;
  };
  /** A closed complete subtree against the stored tiles: an upper tile entry, or a stored inner node. */
  const checkNode = async (level: number, index: number, hash: Uint8Array) => {
    const tl = Math.floor(level / TILE_HEIGHT);
    const sub = level % TILE_HEIGHT;
    const first = index * 2 ** sub; // first tile-level entry under the node
    const tile = await tileAt(tl, Math.floor(first / TILE_WIDTH));
    let stored: Buffer | undefined;
    if (sub === 0) {
      const off = index % TILE_WIDTH;
      stored = off < tile.width ? tile.hashes.subarray(off * HASH_SIZE, (off + 1) * HASH_SIZE) : undefined;
    } else if (tile.width === TILE_WIDTH && tile.inner) {
      const at = innerStartOf(sub) + ((first % TILE_WIDTH) >> sub);
      stored = tile.inner.subarray(at * HASH_SIZE, (at + 1) * HASH_SIZE);
    } else {
      return; // not stored: nothing to compare
    }
    if (!stored || !stored.equals(Buffer.from(hash))) {
      add({
        kind: 'tile',
        leafIndex: index * 2 ** level,
        message: {
          zh: `存储的树节点（层 ${level}，序号 ${index}）与重算结果不符`,
          en: `stored tree node (level ${level}, index ${index}) differs from the recomputed one`,
        },
      });
    }
  };

  let leaf = 0;
  let runs: repo.Run[] = [];
  let runPos = 0;
  let inRun = -1; // first leaf of the run being walked
  let covered = 0;
  const gap = (from: number, to: number) =>
    add({
      kind: 'runs_gap',
      leafIndex: from,
      message: {
        zh: `叶子 ${from}–${to - 1} 没有对应的条目位置记录（被删除？）`,
        en: `leaves ${from}–${to - 1} have no entry position (deleted?)`,
      },
    });
  let gapUntil = -1;
  while (leaf < treeSize) {
    // Gather up to pageSize leaves → queue ids (undefined where the position record is gone).
    const page: Array<{ leaf: number; id: number | undefined }> = [];
    while (page.length < pageSize && leaf + page.length < treeSize) {
      const at = leaf + page.length;
      if (runPos >= runs.length) {
        runs = await repo.listRuns(db, at, 1000);
        runPos = 0;
      }
      const run = runs[runPos];
      const next = run ? run.firstLeaf : treeSize;
      if (next > at) {
        const end = Math.min(next, treeSize);
        if (at >= gapUntil) gap(at, end);
        gapUntil = end;
        for (let i = at; i < end && page.length < pageSize; i++) page.push({ leaf: i, id: undefined });
        continue;
      }
      if (run!.firstLeaf !== inRun && run!.firstLeaf < at) {
        add({
          kind: 'runs_gap',
          leafIndex: run!.firstLeaf,
          message: {
            zh: `叶子 ${run!.firstLeaf} 起的位置记录与前一段重叠（被插入？）`,
            en: `the position record from leaf ${run!.firstLeaf} overlaps the previous one (inserted?)`,
          },
        });
        runPos += 1;
        continue;
      }
      inRun = run!.firstLeaf;
      const k = at - run!.firstLeaf;
      if (k >= run!.entryCount) {
        runPos += 1;
        continue;
      }
      page.push({ leaf: at, id: run!.firstEntryId + k });
    }

    const firstTile = Math.floor(page[0]!.leaf / TILE_WIDTH);
    const lastTile = Math.floor(page[page.length - 1]!.leaf / TILE_WIDTH);
    tiles0 = new Map(
      (await repo.listTiles(db, 0, firstTile, lastTile - firstTile + 1)).map((t) => [t.idx, t] as const),
    );
    const rows = await repo.findQueueRowsByIds(
      db,
      page.filter((p) => p.id !== undefined).map((p) => p.id!),
    );
    const sourcePage: SourceEntry[] = [];
    for (const p of page) {
      const tile0 = tiles0.get(Math.floor(p.leaf / TILE_WIDTH));
      const off = p.leaf % TILE_WIDTH;
      const stored =
        tile0 && off < tile0.width
          ? tile0.hashes.subarray(off * HASH_SIZE, (off + 1) * HASH_SIZE)
          : undefined;
      const row = p.id === undefined ? undefined : rows.get(p.id);
      let hash: Buffer | undefined;
      if (p.id !== undefined && !row) {
        add({
          kind: 'entry_missing',
          leafIndex: p.leaf,
          entryId: p.id,
          message: {
            zh: `第 ${p.leaf} 号叶子的条目（队列 id ${p.id}）已被删除`,
            en: `the entry of leaf ${p.leaf} (queue id ${p.id}) was deleted`,
          },
        });
      } else if (row) {
        covered += 1;
        hash = h.hashLeaf(canonicalEntry(row));
        if (!stored || !stored.equals(hash)) {
          add({
            kind: 'leaf_hash',
            leafIndex: p.leaf,
            entryId: row.id,
            refTable: row.refTable,
            refId: row.refId,
            message: {
              zh: `第 ${p.leaf} 号叶子（${row.refTable} ${row.refId}）的条目内容与账本不符（被改动或调换）`,
              en: `leaf ${p.leaf} (${row.refTable} ${row.refId}): the stored entry does not match the log (changed or swapped)`,
            },
          });
        }
        if (sources) sourcePage.push({ leafIndex: p.leaf, entryId: row.id, facts: row });
      }
      // Keep rebuilding with the stored hash where the entry is gone, so later leaves stay comparable.
      const use = hash ?? stored ?? h.emptyRoot();
      const closed: Array<[number, number, Uint8Array]> = [];
      range.append(use, (level, index, nodeHash) => {
        const sub = level % TILE_HEIGHT;
        if ((level > 0 && sub === 0) || sub >= INNER_FROM) closed.push([level, index, nodeHash]);
      });
      for (const [level, index, nodeHash] of closed) await checkNode(level, index, nodeHash);
      const next = cpPage[cpPos];
      if ((next && next.treeSize <= range.size) || (!next && !cpDone)) await checkSignedAt(range.size);
    }
    if (sourcePage.length) for (const p of await checkSources(db, sourcePage)) add(p);
    leaf += page.length;
    opts.onProgress?.(leaf, treeSize);
  }

  // Checkpoints beyond the log: signed for leaves that are gone.
  for (let c = await peekCheckpoint(); c; c = await peekCheckpoint()) {
    cpPos += 1;
    checkpointsChecked += 1;
    if (!verifySigned(c)) continue;
    add({
      kind: 'state',
      checkpointId: c.id,
      treeSize: c.treeSize,
      message: {
        zh: `已签名的检查点 #${c.id} 有 ${c.treeSize} 个叶子，账本只剩 ${treeSize} 个（叶子被删除？）`,
        en: `signed checkpoint #${c.id} covers ${c.treeSize} leaves, the log now has ${treeSize} (leaves deleted?)`,
      },
    });
  }

  // 3. Queue rows the sequencer passed but no run covers: written behind its back.
  if (cursor) {
    const upTo = await repo.countQueueUpTo(db, cursor);
    if (upTo > covered) {
      for (const r of await repo.findUncoveredQueueRows(db, cursor, state?.openXids ?? [], maxProblems)) {
        add({
          kind: 'uncovered_entry',
          entryId: r.id,
          refTable: r.refTable,
          refId: r.refId,
          message: {
            zh: `队列条目 ${r.id}（${r.refTable} ${r.refId}）不在账本中，却早于已排序的位置（手工插入？）`,
            en: `queue entry ${r.id} (${r.refTable} ${r.refId}) is older than the sequenced position but not in the log (inserted by hand?)`,
          },
        });
      }
    }
  }
  const pending = await repo.countPending(db, state);

  // 4. Rows that must all be in the ledger.
  if (sources) for (const p of await findUnlogged(db, maxProblems)) add(p);

  // The first bad leaf: the lowest leaf-level problem, or the range a failed signed root points to.
  let firstBadLeaf: VerifyReport['firstBadLeaf'];
  const leafProblems = problems.filter((p) => p.leafIndex !== undefined && leafProblemKinds.has(p.kind));
  if (leafProblems.length) {
    const first = leafProblems.reduce((a, b) => (b.leafIndex! < a.leafIndex! ? b : a));
    firstBadLeaf = {
      leafIndex: first.leafIndex!,
      entryId: first.entryId,
      refTable: first.refTable,
      refId: first.refId,
      message: first.message,
    };
  } else if (rootFailure) {
    firstBadLeaf = {
      leafIndex: rootFailure.after,
      beforeTreeSize: rootFailure.size,
      message: {
        zh: `首个被篡改的叶子位于 ${rootFailure.after} 与 ${rootFailure.size - 1} 之间（条目与树节点被一并改写）`,
        en: `the first tampered leaf lies between ${rootFailure.after} and ${rootFailure.size - 1} (entries and tree rewritten together)`,
      },
    };
  }
  const durationMs = performance.now() - started;
  return {
    ok: problemCount === 0,
    hashAlgorithm: state?.hashAlg ?? null,
    treeSize,
    leavesChecked: leaf,
    checkpointsChecked,
    sourceChecks: sources,
    pending,
    ...(firstBadLeaf ? { firstBadLeaf } : {}),
    problemCount,
    problems,
    durationMs: Math.round(durationMs),
    leavesPerSecond: durationMs > 0 ? Math.round((leaf * 1000) / durationMs) : 0,
  };
}
