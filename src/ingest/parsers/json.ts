import { decimalKey, shownValue } from '../validate.ts';
import { AppError } from '../../shared/errors.ts';
import type { HeaderMatcher } from '../headers.ts';
import { readText } from './text.ts';
import type { ParsedRow, ParseEvents } from './types.ts';

/**
 * JSON uploads: NDJSON (one object per line; row = line number) and JSON (an array of objects, or
 * `{ "rows": [...] }`; row = position of the object in the array, from 1). The JSON text is scanned
 * incrementally and each object parsed on its own, so a file of millions of rows streams.
 */

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/** A number as its source text when its double is not what was written (1e400, 12345678901234567890). */
const keepInexact: Reviver = (_key, value, context) =>
  typeof value === 'number' &&
  context?.source !== undefined &&
  decimalKey(context.source) !== decimalKey(String(value))
    ? context.source
    : value;

/**
 * A JSON request body with each number a double does not represent exactly kept as its source text
 * (the records API). `parsed` is the body as JSON.parse read it; the text is parsed again only when
 * it holds a long digit run or an exponent.
 */
export function withExactNumbers(text: string, parsed: unknown): unknown {
  return /\d{16}|\d[eE]/.test(text)
    ? (JSON.parse as (text: string, reviver: Reviver) => unknown)(text, keepInexact)
    : parsed;
}

/** Whether a parsed number may be a rounded one: infinite, or 16 or more significant digits. */
function mayBeRounded(v: number): boolean {
  if (Number.isSafeInteger(v)) return false;
  if (!Number.isFinite(v)) return true;
  return (
    String(v)
      .replace(/e.*$|[-.]/g, '')
      .replace(/^0+/, '').length >= 16
  );
}

/**
 * JSON.parse, numbers as sent. JSON.parse rounds every number to a double, so a code sent as a number
 * (12345678901234567890123) would be kept as 1.2345678901234568e+22 and an amount silently altered.
 * When a top-level value looks rounded, the text is parsed again with each number's source text (a
 * reviver, several times slower, hence only then) and an inexact number is kept as its text: a text
 * field stores the digits as sent, a number field refuses it (rule precision). Digits beyond a
 * double's precision that round to a short number (0.1000000000000000000001) are not detected.
 */
function parseExact(text: string): unknown {
  const v: unknown = JSON.parse(text);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  for (const x of Object.values(v)) {
    if (typeof x === 'number' && mayBeRounded(x)) {
      return (JSON.parse as (text: string, reviver: Reviver) => unknown)(text, keepInexact);
    }
  }
  return v;
}

/**
 * A nested value (object or array) as its JSON text. JSON.parse reads any depth, but JSON.stringify
 * overflows the stack past a few thousand levels (a RangeError, which would be a 500).
 */
function nestedText(row: number, key: string, v: object): string {
  try {
    return JSON.stringify(v);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const shown = shownValue(key)!;
    throw new AppError('file_unreadable', {
      detail: `第 ${row} 行“${shown}”的值嵌套层数过多 / row ${row}: the value of "${shown}" is nested too deeply`,
    });
  }
}

function keyMapper(matcher: HeaderMatcher, events: ParseEvents) {
  const cache = new Map<string, string | null>();
  let first = true;
  return (row: number, obj: unknown): ParsedRow => {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new AppError('file_unreadable', {
        detail: `第 ${row} 行不是 JSON 对象 / row ${row} is not a JSON object`,
      });
    }
    const values: Record<string, unknown> = {};
    const unknown: string[] = [];
    const present = new Set<string>();
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      let code = cache.get(k);
      if (code === undefined) {
        code = matcher.resolve(k) ?? null;
        cache.set(k, code);
        if (code === null) {
          unknown.push(k);
          const shown = shownValue(k)!; // cut to 200 characters, like values
          events.onWarning?.({
            row,
            field: shown,
            rule: 'unknown_column',
            value: null,
            message: {
              zh: `未知字段“${shown}”不属于该信息项，已忽略`,
              en: `unknown field "${shown}" is not part of this kind and was ignored`,
            },
          });
        }
      }
      if (code === null) continue;
      present.add(code);
      if (v !== undefined && v !== null && v !== '') {
        values[code] = typeof v === 'object' ? nestedText(row, k, v) : v;
      }
    }
    if (first) {
      first = false;
      events.onFirstObject?.(row, present, unknown);
    }
    return { row, values };
  };
}

export async function* ndjsonRows(
  path: string,
  head: Uint8Array,
  matcher: HeaderMatcher,
  events: ParseEvents,
): AsyncGenerator<ParsedRow> {
  const map = keyMapper(matcher, events);
  let line = 0;
  let rest = '';
  let any = false;
  const handle = function* (text: string): Generator<ParsedRow> {
    line++;
    const t = text.trim();
    if (!t) return;
    let obj: unknown;
    try {
      obj = parseExact(t);
    } catch {
      throw new AppError('file_unreadable', {
        detail: `第 ${line} 行不是有效的 JSON / line ${line} is not valid JSON`,
      });
    }
    any = true;
    yield map(line, obj);
  };
  for await (const chunk of readText(path, head)) {
    // A line longer than a chunk is only collected until its end arrives: splitting the growing
    // text at every chunk would take quadratic time (minutes for a 100 MB line).
    if (!chunk.includes('\n')) {
      rest += chunk;
      continue;
    }
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const p of parts) yield* handle(p);
  }
  if (rest) yield* handle(rest);
  if (!any) throw new AppError('file_empty');
}

/** Finds the elements of the top-level array (or of the `rows` array of a top-level object). */
export async function* jsonRows(
  path: string,
  head: Uint8Array,
  matcher: HeaderMatcher,
  events: ParseEvents,
): AsyncGenerator<ParsedRow> {
  const map = keyMapper(matcher, events);
  // Scanner state.
  let depth = 0;
  let inString = false;
  let escaped = false;
  let arrayDepth = -1; // depth inside the rows array
  let started = false; // saw the first non-space character
  let topIsObject = false;
  let lastKey = ''; // last string seen at depth 1 (a key of the top-level object)
  let strBuf = '';
  let collectingKey = false;
  let elem: string[] = [];
  let elemStart = -1;
  let index = 0;
  let done = false;
  let pos = 0;

  const bad = (what: string) =>
    new AppError('file_unreadable', {
      detail: `JSON 格式错误（第 ${pos} 个字符附近）：${what} / malformed JSON near character ${pos}: ${what}`,
    });

  for await (const chunk of readText(path, head)) {
    elemStart = arrayDepth >= 0 && depth >= arrayDepth + 1 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++, pos++) {
      const ch = chunk[i]!;
      if (inString) {
        if (collectingKey) strBuf += ch;
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') {
          inString = false;
          if (collectingKey) {
            collectingKey = false;
            lastKey = strBuf.slice(0, -1);
          }
        }
        continue;
      }
      if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') continue;
      if (done) {
        // After the rows, the text is scanned to its end: only the rest of the top-level object (any
        // member but a second "rows") and then whitespace may follow. Anything else (a second array
        // of a concatenated export) would otherwise be dropped without a word.
        if (depth === 0) throw bad('数据数组结束后还有其他内容 / more content after the rows array');
        if (ch === '"') {
          inString = true;
          if (depth === 1) {
            collectingKey = true;
            strBuf = '';
          }
        } else if (ch === ':' && depth === 1 && lastKey === 'rows') {
          throw bad('重复的 rows 数组 / a second "rows" member');
        } else if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') depth--;
        continue;
      }
      if (!started) {
        started = true;
        if (ch === '[') {
          depth = 1;
          arrayDepth = 1;
          continue;
        }
        if (ch === '{') {
          depth = 1;
          topIsObject = true;
          continue;
        }
        throw bad('应为数组或对象 / expected an array or an object');
      }
      if (ch === '"') {
        inString = true;
        if (topIsObject && depth === 1 && arrayDepth < 0) {
          collectingKey = true;
          strBuf = '';
        }
        continue;
      }
      if (ch === '{' || ch === '[') {
        if (arrayDepth < 0 && topIsObject && depth === 1 && ch === '[' && lastKey === 'rows') {
          depth++;
          arrayDepth = depth;
          continue;
        }
        depth++;
        if (arrayDepth > 0 && depth === arrayDepth + 1) {
          elem = [];
          elemStart = i;
        }
        continue;
      }
      if (ch === '}' || ch === ']') {
        if (arrayDepth > 0 && depth === arrayDepth + 1) {
          elem.push(chunk.slice(Math.max(elemStart, 0), i + 1));
          const text = elem.join('');
          elem = [];
          elemStart = -1;
          depth--;
          let obj: unknown;
          try {
            obj = parseExact(text);
          } catch {
            throw bad(`第 ${index + 1} 个对象无法解析 / object ${index + 1} cannot be parsed`);
          }
          index++;
          yield map(index, obj);
          continue;
        }
        if (arrayDepth > 0 && depth === arrayDepth && ch === ']') {
          done = true;
          depth--;
          continue;
        }
        depth--;
        if (depth < 0) throw bad('括号不匹配 / unbalanced brackets');
        continue;
      }
      if (arrayDepth > 0 && depth === arrayDepth && ch !== ',') {
        throw bad('数组元素应为对象 / array elements must be objects');
      }
    }
    if (!done && arrayDepth > 0 && depth >= arrayDepth + 1) {
      elem.push(chunk.slice(Math.max(elemStart, 0)));
    }
  }
  if (!started) throw new AppError('file_empty');
  if (arrayDepth < 0) throw bad('未找到 rows 数组 / no "rows" array found');
  if (!done) throw bad('文件不完整 / the file is truncated');
  if (index === 0) throw new AppError('file_empty');
}
