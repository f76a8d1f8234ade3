import type { CatalogDocument, CatalogField, CatalogKind } from './catalog.schema.ts';

/** What changed between two catalog documents, by code. Shown on import and by `catalog diff`. */
export interface CatalogDiff {
  categories_added: string[];
  categories_removed: string[];
  /** Categories whose properties (names, order, aliases…) changed. */
  categories_changed: string[];
  kinds_added: string[];
  kinds_removed: string[];
  kinds_changed: KindChange[];
  /** Document-level properties other than categories and kinds that changed (label, description…). */
  document_properties: string[];
  /** True when the content is the same (the label may differ). */
  identical: boolean;
}

export interface KindChange {
  code: string;
  /** Kind-level properties that changed (share_mode, openness, natural_key, providers…). */
  properties: string[];
  fields_added: string[];
  fields_removed: string[];
  fields_changed: { code: string; properties: string[] }[];
}

/** Stable JSON for comparison: object keys sorted, so key order in the source never matters. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function changedProps(a: object, b: object, skip: string[] = []): string[] {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].filter((k) => !skip.includes(k));
  return keys.filter((k) => canonicalJson(ra[k]) !== canonicalJson(rb[k])).sort();
}

function byCode<T extends { code: string }>(items: T[]): Map<string, T> {
  return new Map(items.map((i) => [i.code, i]));
}

function diffKind(a: CatalogKind, b: CatalogKind): KindChange | undefined {
  const fa = byCode<CatalogField>(a.fields);
  const fb = byCode<CatalogField>(b.fields);
  const change: KindChange = {
    code: a.code,
    properties: changedProps(a, b, ['fields']),
    fields_added: [...fb.keys()].filter((c) => !fa.has(c)),
    fields_removed: [...fa.keys()].filter((c) => !fb.has(c)),
    fields_changed: [],
  };
  for (const [code, f] of fa) {
    const g = fb.get(code);
    if (!g) continue;
    const properties = changedProps(f, g);
    if (properties.length) change.fields_changed.push({ code, properties });
  }
  const order = (x: CatalogKind) => x.fields.map((f) => f.code).join(',');
  if (order(a) !== order(b) && !change.fields_added.length && !change.fields_removed.length) {
    change.properties.push('field_order');
  }
  const empty =
    !change.properties.length &&
    !change.fields_added.length &&
    !change.fields_removed.length &&
    !change.fields_changed.length;
  return empty ? undefined : change;
}

export function diffDocuments(a: CatalogDocument, b: CatalogDocument): CatalogDiff {
  const ca = byCode(a.categories);
  const cb = byCode(b.categories);
  const ka = byCode(a.kinds);
  const kb = byCode(b.kinds);
  const kinds_changed: KindChange[] = [];
  for (const [code, k] of ka) {
    const other = kb.get(code);
    const c = other && diffKind(k, other);
    if (c) kinds_changed.push(c);
  }
  const diff: CatalogDiff = {
    categories_added: [...cb.keys()].filter((c) => !ca.has(c)),
    categories_removed: [...ca.keys()].filter((c) => !cb.has(c)),
    categories_changed: [...ca]
      .filter(([c, v]) => cb.has(c) && changedProps(v, cb.get(c)!).length)
      .map(([c]) => c),
    kinds_added: [...kb.keys()].filter((c) => !ka.has(c)),
    kinds_removed: [...ka.keys()].filter((c) => !kb.has(c)),
    kinds_changed,
    document_properties: changedProps(a, b, ['categories', 'kinds']),
    identical: false,
  };
  diff.identical = canonicalJson({ ...a, label: '' }) === canonicalJson({ ...b, label: '' });
  return diff;
}

/** One line per change, Chinese first, for the CLI. */
export function describeDiff(d: CatalogDiff): string[] {
  const lines: string[] = [];
  const list = (zh: string, en: string, items: string[]) => {
    if (items.length) lines.push(`${zh} / ${en}: ${items.join(', ')}`);
  };
  list('新增信息种类', 'categories added', d.categories_added);
  list('删除信息种类', 'categories removed', d.categories_removed);
  list('修改信息种类', 'categories changed', d.categories_changed);
  list('新增信息项', 'kinds added', d.kinds_added);
  list('删除信息项', 'kinds removed', d.kinds_removed);
  for (const k of d.kinds_changed) {
    const parts = [
      k.properties.length ? `属性 properties: ${k.properties.join(', ')}` : '',
      k.fields_added.length ? `+字段 fields: ${k.fields_added.join(', ')}` : '',
      k.fields_removed.length ? `-字段 fields: ${k.fields_removed.join(', ')}` : '',
      ...k.fields_changed.map((f) => `~${f.code} (${f.properties.join(', ')})`),
    ].filter(Boolean);
    lines.push(`修改信息项 / kind changed ${k.code}: ${parts.join('; ')}`);
  }
  list('修改目录属性', 'document properties changed', d.document_properties);
  if (!lines.length) lines.push('内容相同 / identical content');
  return lines;
}
