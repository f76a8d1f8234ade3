import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { systemActor, type Actor } from '../../access/actor.ts';
import { consentPurposes, type ConsentPurpose } from '../../consent/consent.types.ts';
import { parseBundle, type LedgerPublicKey } from '../../ledger/verify-offline.ts';
import { verifyReportJsonFile, verifyReportPdf, type ReportVerdict } from '../../reports/report-verify.ts';
import {
  reportFormats,
  reportTypes,
  type ReportFormat,
  type ReportType,
} from '../../reports/report.types.ts';
import { AppError } from '../../shared/errors.ts';
import { printJson, withContext } from '../context.ts';

function printVerdict(v: ReportVerdict, json: boolean | undefined): void {
  if (json) {
    printJson(v);
    return;
  }
  process.stdout.write(`${v.valid ? '✔' : '✘'} ${v.message.zh}\n  ${v.message.en}\n`);
  if (v.number) process.stdout.write(`  报告编号 number: ${v.number}  类型 type: ${v.type}\n`);
  if (v.subjectName) process.stdout.write(`  信用主体 subject: ${v.subjectName} ${v.uscc ?? ''}\n`);
  if (v.issuedAt) process.stdout.write(`  出具时间 issued at: ${v.issuedAt}\n`);
  if (v.digest) process.stdout.write(`  SHA-256: ${v.digest}\n`);
  if (v.leafIndex !== undefined) process.stdout.write(`  账本叶子 leaf: ${v.leafIndex} / ${v.treeSize}\n`);
  for (const c of v.checks) {
    process.stdout.write(`  ${c.ok ? '✔' : '✘'} ${c.code}: ${c.message.zh} / ${c.message.en}\n`);
  }
}

function readKey(file: string | undefined): LedgerPublicKey | undefined {
  if (!file) return undefined;
  const k = JSON.parse(fs.readFileSync(file, 'utf8')) as LedgerPublicKey & { userId?: string | null };
  if (!k.keyName || !k.algorithm || !k.publicKeyHex) {
    throw new AppError('validation_failed', { detail: '--public-key: {keyName, algorithm, publicKeyHex}' });
  }
  return {
    keyName: k.keyName,
    algorithm: k.algorithm,
    publicKeyHex: k.publicKeyHex,
    userId: k.userId ?? null,
  };
}

/**
 * `xinrong report <uscc> --type … --format … --out FILE`: issues a report as the platform (operators'
 * counter service), or as an institution's machine client for a full report (--institution).
 * `xinrong report verify <file>`: offline, from the file alone (no database, no network).
 */
export function registerReport(program: Command): void {
  const report = program
    .command('report')
    .description('信用报告：生成或核验 / credit reports: issue or verify')
    .argument('[uscc]', '统一社会信用代码 / USCC of the subject')
    .option('--type <type>', `报告类型 / report type: ${reportTypes.join('|')}`, 'public')
    .option('--format <format>', `格式 / format: ${reportFormats.join('|')}`, 'pdf')
    .option('--out <file>', '输出文件 / output file (default: <number>.<format>)')
    .option('--consent <id>', '授权编号（授权查询版） / consent id (full reports)')
    .option(
      '--institution <orgId>',
      '以该机构的系统身份生成授权查询版 / issue a full report as this institution',
    )
    .option('--purpose <purpose>', `授权用途 / consent purpose: ${consentPurposes.join('|')}`)
    .option('--window-years <n>', '专项信用报告期间（1–5 年，默认 3） / special report window in years (1–5)')
    .option('--json', 'JSON 输出（报告元数据） / JSON output (report metadata)')
    .action(
      async (
        uscc: string | undefined,
        opts: {
          type: string;
          format: string;
          out?: string;
          consent?: string;
          institution?: string;
          purpose?: string;
          windowYears?: string;
          json?: boolean;
        },
      ) => {
        if (!uscc) throw new AppError('validation_failed', { detail: 'uscc: 必填 / required' });
        if (!(reportTypes as readonly string[]).includes(opts.type)) {
          throw new AppError('validation_failed', { detail: `--type ${reportTypes.join('|')}` });
        }
        if (!(reportFormats as readonly string[]).includes(opts.format)) {
          throw new AppError('validation_failed', { detail: `--format ${reportFormats.join('|')}` });
        }
        if (opts.purpose && !(consentPurposes as readonly string[]).includes(opts.purpose)) {
          throw new AppError('validation_failed', { detail: `--purpose ${consentPurposes.join('|')}` });
        }
        const windowYears = opts.windowYears === undefined ? undefined : Number(opts.windowYears);
        const actor: Actor = opts.institution
          ? { type: 'institution_system', id: 'cli', orgId: opts.institution }
          : systemActor('cli');
        await withContext(async (ctx) => {
          const meta = await ctx.reports.createReport(actor, {
            uscc,
            type: opts.type as ReportType,
            format: opts.format as ReportFormat,
            consentId: opts.consent,
            purpose: opts.purpose as ConsentPurpose | undefined,
            windowYears,
          });
          const file = await ctx.reports.getReportFile(actor, meta.number, opts.format as ReportFormat);
          const out = path.resolve(opts.out ?? file.filename);
          fs.writeFileSync(out, file.body);
          if (opts.json) printJson({ ...meta, file: out, bytes: file.body.length });
          else {
            process.stdout.write(
              `${meta.number}  ${meta.typeLabel.zh}  ${meta.subjectName}  ${meta.recordCount} 条 / records\n` +
                `→ ${out} (${file.body.length} bytes)\n核验 / verify: ${meta.links.verifyPage}\n`,
            );
          }
        });
      },
    );

  report
    .command('verify')
    .description(
      '离线核验报告文件（PDF，或 JSON 加 --bundle） / verify a report file offline (PDF, or JSON with --bundle)',
    )
    .argument('<file>', 'PDF 或 JSON 报告文件 / PDF or JSON report file')
    .option('--bundle <file>', 'JSON 报告的账本证明包 / ledger bundle for a JSON report')
    .option(
      '--public-key <file>',
      '平台公布的公钥（GET /api/v1/ledger/public-key） / the platform’s published key',
    )
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (file: string, opts: { bundle?: string; publicKey?: string; json?: boolean }) => {
      const bytes = fs.readFileSync(file);
      const key = readKey(opts.publicKey);
      let v: ReportVerdict;
      if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') v = await verifyReportPdf(bytes, key);
      else {
        if (!opts.bundle) {
          throw new AppError('validation_failed', {
            detail: '--bundle: JSON 报告须附账本证明包 / a JSON report needs its ledger bundle',
          });
        }
        const bundle = parseBundle(fs.readFileSync(opts.bundle, 'utf8'));
        if (!bundle) throw new AppError('ledger_bundle_invalid', { reason: opts.bundle });
        v = verifyReportJsonFile(bytes.toString('utf8'), bundle, key);
      }
      // `--json` after `verify` may be parsed as the parent command's option (same name): honour both.
      printVerdict(v, opts.json ?? (report.opts() as { json?: boolean }).json);
      if (!v.valid) process.exitCode = 1;
    });
}
