import type { CatalogKind } from '../catalog/catalog.schema.ts';
import { dialectName, type Db } from '../db/database.ts';
import { encodeLedgerEntries, enqueueLedgerEntries, type LedgerEntryInput } from '../ledger/ledger-queue.ts';
import { leafIndexesFor } from '../ledger/leaf-index.ts';
import {
  authorizationResult,
  authorizeUse,
  consentUseEntry,
  useConditions,
  type Clock,
} from '../consent/consent.service.ts';
import type { AuthorizeUseResult, Bilingual } from '../consent/consent.types.ts';
import { listSubjectVersions, type ReadVersionRow } from '../records/record-reads.repository.ts';
import { AppError } from '../shared/errors.ts';
import type { Actor } from './actor.ts';
import { commitWithoutWaitingForFlush, insertAccessLog } from './access-log.repository.ts';
import { factsDigest } from './facts-digest.ts';
import { expandScope, loadCatalogView, type CatalogSource, type CatalogView } from './catalog-view.ts';
import { addMonths, chinaDay, isDay } from './china-time.ts';
import type { FieldCrypto } from './field-crypto.ts';
import { maskName, maskStyleOf, maskValue, type MaskStyle } from './masking.ts';
import type { StoredMark } from './record-marks.repository.ts';
import { findSubjectWithMarks, type StoredPublicityEnd } from './read-context.repository.ts';
import { readSnapshot, writeReadLog, type SubjectHead } from './read-path.repository.ts';
import {
  recordMarkLabels,
  type ReadBasis,
  type ReadCategorySection,
  type ReadRecord,
  type ReadRecordsQuery,
  type ReadRecordsResult,
  type ReadRecordVersion,
  type RecordMark,
  type RecordMarkCode,
} from './read-path.types.ts';

export type * from './read-path.types.ts';

/**
 * THE read path (DESIGN.md invariant 2). Every read of credit records, for any caller — routes,
 * reports, evaluation, connectors, verification — goes through `readRecords`. It applies, in order:
 *
 * 1. who is asking (basis): the subject itself, an operator, the platform (internal), an
 *    institution under a consent, a provider, or the public (anonymous and everyone else);
 * 2. catalog openness: 公开 kinds to anyone; 有条件共享 only under a valid consent covering the kind
 *    (`authorizeUse` counts one use); 不予共享 only to the subject itself and operators;
 * 3. record status: withdrawn versions (已撤回) and repaired records (已修复) only to the subject and
 *    operators; records past their publicity end (公示期满) leave every view but the subject's and
 *    operators'; disputed records (异议处理中) are shown, marked;
 * 4. date range: the request's, and for consented kinds the consent's data range;
 * 5. masking: personal fields masked for everyone but the subject, operators and the platform;
 *    restricted-sensitivity fields removed from public views;
 * 6. the access log (every read) and a ledger leaf `access` for every read of non-public data,
 *    in the same transaction as the consent use.
 *
 * Rules and their legal grounds: docs/decisions/0052-read-path.md.
 */

/** Optional extra marks from outside `record_marks` (the stored marks are always read). */
export interface RecordMarksProvider {
  marksFor(db: Db, uscc: string, recordIds: number[]): Promise<Map<number, StoredMark[]>>;
}

export interface ReadPathDeps {
  db: Db;
  fieldCrypto: FieldCrypto;
  /** The catalog service (`ctx.catalog`); without it the catalog is read from the database. */
  catalog?: CatalogSource | undefined;
  /**
   * The catalog view, already resolved (e.g. by a caller about to read inside its transaction, where
   * the catalog service must not be used): saves the read its catalog lookup.
   */
  view?: CatalogView | undefined;
  marks?: RecordMarksProvider | undefined;
  clock?: Clock | undefined;
  /**
   * The database `db` belongs to when `db` is a caller's transaction (e.g. `ctx.db` while a report is
   * issued): the key of the ledger-position cache, which is per database.
   */
  rootDb?: Db | undefined;
}

const reasons = {
  consentRequired: {
    zh: '有条件共享信息，须经信用主体授权',
    en: 'Conditionally shared: requires the subject’s consent',
  },
  notShared: {
    zh: '不予共享信息，仅信用主体本人和平台运营人员可查看',
    en: 'Not shared: only the subject itself and operators',
  },
  noConsentForKind: { zh: '授权范围不包括该信息项', en: 'The consent does not cover this kind' },
  notPublic: { zh: '非公开信息', en: 'Not public' },
} satisfies Record<string, Bilingual>;

function basisOf(actor: Actor, uscc: string, q: ReadRecordsQuery): ReadBasis {
  switch (actor.type) {
    case 'enterprise':
      return actor.uscc === uscc ? 'self' : 'public';
    case 'operator':
      return 'operator';
    case 'system':
      return 'internal';
    case 'institution':
    case 'institution_system':
      return q.consentId || q.purpose || q.authorization || q.mode === 'verify' || q.mode === 'query'
        ? 'consent'
        : 'public';
    case 'provider':
      return 'provider';
    default:
      return 'public';
  }
}

/** End of the publicity period (YYYY-MM-DD) of a record, or null when the kind has no rule. */
export function publicityUntil(kind: CatalogKind, data: Record<string, unknown>): string | null {
  const rule = kind.publicity;
  if (!rule) return null;
  if (rule.until_field && isDay(data[rule.until_field])) return data[rule.until_field] as string;
  const from = data[rule.from_field];
  if (!isDay(from)) return null;
  const months = rule.max_months ?? Math.max(0, ...(rule.classes ?? []).map((c) => c.max_months ?? 0));
  return months > 0 ? addMonths(from, months) : null;
}

interface KindPlan {
  kind: CatalogKind;
  /** Full view (subject, operator, internal) or partial. */
  unrestricted: boolean;
  /** Covered by the consent: consent date range applies, restricted fields shown. */
  consented: boolean;
  /** Provider basis: only the provider's own records of a non-public kind. */
  ownOnly: boolean;
}

const maskCache = new WeakMap<CatalogKind, { personal: [string, MaskStyle][]; restricted: string[] }>();
function maskPlan(kind: CatalogKind) {
  let p = maskCache.get(kind);
  if (!p) {
    p = {
      personal: kind.fields.filter((f) => f.sensitivity === 'personal').map((f) => [f.code, maskStyleOf(f)]),
      restricted: kind.fields.filter((f) => f.sensitivity === 'restricted').map((f) => f.code),
    };
    maskCache.set(kind, p);
  }
  return p;
}

function iso(d: Date): string {
  return d.toISOString();
}

function inRange(
  day: string | null,
  from: string | null | undefined,
  to: string | null | undefined,
): boolean {
  if (!from && !to) return true;
  // An undated record cannot be shown to fall inside a bounded range: excluded.
  if (!day) return false;
  if (from && day < from) return false;
  if (to && day > to) return false;
  return true;
}

const asyncCommit = process.env.XINRONG_READ_COMMIT === 'async';

export async function readRecords(deps: ReadPathDeps, q: ReadRecordsQuery): Promise<ReadRecordsResult> {
  const clock = deps.clock ?? (() => new Date());
  // The catalog is resolved before the transaction (the catalog service caches it).
  const view = deps.view ?? (await loadCatalogView(deps.db, deps.catalog));
  const rootDb = deps.rootDb ?? (deps.db.isTransaction ? undefined : deps.db);
  // Two statements: a read-only snapshot, then one atomic write of the use and the log.
  const fast = await readInTwoStatements(deps, q, clock, view, rootDb);
  if (fast) return fast;
  // The counted path, in one transaction: taken when the snapshot found no usable consent (it then
  // says why, exactly as `authorizeUse` does) or the consent changed between the two statements.
  const run = (db: Db) => readWithin({ ...deps, db }, q, clock, view, rootDb);
  // The consent use, the access log and the ledger leaf commit together or not at all.
  if (deps.db.isTransaction) return run(deps.db);
  return deps.db.transaction().execute(async (trx) => {
    // XINRONG_READ_COMMIT=async: the read's log entries are committed without waiting for the WAL
    // flush (PostgreSQL synchronous_commit off for this transaction only; see docs/decisions/0052).
    if (asyncCommit) await commitWithoutWaitingForFlush(trx);
    return run(trx);
  });
}

interface ReadPlan {
  basis: ReadBasis;
  privileged: boolean;
  explicit: boolean;
  plans: Map<string, KindPlan>;
  withheld: { kind: string; reason: Bilingual }[];
  /** Conditional kinds asked for by an institution reading under a consent. */
  needConsent: string[];
}

/** Who sees which kinds (openness, basis), before any consent is used. Throws on unknown kinds. */
function planRead(view: CatalogView, q: ReadRecordsQuery): ReadPlan {
  const { actor, uscc } = q;
  const basis = basisOf(actor, uscc, q);
  const privileged = basis === 'self' || basis === 'operator' || basis === 'internal';

  // Kinds asked for, in catalog order.
  const explicit = !!(q.kinds?.length || q.categories?.length);
  for (const k of q.kinds ?? []) if (!view.kinds.has(k)) throw new AppError('kind_unknown', { kind: k });
  for (const c of q.categories ?? []) {
    if (!view.categories.has(c)) throw new AppError('validation_failed', { detail: `unknown category ${c}` });
  }
  const requested = explicit
    ? expandScope(view, q.kinds ?? [], q.categories ?? [])
    : view.catalog.kinds.map((k) => k.code);

  const plans = new Map<string, KindPlan>();
  const withheld: { kind: string; reason: Bilingual }[] = [];
  const needConsent: string[] = [];
  for (const code of requested) {
    const kind = view.kinds.get(code)!;
    if (privileged) {
      plans.set(code, { kind, unrestricted: true, consented: false, ownOnly: false });
    } else if (kind.openness === 'public') {
      plans.set(code, { kind, unrestricted: false, consented: false, ownOnly: false });
    } else if (basis === 'consent' && kind.openness === 'conditional') {
      needConsent.push(code);
    } else if (basis === 'provider' && kind.providers.some((p) => p.id === actorOrg(actor))) {
      plans.set(code, { kind, unrestricted: false, consented: false, ownOnly: true });
    } else {
      withheld.push({
        kind: code,
        reason: kind.openness === 'restricted' ? reasons.notShared : reasons.consentRequired,
      });
    }
  }
  return { basis, privileged, explicit, plans, withheld, needConsent };
}

/** Consented kinds become plans; the others are withheld with the consent module's reason. */
function applyAuthorization(view: CatalogView, plan: ReadPlan, authorization: AuthorizeUseResult): void {
  const allowed = new Set(authorization.allowedKinds);
  for (const code of plan.needConsent) {
    if (allowed.has(code)) {
      plan.plans.set(code, {
        kind: view.kinds.get(code)!,
        unrestricted: false,
        consented: true,
        ownOnly: false,
      });
    } else {
      const d = authorization.denied.find((x) => x.kind === code);
      plan.withheld.push({ kind: code, reason: d?.reason ?? reasons.noConsentForKind });
    }
  }
}

function requireSomething(plan: ReadPlan): void {
  if (plan.explicit && plan.plans.size === 0 && !plan.privileged) {
    throw new AppError('consent_required', {
      detail: plan.withheld.map((w) => `${w.kind}：${w.reason.zh}`).join('；'),
    });
  }
}

/**
 * The read in two round trips (no explicit transaction unless the caller holds one): the snapshot
 * checks the consent without counting it and reads everything; the write counts the use on the
 * locked row and writes the log and leaves in one statement, or nothing. Undefined (nothing written)
 * when the counted path must decide: no consent qualified (it then says why), or the consent was
 * revoked or exhausted in between.
 */
async function readInTwoStatements(
  deps: ReadPathDeps,
  q: ReadRecordsQuery,
  clock: Clock,
  view: CatalogView,
  rootDb: Db | undefined,
): Promise<ReadRecordsResult | undefined> {
  const { db } = deps;
  const { actor, uscc } = q;
  const now = clock();
  let plan: ReadPlan;
  try {
    plan = planRead(view, q);
  } catch (e) {
    // Unknown kinds: the counted path reports them after the subject, as it always has.
    if (e instanceof AppError) return undefined;
    throw e;
  }
  const mode = q.mode ?? 'full_report';
  let authorization = q.authorization;
  let conditions: ReturnType<typeof useConditions>['conditions'] | undefined;
  if (plan.basis === 'consent' && plan.needConsent.length) {
    if (authorization) applyAuthorization(view, plan, authorization);
    else {
      conditions = useConditions(
        {
          actor,
          uscc,
          kinds: plan.needConsent,
          purpose: q.purpose,
          mode,
          consentId: q.consentId,
          dateRange: q.dateRange,
        },
        view,
        now,
      ).conditions;
      if (!conditions.possible) return undefined;
    }
  } else {
    for (const code of plan.needConsent) plan.withheld.push({ kind: code, reason: reasons.consentRequired });
  }

  const openKinds: string[] = [];
  const ownKinds: string[] = [];
  for (const p of plan.plans.values()) (p.ownOnly ? ownKinds : openKinds).push(p.kind.code);
  const allVersions = !!q.includeHistory && plan.privileged;
  const snap = await readSnapshot(db, {
    uscc,
    openKinds,
    ownKinds,
    providerId: actorOrg(actor) ?? null,
    allVersions,
    consent: conditions,
  });
  if (!snap.subject) throw new AppError('not_found', { what: `信用主体 / subject ${uscc}` });

  const ledger: LedgerEntryInput[] = [];
  let use: Parameters<typeof writeReadLog>[3];
  if (conditions) {
    const c = snap.candidate;
    if (!c || snap.useId === null) return undefined;
    // As the counting UPDATE returns it: this use included.
    const after = { ...c.row, use_count: c.row.use_count + 1, last_used_at: now };
    authorization = authorizationResult(
      view,
      after,
      conditions.kinds,
      c.kinds,
      { agreement_kinds: c.agreementKinds, agreement_categories: c.agreementCategories },
      q.dateRange,
      now,
    );
    applyAuthorization(view, plan, authorization);
    use = {
      consentId: c.row.id,
      useId: snap.useId,
      agreementId: c.agreementId,
      institutionId: conditions.institutionId,
      day: conditions.day,
      now,
      uscc,
      actorType: conditions.actorType,
      actorId: conditions.actorId,
      mode,
      kinds: c.kinds,
    };
    ledger.push(
      consentUseEntry({
        useId: snap.useId,
        consentId: c.row.id,
        uscc,
        actorType: conditions.actorType,
        actorId: conditions.actorId,
        mode,
        kinds: c.kinds,
        now,
      }),
    );
  }
  requireSomething(plan);

  const leaves = await leafIndexes(rootDb, db, snap.rows, now.getTime());
  const extraMarks = deps.marks
    ? await deps.marks.marksFor(db, uscc, [...new Set(snap.rows.map((r) => r.recordId))])
    : undefined;
  const selection = choose(
    deps,
    view,
    plan,
    q,
    snap.rows,
    snap.marks,
    snap.publicity,
    extraMarks,
    authorization,
    now,
  );
  const count = selection.chosen.length;
  const log = accessLogFacts(
    q,
    plan,
    authorization,
    { count, shownNonPublic: selection.shownNonPublic },
    now,
  );
  const entry = accessEntry(snap.accessLogId, uscc, log, count, now);
  if (entry) ledger.push(entry);
  const row = { id: snap.accessLogId, ...log };
  const leafRows = encodeLedgerEntries(ledger);
  // The write goes out first; the records are decrypted, masked and put in order while the backend
  // runs it and flushes its commit (on the other core). Nothing is returned before it has committed; if it
  // wrote nothing, the masked records are dropped. In a caller's transaction the caller's commit
  // decides durability.
  const writing = writeReadLog(db, row, leafRows, use, asyncCommit && !db.isTransaction);
  // Handled here too, so that a failure arriving while the records are built is not "unhandled";
  // it is thrown by the await below.
  writing.catch(() => undefined);
  // Let the statement reach the socket (the pool hands out the connection in later ticks). PGlite
  // runs statements in this thread, so there is nothing to overlap: it runs the write after the
  // records are built, in the await below.
  if (dialectName(db) === 'postgres') await new Promise<void>((resolve) => setImmediate(resolve));
  let built: Assembled;
  try {
    built = build(deps, view, plan, selection, leaves);
  } catch (e) {
    await writing.catch(() => undefined);
    throw e;
  }
  const written = await writing;
  if (!written) return undefined;
  return result(snap.subject, q, plan, view, authorization, built, snap.accessLogId);
}

/** The counted path: one statement after another, in the caller's transaction. */
async function readWithin(
  deps: ReadPathDeps,
  q: ReadRecordsQuery,
  clock: Clock,
  view: CatalogView,
  rootDb: Db | undefined,
): Promise<ReadRecordsResult> {
  const { db } = deps;
  const { actor, uscc } = q;
  const now = clock();
  const found = await findSubjectWithMarks(db, uscc);
  if (!found) throw new AppError('not_found', { what: `信用主体 / subject ${uscc}` });
  const plan = planRead(view, q);

  // Consent: one counted use covering every conditional kind asked for. Its ledger entry is queued
  // with the access entry below, in one statement.
  const ledger: LedgerEntryInput[] = [];
  let authorization: AuthorizeUseResult | undefined = q.authorization;
  if (plan.basis === 'consent' && plan.needConsent.length) {
    authorization ??= await authorizeUse(
      db,
      {
        actor,
        uscc,
        kinds: plan.needConsent,
        purpose: q.purpose,
        mode: q.mode ?? 'full_report',
        consentId: q.consentId,
        dateRange: q.dateRange,
      },
      clock,
      view,
      ledger,
    );
    applyAuthorization(view, plan, authorization);
  } else {
    for (const code of plan.needConsent) plan.withheld.push({ kind: code, reason: reasons.consentRequired });
  }
  requireSomething(plan);

  // Rows: one query for every allowed kind (own-only kinds of a provider in a second one).
  const openKinds = [...plan.plans.values()].filter((p) => !p.ownOnly).map((p) => p.kind.code);
  const ownKinds = [...plan.plans.values()].filter((p) => p.ownOnly).map((p) => p.kind.code);
  const allVersions = !!q.includeHistory && plan.privileged;
  let rows = await listSubjectVersions(db, { uscc, kinds: openKinds, allVersions });
  if (ownKinds.length) {
    rows = rows.concat(
      await listSubjectVersions(db, { uscc, kinds: ownKinds, allVersions, providerId: actorOrg(actor) }),
    );
  }
  // Ledger positions of the versions shown (the ledger's export; null until sequenced).
  const leaves = await leafIndexes(rootDb, db, rows, now.getTime());
  const extraMarks = deps.marks
    ? await deps.marks.marksFor(db, uscc, [...new Set(rows.map((r) => r.recordId))])
    : undefined;
  const selection = choose(
    deps,
    view,
    plan,
    q,
    rows,
    found.marks,
    found.publicity,
    extraMarks,
    authorization,
    now,
  );
  const built = build(deps, view, plan, selection, leaves);

  // Access log, and a ledger leaf for reads of non-public data.
  const log = accessLogFacts(q, plan, authorization, { count: built.flat.length, ...selection }, now);
  const logRow = await insertAccessLog(db, log);
  const entry = accessEntry(Number(logRow.id), uscc, log, built.flat.length, now);
  if (entry) ledger.push(entry);
  await enqueueLedgerEntries(db, ledger);
  return result(found.subject, q, plan, view, authorization, built, Number(logRow.id));
}

interface Assembled {
  sections: ReadCategorySection[];
  flat: ReadRecord[];
  shownNonPublic: boolean;
}

/** A version to be shown, with what the checks found (`choose`), before masking (`build`). */
interface Chosen {
  latest: ReadVersionRow;
  /** Older versions, oldest first, when the read shows history. */
  older: ReadVersionRow[] | undefined;
  kp: KindPlan;
  until: string | null;
  marks: RecordMarkCode[] | undefined;
}

interface Selection {
  chosen: Chosen[];
  shownNonPublic: boolean;
}

/**
 * Which versions are shown, with their marks: date ranges, withdrawal, repair, publicity and
 * dispute. Everything the access log and its leaf say about a read — how many records, whether
 * non-public data was shown — is known here, before decryption, masking and ordering (`build`).
 */
function choose(
  deps: ReadPathDeps,
  view: CatalogView,
  plan: ReadPlan,
  q: ReadRecordsQuery,
  rows: ReadVersionRow[],
  storedMarks: Map<number, StoredMark[]>,
  publicity: Map<number, StoredPublicityEnd>,
  extraMarks: Map<number, StoredMark[]> | undefined,
  authorization: AuthorizeUseResult | undefined,
  now: Date,
): Selection {
  const { plans, privileged } = plan;
  const today = chinaDay(now);
  const allVersions = !!q.includeHistory && privileged;
  // Rows come ordered by record, oldest version first; without history there is one row per record
  // (the latest, DISTINCT ON), so only a read with history groups them.
  let groups: ReadVersionRow[][] | undefined;
  if (allVersions) {
    const byRecord = new Map<number, ReadVersionRow[]>();
    for (const r of rows) {
      const list = byRecord.get(r.recordId);
      if (list) list.push(r);
      else byRecord.set(r.recordId, [r]);
    }
    groups = [...byRecord.values()];
  }

  const dateFrom = q.dateRange?.from ?? null;
  const dateTo = q.dateRange?.to ?? null;
  const chosen: Chosen[] = [];
  let shownNonPublic = false;
  const count = groups ? groups.length : rows.length;
  for (let i = 0; i < count; i++) {
    const versions = groups?.[i];
    if (versions && versions.length > 1) versions.sort((a, b) => a.version - b.version);
    const latest = versions ? versions[versions.length - 1]! : rows[i]!;
    const kp = plans.get(latest.kindCode);
    // Sections are built from the catalog's categories: a kind outside them is never shown.
    if (!kp || !view.categories.has(kp.kind.category)) continue;
    const kind = kp.kind;

    // Date range: the request's for all, the consent's for consented kinds.
    if (!inRange(latest.occurredOn, dateFrom, dateTo)) continue;
    if (
      kp.consented &&
      authorization &&
      !inRange(latest.occurredOn, authorization.dataRange.from, authorization.dataRange.to)
    ) {
      continue;
    }

    const stored = storedMarks.get(latest.recordId);
    const extra = extraMarks?.get(latest.recordId);
    let marks: RecordMarkCode[] | undefined;
    if (latest.status === 'withdrawn') {
      if (!privileged) continue;
      (marks ??= []).push('withdrawn');
    }
    if (stored?.includes('repaired') || extra?.includes('repaired')) {
      if (!privileged) continue;
      (marks ??= []).push('repaired');
    }
    // The end stored with the version under the repair rules (severity class, regime by decision
    // date; rights docs/decisions/0102); the catalog's rule only when nothing is stored for it,
    // on the decrypted data (decrypted in place, so `build` finds nothing left to decrypt).
    const end = publicity.get(latest.recordId);
    const until =
      end?.version === latest.version
        ? end.until
        : kind.publicity
          ? publicityUntil(kind, deps.fieldCrypto.revealRecordData(kind, latest.data, true))
          : null;
    const ended = !!until && until < today;
    if (ended) {
      if (!privileged) continue;
      (marks ??= []).push('publicity_ended');
    }
    if (stored?.includes('disputed') || extra?.includes('disputed')) (marks ??= []).push('disputed');
    if (kind.openness !== 'public' || ended) shownNonPublic = true;
    const older = versions && versions.length > 1 ? versions.slice(0, -1) : undefined;
    chosen.push({ latest, older, kp, until, marks });
  }
  return { chosen, shownNonPublic };
}

/**
 * Decrypts and masks the chosen versions for the viewer, in place (the rows are this read's own, just
 * parsed), and orders them into sections.
 */
function build(
  deps: ReadPathDeps,
  view: CatalogView,
  plan: ReadPlan,
  selection: Selection,
  leaves: Map<number, number>,
): Assembled {
  const { plans } = plan;
  const recordsByKind = new Map<string, ReadRecord[]>();
  for (const { latest, older, kp, until, marks } of selection.chosen) {
    const kind = kp.kind;
    const data = deps.fieldCrypto.revealRecordData(kind, latest.data, true);
    const record: ReadRecord = {
      recordId: latest.recordId,
      kindCode: kind.code,
      categoryCode: kind.category,
      versionId: latest.id,
      version: latest.version,
      op: latest.op,
      status: latest.status,
      occurredOn: latest.occurredOn,
      providerId: latest.providerId,
      catalogVersion: latest.catalogVersion,
      createdAt: latest.createdAt,
      data,
      maskedFields: maskInPlace(kp, data),
      marks: marks ? marks.map(markOf) : [],
      leafIndex: leaves.get(latest.id) ?? null,
      publicityUntil: until,
    };
    if (older) {
      record.history = older.map((v): ReadRecordVersion => {
        const d = deps.fieldCrypto.revealRecordData(kind, v.data, true);
        return {
          versionId: v.id,
          version: v.version,
          op: v.op,
          status: v.status,
          occurredOn: v.occurredOn,
          createdAt: v.createdAt,
          data: d,
          maskedFields: maskInPlace(kp, d),
          leafIndex: leaves.get(v.id) ?? null,
        };
      });
    }
    const list = recordsByKind.get(kind.code);
    if (list) list.push(record);
    else recordsByKind.set(kind.code, [record]);
  }

  // Sections in catalog order: categories by `order`, kinds as listed.
  const sections: ReadCategorySection[] = [];
  const flat: ReadRecord[] = [];
  for (const cat of categoriesInOrder(view)) {
    const kinds = (view.kindsByCategory.get(cat.code) ?? []).filter((k) => plans.has(k.code));
    if (kinds.length === 0) continue;
    sections.push({
      code: cat.code,
      nameZh: cat.name_zh,
      nameEn: cat.name_en,
      order: cat.order,
      kinds: kinds.map((k) => {
        const records = recordsByKind.get(k.code) ?? [];
        for (const r of records) flat.push(r);
        return { code: k.code, nameZh: k.name_zh, nameEn: k.name_en, openness: k.openness, records };
      }),
    });
  }
  return { sections, flat, shownNonPublic: selection.shownNonPublic };
}

const sortedCategories = new WeakMap<CatalogView, CatalogView['catalog']['categories']>();
/** Categories by `order`, sorted once per catalog view (views are immutable and cached). */
function categoriesInOrder(view: CatalogView): CatalogView['catalog']['categories'] {
  let c = sortedCategories.get(view);
  if (!c) {
    c = [...view.catalog.categories].sort((a, b) => a.order - b.order);
    sortedCategories.set(view, c);
  }
  return c;
}

type AccessLogFacts = Omit<ReadLogFacts, 'id'>;
interface ReadLogFacts {
  id: number;
  uscc: string;
  actor_type: string;
  actor_id: string | null;
  org_id: string | null;
  basis: string;
  purpose: string | null;
  consent_id: string | null;
  mode: string | null;
  kinds: string[];
  record_count: number;
  non_public: boolean;
  occurred_at: Date;
}

/** The access-log row of a read: who, basis, purpose, consent, mode, kinds, how many records. */
function accessLogFacts(
  q: ReadRecordsQuery,
  plan: ReadPlan,
  authorization: AuthorizeUseResult | undefined,
  shown: { count: number; shownNonPublic: boolean },
  now: Date,
): AccessLogFacts {
  const who = actorFields(q.actor);
  const nonPublic =
    shown.shownNonPublic || [...plan.plans.values()].some((p) => p.kind.openness !== 'public');
  return {
    uscc: q.uscc,
    actor_type: who.type,
    actor_id: who.id,
    org_id: who.orgId,
    basis: plan.basis,
    purpose: (authorization?.consent.purpose ?? q.purpose ?? q.internalPurpose ?? null) as string | null,
    consent_id: authorization?.consent.id ?? null,
    mode: authorization ? (q.mode ?? 'full_report') : null,
    kinds: [...plan.plans.keys()],
    record_count: shown.count,
    non_public: nonPublic,
    occurred_at: now,
  };
}

/** The `access` ledger leaf of a read of non-public data (ids and a digest of the stored row). */
function accessEntry(
  id: number,
  uscc: string,
  log: AccessLogFacts,
  recordCount: number,
  now: Date,
): LedgerEntryInput | undefined {
  if (!log.non_public) return undefined;
  return {
    entryType: 'access',
    refTable: 'access_log',
    refId: id,
    uscc,
    payload: {
      access_log_id: id,
      digest: factsDigest({
        id,
        uscc,
        actor_type: log.actor_type,
        actor_id: log.actor_id,
        org_id: log.org_id,
        basis: log.basis,
        purpose: log.purpose,
        consent_id: log.consent_id,
        mode: log.mode,
        kinds: log.kinds,
        record_count: recordCount,
        occurred_at: iso(now),
      }),
    },
  };
}

function result(
  subjectRow: SubjectHead,
  q: ReadRecordsQuery,
  plan: ReadPlan,
  view: CatalogView,
  authorization: AuthorizeUseResult | undefined,
  built: Assembled,
  accessLogId: number,
): ReadRecordsResult {
  return {
    subject: {
      uscc: subjectRow.uscc,
      name: subjectRow.name,
      subjectType: subjectRow.subject_type,
      regionCode: subjectRow.region_code,
      industryCode: subjectRow.industry_code,
      // The registration's legal representative is public (企业信息公示暂行条例), but an anonymous
      // caller sees the name masked, as in the subject registry's own routes.
      legalRepName:
        q.actor.type === 'anonymous' && subjectRow.legal_rep_name
          ? maskName(subjectRow.legal_rep_name)
          : subjectRow.legal_rep_name,
      registrationStatus: subjectRow.registration_status,
      establishedOn: subjectRow.established_on,
      isProvisional: subjectRow.is_provisional,
    },
    basis: plan.basis,
    catalogVersion: view.version,
    consentId: authorization?.consent.id ?? null,
    sections: built.sections,
    records: built.flat,
    withheld: plan.withheld,
    accessLogId,
  };
}

/**
 * Leaf indexes of record versions, cached per database: a version's position never changes once
 * the sequencer has assigned it, and one not yet placed is asked for again after a second (the
 * sequencer places entries within about a second of the commit).
 */
interface LeafCache {
  known: Map<number, number>;
  retryAt: Map<number, number>;
}
const leafCaches = new WeakMap<Db, LeafCache>();

async function leafIndexes(
  rootDb: Db | undefined,
  db: Db,
  rows: ReadVersionRow[],
  nowMs: number,
): Promise<Map<number, number>> {
  const cache = rootDb ? (leafCaches.get(rootDb) ?? { known: new Map(), retryAt: new Map() }) : undefined;
  if (rootDb && cache) leafCaches.set(rootDb, cache);
  const out = new Map<number, number>();
  const ask: number[] = [];
  for (const r of rows) {
    const k = cache?.known.get(r.id);
    if (k !== undefined) out.set(r.id, k);
    else if (!cache || (cache.retryAt.get(r.id) ?? 0) <= nowMs) ask.push(r.id);
  }
  if (ask.length === 0) return out;
  const found = await leafIndexesFor(db, 'record_versions', ask);
  if (cache && cache.known.size + ask.length > 500_000) cache.known.clear();
  if (cache && cache.retryAt.size + ask.length > 500_000) cache.retryAt.clear();
  for (const id of ask) {
    const leaf = found.get(String(id));
    if (leaf !== undefined) {
      out.set(id, leaf);
      cache?.known.set(id, leaf);
      cache?.retryAt.delete(id);
    } else {
      cache?.retryAt.set(id, nowMs + 1000);
    }
  }
  return out;
}

function markOf(code: RecordMarkCode): RecordMark {
  return { code, ...recordMarkLabels[code] };
}

function actorOrg(actor: Actor): string | undefined {
  return actor.type === 'anonymous' || actor.type === 'system' ? undefined : actor.orgId;
}

function actorFields(actor: Actor): { type: string; id: string | null; orgId: string | null } {
  if (actor.type === 'anonymous') return { type: 'anonymous', id: null, orgId: null };
  if (actor.type === 'system') return { type: 'system', id: actor.name, orgId: null };
  return { type: actor.type, id: actor.id, orgId: actor.orgId ?? actor.uscc ?? null };
}

/**
 * Applies the viewer's masking to one record's (decrypted) data, in place; returns the fields masked
 * or removed.
 */
function maskInPlace(plan: KindPlan, data: Record<string, unknown>): string[] {
  const masked: string[] = [];
  if (plan.unrestricted) return masked;
  const mp = maskPlan(plan.kind);
  for (const [code, style] of mp.personal) {
    const v = data[code];
    if (v === undefined || v === null || v === '') continue;
    const m = maskValue(style, v);
    if (m !== v) {
      data[code] = m;
      masked.push(code);
    }
  }
  if (!plan.consented && !plan.ownOnly) {
    for (const code of mp.restricted) {
      if (data[code] === undefined) continue;
      delete data[code];
      masked.push(code);
    }
  }
  return masked;
}

export { reasons as readPathReasons };
