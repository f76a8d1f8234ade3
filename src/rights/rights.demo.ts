import type { AppContext } from '../app/context.ts';
import { findUserByUsername } from '../accounts/users.repository.ts';

/**
 * Demo subject rights for `npm start`: the demo enterprise signs the public credit commitment,
 * declares a qualification (shown 自愿申报) and files an objection to its first negative record
 * (shown 异议处理中, waiting in the operators' queue). Idempotent: skipped once it has a commitment.
 */
export async function ensureRightsDemo(ctx: AppContext, log: (line: string) => void): Promise<void> {
  const ent = await findUserByUsername(ctx.db, 'enterprise');
  if (!ent?.uscc) return;
  const uscc = ent.uscc;
  if ((await ctx.rights.listCommitments({ type: 'system', name: 'demo' }, uscc)).length > 0) return;
  const actor = { type: 'enterprise' as const, id: ent.id, uscc };
  try {
    const text = ctx.rights.currentCommitmentText();
    const c = await ctx.rights.signCommitment(actor, {
      purpose: 'declaration',
      signerName: '演示法定代表人',
      textVersion: text.version,
    });
    await ctx.rights.declare(actor, {
      type: 'qualification',
      data: {
        name: '安全生产许可证（演示） / work safety licence (demo)',
        number: '(豫)JZ安许证字[2025]000001',
      },
      commitmentId: c.id,
    });
    const [catalog, own] = await Promise.all([
      ctx.catalog.getCurrent(),
      ctx.access.readRecords({ actor, uscc, internalPurpose: 'demo' }),
    ]);
    const negative = new Set(catalog.kinds.filter((k) => k.negative).map((k) => k.code));
    const target = own.records.find((r) => negative.has(r.kindCode) && r.status === 'active');
    if (target) {
      const o = await ctx.rights.fileObjection(actor, {
        recordId: target.recordId,
        reasons:
          '演示：该记录已整改完毕，内容与实际不符 / demo: the matter was corrected, the record is out of date',
      });
      log(`异议 / objection: #${o.id} ${uscc} 记录 record ${target.recordId} 待受理 awaiting acceptance`);
    }
    log(`信用承诺 / commitment: #${c.id} ${uscc}，自愿申报 1 条 / 1 declaration`);
  } catch (e) {
    // A demo nicety: never keep the server from starting.
    log(
      `信用权益演示数据未生成 / demo rights data not created: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
