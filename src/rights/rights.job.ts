import type { AppContext } from '../app/context.ts';

/**
 * The periodic overdue check of objections (started by `serve`): every `intervalMs` (default one
 * hour; RIGHTS_CHECK_INTERVAL_SECONDS) it escalates the steps past their due date
 * (`ctx.rights.checkOverdue`, one escalation per missed deadline, so running it often is harmless).
 */
export function startRightsJob(ctx: AppContext, opts: { log: (line: string) => void }): () => void {
  const seconds = Number(process.env.RIGHTS_CHECK_INTERVAL_SECONDS ?? 3600);
  const intervalMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 3_600_000;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
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
  return () => clearInterval(timer);
}
