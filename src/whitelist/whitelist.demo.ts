import { systemActor } from '../access/actor.ts';
import type { AppContext } from '../app/context.ts';
import { findUserByUsername } from '../accounts/users.repository.ts';

/**
 * Demo whitelist for `npm start`: the demo district (zz_jinshui, 金水区) recommends two of its
 * enterprises through the real service; the platform approves one, so the bank's whitelist page and
 * the operator's review queue both have something to show. Runs once (skipped when any entry exists).
 */
export async function ensureWhitelistDemo(ctx: AppContext, log: (line: string) => void): Promise<void> {
  const user = await findUserByUsername(ctx.db, 'recommender');
  if (!user?.org_id) return;
  const recommender = { type: 'recommender' as const, id: user.id, orgId: user.org_id };
  if ((await ctx.whitelist.list(recommender, { pageSize: 1 })).total > 0) return;
  const system = systemActor('demo');
  const found = await ctx.subjects.search({ region: '410105', type: 'enterprise', pageSize: 10 }, system);
  const picks = found.items.filter((s) => !s.provisional && !/注销|吊销/.test(s.status ?? '')).slice(0, 2);
  const reasons = [
    { category: 'tech_sme', reason: '辖区科技型中小企业，研发投入稳定，经走访有流动资金贷款需求（演示）' },
    { category: 'employment', reason: '吸纳就业较多的辖区企业，近期订单增长，申请纳入融资白名单（演示）' },
  ];
  for (const [i, s] of picks.entries()) {
    const entry = await ctx.whitelist.recommend(recommender, { uscc: s.uscc, ...reasons[i]! });
    if (i === 0) {
      await ctx.whitelist.review(system, entry.id, { decision: 'approve', note: '演示：审核通过' });
    }
  }
  log(
    `融资白名单 / whitelist: ${picks.length} 条推荐 recommendations (zz_jinshui), ${Math.min(1, picks.length)} 已入库 listed`,
  );
}
