import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';

/**
 * A streaming reader for the first worksheet of an XLSX file (ECMA-376 SpreadsheetML), made for
 * ingestion: rows come one at a time, so a 1,000,000-row sheet never sits in memory.
 *
 * Why not exceljs's WorkbookReader: it reads the ZIP front to back and parses a worksheet as soon
 * as shared strings and relationships have been seen, before `xl/workbook.xml` if that comes later
 * in the archive (as it does in files written by exceljs itself); under load it then fails with
 * "Cannot read properties of undefined (reading 'sheets')" for files it read fine a moment before
 * (decision 0032). This reader opens the ZIP by its central directory (yauzl), so it reads the
 * workbook, relationships, styles and shared strings first whatever their order in the archive,
 * then streams the one sheet through a SAX parser (saxes).
 */

/** A cell's value as ingestion sees it: text, number, boolean, or a Date for date-formatted cells. */
export type XlsxCell = string | number | boolean | Date | undefined;

export interface XlsxRow {
  /** The row number as the user sees it in Excel (1-based). */
  row: number;
  /** Cells from column A, holes as undefined. */
  cells: XlsxCell[];
}

export class XlsxFormatError extends Error {}

/** Shared strings kept in memory, in characters: far above any real sheet, below a zip bomb. */
const MAX_SHARED_STRING_CHARS = 64 * 1024 * 1024;
/** Rows per sheet (Excel's own limit, ECMA-376). */
const MAX_ROWS = 1_048_576;
/** Columns per row (Excel's own limit is XFD = 16,384). */
const MAX_COLUMNS = 16_384;

/** Built-in number formats that show dates or times (ECMA-376 Part 1, 18.8.30, incl. the CJK ids). */
const BUILTIN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54,
  55, 56, 57, 58,
]);

/** Whether a custom number format code shows a date or time (y, m, d, h, s outside quotes and colours). */
export function isDateFormatCode(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '') // literal text: 年, 月, 日 in quotes
    .replace(/\\./g, '') // escaped characters
    .replace(/\[(?!h\]|hh\]|m\]|mm\]|s\]|ss\])[^\]]*\]/gi, ''); // [Red], [$-804]; keep elapsed [h]
  return /[ymdhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** An Excel serial day number as the wall-clock time it shows, in UTC (as exceljs did). */
export function excelSerialToDate(serial: number, date1904: boolean): Date {
  const days = serial - 25569 + (date1904 ? 1462 : 0); // 25569 = days from 1899-12-30 to 1970-01-01
  return new Date(Math.round(days * 86_400_000));
}

/** "BC12" → 54 (0-based column), or -1 when the reference has no letters. */
export function columnIndex(ref: string): number {
  let n = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return i === 0 ? -1 : n - 1;
}

interface ZipEntries {
  zip: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
}

function openZip(path: string): Promise<ZipEntries> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) return reject(new XlsxFormatError(`not a ZIP archive (${err?.message ?? 'unknown'})`));
      const entries = new Map<string, yauzl.Entry>();
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName.replace(/^\/+/, ''), e);
        zip.readEntry();
      });
      zip.once('end', () => resolve({ zip, entries }));
      zip.once('error', (e: Error) => {
        zip.close();
        reject(new XlsxFormatError(`damaged ZIP archive (${e.message})`));
      });
      zip.readEntry();
    });
  });
}

function openEntry(z: ZipEntries, name: string): Promise<NodeJS.ReadableStream> {
  const entry = z.entries.get(name);
  if (!entry) return Promise.reject(new XlsxFormatError(`missing part ${name}`));
  return new Promise((resolve, reject) => {
    z.zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(new XlsxFormatError(`cannot read part ${name} (${err?.message})`));
      resolve(stream);
    });
  });
}

/** Feeds one ZIP part through a SAX parser, pausing after each chunk so the caller can hand rows out. */
async function* parsePart(z: ZipEntries, name: string, parser: SaxesParser): AsyncGenerator<void> {
  let failure: Error | undefined;
  parser.on('error', (e) => {
    failure ??= e;
  });
  const stream = await openEntry(z, name);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    parser.write(decoder.decode(chunk, { stream: true }));
    if (failure) throw new XlsxFormatError(`${name}: ${failure.message}`);
    yield;
  }
  parser.write(decoder.decode());
  parser.close();
  if (failure) throw new XlsxFormatError(`${name}: ${failure.message}`);
  yield;
}

async function drain(parts: AsyncGenerator<void>): Promise<void> {
  for await (const _ of parts);
}

/** Resolves a relationship target against the folder of the part that holds it (xl/). */
function resolveTarget(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = ['xl'];
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

interface WorkbookInfo {
  date1904: boolean;
  firstSheetPath: string;
  /** All worksheets in workbook order (the first is the one read), with the part each is in. */
  sheets: { name: string; path: string | undefined }[];
}

/** A worksheet of the workbook: its name and whether it holds any cell (beyond A1). */
export interface SheetInfo {
  name: string;
  empty: boolean;
}

async function readWorkbook(z: ZipEntries): Promise<WorkbookInfo> {
  let date1904 = false;
  let firstRid: string | undefined;
  const sheets: { name: string; rid: string | undefined }[] = [];
  const wb = new SaxesParser({ xmlns: false });
  wb.on('opentag', (t: SaxesTagPlain) => {
    const name = localName(t.name);
    if (name === 'workbookPr') {
      const v = t.attributes.date1904;
      date1904 = v === '1' || v === 'true';
    } else if (name === 'sheet') {
      const rid =
        t.attributes['r:id'] ?? Object.entries(t.attributes).find(([k]) => localName(k) === 'id')?.[1];
      sheets.push({ name: String(t.attributes.name ?? ''), rid });
      firstRid ??= rid;
    }
  });
  await drain(parsePart(z, 'xl/workbook.xml', wb));
  if (firstRid === undefined) throw new XlsxFormatError('no worksheet in the workbook');

  const targets = new Map<string, string>();
  const rels = new SaxesParser({ xmlns: false });
  rels.on('opentag', (t: SaxesTagPlain) => {
    if (localName(t.name) === 'Relationship' && t.attributes.Id && t.attributes.Target) {
      targets.set(t.attributes.Id, t.attributes.Target);
    }
  });
  if (z.entries.has('xl/_rels/workbook.xml.rels')) {
    await drain(parsePart(z, 'xl/_rels/workbook.xml.rels', rels));
  }
  const target = targets.get(firstRid);
  // Without relationships, the first sheet is by convention sheet1.xml (Excel, WPS, LibreOffice).
  const firstSheetPath = target ? resolveTarget(target) : 'xl/worksheets/sheet1.xml';
  return {
    date1904,
    firstSheetPath,
    sheets: sheets.map((sh, i) => {
      const t = sh.rid === undefined ? undefined : targets.get(sh.rid);
      return { name: sh.name, path: i === 0 ? firstSheetPath : t ? resolveTarget(t) : undefined };
    }),
  };
}

/**
 * Whether a worksheet holds no cell beyond A1, from the start of its part: Excel and WPS write
 * `<dimension ref="A1"/>` (or an empty `<sheetData/>`) for a blank sheet, as in the Sheet2 and Sheet3
 * of a new workbook. Only the first 8 KiB are read.
 */
async function sheetIsEmpty(z: ZipEntries, path: string | undefined): Promise<boolean> {
  if (path === undefined || !z.entries.has(path)) return true;
  const stream = await openEntry(z, path);
  let head = '';
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      head += chunk.toString('latin1');
      if (head.length >= 8192) break;
    }
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  if (/<(?:\w+:)?sheetData\s*\/>/.test(head)) return true;
  const dim = /<(?:\w+:)?dimension\s+ref="([^"]*)"/.exec(head);
  return dim !== null && /^[A-Z]+\d+$/i.test(dim[1]!);
}

/** For each cell style index (the `s` attribute), whether it shows a date. */
async function readDateStyles(z: ZipEntries): Promise<boolean[]> {
  if (!z.entries.has('xl/styles.xml')) return [];
  const customFormats = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  const p = new SaxesParser({ xmlns: false });
  p.on('opentag', (t: SaxesTagPlain) => {
    const name = localName(t.name);
    if (name === 'numFmt') {
      customFormats.set(Number(t.attributes.numFmtId), String(t.attributes.formatCode ?? ''));
    } else if (name === 'cellXfs') inCellXfs = true;
    else if (name === 'xf' && inCellXfs) xfFormats.push(Number(t.attributes.numFmtId ?? 0));
  });
  p.on('closetag', (t) => {
    if (localName(t.name) === 'cellXfs') inCellXfs = false;
  });
  await drain(parsePart(z, 'xl/styles.xml', p));
  return xfFormats.map((id) => {
    const custom = customFormats.get(id);
    return custom !== undefined ? isDateFormatCode(custom) : BUILTIN_DATE_FORMATS.has(id);
  });
}

/** Shared strings, rich text runs joined, phonetic guides (rPh) left out. */
async function readSharedStrings(z: ZipEntries): Promise<string[]> {
  const name = z.entries.has('xl/sharedStrings.xml') ? 'xl/sharedStrings.xml' : undefined;
  if (!name) return [];
  const out: string[] = [];
  let current: string[] | undefined;
  let inText = false;
  let inPhonetic = 0;
  let chars = 0;
  const p = new SaxesParser({ xmlns: false });
  p.on('opentag', (t: SaxesTagPlain) => {
    const n = localName(t.name);
    if (n === 'si') current = [];
    else if (n === 'rPh') inPhonetic++;
    else if (n === 't' && !inPhonetic) inText = true;
  });
  p.on('closetag', (t) => {
    const n = localName(t.name);
    if (n === 'si') {
      const s = (current ?? []).join('');
      chars += s.length;
      if (chars > MAX_SHARED_STRING_CHARS) p.fail('too much shared text (over 64M characters)');
      out.push(s);
      current = undefined;
    } else if (n === 'rPh') inPhonetic--;
    else if (n === 't') inText = false;
  });
  p.on('text', (s) => {
    if (inText && current) current.push(s);
  });
  await drain(parsePart(z, name, p));
  return out;
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/**
 * The rows of the first worksheet, in order. Empty rows are not reported (as in the file); callers
 * number rows by `row`.
 */
export async function* readFirstSheetRows(
  path: string,
  opts: { onSheets?: (sheets: SheetInfo[]) => void } = {},
): AsyncGenerator<XlsxRow> {
  const z = await openZip(path);
  try {
    const { date1904, firstSheetPath, sheets } = await readWorkbook(z);
    if (opts.onSheets) {
      const info: SheetInfo[] = [];
      for (const [i, sh] of sheets.entries()) {
        info.push({ name: sh.name, empty: i > 0 && (await sheetIsEmpty(z, sh.path)) });
      }
      opts.onSheets(info);
    }
    if (!z.entries.has(firstSheetPath)) throw new XlsxFormatError(`missing worksheet ${firstSheetPath}`);
    const dateStyles = await readDateStyles(z);
    const shared = await readSharedStrings(z);

    const ready: XlsxRow[] = [];
    let rowNo = 0;
    let cells: XlsxCell[] | undefined;
    let col = -1;
    let cellType = 'n';
    let cellStyle = 0;
    let text: string[] = [];
    let capture: 'v' | 't' | undefined;
    let inInline = false;
    let value: string | undefined;

    const p = new SaxesParser({ xmlns: false });
    p.on('opentag', (t: SaxesTagPlain) => {
      switch (localName(t.name)) {
        case 'row': {
          const r = Number(t.attributes.r);
          rowNo = Number.isInteger(r) && r > 0 ? r : rowNo + 1;
          // A larger number is no Excel file, and would not fit a row error's row number (a 500).
          if (rowNo > MAX_ROWS) p.fail(`row ${t.attributes.r ?? rowNo} is beyond Excel's 1,048,576 rows`);
          cells = [];
          col = -1;
          break;
        }
        case 'c': {
          const ref = t.attributes.r;
          const idx = ref ? columnIndex(ref) : -1;
          col = idx >= 0 ? idx : col + 1;
          if (col >= MAX_COLUMNS) p.fail(`column beyond XFD in row ${rowNo}`);
          cellType = t.attributes.t ?? 'n';
          cellStyle = Number(t.attributes.s ?? 0);
          value = undefined;
          break;
        }
        case 'v':
          capture = 'v';
          text = [];
          break;
        case 'is':
          inInline = true;
          text = [];
          break;
        case 't':
          if (inInline) capture = 't';
          break;
        case 'rPh':
          if (inInline) capture = undefined;
          break;
      }
    });
    p.on('text', (s) => {
      if (capture) text.push(s);
    });
    p.on('closetag', (t) => {
      switch (localName(t.name)) {
        case 'v':
          value = text.join('');
          capture = undefined;
          break;
        case 't':
          if (inInline) capture = undefined;
          break;
        case 'is':
          value = text.join('');
          inInline = false;
          break;
        case 'c':
          if (cells && value !== undefined) {
            while (cells.length < col) cells.push(undefined); // dense: holes would skip forEach/map
            cells[col] = convert(value, cellType, cellStyle);
          }
          break;
        case 'row':
          if (cells) ready.push({ row: rowNo, cells });
          cells = undefined;
          break;
      }
    });

    const convert = (raw: string, type: string, style: number): XlsxCell => {
      switch (type) {
        case 's':
          return shared[Number(raw)];
        case 'str':
        case 'inlineStr':
          return raw;
        case 'b':
          return raw === '1' || raw === 'true';
        case 'e':
          return undefined; // #N/A, #REF!: no value
        case 'd': {
          const d = new Date(raw.endsWith('Z') || /[+-]\d\d:\d\d$/.test(raw) ? raw : `${raw}Z`);
          return Number.isNaN(d.getTime()) ? raw : d;
        }
        default: {
          if (raw === '') return undefined;
          const n = Number(raw);
          if (!Number.isFinite(n)) return raw;
          return dateStyles[style] ? excelSerialToDate(n, date1904) : n;
        }
      }
    };

    for await (const _ of parsePart(z, firstSheetPath, p)) {
      if (ready.length) yield* ready.splice(0);
    }
  } finally {
    z.zip.close();
  }
}
