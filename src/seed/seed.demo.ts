import type { AppContext } from '../app/context.ts';
import { countSubjects } from '../subjects/subjects.repository.ts';
import { seedDemo } from './seed.service.ts';

/** The demo's subjects: 1,000 in 郑州 and 平顶山, always the same (seed 20261121). */
export const demoSeed = { subjects: 1000, seed: 20261121 } as const;

/**
 * `npm start` step (after the catalog): seeds the demo subjects and their records through ingestion
 * when the registry is empty; otherwise leaves the data alone.
 */
export async function ensureSeedDemo(ctx: AppContext, log: (line: string) => void): Promise<void> {
  const existing = await countSubjects(ctx.db);
  if (existing > 0) {
    log(`演示主体 / demo subjects: 已有 ${existing} 个 / ${existing} present`);
    return;
  }
  log(`演示主体 / demo subjects: 生成 ${demoSeed.subjects} 个（种子 ${demoSeed.seed}）… / generating…`);
  const out = await seedDemo(ctx, demoSeed);
  log(
    `演示主体 / demo subjects: ${demoSeed.subjects} 个主体、${out.accepted} 条记录（${out.kinds.length} 类），${out.seconds} 秒 / ${out.accepted} records of ${out.kinds.length} kinds in ${out.seconds} s`,
  );
}
