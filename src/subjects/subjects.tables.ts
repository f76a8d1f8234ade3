import type { Timestamp } from '../db/foundation.tables.ts';

/** Which version (SHA-256 of the shipped JSON) of each dictionary is loaded. */
export interface DictionaryVersionsTable {
  name: string;
  digest_sha256: string;
  item_count: number;
  loaded_at: Timestamp;
}

export interface SubjectsTables {
  dictionary_versions: DictionaryVersionsTable;
}
