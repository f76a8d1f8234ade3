import type { Kysely } from 'kysely';
import { runScript } from '../sql-script.ts';

// The end of publicity (公示截止) of every record of a kind with a publicity rule, computed when a
// version is stored, so that every reader filters on a stored date instead of recomputing it
// (docs/decisions/0102-credit-repair.md, "Publicity end").
//
// - publicity_rules: one row, the repair regimes (class maximum and whether published, by effective
//   date: 发展改革委令第58号 from 2023-05-01, 《信用修复管理办法》 from 2026-04-01) and the severity
//   mapping. The rights service keeps it equal to src/rights/rights.config.json (syncPublicityRules,
//   run when `serve` starts and by `xinrong publicity sync`); the copy below is the configuration of
//   2026-11-22, so a fresh database is right before any sync.
// - publicity_kinds: the kinds of the current catalog that have a publicity rule (from_field,
//   until_field), kept by a trigger on catalog_versions; a change recomputes those kinds.
// - record_publicity: per record, the latest version's decision date, severity class, regime and
//   publicity end; written by a statement-level trigger on record_versions in the same transaction
//   as the version (only rows of publicity kinds cost anything).
//
// The rule (the same as publicityUntilByRules in src/rights/repair/repair-rules.ts, which a test
// compares with this function): the provider's explicit end when sent; else decision date + the class
// maximum of the regime in force on the decision date; an unpublished class (轻微 under the 2026
// measures) ends on the decision date itself; no valid decision date → no end.

const rulesOf20261122 = {
  regimes: [
    {
      id: 'order58',
      effectiveFrom: '2023-05-01',
      classes: {
        minor: { maxMonths: 36, published: true },
        general: { maxMonths: 36, published: true },
        serious: { maxMonths: 36, published: true },
      },
    },
    {
      id: 'measures2026',
      effectiveFrom: '2026-04-01',
      classes: {
        minor: { maxMonths: 3, published: false },
        general: { maxMonths: 12, published: true },
        serious: { maxMonths: 36, published: true },
      },
    },
  ],
  severity: {
    fields: ['severity', 'credit_class', 'dishonesty_level'],
    values: {
      轻微: 'minor',
      minor: 'minor',
      一般: 'general',
      general: 'general',
      严重: 'serious',
      serious: 'serious',
    },
    defaultByKind: { serious_illegal_list: 'serious', dishonest_debtor: 'serious' },
    default: 'general',
  },
};

/** Upsert of record_publicity from a set of versions `n` (latest version per record wins). */
function upsertFrom(source: string): string {
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const rules = JSON.stringify(rulesOf20261122).replace(/'/g, "''");
  await runScript(
    db,
    `
    -- A YYYY-MM-DD text as a date, or NULL when it is not a real day (never an error inside a trigger).
    CREATE FUNCTION xr_day(t text) RETURNS date LANGUAGE sql IMMUTABLE AS $$
      SELECT CASE WHEN t ~ '^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' THEN
        CASE WHEN substr(t, 9, 2)::int <= extract(day FROM
          make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, 1) + interval '1 month' - interval '1 day')::int
        THEN t::date END
      END
    $$;

    CREATE TABLE publicity_rules (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      doc jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO publicity_rules (doc) VALUES ('${rules}'::jsonb);

    CREATE TABLE publicity_kinds (
      kind_code text PRIMARY KEY,
      from_field text NOT NULL,
      until_field text
    );

    CREATE TABLE record_publicity (
      record_id bigint PRIMARY KEY,
      uscc text COLLATE "C" NOT NULL,
      kind_code text NOT NULL,
      version integer NOT NULL,
      decided_on date,
      severity text NOT NULL,
      regime text,
      publicity_until date,
      basis text NOT NULL,
      computed_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT record_publicity_basis CHECK (basis IN ('provider', 'rules', 'undated'))
    );
    CREATE INDEX record_publicity_subject ON record_publicity (uscc);

    -- One record's publicity under the rules in publicity_rules (see the header).
    CREATE FUNCTION record_publicity_of(p_kind text, p_data jsonb, p_from_field text, p_until_field text)
    RETURNS TABLE (decided_on date, severity text, regime text, publicity_until date, basis text)
    LANGUAGE sql STABLE AS $$
      SELECT d.from_day, s.sev, g.regime->>'id',
        CASE WHEN d.explicit IS NOT NULL THEN d.explicit
             WHEN d.from_day IS NULL THEN NULL
             WHEN (g.regime->'classes'->s.sev->>'published')::boolean
               THEN (d.from_day + make_interval(months => (g.regime->'classes'->s.sev->>'maxMonths')::int))::date
             ELSE d.from_day END,
        CASE WHEN d.explicit IS NOT NULL THEN 'provider' WHEN d.from_day IS NULL THEN 'undated' ELSE 'rules' END
      FROM publicity_rules r
      CROSS JOIN LATERAL (SELECT
        CASE WHEN jsonb_typeof(p_data->p_from_field) = 'string' THEN xr_day(p_data->>p_from_field) END AS from_day,
        CASE WHEN p_until_field IS NOT NULL AND jsonb_typeof(p_data->p_until_field) = 'string'
          THEN xr_day(p_data->>p_until_field) END AS explicit) d
      CROSS JOIN LATERAL (SELECT COALESCE(
        (SELECT r.doc->'severity'->'values'->>btrim(p_data->>f.field)
           FROM jsonb_array_elements_text(r.doc->'severity'->'fields') WITH ORDINALITY AS f(field, pos)
          WHERE jsonb_typeof(p_data->f.field) = 'string'
            AND r.doc->'severity'->'values'->>btrim(p_data->>f.field) IS NOT NULL
          ORDER BY f.pos LIMIT 1),
        r.doc->'severity'->'defaultByKind'->>p_kind,
        r.doc->'severity'->>'default') AS sev) s
      CROSS JOIN LATERAL (SELECT COALESCE(
        (SELECT x FROM jsonb_array_elements(r.doc->'regimes') x
          WHERE d.from_day IS NULL OR (x->>'effectiveFrom')::date <= d.from_day
          ORDER BY x->>'effectiveFrom' DESC LIMIT 1),
        (SELECT x FROM jsonb_array_elements(r.doc->'regimes') x ORDER BY x->>'effectiveFrom' LIMIT 1)) AS regime) g
      WHERE r.id
    $$;

    -- Recomputes the records of some kinds (rules or catalog changed); returns the rows written.
    CREATE FUNCTION record_publicity_recompute(p_kinds text[]) RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE written integer;
    BEGIN
      DELETE FROM record_publicity WHERE kind_code = ANY(p_kinds)
        AND kind_code NOT IN (SELECT kind_code FROM publicity_kinds);
      ${upsertFrom(`(SELECT DISTINCT ON (v.record_id) v.record_id, v.uscc, v.kind_code, v.version, v.data
         FROM record_versions v WHERE v.kind_code = ANY(p_kinds) ORDER BY v.record_id, v.version DESC)`)};
      GET DIAGNOSTICS written = ROW_COUNT;
      RETURN written;
    END;
    $$;

    CREATE FUNCTION record_publicity_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${upsertFrom('new_rows')};
      RETURN NULL;
    END;
    $$;
    CREATE TRIGGER record_versions_publicity AFTER INSERT ON record_versions
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_publicity_new_rows();

    -- The kinds of a catalog document that have a publicity rule.
    CREATE FUNCTION catalog_publicity_kinds(doc jsonb)
    RETURNS TABLE (kind_code text, from_field text, until_field text) LANGUAGE sql IMMUTABLE AS $$
      SELECT k->>'code', k->'publicity'->>'from_field', k->'publicity'->>'until_field'
      FROM jsonb_array_elements(doc->'kinds') k
      WHERE jsonb_typeof(k->'publicity') = 'object' AND k->'publicity'->>'from_field' IS NOT NULL
    $$;

    -- A new current catalog version: kinds whose publicity rule appeared, changed or went away are
    -- recomputed (usually none).
    CREATE FUNCTION publicity_kinds_from_catalog() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE changed text[];
    BEGIN
      IF NEW.version < (SELECT max(version) FROM catalog_versions) THEN RETURN NULL; END IF;
      changed := ARRAY(
        SELECT p.kind_code FROM publicity_kinds p WHERE NOT EXISTS (
          SELECT 1 FROM catalog_publicity_kinds(NEW.document) c
          WHERE c.kind_code = p.kind_code AND c.from_field = p.from_field
            AND c.until_field IS NOT DISTINCT FROM p.until_field)
        UNION
        SELECT c.kind_code FROM catalog_publicity_kinds(NEW.document) c WHERE NOT EXISTS (
          SELECT 1 FROM publicity_kinds p
          WHERE c.kind_code = p.kind_code AND c.from_field = p.from_field
            AND c.until_field IS NOT DISTINCT FROM p.until_field));
      IF cardinality(changed) = 0 THEN RETURN NULL; END IF;
      DELETE FROM publicity_kinds WHERE kind_code = ANY(changed);
      INSERT INTO publicity_kinds (kind_code, from_field, until_field)
        SELECT c.kind_code, c.from_field, c.until_field FROM catalog_publicity_kinds(NEW.document) c
        WHERE c.kind_code = ANY(changed);
      PERFORM record_publicity_recompute(changed);
      RETURN NULL;
    END;
    $$;
    CREATE TRIGGER catalog_versions_publicity AFTER INSERT ON catalog_versions
      FOR EACH ROW EXECUTE FUNCTION publicity_kinds_from_catalog();

    -- Existing databases: the current catalog's kinds and their records.
    INSERT INTO publicity_kinds (kind_code, from_field, until_field)
      SELECT c.kind_code, c.from_field, c.until_field
      FROM catalog_versions v, catalog_publicity_kinds(v.document) c
      WHERE v.version = (SELECT max(version) FROM catalog_versions);
    SELECT record_publicity_recompute(ARRAY(SELECT kind_code FROM publicity_kinds));
    `,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runScript(
    db,
    `
    DROP TRIGGER catalog_versions_publicity ON catalog_versions;
    DROP FUNCTION publicity_kinds_from_catalog();
    DROP FUNCTION catalog_publicity_kinds(jsonb);
    DROP TRIGGER record_versions_publicity ON record_versions;
    DROP FUNCTION record_publicity_new_rows();
    DROP FUNCTION record_publicity_recompute(text[]);
    DROP FUNCTION record_publicity_of(text, jsonb, text, text);
    DROP TABLE record_publicity;
    DROP TABLE publicity_kinds;
    DROP TABLE publicity_rules;
    DROP FUNCTION xr_day(text);
    `,
  );
}
