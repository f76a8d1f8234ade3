import fs from 'node:fs';
import type { Command } from 'commander';
import type { VerifyReport } from '../../ledger/ledger-verify.ts';
import { parseBundle, verifyBundle, type LedgerPublicKey } from '../../ledger/verify-offline.ts';
import { isSignatureAlgorithm } from '../../ledger/signing.ts';
import { AppError } from '../../shared/errors.ts';
import { printJson, withContext } from '../context.ts';
import { createProgress } from '../progress.ts';

function parseIndex(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new AppError('validation_failed', { detail: `${flag} ${v}` });
  return n;
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('ledger_bundle_invalid', { reason: `${file}: ${(e as Error).message}` });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('ledger_bundle_invalid', { reason: `${file}: not JSON` });
  }
}

function printReport(r: VerifyReport): void {
  console.log(
    `${r.ok ? '✔ 账本完好 / ledger intact' : '✖ 发现篡改 / tampering found'}: ` +
      `${r.leavesChecked}/${r.treeSize} 叶子 leaves, ${r.checkpointsChecked} 检查点 checkpoints, ` +
      `${r.pending} 待排序 pending, ${r.leavesPerSecond} 叶子/秒 leaves/s`,
  );
  if (r.firstBadLeaf) {
    const f = r.firstBadLeaf;
    console.log(
      `首个问题叶子 / first bad leaf: ${f.leafIndex}` +
        (f.refTable ? `  (${f.refTable} ${f.refId})` : '') +
        `\n  ${f.message.zh}\n  ${f.message.en}`,
    );
  }
  for (const p of r.problems) console.log(`- [${p.kind}] ${p.message.zh} / ${p.message.en}`);
  if (r.problemCount > r.problems.length) {
    console.log(`… 共 ${r.problemCount} 个问题 / ${r.problemCount} problems in all`);
  }
}

export function registerLedger(program: Command): void {
  const ledger = program.command('ledger').description('防篡改账本 / tamper-evident ledger');

  ledger
    .command('status')
    .description('账本状态 / ledger status')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const s = await ctx.ledger.status();
        if (opts.json) return printJson(s);
        console.log(`${s.origin}  (${s.hashAlgorithm}, ${s.signatureAlgorithm})`);
        console.log(`树大小 / tree size: ${s.treeSize}   待排序 / pending: ${s.pending}`);
        console.log(
          `最新检查点 / latest checkpoint: ${s.latestCheckpoint ? `${s.latestCheckpoint.treeSize} @ ${s.latestCheckpoint.timestamp}` : '无 / none'}`,
        );
      });
    });

  ledger
    .command('checkpoint')
    .description('立即排序并签名检查点，打印最新检查点 / sequence now, sign, print the latest checkpoint')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const r = await ctx.ledger.sequenceNow();
        const cp = await ctx.ledger.latestCheckpoint();
        if (opts.json) return printJson({ sequenced: r.sequenced, checkpoint: cp });
        if (r.sequenced) console.error(`已排序 / sequenced: ${r.sequenced}`);
        process.stdout.write(cp.note);
      });
    });

  ledger
    .command('public-key')
    .description('检查点签名公钥 / the checkpoint signing public key')
    .option(
      '--json',
      'JSON 输出（可作 verify-proof --public-key 的文件） / JSON (a file for verify-proof --public-key)',
    )
    .action(async (opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const k = ctx.ledger.publicKey();
        if (opts.json) return printJson(k);
        console.log(
          `${k.keyName}  ${k.algorithm}${k.userId ? ` (user ID ${k.userId})` : ''}  key ID ${k.keyId}`,
        );
        console.log(k.publicKeyHex);
        process.stdout.write(k.publicKeyPem);
      });
    });

  ledger
    .command('proof')
    .description(
      '包含证明（--index）或一致性证明（--from）/ inclusion (--index) or consistency (--from) proof',
    )
    .option('--index <n>', '叶子序号 / leaf index')
    .option('--size <n>', '树大小，默认最新检查点 / tree size (default: latest checkpoint)')
    .option('--from <n>', '一致性证明的旧树大小 / old tree size for a consistency proof')
    .option('--to <n>', '一致性证明的新树大小 / new tree size (default: latest checkpoint)')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { index?: string; size?: string; from?: string; to?: string; json?: boolean }) => {
      const index = parseIndex('--index', opts.index);
      const from = parseIndex('--from', opts.from);
      if ((index === undefined) === (from === undefined)) {
        throw new AppError('validation_failed', {
          detail: '需要 --index 或 --from 之一 / give --index or --from',
        });
      }
      await withContext(async (ctx) => {
        const proof =
          index !== undefined
            ? await ctx.ledger.inclusionProof(index, parseIndex('--size', opts.size))
            : await ctx.ledger.consistencyProof(from!, parseIndex('--to', opts.to));
        if (opts.json) return printJson(proof);
        for (const [k, v] of Object.entries(proof)) {
          if (Array.isArray(v)) v.forEach((x, i) => console.log(`${k}[${i}]: ${x}`));
          else if (v !== null) console.log(`${k}: ${v}`);
        }
      });
    });

  ledger
    .command('entry <index>')
    .description('查看账本条目 / show a ledger entry')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (index: string, opts: { json?: boolean }) => {
      const i = parseIndex('<index>', index)!;
      await withContext(async (ctx) => {
        const e = await ctx.ledger.entry(i);
        if (opts.json) return printJson(e);
        console.log(`#${e.leafIndex} ${e.entryType}  ${e.refTable} ${e.refId}  ${e.uscc ?? ''}`);
        console.log(e.canonical);
        console.log(`leaf hash: ${e.leafHash}`);
      });
    });

  ledger
    .command('bundle <index>')
    .description('离线证明包（JSON）/ offline proof bundle (JSON)')
    .option('--out <file>', '写入文件 / write to a file')
    .action(async (index: string, opts: { out?: string }) => {
      const i = parseIndex('<index>', index)!;
      await withContext(async (ctx) => {
        const b = await ctx.ledger.bundle(i);
        if (opts.out) {
          fs.writeFileSync(opts.out, `${JSON.stringify(b, null, 2)}\n`);
          console.error(`已写入 / written: ${opts.out}`);
        } else printJson(b);
      });
    });

  ledger
    .command('verify')
    .description(
      '全量校验：重算每个叶子并核对每个签名检查点和源记录；发现问题时退出码 1 / ' +
        'full verification of every leaf, checkpoint and source row; exit code 1 on tampering',
    )
    .option('--no-sources', '不核对源记录 / skip the source-row checks')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { sources: boolean; json?: boolean }) => {
      const report = await withContext(async (ctx) => {
        const total = (await ctx.ledger.status()).treeSize;
        const bar = createProgress('校验 / verify', total, opts.json);
        try {
          return await ctx.ledger.verify({ sources: opts.sources, onProgress: (d) => bar.update(d) });
        } finally {
          bar.stop();
        }
      });
      if (opts.json) printJson(report);
      else printReport(report);
      if (!report.ok) process.exitCode = 1;
    });

  ledger
    .command('verify-proof <file>')
    .description(
      '离线校验证明包（无需数据库）；无效时退出码 1 / verify a proof bundle offline (no database); exit code 1 when invalid',
    )
    .option(
      '--public-key <file>',
      '平台公布的公钥（public-key --json 的输出）/ the published key (output of public-key --json)',
    )
    .option('--json', 'JSON 输出 / JSON output')
    .action((file: string, opts: { publicKey?: string; json?: boolean }) => {
      const bundle = readJsonFile(file);
      if (!parseBundle(bundle)) {
        throw new AppError('ledger_bundle_invalid', { reason: `${file}: not a ledger bundle` });
      }
      let key: LedgerPublicKey | undefined;
      if (opts.publicKey) {
        const k = readJsonFile(opts.publicKey) as Partial<LedgerPublicKey>;
        if (
          !k ||
          typeof k.keyName !== 'string' ||
          !isSignatureAlgorithm(k.algorithm) ||
          typeof k.publicKeyHex !== 'string'
        ) {
          throw new AppError('ledger_bundle_invalid', {
            reason: `${opts.publicKey}: not a ledger public key`,
          });
        }
        key = { keyName: k.keyName, algorithm: k.algorithm, publicKeyHex: k.publicKeyHex };
      }
      const v = verifyBundle(bundle, key);
      if (opts.json) printJson(v);
      else {
        console.log(`${v.valid ? '✔' : '✖'} ${v.message.zh}\n  ${v.message.en}`);
        if (v.entry) console.log(`  ${v.entry.entryType} ${v.entry.refTable} ${v.entry.refId}`);
      }
      if (!v.valid) process.exitCode = 1;
    });
}
