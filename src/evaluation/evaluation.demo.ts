import type { AppContext } from '../app/context.ts';

/**
 * Demo step: evaluate every demo subject once (idempotent: only when no run has completed yet), so
 * the portals show scores, grades and reasons right after `npm start`.
 */
export async function ensureEvaluationDemo(
  ctx: Pick<AppContext, 'evaluation'>,
  log: (line: string) => void,
): Promise<void> {
  await ctx.evaluation.ensureModel();
  if ((await ctx.evaluation.listRuns(1)).some((r) => r.status === 'completed')) return;
  const r = await ctx.evaluation.run({ mode: 'full', triggeredBy: 'demo' });
  const grades = Object.entries(r.gradeCounts)
    .sort()
    .map(([g, n]) => `${g} ${n}`)
    .join(', ');
  log(`信用评价 / evaluation: ${r.subjectsEvaluated} 主体 subjects (${grades}), ${r.seconds.toFixed(1)} s`);
}
