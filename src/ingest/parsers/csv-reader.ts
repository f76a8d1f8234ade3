import { AppError } from '../../shared/errors.ts';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * CSV records from decoded text chunks (RFC 4180, relaxed as spreadsheet programs are): quoted
 * fields with "" escapes may span lines; a quote inside an unquoted field is kept as a character;
 * text after a closing quote is kept; LF, CRLF or CR end a record; an empty line is a record of one
 * empty field (so record numbers stay the rows a spreadsheet shows). Written for speed: csv-parse
 * managed about 10,000 rows/s on our 18-column Chinese files, this reads several hundred thousand.
 * A record left incomplete at a chunk's end is parsed again with the next chunk.
 */
export async function* csvRecords(
  chunks: AsyncIterable<string>,
  delimiter = ',',
): AsyncGenerator<string[][]> {
  const delim = delimiter.charCodeAt(0);
  let leftover = '';
  let line = 1;
  // A record longer than a chunk (a huge cell, or an unclosed quote running to the end of the file) is
  // parsed again from its start with each chunk: when a pass completes no record, the next waits for
  // twice as much text, so the passes over one record cost linear time, not quadratic.
  let waitFor = 0;
  const it = chunks[Symbol.asyncIterator]();
  let next = await it.next();
  while (!next.done || leftover) {
    const final = !!next.done;
    if (!final && leftover.length + next.value.length < waitFor) {
      leftover += next.value;
      next = await it.next();
      continue;
    }
    const text = final ? leftover : leftover + next.value;
    const out: string[][] = [];
    let i = 0;
    const n = text.length;
    let recStart = 0;
    outer: while (i < n) {
      recStart = i;
      const fields: string[] = [];
      for (;;) {
        if (i < n && text.charCodeAt(i) === QUOTE) {
          let j = i + 1;
          let val = '';
          let seg = j;
          for (;;) {
            const q = text.indexOf('"', j);
            if (q < 0) {
              if (!final) break outer;
              throw new AppError('file_unreadable', {
                detail: `CSV 引号未闭合（约第 ${line} 行）/ unclosed quote in CSV (near line ${line})`,
              });
            }
            if (q + 1 >= n && !final) break outer;
            if (q + 1 < n && text.charCodeAt(q + 1) === QUOTE) {
              val += text.slice(seg, q + 1);
              j = q + 2;
              seg = j;
              continue;
            }
            val += text.slice(seg, q);
            i = q + 1;
            break;
          }
          let k = i;
          while (k < n) {
            const c = text.charCodeAt(k);
            if (c === delim || c === LF || c === CR) break;
            k++;
          }
          if (k === n && !final) break outer;
          fields.push(k > i ? val + text.slice(i, k) : val);
          i = k;
        } else {
          let k = i;
          while (k < n) {
            const c = text.charCodeAt(k);
            if (c === delim || c === LF || c === CR) break;
            k++;
          }
          if (k === n && !final) break outer;
          fields.push(text.slice(i, k));
          i = k;
        }
        if (i >= n) break;
        const c = text.charCodeAt(i);
        if (c === delim) {
          i++;
          continue;
        }
        if (c === CR) {
          if (i + 1 >= n && !final) break outer;
          i += i + 1 < n && text.charCodeAt(i + 1) === LF ? 2 : 1;
        } else i++;
        break;
      }
      out.push(fields);
      line++;
      recStart = i;
    }
    leftover = i >= n && recStart >= n ? '' : text.slice(recStart);
    waitFor = out.length === 0 ? 2 * text.length : 0;
    if (final) leftover = '';
    if (out.length) yield out;
    if (!final) next = await it.next();
  }
}
