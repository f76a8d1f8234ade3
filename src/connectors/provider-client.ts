import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import {
  canonicalRequest,
  emptyBodySha256,
  headerSafe,
  hmacSign,
  xinrongHeaders,
  type SignatureAlgorithm,
} from './signing.ts';

/**
 * One HTTP attempt against a provider's interface, with node:http(s) over keep-alive agents: the
 * X-Xinrong headers, optional bearer or HMAC authentication, a hard timeout covering connect, headers
 * and body, a body size cap, and a classification of every way it can go wrong. It never throws.
 */

export interface InterfaceEndpoint {
  baseUrl: string;
  authType: 'none' | 'bearer' | 'hmac';
  authKeyId: string | null;
  authSecret: string | null;
  signatureAlgorithm: SignatureAlgorithm;
  timeoutMs: number;
}

export interface CallIdentity {
  /** The platform (X-Road-Client). */
  client: string;
  requestId: string;
  /** Consent id (X-Road-Issue), or `self:<uscc>` when the subject asks about itself. */
  issue: string;
  purpose: string;
  /** Who asked (X-Road-UserId). */
  user: string;
}

export type FailureCode =
  'timeout' | 'connection' | 'http_5xx' | 'http_4xx' | 'http_other' | 'malformed' | 'too_large';

export type AttemptOutcome =
  | { ok: true; httpStatus: number; body: Buffer; json: unknown; latencyMs: number }
  | {
      ok: false;
      code: FailureCode;
      httpStatus: number | null;
      /** What came back, when anything did (its digest is logged). */
      body: Buffer | null;
      detail: string;
      /** Worth another attempt: the failure may be transient and the call is idempotent (GET). */
      retryable: boolean;
      /** Counts against the provider's circuit breaker (the provider, not our request, is at fault). */
      breakerFailure: boolean;
      latencyMs: number;
    };

/** Largest response accepted, bytes: a subject's answer for one kind is a few KB. */
export const defaultMaxBodyBytes = 2 * 1024 * 1024;

export function requestUrl(baseUrl: string, uscc: string): URL {
  const url = new URL(baseUrl);
  url.searchParams.set('uscc', uscc);
  return url;
}

export function buildHeaders(
  endpoint: InterfaceEndpoint,
  url: URL,
  kind: string,
  id: CallIdentity,
  now: Date = new Date(),
): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    [xinrongHeaders.client]: headerSafe(id.client),
    [xinrongHeaders.requestId]: id.requestId,
    [xinrongHeaders.issue]: headerSafe(id.issue),
    [xinrongHeaders.purpose]: headerSafe(id.purpose),
    [xinrongHeaders.user]: headerSafe(id.user),
    [xinrongHeaders.kind]: kind,
  };
  if (endpoint.authType === 'bearer' && endpoint.authSecret) {
    headers.authorization = `Bearer ${endpoint.authSecret}`;
  } else if (endpoint.authType === 'hmac' && endpoint.authSecret) {
    const timestamp = now.toISOString();
    const nonce = randomBytes(16).toString('hex');
    const canonical = canonicalRequest({
      method: 'GET',
      pathAndQuery: url.pathname + url.search,
      timestamp,
      nonce,
      client: headers[xinrongHeaders.client]!,
      requestId: id.requestId,
      issue: headers[xinrongHeaders.issue]!,
      purpose: headers[xinrongHeaders.purpose]!,
      bodySha256: emptyBodySha256,
    });
    headers[xinrongHeaders.keyId] = endpoint.authKeyId ?? '';
    headers[xinrongHeaders.timestamp] = timestamp;
    headers[xinrongHeaders.nonce] = nonce;
    headers[xinrongHeaders.signatureAlgorithm] = endpoint.signatureAlgorithm;
    headers[xinrongHeaders.signature] = hmacSign(endpoint.signatureAlgorithm, endpoint.authSecret, canonical);
  }
  return headers;
}

/**
 * Keep-alive agents, one per scheme, shared by every interface: a pull's six calls reuse warm
 * connections instead of a TCP (and TLS) handshake each. node:http rather than the built-in fetch:
 * the same call cost about a third of fetch's CPU (web streams, Request/Response objects), which
 * matters at 50 pulls in flight (bench:pull, docs/decisions/0063). LIFO keeps the fewest sockets warm.
 */
const agents = {
  http: new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
};

interface RawResponse {
  status: number;
  contentType: string;
  body: Buffer | 'too_large';
}

/** One GET; resolves with the status and the body (capped), rejects on connection errors or abort. */
function get(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
  max: number,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).request(
      url,
      { method: 'GET', headers, agent: secure ? agents.https : agents.http, signal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (body: Buffer | 'too_large') =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body,
          });
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) {
            // Stop reading and drop the connection (it still has an unread body).
            res.destroy();
            done('too_large');
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => done(Buffer.concat(chunks, size)));
        res.on('error', reject);
        // Closed before the end of the body (reset, abort): a connection failure, not an answer.
        res.on('close', () => {
          if (!res.complete) reject(new Error('response closed before its end'));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function connectionDetail(e: unknown): string {
  const err = e as { code?: string; cause?: { code?: string; message?: string } };
  return err.code ?? err.cause?.code ?? err.cause?.message ?? (e instanceof Error ? e.message : String(e));
}

/** Makes one attempt. `signal` (the caller's) can cut it short; the endpoint's timeout always does. */
export async function callInterface(
  endpoint: InterfaceEndpoint,
  kind: string,
  uscc: string,
  id: CallIdentity,
  opts: { signal?: AbortSignal; maxBodyBytes?: number } = {},
): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // The timeout aborts one event-loop turn late (setImmediate): timers run before I/O polling, so after
  // the loop was busy (a long query on embedded PGlite) an answer already waiting in the socket is read
  // before the call is declared timed out, instead of being thrown away.
  const timeoutController = new AbortController();
  const timer = setTimeout(
    () => setImmediate(() => timeoutController.abort(new DOMException('timed out', 'TimeoutError'))),
    endpoint.timeoutMs,
  );
  const timeout = timeoutController.signal;
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const maxBody = opts.maxBodyBytes ?? defaultMaxBodyBytes;
  const fail = (
    code: FailureCode,
    detail: string,
    extra: { httpStatus?: number; body?: Buffer | null } = {},
  ): AttemptOutcome => {
    const retryable = code === 'timeout' || code === 'connection' || code === 'http_5xx';
    return {
      ok: false,
      code,
      httpStatus: extra.httpStatus ?? null,
      body: extra.body ?? null,
      detail,
      retryable,
      breakerFailure: retryable || code === 'malformed' || code === 'too_large',
      latencyMs: elapsed(),
    };
  };

  let url: URL;
  try {
    url = requestUrl(endpoint.baseUrl, uscc);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    return fail('connection', 'invalid base URL');
  }
  try {
    // Redirects are never followed (node:http does not): a 3xx could carry the consent reference
    // to another host, and is reported as an error below.
    const res = await get(url, buildHeaders(endpoint, url, kind, id), signal, maxBody);
    const body = res.body;
    if (body === 'too_large') return fail('too_large', `body over ${maxBody} bytes`);
    const status = res.status;
    if (status >= 500) return fail('http_5xx', `HTTP ${status}`, { httpStatus: status, body });
    if (status >= 400) return fail('http_4xx', `HTTP ${status}`, { httpStatus: status, body });
    if (status < 200 || status >= 300) {
      return fail('http_other', `HTTP ${status}`, { httpStatus: status, body });
    }
    if (/html|xml/i.test(res.contentType)) {
      return fail('malformed', `content-type ${res.contentType.split(';')[0]}, not JSON`, {
        httpStatus: status,
        body,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (e) {
      return fail('malformed', `invalid JSON: ${(e as Error).message}`, { httpStatus: status, body });
    }
    return { ok: true, httpStatus: status, body, json, latencyMs: elapsed() };
  } catch (e) {
    if (timeout.aborted) return fail('timeout', `no answer within ${endpoint.timeoutMs} ms`);
    if (opts.signal?.aborted) {
      // The caller gave up (client disconnected): not the provider's fault, nothing to retry.
      return {
        ...(fail('timeout', 'cancelled by the caller') as AttemptOutcome & { ok: false }),
        retryable: false,
        breakerFailure: false,
      };
    }
    return fail('connection', connectionDetail(e));
  } finally {
    clearTimeout(timer);
  }
}
