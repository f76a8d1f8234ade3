import { sql } from 'kysely';
import type { Db } from '../src/db/database.ts';
import { usccCheckChar } from '../src/shared/identifiers.ts';

/**
 * Bulk SQL data for the evaluation benchmark: N subjects with ~100 record versions each over the
 * catalog's kinds (monthly utility and social-insurance rows, yearly reports and tax grades, licences,
 * IP, and negative kinds at plausible rates), written straight into `subjects` and `record_versions`
 * with generate_series (the seed generator's rows go through ingestion, far too slow for 10^7 rows).
 * Deterministic: random() after setseed in the same statement.
 */

export function benchUscc(n: number): string {
  const first17 = `91410100${String(n).padStart(7, '0')}MA`.slice(0, 17);
  return first17 + usccCheckChar(first17);
}

/** Records per subject written by generateRecords (one record per j in 1..100). */
export const RECORDS_PER_SUBJECT = 100;

export async function generateSubjects(db: Db, count: number): Promise<void> {
  const step = 20000;
  for (let start = 1; start <= count; start += step) {
    const n = Array.from({ length: Math.min(step, count - start + 1) }, (_, i) => start + i);
    await sql`
      INSERT INTO subjects (uscc, name, subject_type, region_code, industry_code, registration_status,
        established_on, registered_capital)
      SELECT u.uscc, '基准企业' || u.n, 'enterprise', '410100',
        (ARRAY['3311', '5191', '5211', '6513', '4710', '7212', '0111', '5612'])[1 + (u.n % 8)],
        CASE WHEN u.n % 50 = 0 THEN '吊销' WHEN u.n % 97 = 0 THEN '注销' ELSE '存续' END,
        DATE '2000-01-01' + (u.n::bigint * 7919 % 9000)::int,
        ((u.n::bigint * 104729) % 5000)::numeric
      FROM unnest(${n.map(benchUscc)}::text[], ${n}::int[]) AS u(uscc, n)`.execute(db);
  }
}

/**
 * Writes RECORDS_PER_SUBJECT records for subjects numbered from..to, one version each (record ids
 * are (n−1)·100 + j). Dates run back from 2026-06-30.
 */
export async function generateRecords(db: Db, from: number, to: number, seed = 0.42): Promise<void> {
  await sql`SELECT setseed(${seed})`.execute(db);
  await sql`
    INSERT INTO record_versions (record_id, uscc, kind_code, version, op, status, data, data_digest,
      occurred_on, catalog_version, provider_id)
    SELECT (s.n::bigint - 1) * 100 + j, s.uscc, k.kind, 1, 'create', 'active', d.data, 'bench',
      d.occurred, 1, 'bench'
    FROM (SELECT g AS n, ${sql.raw(`'91410100' || lpad(g::text, 7, '0') || 'MA'`)} AS p FROM generate_series(${from}::int, ${to}::int) g) s0
    CROSS JOIN LATERAL (SELECT s0.n, s0.p || xr_bench_check(s0.p) AS uscc) s
    CROSS JOIN generate_series(1, 100) j
    -- Correlated (j, s.n), or the planner would draw the numbers once for the whole statement.
    CROSS JOIN LATERAL (SELECT random() + 0 * j AS r1, random() + 0 * s.n AS r2, random() + 0 * j AS r3) rnd
    CROSS JOIN LATERAL (SELECT CASE
        WHEN j <= 3 THEN 'annual_report'
        WHEN j <= 6 THEN 'tax_credit_rating'
        WHEN j <= 30 THEN 'electricity_fee'
        WHEN j <= 42 THEN 'social_insurance_payment'
        WHEN j <= 54 THEN 'water_fee'
        WHEN j <= 66 THEN 'gas_fee'
        WHEN j <= 80 THEN 'admin_licence'
        WHEN j <= 84 THEN 'trademark'
        WHEN j <= 86 THEN 'patent'
        WHEN j = 87 THEN 'housing_fund_statistics'
        WHEN j = 88 THEN 'environmental_credit'
        WHEN j = 89 THEN 'customs_credit'
        WHEN j = 90 THEN CASE WHEN rnd.r1 < 0.15 THEN 'admin_penalty' ELSE 'admin_inspection' END
        WHEN j = 91 THEN CASE WHEN rnd.r1 < 0.08 THEN 'court_judgment' ELSE 'admin_confirmation' END
        WHEN j = 92 THEN CASE WHEN rnd.r1 < 0.03 THEN 'enforcement' ELSE 'software_copyright' END
        WHEN j = 93 THEN CASE WHEN rnd.r1 < 0.04 THEN 'abnormal_operation' ELSE 'admin_reward' END
        WHEN j = 94 THEN CASE WHEN rnd.r1 < 0.015 THEN 'dishonest_debtor' ELSE 'branches' END
        WHEN j = 95 THEN CASE WHEN rnd.r1 < 0.05 THEN 'tax_arrears' ELSE 'shareholders' END
        WHEN j = 96 THEN CASE WHEN rnd.r1 < 0.04 THEN 'social_insurance_arrears' ELSE 'shareholders' END
        WHEN j = 97 THEN CASE WHEN rnd.r1 < 0.01 THEN 'serious_illegal_list' ELSE 'registration_change' END
        WHEN j = 98 THEN 'science_tech'
        WHEN j = 99 THEN 'housing_fund_deposit'
        ELSE 'spot_checks' END AS kind,
      (DATE '2026-06-30' - (rnd.r3 * 1400)::int) AS day) k
    CROSS JOIN LATERAL (SELECT
      CASE k.kind
        WHEN 'annual_report' THEN jsonb_build_object('report_year', 2022 + j - 1,
          'employee_count', (rnd.r2 * 400)::int, 'total_revenue', round((rnd.r2 * rnd.r3 * 8e7)::numeric),
          'total_assets', round((rnd.r3 * 6e7)::numeric))
        WHEN 'tax_credit_rating' THEN jsonb_build_object('rating_year', 2022 + j - 4, 'tax_credit_level',
          CASE WHEN rnd.r2 < 0.3 THEN 'A' WHEN rnd.r2 < 0.75 THEN 'B' WHEN rnd.r2 < 0.85 THEN 'M'
            WHEN rnd.r2 < 0.97 THEN 'C' ELSE 'D' END)
        WHEN 'electricity_fee' THEN jsonb_build_object('account_no', 'E' || s.n, 'bill_period',
          to_char(DATE '2026-06-01' - make_interval(months => j - 7), 'YYYY-MM'),
          'paid_on', to_char(DATE '2026-06-20' - make_interval(months => j - 7), 'YYYY-MM-DD'),
          'amount_billed', round((rnd.r2 * 20000)::numeric), 'in_arrears', rnd.r1 < 0.01)
        WHEN 'water_fee' THEN jsonb_build_object('account_no', 'W' || s.n, 'bill_period',
          to_char(DATE '2026-06-01' - make_interval(months => j - 43), 'YYYY-MM'),
          'paid_on', to_char(DATE '2026-06-20' - make_interval(months => j - 43), 'YYYY-MM-DD'),
          'in_arrears', rnd.r1 < 0.01)
        WHEN 'gas_fee' THEN jsonb_build_object('account_no', 'G' || s.n, 'bill_period',
          to_char(DATE '2026-06-01' - make_interval(months => j - 55), 'YYYY-MM'),
          'paid_on', to_char(DATE '2026-06-20' - make_interval(months => j - 55), 'YYYY-MM-DD'),
          'in_arrears', rnd.r1 < 0.01)
        WHEN 'social_insurance_payment' THEN jsonb_build_object('insurance_type', 'pension',
          'payment_period', to_char(DATE '2026-06-01' - make_interval(months => j - 31), 'YYYY-MM'),
          'insured_count', (rnd.r2 * 80)::int, 'amount_paid', CASE WHEN rnd.r1 < 0.05 THEN 0 ELSE 1000 END)
        WHEN 'housing_fund_statistics' THEN jsonb_build_object('normal_payment_months', (rnd.r2 * 13)::int,
          'last_normal_payment_on', '2026-06-15')
        WHEN 'housing_fund_deposit' THEN jsonb_build_object('in_arrears', rnd.r2 < 0.03)
        WHEN 'environmental_credit' THEN jsonb_build_object('env_credit_level',
          CASE WHEN rnd.r2 < 0.5 THEN 'green' WHEN rnd.r2 < 0.85 THEN 'blue' WHEN rnd.r2 < 0.97 THEN 'yellow'
            ELSE 'red' END, 'evaluated_on', k.day::text)
        WHEN 'customs_credit' THEN jsonb_build_object('customs_credit_level',
          CASE WHEN rnd.r2 < 0.1 THEN 'advanced_certified' WHEN rnd.r2 < 0.97 THEN 'general' ELSE 'dishonest' END,
          'level_effective_on', k.day::text)
        WHEN 'admin_penalty' THEN jsonb_build_object('penalty_decision_no', 'P' || s.n, 'decided_on', k.day::text,
          'fine_amount', round((rnd.r2 * 50000)::numeric))
        WHEN 'court_judgment' THEN jsonb_build_object('case_no', 'J' || s.n, 'published_on', k.day::text,
          'defendant_id', CASE WHEN rnd.r2 < 0.6 THEN s.uscc ELSE 'other' END)
        WHEN 'enforcement' THEN jsonb_build_object('case_no', 'E' || s.n, 'enforced_on', k.day::text,
          'amount', round((rnd.r2 * 1e6)::numeric))
        WHEN 'abnormal_operation' THEN jsonb_build_object('is_listed', true, 'listed_on', k.day::text,
          'removed_on', CASE WHEN rnd.r2 < 0.5 THEN (k.day + 200)::text END)
        WHEN 'dishonest_debtor' THEN jsonb_build_object('case_no', 'D' || s.n, 'published_on', k.day::text,
          'performance', CASE WHEN rnd.r2 < 0.3 THEN '已履行' ELSE '全部未履行' END)
        WHEN 'tax_arrears' THEN jsonb_build_object('in_arrears', rnd.r2 < 0.7, 'arrears_amount', 1000)
        WHEN 'social_insurance_arrears' THEN jsonb_build_object('in_arrears', true, 'arrears_to', k.day::text,
          'is_repaid', rnd.r2 < 0.4)
        WHEN 'serious_illegal_list' THEN jsonb_build_object('listed_on', k.day::text)
        WHEN 'science_tech' THEN jsonb_build_object('is_national_hitech', rnd.r2 < 0.08)
        WHEN 'spot_checks' THEN jsonb_build_object('failed_checks_3y', CASE WHEN rnd.r2 < 0.9 THEN 0 ELSE 1 END)
        ELSE jsonb_build_object('no', j, 'day', k.day::text)
      END AS data,
      -- occurred_on as ingestion stores it: the kind's date field (catalog date_field), NULL when it has none.
      CASE WHEN k.kind IN ('annual_report', 'tax_credit_rating', 'housing_fund_deposit', 'science_tech', 'spot_checks',
          'tax_arrears', 'shareholders', 'social_insurance_payment') THEN NULL
        WHEN k.kind = 'electricity_fee' THEN DATE '2026-06-20' - make_interval(months => j - 7)
        WHEN k.kind = 'water_fee' THEN DATE '2026-06-20' - make_interval(months => j - 43)
        WHEN k.kind = 'gas_fee' THEN DATE '2026-06-20' - make_interval(months => j - 55)
        WHEN k.kind = 'housing_fund_statistics' THEN DATE '2026-06-15'
        ELSE k.day END AS occurred) d`.execute(db);
}

/** GB 32100 check character in SQL, so that generate_series can make valid codes. */
export async function createCheckFunction(db: Db): Promise<void> {
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION xr_bench_check(p text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
      SELECT substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
        ((31 - (SELECT sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(p, i, 1)) - 1) *
          (ARRAY[1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28])[i]) FROM generate_series(1, 17) i)::int % 31) % 31) + 1, 1)
    $f$`,
    )
    .execute(db);
}

/**
 * A batch of new records spread over subjects (for the incremental run): `count` new penalty records,
 * one per subject drawn from 1..subjects.
 */
export async function generateIncrementalBatch(
  db: Db,
  subjects: number,
  count: number,
  seed = 0.7,
): Promise<void> {
  await sql`SELECT setseed(${seed})`.execute(db);
  await sql`
    INSERT INTO record_versions (record_id, uscc, kind_code, version, op, status, data, data_digest,
      occurred_on, catalog_version, provider_id)
    SELECT 1000000000 + g, s.p || xr_bench_check(s.p), 'admin_penalty', 1, 'create', 'active',
      jsonb_build_object('penalty_decision_no', 'INC' || g, 'decided_on', '2026-06-01', 'fine_amount', 5000),
      'bench', DATE '2026-06-01', 1, 'bench'
    FROM generate_series(1, ${count}::int) g
    CROSS JOIN LATERAL (SELECT '91410100' || lpad((1 + ((g::bigint * 7919) % ${subjects}::int))::text, 7, '0') || 'MA' AS p) s`.execute(
    db,
  );
}
