import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { findDictionaryDigest, upsertDictionary, type DictionaryName } from './dictionaries.repository.ts';

/**
 * Region (GB/T 2260) and industry (GB/T 4754-2017) dictionaries ship as JSON data in
 * `src/subjects/data/`. They are loaded into the `regions` and `industries` tables (for joins and
 * forms) and kept in memory (for filters and the demo generator). See docs/decisions/0021 and 0121.
 */
export interface DictionaryItem {
  code: string;
  name: string;
  parent_code: string | null;
  /** regions: 1 province, 2 prefecture, 3 county; industries: 1 门类, 2 大类, 3 中类, 4 小类 */
  level: number;
}

interface DictionaryFile {
  standard: string;
  note: string;
  items: DictionaryItem[];
}

function readDictionary(name: DictionaryName): { raw: string; doc: DictionaryFile } {
  const raw = fs.readFileSync(new URL(`./data/${name}.json`, import.meta.url), 'utf8');
  return { raw, doc: JSON.parse(raw) as DictionaryFile };
}

const loaded = new Map<
  DictionaryName,
  { raw: string; doc: DictionaryFile; byCode: Map<string, DictionaryItem> }
>();

function dictionary(name: DictionaryName) {
  let d = loaded.get(name);
  if (!d) {
    const { raw, doc } = readDictionary(name);
    d = { raw, doc, byCode: new Map(doc.items.map((i) => [i.code, i])) };
    loaded.set(name, d);
  }
  return d;
}

export function regionItems(): readonly DictionaryItem[] {
  return dictionary('regions').doc.items;
}

export function industryItems(): readonly DictionaryItem[] {
  return dictionary('industries').doc.items;
}

export function findRegion(code: string): DictionaryItem | undefined {
  return dictionary('regions').byCode.get(code);
}

export function findIndustry(code: string): DictionaryItem | undefined {
  return dictionary('industries').byCode.get(code);
}

/**
 * Loads both dictionaries into the database when the shipped file differs from what was last
 * loaded (SHA-256 of the file). Idempotent and cheap when nothing changed (one query per
 * dictionary). Codes removed from a file stay in the table: subjects registered under a retired
 * code (e.g. 410381 偃师市, now 410307 偃师区) must still show a name.
 */
export async function ensureDictionaries(db: Kysely<Database>): Promise<{ loaded: DictionaryName[] }> {
  const done: DictionaryName[] = [];
  for (const name of ['regions', 'industries'] as const) {
    const { raw, doc } = dictionary(name);
    const digest = createHash('sha256').update(raw).digest('hex');
    if ((await findDictionaryDigest(db, name)) === digest) continue;
    await db.transaction().execute((trx) => upsertDictionary(trx, name, doc.items, digest));
    done.push(name);
  }
  return { loaded: done };
}

/**
 * A region filter as a code prefix: a province ('41' or '410000') covers its cities and counties, a
 * city ('4101' or '410100') its districts and counties, a county ('410105') itself.
 */
export function regionPrefix(code: string): string | undefined {
  const c = code.trim();
  if (!/^\d{2}(\d{2}(\d{2})?)?$/.test(c)) return undefined;
  if (c.length === 6 && c.endsWith('0000')) return c.slice(0, 2);
  if (c.length === 6 && c.endsWith('00')) return c.slice(0, 4);
  return c;
}

/**
 * An industry filter as ranges of stored codes: a 门类 letter covers its 大类 (a contiguous range
 * of two-digit codes), a 大/中/小类 code its own subtree. Stored codes carry no letter (see
 * normalizeIndustryCode).
 */
export function industryRange(code: string): { from: string; to: string; letter?: string } | undefined {
  const c = code.trim().toUpperCase();
  if (/^[A-T]$/.test(c)) {
    const divisions = industryItems()
      .filter((i) => i.level === 2 && i.parent_code === c)
      .map((i) => i.code)
      .sort();
    if (!divisions.length) return undefined;
    return { from: divisions[0]!, to: `${divisions[divisions.length - 1]}99`, letter: c };
  }
  const m = /^[A-T]?(\d{2,4})$/.exec(c);
  if (!m) return undefined;
  return { from: m[1]!, to: `${m[1]}${'9'.repeat(4 - m[1]!.length)}` };
}

/** Provinces whose every county-level code is in regions.json (河南 and the four municipalities). */
const completeProvinces = new Set(['41', '11', '12', '31', '50']);

/**
 * Whether a 6-digit code can be a GB/T 2260 region, for validating record fields: a code in the
 * dictionary is; outside the provinces listed completely, a county-level code under a known
 * prefecture (or province) is accepted too, since those counties are not shipped yet.
 */
export function isPlausibleRegionCode(code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  if (findRegion(code)) return true;
  if (completeProvinces.has(code.slice(0, 2))) return false;
  return (
    !!findRegion(`${code.slice(0, 4)}00`) ||
    (code.slice(4) !== '00' && !!findRegion(`${code.slice(0, 2)}0000`) && code.slice(2, 4) === '90')
  );
}

/**
 * Whether a code is a GB/T 4754-2017 industry (with its 2019 amendment): a 门类 letter, or a 大/中/小类
 * code in the dictionary, which holds the whole standard (20/97/473/1,382, docs/decisions/0121). A
 * leading 门类 letter must match its 大类 (I6513 yes, C6513 no). Codes that exist only in GB/T
 * 4754-2011 (e.g. 6510 软件开发) are refused; note that the ingest validator does not call this hook
 * (it checks the shape only), so legacy codes in source files still load.
 */
export function isPlausibleIndustryCode(code: string): boolean {
  const c = code.trim().toUpperCase();
  if (/^[A-T]$/.test(c)) return true;
  const m = /^([A-T])?(\d{2,4})$/.exec(c);
  if (!m) return false;
  const item = findIndustry(m[2]!);
  if (!item) return false;
  return !m[1] || findIndustry(m[2]!.slice(0, 2))?.parent_code === m[1];
}
