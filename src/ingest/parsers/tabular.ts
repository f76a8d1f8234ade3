import { AppError } from '../../shared/errors.ts';
import { isEmptyRow, isNoteRow, matchHeaderRow, type HeaderMatcher, type HeaderRow } from '../headers.ts';
import type { ParsedRow, ParseEvents } from './types.ts';

/** Rows scanned for the header before giving up (title rows, blank rows, a logo…). */
const HEADER_SCAN_ROWS = 30;

/**
 * Turns rows of cells (CSV records or spreadsheet rows, numbered as the provider sees them) into
 * values keyed by field code: finds the header (title rows above it are skipped), then skips blank
 * rows and notes (注：…, 填表人：…) below or between the data.
 */
export async function* tabularRows(
  source: AsyncIterable<{ row: number; cells: unknown[] }>,
  matcher: HeaderMatcher,
  kindCode: string,
  events: ParseEvents,
): AsyncGenerator<ParsedRow> {
  let header: HeaderRow | undefined;
  let scanned = 0;
  let sawAnything = false;
  for await (const { row, cells } of source) {
    if (!header) {
      if (isEmptyRow(cells)) continue;
      sawAnything = true;
      header = matchHeaderRow(cells, matcher);
      if (!header) {
        if (++scanned >= HEADER_SCAN_ROWS) break;
        continue;
      }
      events.onHeader?.(row, header);
      continue;
    }
    if (isEmptyRow(cells) || isNoteRow(cells)) continue;
    const values: Record<string, unknown> = {};
    const cols = header.columns;
    for (let i = 0; i < cols.length; i++) {
      const code = cols[i];
      if (code !== undefined) {
        const v = cells[i];
        if (v !== undefined && v !== null && v !== '') values[code] = v;
      }
    }
    yield { row, values };
  }
  if (!header) {
    if (!sawAnything) throw new AppError('file_empty');
    throw new AppError('header_missing', { kind: kindCode });
  }
}
