import { AppError } from '../../shared/errors.ts';
import {
  cellText,
  isEmptyRow,
  isNoteRow,
  matchHeaderRow,
  type HeaderMatcher,
  type HeaderRow,
} from '../headers.ts';
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
  /** Columns under an empty header cell (unknown and duplicate columns are warned about instead). */
  let unnamed: number[] = [];
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
      const named = new Set([...header.unknown, ...header.duplicate].map((c) => c.index));
      unnamed = header.columns.flatMap((c, i) => (c === undefined && !named.has(i) ? [i] : []));
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
    let extra: ParsedRow['extra'];
    for (const i of unnamed) {
      if (cellText(cells[i]) !== '') {
        extra = { index: i, value: cells[i] };
        break;
      }
    }
    for (let i = cols.length; extra === undefined && i < cells.length; i++) {
      if (cellText(cells[i]) !== '') extra = { index: i, value: cells[i] };
    }
    yield extra ? { row, values, extra } : { row, values };
  }
  if (!header) {
    if (!sawAnything) throw new AppError('file_empty');
    throw new AppError('header_missing', { kind: kindCode });
  }
}
