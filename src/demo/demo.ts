import type { AppContext } from '../app/context.ts';
import { ensureConnectorDemo } from '../connectors/connectors.demo.ts';
import { ensureAccountsDemo } from '../accounts/accounts.demo.ts';
import { ensureEvaluationDemo } from '../evaluation/evaluation.demo.ts';
import { ensureReportsDemo } from '../reports/reports.demo.ts';
import { ensureRightsDemo } from '../rights/rights.demo.ts';
import { ensureSeedDemo } from '../seed/seed.demo.ts';
import { ensureWhitelistDemo } from '../whitelist/whitelist.demo.ts';

export interface DemoOptions {
  log: (line: string) => void;
}

/**
 * On `npm start`: when the database is empty, import the catalog, seed demo subjects and records and
 * create the demo accounts; always print the demo accounts. Each domain contributes its part here.
 */
export async function ensureDemoData(ctx: AppContext, opts: DemoOptions): Promise<void> {
  // First: every other step (subjects, records, accounts) reads kinds from the catalog.
  const catalog = await ctx.catalog.ensureSeedCatalog();
  opts.log(`信用目录 / catalog: 版本 version ${catalog.version}, ${catalog.kinds.length} 信息项 kinds`);
  await ensureSeedDemo(ctx, opts.log);
  // Accounts: operator (TOTP), a real-name enterprise user, a bank, recommender, system keys.
  await ensureAccountsDemo(ctx, opts.log);
  // Credit evaluation of every demo subject (default model v1), so scores and reasons show at once.
  await ensureEvaluationDemo(ctx, opts.log);
  // On-demand data: a sandbox provider in this process, one interface per pull kind (src/connectors/connectors.demo.ts).
  await ensureConnectorDemo(ctx, opts.log);
  // Reports: the demo enterprise's public and special reports (JSON; PDF on first download).
  await ensureReportsDemo(ctx, opts.log);
  // Subject rights: a commitment, a 自愿申报 declaration and an open objection of the demo enterprise.
  await ensureRightsDemo(ctx, opts.log);
  // Financing whitelist: the demo district's recommendations, one approved (src/whitelist/whitelist.demo.ts).
  await ensureWhitelistDemo(ctx, opts.log);
  // Last: place every entry the demo data queued in the ledger and sign a checkpoint.
  const ledger = await ctx.ledger.sequenceNow();
  opts.log(
    `防篡改账本 / ledger: ${ledger.treeSize} 条 entries, ${ctx.ledger.config.origin} (${ctx.ledger.config.hashAlgorithm}, ${ctx.ledger.config.signatureAlgorithm})`,
  );
}
