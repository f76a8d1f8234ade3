import { useEffect, useState } from 'react';
import { api } from './client.ts';
import type { InstitutionEntry } from './types.ts';

/** Onboarded institutions (public directory), fetched once per page load: id → names. */
let cached: Promise<InstitutionEntry[]> | undefined;

export function loadInstitutions(): Promise<InstitutionEntry[]> {
  cached ??= api.get<InstitutionEntry[]>('/api/v1/directory/institutions');
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

export function useInstitutions(): InstitutionEntry[] {
  const [list, setList] = useState<InstitutionEntry[]>([]);
  useEffect(() => {
    let live = true;
    loadInstitutions()
      .then((l) => live && setList(l))
      .catch(() => undefined); // names fall back to ids; pages that need the list show its error
    return () => {
      live = false;
    };
  }, []);
  return list;
}
