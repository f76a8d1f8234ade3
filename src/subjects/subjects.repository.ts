import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { SubjectsTable } from '../db/foundation.tables.ts';
import { textArray } from '../db/array-literal.ts';

export type SubjectRow = Selectable<SubjectsTable>;

/** Separator for a gram list sent as one text (arrays of arrays cannot be ragged in PostgreSQL). */
const gramSep = '\u001f';

export interface ProvisionalSubjectRow {
  uscc: string;
  name: string;
  subject_type: string;
  region_code: string | null;
  grams: string[];
}

/**
 * Creates provisional subjects that do not exist yet, in one statement for the whole list (unnest of
 * column arrays: a constant number of parameters however many rows). Existing subjects are left as
 * they are, except that a provisional subject created without a name gets the first name a record
 * brings. Rows must have distinct USCCs.
 */
export async function insertProvisionalSubjects(
  db: Kysely<Database>,
  rows: ProvisionalSubjectRow[],
): Promise<void> {
  if (rows.length === 0) return;
  // ON CONFLICT DO NOTHING leaves existing subjects untouched (no row lock, no write: most records
  // name a subject that exists); the UPDATE touches only provisional subjects still without a name.
  await sql`
    WITH input AS (
      SELECT * FROM unnest(
        ${textArray(rows.map((r) => r.uscc))}::text[], ${textArray(rows.map((r) => r.name))}::text[],
        ${textArray(rows.map((r) => r.subject_type))}::text[], ${textArray(rows.map((r) => r.region_code))}::text[],
        ${textArray(rows.map((r) => r.grams.join(gramSep)))}::text[]
      ) AS t(uscc, name, subject_type, region_code, grams)
    ),
    named AS (
      UPDATE subjects s SET name = i.name, name_bigrams = string_to_array(i.grams, ${gramSep}), updated_at = now()
      FROM input i
      WHERE s.uscc = i.uscc AND s.is_provisional AND s.name = '' AND i.name <> ''
    )
    INSERT INTO subjects (uscc, name, subject_type, region_code, is_provisional, name_bigrams)
    SELECT uscc, name, subject_type, region_code, true, string_to_array(grams, ${gramSep})
    FROM input
    ORDER BY uscc
    ON CONFLICT (uscc) DO NOTHING
  `.execute(db);
}

/**
 * Merges the name indexes' GIN pending lists into their trees (migration 2026-11-22T0320): new
 * subjects' name entries wait there, so that a batch creating thousands of subjects merges them in
 * sorted bulk instead of one tree insert per gram. Ingestion calls it when a batch ends, so searches
 * never scan more than what a running batch has added.
 */
export async function cleanSubjectNamePendingLists(db: Kysely<Database>): Promise<void> {
  await sql`SELECT gin_clean_pending_list('subjects_name_bigrams'::regclass),
    gin_clean_pending_list('subjects_name_trgm'::regclass)`.execute(db);
}

export interface RegisteredSubjectRow {
  uscc: string;
  name: string;
  subject_type: string;
  region_code: string | null;
  industry_code: string | null;
  legal_rep_name: string | null;
  registration_status: string | null;
  /** YYYY-MM-DD */
  established_on: string | null;
  /** 万元, decimal text */
  registered_capital: string | null;
  address: string | null;
  grams: string[];
}

/**
 * Creates or updates subjects from market-registration records (they become non-provisional) and
 * adds each registered name to the name history, in one statement for the whole list. A row that
 * changes nothing is not rewritten. Rows must have distinct USCCs.
 */
export async function upsertRegisteredSubjects(
  db: Kysely<Database>,
  rows: RegisteredSubjectRow[],
  source: string,
): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof RegisteredSubjectRow>(k: K) => rows.map((r) => r[k]);
  await sql`
    WITH input AS (
      SELECT * FROM unnest(
        ${col('uscc')}::text[], ${col('name')}::text[], ${col('subject_type')}::text[],
        ${col('region_code')}::text[], ${col('industry_code')}::text[], ${col('legal_rep_name')}::text[],
        ${col('registration_status')}::text[], ${col('established_on')}::text[],
        ${col('registered_capital')}::text[], ${col('address')}::text[],
        ${rows.map((r) => r.grams.join(gramSep))}::text[]
      ) AS t(uscc, name, subject_type, region_code, industry_code, legal_rep_name,
             registration_status, established_on, registered_capital, address, grams)
    ),
    upserted AS (
      INSERT INTO subjects (uscc, name, subject_type, region_code, industry_code, legal_rep_name,
                            registration_status, established_on, registered_capital, address,
                            is_provisional, name_bigrams)
      SELECT uscc, name, subject_type, region_code, industry_code, legal_rep_name,
             registration_status, established_on::date, registered_capital::numeric, address,
             false, string_to_array(grams, ${gramSep})
      FROM input
      ORDER BY uscc
      ON CONFLICT (uscc) DO UPDATE SET
        name = excluded.name,
        subject_type = excluded.subject_type,
        region_code = excluded.region_code,
        industry_code = excluded.industry_code,
        legal_rep_name = excluded.legal_rep_name,
        registration_status = excluded.registration_status,
        established_on = excluded.established_on,
        registered_capital = excluded.registered_capital,
        address = excluded.address,
        is_provisional = false,
        name_bigrams = excluded.name_bigrams,
        updated_at = now()
      WHERE subjects.is_provisional
         OR (subjects.name, subjects.subject_type, subjects.region_code, subjects.industry_code,
             subjects.legal_rep_name, subjects.registration_status, subjects.established_on,
             subjects.registered_capital, subjects.address)
            IS DISTINCT FROM
            (excluded.name, excluded.subject_type, excluded.region_code, excluded.industry_code,
             excluded.legal_rep_name, excluded.registration_status, excluded.established_on,
             excluded.registered_capital, excluded.address)
      RETURNING uscc
    )
    INSERT INTO subject_names (uscc, name, source)
    SELECT uscc, name, ${source} FROM input
    ORDER BY uscc
    ON CONFLICT (uscc, name) DO NOTHING
  `.execute(db);
}

export async function findSubjectRow(db: Kysely<Database>, uscc: string): Promise<SubjectRow | undefined> {
  return db.selectFrom('subjects').selectAll().where('uscc', '=', uscc).executeTakeFirst();
}

export interface SubjectNameRow {
  name: string;
  first_seen_at: Date;
  source: string;
}

export async function listSubjectNames(db: Kysely<Database>, uscc: string): Promise<SubjectNameRow[]> {
  const rows = await db
    .selectFrom('subject_names')
    .select(['name', 'first_seen_at', 'source'])
    .where('uscc', '=', uscc)
    .orderBy('first_seen_at')
    .orderBy('id')
    .execute();
  // Generated<Timestamp> selects as the column type itself: the driver returns a Date.
  return rows.map((r) => ({ ...r, first_seen_at: new Date(r.first_seen_at as unknown as Date) }));
}

/** Filters on the registry; ranges are inclusive and over digit strings (any collation orders them alike). */
export interface SubjectFilter {
  /** region_code between these (a prefix padded with 0s and 9s). */
  region?: { from: string; to: string } | undefined;
  /** industry_code between these, or equal to a bare 门类 letter. */
  industry?: { from: string; to: string; letter?: string | undefined } | undefined;
  type?: string | undefined;
  /** The subject's current evaluation grade (subject_grades: the latest score of each subject). */
  grade?: string | undefined;
}

export interface SubjectSearch {
  filter: SubjectFilter;
  /** Normalised code when q is a valid USCC. */
  exactUscc?: string | undefined;
  /** Code prefix when q looks like the beginning of a USCC. */
  usccPrefix?: string | undefined;
  /** Name fragment (trimmed), with the grams a containing name must have. */
  fragment?: { text: string; grams: string[] } | undefined;
  limit: number;
  offset: number;
  /** Upper bound of matches looked at per branch: keeps frequent fragments (科技, 有限公司) fast. */
  cap: number;
}

export interface SubjectListRow {
  uscc: string;
  name: string;
  subject_type: string;
  region_code: string | null;
  region_name: string | null;
  industry_code: string | null;
  industry_name: string | null;
  registration_status: string | null;
  established_on: string | null;
  legal_rep_name: string | null;
  is_provisional: boolean;
  /** Current evaluation grade; null when never evaluated. */
  grade: string | null;
}

/**
 * The subjects of a query, joined to their current grade when the filter names one: a join by
 * primary key on the narrow subject_grades table (or, for a grade listing, a range of its
 * (grade, uscc) index), never a latest-score subquery per subject.
 */
function fromSql(f: SubjectFilter) {
  return f.grade
    ? sql`subjects s JOIN subject_grades g ON g.uscc = s.uscc AND g.grade = ${f.grade}`
    : sql`subjects s`;
}

function filterSql(f: SubjectFilter) {
  const parts = [sql<boolean>`true`];
  if (f.region) parts.push(sql<boolean>`s.region_code BETWEEN ${f.region.from} AND ${f.region.to}`);
  if (f.industry) {
    parts.push(
      f.industry.letter
        ? sql<boolean>`(s.industry_code BETWEEN ${f.industry.from} AND ${f.industry.to} OR s.industry_code = ${f.industry.letter})`
        : sql<boolean>`s.industry_code BETWEEN ${f.industry.from} AND ${f.industry.to}`,
    );
  }
  if (f.type) parts.push(sql<boolean>`s.subject_type = ${f.type}`);
  return sql.join(parts, sql` AND `);
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const listColumns = sql`
  s.uscc, s.name, s.subject_type, s.region_code, r.name AS region_name, s.industry_code,
  i.name AS industry_name, s.registration_status, s.established_on, s.legal_rep_name, s.is_provisional,
  sg.grade AS grade`;

/** Dictionaries and current grade of the rows shown (a page: one primary-key probe each). */
const listJoins = sql`
    LEFT JOIN regions r ON r.code = s.region_code
    LEFT JOIN industries i ON i.code = s.industry_code
    LEFT JOIN subject_grades sg ON sg.uscc = s.uscc`;

/**
 * Ranked search in one statement: exact USCC (rank 0), USCC prefix (1), exact name (2), name prefix
 * (3), name containing the fragment (4). Each branch is an index scan (primary key, name
 * text_pattern_ops, name_bigrams GIN or the pg_trgm GIN) limited to `cap` rows; only the requested
 * page is joined to the dictionaries. `total` counts the distinct matches found (at most a few caps).
 */
function searchQuery(s: SubjectSearch) {
  const where = filterSql(s.filter);
  const from = fromSql(s.filter);
  const branches = [];
  if (s.exactUscc) {
    branches.push(sql`(SELECT s.uscc, 0 AS rank, length(s.name) AS len FROM ${from}
      WHERE s.uscc = ${s.exactUscc} AND ${where})`);
  }
  if (s.usccPrefix) {
    branches.push(sql`(SELECT s.uscc, 1 AS rank, length(s.name) AS len FROM ${from}
      WHERE s.uscc LIKE ${`${likeEscape(s.usccPrefix)}%`} AND ${where} LIMIT ${s.cap})`);
  }
  if (s.fragment) {
    const f = s.fragment.text;
    branches.push(sql`(SELECT s.uscc, 2 AS rank, length(s.name) AS len FROM ${from}
      WHERE s.name = ${f} AND ${where} LIMIT ${s.cap})`);
    branches.push(sql`(SELECT s.uscc, 3 AS rank, length(s.name) AS len FROM ${from}
      WHERE s.name LIKE ${`${likeEscape(f)}%`} AND ${where} LIMIT ${s.cap})`);
    branches.push(sql`(SELECT s.uscc, 4 AS rank, length(s.name) AS len FROM ${from}
      WHERE s.name_bigrams @> ${s.fragment.grams}::text[]
        AND ${/[a-z]/i.test(f) ? sql`s.name ILIKE ${`%${likeEscape(f)}%`}` : sql`s.name LIKE ${`%${likeEscape(f)}%`}`}
        AND ${where} LIMIT ${s.cap})`);
  }
  if (!branches.length) return undefined;
  return sql<SubjectListRow & { total: number; branch_max: number }>`
    WITH hits AS (${sql.join(branches, sql` UNION ALL `)}),
    best AS (SELECT uscc, min(rank) AS rank, min(len) AS len FROM hits GROUP BY uscc),
    page AS (
      SELECT uscc, rank, len, count(*) OVER () AS total FROM best
      ORDER BY rank, len, uscc LIMIT ${s.limit} OFFSET ${s.offset}
    )
    SELECT ${listColumns}, p.total::int AS total,
      (SELECT max(c)::int FROM (SELECT count(*) AS c FROM hits GROUP BY rank) x) AS branch_max
    FROM page p
    JOIN subjects s ON s.uscc = p.uscc
    ${listJoins}
    ORDER BY p.rank, p.len, p.uscc
  `;
}

export async function searchSubjectRows(
  db: Kysely<Database>,
  s: SubjectSearch,
): Promise<{ rows: SubjectListRow[]; total: number; capped: boolean }> {
  const query = searchQuery(s);
  if (!query) return { rows: [], total: 0, capped: false };
  const rows = (await query.execute(db)).rows;
  if (rows.length === 0 && s.offset > 0) {
    // Past the last page: still report the total.
    const again = await searchSubjectRows(db, { ...s, offset: 0, limit: 1 });
    return { rows: [], total: again.total, capped: again.capped };
  }
  const first = rows[0];
  return {
    rows: rows.map(({ total: _t, branch_max: _b, ...r }) => r),
    total: first?.total ?? 0,
    capped: (first?.branch_max ?? 0) >= s.cap,
  };
}

/** Listing without a query, filtered (ordered by the filter, then USCC); the total is counted up to `cap`. */
export async function listSubjectRows(
  db: Kysely<Database>,
  filter: SubjectFilter,
  limit: number,
  offset: number,
  cap: number,
): Promise<{ rows: SubjectListRow[]; total: number; capped: boolean }> {
  const where = filterSql(filter);
  const rows = await listQuery(filter, limit, offset).execute(db);
  const count = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (SELECT 1 FROM ${fromSql(filter)} WHERE ${where} LIMIT ${cap + 1}) x
  `.execute(db);
  const n = count.rows[0]?.n ?? 0;
  return { rows: rows.rows, total: Math.min(n, cap), capped: n > cap };
}

export async function findSubjectDetailRow(
  db: Kysely<Database>,
  uscc: string,
): Promise<SubjectListRow | undefined> {
  const r = await sql<SubjectListRow>`
    SELECT ${listColumns}
    FROM subjects s
    ${listJoins}
    WHERE s.uscc = ${uscc}
  `.execute(db);
  return r.rows[0];
}

export async function countSubjects(db: Kysely<Database>): Promise<number> {
  const r = await db
    .selectFrom('subjects')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * Order of a filtered listing: the filter's own composite index (region_code, uscc) /
 * (industry_code, uscc) / (subject_type, uscc) serves the page directly.
 */
function listOrder(f: SubjectFilter) {
  if (f.region) return sql`s.region_code, s.uscc`;
  if (f.industry) return sql`s.industry_code, s.uscc`;
  if (f.type) return sql`s.subject_type, s.uscc`;
  // A grade alone: the (grade, uscc) index of subject_grades serves the page.
  if (f.grade) return sql`g.uscc`;
  return sql`s.uscc`;
}

function listQuery(filter: SubjectFilter, limit: number, offset: number) {
  return sql<SubjectListRow>`
    SELECT ${listColumns}
    FROM ${fromSql(filter)}
    ${listJoins}
    WHERE ${filterSql(filter)}
    ORDER BY ${listOrder(filter)} LIMIT ${limit} OFFSET ${offset}
  `;
}

/**
 * The plan of a search (or, without any q, of a listing) as EXPLAIN prints it, one line per row:
 * tests and the benchmark check which indexes serve each query. `noSeqScan` asks the planner to
 * avoid sequential scans (SET LOCAL enable_seqscan = off), which shows whether an index is usable at
 * all on a table too small for the planner to prefer it.
 */
export async function explainSubjectSearch(
  db: Kysely<Database>,
  s: SubjectSearch,
  opts: { noSeqScan?: boolean; analyze?: boolean } = {},
): Promise<string[]> {
  const query = searchQuery(s) ?? listQuery(s.filter, s.limit, s.offset);
  return db.transaction().execute(async (trx) => {
    if (opts.noSeqScan) await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const r = await sql<
      Record<string, string>
    >`EXPLAIN ${sql.raw(opts.analyze ? '(ANALYZE, BUFFERS false) ' : '')}${query}`.execute(trx);
    return r.rows.map((row) => Object.values(row)[0]!);
  });
}
