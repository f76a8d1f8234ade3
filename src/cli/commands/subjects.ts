import type { Command } from 'commander';
import { systemActor } from '../../access/actor.ts';
import { AppError } from '../../shared/errors.ts';
import { subjectTypes, type SubjectType } from '../../subjects/subject-types.ts';
import { maxPageSize, type SubjectSummary } from '../../subjects/subjects.service.ts';
import { printJson, withContext } from '../context.ts';

function line(s: SubjectSummary): string {
  const region = s.region ? `${s.region.code} ${s.region.name ?? ''}`.trim() : '-';
  const industry = s.industry ? `${s.industry.code} ${s.industry.name ?? ''}`.trim() : '-';
  return [s.uscc, s.name || '(未知名称 / unnamed)', s.typeLabel.zh, region, industry, s.status ?? '-']
    .concat(s.provisional ? ['(临时 / provisional)'] : [])
    .join('  ');
}

export function registerSubjects(program: Command): void {
  const subjects = program.command('subjects').description('信用主体 / credit subjects');

  subjects
    .command('list')
    .description('查询信用主体 / search subjects (USCC, USCC prefix or name fragment)')
    .option('--q <text>', '统一社会信用代码、代码前缀或名称片段 / USCC, prefix or name fragment')
    .option('--region <code>', '行政区划代码或前缀，如 4101 / region code or prefix, e.g. 4101')
    .option('--industry <code>', '行业门类字母或代码，如 I、65、6513 / industry section or code')
    .option('--type <type>', `主体类型 / subject type: ${subjectTypes.join(', ')}`)
    .option('--limit <n>', '最多显示条数 / maximum rows', '20')
    .option('--page <n>', '页码 / page', '1')
    .option('--json', 'JSON 输出 / JSON output')
    .action(
      async (opts: {
        q?: string;
        region?: string;
        industry?: string;
        type?: string;
        limit: string;
        page: string;
        json?: boolean;
      }) => {
        const limit = Number(opts.limit);
        const page = Number(opts.page);
        if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
          throw new AppError('validation_failed', { detail: `--limit 1..${maxPageSize}` });
        }
        if (!Number.isInteger(page) || page < 1) {
          throw new AppError('validation_failed', { detail: '--page' });
        }
        if (opts.type && !(subjectTypes as readonly string[]).includes(opts.type)) {
          throw new AppError('validation_failed', { detail: `--type ${subjectTypes.join('|')}` });
        }
        await withContext(async (ctx) => {
          const r = await ctx.subjects.search(
            {
              q: opts.q,
              region: opts.region,
              industry: opts.industry,
              type: opts.type as SubjectType | undefined,
              page,
              pageSize: limit,
            },
            systemActor(),
          );
          if (opts.json) return printJson(r);
          for (const s of r.items) console.log(line(s));
          console.log(
            `共 ${r.totalIsLowerBound ? '至少 ' : ''}${r.total} 个 / ${r.totalIsLowerBound ? 'at least ' : ''}${r.total} subjects (第 ${r.page} 页 / page ${r.page})`,
          );
        });
      },
    );

  subjects
    .command('show <uscc>')
    .description('显示一个信用主体 / show one subject')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (uscc: string, opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const s = await ctx.subjects.getSubject(uscc, systemActor());
        if (opts.json) return printJson(s);
        console.log(line(s));
        console.log(`法定代表人 / legal representative: ${s.legalRepName ?? '-'}`);
        console.log(`成立日期 / established: ${s.establishedOn ?? '-'}`);
        for (const n of s.formerNames) {
          console.log(`曾用名 / former name: ${n.name} (${n.since.slice(0, 10)})`);
        }
      });
    });
}
