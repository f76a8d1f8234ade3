import { Worker } from 'node:worker_threads';
import { leafHashBase64, type HashAlgorithm } from './hash.ts';

/**
 * Leaf hashes of many entries at once, computed on a worker thread: ingestion's main thread is its
 * bottleneck (parsing, validation, JSON for the database, the driver), and SM3 of a ~380-byte record
 * version entry costs ~1.8 µs there, ~1.8 s per million rows. One message per chunk (the texts
 * joined by a newline, which canonical JSON never contains raw; the hashes back as one base64
 * string) keeps the hand-off to ~0.2 ms per 1,000 entries. The worker holds no state: if it fails,
 * the hashes are computed here instead, so a failure costs speed, never an entry.
 */

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { hash } = require('node:crypto');
parentPort.on('message', ({ id, alg, joined }) => {
  try {
    const texts = joined.split('\\n');
    let out = '';
    for (const t of texts) out += hash(alg, '\\u0000' + t, 'base64');
    parentPort.postMessage({ id, out });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  }
});
`;

/** Below this many entries the hand-off costs more than it saves: hashed on the calling thread. */
export const WORKER_MIN_ENTRIES = 200;

let worker: Worker | undefined;
let broken = false;
let nextId = 1;
const waiting = new Map<number, { resolve: (v: string[]) => void; reject: (e: Error) => void; n: number }>();

function ensureWorker(): Worker | undefined {
  // XINRONG_LEAF_HASH_WORKER=off: hash on the calling thread (a one-core host gains nothing).
  if (broken || process.env.XINRONG_LEAF_HASH_WORKER === 'off') return undefined;
  if (worker) return worker;
  try {
    // A small heap: the worker holds one chunk's texts and hashes at a time (~0.5 MB); V8's default
    // young generation alone would add tens of MB to the process (ingestion's budget at 1,000,000
    // rows is 400 MB of RSS).
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 48 },
    });
    w.on('message', (m: { id: number; out?: string; error?: string }) => {
      const p = waiting.get(m.id);
      if (!p) return;
      waiting.delete(m.id);
      if (waiting.size === 0) w.unref();
      if (m.error !== undefined || m.out === undefined) p.reject(new Error(m.error ?? 'no output'));
      else {
        // 32-byte digests are 44 base64 characters each.
        const out: string[] = new Array(p.n);
        for (let i = 0; i < p.n; i++) out[i] = m.out.slice(i * 44, i * 44 + 44);
        p.resolve(out);
      }
    });
    const fail = (e: unknown) => {
      broken = true;
      worker = undefined;
      for (const p of waiting.values()) p.reject(e instanceof Error ? e : new Error(String(e)));
      waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (worker === w) fail(new Error(`leaf hash worker exited (${code})`));
    });
    w.unref();
    worker = w;
    return w;
  } catch {
    broken = true;
    return undefined;
  }
}

/** H(0x00 ‖ UTF-8 of each text) as base64, in order. */
export async function leafHashesBase64(alg: HashAlgorithm, texts: string[]): Promise<string[]> {
  const local = () => texts.map((t) => leafHashBase64(alg, t));
  if (texts.length < WORKER_MIN_ENTRIES || texts.some((t) => t.includes('\n'))) return local();
  const w = ensureWorker();
  if (!w) return local();
  const id = nextId++;
  try {
    return await new Promise<string[]>((resolve, reject) => {
      waiting.set(id, { resolve, reject, n: texts.length });
      w.ref();
      w.postMessage({ id, alg, joined: texts.join('\n') });
    });
  } catch {
    return local();
  }
}

/** Stops the worker (tests, shutdown); the next call starts a new one. */
export async function stopLeafHashWorker(): Promise<void> {
  const w = worker;
  worker = undefined;
  broken = false;
  if (w) await w.terminate();
}
