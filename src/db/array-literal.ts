/**
 * PostgreSQL array literals built here instead of by the driver, for bulk statements that read a
 * chunk's columns with `unnest($1::bigint[], $2::text[], …)` (decision 0125).
 *
 * Why not the driver's own array serialisation: node-postgres escapes every element with a regular
 * expression and a closure call, and PGlite does the same; a chunk of 1,000 rows has ~17,000
 * elements. Why not one JSON parameter (`jsonb_to_recordset`, the previous transport): the server
 * builds and key-sorts a jsonb tree of the whole chunk before reading a single row, which cost
 * 29 ms of backend CPU per 1,000 record versions against ~21 ms for the same columns as arrays
 * (measured 2026-11-22, PostgreSQL 15).
 */

/** Quoted element: inside double quotes only `"` and `\` are special (PostgreSQL array input syntax). */
function quoted(s: string): string {
  let special = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92) {
      special = true;
      break;
    }
  }
  return special ? `"${s.replace(/["\\]/g, '\\$&')}"` : `"${s}"`;
}

/** `{"a","b",NULL}` for a `text[]` (or `date[]`) parameter; null elements become SQL NULL. */
export function textArray(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    out += v === null || v === undefined ? 'NULL' : quoted(v);
  }
  return `${out}}`;
}

/** `{1,2,NULL}` for an `int[]` or `bigint[]` parameter; throws on a value that is not an integer. */
export function integerArray(values: readonly (number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else if (Number.isSafeInteger(v)) out += String(v);
    else throw new Error(`integerArray: ${String(v)} is not an integer`);
  }
  return `${out}}`;
}

/**
 * JSON texts joined by U+001E (record separator), split on the server with
 * `string_to_array($1, E'\x1e')` and cast element by element: a JSON text never holds a raw control
 * character (JSON.stringify escapes U+0000–U+001F), so the separator cannot occur inside one, and
 * the texts need no escaping at all (an array literal would escape every quote of every document).
 */
export const JSON_SEPARATOR = '\u001e';

export function jsonTexts(texts: readonly string[]): string {
  for (const t of texts) {
    if (t.includes(JSON_SEPARATOR)) throw new Error('jsonTexts: a JSON text holds a raw U+001E');
  }
  return texts.join(JSON_SEPARATOR);
}
