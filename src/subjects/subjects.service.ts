import type { Kysely } from 'kysely';
import type { Actor } from '../access/actor.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../shared/errors.ts';
import { checkUscc, normalizeCode } from '../shared/identifiers.ts';
import { ensureDictionaries, industryRange, regionPrefix } from './dictionaries.ts';
import { listDictionary, type DictionaryRow } from './dictionaries.repository.ts';
import { nameGrams, queryGrams } from './name-grams.ts';
import {
  resolveSubjectType,
  subjectTypeFromUscc,
  subjectTypeLabels,
  subjectTypes,
  type SubjectType,
} from './subject-types.ts';
import {
  findSubjectDetailRow,
  insertProvisionalSubjects,
  listSubjectNames,
  listSubjectRows,
  searchSubjectRows,
  upsertRegisteredSubjects,
  type ProvisionalSubjectRow,
  type RegisteredSubjectRow,
  explainSubjectSearch,
  type SubjectFilter,
  type SubjectListRow,
  type SubjectSearch,
} from './subjects.repository.ts';

/** What a record tells the registry about its subject (contract with ingestion). */
export interface SubjectTouch {
  /** Already normalised and valid (GB 32100-2015). */
  uscc: string;
  /** As the record names the subject. */
  name?: string;
  /** Present only for market-registration records (营业执照信息). */
  registration?: {
    name: string;
    subject_type?: string;
    legal_rep_name?: string | null;
    established_on?: string | null;
    registration_status?: string | null;
    /** 万元 */
    registered_capital?: string | number | null;
    address?: string | null;
    region_code?: string | null;
    industry_code?: string | null;
  };
}

/** Rows per statement: 11 column arrays per statement, whatever the size, keep each one bounded. */
const chunkSize = 1000;

function text(v: string | null | undefined): string | null {
  const t = v?.trim();
  return t ? t : null;
}

/** 'YYYY-MM-DD' from the forms ingestion may pass on (YYYY-MM-DD, YYYY/M/D, YYYYMMDD); else null. */
export function normalizeDate(v: string | null | undefined): string | null {
  const t = v?.trim();
  if (!t) return null;
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[T\s].*)?$/.exec(t);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Registered capital in 万元 as decimal text; unparseable values are dropped rather than guessed. */
export function normalizeCapital(v: string | number | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  const t = v.replace(/[,，\s]/g, '').replace(/(万元|万|人民币)$/u, '');
  return /^-?\d+(\.\d+)?$/.test(t) ? t : null;
}

/** GB/T 4754 codes are stored without the 门类 letter when a 大/中/小类 is given ('I6510' → '6510'). */
export function normalizeIndustryCode(v: string | null | undefined): string | null {
  const t = text(v)?.toUpperCase();
  if (!t) return null;
  const m = /^[A-T]?(\d{2,4})$/.exec(t);
  if (m) return m[1]!;
  return /^[A-T]$/.test(t) ? t : null;
}

function regionOf(uscc: string, declared?: string | null): string | null {
  const d = text(declared);
  if (d && /^\d{6}$/.test(d)) return d;
  const fromCode = uscc.slice(2, 8);
  return /^\d{6}$/.test(fromCode) ? fromCode : null;
}

function registeredRow(t: SubjectTouch): RegisteredSubjectRow {
  const r = t.registration!;
  const name = text(r.name) ?? text(t.name) ?? '';
  return {
    uscc: t.uscc,
    name,
    subject_type: resolveSubjectType(r.subject_type, t.uscc),
    region_code: regionOf(t.uscc, r.region_code),
    industry_code: normalizeIndustryCode(r.industry_code),
    legal_rep_name: text(r.legal_rep_name),
    registration_status: text(r.registration_status),
    established_on: normalizeDate(r.established_on),
    registered_capital: normalizeCapital(r.registered_capital),
    address: text(r.address),
    grams: nameGrams(name),
  };
}

function provisionalRow(t: SubjectTouch): ProvisionalSubjectRow {
  const name = text(t.name) ?? '';
  return {
    uscc: t.uscc,
    name,
    subject_type: subjectTypeFromUscc(t.uscc),
    region_code: regionOf(t.uscc),
    grams: nameGrams(name),
  };
}

/**
 * Makes sure every subject a batch of records refers to exists. A registration touch creates or
 * updates the subject (no longer provisional) and adds its name to the name history; any other touch
 * creates a provisional subject (name from the record, type and region from the code) when there is
 * none, and never overwrites registration data. Batched: one statement per 1,000 distinct subjects
 * (two when a chunk mixes registration and other touches). Call it inside the ingestion transaction.
 */
export async function ensureSubjects(
  trx: Kysely<Database>,
  touches: SubjectTouch[],
  source: string,
): Promise<void> {
  const registered = new Map<string, SubjectTouch>();
  const other = new Map<string, SubjectTouch>();
  for (const t of touches) {
    if (t.registration) {
      registered.set(t.uscc, t); // the last registration record of a batch wins
      continue;
    }
    const seen = other.get(t.uscc);
    if (!seen || (!text(seen.name) && text(t.name))) other.set(t.uscc, t);
  }
  for (const uscc of registered.keys()) other.delete(uscc);

  const reg = [...registered.values()].map(registeredRow).sort(byUscc);
  for (let i = 0; i < reg.length; i += chunkSize) {
    await upsertRegisteredSubjects(trx, reg.slice(i, i + chunkSize), source);
  }
  const prov = [...other.values()].map(provisionalRow).sort(byUscc);
  for (let i = 0; i < prov.length; i += chunkSize) {
    await insertProvisionalSubjects(trx, prov.slice(i, i + chunkSize));
  }
}

function byUscc(a: { uscc: string }, b: { uscc: string }): number {
  return a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Reading the registry

/** Registration basics of a subject, as shown publicly (a whitelist: nothing else leaves). */
export interface SubjectSummary {
  uscc: string;
  name: string;
  type: SubjectType;
  typeLabel: { zh: string; en: string };
  region: { code: string; name: string | null } | null;
  industry: { code: string; name: string | null } | null;
  /** 登记状态 as registered (存续、在业、吊销、注销…); null while provisional. */
  status: string | null;
  establishedOn: string | null;
  /** 法定代表人 / 负责人 / 经营者; masked (张*) for anonymous callers. */
  legalRepName: string | null;
  /** Known only from other departments' records, no registration record received yet. */
  provisional: boolean;
  /**
   * Current evaluation grade (信用评价等级), only for callers who may see grades (decision 0083:
   * institutions and operators); absent for everyone else, null when never evaluated.
   */
  grade?: string | null;
}

export interface SubjectDetail extends SubjectSummary {
  /** Earlier registered names, oldest first (名称变更). */
  formerNames: { name: string; since: string }[];
}

export interface SubjectSearchQuery {
  /** USCC, USCC prefix or any fragment of the name. */
  q?: string | undefined;
  /** GB/T 2260 code or prefix: '41' / '410000' province, '4101' / '410100' city, '410105' county. */
  region?: string | undefined;
  /** GB/T 4754 门类 letter or 大/中/小类 code. */
  industry?: string | undefined;
  type?: SubjectType | undefined;
  /** Current evaluation grade (A+, A, B, C, D in the default model); institutions and operators only. */
  grade?: string | undefined;
  page?: number | undefined;
  pageSize?: number | undefined;
}

export interface SubjectSearchResult {
  items: SubjectSummary[];
  page: number;
  pageSize: number;
  /** Matches found; a lower bound when `totalIsLowerBound` (frequent fragments are capped). */
  total: number;
  totalIsLowerBound: boolean;
}

/**
 * Matches looked at per ranking branch (a page of a frequent fragment such as 科技 is ranked among the
 * first 1,000 found): bounds the heap reads of any query to ~1,000 rows. Totals above it are shown as
 * "1,000+" (`totalIsLowerBound`); users narrow the query or add a filter.
 */
export const searchCap = 1000;
/** Listing (no q) counts up to this many, for the same reason. */
export const listCountCap = 1000;
export const maxPageSize = 100;

/** 张伟 → 张*, 欧阳娜娜 → 欧***: the family name's first character stays (public display). */
export function maskPersonName(name: string | null): string | null {
  if (!name) return name;
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/**
 * Who may see and filter by evaluation grades: the roles that get a subject's grade from the
 * evaluation API (decision 0083). The search is a public route; a grade filter from anyone else would
 * reveal grades ("every D in this district"), so it is refused rather than ignored.
 */
export function canSeeGrades(actor: Actor): boolean {
  return actor.type === 'institution' || actor.type === 'institution_system' || actor.type === 'operator';
}

function summary(row: SubjectListRow, actor: Actor): SubjectSummary {
  const type = (subjectTypes as readonly string[]).includes(row.subject_type)
    ? (row.subject_type as SubjectType)
    : 'other';
  return {
    uscc: row.uscc,
    name: row.name,
    type,
    typeLabel: subjectTypeLabels[type],
    region: row.region_code ? { code: row.region_code, name: row.region_name } : null,
    industry: row.industry_code ? { code: row.industry_code, name: row.industry_name } : null,
    status: row.registration_status,
    establishedOn: row.established_on,
    legalRepName: actor.type === 'anonymous' ? maskPersonName(row.legal_rep_name) : row.legal_rep_name,
    provisional: row.is_provisional,
    ...(canSeeGrades(actor) ? { grade: row.grade } : {}),
  };
}

/** Normalises and checks a USCC from a path or argument; throws uscc_invalid naming the rule. */
export function parseUscc(raw: string): string {
  const code = normalizeCode(raw);
  const problem = checkUscc(code);
  if (problem) {
    throw new AppError(
      'uscc_invalid',
      { value: raw, rule: problem.rule, reason_zh: problem.zh, reason_en: problem.en },
      { rule: problem.rule },
    );
  }
  return code;
}

const usccPrefixPattern = /^[0-9A-HJ-NP-RTUW-Y]{2,17}$/;

function buildFilter(q: SubjectSearchQuery): SubjectFilter {
  const filter: SubjectFilter = {};
  if (q.region) {
    const p = regionPrefix(q.region);
    if (!p) throw new AppError('validation_failed', { detail: `region: ${q.region}` });
    filter.region = { from: p.padEnd(6, '0'), to: p.padEnd(6, '9') };
  }
  if (q.industry) {
    const r = industryRange(q.industry);
    if (!r) throw new AppError('validation_failed', { detail: `industry: ${q.industry}` });
    filter.industry = r;
  }
  if (q.type) filter.type = q.type;
  if (q.grade) filter.grade = q.grade.trim().toUpperCase();
  return filter;
}

/** How a search query runs: a ranked search when there is a q, a filtered listing otherwise. */
function planSearch(query: SubjectSearchQuery): { q: boolean; page: number; search: SubjectSearch } {
  const page = Math.max(1, Math.floor(query.page ?? 1));
  const pageSize = Math.min(maxPageSize, Math.max(1, Math.floor(query.pageSize ?? 20)));
  const filter = buildFilter(query);
  const text = query.q?.trim() ?? '';
  const code = normalizeCode(text);
  const isCode = !!text && !checkUscc(code);
  return {
    q: !!text,
    page,
    search: {
      filter,
      exactUscc: isCode ? code : undefined,
      usccPrefix: text && !isCode && usccPrefixPattern.test(code) ? code : undefined,
      fragment: text && !isCode ? { text, grams: queryGrams(text) } : undefined,
      limit: pageSize,
      offset: (page - 1) * pageSize,
      cap: searchCap,
    },
  };
}

export type SubjectsService = ReturnType<typeof createSubjectsService>;

export function createSubjectsService(db: Kysely<Database>) {
  let dictionariesReady: Promise<unknown> | undefined;
  /** Dictionaries are loaded once per process, on first use (idempotent across processes). */
  const ready = () =>
    (dictionariesReady ??= ensureDictionaries(db).catch((e: unknown) => {
      dictionariesReady = undefined;
      throw e;
    }));

  async function findSubject(uscc: string, actor: Actor): Promise<SubjectDetail | undefined> {
    await ready();
    const row = await findSubjectDetailRow(db, uscc);
    if (!row) return undefined;
    const names = await listSubjectNames(db, uscc);
    return {
      ...summary(row, actor),
      formerNames: names
        .filter((n) => n.name !== row.name)
        .map((n) => ({ name: n.name, since: n.first_seen_at.toISOString() })),
    };
  }

  return {
    ensureDictionaries: () => ensureDictionaries(db),

    ensureSubjects: (touches: SubjectTouch[], source: string) =>
      db.transaction().execute((trx) => ensureSubjects(trx, touches, source)),

    findSubject,

    /** Throws not_found; `rawUscc` is normalised and checked first (uscc_invalid). */
    async getSubject(rawUscc: string, actor: Actor): Promise<SubjectDetail> {
      const uscc = parseUscc(rawUscc);
      const s = await findSubject(uscc, actor);
      if (!s) throw new AppError('not_found', { what: `信用主体 subject ${uscc}` });
      return s;
    },

    async search(query: SubjectSearchQuery, actor: Actor): Promise<SubjectSearchResult> {
      if (query.grade && !canSeeGrades(actor)) {
        throw new AppError(actor.type === 'anonymous' ? 'unauthenticated' : 'forbidden');
      }
      await ready();
      const plan = planSearch(query);
      const found = plan.q
        ? await searchSubjectRows(db, plan.search)
        : await listSubjectRows(db, plan.search.filter, plan.search.limit, plan.search.offset, listCountCap);
      return {
        items: found.rows.map((r) => summary(r, actor)),
        page: plan.page,
        pageSize: plan.search.limit,
        total: found.total,
        totalIsLowerBound: found.capped,
      };
    },

    /** EXPLAIN of the statement `search` runs for this query (benchmark, tests). */
    async explainSearch(query: SubjectSearchQuery, opts: { noSeqScan?: boolean; analyze?: boolean } = {}) {
      await ready();
      return explainSubjectSearch(db, planSearch(query).search, opts);
    },

    async listRegions(opts: { parent?: string; maxLevel?: number } = {}): Promise<DictionaryRow[]> {
      await ready();
      return listDictionary(db, 'regions', opts);
    },

    async listIndustries(opts: { parent?: string; maxLevel?: number } = {}): Promise<DictionaryRow[]> {
      await ready();
      return listDictionary(db, 'industries', opts);
    },
  };
}
