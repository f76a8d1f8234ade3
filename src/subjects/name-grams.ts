/**
 * Search keys of a subject name: every character and every overlapping 2-character gram, lower-cased.
 * A GIN index on this array answers 1- and 2-character Chinese fragments, which pg_trgm cannot (it
 * needs 3 characters), and it does not depend on the database's ctype (a `C` ctype makes pg_trgm drop
 * CJK characters). Query side: `name_bigrams @> queryGrams(q)` and a LIKE recheck (grams present but
 * not adjacent are false positives).
 */
export function nameGrams(name: string): string[] {
  const chars = Array.from(name.trim().toLowerCase());
  const out = new Set<string>(chars);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return [...out];
}

/**
 * Grams nearly every company name contains (有限公司, 河南, the city names): their posting lists in the
 * GIN index are as long as the table, so intersecting them costs time and filters nothing. A query
 * leaves them out when it has other grams; the LIKE recheck keeps the result exact.
 */
const commonGrams = new Set([
  '有限',
  '限公',
  '公司',
  '责任',
  '任公',
  '股份',
  '份有',
  '河南',
  '南省',
  '郑州',
  '州市',
  '平顶',
  '顶山',
  '山市',
  '有限公',
  '合作',
  '作社',
]);

/** The grams a name must contain to contain `fragment`: its bigrams (frequent ones dropped), or the single character. */
export function queryGrams(fragment: string): string[] {
  const chars = Array.from(fragment.trim().toLowerCase());
  if (chars.length <= 1) return chars;
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  const all = [...out];
  const selective = all.filter((g) => !commonGrams.has(g));
  return selective.length ? selective : all.slice(0, 1);
}
