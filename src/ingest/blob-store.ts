import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../shared/errors.ts';

/**
 * Raw uploads, kept as received under DATA_DIR/blobs/, named by their SHA-256 (content-addressed:
 * the same file sent twice is stored once). SHA-256 and SM3 (GB/T 32905-2016, the 商用密码 hash)
 * digests are computed while the bytes stream to disk, so nothing is held in memory.
 */

export interface StoredBlob {
  /** Absolute path of the stored file. */
  path: string;
  /** Path relative to DATA_DIR (what `batches.blob_path` records). */
  relativePath: string;
  sha256: string;
  sm3: string;
  byteSize: number;
  /** The first bytes (up to 64 KiB), for format sniffing. */
  head: Buffer;
}

function humanBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MiB` : `${Math.round(n / 1024)} KiB`;
}

export function tooLarge(limitBytes: number): AppError {
  return new AppError('payload_too_large', { limit: humanBytes(limitBytes) }, { limitBytes });
}

/** Streams `source` (bytes or text chunks) into the blob store; 413 past `limitBytes`. */
export async function storeBlob(
  dataDir: string,
  source: AsyncIterable<Buffer | Uint8Array | string> | Readable,
  limitBytes: number,
): Promise<StoredBlob> {
  const dir = path.join(dataDir, 'blobs');
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.upload-${process.pid}-${randomBytes(6).toString('hex')}`);
  const sha = createHash('sha256');
  const sm3 = createHash('sm3');
  const out = fs.createWriteStream(tmp);
  let size = 0;
  const headParts: Buffer[] = [];
  let headSize = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer | Uint8Array | string>) {
      const buf =
        typeof chunk === 'string'
          ? Buffer.from(chunk, 'utf8')
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      size += buf.length;
      if (size > limitBytes) throw tooLarge(limitBytes);
      sha.update(buf);
      sm3.update(buf);
      if (headSize < 65536) {
        headParts.push(buf.subarray(0, 65536 - headSize));
        headSize += Math.min(buf.length, 65536 - headSize);
      }
      if (!out.write(buf)) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  } catch (e) {
    out.destroy();
    await fs.promises.rm(tmp, { force: true });
    // Drain what is left of an HTTP body so the client receives our answer.
    if (typeof (source as Readable).resume === 'function') (source as Readable).resume();
    // @fastify/multipart stops a file at its size limit with this error.
    if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(limitBytes);
    // The client broke off the upload: the batch is rejected as an incomplete file, not an internal error.
    const code = (e as { code?: string }).code;
    if (code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      throw new AppError('file_unreadable', {
        detail: '上传中断，文件不完整 / the upload was interrupted: the file is incomplete',
      });
    }
    throw e;
  }
  const sha256 = sha.digest('hex');
  const finalPath = path.join(dir, sha256);
  if (fs.existsSync(finalPath)) await fs.promises.rm(tmp, { force: true });
  else await fs.promises.rename(tmp, finalPath);
  return {
    path: finalPath,
    relativePath: path.join('blobs', sha256),
    sha256,
    sm3: sm3.digest('hex'),
    byteSize: size,
    head: Buffer.concat(headParts),
  };
}
