import type { RowError } from '../../records/record-store.service.ts';
import type { HeaderRow } from '../headers.ts';

export const inputFormats = ['csv', 'ndjson', 'json', 'xlsx'] as const;
export type InputFormat = (typeof inputFormats)[number];

/** A data row: its number as the provider sees it and its values keyed by field code. */
export interface ParsedRow {
  row: number;
  values: Record<string, unknown>;
  /**
   * Tabular formats: the first non-empty cell with no header above it (past the header's last column,
   * or under an empty header cell). Such a row is rejected: it is usually a value split by an unquoted
   * delimiter, and cutting it to the header would store it altered.
   */
  extra?: { index: number; value: unknown };
}

export interface ParseEvents {
  /** The header row was found (tabular formats). May throw to refuse the file. */
  onHeader?(row: number, header: HeaderRow): void;
  /** Keys present in the first object (JSON formats). May throw to refuse the file. */
  onFirstObject?(row: number, fields: Set<string>, unknown: string[]): void;
  /** Unknown or duplicate columns, reported once each. */
  onWarning?(w: RowError): void;
}
