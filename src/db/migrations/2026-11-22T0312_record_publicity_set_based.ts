import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// The publicity trigger of 2026-11-22T0310 called record_publicity_of() once per row; measured on
// 5,000 admin_penalty rows per statement that made storing them 2× (PGlite) to 4–5× (PostgreSQL)
// slower. Same rule, computed set-based: the rules row is unpacked once per statement into small
// materialised relations (classes per regime, severity values, severity fields), the rows join them;
// the severity subquery only runs for rows that carry one of the severity fields.
//
// The functions run with `jit = off`: the planner cannot estimate the jsonb unpacking (100 rows per
// function scan), so the statement's cost passes jit_above_cost and PostgreSQL spent 1–1.5 s compiling
// it on every ingestion statement (measured: the SELECT alone took 1.2–1.6 s with JIT, 95 ms without,
// for 5,000 rows under load). PGlite has no JIT; the setting is accepted and ignored.

/** Upsert of record_publicity from a set of versions (latest version per record wins). */
function upsertFrom(source: string): string {
  return `
    WITH cfg AS MATERIALIZED (SELECT doc FROM publicity_rules WHERE id),
    classes AS MATERIALIZED (
      SELECT g->>'id' AS regime, (g->>'effectiveFrom')::date AS eff, c.key AS sev,
        (c.value->>'maxMonths')::int AS max_months, (c.value->>'published')::boolean AS published
      FROM cfg, jsonb_array_elements(cfg.doc->'regimes') g, jsonb_each(g->'classes') c),
    effs AS MATERIALIZED (SELECT DISTINCT eff FROM classes),
    sevmap AS MATERIALIZED (
      SELECT m.key AS v, m.value #>> '{}' AS sev FROM cfg, jsonb_each(cfg.doc->'severity'->'values') m),
    sevcfg AS MATERIALIZED (
      SELECT ARRAY(SELECT f FROM jsonb_array_elements_text(cfg.doc->'severity'->'fields') WITH ORDINALITY x(f, pos)
               ORDER BY pos) AS fields,
        cfg.doc->'severity'->'defaultByKind' AS by_kind, cfg.doc->'severity'->>'default' AS dflt,
        (SELECT min(eff) FROM effs) AS first_eff
      FROM cfg),
    src AS (
      SELECT DISTINCT ON (n.record_id) n.record_id, n.uscc, n.kind_code, n.version, n.data,
        CASE WHEN jsonb_typeof(n.data->k.from_field) = 'string' THEN xr_day(n.data->>k.from_field) END AS from_day,
        CASE WHEN k.until_field IS NOT NULL AND jsonb_typeof(n.data->k.until_field) = 'string'
          THEN xr_day(n.data->>k.until_field) END AS explicit
      FROM ${source} n JOIN publicity_kinds k ON k.kind_code = n.kind_code
      ORDER BY n.record_id, n.version DESC),
    graded AS (
      SELECT s.record_id, s.uscc, s.kind_code, s.version, s.from_day, s.explicit,
        COALESCE(
          CASE WHEN jsonb_exists_any(s.data, sc.fields) THEN (
            SELECT m.sev FROM unnest(sc.fields) WITH ORDINALITY u(field, pos)
            JOIN sevmap m ON m.v = btrim(s.data->>u.field)
            WHERE jsonb_typeof(s.data->u.field) = 'string' ORDER BY u.pos LIMIT 1) END,
          sc.by_kind->>s.kind_code, sc.dflt) AS severity,
        COALESCE((SELECT max(e.eff) FROM effs e WHERE s.from_day IS NULL OR e.eff <= s.from_day), sc.first_eff)
          AS eff
      FROM src s CROSS JOIN sevcfg sc)
    INSERT INTO record_publicity AS p
      (record_id, uscc, kind_code, version, decided_on, severity, regime, publicity_until, basis)
    SELECT g.record_id, g.uscc, g.kind_code, g.version, g.from_day, g.severity, c.regime,
      CASE WHEN g.explicit IS NOT NULL THEN g.explicit
           WHEN g.from_day IS NULL THEN NULL
           WHEN c.published THEN (g.from_day + make_interval(months => c.max_months))::date
           ELSE g.from_day END,
      CASE WHEN g.explicit IS NOT NULL THEN 'provider' WHEN g.from_day IS NULL THEN 'undated' ELSE 'rules' END
    FROM graded g LEFT JOIN classes c ON c.eff = g.eff AND c.sev = g.severity
    ON CONFLICT (record_id) DO UPDATE SET
      version = EXCLUDED.version, kind_code = EXCLUDED.kind_code, decided_on = EXCLUDED.decided_on,
      severity = EXCLUDED.severity, regime = EXCLUDED.regime, publicity_until = EXCLUDED.publicity_until,
      basis = EXCLUDED.basis, computed_at = now()
    WHERE p.version <= EXCLUDED.version`;
}

/** 0310's per-row form, for `down`. */
function perRowUpsertFrom(source: string): string {
  return `
    INSERT INTO record_publicity AS p
      (record_id, uscc, kind_code, version, decided_on, severity, regime, publicity_until, basis)
    SELECT DISTINCT ON (n.record_id) n.record_id, n.uscc, n.kind_code, n.version,
      c.decided_on, c.severity, c.regime, c.publicity_until, c.basis
    FROM ${source} n
    JOIN publicity_kinds k ON k.kind_code = n.kind_code
    CROSS JOIN LATERAL record_publicity_of(n.kind_code, n.data, k.from_field, k.until_field) c
    ORDER BY n.record_id, n.version DESC
    ON CONFLICT (record_id) DO UPDATE SET
      version = EXCLUDED.version, kind_code = EXCLUDED.kind_code, decided_on = EXCLUDED.decided_on,
      severity = EXCLUDED.severity, regime = EXCLUDED.regime, publicity_until = EXCLUDED.publicity_until,
      basis = EXCLUDED.basis, computed_at = now()
    WHERE p.version <= EXCLUDED.version`;
}

const latestOfKinds = `(SELECT DISTINCT ON (v.record_id) v.record_id, v.uscc, v.kind_code, v.version, v.data
  FROM record_versions v WHERE v.kind_code = ANY(p_kinds) ORDER BY v.record_id, v.version DESC)`;

function functions(upsert: (source: string) => string): string {
  return `
    CREATE OR REPLACE FUNCTION record_publicity_recompute(p_kinds text[]) RETURNS integer LANGUAGE plpgsql
    SET jit = off AS $$
    DECLARE written integer;
    BEGIN
      DELETE FROM record_publicity WHERE kind_code = ANY(p_kinds)
        AND kind_code NOT IN (SELECT kind_code FROM publicity_kinds);
      ${upsert(latestOfKinds)};
      GET DIAGNOSTICS written = ROW_COUNT;
      RETURN written;
    END;
    $$;

    CREATE OR REPLACE FUNCTION record_publicity_new_rows() RETURNS trigger LANGUAGE plpgsql
    SET jit = off AS $$
    BEGIN
      ${upsert('new_rows')};
      RETURN NULL;
    END;
    $$;
  `;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, functions(upsertFrom));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, functions(perRowUpsertFrom));
}
