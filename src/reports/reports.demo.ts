import type { AppContext } from '../app/context.ts';
import { findUserByUsername } from '../accounts/users.repository.ts';
import { listReports } from './reports.repository.ts';

/**
 * Demo reports for `npm start`: when none exists, the demo enterprise's public and special reports
 * (JSON; HTML and PDF render on first download), so /verify/<number> has something to show. Idempotent.
 */
export async function ensureReportsDemo(ctx: AppContext, log: (line: string) => void): Promise<void> {
  let rows = await listReports(ctx.db, { limit: 2 });
  if (rows.length === 0) {
    const ent = await findUserByUsername(ctx.db, 'enterprise');
    if (!ent?.uscc) return;
    const actor = { type: 'enterprise' as const, id: ent.id, uscc: ent.uscc };
    try {
      await ctx.reports.createReport({ type: 'anonymous' }, { uscc: ent.uscc, type: 'public' });
      await ctx.reports.createReport(actor, { uscc: ent.uscc, type: 'special', windowYears: 3 });
    } catch (e) {
      // A demo nicety: never keep the server from starting.
      log(`信用报告演示数据未生成 / demo reports not issued: ${e instanceof Error ? e.message : String(e)}`);
    }
    rows = await listReports(ctx.db, { limit: 2 });
  }
  const base = ctx.config.publicUrl.replace(/\/+$/, '');
  for (const r of rows) {
    log(`信用报告 / report: ${r.number} (${r.report_type}) 核验 verify ${base}/verify/${r.number}`);
  }
}
