import type { Actor } from '../access/actor.ts';
import { openSecret, sealSecret, type Keyring } from '../access/keyring.ts';
import type { CatalogKind } from '../catalog/catalog.schema.ts';
import type { Db } from '../db/database.ts';
import { AppError } from '../shared/errors.ts';
import type { CatalogSource } from './connector.deps.ts';
import {
  deleteInterface,
  findEnabledInterfaceForKind,
  findInterface,
  findInterfaceByProviderKind,
  insertInterface,
  listInterfaces,
  updateInterface,
  type InterfacePatch,
  type InterfaceRow,
} from './connectors.repository.ts';
import type {
  CreateInterfaceInput,
  InterfaceAuthInput,
  InterfaceView,
  UpdateInterfaceInput,
} from './connectors.schemas.ts';
import { canManageInterface, interfaceListScope, isInternalHost } from './connectors.policy.ts';

/**
 * The interface registry (接口登记): which provider answers which pull kind, where, and with which
 * limits. Operators manage every interface; a provider manages its own, for kinds the catalog names it
 * responsible for.
 */

/**
 * Whether answers are stored as records when the interface does not say (decision 0062): kinds the
 * catalog shares both ways (物理归集/接口调用) are collected anyway, so a pulled answer is stored like a
 * push; pull-only kinds (接口调用: "由平台根据企业授权调用信息") are shown in the answer that asked for
 * them and only their digest is kept.
 */
export function catalogStoresAsRecords(kind: Pick<CatalogKind, 'share_mode'> | undefined): boolean {
  return kind?.share_mode === 'both';
}

export function effectiveStoreAsRecords(row: InterfaceRow, kind: CatalogKind | undefined): boolean {
  return row.store_as_records ?? catalogStoresAsRecords(kind);
}

function actorName(actor: Actor): string {
  if (actor.type === 'anonymous') return 'anonymous';
  if (actor.type === 'system') return `system:${actor.name}`;
  return `${actor.type}:${actor.id}`;
}

export function toInterfaceView(row: InterfaceRow, kind: CatalogKind | undefined): InterfaceView {
  return {
    id: row.id,
    providerId: row.provider_id,
    kind: row.kind_code,
    kindNameZh: kind?.name_zh ?? null,
    baseUrl: row.base_url,
    auth: {
      type: row.auth_type as 'none' | 'bearer' | 'hmac',
      keyId: row.auth_type === 'hmac' ? row.auth_key_id : null,
      algorithm: row.auth_type === 'hmac' ? (row.signature_algorithm as 'hmac-sha256' | 'hmac-sm3') : null,
      hasSecret: !!row.auth_secret,
    },
    timeoutMs: row.timeout_ms,
    retries: row.retries,
    rateLimitPerSecond: row.rate_limit_per_s,
    maxConcurrency: row.max_concurrency,
    cacheTtlSeconds: row.cache_ttl_s,
    storeAsRecords: effectiveStoreAsRecords(row, kind),
    storeAsRecordsSource: row.store_as_records === null ? 'catalog' : 'interface',
    enabled: row.enabled,
    note: row.note,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function checkBaseUrl(raw: string, actor: Actor): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('connector_base_url_invalid', {
      url: raw,
      zh: '不是有效的网址',
      en: 'not a valid URL',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('connector_base_url_invalid', {
      url: raw,
      zh: '只支持 http 或 https',
      en: 'only http and https are supported',
    });
  }
  if (url.username || url.password) {
    throw new AppError('connector_base_url_invalid', {
      url: raw,
      zh: '网址中不得包含用户名或密码（请使用认证设置）',
      en: 'no credentials in the URL (use the auth settings)',
    });
  }
  if (url.hash || url.searchParams.has('uscc')) {
    throw new AppError('connector_base_url_invalid', {
      url: raw,
      zh: '网址不得包含片段或 uscc 参数（由平台添加）',
      en: 'no fragment and no uscc parameter (the platform adds it)',
    });
  }
  if (actor.type === 'provider' && isInternalHost(url.hostname)) {
    throw new AppError('connector_base_url_invalid', {
      url: raw,
      zh: '不得指向本机、内网或链路本地地址',
      en: 'must not point at a loopback, private or link-local address',
    });
  }
  return url.toString();
}

/**
 * Associated data of an interface's sealed secret: the (provider, kind) pair, which never changes for
 * a row (unique, not editable), so a sealed value copied to another interface's row does not open.
 */
export function secretContext(providerId: string, kindCode: string): string {
  return `connector-interface:${providerId}:${kindCode}`;
}

/**
 * Opens an interface's stored secret (`sm4gcm1:…`, sealed with the keyring's secrets key, decision
 * 0061). Every stored secret is sealed (migration 2026-11-22T0341 sealed the older rows and a CHECK
 * constraint refuses plain ones).
 */
export function openInterfaceSecret(
  keyring: Keyring,
  row: Pick<InterfaceRow, 'auth_secret' | 'provider_id' | 'kind_code'>,
): string | null {
  if (row.auth_secret === null) return null;
  return openSecret(keyring, row.auth_secret, secretContext(row.provider_id, row.kind_code));
}

function authColumns(
  auth: InterfaceAuthInput,
  keyring: Keyring,
  context: string,
): Pick<InterfacePatch, 'auth_type' | 'auth_key_id' | 'auth_secret' | 'signature_algorithm'> {
  switch (auth.type) {
    case 'none':
      return { auth_type: 'none', auth_key_id: null, auth_secret: null, signature_algorithm: 'hmac-sha256' };
    case 'bearer':
      return {
        auth_type: 'bearer',
        auth_key_id: null,
        auth_secret: sealSecret(keyring, auth.token, context),
        signature_algorithm: 'hmac-sha256',
      };
    case 'hmac':
      return {
        auth_type: 'hmac',
        auth_key_id: auth.keyId,
        auth_secret: sealSecret(keyring, auth.secret, context),
        signature_algorithm: auth.algorithm,
      };
  }
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string }).code === '23505';
}

export interface InterfaceRegistry {
  listInterfaces(actor: Actor, filter?: { providerId?: string; kind?: string }): Promise<InterfaceView[]>;
  getInterface(actor: Actor, id: number): Promise<InterfaceView>;
  createInterface(actor: Actor, input: CreateInterfaceInput): Promise<InterfaceView>;
  updateInterface(actor: Actor, id: number, input: UpdateInterfaceInput): Promise<InterfaceView>;
  deleteInterface(actor: Actor, id: number): Promise<void>;
}

export function createInterfaceRegistry(deps: {
  db: Db;
  getCatalog: CatalogSource;
  /** Seals bearer tokens and HMAC secrets at rest (SM4-GCM with the keyring's secrets key). */
  keyring: Keyring;
  /** Called after every change, so the pull path re-reads the registry. */
  onChange: () => void;
}): InterfaceRegistry {
  const { db, getCatalog } = deps;

  async function pullKind(code: string): Promise<CatalogKind> {
    const { kinds } = await getCatalog();
    const kind = kinds.get(code);
    if (!kind) throw new AppError('kind_unknown', { kind: code });
    if (kind.share_mode === 'push') throw new AppError('connector_kind_not_pull', { kind: code });
    return kind;
  }

  async function getOwned(actor: Actor, id: number): Promise<InterfaceRow> {
    const row = await findInterface(db, id);
    // Someone else's interface is reported as missing: its existence is not the caller's business.
    if (!row || !canManageInterface(actor, row.provider_id)) {
      throw new AppError('not_found', { what: `接口 interface ${id}` });
    }
    return row;
  }

  async function assertKindFree(kindCode: string, exceptId: number | null): Promise<void> {
    const enabled = await findEnabledInterfaceForKind(db, kindCode);
    if (enabled && enabled.id !== exceptId) {
      throw new AppError('connector_kind_taken', { kind: kindCode, provider: enabled.provider_id });
    }
  }

  return {
    async listInterfaces(actor, filter = {}) {
      const scope = interfaceListScope(actor);
      if (scope === 'none') throw new AppError('forbidden');
      const rows = await listInterfaces(db, {
        providerId: scope.providerId ?? filter.providerId,
        kindCode: filter.kind,
      });
      const { kinds } = await getCatalog();
      return rows.map((r) => toInterfaceView(r, kinds.get(r.kind_code)));
    },

    async getInterface(actor, id) {
      const row = await getOwned(actor, id);
      const { kinds } = await getCatalog();
      return toInterfaceView(row, kinds.get(row.kind_code));
    },

    async createInterface(actor, input) {
      const providerId = actor.type === 'provider' ? actor.orgId : input.providerId;
      if (!providerId) {
        throw new AppError('validation_failed', { detail: 'providerId is required / 须指定数据提供单位' });
      }
      if (!canManageInterface(actor, providerId)) throw new AppError('forbidden');
      const kind = await pullKind(input.kind);
      if (actor.type === 'provider' && !kind.providers.some((p) => p.id === providerId)) {
        throw new AppError('connector_provider_not_responsible', { provider: providerId, kind: kind.code });
      }
      const baseUrl = checkBaseUrl(input.baseUrl, actor);
      if (await findInterfaceByProviderKind(db, providerId, kind.code)) {
        throw new AppError('connector_interface_exists', { provider: providerId, kind: kind.code });
      }
      if (input.enabled) await assertKindFree(kind.code, null);
      let row: InterfaceRow;
      try {
        row = await insertInterface(db, {
          provider_id: providerId,
          kind_code: kind.code,
          base_url: baseUrl,
          ...authColumns(input.auth, deps.keyring, secretContext(providerId, kind.code)),
          timeout_ms: input.timeoutMs,
          retries: input.retries,
          rate_limit_per_s: input.rateLimitPerSecond,
          max_concurrency: input.maxConcurrency,
          cache_ttl_s: input.cacheTtlSeconds,
          store_as_records: input.storeAsRecords,
          enabled: input.enabled,
          note: input.note,
          created_by: actorName(actor),
          updated_by: actorName(actor),
        });
      } catch (e) {
        // Lost a race with a concurrent registration of the same kind or pair.
        if (isUniqueViolation(e)) {
          throw new AppError('connector_interface_exists', { provider: providerId, kind: kind.code });
        }
        throw e;
      }
      deps.onChange();
      return toInterfaceView(row, kind);
    },

    async updateInterface(actor, id, input) {
      const current = await getOwned(actor, id);
      const kind = (await getCatalog()).kinds.get(current.kind_code);
      const patch: InterfacePatch = { updated_by: actorName(actor) };
      if (input.baseUrl !== undefined) patch.base_url = checkBaseUrl(input.baseUrl, actor);
      if (input.auth !== undefined) {
        Object.assign(
          patch,
          authColumns(input.auth, deps.keyring, secretContext(current.provider_id, current.kind_code)),
        );
      }
      if (input.timeoutMs !== undefined) patch.timeout_ms = input.timeoutMs;
      if (input.retries !== undefined) patch.retries = input.retries;
      if (input.rateLimitPerSecond !== undefined) patch.rate_limit_per_s = input.rateLimitPerSecond;
      if (input.maxConcurrency !== undefined) patch.max_concurrency = input.maxConcurrency;
      if (input.cacheTtlSeconds !== undefined) patch.cache_ttl_s = input.cacheTtlSeconds;
      if (input.storeAsRecords !== undefined) patch.store_as_records = input.storeAsRecords;
      if (input.note !== undefined) patch.note = input.note;
      if (input.enabled !== undefined) {
        if (input.enabled && !current.enabled) await assertKindFree(current.kind_code, current.id);
        patch.enabled = input.enabled;
      }
      let row: InterfaceRow;
      try {
        row = await updateInterface(db, id, patch);
      } catch (e) {
        if (isUniqueViolation(e)) {
          // Lost a race with another enabling of the same kind.
          const other = await findEnabledInterfaceForKind(db, current.kind_code);
          throw new AppError('connector_kind_taken', {
            kind: current.kind_code,
            provider: other?.provider_id ?? '?',
          });
        }
        throw e;
      }
      deps.onChange();
      return toInterfaceView(row, kind);
    },

    async deleteInterface(actor, id) {
      await getOwned(actor, id);
      await deleteInterface(db, id);
      deps.onChange();
    },
  };
}
