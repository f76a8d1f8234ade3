import type { AppContext } from '../app/context.ts';

/**
 * The periodic overdue check of objections (started by `serve`): every `intervalMs` (default one
 * hour; RIGHTS_CHECK_INTERVAL_SECONDS) it escalates the steps past their due date
 * (`ctx.rights.checkOverdue`, one escalation per missed deadline, so running it often is harmless).
 * On its first run it also syncs the stored publicity ends with the repair rules of this release,
 * and every run warns when this (or, from November, next) year's holidays are not loaded.
 */
export function startRightsJob(ctx: AppContext, opts: { log: (line: string) => void }): () => void {
  const seconds = Number(process.env.RIGHTS_CHECK_INTERVAL_SECONDS ?? 3600);
  const intervalMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 3_600_000;
  let running = false;
  let synced = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      // Once per start: the stored publicity ends follow the repair rules of this release.
      if (!synced) {
        const s = await ctx.rights.syncPublicityRules();
        synced = true;
        if (s.changed) {
          opts.log(
            `信用修复规则已更新，重算公示截止日 ${s.recomputed} 条 / repair rules changed, ${s.recomputed} publicity ends recomputed`,
          );
        }
      }
      // A year whose holidays are not loaded makes deadlines provisional: say so in the log every run.
      const cal = await ctx.rights.calendarStatus();
      if (cal.warning) opts.log(`工作日历 / calendar: ${cal.warning.zh} / ${cal.warning.en}`);
      const r = await ctx.rights.checkOverdue();
      if (r.escalated.length) {
        opts.log(`异议逾期升级 / overdue objections escalated: ${r.escalated.map((i) => `#${i}`).join(' ')}`);
      }
    } catch (e) {
      opts.log(`异议逾期检查失败 / overdue check failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();

  // Contradicting records (docs/decisions/0103): queued by a trigger with each new version; checked
  // every RIGHTS_COMMITMENT_CHECK_SECONDS (default 60), so a flag follows an ingestion within a minute.
  const checkSeconds = Number(process.env.RIGHTS_COMMITMENT_CHECK_SECONDS ?? 60);
  const checkMs = Number.isFinite(checkSeconds) && checkSeconds > 0 ? checkSeconds * 1000 : 60_000;
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const r = await ctx.rights.checkContradictions();
      for (const f of r.flagged) {
        opts.log(
          `疑似违背信用承诺 / commitment flagged: #${f.commitmentId} ← record ${f.recordId} (breach #${f.breachId})`,
        );
      }
    } catch (e) {
      opts.log(`信用承诺检查失败 / commitment check failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      checking = false;
    }
  };
  const checkTimer = setInterval(() => void check(), checkMs);
  checkTimer.unref();
  return () => {
    clearInterval(timer);
    clearInterval(checkTimer);
  };
}
