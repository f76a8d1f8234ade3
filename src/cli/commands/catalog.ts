import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { systemActor } from '../../access/actor.ts';
import { describeDiff } from '../../catalog/catalog.diff.ts';
import type { Catalog, CatalogKind } from '../../catalog/catalog.schema.ts';
import { AppError } from '../../shared/errors.ts';
import { printJson, withContext } from '../context.ts';

const shareModeZh = { push: '物理归集', pull: '接口调用', both: '物理归集/接口调用' } as const;
const opennessZh = { public: '公开', conditional: '有条件共享', restricted: '不予共享' } as const;

function parseVersion(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new AppError('validation_failed', { detail: `--version ${v}` });
  return n;
}

function printCatalog(c: Catalog): void {
  console.log(`目录版本 / catalog version ${c.version}: ${c.label}`);
  for (const cat of [...c.categories].sort((a, b) => a.order - b.order)) {
    console.log(`\n${cat.order}. ${cat.name_zh} / ${cat.name_en}  [${cat.code}]`);
    for (const k of c.kinds.filter((x) => x.category === cat.code)) {
      const flags = [shareModeZh[k.share_mode], opennessZh[k.openness], k.negative ? '负面 negative' : '']
        .filter(Boolean)
        .join(' · ');
      console.log(`   ${k.code.padEnd(28)} ${k.name_zh}  (${k.fields.length} 字段 fields; ${flags})`);
    }
  }
}

function printKind(k: CatalogKind, version: number): void {
  console.log(`${k.name_zh} / ${k.name_en}  [${k.code}]  目录版本 / catalog version ${version}`);
  console.log(`信息种类 / category: ${k.category}`);
  console.log(`共享方式 / share mode: ${shareModeZh[k.share_mode]} (${k.share_mode})`);
  console.log(
    `开放属性 / openness: ${opennessZh[k.openness]} (${k.openness})${k.negative ? '  负面信息 / negative' : ''}`,
  );
  console.log(`责任单位 / providers: ${k.providers.map((p) => `${p.name_zh} [${p.id}]`).join('; ')}`);
  console.log(
    `自然键 / natural key: ${k.natural_key.join(' + ')}   主体字段 / subject field: ${k.subject_field}`,
  );
  if (k.date_field) console.log(`日期字段 / date field: ${k.date_field}`);
  if (k.publicity) {
    console.log(
      `公示期 / publicity: from ${k.publicity.from_field}` +
        (k.publicity.until_field ? ` until ${k.publicity.until_field}` : '') +
        (k.publicity.max_months ? `, max ${k.publicity.max_months} months` : ''),
    );
  }
  if (k.sources.length) console.log(`来源 / sources: ${k.sources.join(', ')}`);
  if (k.note) console.log(`说明 / note: ${k.note}`);
  console.log('');
  for (const f of k.fields) {
    const extra = [
      f.required ? '必填 required' : '',
      f.sensitivity !== 'public' ? f.sensitivity : '',
      f.unit ? `单位 ${f.unit}` : '',
      f.enum ? `{${f.enum.map((v) => v.value).join('|')}}` : '',
      f.sources ? `来源 ${f.sources.join(',')}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    console.log(`  ${f.code.padEnd(30)} ${f.type.padEnd(10)} ${f.label_zh}${extra ? `  (${extra})` : ''}`);
  }
}

export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('信用信息目录 / credit catalog');

  catalog
    .command('list')
    .description('列出信息种类与信息项 / list categories and kinds')
    .option('--version <n>', '目录版本，默认当前 / catalog version (default: current)')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { version?: string; json?: boolean }) => {
      const version = parseVersion(opts.version);
      await withContext(async (ctx) => {
        const c =
          version === undefined ? await ctx.catalog.getCurrent() : await ctx.catalog.getVersion(version);
        if (opts.json) printJson(c);
        else printCatalog(c);
      });
    });

  catalog
    .command('show <kind>')
    .description('显示信息项的字段与规则 / show a kind, its fields and rules')
    .option('--version <n>', '目录版本，默认当前 / catalog version (default: current)')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (code: string, opts: { version?: string; json?: boolean }) => {
      const version = parseVersion(opts.version);
      await withContext(async (ctx) => {
        const e = await ctx.catalog.getKindEntry(code, version);
        if (opts.json) printJson({ catalog_version: e.catalogVersion, category: e.category, kind: e.kind });
        else printKind(e.kind, e.catalogVersion);
      });
    });

  catalog
    .command('import <file>')
    .description(
      '导入目录新版本（.json / .yaml / .yml）；与当前版本相同时不创建 / import a new catalog version',
    )
    .option('--label <text>', '版本标签，默认取文件中的 label / version label (default: the file’s label)')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (file: string, opts: { label?: string; json?: boolean }) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new AppError('file_unreadable', { detail: `${file}: ${(e as Error).message}` });
      }
      const format = /\.ya?ml$/i.test(path.extname(file)) ? 'yaml' : 'json';
      await withContext(async (ctx) => {
        const r = await ctx.catalog
          .importDocument(text, format, systemActor('cli'), opts.label)
          .catch((e: unknown) => {
            // Every problem, not only the first one the error message names.
            if (e instanceof AppError && e.code === 'catalog_invalid' && !opts.json) {
              const errors = (e.details?.errors ?? []) as {
                path: string;
                message_zh: string;
                message_en: string;
              }[];
              for (const p of errors) {
                process.stderr.write(`  ${p.path}: ${p.message_zh} / ${p.message_en}\n`);
              }
            }
            throw e;
          });
        if (opts.json) {
          printJson(r);
          return;
        }
        console.log(`${r.message.zh} / ${r.message.en}`);
        console.log(`SHA-256: ${r.digest_sha256}`);
        if (r.created && r.diff) {
          console.log(`与版本 ${r.previous_version} 相比 / compared with version ${r.previous_version}:`);
          for (const l of describeDiff(r.diff)) console.log(`  ${l}`);
        }
      });
    });

  catalog
    .command('versions')
    .description('列出目录版本 / list catalog versions')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const items = await ctx.catalog.listVersions();
        if (opts.json) {
          printJson({ items });
          return;
        }
        for (const v of items) {
          console.log(
            `${String(v.version).padStart(4)}  ${v.created_at}  ${v.kinds} 信息项 kinds  ${v.imported_by}  ${v.label}`,
          );
        }
      });
    });

  catalog
    .command('diff <from> <to>')
    .description('比较两个目录版本 / compare two catalog versions')
    .option('--json', 'JSON 输出 / JSON output')
    .action(async (from: string, to: string, opts: { json?: boolean }) => {
      const a = parseVersion(from)!;
      const b = parseVersion(to)!;
      await withContext(async (ctx) => {
        const d = await ctx.catalog.diff(a, b);
        if (opts.json) printJson(d);
        else for (const l of describeDiff(d)) console.log(l);
      });
    });
}
