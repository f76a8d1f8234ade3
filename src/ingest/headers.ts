import type { CatalogKind } from '../catalog/catalog.schema.ts';
import { normalizeLabel, OP_COLUMN, REASON_COLUMN } from './validate.ts';

/**
 * Header matching: a column names a field by its Chinese label, its code, its English label or one of
 * its aliases, compared after normalising full-width characters, spaces, brackets and the `*` marks
 * providers put on required columns. Brackets are dropped entirely, so “罚款金额（万元）” also matches
 * “罚款金额(万元)” and “罚款金额万元”.
 */

function key(s: string): string {
  return normalizeLabel(s).replace(/[()[\]{}<>《》〈〉「」『』""''“”‘’:：]/g, '');
}

export interface HeaderMatcher {
  /** Field code (or `_op` / `_reason`) a header names, if any. */
  resolve(header: string): string | undefined;
  /** Number of fields of the kind. */
  fieldCount: number;
}

export function createHeaderMatcher(kind: CatalogKind): HeaderMatcher {
  const map = new Map<string, string>();
  const add = (name: string | undefined, code: string) => {
    if (!name) return;
    const k = key(name);
    if (k && !map.has(k)) map.set(k, code);
  };
  // Labels first (they win over another field's alias), then codes, English labels, aliases.
  for (const f of kind.fields) add(f.label_zh, f.code);
  for (const f of kind.fields) add(f.code, f.code);
  for (const f of kind.fields) add(f.label_en, f.code);
  for (const f of kind.fields) for (const a of f.aliases ?? []) add(a, f.code);
  // A label without its trailing unit in brackets also names the field (罚款金额 for 罚款金额（元）).
  for (const f of kind.fields) add(f.label_zh.replace(/[（(][^（）()]*[）)]\s*$/, ''), f.code);
  for (const n of [OP_COLUMN, 'op', '操作', '操作类型']) add(n, OP_COLUMN);
  for (const n of [REASON_COLUMN, 'reason', '原因', '变更原因', '更正原因', '撤销原因']) {
    add(n, REASON_COLUMN);
  }
  return { resolve: (h) => map.get(key(h)), fieldCount: kind.fields.length };
}

export interface HeaderRow {
  /** Field code per column index (undefined for columns that name no field). */
  columns: (string | undefined)[];
  /** Columns that name no field: ignored, reported once as a warning. */
  unknown: { index: number; header: string }[];
  /** Columns naming a field already named by an earlier column: ignored, reported once. */
  duplicate: { index: number; header: string; field: string }[];
}

export function cellText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return String(v).trim();
}

/**
 * Whether a row is the header: at least half of its non-empty cells name a field (or `_op`/`_reason`),
 * and at least two do (or every field, for a kind of one field). Title rows (one merged cell) and
 * notes never qualify; a file of another kind fails here and is reported as header_missing.
 */
export function matchHeaderRow(cells: unknown[], matcher: HeaderMatcher): HeaderRow | undefined {
  const texts = cells.map(cellText);
  const nonEmpty = texts.filter((t) => t !== '').length;
  if (nonEmpty === 0) return undefined;
  const columns = texts.map((t) => (t ? matcher.resolve(t) : undefined));
  const matched = columns.filter((c) => c !== undefined).length;
  if (matched < Math.min(2, matcher.fieldCount) || matched * 2 < nonEmpty) return undefined;
  const seen = new Set<string>();
  const unknown: HeaderRow['unknown'] = [];
  const duplicate: HeaderRow['duplicate'] = [];
  texts.forEach((t, i) => {
    const c = columns[i];
    if (!t) return;
    if (c === undefined) unknown.push({ index: i, header: t });
    else if (seen.has(c)) {
      duplicate.push({ index: i, header: t, field: c });
      columns[i] = undefined;
    } else seen.add(c);
  });
  return { columns, unknown, duplicate };
}

/** Rows below the data that are a note, not a record: one non-empty cell starting with 注/说明/备注…. */
const notePrefix =
  /^(注|说明|备注|填表人|填报人|制表人|审核人|负责人|联系人|联系电话|填报单位|填表单位|填报日期|填表日期|数据来源|单位负责人)/;
export function isNoteRow(cells: unknown[]): boolean {
  const texts = cells.map(cellText).filter((t) => t !== '');
  if (texts.length === 0) return false;
  if (texts.length === 1) return notePrefix.test(texts[0]!.replace(/^[\s*＊]+/, ''));
  // "填表人：张三  审核人：李四  联系电话：…" spread over a few cells: every cell is a note label.
  return texts.length <= 4 && texts.every((t) => notePrefix.test(t));
}

export function isEmptyRow(cells: unknown[]): boolean {
  return cells.every((c) => cellText(c) === '');
}
