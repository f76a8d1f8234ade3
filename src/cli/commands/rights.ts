import fs from 'node:fs';
import type { Command } from 'commander';
import { systemActor } from '../../access/actor.ts';
import { AppError } from '../../shared/errors.ts';
import { printJson, withContext } from '../context.ts';

/**
 * Subject rights at the operators' console: `xinrong objections list|show|check-overdue`,
 * `xinrong repairs list`, `xinrong calendar status`, `xinrong calendar import <file.json>` (the yearly
 * 国务院办公厅 holiday notice, in the format of src/rights/calendar/cn-YYYY.json).
 */

function positiveInt(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new AppError('validation_failed', { detail: `${what}: ${v}` });
  return n;
}

export function registerRights(program: Command): void {
  const objections = program.command('objections').description('异议处理 / objections');
  objections
    .command('list')
    .description('异议列表 / list objections')
    .option('--uscc <uscc>', '信用主体 / subject')
    .option('--status <status>', 'filed|accepted|forwarded|answered|rejected|decided')
    .option('--open', '仅处理中 / open cases only')
    .option('--limit <n>', '条数 / how many', '100')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (o: { uscc?: string; status?: string; open?: boolean; limit: string; json?: boolean }) => {
      const items = await withContext((ctx) =>
        ctx.rights.listObjections(systemActor(), {
          uscc: o.uscc,
          status: o.status,
          open: o.open,
          limit: positiveInt(o.limit, '--limit'),
        }),
      );
      if (o.json) return printJson(items);
      for (const x of items) {
        const due = x.dueOn
          ? ` 期限 due ${x.dueOn}${x.overdue ? ` 逾期 overdue ${x.workingDaysLate}` : ''}`
          : '';
        console.log(
          `#${x.id} ${x.uscc} 记录 record ${x.recordId} [${x.kindCode}] ${x.statusLabel.zh} / ${x.statusLabel.en}${due}` +
            (x.escalationLevel ? ` 升级 level ${x.escalationLevel}` : ''),
        );
      }
      if (items.length === 0) console.log('无异议 / no objections');
    });
  objections
    .command('show')
    .description('异议案件及处理记录 / an objection and its history')
    .argument('<id>')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (id: string, o: { json?: boolean }) => {
      const x = await withContext((ctx) => ctx.rights.getObjection(systemActor(), positiveInt(id, 'id')));
      if (o.json) return printJson(x);
      console.log(
        `异议 objection #${x.id}  ${x.statusLabel.zh} / ${x.statusLabel.en}${x.outcome ? `  (${x.outcome})` : ''}`,
      );
      console.log(
        `主体 subject ${x.uscc}  记录 record ${x.recordId} [${x.kindCode}]  提供单位 provider ${x.providerId}`,
      );
      console.log(`理由 reasons: ${x.reasons}`);
      if (x.dueOn) {
        console.log(
          `期限 due: ${x.dueOn}${x.overdue ? `（逾期 ${x.workingDaysLate} 个工作日 / overdue）` : ''}`,
        );
      }
      for (const a of x.attachments) {
        console.log(`附件 attachment: ${a.fileName} ${a.sizeBytes} B sha256 ${a.sha256}`);
      }
      for (const h of x.history) {
        console.log(`  ${h.at}  ${h.event.padEnd(10)} ${h.actorType}${h.note ? `  ${h.note}` : ''}`);
      }
    });
  objections
    .command('check-overdue')
    .description(
      '检查逾期环节并升级（可由定时任务每日运行） / escalate overdue steps (run daily, e.g. from cron)',
    )
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (o: { json?: boolean }) => {
      const r = await withContext((ctx) => ctx.rights.checkOverdue());
      if (o.json) return printJson(r);
      console.log(
        `已升级 escalated: ${r.escalated.length ? r.escalated.map((i) => `#${i}`).join(' ') : '无 / none'}`,
      );
    });

  const repairs = program.command('repairs').description('信用修复 / credit repair');
  repairs
    .command('sync-publicity')
    .description(
      '按现行修复规则重算公示截止日（serve 启动时自动执行） / recompute publicity ends from the repair rules',
    )
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (o: { json?: boolean }) => {
      const r = await withContext((ctx) => ctx.rights.syncPublicityRules());
      if (o.json) return printJson(r);
      console.log(
        r.changed
          ? `规则已更新，重算 ${r.recomputed} 条 / rules updated, ${r.recomputed} records recomputed`
          : '规则未变 / rules unchanged',
      );
    });
  repairs
    .command('list')
    .description('信用修复申请（绿色通道优先） / repair applications, green channel first')
    .option('--uscc <uscc>', '信用主体 / subject')
    .option('--status <status>', 'refused|under_review|repaired|rejected')
    .option('--limit <n>', '条数 / how many', '100')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (o: { uscc?: string; status?: string; limit: string; json?: boolean }) => {
      const items = await withContext((ctx) =>
        ctx.rights.listRepairs(systemActor(), {
          uscc: o.uscc,
          status: o.status,
          limit: positiveInt(o.limit, '--limit'),
        }),
      );
      if (o.json) return printJson(items);
      for (const x of items) {
        console.log(
          `#${x.id} ${x.greenChannel ? '[绿色通道 green] ' : ''}${x.uscc} 记录 record ${x.recordId} ${x.severity} ` +
            `${x.statusLabel.zh} / ${x.statusLabel.en}${x.dueOn ? ` 期限 due ${x.dueOn}` : ''}`,
        );
        for (const r of x.refusals) console.log(`    ✘ ${r.zh} / ${r.en}`);
      }
      if (items.length === 0) console.log('无申请 / no applications');
    });

  const commitments = program.command('commitments').description('信用承诺 / credit commitments');
  commitments
    .command('check')
    .description('检查新记录是否与信用承诺矛盾（serve 每分钟执行） / check new records against commitments')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (o: { json?: boolean }) => {
      const r = await withContext((ctx) => ctx.rights.checkContradictions());
      if (o.json) return printJson(r);
      console.log(`已检查 checked ${r.checked}，疑似违背 flagged ${r.flagged.length}`);
      for (const f of r.flagged) {
        console.log(
          `  承诺 commitment #${f.commitmentId} ← 记录 record ${f.recordId}（线索 breach #${f.breachId}）`,
        );
      }
    });
  commitments
    .command('breaches')
    .description('违背承诺线索（默认待核实） / suspected breaches (default) or by status')
    .option('--status <status>', 'suspected|confirmed|rejected|superseded', 'suspected')
    .option('--uscc <uscc>', '信用主体 / subject')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (o: { status: string; uscc?: string; json?: boolean }) => {
      const items = await withContext((ctx) =>
        ctx.rights.listBreaches(systemActor(), { status: o.status, uscc: o.uscc }),
      );
      if (o.json) return printJson(items);
      for (const b of items) {
        console.log(
          `#${b.id} ${b.uscc} 承诺 commitment #${b.commitmentId} ${b.statusLabel.zh} / ${b.statusLabel.en}` +
            (b.recordId ? `  记录 record ${b.recordId} [${b.kindCode}]` : '') +
            (b.rule ? `\n    ${b.rule.zh}` : ''),
        );
      }
      if (items.length === 0) console.log('无 / none');
    });
  commitments
    .command('review')
    .description('认定或否定违背承诺线索 / confirm or reject a suspected breach')
    .argument('<id>')
    .option('--confirm', '认定违背承诺（写入失信记录） / confirm (writes the negative record)')
    .option('--reject', '否定 / reject')
    .option('--note <text>', '核实意见 / note')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (id: string, o: { confirm?: boolean; reject?: boolean; note?: string; json?: boolean }) => {
      if (!!o.confirm === !!o.reject) {
        throw new AppError('validation_failed', {
          detail: '请指定 --confirm 或 --reject / give --confirm or --reject',
        });
      }
      const r = await withContext((ctx) =>
        ctx.rights.reviewBreach(systemActor(), positiveInt(id, 'id'), { confirm: !!o.confirm, note: o.note }),
      );
      if (o.json) return printJson(r);
      console.log(`线索 breach #${r.breach.id}: ${r.breach.statusLabel.zh} / ${r.breach.statusLabel.en}`);
      console.log(
        `承诺 commitment #${r.commitment.id}: ${r.commitment.status}` +
          (r.commitment.breachRecordId ? `，失信记录 negative record ${r.commitment.breachRecordId}` : ''),
      );
    });

  const calendar = program.command('calendar').description('工作日历 / working-day calendar');
  calendar
    .command('status')
    .description(
      '已导入的年份；当年或次年未导入时提示 / years loaded, warns when this or next year is missing',
    )
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (o: { json?: boolean }) => {
      const s = await withContext((ctx) => ctx.rights.calendarStatus());
      if (o.json) return printJson(s);
      console.log(`已导入年份 years loaded: ${s.coveredYears.join(', ') || '无 / none'}`);
      if (s.warning) console.log(`⚠ ${s.warning.zh}\n  ${s.warning.en}`);
    });
  calendar
    .command('import')
    .description('导入一年的节假日安排（JSON，格式同 src/rights/calendar/cn-YYYY.json） / import one year')
    .argument('<file>')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (file: string, o: { json?: boolean }) => {
      let doc: unknown;
      try {
        doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        throw new AppError('calendar_invalid', {
          detail: `${file}: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
      const r = await withContext((ctx) => ctx.rights.importCalendarYear(systemActor(), doc));
      if (o.json) return printJson(r);
      console.log(
        `已导入 imported ${r.year}: ${r.holidays} 个假日 holidays, ${r.workdays} 个调休工作日 adjusted working days, ` +
          `${r.deadlinesChanged} 个办理期限已重算 open deadlines recounted`,
      );
    });
}
