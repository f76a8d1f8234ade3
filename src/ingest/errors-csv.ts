import type { StoredRowError } from './batches.repository.ts';
import { warningRules } from './ingest.service.ts';

const PAGE = 5000;

function cell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // Cells that a spreadsheet would run as a formula are prefixed with an apostrophe (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * A batch's row errors as CSV for Excel: UTF-8 with a BOM (so Excel reads it as UTF-8), Chinese
 * headers with English beside them, every error in row order, streamed page by page.
 */
export async function* errorsCsv(
  page: (p: { afterRow?: number; afterId?: number; limit: number }) => Promise<StoredRowError[]>,
): AsyncGenerator<string> {
  yield '\uFEFF行号 Row,字段 Field,规则 Rule,值 Value,级别 Severity,说明,Message\r\n';
  let after: { afterRow: number; afterId: number } | undefined;
  for (;;) {
    const rows = await page({ ...(after ?? {}), limit: PAGE });
    let out = '';
    for (const e of rows) {
      out += `${[
        cell(e.row),
        cell(e.field),
        cell(e.rule),
        cell(e.value),
        cell(warningRules.has(e.rule) ? '警告 warning' : '错误 error'),
        cell(e.message.zh),
        cell(e.message.en),
      ].join(',')}\r\n`;
    }
    if (out) yield out;
    if (rows.length < PAGE) return;
    const last = rows.at(-1)!;
    after = { afterRow: last.row, afterId: last.id };
  }
}
