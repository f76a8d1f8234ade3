import { csvRecords } from './csv-reader.ts';
import type { HeaderMatcher } from '../headers.ts';
import { detectEncoding, readText } from './text.ts';
import { tabularRows } from './tabular.ts';
import type { ParsedRow, ParseEvents } from './types.ts';

/** Comma, tab or semicolon: whichever splits the first lines most consistently. */
export function sniffDelimiter(head: Uint8Array): string {
  const { encoding, bomLength } = detectEncoding(head);
  const text = new TextDecoder(encoding).decode(head.subarray(bomLength));
  const lines = text
    .split(/\r?\n/)
    .slice(0, 20)
    .filter((l) => l.trim() !== '');
  let best = ',';
  let bestScore = 0;
  for (const d of [',', '\t', ';', '|']) {
    const score = lines.reduce((n, l) => n + (l.split(d).length - 1), 0);
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

/**
 * CSV rows, streamed. Row numbers count every record from the top of the file (title rows, the
 * header and blank lines included), which is the row a spreadsheet program shows when it opens the
 * file; a quoted cell spanning several lines is one row, as in the spreadsheet.
 */
export function csvRows(
  path: string,
  head: Uint8Array,
  matcher: HeaderMatcher,
  kindCode: string,
  events: ParseEvents,
): AsyncGenerator<ParsedRow> {
  const delimiter = sniffDelimiter(head);
  async function* records(): AsyncGenerator<{ row: number; cells: unknown[] }> {
    let row = 0;
    for await (const batch of csvRecords(readText(path, head), delimiter)) {
      for (const cells of batch) yield { row: ++row, cells };
    }
  }
  return tabularRows(records(), matcher, kindCode, events);
}
