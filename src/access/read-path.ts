import type { CatalogKind } from '../catalog/catalog.schema.ts';
import type { Db } from '../db/database.ts';
import { enqueueLedgerEntries, type LedgerEntryInput } from '../ledger/ledger-queue.ts';
import { leafIndexesFor } from '../ledger/leaf-index.ts';
import { authorizeUse, type Clock } from '../consent/consent.service.ts';
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
import { findSubjectWithMarks } from './read-context.repository.ts';
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
  marks?: RecordMarksProvider | undefined;
  clock?: Clock | undefined;
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
  const view = await loadCatalogView(deps.db, deps.catalog);
  const run = (db: Db) =>
    readWithin({ ...deps, db }, q, clock, view, deps.db.isTransaction ? undefined : deps.db);
  // The consent use, the access log and the ledger leaf commit together or not at all.
  if (deps.db.isTransaction) return run(deps.db);
  return deps.db.transaction().execute(async (trx) => {
    // XINRONG_READ_COMMIT=async: the read's log entries are committed without waiting for the WAL
    // flush (PostgreSQL synchronous_commit off for this transaction only; see docs/decisions/0052).
    if (asyncCommit) await commitWithoutWaitingForFlush(trx);
    return run(trx);
  });
}

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
  const today = chinaDay(now);
  const found = await findSubjectWithMarks(db, uscc);
  if (!found) throw new AppError('not_found', { what: `信用主体 / subject ${uscc}` });
  const subjectRow = found.subject;
  const storedMarks = found.marks;

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

  // Consent: one counted use covering every conditional kind asked for. Its ledger entry is queued
  // with the access entry below, in one statement.
  const ledger: LedgerEntryInput[] = [];
  let authorization: AuthorizeUseResult | undefined = q.authorization;
  if (basis === 'consent' && needConsent.length) {
    authorization ??= await authorizeUse(
      db,
      {
        actor,
        uscc,
        kinds: needConsent,
        purpose: q.purpose,
        mode: q.mode ?? 'full_report',
        consentId: q.consentId,
        dateRange: q.dateRange,
      },
      clock,
      view,
      ledger,
    );
    const allowed = new Set(authorization.allowedKinds);
    for (const code of needConsent) {
      if (allowed.has(code)) {
        plans.set(code, {
          kind: view.kinds.get(code)!,
          unrestricted: false,
          consented: true,
          ownOnly: false,
        });
      } else {
        const d = authorization.denied.find((x) => x.kind === code);
        withheld.push({ kind: code, reason: d?.reason ?? reasons.noConsentForKind });
      }
    }
  } else {
    for (const code of needConsent) withheld.push({ kind: code, reason: reasons.consentRequired });
  }
  if (explicit && plans.size === 0 && !privileged) {
    throw new AppError('consent_required', {
      detail: withheld.map((w) => `${w.kind}：${w.reason.zh}`).join('；'),
    });
  }

  // Rows: one query for every allowed kind (own-only kinds of a provider in a second one).
  const openKinds = [...plans.values()].filter((p) => !p.ownOnly).map((p) => p.kind.code);
  const ownKinds = [...plans.values()].filter((p) => p.ownOnly).map((p) => p.kind.code);
  const allVersions = !!q.includeHistory && privileged;
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

  // Group versions by record.
  const byRecord = new Map<number, ReadVersionRow[]>();
  for (const r of rows) {
    const list = byRecord.get(r.recordId);
    if (list) list.push(r);
    else byRecord.set(r.recordId, [r]);
  }

  const dateFrom = q.dateRange?.from ?? null;
  const dateTo = q.dateRange?.to ?? null;
  const recordsByKind = new Map<string, ReadRecord[]>();
  let shownNonPublic = false;
  for (const versions of byRecord.values()) {
    if (versions.length > 1) versions.sort((a, b) => a.version - b.version);
    const latest = versions[versions.length - 1]!;
    const plan = plans.get(latest.kindCode);
    if (!plan) continue;
    const kind = plan.kind;

    // Date range: the request's for all, the consent's for consented kinds.
    if (!inRange(latest.occurredOn, dateFrom, dateTo)) continue;
    if (
      plan.consented &&
      authorization &&
      !inRange(latest.occurredOn, authorization.dataRange.from, authorization.dataRange.to)
    ) {
      continue;
    }

    const stored = new Set<string>(storedMarks.get(latest.recordId));
    for (const m of extraMarks?.get(latest.recordId) ?? []) stored.add(m);
    const marks: RecordMarkCode[] = [];
    if (latest.status === 'withdrawn') {
      if (!privileged) continue;
      marks.push('withdrawn');
    }
    if (stored.has('repaired')) {
      if (!privileged) continue;
      marks.push('repaired');
    }
    const data = deps.fieldCrypto.revealRecordData(kind, latest.data);
    const until = publicityUntil(kind, data);
    if (until && until < today) {
      if (!privileged) continue;
      marks.push('publicity_ended');
    }
    if (stored.has('disputed')) marks.push('disputed');
    if (kind.openness !== 'public' || marks.includes('publicity_ended')) shownNonPublic = true;

    const shown = present(plan, data);
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
      data: shown.data,
      maskedFields: shown.masked,
      marks: marks.map(markOf),
      leafIndex: leaves.get(String(latest.id)) ?? null,
      publicityUntil: until,
    };
    if (allVersions && versions.length > 1) {
      record.history = versions.slice(0, -1).map((v): ReadRecordVersion => {
        const s = present(plan, deps.fieldCrypto.revealRecordData(kind, v.data));
        return {
          versionId: v.id,
          version: v.version,
          op: v.op,
          status: v.status,
          occurredOn: v.occurredOn,
          createdAt: v.createdAt,
          data: s.data,
          maskedFields: s.masked,
          leafIndex: leaves.get(String(v.id)) ?? null,
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
  const categories = [...view.catalog.categories].sort((a, b) => a.order - b.order);
  for (const cat of categories) {
    const kinds = (view.kindsByCategory.get(cat.code) ?? []).filter((k) => plans.has(k.code));
    if (kinds.length === 0) continue;
    sections.push({
      code: cat.code,
      nameZh: cat.name_zh,
      nameEn: cat.name_en,
      order: cat.order,
      kinds: kinds.map((k) => {
        const records = recordsByKind.get(k.code) ?? [];
        flat.push(...records);
        return { code: k.code, nameZh: k.name_zh, nameEn: k.name_en, openness: k.openness, records };
      }),
    });
  }

  // Access log, and a ledger leaf for reads of non-public data.
  const who = actorFields(actor);
  const nonPublic = shownNonPublic || [...plans.values()].some((p) => p.kind.openness !== 'public');
  const logRow = await insertAccessLog(db, {
    uscc,
    actor_type: who.type,
    actor_id: who.id,
    org_id: who.orgId,
    basis,
    purpose: (authorization?.consent.purpose ?? q.purpose ?? q.internalPurpose ?? null) as string | null,
    consent_id: authorization?.consent.id ?? null,
    mode: authorization ? (q.mode ?? 'full_report') : null,
    kinds: [...plans.keys()],
    record_count: flat.length,
    non_public: nonPublic,
    occurred_at: now,
  });
  if (nonPublic) {
    ledger.push({
      entryType: 'access',
      refTable: 'access_log',
      refId: logRow.id,
      uscc,
      payload: {
        access_log_id: Number(logRow.id),
        digest: factsDigest({
          id: Number(logRow.id),
          uscc,
          actor_type: who.type,
          actor_id: who.id,
          org_id: who.orgId,
          basis,
          purpose: logRow.purpose,
          consent_id: logRow.consent_id,
          mode: logRow.mode,
          kinds: logRow.kinds,
          record_count: flat.length,
          occurred_at: iso(now),
        }),
      },
    });
  }
  await enqueueLedgerEntries(db, ledger);

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
        actor.type === 'anonymous' && subjectRow.legal_rep_name
          ? maskName(subjectRow.legal_rep_name)
          : subjectRow.legal_rep_name,
      registrationStatus: subjectRow.registration_status,
      establishedOn: subjectRow.established_on,
      isProvisional: subjectRow.is_provisional,
    },
    basis,
    catalogVersion: view.version,
    consentId: authorization?.consent.id ?? null,
    sections,
    records: flat,
    withheld,
    accessLogId: Number(logRow.id),
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
): Promise<Map<string, number>> {
  const cache = rootDb ? (leafCaches.get(rootDb) ?? { known: new Map(), retryAt: new Map() }) : undefined;
  if (rootDb && cache) leafCaches.set(rootDb, cache);
  const out = new Map<string, number>();
  const ask: number[] = [];
  for (const r of rows) {
    const k = cache?.known.get(r.id);
    if (k !== undefined) out.set(String(r.id), k);
    else if (!cache || (cache.retryAt.get(r.id) ?? 0) <= nowMs) ask.push(r.id);
  }
  if (ask.length === 0) return out;
  const found = await leafIndexesFor(db, 'record_versions', ask);
  if (cache && cache.known.size + ask.length > 500_000) cache.known.clear();
  if (cache && cache.retryAt.size + ask.length > 500_000) cache.retryAt.clear();
  for (const id of ask) {
    const leaf = found.get(String(id));
    if (leaf !== undefined) {
      out.set(String(id), leaf);
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

/** Applies the viewer's masking to one record's (decrypted) data. */
function present(
  plan: KindPlan,
  data: Record<string, unknown>,
): { data: Record<string, unknown>; masked: string[] } {
  if (plan.unrestricted) return { data, masked: [] };
  const mp = maskPlan(plan.kind);
  if (mp.personal.length === 0 && (plan.consented || mp.restricted.length === 0)) return { data, masked: [] };
  const out = { ...data };
  const masked: string[] = [];
  for (const [code, style] of mp.personal) {
    const v = out[code];
    if (v === undefined || v === null || v === '') continue;
    const m = maskValue(style, v);
    if (m !== v) {
      out[code] = m;
      masked.push(code);
    }
  }
  if (!plan.consented && !plan.ownOnly) {
    for (const code of mp.restricted) {
      if (out[code] === undefined) continue;
      delete out[code];
      masked.push(code);
    }
  }
  return { data: out, masked };
}

export { reasons as readPathReasons };
