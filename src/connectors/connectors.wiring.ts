import type { Kysely } from 'kysely';
import { loadCatalogView, type CatalogSource as CatalogServiceLike } from '../access/catalog-view.ts';
import type { FieldCrypto } from '../access/field-crypto.ts';
import type { Keyring } from '../access/keyring.ts';
import { maskStyleOf, maskValue } from '../access/masking.ts';
import type { CatalogKind } from '../catalog/catalog.schema.ts';
import type { Database } from '../db/schema.ts';
import type { Db } from '../db/database.ts';
import { createRowValidator } from '../ingest/validate.ts';
import { applyRows } from '../records/record-store.service.ts';
import { authorizeUse } from '../consent/consent.service.ts';
import type { RecordSink, RecordValidator } from './connector.deps.ts';
import { createConnectorService, type ConnectorOptions, type ConnectorService } from './connector.service.ts';

/**
 * Builds the connector service from the other domains' real functions: the catalog view, the consent
 * service's `authorizeUse`, the ingest validator, the record store (with personal fields encrypted at
 * rest) and the read path's masking. Called once in the composition root.
 */

/** The ingest validator (src/ingest/validate.ts), adapted: one validator per kind, cached. */
export const ingestValidator: RecordValidator = (() => {
  const cache = new WeakMap<CatalogKind, ReturnType<typeof createRowValidator>>();
  return (kind: CatalogKind) => {
    let v = cache.get(kind);
    if (!v) {
      v = createRowValidator(kind);
      cache.set(kind, v);
    }
    const validate = v;
    return (position: number, values: Record<string, unknown>) => {
      // `_op` / `_reason` are a pushing provider's instructions; an interface answer carries none.
      const { _op: _ignoredOp, _reason: _ignoredReason, ...clean } = values;
      const r = validate(position, clean);
      if (r.ok) return { ok: true as const, data: r.value.data };
      return {
        ok: false as const,
        problems: r.errors.map((e) => ({ record: position, field: e.field, message: e.message })),
      };
    };
  };
})();

export function recordSink(fieldCrypto: FieldCrypto | undefined): RecordSink {
  return async (trx, { kind, providerId, catalogVersion, records }) => {
    const r = await applyRows(trx, {
      kind,
      providerId,
      batchId: null,
      catalogVersion,
      rows: records.map((data, i) => ({
        row: i + 1,
        data: fieldCrypto ? fieldCrypto.protectRecordData(kind, data) : data,
      })),
    });
    return { rejected: r.rejected.length };
  };
}

/**
 * The read path's masking for a viewer under consent: personal fields (natural persons' names and ID
 * numbers) masked, restricted fields shown (the consent covers the kind); the subject itself sees all.
 */
export function maskForViewer(kind: CatalogKind, data: Record<string, unknown>, basis: 'self' | 'consent') {
  if (basis === 'self') return data;
  const out = { ...data };
  for (const field of kind.fields) {
    if (field.sensitivity !== 'personal') continue;
    const v = out[field.code];
    if (v === undefined || v === null || v === '') continue;
    out[field.code] = maskValue(maskStyleOf(field), v);
  }
  return out;
}

export interface ConnectorWiring {
  db: Db;
  /** The platform's keyring: interface secrets are stored sealed with its secrets key. */
  keyring: Keyring;
  catalog?: CatalogServiceLike | undefined;
  fieldCrypto?: FieldCrypto | undefined;
  options?: Partial<ConnectorOptions> | undefined;
}

export function createConnectors(w: ConnectorWiring): ConnectorService {
  return createConnectorService({
    db: w.db,
    keyring: w.keyring,
    getCatalog: () => loadCatalogView(w.db, w.catalog),
    // The consent service's own `authorizeUse`, given the catalog view loaded before the transaction.
    gate: (trx: Kysely<Database>, input, catalog) => authorizeUse(trx, input, undefined, catalog),
    validator: ingestValidator,
    storeRecords: recordSink(w.fieldCrypto),
    mask: (kind, data, _actor, basis) => maskForViewer(kind, data, basis),
    recordAccess: true,
    options: w.options,
  });
}
