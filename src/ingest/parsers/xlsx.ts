import fs from 'node:fs';
import { AppError } from '../../shared/errors.ts';
import { printable, shownValue } from '../validate.ts';
import type { HeaderMatcher } from '../headers.ts';
import { tabularRows } from './tabular.ts';
import type { ParsedRow, ParseEvents } from './types.ts';
import { readFirstSheetRows, XlsxFormatError } from './xlsx-reader.ts';

/**
 * XLSX: the first worksheet, streamed row by row (xlsx-reader.ts). Cells with a date format arrive
 * as Date; Excel date serials in cells without one, numbers stored as text and formula results are
 * handled by validation.
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

export function xlsxRows(
  path: string,
  size: number,
  matcher: HeaderMatcher,
  kindCode: string,
  events: ParseEvents,
): AsyncGenerator<ParsedRow> {
  async function* rows(): AsyncGenerator<{ row: number; cells: unknown[] }> {
    await assertCompleteZip(path, size);
    try {
      yield* readFirstSheetRows(path, {
        // Data on a second sheet (a year per sheet, a file over Excel's row limit) is not read: say so
        // in the outcome rather than skip it silently.
        onSheets(names) {
          if (names.length < 2) return;
          const others = names.slice(1).map((n) => `“${n}”`);
          const first = printable(names[0]!);
          events.onWarning?.({
            row: 0,
            field: null,
            rule: 'sheet_ignored',
            value: shownValue(others.join('、')),
            message: {
              zh: `只读取了第一个工作表“${first}”，另有 ${others.length} 个工作表未读取（如有数据，请放在第一个工作表或分文件报送）`,
              en: `only the first worksheet "${first}" was read; ${others.length} more were not (put data on the first sheet, or send one file per sheet)`,
            },
          });
        },
      });
    } catch (e) {
      if (e instanceof AppError) throw e;
      if (e instanceof XlsxFormatError && e.message === 'no worksheet in the workbook') {
        throw new AppError('file_unreadable', {
          detail: 'XLSX 文件中没有工作表 / no worksheet in the XLSX file',
        });
      }
      throw new AppError('file_unreadable', {
        detail: `XLSX 文件无法解析 / the XLSX file cannot be parsed: ${(e as Error).message ?? e}`,
      });
    }
  }
  return tabularRows(rows(), matcher, kindCode, events);
}
