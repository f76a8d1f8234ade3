import { useEffect, useState } from 'react';
import { api, ApiError } from './client.ts';
import type { Catalog, CatalogKind } from './types.ts';

/**
 * The current catalog, fetched once per page load and shared by every page that labels records
 * (field names, categories, openness). Reset after an operator imports a new version.
 */
let cached: Promise<Catalog> | undefined;

function normalize(raw: unknown): Catalog {
  const o = (raw ?? {}) as Record<string, unknown>;
  const doc = (o.document && typeof o.document === 'object' ? o.document : o) as Record<string, unknown>;
  return {
    version: Number(o.version ?? doc.version ?? 0),
    label: String(o.label ?? doc.label ?? ''),
    categories: Array.isArray(doc.categories) ? (doc.categories as Catalog['categories']) : [],
    kinds: Array.isArray(doc.kinds) ? (doc.kinds as Catalog['kinds']) : [],
  };
}

export function loadCatalog(): Promise<Catalog> {
  cached ??= api.get<unknown>('/api/v1/catalog').then(normalize);
  cached.catch(() => {
    cached = undefined; // let the next page try again
  });
  return cached;
}

export function resetCatalog(): void {
  cached = undefined;
}

export function useCatalog(): { catalog: Catalog | undefined; error: ApiError | undefined } {
  const [catalog, setCatalog] = useState<Catalog | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  useEffect(() => {
    let live = true;
    loadCatalog()
      .then((c) => live && setCatalog(c))
      .catch(
        (e: unknown) =>
          live && setError(e instanceof ApiError ? e : new ApiError(0, 'client', String(e), String(e))),
      );
    return () => {
      live = false;
    };
  }, []);
  return { catalog, error };
}

export function kindMap(catalog: Catalog | undefined): Map<string, CatalogKind> {
  return new Map((catalog?.kinds ?? []).map((k) => [k.code, k]));
}

/**
 * Kinds a provider can push: those whose responsible providers include its organisation (all pushed
 * kinds when none match, e.g. an operator or a provider id the catalog does not list).
 */
export function pushableKinds(catalog: Catalog | undefined, orgId: string | undefined): CatalogKind[] {
  const pushed = (catalog?.kinds ?? []).filter((k) => k.share_mode !== 'pull');
  const own = orgId ? pushed.filter((k) => k.providers.some((p) => p.id === orgId)) : [];
  return own.length > 0 ? own : pushed;
}
