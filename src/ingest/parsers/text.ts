import fs from 'node:fs';
import { AppError } from '../../shared/errors.ts';

/**
 * Text decoding for CSV / NDJSON / JSON uploads. Detected from the first chunk:
 * a BOM (UTF-8, UTF-16LE/BE) wins; otherwise the chunk is tried as strict UTF-8 and, failing that,
 * decoded as GB18030 (a superset of GBK and GB2312, what Chinese Excel and WPS save as “CSV”).
 * Node 24 ships full ICU, so `TextDecoder('gb18030')` is built in.
 */

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export interface DetectedEncoding {
  encoding: TextEncodingName;
  bomLength: number;
}

/** Bytes that never occur in text (NUL and most C0 controls): a binary file, not a table. */
function looksBinary(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let bad = 0;
  for (const b of head) {
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b)) bad++;
  }
  return bad > 0 && bad / head.length > 0.002;
}

export function detectEncoding(head: Uint8Array): DetectedEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  if (looksBinary(head)) {
    throw new AppError('file_unreadable', {
      detail: '不是文本文件（含二进制内容）/ not a text file (binary content)',
    });
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return { encoding: 'utf-8', bomLength: 0 };
  } catch {
    return { encoding: 'gb18030', bomLength: 0 };
  }
}

/** Streams a text file as decoded string chunks (about 256 KiB each). */
export async function* readText(path: string, head: Uint8Array): AsyncGenerator<string> {
  const { encoding, bomLength } = detectEncoding(head);
  // UTF-8 is decoded strictly: a file that turns out not to be UTF-8 after its first 64 KiB is
  // refused rather than stored with replacement characters.
  const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
  const stream = fs.createReadStream(path, { start: bomLength, highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const s = decode(decoder, chunk, true);
      if (s) yield s;
    }
    const tail = decode(decoder, undefined, false);
    if (tail) yield tail;
  } finally {
    stream.destroy();
  }
}

function decode(decoder: TextDecoder, chunk: Buffer | undefined, stream: boolean): string {
  try {
    return decoder.decode(chunk, { stream });
  } catch {
    throw new AppError('file_unreadable', {
      detail:
        '文件编码不一致（开头为 UTF-8，后文不是）/ inconsistent encoding (starts as UTF-8, later bytes are not)',
    });
  }
}
