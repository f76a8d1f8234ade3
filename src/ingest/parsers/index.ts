import { AppError } from '../../shared/errors.ts';
import type { HeaderMatcher } from '../headers.ts';
import { csvRows } from './csv.ts';
import { jsonRows, ndjsonRows } from './json.ts';
import type { InputFormat, ParsedRow, ParseEvents } from './types.ts';
import { xlsxRows } from './xlsx.ts';

export type { InputFormat, ParsedRow, ParseEvents } from './types.ts';
export { inputFormats } from './types.ts';

const zipMagic = [0x50, 0x4b, 0x03, 0x04];
const oleMagic = [0xd0, 0xcf, 0x11, 0xe0];

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => head[i] === b);
}

/**
 * The format of an upload: the bytes decide for spreadsheets (a ZIP is XLSX whatever it is called),
 * otherwise what the caller declared (query, content type, file extension), otherwise sniffed:
 * `[` or `{` starts JSON (NDJSON when the first line is a complete object), anything else is CSV.
 */
export function detectFormat(head: Uint8Array, declared: InputFormat | undefined): InputFormat {
  if (startsWith(head, oleMagic)) {
    throw new AppError('file_unreadable', {
      detail:
        '不支持 Excel 97-2003 (.xls) 格式，请另存为 .xlsx 或 CSV / Excel 97-2003 (.xls) is not supported: save as .xlsx or CSV',
    });
  }
  if (startsWith(head, zipMagic)) return 'xlsx';
  if (declared === 'xlsx') {
    throw new AppError('file_unreadable', { detail: '不是 XLSX 文件 / not an XLSX file' });
  }
  if (declared) return declared;
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) {
    i++;
  }
  if (head[i] === 0x5b) return 'json';
  if (head[i] === 0x7b) {
    const text = Buffer.from(head.subarray(i)).toString('utf8');
    const firstLine = text.split('\n', 1)[0]!.trim();
    try {
      const first = JSON.parse(firstLine) as { rows?: unknown };
      // `{"rows": [...]}` on one line is a JSON document, not one NDJSON record.
      return Array.isArray(first.rows) ? 'json' : 'ndjson';
    } catch {
      return 'json';
    }
  }
  return 'csv';
}

/** Format from a file name's extension, when it says. */
export function formatFromFilename(name: string | undefined | null): InputFormat | undefined {
  const ext = name?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  if (ext === 'csv' || ext === 'txt' || ext === 'tsv') return 'csv';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  if (ext === 'json') return 'json';
  if (ext === 'xlsx' || ext === 'xlsm') return 'xlsx';
  return undefined;
}

/** Format from a request's content type. */
export function formatFromContentType(type: string | undefined): InputFormat | undefined {
  const t = type?.split(';')[0]?.trim().toLowerCase();
  if (!t) return undefined;
  if (t === 'text/csv' || t === 'text/plain') return 'csv';
  if (t === 'application/x-ndjson' || t === 'application/ndjson') return 'ndjson';
  if (t === 'application/json') return 'json';
  if (t === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') return 'xlsx';
  return undefined;
}

export function parseFile(
  file: { path: string; size: number; head: Uint8Array },
  format: InputFormat,
  matcher: HeaderMatcher,
  kindCode: string,
  events: ParseEvents,
): AsyncGenerator<ParsedRow> {
  if (file.size === 0) {
    return (async function* (): AsyncGenerator<ParsedRow> {
      yield* [];
      throw new AppError('file_empty');
    })();
  }
  switch (format) {
    case 'csv':
      return csvRows(file.path, file.head, matcher, kindCode, events);
    case 'ndjson':
      return ndjsonRows(file.path, file.head, matcher, events);
    case 'json':
      return jsonRows(file.path, file.head, matcher, events);
    case 'xlsx':
      return xlsxRows(file.path, file.size, matcher, kindCode, events);
  }
}
