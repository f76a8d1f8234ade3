import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { AppError } from '../../shared/errors.ts';
import type { HeaderMatcher } from '../headers.ts';
import { tabularRows } from './tabular.ts';
import type { ParsedRow, ParseEvents } from './types.ts';

/**
 * XLSX, streamed with exceljs's WorkbookReader (shared strings cached, rows read one at a time):
 * the first worksheet only. Cells with a date format arrive as Date; Excel date serials in cells
 * without one, numbers stored as text and formula results are handled by validation.
 */

/** A ZIP file ends with its End Of Central Directory record; a truncated upload has none. */
export async function assertCompleteZip(path: string, size: number): Promise<void> {
  const tail = Math.min(size, 65536 + 22);
  const fh = await fs.promises.open(path, 'r');
  try {
    const buf = Buffer.alloc(tail);
    await fh.read(buf, 0, tail, size - tail);
    for (let i = buf.length - 22; i >= 0; i--) {
      if (buf[i] === 0x50 && buf[i + 1] === 0x4b && buf[i + 2] === 0x05 && buf[i + 3] === 0x06) return;
    }
  } finally {
    await fh.close();
  }
  throw new AppError('file_unreadable', {
    detail: 'XLSX 文件不完整（可能上传中断）/ the XLSX file is incomplete (truncated upload?)',
  });
}

/** A cell as a plain value: text of rich text and hyperlinks, the result of a formula. */
export function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object' || v instanceof Date) return v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
  if ('formula' in o || 'sharedFormula' in o) return cellValue(o.result);
  if ('error' in o) return undefined;
  if ('text' in o) return cellValue(o.text);
  return String(v);
}

export function xlsxRows(
  path: string,
  size: number,
  matcher: HeaderMatcher,
  kindCode: string,
  events: ParseEvents,
): AsyncGenerator<ParsedRow> {
  async function* rows(): AsyncGenerator<{ row: number; cells: unknown[] }> {
    await assertCompleteZip(path, size);
    const input = fs.createReadStream(path);
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache', // date formats: date cells arrive as Date
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    let sawSheet = false;
    try {
      for await (const ws of reader) {
        sawSheet = true;
        for await (const row of ws as AsyncIterable<ExcelJS.Row>) {
          const values = row.values as unknown[];
          const cells: unknown[] = [];
          for (let i = 1; i < values.length; i++) cells.push(cellValue(values[i]));
          yield { row: row.number, cells };
        }
        break; // the first worksheet only
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('file_unreadable', {
        detail: `XLSX 文件无法解析 / the XLSX file cannot be parsed: ${(e as Error).message ?? e}`,
      });
    } finally {
      input.destroy();
    }
    if (!sawSheet) {
      throw new AppError('file_unreadable', {
        detail: 'XLSX 文件中没有工作表 / no worksheet in the XLSX file',
      });
    }
  }
  return tabularRows(rows(), matcher, kindCode, events);
}
