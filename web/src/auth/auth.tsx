import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setSessionToken } from '../api/client.ts';

/** The roles of src/access/actor.ts that have a portal here. */
export type PortalRole = 'enterprise' | 'institution' | 'provider' | 'operator' | 'recommender';

export interface Me {
  role: PortalRole;
  id: string;
  displayName: string;
  username?: string;
  /** enterprise users: the subject they are bound to */
  uscc?: string;
  subjectName?: string;
  /** provider id, institution id, district code… */
  orgId?: string;
  orgName?: string;
}

/** Where each role lands after logging in. */
export const roleHome: Record<PortalRole, string> = {
  enterprise: '/enterprise',
  institution: '/institution',
  provider: '/provider',
  operator: '/operator',
  recommender: '/recommender',
};

const portalRoles: readonly string[] = ['enterprise', 'institution', 'provider', 'operator', 'recommender'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Reads the `/api/v1/me` answer (or the login answer) into Me. Tolerates `{ user }`, `{ actor }`
 * wrappers and `role` or `type` naming, so the portal keeps working while the accounts API settles.
 */
export function toMe(raw: unknown): Me | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const o = raw as Record<string, unknown>;
  for (const k of ['me', 'user', 'account', 'actor']) {
    const inner = o[k];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const m = toMe({ ...o, ...(inner as Record<string, unknown>), [k]: undefined });
      if (m) return m;
    }
  }
  if (o.mfaPending === true) return undefined;
  const role = str(o.role) ?? str(o.type);
  if (!role || !portalRoles.includes(role)) return undefined;
  const org = o.org && typeof o.org === 'object' ? (o.org as Record<string, unknown>) : {};
  const subject = o.subject && typeof o.subject === 'object' ? (o.subject as Record<string, unknown>) : {};
  return {
    role: role as PortalRole,
    id: str(o.id) ?? str(o.userId) ?? '',
    username: str(o.username),
    displayName: str(o.displayName) ?? str(o.display_name) ?? str(o.name) ?? str(o.username) ?? role,
    uscc: str(o.uscc) ?? str(subject.uscc),
    subjectName: str(o.subjectName) ?? str(subject.name),
    orgId: str(o.orgId) ?? str(o.org_id) ?? str(org.id),
    orgName: str(o.orgName) ?? str(org.name) ?? str(org.name_zh),
  };
}

export type LoginResult =
  | { kind: 'done'; me: Me }
  /** Operators must enter a TOTP code; `challenge` is whatever the API gave to continue with. */
  | { kind: 'totp'; challenge: Record<string, unknown> };

interface AuthState {
  me: Me | undefined;
  /** True until the first /me answer. */
  checking: boolean;
  /** Why /me failed, when it failed for another reason than "not logged in". */
  error: ApiError | undefined;
  login: (username: string, password: string) => Promise<LoginResult>;
  verifyTotp: (challenge: Record<string, unknown>, code: string) => Promise<Me>;
  logout: () => Promise<void>;
  refresh: () => Promise<Me | undefined>;
}

const AuthContext = createContext<AuthState | null>(null);

async function fetchMe(): Promise<Me | undefined> {
  try {
    const raw = await api.get<Record<string, unknown>>('/api/v1/me');
    // An operator between password and TOTP is not logged in yet.
    if (raw.mfaPending === true) return undefined;
    return toMe(raw);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.isMissingEndpoint)) {
      return undefined;
    }
    throw e;
  }
}

function tokenOf(raw: unknown): string | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const o = raw as Record<string, unknown>;
  return str(o.token) ?? str(o.sessionToken) ?? str(o.accessToken);
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | undefined>(undefined);
  const [checking, setChecking] = useState(true);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      const m = await fetchMe();
      setMe(m);
      setError(undefined);
      return m;
    } catch (e) {
      setError(e as ApiError);
      return undefined;
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const finish = useCallback(async (raw: unknown): Promise<Me> => {
    const token = tokenOf(raw);
    if (token) setSessionToken(token);
    const m = (await fetchMe()) ?? toMe(raw);
    if (!m) {
      throw new ApiError(
        0,
        'client',
        '登录后未能读取账户信息',
        'Logged in, but the account could not be read',
      );
    }
    setMe(m);
    return m;
  }, []);

  const login = useCallback(
    async (username: string, password: string): Promise<LoginResult> => {
      const raw = await api.post<Record<string, unknown>>('/api/v1/auth/login', { username, password });
      // operators: password accepted, TOTP code next (src/accounts: `mfaRequired`)
      if (raw && (raw.mfaRequired === true || raw.totpRequired === true)) {
        return { kind: 'totp', challenge: raw };
      }
      return { kind: 'done', me: await finish(raw) };
    },
    [finish],
  );

  const verifyTotp = useCallback(
    async (challenge: Record<string, unknown>, code: string) => {
      const body: Record<string, unknown> = { code };
      for (const k of ['challenge', 'challengeId', 'ticket', 'pendingToken', 'token']) {
        if (typeof challenge[k] === 'string') body[k] = challenge[k];
      }
      const raw = await api.post<unknown>('/api/v1/auth/totp/verify', body);
      return finish(raw);
    },
    [finish],
  );

  const logout = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/logout');
    } finally {
      setSessionToken(undefined);
      setMe(undefined);
    }
  }, []);

  const value = useMemo<AuthState>(
    () => ({ me, checking, error, login, verifyTotp, logout, refresh }),
    [me, checking, error, login, verifyTotp, logout, refresh],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
