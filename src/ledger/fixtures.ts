import type { AppContext } from '../app/context.ts';
import { ingestRows } from '../ingest/ingest.service.ts';
import { testUscc } from '../ingest/fixtures/files.ts';

/** Test fixtures for the ledger: real record versions written through ingestion (and so the ledger). */

/** `n` 失信被执行人 (dishonest debtor) rows, numbered from `from`. */
export function debtorRows(n: number, from = 1): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({
    case_no: `(2025)豫01执${from + i}号`,
    name: `郑州市第${from + i}商贸有限公司`,
    debtor_id: testUscc(from + i),
    court: '郑州市中级人民法院',
    published_on: '2025-03-04',
    behaviour: '有履行能力而拒不履行生效法律文书确定义务',
    performance: '全部未履行',
  }));
}

/** Seeds the catalog and ingests `n` records through the real path; returns the batch outcome. */
export async function ingestDebtors(ctx: AppContext, n: number, from = 1) {
  await ctx.catalog.ensureSeedCatalog();
  const out = await ingestRows(ctx, {
    providerId: 'court',
    kindCode: 'dishonest_debtor',
    rows: debtorRows(n, from),
    source: 'cli',
  });
  if (out.accepted !== n) {
    throw new Error(`ingested ${out.accepted} of ${n}: ${JSON.stringify(out.errors.slice(0, 3))}`);
  }
  return out;
}
