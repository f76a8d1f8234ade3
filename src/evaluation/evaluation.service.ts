import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Actor } from '../access/actor.ts';
import { loadCatalogView, type CatalogSource } from '../access/catalog-view.ts';
import { chinaDay } from '../access/china-time.ts';
import { authorizeUse } from '../consent/consent.service.ts';
import { dialectName, type Db } from '../db/database.ts';
import { enqueueLedgerEntries } from '../ledger/ledger-queue.ts';
import { canonicalJson } from '../records/canonical.ts';
import {
  computeFeaturesForRange,
  computeFeaturesForSubjects,
  maxRecordVersionId,
  type FeatureRow,
} from '../records/evaluation-features.repository.ts';
import { AppError } from '../shared/errors.ts';
import { findSubjectRow } from '../subjects/subjects.repository.ts';
import { featureKinds, type FeatureValue } from './feature-spec.ts';
import * as repo from './evaluation.repository.ts';
import {
  evaluationModelSchema,
  modelFeatures,
  modelFields,
  modelKinds,
  type EvaluationModel,
  type EvaluationModelDocument,
} from './model.schema.ts';
import { binOf, maxPoints, scoreSubject } from './scoring.ts';

/**
 * Credit evaluation (信用评价): model versions, full and incremental runs over every subject, and the
 * subject's evaluation as each role may see it. Decisions: docs/decisions/0080-evaluation-model.md,
 * 0081-evaluation-features.md, 0082-evaluation-runs.md, 0083-evaluation-access.md.
 */

const defaultModelPath = new URL('./data/default-model.json', import.meta.url);

export interface EvaluationServiceDeps {
  db: Db;
  catalog?: CatalogSource | undefined;
  clock?: () => Date;
  /** Subjects per chunk of a run (one SQL statement each). */
  chunkSize?: number;
  /** Chunks in flight at once (PostgreSQL: 3, so two cores stay busy while Node scores a chunk; PGlite: 1). */
  concurrency?: number;
}

export type RunMode = 'full' | 'incremental' | 'auto';

export interface RunOptions {
  mode?: RunMode;
  /** Evaluation date (YYYY-MM-DD, China time); default today. */
  asOf?: string;
  triggeredBy?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface RunSummary {
  runId: number | null;
  mode: 'full' | 'incremental';
  modelVersion: number;
  asOf: string;
  subjectsEvaluated: number;
  subjectsChanged: number;
  gradeCounts: Record<string, number>;
  resultsDigest: string | null;
  recordWatermark: number;
  seconds: number;
  /** Why nothing ran (incremental with nothing queued). */
  skipped?: string;
}

export interface ReasonView {
  code: string;
  indicator: string;
  zh: string;
  en: string;
  pointsLost: number;
  disputed: boolean;
}

export interface IndicatorView {
  code: string;
  nameZh: string;
  nameEn: string;
  category: string;
  points: number;
  max: number;
  value: FeatureValue;
  binZh: string | null;
  binEn: string | null;
  disputed: boolean;
}

export interface SubjectEvaluationView {
  uscc: string;
  /** self | operator | consent | public */
  basis: string;
  modelVersion: number;
  modelLabel: string;
  runId: number;
  asOf: string;
  evaluatedAt: string;
  score: number;
  grade: string;
  gradeZh: string;
  gradeEn: string;
  /** Reasons (up to four): the subject itself, operators, and institutions under consent. */
  reasons: ReasonView[] | null;
  /** Indicator-by-indicator points, recomputed now with the same model (same as-of date). */
  indicators: IndicatorView[] | null;
  history: { runId: number; modelVersion: number; asOf: string; score: number; grade: string; at: string }[];
  /** Indicators whose reasons are withheld from this viewer (not covered by the consent). */
  withheld: string[];
  consentId: string | null;
}

const STALE_RUN_MS = 6 * 60 * 60 * 1000;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function describeZod(e: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return e.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

export function parseModelDocument(input: unknown): EvaluationModelDocument {
  const parsed = evaluationModelSchema.safeParse(input);
  if (!parsed.success) throw new AppError('evaluation_model_invalid', { detail: describeZod(parsed.error) });
  return parsed.data;
}

export function loadDefaultModelDocument(): EvaluationModelDocument {
  return parseModelDocument(JSON.parse(readFileSync(defaultModelPath, 'utf8')));
}

/** What makes a stored score "the same" as a new one: a new history row is written only on change. */
function signatureOf(
  modelVersion: number,
  score: number,
  grade: string,
  reasons: repo.StoredReason[],
): string {
  let sig = `${modelVersion}|${score}|${grade}`;
  for (const r of reasons) sig += `|${r.code}:${r.points_lost}:${r.value}:${r.disputed ? 1 : 0}`;
  return sig;
}

function actorName(actor: Actor): string {
  if (actor.type === 'anonymous') return 'anonymous';
  if (actor.type === 'system') return `system:${actor.name}`;
  return `${actor.type}:${actor.id}`;
}

export function createEvaluationService(deps: EvaluationServiceDeps) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const chunkSize = deps.chunkSize ?? 4000;
  const concurrency = deps.concurrency ?? (dialectName(db) === 'postgres' ? 3 : 1);
  const modelCache = new Map<number, EvaluationModel>();

  async function modelOf(version: number): Promise<EvaluationModel> {
    const cached = modelCache.get(version);
    if (cached) return cached;
    const row = await repo.findModel(db, version);
    if (!row) throw new AppError('evaluation_model_not_found', { version });
    const model = { ...parseModelDocument(row.document), version: row.version, digest: row.digest };
    modelCache.set(version, model);
    return model;
  }

  async function currentModel(): Promise<EvaluationModel> {
    const latest = await repo.findLatestModel(db);
    if (latest) return modelOf(latest.version);
    // Two processes starting at once import the default once (the insert re-checks under a lock).
    await importModel({ type: 'system', name: 'evaluation' }, loadDefaultModelDocument(), {
      onlyIfNone: true,
    });
    return currentModel();
  }

  /** Checks a model against the current catalog: unknown kinds or fields are warnings, not errors. */
  async function catalogWarnings(doc: EvaluationModelDocument): Promise<string[]> {
    let view;
    try {
      view = await loadCatalogView(db, deps.catalog);
    } catch {
      return ['尚未导入信用信息目录，未核对信息项 / no catalog yet: kinds not checked'];
    }
    const warnings: string[] = [];
    for (const kind of modelKinds(doc)) {
      if (!view.kinds.has(kind)) warnings.push(`目录中没有信息项 / kind not in catalog: ${kind}`);
    }
    for (const { kind, field } of modelFields(doc)) {
      const k = view.kinds.get(kind);
      if (k && !k.fields.some((f) => f.code === field)) {
        warnings.push(`信息项 ${kind} 没有字段 / kind ${kind} has no field: ${field}`);
      }
    }
    return warnings;
  }

  async function importModel(
    actor: Actor,
    input: unknown,
    opts: { onlyIfNone?: boolean } = {},
  ): Promise<{ version: number; digest: string; label: string; warnings: string[] }> {
    const doc = parseModelDocument(input);
    const documentJson = canonicalJson(doc);
    const digest = sha256(documentJson);
    const warnings = await catalogWarnings(doc);
    const importedBy = actorName(actor);
    const version = await db.transaction().execute(async (trx) => {
      const v = await repo.insertModel(trx, {
        label: doc.label,
        digest,
        documentJson,
        importedBy,
        onlyIfNone: opts.onlyIfNone,
      });
      if (v === undefined) return 0;
      await enqueueLedgerEntries(trx, [
        {
          entryType: 'evaluation_model',
          refTable: 'evaluation_models',
          refId: v,
          payload: { version: v, label: doc.label, digest_sha256: digest, imported_by: importedBy },
        },
      ]);
      return v;
    });
    return { version, digest, label: doc.label, warnings };
  }

  /** Cleans up after runs whose process died: their partial scores go, their queue claims return. */
  async function recoverStaleRuns(): Promise<void> {
    for (const id of await repo.listStaleRuns(db, new Date(clock().getTime() - STALE_RUN_MS))) {
      await db.transaction().execute(async (trx) => {
        await repo.deleteScoresOfRun(trx, id);
        await repo.releaseClaimed(trx, id);
        await repo.failRun(trx, id, 'abandoned (process stopped while running)');
      });
    }
  }

  async function run(opts: RunOptions = {}): Promise<RunSummary> {
    const started = Date.now();
    const model = await currentModel();
    const asOf = opts.asOf ?? chinaDay(clock());
    await recoverStaleRuns();
    let mode: 'full' | 'incremental';
    if (opts.mode === 'full' || opts.mode === 'incremental') {
      mode = opts.mode;
    } else {
      const lastFull = await repo.findLastCompletedRun(db, 'full');
      mode =
        !lastFull || lastFull.modelVersion !== model.version || lastFull.asOf < asOf ? 'full' : 'incremental';
    }
    const watermark = await maxRecordVersionId(db);
    const base = {
      mode,
      modelVersion: model.version,
      asOf,
      recordWatermark: watermark,
    };
    if (mode === 'incremental' && (await repo.countPending(db)) === 0) {
      return {
        ...base,
        runId: null,
        subjectsEvaluated: 0,
        subjectsChanged: 0,
        gradeCounts: {},
        resultsDigest: null,
        seconds: (Date.now() - started) / 1000,
        skipped: 'nothing queued',
      };
    }
    const runId = await repo.insertRun(db, {
      modelVersion: model.version,
      mode,
      asOf,
      triggeredBy: opts.triggeredBy ?? 'system',
      recordWatermark: watermark,
    });
    if (runId === undefined) throw new AppError('evaluation_run_in_progress');

    try {
      const claimed = await repo.claimPending(db, runId);
      const specs = modelFeatures(model);
      const total = mode === 'full' ? await repo.countSubjects(db) : claimed.length;

      // Chunks: registry ranges (full) or lists of queued subjects (incremental).
      let cursor: string | null = null;
      let listPos = 0;
      let nextIndex = 0;
      let exhausted = false;
      let fetching: Promise<unknown> = Promise.resolve();
      type Chunk = { index: number; range?: { from: string; to: string }; list?: string[] };
      const nextChunk = (): Promise<Chunk | undefined> => {
        const p = fetching.then(async (): Promise<Chunk | undefined> => {
          if (exhausted) return undefined;
          if (mode === 'full') {
            const c = await repo.nextSubjectChunk(db, cursor, chunkSize);
            if (!c) {
              exhausted = true;
              return undefined;
            }
            cursor = c.to;
            return { index: nextIndex++, range: { from: c.from, to: c.to } };
          }
          if (listPos >= claimed.length) {
            exhausted = true;
            return undefined;
          }
          const list = claimed.slice(listPos, listPos + chunkSize);
          listPos += chunkSize;
          return { index: nextIndex++, list };
        });
        fetching = p;
        return p;
      };

      // Results digest: SHA-256 over one line per subject in uscc order, whatever the concurrency.
      const hash = createHash('sha256');
      const pendingLines = new Map<number, string>();
      let nextToHash = 0;
      const gradeCounts: Record<string, number> = {};
      let evaluated = 0;
      let changed = 0;

      const processChunk = async (chunk: Chunk) => {
        const rows: FeatureRow[] = chunk.range
          ? await computeFeaturesForRange(db, specs, chunk.range, asOf)
          : await computeFeaturesForSubjects(db, specs, chunk.list!, asOf);
        const current = new Map(
          (await repo.listCurrentScores(db, chunk.range ?? { usccs: chunk.list! })).map((s) => [s.uscc, s]),
        );
        const inserts: { uscc: string; score: number; grade: string; reasonsJson: string }[] = [];
        let lines = '';
        for (const row of rows) {
          const s = scoreSubject(model, row.values, row.disputedKinds);
          const reasons: repo.StoredReason[] = s.reasons.map((r) => ({
            code: r.code,
            indicator: r.indicator,
            points_lost: r.pointsLost,
            value: r.value,
            disputed: r.disputed,
          }));
          const prev = current.get(row.uscc);
          if (
            !prev ||
            signatureOf(prev.modelVersion, prev.score, prev.grade, prev.reasons) !==
              signatureOf(model.version, s.score, s.grade, reasons)
          ) {
            inserts.push({
              uscc: row.uscc,
              score: s.score,
              grade: s.grade,
              reasonsJson: JSON.stringify(reasons),
            });
          }
          gradeCounts[s.grade] = (gradeCounts[s.grade] ?? 0) + 1;
          lines += `${row.uscc}\t${s.score}\t${s.grade}\t${reasons.map((r) => r.code).join(',')}\n`;
        }
        await repo.insertScores(db, runId, model.version, asOf, inserts);
        evaluated += rows.length;
        changed += inserts.length;
        pendingLines.set(chunk.index, lines);
        while (pendingLines.has(nextToHash)) {
          hash.update(pendingLines.get(nextToHash)!);
          pendingLines.delete(nextToHash);
          nextToHash++;
        }
        opts.onProgress?.(evaluated, total);
      };

      const worker = async () => {
        for (let c = await nextChunk(); c; c = await nextChunk()) await processChunk(c);
      };
      await Promise.all(Array.from({ length: concurrency }, worker));

      const digest = hash.digest('hex');
      await db.transaction().execute(async (trx) => {
        await repo.completeRun(trx, runId, { evaluated, changed, gradeCounts, digest });
        await repo.deleteClaimed(trx, runId);
        await enqueueLedgerEntries(trx, [
          {
            entryType: 'evaluation_run',
            refTable: 'evaluation_runs',
            refId: runId,
            payload: {
              run_id: runId,
              model_version: model.version,
              model_digest: model.digest,
              mode,
              as_of: asOf,
              record_watermark: watermark,
              subjects_evaluated: evaluated,
              subjects_changed: changed,
              grade_counts: gradeCounts,
              results_digest: digest,
            },
          },
        ]);
      });
      return {
        ...base,
        runId,
        subjectsEvaluated: evaluated,
        subjectsChanged: changed,
        gradeCounts,
        resultsDigest: digest,
        seconds: (Date.now() - started) / 1000,
      };
    } catch (e) {
      await db.transaction().execute(async (trx) => {
        await repo.deleteScoresOfRun(trx, runId);
        await repo.releaseClaimed(trx, runId);
        await repo.failRun(trx, runId, e instanceof Error ? e.message : String(e));
      });
      throw e;
    }
  }

  /** Live indicator breakdown of one subject with a given model and as-of date. */
  async function breakdown(model: EvaluationModel, uscc: string, asOf: string) {
    const [row] = await computeFeaturesForSubjects(db, modelFeatures(model), [uscc], asOf);
    if (!row) return undefined;
    return { row, scored: scoreSubject(model, row.values, row.disputedKinds) };
  }

  async function getSubjectEvaluation(
    actor: Actor,
    rawUscc: string,
    opts: { consentId?: string | undefined } = {},
  ): Promise<SubjectEvaluationView> {
    const uscc = rawUscc;
    let basis: 'self' | 'operator' | 'consent' | 'public';
    if (actor.type === 'operator' || actor.type === 'system') basis = 'operator';
    else if (actor.type === 'enterprise') {
      if (actor.uscc !== uscc) throw new AppError('forbidden');
      basis = 'self';
    } else if (actor.type === 'institution' || actor.type === 'institution_system') {
      basis = opts.consentId ? 'consent' : 'public';
    } else throw new AppError('forbidden');

    if (!(await findSubjectRow(db, uscc))) {
      throw new AppError('not_found', { what: `主体 / subject ${uscc}` });
    }
    const stored = await repo.findCurrentScore(db, uscc);
    if (!stored) throw new AppError('evaluation_not_found', { uscc });
    const model = await modelOf(stored.modelVersion);
    const grade = model.grades.find((g) => g.grade === stored.grade);
    const history = (await repo.listScoreHistory(db, uscc, 20)).map((h) => ({
      runId: h.runId,
      modelVersion: h.modelVersion,
      asOf: h.asOf,
      score: h.score,
      grade: h.grade,
      at: h.createdAt.toISOString(),
    }));

    // Which indicators this viewer may see explained: all (self, operator), or under a consent the
    // indicators whose kinds are all allowed by it or public (公开) in the catalog.
    let visible: (code: string) => boolean = () => basis !== 'public';
    let consentId: string | null = null;
    if (basis === 'consent') {
      const kinds = modelKinds(model);
      const auth = await db
        .transaction()
        .execute(async (trx) =>
          authorizeUse(
            trx,
            { actor, uscc, kinds, mode: 'verify', consentId: opts.consentId },
            clock,
            await loadCatalogView(trx, deps.catalog),
          ),
        );
      consentId = auth.consent.id;
      const view = await loadCatalogView(db, deps.catalog);
      const allowed = new Set(auth.allowedKinds);
      for (const k of kinds) if (view.kinds.get(k)?.openness === 'public') allowed.add(k);
      const byCode = new Map(model.indicators.map((i) => [i.code, i]));
      visible = (code) => {
        const ind = byCode.get(code);
        return !!ind && featureKinds(ind.feature).every((k) => allowed.has(k));
      };
    }

    const reasons: ReasonView[] = stored.reasons
      .filter((r) => visible(r.indicator))
      .map((r) => {
        const ind = model.indicators.find((i) => i.code === r.indicator);
        const bin = ind ? ind.bins[binOf(ind, r.value)] : undefined;
        const fill = (t: string) =>
          t.replaceAll(
            '{value}',
            r.value === null
              ? '—'
              : String(typeof r.value === 'number' ? Math.round(r.value * 10) / 10 : r.value),
          );
        return {
          code: r.code,
          indicator: r.indicator,
          zh: fill(bin?.reason_zh ?? ind?.reason.zh ?? r.code),
          en: fill(bin?.reason_en ?? ind?.reason.en ?? r.code),
          pointsLost: r.points_lost,
          disputed: r.disputed,
        };
      });
    let indicators: IndicatorView[] | null = null;
    if (basis !== 'public') {
      const live = await breakdown(model, uscc, stored.asOf);
      if (live) {
        const disputed = new Set(live.row.disputedKinds);
        indicators = model.indicators.flatMap((ind, i) => {
          if (!visible(ind.code)) return [];
          const o = live.scored.indicators[i]!;
          const bin = ind.bins[o.bin]!;
          return [
            {
              code: ind.code,
              nameZh: ind.name_zh,
              nameEn: ind.name_en,
              category: ind.category,
              points: o.points,
              max: maxPoints(ind),
              value: o.value,
              binZh: bin.label_zh ?? null,
              binEn: bin.label_en ?? null,
              disputed: featureKinds(ind.feature).some((k) => disputed.has(k)),
            },
          ];
        });
      }
    }
    const withheld =
      basis === 'public'
        ? stored.reasons.map((r) => r.indicator)
        : stored.reasons.filter((r) => !visible(r.indicator)).map((r) => r.indicator);
    return {
      uscc,
      basis,
      modelVersion: model.version,
      modelLabel: model.label,
      runId: stored.runId,
      asOf: stored.asOf,
      evaluatedAt: stored.createdAt.toISOString(),
      score: stored.score,
      grade: stored.grade,
      gradeZh: grade?.label_zh ?? stored.grade,
      gradeEn: grade?.label_en ?? stored.grade,
      reasons: basis === 'public' ? null : reasons,
      indicators,
      history,
      withheld,
      consentId,
    };
  }

  return {
    importModel,
    currentModel,
    /** Imports the default model when no model exists yet (idempotent). */
    async ensureModel(): Promise<EvaluationModel> {
      return currentModel();
    },
    getModel: (version?: number) => (version === undefined ? currentModel() : modelOf(version)),
    listModels: () => repo.listModels(db),
    run,
    listRuns: (limit = 50, beforeId?: number) =>
      repo.listRuns(db, Math.min(Math.max(limit, 1), 500), beforeId),
    async getRun(id: number) {
      const r = await repo.findRun(db, id);
      if (!r) throw new AppError('evaluation_run_not_found', { id });
      return r;
    },
    getSubjectEvaluation,
    /** Queues subjects for the next incremental run (changes the triggers do not see). */
    enqueueSubjects: (usccs: string[]) => repo.enqueueSubjects(db, usccs),
    countPending: () => repo.countPending(db),
    currentGradeCounts: () => repo.currentGradeCounts(db),
  };
}

export type EvaluationService = ReturnType<typeof createEvaluationService>;
