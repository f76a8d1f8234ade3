import type { Kysely } from 'kysely';
import type { CatalogView } from '../access/catalog-view.ts';
import type { CatalogKind } from '../catalog/catalog.schema.ts';
import type { AuthorizeUseInput, AuthorizeUseResult } from '../consent/consent.types.ts';
import type { Database } from '../db/schema.ts';

/**
 * What the connectors need from other domains, as small function types wired in the composition root
 * (`src/app/context.ts`). Tests wire the real implementations too; the seams exist so the connectors do
 * not import other services' factories.
 */

/** The current catalog: its version and kinds by code (`loadCatalogView` of src/access/catalog-view.ts). */
export type CatalogSource = () => Promise<CatalogView>;

/**
 * The consent check: `authorizeUse` (src/consent/consent.service.ts), run in `trx`. It is handed the
 * catalog view the pull loaded before opening the transaction, so that nothing inside the transaction
 * reads the catalog through another connection (on PGlite, one connection, that would wait forever).
 */
export type ConsentGate = (
  trx: Kysely<Database>,
  input: AuthorizeUseInput,
  catalog: CatalogView,
) => Promise<AuthorizeUseResult>;

export interface StoreRecordsInput {
  kind: CatalogKind;
  providerId: string;
  catalogVersion: number;
  /** Validated, normalised records (as the ingest validator returns them). */
  records: Array<Record<string, unknown>>;
}

/** Stores pulled records as versions (`applyRows` of the record store); returns how many were refused. */
export type RecordSink = (trx: Kysely<Database>, input: StoreRecordsInput) => Promise<{ rejected: number }>;

export interface FieldProblem {
  /** 1-based position of the record in the provider's answer. */
  record: number;
  field: string | null;
  message: { zh: string; en: string };
}

/**
 * Validates and normalises one record of a kind against the catalog, like a pushed row
 * (`createRowValidator` of src/ingest/validate.ts).
 */
export type RecordValidator = (
  kind: CatalogKind,
) => (
  position: number,
  values: Record<string, unknown>,
) => { ok: true; data: Record<string, unknown> } | { ok: false; problems: FieldProblem[] };
