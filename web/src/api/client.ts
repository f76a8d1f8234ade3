/**
 * The one way the web app talks to the API. Errors arrive as RFC 9457 problem+json with
 * `code` and `message.zh` / `message.en`; they become ApiError so every page can show them in the
 * user's language. Network failures and non-JSON answers become ApiError too: nothing fails silently.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly zh: string;
  readonly en: string;
  readonly requestId: string | undefined;
  readonly body: Record<string, unknown>;

  constructor(status: number, code: string, zh: string, en: string, body: Record<string, unknown> = {}) {
    super(en);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.zh = zh;
    this.en = en;
    this.body = body;
    this.requestId = typeof body.requestId === 'string' ? body.requestId : undefined;
  }

  /** Per-field errors (`errors: [{ field, message }]`) when the API sent them. */
  get fieldErrors(): FieldProblem[] {
    const errs = this.body.errors;
    if (!Array.isArray(errs)) return [];
    return errs.filter(
      (e): e is FieldProblem =>
        typeof e === 'object' && e !== null && typeof (e as FieldProblem).field === 'string',
    );
  }

  /** The endpoint is not there (yet): the page shows "not available yet" rather than an error. */
  get isMissingEndpoint(): boolean {
    return this.code === 'route_not_found';
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  /** A plain object is sent as JSON; FormData as multipart; a string with `contentType` as is. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

/** Session token, when the login answer carries one (cookies are sent as well). */
const tokenKey = 'xinrong.token';

export function setSessionToken(token: string | undefined): void {
  try {
    if (token) sessionStorage.setItem(tokenKey, token);
    else sessionStorage.removeItem(tokenKey);
  } catch {
    // storage disabled: the session cookie still works
  }
}

export function authHeaders(): Record<string, string> {
  try {
    const token = sessionStorage.getItem(tokenKey);
    return token ? { authorization: `Bearer ${token}` } : {};
  } catch {
    return {};
  }
}

/** Turns a failed response into an ApiError, reading problem+json when present. */
export async function problemFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  return problemFromText(res.status, text);
}

export function problemFromText(status: number, text: string): ApiError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's HTML error page, for example)
  }
  const message = body.message as { zh?: string; en?: string } | undefined;
  const code = typeof body.code === 'string' ? body.code : `http_${status}`;
  const zh = message?.zh ?? (typeof body.title === 'string' ? body.title : `请求失败（HTTP ${status}）`);
  const en =
    message?.en ?? (typeof body.detail === 'string' ? body.detail : `Request failed (HTTP ${status})`);
  return new ApiError(status, code, zh, en, body);
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (typeof opts.body === 'string' && opts.contentType) {
    headers['content-type'] = opts.contentType;
    body = opts.body;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method: opts.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(
      0,
      'network',
      '无法连接服务器，请检查网络',
      'Cannot reach the server; check the network',
    );
  }
  if (!res.ok) throw await problemFromResponse(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return (await res.text()) as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body: body ?? {} }),
  put: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PUT', body: body ?? {} }),
  patch: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PATCH', body: body ?? {} }),
  del: <T>(path: string, body?: unknown) => request<T>(path, { method: 'DELETE', body }),
};

/**
 * Downloads a file through fetch (so session headers and problem+json errors apply) and saves it
 * with the server's file name.
 */
export async function download(path: string, fallbackName: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { headers: authHeaders(), credentials: 'same-origin' });
  } catch {
    throw new ApiError(
      0,
      'network',
      '无法连接服务器，请检查网络',
      'Cannot reach the server; check the network',
    );
  }
  if (!res.ok) throw await problemFromResponse(res);
  const blob = await res.blob();
  const disposition = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  const name = star?.[1] ? decodeURIComponent(star[1]) : (plain?.[1] ?? fallbackName);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Multipart upload with progress events (fetch cannot report upload progress; XMLHttpRequest can).
 */
export function uploadWithProgress<T>(
  path: string,
  form: FormData,
  onProgress: (p: UploadProgress) => void,
): { promise: Promise<T>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.setRequestHeader('accept', 'application/json');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress({ loaded: e.loaded, total: e.total });
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(problemFromText(xhr.status, xhr.responseText));
        }
      } else reject(problemFromText(xhr.status, xhr.responseText));
    };
    xhr.onerror = () =>
      reject(
        new ApiError(0, 'network', '上传失败：无法连接服务器', 'Upload failed: cannot reach the server'),
      );
    xhr.onabort = () => reject(new ApiError(0, 'aborted', '上传已取消', 'Upload cancelled'));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
