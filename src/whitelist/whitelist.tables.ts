import type { ColumnType, Generated } from 'kysely';
import type { DateOnly, Timestamp } from '../db/foundation.tables.ts';

type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface WhitelistEntriesTable {
  id: Generated<number>;
  uscc: string;
  /** The recommending district or department (organisations.id). */
  org_id: string;
  /** User id of the recommender. */
  recommended_by: string;
  category: string;
  reason: string;
  /** pending | listed | rejected | withdrawn | removed (expired = listed past valid_until, computed). */
  status: string;
  valid_until: DateOnly | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_note: string | null;
  closed_by: string | null;
  closed_at: Timestamp | null;
  close_reason: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface WhitelistEventsTable {
  id: Generated<number>;
  entry_id: number;
  uscc: string;
  /** recommended | approved | rejected | withdrawn | removed */
  event: string;
  actor_type: string;
  actor_id: string | null;
  org_id: string | null;
  note: string | null;
  at: CreatedAt;
}

export interface WhitelistTables {
  whitelist_entries: WhitelistEntriesTable;
  whitelist_events: WhitelistEventsTable;
}
