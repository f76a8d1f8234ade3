import { inflateSync } from 'node:zlib';

/**
 * A small PDF reader for the verifier: objects, streams (FlateDecode), the page tree, embedded files and
 * the text drawn on each page (Type0/Identity-H fonts decoded through their ToUnicode maps), with text
 * inside `/Artifact` marked content kept apart. It reads what our renderer writes (pdfkit, classic
 * cross-reference tables, no object streams) and any later incremental update appended to it (a later
 * definition of an object wins, as in every PDF reader). It is not a general PDF parser.
 */

type Obj = null | boolean | number | string | Name | Ref | Obj[] | Dict | Hex;
interface Name {
  name: string;
}
interface Ref {
  ref: number;
}
interface Hex {
  hex: Buffer;
}
type Dict = { dict: Map<string, Obj> };

interface PdfObject {
  value: Obj;
  stream?: Buffer;
}

export class PdfReadError extends Error {}

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

class Lexer {
  readonly buf: Buffer;
  pos: number;
  constructor(buf: Buffer, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }
  skipWs() {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (WS.has(c)) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else break;
    }
  }
  /** Next token: a value, or an operator/keyword as { op }. */
  next(): Obj | { op: string } | undefined {
    this.skipWs();
    const b = this.buf;
    if (this.pos >= b.length) return undefined;
    const c = b[this.pos]!;
    if (c === 0x2f) {
      // name
      let e = this.pos + 1;
      while (e < b.length && !WS.has(b[e]!) && !DELIM.has(b[e]!)) e++;
      const raw = b.toString('latin1', this.pos + 1, e);
      this.pos = e;
      return {
        name: raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      };
    }
    if (c === 0x28) return { hex: this.literal() };
    if (c === 0x3c) {
      if (b[this.pos + 1] === 0x3c) {
        this.pos += 2;
        return this.dict();
      }
      const e = b.indexOf(0x3e, this.pos);
      if (e < 0) throw new PdfReadError('unterminated hex string');
      const hex = b.toString('latin1', this.pos + 1, e).replace(/\s+/g, '');
      this.pos = e + 1;
      return { hex: Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex') };
    }
    if (c === 0x5b) {
      this.pos++;
      const arr: Obj[] = [];
      for (;;) {
        this.skipWs();
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        const v = this.value();
        arr.push(v);
      }
    }
    if (c === 0x5d || c === 0x3e || c === 0x7b || c === 0x7d || c === 0x29) {
      this.pos++;
      return { op: String.fromCharCode(c) };
    }
    let e = this.pos;
    while (e < b.length && !WS.has(b[e]!) && !DELIM.has(b[e]!)) e++;
    if (e === this.pos) e++;
    const tok = b.toString('latin1', this.pos, e);
    this.pos = e;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(tok)) return Number(tok);
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok === 'null') return null;
    return { op: tok };
  }
  /** A value, resolving `n g R` references. */
  value(): Obj {
    const t = this.next();
    if (t === undefined) throw new PdfReadError('unexpected end of data');
    if (typeof t === 'object' && t !== null && 'op' in t) throw new PdfReadError(`unexpected ${t.op}`);
    if (typeof t === 'number' && Number.isInteger(t)) {
      const save = this.pos;
      const g = this.next();
      const r = this.next();
      if (typeof g === 'number' && r && typeof r === 'object' && 'op' in r && r.op === 'R') return { ref: t };
      this.pos = save;
    }
    return t;
  }
  dict(): Dict {
    const m = new Map<string, Obj>();
    for (;;) {
      this.skipWs();
      if (this.buf[this.pos] === 0x3e && this.buf[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return { dict: m };
      }
      const k = this.next();
      if (!k || typeof k !== 'object' || !('name' in k)) throw new PdfReadError('bad dictionary key');
      m.set(k.name, this.value());
    }
  }
  literal(): Buffer {
    const b = this.buf;
    this.pos++;
    const out: number[] = [];
    let depth = 1;
    while (this.pos < b.length) {
      const c = b[this.pos++]!;
      if (c === 0x5c) {
        const n = b[this.pos++]!;
        const map: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12 };
        if (map[n] !== undefined) out.push(map[n]);
        else if (n >= 0x30 && n <= 0x37) {
          let s = String.fromCharCode(n);
          while (s.length < 3 && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37) {
            s += String.fromCharCode(b[this.pos++]!);
          }
          out.push(parseInt(s, 8) & 0xff);
        } else if (n === 0x0d) {
          if (b[this.pos] === 0x0a) this.pos++;
        } else if (n !== 0x0a) out.push(n);
      } else if (c === 0x28) {
        depth++;
        out.push(c);
      } else if (c === 0x29) {
        if (--depth === 0) break;
        out.push(c);
      } else out.push(c);
    }
    return Buffer.from(out);
  }
}

function isDict(o: Obj | undefined): o is Dict {
  return !!o && typeof o === 'object' && 'dict' in o;
}
function nameOf(o: Obj | undefined): string | undefined {
  return o && typeof o === 'object' && 'name' in o ? o.name : undefined;
}

export interface PdfPageText {
  /** Text runs of the page body, in drawing order. */
  body: string[];
  /** Text runs inside /Artifact marked content (header, footer, watermark). */
  artifacts: string[];
}

export interface PdfContents {
  pages: PdfPageText[];
  /** Embedded files by name (the EmbeddedFiles name tree and the catalog's AF array). */
  files: Map<string, Buffer>;
  /** The document information dictionary's Producer (the renderer's identity). */
  producer: string | null;
}

export function readPdf(buf: Buffer): PdfContents {
  if (buf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new PdfReadError('not a PDF file');
  const objects = new Map<number, PdfObject>();
  const text = buf.toString('latin1');
  const re = /(\d+)\s+(\d+)\s+obj\b/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const lx = new Lexer(buf, m.index + m[0].length);
    const value = lx.value();
    lx.skipWs();
    const obj: PdfObject = { value };
    if (text.startsWith('stream', lx.pos)) {
      let start = lx.pos + 6;
      if (buf[start] === 0x0d) start++;
      if (buf[start] === 0x0a) start++;
      const len = isDict(value) ? value.dict.get('Length') : undefined;
      let end: number;
      if (typeof len === 'number') end = start + len;
      else {
        end = text.indexOf('endstream', start);
        if (end < 0) throw new PdfReadError('unterminated stream');
      }
      obj.stream = buf.subarray(start, end);
      re.lastIndex = end;
    } else re.lastIndex = lx.pos;
    objects.set(Number(m[1]), obj);
  }
  const resolve = (o: Obj | undefined): Obj | undefined => {
    let v = o;
    for (let i = 0; i < 32 && v && typeof v === 'object' && 'ref' in v; i++) v = objects.get(v.ref)?.value;
    return v;
  };
  const streamOf = (o: Obj | undefined): Buffer => {
    if (!o || typeof o !== 'object' || !('ref' in o)) throw new PdfReadError('stream is not a reference');
    const obj = objects.get(o.ref);
    if (!obj?.stream || !isDict(obj.value)) throw new PdfReadError(`object ${o.ref} is not a stream`);
    const filter = obj.value.dict.get('Filter');
    const f = nameOf(filter) ?? (Array.isArray(filter) ? nameOf(filter[0]) : undefined);
    if (!f) return obj.stream;
    if (f !== 'FlateDecode') throw new PdfReadError(`unsupported filter ${f}`);
    try {
      return inflateSync(obj.stream);
    } catch {
      throw new PdfReadError(`stream ${o.ref} is damaged`);
    }
  };

  // The catalog: the last /Type /Catalog object (an incremental update may add a newer one).
  let catalog: Dict | undefined;
  for (const o of objects.values()) {
    if (isDict(o.value) && nameOf(o.value.dict.get('Type')) === 'Catalog') catalog = o.value;
  }
  if (!catalog) throw new PdfReadError('no document catalog');

  const files = new Map<string, Buffer>();
  const addSpec = (spec: Obj | undefined, fallback?: string) => {
    const d = resolve(spec);
    if (!isDict(d)) return;
    const nameObj = d.dict.get('UF') ?? d.dict.get('F');
    const name =
      nameObj && typeof nameObj === 'object' && 'hex' in nameObj ? decodePdfString(nameObj.hex) : fallback;
    const ef = resolve(d.dict.get('EF'));
    if (!name || !isDict(ef)) return;
    if (!files.has(name)) files.set(name, streamOf(ef.dict.get('F')));
  };
  const names = resolve(catalog.dict.get('Names'));
  const walkTree = (node: Obj | undefined, depth = 0) => {
    const d = resolve(node);
    if (!isDict(d) || depth > 16) return;
    const arr = resolve(d.dict.get('Names'));
    if (Array.isArray(arr)) {
      for (let i = 0; i + 1 < arr.length; i += 2) {
        const n = arr[i];
        addSpec(arr[i + 1], n && typeof n === 'object' && 'hex' in n ? decodePdfString(n.hex) : undefined);
      }
    }
    const kids = resolve(d.dict.get('Kids'));
    if (Array.isArray(kids)) for (const k of kids) walkTree(k, depth + 1);
  };
  if (isDict(names)) walkTree(names.dict.get('EmbeddedFiles'));
  const af = resolve(catalog.dict.get('AF'));
  if (Array.isArray(af)) for (const s of af) addSpec(s);

  // Pages in order.
  const pages: PdfPageText[] = [];
  const cmaps = new Map<number, Map<number, string>>();
  const fontMap = (ref: Obj | undefined): Map<number, string> => {
    const key = ref && typeof ref === 'object' && 'ref' in ref ? ref.ref : -1;
    const hit = cmaps.get(key);
    if (hit) return hit;
    const font = resolve(ref);
    const map =
      isDict(font) && font.dict.get('ToUnicode')
        ? parseToUnicode(streamOf(font.dict.get('ToUnicode')))
        : new Map<number, string>();
    cmaps.set(key, map);
    return map;
  };
  const walkPages = (node: Obj | undefined, depth = 0) => {
    const d = resolve(node);
    if (!isDict(d) || depth > 32) return;
    const type = nameOf(d.dict.get('Type'));
    if (type === 'Pages') {
      const kids = resolve(d.dict.get('Kids'));
      if (Array.isArray(kids)) for (const k of kids) walkPages(k, depth + 1);
      return;
    }
    const res = resolve(d.dict.get('Resources'));
    const fonts = isDict(res) ? resolve(res.dict.get('Font')) : undefined;
    const contents = d.dict.get('Contents');
    const list = Array.isArray(resolve(contents)) ? (resolve(contents) as Obj[]) : [contents];
    const data = Buffer.concat(list.flatMap((c) => [streamOf(c), Buffer.from('\n')]));
    pages.push(pageText(data, (name) => (isDict(fonts) ? fontMap(fonts.dict.get(name)) : new Map())));
  };
  walkPages(catalog.dict.get('Pages'));
  let producer: string | null = null;
  for (const o of objects.values()) {
    const v = isDict(o.value) ? resolve(o.value.dict.get('Producer')) : undefined;
    if (v && typeof v === 'object' && 'hex' in v) producer = decodePdfString(v.hex);
  }
  return { pages, files, producer };
}

function decodePdfString(b: Buffer): string {
  if (b[0] === 0xfe && b[1] === 0xff) {
    let s = '';
    for (let i = 2; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
    return s;
  }
  return b.toString('latin1');
}

function utf16be(hexText: string): string {
  // pdfkit separates the code units of a multi-character entry (ligatures such as fi) with spaces.
  const b = Buffer.from(hexText.replace(/\s+/g, ''), 'hex');
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  return s;
}

/** bfchar and bfrange entries of a ToUnicode CMap: code → text. */
function parseToUnicode(data: Buffer): Map<number, string> {
  const s = data.toString('latin1');
  const map = new Map<number, string>();
  for (const block of s.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const e of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F\s]*)>/g)) {
      map.set(parseInt(e[1]!, 16), utf16be(e[2]!));
    }
  }
  for (const block of s.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const e of block[1]!.matchAll(
      /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F\s]*>)/g,
    )) {
      const lo = parseInt(e[1]!, 16);
      const hi = parseInt(e[2]!, 16);
      const dst = e[3]!;
      if (dst.startsWith('[')) {
        const items = [...dst.matchAll(/<([0-9a-fA-F\s]*)>/g)].map((x) => utf16be(x[1]!));
        for (let c = lo; c <= hi && c - lo < items.length; c++) map.set(c, items[c - lo]!);
      } else {
        const base = dst.slice(1, -1).replace(/\s+/g, '');
        const b = Buffer.from(base, 'hex');
        for (let c = lo; c <= hi; c++) {
          const x = Buffer.from(b);
          const add = c - lo;
          x[x.length - 1] = (x[x.length - 1]! + add) & 0xff;
          map.set(c, utf16be(x.toString('hex')));
        }
      }
    }
  }
  return map;
}

/** Text runs of one page's content: Tj/TJ/'/" strings decoded with the current font's map. */
function pageText(data: Buffer, fontFor: (name: string) => Map<number, string>): PdfPageText {
  const lx = new Lexer(data);
  const out: PdfPageText = { body: [], artifacts: [] };
  const stack: Obj[] = [];
  const marks: boolean[] = [];
  let map = new Map<number, string>();
  const decode = (b: Buffer) => {
    let s = '';
    for (let i = 0; i + 1 < b.length; i += 2) {
      const code = (b[i]! << 8) | b[i + 1]!;
      s += map.get(code) ?? '\uFFFD';
    }
    return s;
  };
  const emit = (s: string) => {
    if (!s) return;
    (marks.includes(true) ? out.artifacts : out.body).push(s);
  };
  for (;;) {
    let t: ReturnType<Lexer['next']>;
    try {
      t = lx.next();
    } catch (e) {
      throw e instanceof PdfReadError ? e : new PdfReadError('damaged page content');
    }
    if (t === undefined) break;
    if (t && typeof t === 'object' && 'op' in t) {
      switch (t.op) {
        case 'Tf':
          map = fontFor(nameOf(stack[stack.length - 2]) ?? '');
          break;
        case 'Tj':
        case "'":
        case '"': {
          const s = stack[stack.length - 1];
          if (s && typeof s === 'object' && 'hex' in s) emit(decode(s.hex));
          break;
        }
        case 'TJ': {
          const a = stack[stack.length - 1];
          if (Array.isArray(a)) {
            emit(a.map((x) => (x && typeof x === 'object' && 'hex' in x ? decode(x.hex) : '')).join(''));
          }
          break;
        }
        case 'BMC':
        case 'BDC': {
          const tag = nameOf(stack[t.op === 'BMC' ? stack.length - 1 : stack.length - 2]);
          marks.push(tag === 'Artifact');
          break;
        }
        case 'EMC':
          marks.pop();
          break;
        case 'BI': {
          // Inline image: skip to EI.
          const e = data.indexOf('EI', lx.pos);
          lx.pos = e < 0 ? data.length : e + 2;
          break;
        }
      }
      stack.length = 0;
    } else stack.push(t);
  }
  return out;
}
