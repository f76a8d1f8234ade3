import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CatalogDocument, CatalogKind } from '../../catalog/catalog.schema.ts';
import {
  emptyBodySha256,
  hmacVerify,
  signatureAlgorithms,
  xinrongHeaders,
  type SignatureAlgorithm,
} from '../signing.ts';
import { sandboxRecords, wrongSchemaRecords } from './sandbox.data.ts';

/**
 * The reference provider (`xinrong sandbox-provider`): a real HTTP server that answers the platform's
 * interface calls for every pull kind of a catalog, with deterministic data, and that can be told at
 * runtime to misbehave (`POST /_control`). Used by the demo, the tests and the benchmark.
 *
 *   GET  /kinds/:kind?uscc=…  → 200 {kind, uscc, records:[…]}  (the interface contract, decision 0061)
 *   GET  /_health             → 200 {status:'ok', mode, kinds}
 *   GET  /_control            → the current behaviour;  POST /_control {mode?, latencyMs?, failRate?, slowMs?}
 *   GET  /_log                → recent calls with server-side timestamps and the X-Xinrong headers
 *   DELETE /_log              → clears it
 */

export const sandboxModes = ['ok', 'slow', 'fail', 'malformed', 'html', 'wrong-schema'] as const;
export type SandboxMode = (typeof sandboxModes)[number];

export interface SandboxControl {
  mode: SandboxMode;
  /** Added to every data answer, ms. */
  latencyMs: number;
  /** Extra delay in `slow` mode, ms (long enough to exceed any sane timeout). */
  slowMs: number;
  /** Fraction (0–1) of data calls answered 503 even in `ok` mode; drawn from a seeded generator. */
  failRate: number;
}

export interface SandboxOptions {
  catalog: Pick<CatalogDocument, 'kinds'>;
  port?: number;
  /** Loopback by default: the sandbox is for demos and tests. */
  host?: string;
  control?: Partial<SandboxControl>;
  /** When set, calls must carry `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** When set, calls must carry a valid X-Xinrong HMAC signature made with this secret. */
  hmacSecret?: string;
  /** Seed of the fail-rate generator. */
  seed?: number;
  /** Do not keep the process alive for this server alone (the demo runs it beside the platform). */
  unref?: boolean;
}

export interface SandboxLogEntry {
  n: number;
  method: string;
  path: string;
  kind: string | null;
  uscc: string | null;
  status: number;
  /** Epoch ms with sub-ms precision, taken on the server. */
  startedAt: number;
  finishedAt: number;
  headers: Record<string, string>;
}

export interface SandboxProvider {
  url: string;
  port: number;
  control: SandboxControl;
  setControl(patch: Partial<SandboxControl>): SandboxControl;
  /** Recent calls (up to 1,000), oldest first. */
  log: SandboxLogEntry[];
  /** Data calls answered so far. */
  readonly calls: number;
  close(): Promise<void>;
}

export const defaultSandboxControl: SandboxControl = {
  mode: 'ok',
  latencyMs: 0,
  slowMs: 30_000,
  failRate: 0,
};

/** mulberry32: a tiny seeded PRNG, so fail-rate runs are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function parseControl(input: unknown, current: SandboxControl): SandboxControl | string {
  if (!input || typeof input !== 'object') return 'body must be a JSON object';
  const b = input as Record<string, unknown>;
  const next = { ...current };
  if (b.mode !== undefined) {
    if (!(sandboxModes as readonly unknown[]).includes(b.mode)) {
      return `mode must be one of ${sandboxModes.join('|')}`;
    }
    next.mode = b.mode as SandboxMode;
  }
  for (const key of ['latencyMs', 'slowMs'] as const) {
    if (b[key] === undefined) continue;
    const v = Number(b[key]);
    if (!Number.isFinite(v) || v < 0) return `${key} must be a number ≥ 0`;
    next[key] = v;
  }
  if (b.failRate !== undefined) {
    const v = Number(b.failRate);
    if (!Number.isFinite(v) || v < 0 || v > 1) return 'failRate must be between 0 and 1';
    next.failRate = v;
  }
  return next;
}

export async function startSandboxProvider(opts: SandboxOptions): Promise<SandboxProvider> {
  const kinds = new Map<string, CatalogKind>();
  for (const k of opts.catalog.kinds) if (k.share_mode !== 'push') kinds.set(k.code, k);
  let control: SandboxControl = { ...defaultSandboxControl, ...opts.control };
  const random = seeded(opts.seed ?? 1);
  const log: SandboxLogEntry[] = [];
  let counter = 0;
  let dataCalls = 0;
  const sockets = new Set<import('node:net').Socket>();

  const server = http.createServer((req, res) => {
    const startedAt = nowMs();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry: SandboxLogEntry = {
        n: ++counter,
        method: req.method ?? 'GET',
        path: url.pathname,
        kind: null,
        uscc: url.searchParams.get('uscc'),
        status: 0,
        startedAt,
        finishedAt: 0,
        headers: {},
      };
      for (const [k, v] of Object.entries(req.headers)) {
        if ((k.startsWith('x-xinrong-') || k === 'authorization') && typeof v === 'string') {
          entry.headers[k] = v;
        }
      }
      const send = (status: number, payload: string, type = 'application/json; charset=utf-8') => {
        if (res.writableEnded || res.destroyed) return;
        entry.status = status;
        entry.finishedAt = nowMs();
        if (url.pathname.startsWith('/kinds/')) {
          log.push(entry);
          if (log.length > 1000) log.shift();
        }
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
      };
      const json = (status: number, value: unknown) => send(status, JSON.stringify(value));
      void handle(url, req, res, body, entry, send, json);
    });
  });

  async function handle(
    url: URL,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: string,
    entry: SandboxLogEntry,
    send: (status: number, payload: string, type?: string) => void,
    json: (status: number, value: unknown) => void,
  ): Promise<void> {
    const path = url.pathname;
    if (path === '/_health') return json(200, { status: 'ok', mode: control.mode, kinds: kinds.size });
    if (path === '/_control') {
      if (req.method === 'GET') return json(200, control);
      if (req.method !== 'POST') return json(405, { error: 'method not allowed' });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body || '{}');
      } catch {
        return json(400, { error: 'body is not JSON' });
      }
      const next = parseControl(parsed, control);
      if (typeof next === 'string') return json(400, { error: next });
      control = next;
      return json(200, control);
    }
    if (path === '/_log') {
      if (req.method === 'DELETE') {
        log.length = 0;
        return json(200, { cleared: true });
      }
      return json(200, log);
    }
    const m = /^\/kinds\/([a-z][a-z0-9_]*)$/.exec(path);
    if (!m || req.method !== 'GET') return json(404, { error: 'no such interface' });
    const kind = kinds.get(m[1]!);
    entry.kind = m[1]!;
    if (!kind) return json(404, { error: `kind ${m[1]} is not served here` });
    if (opts.bearerToken && req.headers.authorization !== `Bearer ${opts.bearerToken}`) {
      return json(401, { error: 'bad bearer token' });
    }
    if (opts.hmacSecret && !verifySignature(req, url, opts.hmacSecret)) {
      return json(401, { error: 'bad signature' });
    }
    const uscc = url.searchParams.get('uscc');
    if (!uscc) return json(400, { error: 'uscc query parameter is required' });
    dataCalls += 1;

    const c = control;
    const delay = c.latencyMs + (c.mode === 'slow' ? c.slowMs : 0);
    if (delay > 0) {
      const aborted = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), delay);
        // 'close' before the answer is written: the caller gave up (timeout); stop working for it.
        res.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (aborted) return;
    }
    if (c.mode === 'fail' || (c.failRate > 0 && random() < c.failRate)) {
      return send(
        503,
        '<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
        'text/html; charset=utf-8',
      );
    }
    if (c.mode === 'malformed') return send(200, `{"kind":"${kind.code}","uscc":"${uscc}","records":[{"`);
    if (c.mode === 'html') {
      return send(
        200,
        '<!DOCTYPE html><html><body>系统维护中 / under maintenance</body></html>',
        'text/html',
      );
    }
    const records = c.mode === 'wrong-schema' ? wrongSchemaRecords(kind, uscc) : sandboxRecords(kind, uscc);
    return json(200, { kind: kind.code, uscc, records });
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  if (opts.unref) server.unref();
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get control() {
      return control;
    },
    setControl(patch) {
      control = { ...control, ...patch };
      return control;
    },
    log,
    get calls() {
      return dataCalls;
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
    },
  };
}

function verifySignature(req: http.IncomingMessage, url: URL, secret: string): boolean {
  const h = (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : '';
  };
  const algorithm = h(xinrongHeaders.signatureAlgorithm) || 'hmac-sha256';
  if (!(signatureAlgorithms as readonly string[]).includes(algorithm)) return false;
  return hmacVerify(
    algorithm as SignatureAlgorithm,
    secret,
    {
      method: req.method ?? 'GET',
      pathAndQuery: url.pathname + url.search,
      timestamp: h(xinrongHeaders.timestamp),
      nonce: h(xinrongHeaders.nonce),
      client: h(xinrongHeaders.client),
      requestId: h(xinrongHeaders.requestId),
      issue: h(xinrongHeaders.issue),
      purpose: h(xinrongHeaders.purpose),
      bodySha256: emptyBodySha256,
    },
    h(xinrongHeaders.signature),
  );
}
