import type { CatalogKind } from '../catalog/catalog.schema.ts';
import { ingestRows, type IngestContext } from '../ingest/ingest.service.ts';
import type { RowError } from '../records/record-store.service.ts';
import { ensureDictionaries } from '../subjects/dictionaries.ts';
import { rowsOf } from './kinds.ts';
import { seedKey as toSeedKey } from './prng.ts';
import { demoSubject, type DemoSubject } from './subjects.ts';

/**
 * `xinrong seed`: deterministic demo data written through the real ingestion path (validation,
 * versions, ledger queue, subjects), kind by kind, registration first so that subjects are created
 * from their 营业执照 and other records find them registered. Rows are generated lazily, subject by
 * subject, so memory stays flat from 1,000 to 1,000,000 subjects.
 */

export interface SeedOptions {
  subjects: number;
  seed: number | string;
  /** Only these kinds (codes); default every push kind of the current catalog. */
  kinds?: string[] | undefined;
  /** Called after each chunk of 1,000 rows: rows written so far of an estimated total. */
  onProgress?: ((p: { rows: number; estimatedTotal: number; kind: string }) => void) | undefined;
}

export interface SeedKindOutcome {
  kind: string;
  /** One batch per round of subjects. */
  batches: number[];
  received: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  /** The first rejected rows, if any (a generator bug: every generated row should pass). */
  errors: RowError[];
}

export interface SeedOutcome {
  seed: number | string;
  subjects: number;
  kinds: SeedKindOutcome[];
  rows: number;
  accepted: number;
  unchanged: number;
  rejected: number;
  seconds: number;
  rowsPerSecond: number;
}

/** The market-registration kind (营业执照信息) goes first: it makes subjects non-provisional. */
export function isRegistrationKindCode(code: string): boolean {
  return ['business_licence', 'business_license', 'market_registration', 'registration'].includes(code);
}

/** Push kinds of the catalog in the order the seed writes them (registration first). */
export function seedKinds(kinds: readonly CatalogKind[], only?: string[]): CatalogKind[] {
  const push = kinds.filter((k) => k.share_mode !== 'pull' && (!only || only.includes(k.code)));
  return [
    ...push.filter((k) => isRegistrationKindCode(k.code)),
    ...push.filter((k) => !isRegistrationKindCode(k.code)),
  ];
}

/** Rows of one kind for subjects [from, to), generated one subject at a time. */
export function* demoRows(
  kind: CatalogKind,
  seed: number | string,
  to: number,
  from = 0,
): Generator<Record<string, unknown>> {
  const key = toSeedKey(seed);
  for (let i = from; i < to; i++) yield* rowsOf(kind, demoSubject(key, i), key);
}

function estimateRows(kinds: CatalogKind[], seed: number | string, n: number): number {
  const sample = Math.min(n, 400);
  let rows = 0;
  for (const k of kinds) for (const _ of demoRows(k, seed, sample)) rows++;
  return Math.max(1, Math.round((rows * n) / Math.max(1, sample)));
}

/**
 * Subjects per round: each round generates its subjects once (≈ 1.5 kB each), then writes one batch
 * per kind for them, registration first. Bounded memory whatever the total, and every batch stays far
 * below the upload size limit (a kind's batch holds at most a few rows per subject).
 */
export const subjectsPerRound = 20_000;

export async function seedDemo(ctx: IngestContext, opts: SeedOptions): Promise<SeedOutcome> {
  if (!Number.isInteger(opts.subjects) || opts.subjects < 0) {
    throw new Error('subjects must be an integer ≥ 0');
  }
  const started = Date.now();
  await ensureDictionaries(ctx.db);
  const catalog = (await ctx.catalog.findCurrent()) ?? (await ctx.catalog.ensureSeedCatalog());
  const kinds = seedKinds(catalog.kinds, opts.kinds);
  const key = toSeedKey(opts.seed);
  const estimatedTotal = estimateRows(kinds, opts.seed, opts.subjects);
  const byKind = new Map<string, SeedKindOutcome>(
    kinds.map((k) => [
      k.code,
      { kind: k.code, batches: [], received: 0, accepted: 0, unchanged: 0, rejected: 0, errors: [] },
    ]),
  );
  let done = 0;
  for (let from = 0; from < opts.subjects; from += subjectsPerRound) {
    const to = Math.min(opts.subjects, from + subjectsPerRound);
    const round: DemoSubject[] = [];
    for (let i = from; i < to; i++) round.push(demoSubject(key, i));
    for (const kind of kinds) {
      const before = done;
      const out = await ingestRows(ctx, {
        providerId: kind.providers[0]!.id,
        kindCode: kind.code,
        rows: (function* () {
          for (const s of round) yield* rowsOf(kind, s, key);
        })(),
        source: 'seed',
        format: 'seed',
        filename: `seed-${String(opts.seed)}-${kind.code}-${from}-${to - 1}.ndjson`,
        errorLimit: 5,
        onProgress: (p) => {
          const rows = before + p.received;
          opts.onProgress?.({ rows, estimatedTotal: Math.max(estimatedTotal, rows), kind: kind.code });
        },
      });
      done += out.received;
      const acc = byKind.get(kind.code)!;
      acc.batches.push(out.batch);
      acc.received += out.received;
      acc.accepted += out.accepted;
      acc.unchanged += out.unchanged;
      acc.rejected += out.rejected;
      if (acc.errors.length < 5) acc.errors.push(...out.errors.slice(0, 5 - acc.errors.length));
    }
  }
  const outcomes = [...byKind.values()];
  const seconds = (Date.now() - started) / 1000;
  const sum = (k: 'received' | 'accepted' | 'unchanged' | 'rejected') =>
    outcomes.reduce((a, o) => a + o[k], 0);
  return {
    seed: opts.seed,
    subjects: opts.subjects,
    kinds: outcomes,
    rows: sum('received'),
    accepted: sum('accepted'),
    unchanged: sum('unchanged'),
    rejected: sum('rejected'),
    seconds: Math.round(seconds * 10) / 10,
    rowsPerSecond: seconds > 0 ? Math.round(sum('received') / seconds) : 0,
  };
}
