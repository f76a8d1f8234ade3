import fs from 'node:fs';
import type { Command } from 'commander';
import { systemActor } from '../../access/actor.ts';
import { inputFormats, type InputFormat } from '../../ingest/parsers/index.ts';
import type { BatchOutcome, BatchView } from '../../ingest/ingest.service.ts';
import { AppError, isAppError } from '../../shared/errors.ts';
import { printJson, withContext } from '../context.ts';
import { createProgress } from '../progress.ts';

/** The outcome as `--json` prints it: exactly these members. */
function outcomeJson(o: BatchOutcome): BatchOutcome {
  return {
    batch: o.batch,
    received: o.received,
    accepted: o.accepted,
    unchanged: o.unchanged,
    rejected: o.rejected,
    errors: o.errors.map((e) => ({
      row: e.row,
      field: e.field,
      rule: e.rule,
      value: e.value,
      message: e.message,
    })),
  };
}

function printOutcome(o: BatchOutcome): void {
  console.log(
    `批次 / batch ${o.batch}: 收到 received ${o.received}, 接收 accepted ${o.accepted}, 未变 unchanged ${o.unchanged}, 拒绝 rejected ${o.rejected}`,
  );
  for (const e of o.errors) {
    console.log(
      `  第 ${e.row} 行 / row ${e.row}  ${e.field ?? ''}  [${e.rule}]  ${e.message.zh} / ${e.message.en}`,
    );
  }
  if (o.errors.length && o.rejected + o.errors.length > o.errors.length) {
    console.log(`  全部错误 / all errors: xinrong batches errors ${o.batch}`);
  }
}

/** `xinrong ingest --kind KIND FILE`: pushes a file through the same pipeline as the API. */
export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('归集一个文件（CSV、NDJSON、JSON、XLSX） / ingest a file (CSV, NDJSON, JSON, XLSX)')
    .argument('<file>', '文件路径 / file path')
    .requiredOption('--kind <code>', '信息项代码 / kind code (see `xinrong catalog list`)')
    .option(
      '--provider <id>',
      '数据提供单位（默认：该信息项的第一个责任单位） / provider (default: the kind’s first)',
    )
    .option('--format <format>', `格式 / format: ${inputFormats.join(', ')}`)
    .option('--all-or-nothing', '任何一行失败则整批拒绝 / reject the whole batch if any row fails')
    .option('--errors <n>', '输出的错误条数上限 / errors to print at most', '1000')
    .option('--json', 'JSON 输出 / JSON output')
    .action(
      async (
        file: string,
        opts: {
          kind: string;
          provider?: string;
          format?: string;
          allOrNothing?: boolean;
          errors: string;
          json?: boolean;
        },
      ) => {
        if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
          throw new AppError('not_found', { what: file });
        }
        if (opts.format && !(inputFormats as readonly string[]).includes(opts.format)) {
          throw new AppError('validation_failed', { detail: `--format ${opts.format}` });
        }
        await withContext(async (ctx) => {
          // A fresh data directory has no catalog yet: the seed catalog makes `ingest` work at once.
          await ctx.catalog.ensureSeedCatalog();
          const progress = createProgress(
            '归集 ingest',
            undefined,
            opts.json === true && !process.stderr.isTTY,
          );
          try {
            const outcome = await ctx.ingest.pushFile(systemActor('cli'), {
              kindCode: opts.kind,
              providerId: opts.provider,
              allOrNothing: opts.allOrNothing === true,
              path: file,
              format: opts.format as InputFormat | undefined,
              source: 'cli',
              errorLimit: Math.max(1, Number(opts.errors) || 1000),
              onProgress: (p) => progress.update(p.received, p.received),
            });
            progress.stop();
            if (opts.json) printJson(outcomeJson(outcome));
            else printOutcome(outcome);
          } catch (e) {
            progress.stop();
            // A rejected batch still has an outcome: print it, then the error (exit code 2).
            const d = isAppError(e) ? e.details : undefined;
            if (d && typeof d.batch === 'number' && Array.isArray(d.errors)) {
              const o = d as unknown as BatchOutcome;
              if (opts.json) printJson(outcomeJson(o));
              else printOutcome(o);
            }
            throw e;
          }
        });
      },
    );
}

function printBatch(b: BatchView): void {
  console.log(
    `#${b.id}  ${b.kindCode}  ${b.providerId}  ${b.status}  收到 ${b.received} / 接收 ${b.accepted} / 未变 ${b.unchanged} / 拒绝 ${b.rejected}  ${b.filename ?? ''}  ${b.createdAt}`,
  );
}

/** `xinrong batches [list|show ID|errors ID]`. */
export function registerBatches(program: Command): void {
  const batches = program.command('batches').description('归集批次 / ingestion batches');
  batches
    .command('list', { isDefault: true })
    .description('批次列表 / list batches')
    .option('--kind <code>', '按信息项 / by kind')
    .option('--limit <n>', '条数 / how many', '50')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { kind?: string; limit: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const list = await ctx.ingest.listBatches(systemActor('cli'), {
          ...(opts.kind ? { kindCode: opts.kind } : {}),
          limit: Number(opts.limit) || 50,
        });
        if (opts.json) printJson(list);
        else if (list.length === 0) console.log('没有批次 / no batches');
        else list.forEach(printBatch);
      });
    });
  batches
    .command('show')
    .description('批次详情 / show a batch')
    .argument('<id>')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (id: string, opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const b = await ctx.ingest.getBatch(systemActor('cli'), batchId(id));
        if (opts.json) printJson(b);
        else {
          printBatch(b);
          console.log(`  SHA-256 ${b.sha256 ?? '-'}\n  SM3     ${b.sm3 ?? '-'}`);
          if (b.errorMessage) console.log(`  ${b.errorCode}: ${b.errorMessage.zh} / ${b.errorMessage.en}`);
        }
      });
    });
  batches
    .command('errors')
    .description('批次的行错误 / row errors of a batch')
    .argument('<id>')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (id: string, opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const actor = systemActor('cli');
        const all = [];
        let after: { afterRow: number; afterId: number } | undefined;
        for (;;) {
          const page = await ctx.ingest.listErrors(actor, batchId(id), { ...(after ?? {}), limit: 5000 });
          all.push(...page);
          if (page.length < 5000) break;
          after = { afterRow: page.at(-1)!.row, afterId: page.at(-1)!.id };
        }
        const errors = all.map((e) => ({
          row: e.row,
          field: e.field,
          rule: e.rule,
          value: e.value,
          message: e.message,
        }));
        if (opts.json) printJson({ batch: batchId(id), errors });
        else if (errors.length === 0) console.log('没有错误 / no errors');
        else {
          for (const e of errors) {
            console.log(
              `第 ${e.row} 行 / row ${e.row}  ${e.field ?? ''}  [${e.rule}]  ${e.message.zh} / ${e.message.en}`,
            );
          }
        }
      });
    });
}

function batchId(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new AppError('validation_failed', { detail: `batch id "${s}"` });
  return n;
}
