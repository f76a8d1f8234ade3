import type { Catalog } from '../catalog/catalog.schema.ts';
import type { Db } from '../db/database.ts';
import { applyRows, type RowOp } from '../records/record-store.service.ts';
import { usccCheckChar } from '../shared/identifiers.ts';
import { ensureSubjects } from '../subjects/subjects.service.ts';
import { seedCatalog } from '../test/catalog.ts';

/**
 * Test factories for the evaluation, profile and safe-room tests: valid USCCs and records written
 * through the real record store (append-only versions, provisional subjects, the ledger queue).
 */

/** A valid USCC (enterprise, Zhengzhou 410100) numbered n. */
export function testUscc(n: number): string {
  const first17 = `9141010${String(n).padStart(8, '0')}MA`.slice(0, 17);
  return first17 + usccCheckChar(first17);
}

export interface RecordWriter {
  catalog: Catalog;
  /** Writes rows of one kind for many subjects at once (each row names its subject). */
  putRows(kind: string, rows: Record<string, unknown>[]): Promise<number[]>;
  /** Writes rows of one kind; each row's subject field is filled from `uscc` when absent. */
  put(kind: string, uscc: string, rows: Record<string, unknown>[], op?: RowOp): Promise<number[]>;
}

export async function recordWriter(db: Db): Promise<RecordWriter> {
  const catalog = await seedCatalog(db);
  const putRows = async (kindCode: string, rows: Record<string, unknown>[], op?: RowOp) => {
    const kind = catalog.kinds.find((k) => k.code === kindCode);
    if (!kind) throw new Error(`no kind ${kindCode}`);
    const result = await db.transaction().execute((trx) =>
      applyRows(trx, {
        kind,
        providerId: kind.providers[0]!.id,
        batchId: null,
        catalogVersion: catalog.version,
        rows: rows.map((data, i) => ({ row: i + 1, data, ...(op ? { op, reason: 'test' } : {}) })),
      }),
    );
    if (result.rejected.length) throw new Error(JSON.stringify(result.rejected));
    return result.results.map((r) => r.recordId);
  };
  return {
    catalog,
    putRows: (kind, rows) => putRows(kind, rows),
    async put(kindCode, uscc, rows, op) {
      const kind = catalog.kinds.find((k) => k.code === kindCode);
      if (!kind) throw new Error(`no kind ${kindCode}`);
      const result = await db.transaction().execute((trx) =>
        applyRows(trx, {
          kind,
          providerId: kind.providers[0]!.id,
          batchId: null,
          catalogVersion: catalog.version,
          rows: rows.map((data, i) => ({
            row: i + 1,
            data: { [kind.subject_field]: uscc, ...data },
            ...(op ? { op, reason: 'test' } : {}),
          })),
        }),
      );
      if (result.rejected.length) throw new Error(JSON.stringify(result.rejected));
      return result.results.map((r) => r.recordId);
    },
  };
}

/**
 * A registered subject: a business-licence record, and its registration in the subject registry
 * (written explicitly as well, so these tests do not depend on which kinds the registry follows).
 */
export async function registerSubject(
  w: RecordWriter,
  db: Db,
  uscc: string,
  over: Record<string, unknown> = {},
): Promise<void> {
  const data = {
    name: `测试企业${uscc.slice(10, 15)}有限公司`,
    legal_rep_name: '张三',
    established_on: '2015-03-01',
    registration_status: '存续',
    registered_capital: 500,
    industry_code: 'C3311',
    region_code: '410100',
    ...over,
  };
  await w.put('business_licence', uscc, [data]);
  await db.transaction().execute((trx) =>
    ensureSubjects(
      trx,
      [
        {
          uscc,
          name: data.name,
          registration: {
            name: data.name,
            legal_rep_name: data.legal_rep_name,
            established_on: data.established_on,
            registration_status: data.registration_status,
            registered_capital: String(data.registered_capital),
            region_code: data.region_code,
            industry_code: data.industry_code,
          },
        },
      ],
      'test',
    ),
  );
}

/** Many registered subjects at once (registry rows with establishment dates and capital). */
export async function registerSubjects(db: Db, usccs: string[], establishedOn = '2012-06-01'): Promise<void> {
  await db.transaction().execute((trx) =>
    ensureSubjects(
      trx,
      usccs.map((uscc) => ({
        uscc,
        name: `测试企业${uscc.slice(10, 17)}`,
        registration: {
          name: `测试企业${uscc.slice(10, 17)}`,
          established_on: establishedOn,
          registration_status: '存续',
          registered_capital: '300',
          region_code: '410100',
          industry_code: 'C3311',
        },
      })),
      'test',
    ),
  );
}
