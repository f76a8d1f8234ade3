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

/**
 * Sheets that explain rather than hold data, left out of the sheet_ignored warning (as are blank
 * sheets): the platform's own
 * template has 「填写示例」 and 「字段说明」 beside its data sheet (src/web/kind-template.ts), and
 * departments add 填表说明, 代码表 and the like.
 */
const AUXILIARY_SHEET = /说明|示例|样例|填表|代码表|字典|readme|instruction|example/i;

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
        onSheets(sheets) {
          const others = sheets
            .slice(1)
            .filter((sh) => !sh.empty && !AUXILIARY_SHEET.test(sh.name))
            .map((sh) => `“${sh.name}”`);
          if (others.length === 0) return;
          const first = printable(sheets[0]!.name);
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
