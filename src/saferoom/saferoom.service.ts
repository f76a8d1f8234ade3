import { createHash } from 'node:crypto';
import type { Actor } from '../access/actor.ts';
import { loadCatalogView, type CatalogSource } from '../access/catalog-view.ts';
import { chinaDay } from '../access/china-time.ts';
import { authorizeUse } from '../consent/consent.service.ts';
import { dialectName, type Db } from '../db/database.ts';
import { createEvaluationService, type EvaluationService } from '../evaluation/evaluation.service.ts';
import { featureKinds, isLookAheadFree, type FeatureSpec } from '../evaluation/feature-spec.ts';
import { enqueueLedgerEntries } from '../ledger/ledger-queue.ts';
import { canonicalJson } from '../records/canonical.ts';
import {
  computeFeaturesForLoans,
  computeFeaturesForSubjects,
} from '../records/evaluation-features.repository.ts';
import { AppError, isAppError } from '../shared/errors.ts';
import * as repo from './saferoom.repository.ts';
import { parseLoansCsv, parseLoansJson, type LoanRow } from './saferoom.input.ts';
import { probabilityFromScore, type ScalingParams } from './scaling.ts';
import {
  defaultTrainingOptions,
  scoreWithModel,
  trainScorecard,
  TrainingError,
  type FeatureDefinition,
  type ScorecardModel,
  type TrainingRow,
} from './scorecard.ts';

/**
 * The data safe room (数据安全屋): an institution's loan outcomes meet the platform's features inside
 * the platform; only the model (bins, points), its metrics and aggregates over groups of at least k
 * distinct subjects come out, and per-subject scores only for subjects that consented. The platform
 * sees both sides in plain text: this is a trusted third party, not multi-party computation
 * (docs/decisions/0085-safe-room.md).
 */

/** The platform's floor for k; a job may ask for more, never less. */
export const MIN_K = 10;
/** Recent jobs of the same institution compared for differencing. */
const DIFFERENCING_WINDOW = 20;
/** Largest scoring request (subjects per call). */
export const MAX_SCORE_BATCH = 1000;

export interface SafeRoomServiceDeps {
  db: Db;
  catalog?: CatalogSource | undefined;
  evaluation?: Pick<EvaluationService, 'currentModel'>;
  clock?: () => Date;
  /** Platform minimum k (≥ 10). */
  minK?: number;
  /** Feature chunks in flight (PostgreSQL: 3; PGlite: 1). */
  concurrency?: number;
}

export interface JobOptionsInput {
  k?: number;
  min_bin_share?: number;
  min_iv?: number;
  l2?: number;
  validation_share?: number;
  scaling?: Partial<{ base_score: number; base_odds: number; pdo: number }>;
  /** Feature codes to consider (default: every look-ahead-free indicator of the evaluation model). */
  features?: string[];
}

export interface JobView {
  id: number;
  institutionId: string;
  name: string;
  status: string;
  inputFormat: string;
  inputSha256: string;
  inputRows: number;
  inputSubjects: number;
  options: Record<string, unknown>;
  result: Record<string, unknown> | null;
  resultSha256: string | null;
  error: { code: string; zh: string; en: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ScoreOutcome {
  uscc: string;
  /** scored | refused */
  status: 'scored' | 'refused';
  score: number | null;
  /** P(default) implied by the score under the job's scaling. */
  probability: number | null;
  points: Record<string, number> | null;
  consentId: string | null;
  reason: { code: string; zh: string; en: string } | null;
}

interface StoredModel extends ScorecardModel {
  featureSpecs: Record<string, FeatureSpec>;
  evaluationModelVersion: number;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function institutionOf(actor: Actor): string {
  if ((actor.type === 'institution' || actor.type === 'institution_system') && actor.orgId) {
    return actor.orgId;
  }
  throw new AppError('forbidden');
}

function toView(j: repo.JobRow): JobView {
  return {
    id: j.id,
    institutionId: j.institutionId,
    name: j.name,
    status: j.status,
    inputFormat: j.inputFormat,
    inputSha256: j.inputSha256,
    inputRows: j.inputRows,
    inputSubjects: j.inputSubjects,
    options: j.options,
    result: j.result,
    resultSha256: j.resultSha256,
    error: j.errorCode
      ? { code: j.errorCode, zh: j.errorMessage?.zh ?? '', en: j.errorMessage?.en ?? '' }
      : null,
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

export function createSafeRoomService(deps: SafeRoomServiceDeps) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const minK = Math.max(MIN_K, deps.minK ?? MIN_K);
  const evaluation = deps.evaluation ?? createEvaluationService({ db, catalog: deps.catalog });
  const concurrency = deps.concurrency ?? (dialectName(db) === 'postgres' ? 3 : 1);
  let draining: Promise<void> | undefined;

  function resolveOptions(o: JobOptionsInput = {}) {
    const k = o.k ?? minK;
    if (!Number.isInteger(k) || k < minK) throw new AppError('safe_room_k_invalid', { min: minK });
    const scaling: ScalingParams = {
      baseScore: o.scaling?.base_score ?? defaultTrainingOptions.scaling.baseScore,
      baseOdds: o.scaling?.base_odds ?? defaultTrainingOptions.scaling.baseOdds,
      pdo: o.scaling?.pdo ?? defaultTrainingOptions.scaling.pdo,
    };
    if (!(scaling.baseOdds > 0) || !(scaling.pdo > 0)) {
      throw new AppError('validation_failed', { detail: 'scaling: base_odds and pdo must be > 0' });
    }
    const share = o.min_bin_share ?? defaultTrainingOptions.minBinShare;
    if (!(share > 0 && share <= 0.5)) {
      throw new AppError('validation_failed', { detail: 'min_bin_share in (0, 0.5]' });
    }
    const validation = o.validation_share ?? defaultTrainingOptions.validationShare;
    if (!(validation >= 0 && validation < 0.9)) {
      throw new AppError('validation_failed', { detail: 'validation_share in [0, 0.9)' });
    }
    return {
      k,
      min_bin_share: share,
      min_iv: o.min_iv ?? defaultTrainingOptions.minIv,
      l2: o.l2 ?? defaultTrainingOptions.l2,
      validation_share: validation,
      scaling: { base_score: scaling.baseScore, base_odds: scaling.baseOdds, pdo: scaling.pdo },
      ...(o.features ? { features: o.features } : {}),
    };
  }

  /** The platform's look-ahead-free features, from the evaluation model in force. */
  async function featureCatalogue(): Promise<{
    specs: Record<string, FeatureSpec>;
    defs: FeatureDefinition[];
    version: number;
  }> {
    const model = await evaluation.currentModel();
    const specs: Record<string, FeatureSpec> = {};
    const defs: FeatureDefinition[] = [];
    for (const ind of model.indicators) {
      if (!isLookAheadFree(ind.feature)) continue;
      specs[ind.code] = ind.feature;
      defs.push({ code: ind.code, kind: 'numeric', name_zh: ind.name_zh, name_en: ind.name_en });
    }
    return { specs, defs, version: model.version };
  }

  async function createJob(
    actor: Actor,
    input: { name?: string; format: 'csv' | 'json'; body: string | unknown; options?: JobOptionsInput },
  ): Promise<JobView> {
    const institutionId = institutionOf(actor);
    const options = resolveOptions(input.options);
    const today = chinaDay(clock());
    const loans: LoanRow[] =
      input.format === 'csv' ? parseLoansCsv(String(input.body), today) : parseLoansJson(input.body, today);
    if (options.features) {
      const known = new Set(Object.keys((await featureCatalogue()).specs));
      const unknown = options.features.filter((f) => !known.has(f));
      if (unknown.length) {
        throw new AppError('validation_failed', { detail: `unknown features: ${unknown.join(', ')}` });
      }
    }
    // Enough subjects on both sides before anything is computed (counts of the institution's own data).
    const bad = new Set(loans.filter((l) => l.defaulted).map((l) => l.uscc));
    const good = new Set(loans.filter((l) => !l.defaulted).map((l) => l.uscc));
    if (bad.size < 2 * options.k || good.size < 2 * options.k) {
      throw new AppError('safe_room_too_few_subjects', {
        need: 2 * options.k,
        k: options.k,
        bad: bad.size,
        good: good.size,
      });
    }
    const subjects = new Set(loans.map((l) => l.uscc));
    // Differencing: two jobs whose subjects differ by fewer than k would isolate those few subjects.
    for (const prev of await repo.listRecentJobSubjects(db, institutionId, DIFFERENCING_WINDOW)) {
      let diff = 0;
      for (const u of subjects) if (!prev.usccs.has(u)) diff++;
      for (const u of prev.usccs) if (!subjects.has(u)) diff++;
      if (diff > 0 && diff < options.k) {
        throw new AppError('safe_room_differencing', { job: prev.jobId, diff, k: options.k });
      }
    }
    const inputSha256 = sha256(
      canonicalJson(loans.map((l) => [l.uscc, l.loanDate, l.amount, l.defaulted ? 1 : 0])),
    );
    const name = (input.name ?? '').trim().slice(0, 200) || `job ${today}`;
    const createdBy =
      actor.type === 'institution' || actor.type === 'institution_system' ? actor.id : 'unknown';
    const id = await db.transaction().execute(async (trx) => {
      const jobId = await repo.insertJob(trx, {
        institutionId,
        createdBy,
        name,
        options,
        inputFormat: input.format,
        inputSha256,
        inputRows: loans.length,
        inputSubjects: subjects.size,
      });
      await repo.insertLoans(trx, jobId, loans);
      await enqueueLedgerEntries(trx, [
        {
          entryType: 'safe_room_job',
          refTable: 'safe_room_jobs',
          refId: jobId,
          payload: {
            event: 'created',
            job_id: jobId,
            institution_id: institutionId,
            input_sha256: inputSha256,
            input_rows: loans.length,
            input_subjects: subjects.size,
            options,
          },
        },
      ]);
      return jobId;
    });
    return toView((await repo.findJob(db, id))!);
  }

  async function runJob(id: number): Promise<void> {
    const job = (await repo.findJob(db, id))!;
    const opts = job.options as ReturnType<typeof resolveOptions>;
    try {
      // In uscc order: features are read subject by subject, and neighbours share pages.
      const loans = (await repo.listLoans(db, id)).sort((a, b) =>
        a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : a.row - b.row,
      );
      const catalogue = await featureCatalogue();
      const codes = (opts.features ?? catalogue.defs.map((d) => d.code)).filter((c) => catalogue.specs[c]);
      const specs = codes.map((c) => catalogue.specs[c]!);
      const rows: TrainingRow[] = [];
      let unmatched = 0;
      // Chunks of loans in flight at once, like evaluation runs (both cores on PostgreSQL).
      const chunk = 2500;
      const parts: LoanRow[][] = [];
      for (let i = 0; i < loans.length; i += chunk) parts.push(loans.slice(i, i + chunk));
      const results: Awaited<ReturnType<typeof computeFeaturesForLoans>>[] = new Array(parts.length);
      let next = 0;
      const worker = async () => {
        for (let p = next++; p < parts.length; p = next++) {
          results[p] = await computeFeaturesForLoans(
            db,
            specs,
            parts[p]!.map((l) => ({ uscc: l.uscc, asOf: l.loanDate })),
          );
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      parts.forEach((part, p) => {
        for (const f of results[p]!) {
          const loan = part[f.index]!;
          if (!f.known) {
            unmatched++;
            continue;
          }
          rows.push({
            subject: loan.uscc,
            date: loan.loanDate,
            bad: loan.defaulted ? 1 : 0,
            amount: loan.amount,
            features: Object.fromEntries(codes.map((c, j) => [c, f.values[j] ?? null])),
          });
        }
      });
      // Text-valued features whose values are all numbers (e.g. months of payment) bin as numbers.
      const defs = catalogue.defs
        .filter((d) => codes.includes(d.code))
        .map((d) => {
          const numeric = rows.every((r) => {
            const v = r.features[d.code];
            return v === null || v === undefined || typeof v === 'number' || Number.isFinite(Number(v));
          });
          return { ...d, kind: numeric ? ('numeric' as const) : ('categorical' as const) };
        });
      for (const r of rows) {
        for (const d of defs) {
          const v = r.features[d.code];
          if (d.kind === 'numeric' && typeof v === 'string') r.features[d.code] = Number(v);
        }
      }
      const trained = trainScorecard(rows, defs, {
        k: opts.k,
        minBinShare: opts.min_bin_share,
        minIv: opts.min_iv,
        l2: opts.l2,
        validationShare: opts.validation_share,
        scaling: {
          baseScore: opts.scaling.base_score,
          baseOdds: opts.scaling.base_odds,
          pdo: opts.scaling.pdo,
        },
      });
      const model: StoredModel = {
        ...trained.model,
        featureSpecs: Object.fromEntries(
          trained.model.features.map((f) => [f.code, catalogue.specs[f.code]!]),
        ),
        evaluationModelVersion: catalogue.version,
      };
      const result = {
        k: opts.k,
        input_sha256: job.inputSha256,
        counts: {
          rows: loans.length,
          matched_rows: rows.length,
          unmatched_rows: unmatched,
          subjects: new Set(rows.map((r) => r.subject)).size,
          defaulted_rows: rows.filter((r) => r.bad).length,
        },
        model: {
          intercept: round(model.intercept, 6),
          intercept_standard_error: round(model.interceptStandardError, 6),
          scaling: {
            base_score: model.scaling.baseScore,
            base_odds: model.scaling.baseOdds,
            pdo: model.scaling.pdo,
            factor: round(model.scaling.factor, 6),
            offset: round(model.scaling.offset, 6),
          },
          fit: {
            iterations: model.fit.iterations,
            converged: model.fit.converged,
            gradient_norm: model.fit.gradientNorm,
            log_likelihood: round(model.fit.logLikelihood, 4),
            l2: model.fit.l2,
          },
          evaluation_model_version: model.evaluationModelVersion,
          features: model.features.map((f) => ({
            code: f.code,
            name_zh: f.name_zh,
            name_en: f.name_en,
            kind: f.kind,
            iv: round(f.iv),
            coefficient: round(f.coefficient, 6),
            standard_error: round(f.standardError, 6),
            psi: f.psi === null ? null : round(f.psi),
            spec: model.featureSpecs[f.code],
            bins: f.bins.map((b) => ({
              lower: b.lower,
              upper: b.upper,
              categories: b.categories ?? null,
              includes_missing: b.includesMissing,
              missing_only: b.missingOnly,
              woe: round(b.woe, 6),
              points: round(b.points, 2),
              count: b.count,
              bads: b.bads,
              bad_rate: round(b.badRate),
              iv: round(b.iv),
            })),
          })),
        },
        features: trained.features.map((f) => ({ ...f, iv: round(f.iv) })),
        metrics: {
          development: {
            ...trained.metrics.development,
            auc: round(trained.metrics.development.auc),
            gini: round(trained.metrics.development.gini),
            ks: round(trained.metrics.development.ks),
          },
          validation: trained.metrics.validation
            ? {
                ...trained.metrics.validation,
                auc: round(trained.metrics.validation.auc),
                gini: round(trained.metrics.validation.gini),
                ks: round(trained.metrics.validation.ks),
              }
            : null,
          psi: trained.metrics.psi === null ? null : round(trained.metrics.psi),
        },
        score_bands: trained.scoreBands.map((b) => ({
          lower: b.lower === null ? null : round(b.lower, 2),
          upper: b.upper === null ? null : round(b.upper, 2),
          count: b.count,
          subjects: b.subjects,
          bads: b.bads,
          bad_rate: round(b.badRate),
          amount: b.amount,
        })),
      };
      const text = canonicalJson(result);
      const digest = sha256(text);
      await db.transaction().execute(async (trx) => {
        await repo.completeJob(trx, id, text, digest);
        await enqueueLedgerEntries(trx, [
          {
            entryType: 'safe_room_job',
            refTable: 'safe_room_jobs',
            refId: id,
            payload: {
              event: 'completed',
              job_id: id,
              institution_id: job.institutionId,
              input_sha256: job.inputSha256,
              result_sha256: digest,
              features: model.features.map((f) => f.code),
              auc: result.metrics.development.auc,
            },
          },
        ]);
      });
    } catch (e) {
      const message =
        e instanceof TrainingError
          ? { code: e.reason, zh: trainingMessageZh(e.reason), en: e.message }
          : isAppError(e)
            ? { code: e.code, zh: e.messageZh, en: e.messageEn }
            : { code: 'internal', zh: '安全屋任务内部错误', en: e instanceof Error ? e.message : String(e) };
      await db.transaction().execute(async (trx) => {
        await repo.failJob(trx, id, message.code, { zh: message.zh, en: message.en });
        await enqueueLedgerEntries(trx, [
          {
            entryType: 'safe_room_job',
            refTable: 'safe_room_jobs',
            refId: id,
            payload: { event: 'failed', job_id: id, input_sha256: job.inputSha256, error: message.code },
          },
        ]);
      });
    }
  }

  /** Runs every queued job, one at a time (the server kicks this after each upload). */
  async function runQueuedJobs(): Promise<number> {
    let n = 0;
    for (let id = await repo.claimQueuedJob(db); id !== undefined; id = await repo.claimQueuedJob(db)) {
      await runJob(id);
      n++;
    }
    return n;
  }

  function kick(): Promise<void> {
    draining ??= runQueuedJobs()
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => {
        draining = undefined;
      });
    return draining;
  }

  async function getJob(actor: Actor, id: number): Promise<JobView> {
    const job = await repo.findJob(db, id);
    if (!job) throw new AppError('safe_room_job_not_found', { id });
    if (actor.type !== 'operator' && actor.type !== 'system' && job.institutionId !== institutionOf(actor)) {
      // Another institution's job is indistinguishable from a missing one.
      throw new AppError('safe_room_job_not_found', { id });
    }
    return toView(job);
  }

  async function listJobs(actor: Actor, limit = 50): Promise<JobView[]> {
    const institutionId =
      actor.type === 'operator' || actor.type === 'system' ? undefined : institutionOf(actor);
    return (await repo.listJobs(db, { ...(institutionId ? { institutionId } : {}), limit })).map(toView);
  }

  /**
   * Scores subjects with the institution's own model: only subjects for which it holds a consent
   * that is in force (a use is counted, `verify` mode: the score is an answer, no record leaves) and
   * covers every non-public kind the model reads. Everyone else is refused, with no score.
   */
  async function scoreSubjects(
    actor: Actor,
    jobId: number,
    input: { usccs: string[]; consentIds?: Record<string, string> | undefined },
  ): Promise<{ jobId: number; asOf: string; results: ScoreOutcome[] }> {
    institutionOf(actor);
    const job = await getJob(actor, jobId);
    if (job.status !== 'completed' || !job.result) {
      throw new AppError('safe_room_job_not_ready', { id: jobId, status: job.status });
    }
    if (input.usccs.length === 0 || input.usccs.length > MAX_SCORE_BATCH) {
      throw new AppError('validation_failed', { detail: `usccs: 1..${MAX_SCORE_BATCH}` });
    }
    const released = job.result as { model: { features: ReleasedFeature[]; scaling: ReleasedScaling } };
    const features = released.model.features;
    const specs = features.map((f) => f.spec);
    const kinds = [...new Set(specs.flatMap(featureKinds))];
    const view = await loadCatalogView(db, deps.catalog);
    const needsConsent = kinds.filter((k) => view.kinds.get(k)?.openness !== 'public');
    const asOf = chinaDay(clock());
    const results: ScoreOutcome[] = [];
    const refused = (uscc: string, code: string, zh: string, en: string): ScoreOutcome => ({
      uscc,
      status: 'refused',
      score: null,
      probability: null,
      points: null,
      consentId: null,
      reason: { code, zh, en },
    });
    const consented: { uscc: string; consentId: string }[] = [];
    for (const uscc of [...new Set(input.usccs)]) {
      try {
        const auth = await db.transaction().execute(async (trx) =>
          authorizeUse(
            trx,
            {
              actor,
              uscc,
              kinds: kinds.length ? kinds : ['business_licence'],
              mode: 'verify',
              consentId: input.consentIds?.[uscc],
            },
            clock,
            await loadCatalogView(trx, deps.catalog),
          ),
        );
        const allowed = new Set(auth.allowedKinds);
        const missing = needsConsent.filter((k) => !allowed.has(k));
        if (missing.length) {
          results.push(
            refused(
              uscc,
              'consent_out_of_scope',
              `授权范围未覆盖模型使用的信息项：${missing.join('、')}`,
              `the consent does not cover kinds the model reads: ${missing.join(', ')}`,
            ),
          );
          continue;
        }
        consented.push({ uscc, consentId: auth.consent.id });
      } catch (e) {
        if (!isAppError(e)) throw e;
        results.push(refused(uscc, e.code, e.messageZh, e.messageEn));
      }
    }
    if (consented.length) {
      const rows = await computeFeaturesForSubjects(
        db,
        specs,
        consented.map((c) => c.uscc),
        asOf,
      );
      const byUscc = new Map(rows.map((r) => [r.uscc, r]));
      const model = {
        features: features.map((f) => ({
          code: f.code,
          kind: f.kind,
          bins: f.bins.map((b) => ({
            lower: b.lower,
            upper: b.upper,
            ...(b.categories ? { categories: b.categories } : {}),
            includesMissing: b.includes_missing,
            missingOnly: b.missing_only,
            woe: b.woe,
            points: b.points,
          })),
        })),
      };
      const scaling = {
        baseScore: released.model.scaling.base_score,
        baseOdds: released.model.scaling.base_odds,
        pdo: released.model.scaling.pdo,
      };
      for (const c of consented) {
        const row = byUscc.get(c.uscc);
        if (!row) {
          results.push(refused(c.uscc, 'not_found', '平台无此主体', 'no such subject on the platform'));
          continue;
        }
        const values = Object.fromEntries(
          features.map((f, j) => {
            const v = row.values[j] ?? null;
            return [f.code, f.kind === 'numeric' && typeof v === 'string' ? Number(v) : v];
          }),
        );
        const s = scoreWithModel(model as unknown as Pick<ScorecardModel, 'features'>, values);
        results.push({
          uscc: c.uscc,
          status: 'scored',
          score: Math.round(s.score),
          probability: round(probabilityFromScore(s.score, scaling), 6),
          points: Object.fromEntries(Object.entries(s.points).map(([k, v]) => [k, round(v, 2)])),
          consentId: c.consentId,
          reason: null,
        });
      }
    }
    const order = new Map(input.usccs.map((u, i) => [u, i]));
    results.sort((a, b) => (order.get(a.uscc) ?? 0) - (order.get(b.uscc) ?? 0));
    return { jobId, asOf, results };
  }

  return { createJob, runJob, runQueuedJobs, kick, getJob, listJobs, scoreSubjects, resolveOptions };
}

interface ReleasedFeature {
  code: string;
  kind: 'numeric' | 'categorical';
  spec: FeatureSpec;
  bins: {
    lower: number | null;
    upper: number | null;
    categories: string[] | null;
    includes_missing: boolean;
    missing_only: boolean;
    woe: number;
    points: number;
  }[];
}

interface ReleasedScaling {
  base_score: number;
  base_odds: number;
  pdo: number;
}

function trainingMessageZh(reason: string): string {
  switch (reason) {
    case 'too_few_subjects':
      return '可与平台主体匹配的违约或未违约主体不足 2k 个';
    case 'no_predictive_feature':
      return '没有信息价值足够的特征，无法建模';
    case 'k_too_small':
      return 'k 不得小于 10';
    default:
      return '建模失败';
  }
}

export type SafeRoomService = ReturnType<typeof createSafeRoomService>;
