import type { AppContext } from '../app/context.ts';
import { isAppError } from '../shared/errors.ts';

/**
 * The evaluation's background job in `xinrong serve`: every interval, an `auto` run — a full run when
 * the day or the model changed since the last full run (windows and ages move with the date), an
 * incremental run of the queued subjects otherwise (new record versions and marks queue them in the
 * same transaction, see the 0160 migration) — and any queued safe-room job. Several processes may run
 * it: a second evaluation run waits for the next tick (one running run at a time, by a unique index).
 */

/** Seconds between ticks; EVALUATION_INTERVAL_SECONDS overrides (0 disables the job). */
export function evaluationIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.EVALUATION_INTERVAL_SECONDS ?? 60);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 60_000;
}

export function startEvaluationJob(
  ctx: Pick<AppContext, 'evaluation' | 'saferoom'>,
  opts: { intervalMs?: number; log: (line: string) => void },
): () => void {
  const interval = opts.intervalMs ?? evaluationIntervalMs();
  if (interval === 0) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      const r = await ctx.evaluation.run({ mode: 'auto', triggeredBy: 'scheduler' });
      if (r.runId !== null) {
        opts.log(
          `信用评价 / evaluation run ${r.runId} (${r.mode}): ${r.subjectsEvaluated} 主体 subjects, ${r.subjectsChanged} 变化 changed, ${r.seconds.toFixed(1)} s`,
        );
      }
    } catch (e) {
      if (!(isAppError(e) && e.code === 'evaluation_run_in_progress')) {
        opts.log(`信用评价失败 / evaluation run failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    await ctx.saferoom.kick();
    if (!stopped) timer = setTimeout(() => void tick(), interval);
  };
  timer = setTimeout(() => void tick(), Math.min(interval, 5000));
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
