import type {
  Catalog,
  CatalogCategory,
  CatalogEnumValue,
  CatalogField,
  CatalogKind,
} from './catalog.schema.ts';

/**
 * Pure helpers over a parsed catalog, shared by the catalog's own integrity checks and by ingestion
 * (header matching, enum input), so that "which header means which field" has one definition.
 */

/**
 * Normal form of a header or enum spelling: Unicode NFKC (full-width letters, digits and brackets
 * become ASCII), no whitespace at all, lower case, a leading or trailing required-marker `*` removed.
 * 「统一社会信用代码（必填）*」 and 「统一社会信用代码(必填)」 normalise alike.
 */
export function normalizeHeader(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\s\u200b\ufeff]+/g, '')
    .replace(/^\*+|\*+$/g, '')
    .toLowerCase();
}

/** Every spelling that names a field: its code, Chinese label, English label and aliases. */
export function fieldSpellings(field: CatalogField): string[] {
  return [field.code, field.label_zh, field.label_en, ...field.aliases].filter((s) => s.trim() !== '');
}

/**
 * Map from normalised header to field code for one kind. Built from code, label_zh and aliases first
 * (they are checked for collisions on import), then label_en where it does not collide.
 */
export function buildHeaderIndex(kind: CatalogKind): Map<string, string> {
  const index = new Map<string, string>();
  for (const f of kind.fields) {
    for (const s of [f.code, f.label_zh, ...f.aliases]) {
      const k = normalizeHeader(s);
      if (k && !index.has(k)) index.set(k, f.code);
    }
  }
  for (const f of kind.fields) {
    const k = normalizeHeader(f.label_en);
    if (k && !index.has(k)) index.set(k, f.code);
  }
  return index;
}

/** The enum value a provider's input denotes (by value, Chinese or English label, or alias), if any. */
export function matchEnumValue(field: CatalogField, input: string): CatalogEnumValue | undefined {
  const k = normalizeHeader(input);
  if (!k) return undefined;
  for (const v of field.enum ?? []) {
    if ([v.value, v.label_zh, v.label_en, ...v.aliases].some((s) => s && normalizeHeader(s) === k)) return v;
  }
  return undefined;
}

export function findKind(catalog: Catalog, code: string): CatalogKind | undefined {
  return catalog.kinds.find((k) => k.code === code);
}

export function findCategory(catalog: Catalog, code: string): CatalogCategory | undefined {
  return catalog.categories.find((c) => c.code === code);
}

export function findField(kind: CatalogKind, code: string): CatalogField | undefined {
  return kind.fields.find((f) => f.code === code);
}

/** Kinds the platform stores (物理归集): share mode push or both. */
export function pushKinds(catalog: Catalog): CatalogKind[] {
  return catalog.kinds.filter((k) => k.share_mode === 'push' || k.share_mode === 'both');
}
