import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../config/config.ts';
import { createAppContext, type AppContext } from '../app/context.ts';
import { checkIdNumber, checkUscc } from '../shared/identifiers.ts';
import { createTestDb, type TestDb } from '../test/db.ts';
import { findIndustry, findRegion } from '../subjects/dictionaries.ts';
import { orgCodeCheckChar } from './identity.ts';
import { industryProfiles } from './industries.ts';
import { demoSubject, demoSubjects } from './subjects.ts';
import { seedDemo, seedKinds, demoRows } from './seed.service.ts';
import { readSeedCatalog } from '../catalog/catalog.service.ts';
import type { CatalogDocument } from '../catalog/catalog.schema.ts';

describe('demo subjects (pure generator)', () => {
  it('is deterministic: the same seed gives the same subjects, another seed others', () => {
    const a = [...demoSubjects(20261121, 500)];
    const b = [...demoSubjects(20261121, 500)];
    assert.deepEqual(a, b);
    // subject #400 does not depend on how many are generated
    assert.deepEqual(demoSubject(20261121, 400), a[400]);
    const c = [...demoSubjects(7, 500)];
    assert.notDeepEqual(
      c.map((s) => s.uscc),
      a.map((s) => s.uscc),
    );
  });

  it('generates valid, unique codes in real districts of 郑州 and 平顶山 with valid legal-representative IDs', () => {
    const seen = new Set<string>();
    const heads = new Set<string>();
    for (const s of demoSubjects(20261121, 3000)) {
      assert.equal(checkUscc(s.uscc), undefined, s.uscc);
      assert.ok(!seen.has(s.uscc), `duplicate ${s.uscc}`);
      seen.add(s.uscc);
      heads.add(s.uscc.slice(0, 2));
      assert.match(s.uscc.slice(2, 8), /^410(1|4)/);
      assert.equal(findRegion(s.uscc.slice(2, 8))?.level, 3, s.uscc);
      const org = s.uscc.slice(8, 17);
      assert.equal(org[8], orgCodeCheckChar(org.slice(0, 8)), `GB 11714 check of ${org}`);
      assert.equal(checkIdNumber(s.legalRep.idNumber), undefined, s.legalRep.idNumber);
      assert.match(s.legalRep.idNumber, /^41/);
      const born = Number(s.legalRep.idNumber.slice(6, 10));
      const established = Number(s.establishedOn.slice(0, 4));
      assert.ok(
        established - born >= 18 && established - born <= 65,
        `${s.legalRep.idNumber} for ${s.establishedOn}`,
      );
      assert.equal(Number(s.legalRep.idNumber[16]) % 2 === 1, s.legalRep.male);
      assert.ok(findIndustry(s.industry.code), s.industry.code);
      assert.ok(s.establishedOn <= '2026-10-31');
    }
    assert.deepEqual([...heads].sort(), ['91', '92', '93', 'N2']);
  });

  it('uses only industry codes present in the dictionary', () => {
    for (const p of industryProfiles) assert.ok(findIndustry(p.code), p.code);
  });

  it('checks organisation codes like the GB 32100 example (M000100Y4)', () => {
    assert.equal(orgCodeCheckChar('M000100Y'), '4');
  });

  it('generates rows for every push kind of the catalog that pass their field types', () => {
    const doc = JSON.parse(readSeedCatalog()) as CatalogDocument;
    const kinds = seedKinds(doc.kinds as never);
    assert.equal(kinds[0]!.code, 'business_licence');
    assert.ok(kinds.every((k) => k.share_mode !== 'pull'));
    for (const kind of kinds) {
      let n = 0;
      const keys = new Set<string>();
      for (const row of demoRows(kind, 20261121, 2000)) {
        n++;
        const key = [row[kind.subject_field], ...kind.natural_key.map((f) => row[f])].join('|');
        assert.ok(!keys.has(key), `${kind.code}: two records with natural key ${key}`);
        keys.add(key);
        for (const f of kind.fields) {
          const v = row[f.code];
          if (f.required) assert.ok(v !== undefined && v !== '', `${kind.code}.${f.code} required`);
          if (v === undefined) continue;
          if (f.type === 'uscc') {
            assert.equal(checkUscc(String(v)), undefined, `${kind.code}.${f.code} ${String(v)}`);
          }
          if (f.type === 'id_number') assert.equal(checkIdNumber(String(v)), undefined);
          if (f.type === 'uscc_or_id') {
            assert.ok(
              !checkUscc(String(v)) || !checkIdNumber(String(v)),
              `${kind.code}.${f.code} ${String(v)}`,
            );
          }
          if (f.type === 'enum') {
            assert.ok(
              f.enum!.some((e) => e.value === v),
              `${kind.code}.${f.code} ${String(v)}`,
            );
          }
          if (f.type === 'date') assert.match(String(v), /^\d{4}-\d{2}-\d{2}$/, `${kind.code}.${f.code}`);
        }
      }
      assert.ok(n > 0, `no rows of ${kind.code} for 2,000 subjects`);
    }
  });
});

describe('xinrong seed (through ingestion)', () => {
  let t: TestDb;
  let ctx: AppContext;
  let dataDir: string;
  before(async () => {
    t = await createTestDb();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinrong-seed-'));
    ctx = createAppContext({ ...loadConfig({}), dataDir, databaseUrl: t.url }, t.db);
  });
  after(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes registered subjects and records of every push kind, none rejected; a re-run changes nothing', async () => {
    const first = await seedDemo(ctx, { subjects: 120, seed: 20261121 });
    assert.equal(first.rejected, 0, JSON.stringify(first.kinds.filter((k) => k.rejected).slice(0, 3)));
    assert.ok(first.accepted > 120 * 3, `${first.accepted} records`);
    const subjects = await ctx.db.selectFrom('subjects').selectAll().orderBy('uscc').execute();
    assert.equal(subjects.length, 120);
    assert.ok(
      subjects.every((s) => !s.is_provisional),
      'registration came first',
    );
    const expected = [...demoSubjects(20261121, 120)].sort((a, b) => (a.uscc < b.uscc ? -1 : 1));
    assert.deepEqual(
      subjects.map((s) => [
        s.uscc,
        s.name,
        s.legal_rep_name,
        s.region_code,
        s.industry_code,
        s.established_on,
      ]),
      expected.map((s) => [
        s.uscc,
        s.name,
        s.legalRep.name,
        s.district.code,
        s.industry.code,
        s.establishedOn,
      ]),
    );
    const again = await seedDemo(ctx, { subjects: 120, seed: 20261121 });
    assert.equal(again.accepted, 0);
    assert.equal(again.unchanged, first.rows);
    assert.equal(first.unchanged, 0, 'no two generated rows share a natural key');
  });

  it('finds the seeded subjects by search', async () => {
    const one = demoSubject(20261121, 5);
    const r = await ctx.subjects.search({ q: one.uscc }, { type: 'anonymous' });
    assert.equal(r.items[0]?.name, one.name);
  });
});
