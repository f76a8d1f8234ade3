import fs from 'node:fs';
import path from 'node:path';
import type { Actor, AuthenticatedActor } from '../access/actor.ts';
import type { Db } from '../db/database.ts';
import { storeBlob } from '../ingest/blob-store.ts';
import { AppError } from '../shared/errors.ts';
import { isValidUscc } from '../shared/identifiers.ts';
import {
  findWrittenAuthorization,
  insertWrittenAuthorization,
  listWrittenAuthorizations,
  reviewWrittenAuthorization,
  type WrittenAuthorizationRow,
} from './consent.repository.ts';
import { toConsent } from './consent.model.ts';
import type { ConsentRow } from './consent.repository.ts';
import type { GrantConsentInput } from './consent.service.ts';
import type { Consent } from './consent.types.ts';

/**
 * 书面授权: an institution uploads the scan of a written authorization signed by the enterprise
 * (PDF, PNG or JPEG) with the terms it states; an operator compares scan and terms and confirms
 * (a consent with source `written` is created, ledgered like an online grant) or rejects it.
 * The scan is kept under DATA_DIR/blobs with its SHA-256 and SM3 digests.
 */

export const writtenScanLimitBytes = 20 * 1024 * 1024;

export type WrittenTerms = Omit<GrantConsentInput, 'institutionId'>;

export interface WrittenAuthorization {
  id: number;
  uscc: string;
  institutionId: string;
  uploadedBy: string;
  filename: string | null;
  contentType: string;
  byteSize: number;
  sha256: string;
  sm3: string;
  terms: WrittenTerms;
  status: 'pending' | 'confirmed' | 'rejected';
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
  consentId: string | null;
  createdAt: string;
}

function toWritten(r: WrittenAuthorizationRow): WrittenAuthorization {
  return {
    id: Number(r.id),
    uscc: r.uscc,
    institutionId: r.institution_id,
    uploadedBy: r.uploaded_by,
    filename: r.filename,
    contentType: r.content_type,
    byteSize: Number(r.byte_size),
    sha256: r.sha256,
    sm3: r.sm3,
    terms: (typeof r.request === 'string' ? JSON.parse(r.request) : r.request) as WrittenTerms,
    status: r.status as WrittenAuthorization['status'],
    reviewedBy: r.reviewed_by,
    reviewedAt: r.reviewed_at ? new Date(r.reviewed_at).toISOString() : null,
    reviewNote: r.review_note,
    consentId: r.consent_id,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** The scan's type from its first bytes (the declared content type is not trusted). */
export function sniffScanType(head: Buffer): 'application/pdf' | 'image/png' | 'image/jpeg' | undefined {
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  return undefined;
}

export interface WrittenAuthorizationDeps {
  db: Db;
  dataDir: string;
  consent: {
    grantWithin(
      trx: Db,
      uscc: string,
      input: GrantConsentInput,
      source: { kind: 'online' | 'written'; grantedBy: string; writtenAuthorizationId?: number },
    ): Promise<ConsentRow>;
  };
  clock?: (() => Date) | undefined;
}

export function createWrittenAuthorizationService(deps: WrittenAuthorizationDeps) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());

  function canSee(actor: Actor, r: WrittenAuthorizationRow): boolean {
    if (actor.type === 'operator') return true;
    return actor.type === 'institution' && actor.orgId === r.institution_id;
  }

  return {
    async upload(
      actor: AuthenticatedActor,
      input: {
        uscc: string;
        terms: WrittenTerms;
        filename: string | null;
        file: AsyncIterable<Buffer | Uint8Array | string>;
      },
    ): Promise<WrittenAuthorization> {
      if (actor.type !== 'institution' || !actor.orgId) throw new AppError('forbidden');
      const uscc = input.uscc.trim().toUpperCase();
      if (!isValidUscc(uscc)) throw new AppError('validation_failed', { detail: `uscc ${input.uscc}` });
      const blob = await storeBlob(deps.dataDir, input.file, writtenScanLimitBytes);
      const type = sniffScanType(blob.head);
      if (!type) {
        throw new AppError('unsupported_media_type', {
          type: '书面授权须为 PDF、PNG 或 JPEG 扫描件 / the scan must be PDF, PNG or JPEG',
        });
      }
      const row = await insertWrittenAuthorization(db, {
        uscc,
        institution_id: actor.orgId,
        uploaded_by: actor.id,
        filename: input.filename?.slice(0, 255) ?? null,
        content_type: type,
        byte_size: blob.byteSize,
        sha256: blob.sha256,
        sm3: blob.sm3,
        blob_path: blob.relativePath,
        request: JSON.stringify(input.terms),
        reviewed_by: null,
        reviewed_at: null,
        review_note: null,
        consent_id: null,
      });
      return toWritten(row);
    },

    async list(
      actor: AuthenticatedActor,
      f: { status?: string | undefined },
    ): Promise<WrittenAuthorization[]> {
      const institutionId = actor.type === 'operator' ? undefined : actor.orgId;
      if (actor.type !== 'operator' && !institutionId) throw new AppError('forbidden');
      const rows = await listWrittenAuthorizations(db, { status: f.status, institutionId, limit: 500 });
      return rows.map(toWritten);
    },

    async get(actor: AuthenticatedActor, id: number): Promise<WrittenAuthorization> {
      const r = await findWrittenAuthorization(db, id);
      if (!r || !canSee(actor, r)) {
        throw new AppError('not_found', { what: `书面授权 / written authorization ${id}` });
      }
      return toWritten(r);
    },

    async openScan(
      actor: AuthenticatedActor,
      id: number,
    ): Promise<{ contentType: string; filename: string; stream: fs.ReadStream }> {
      const r = await findWrittenAuthorization(db, id);
      if (!r || !canSee(actor, r)) {
        throw new AppError('not_found', { what: `书面授权 / written authorization ${id}` });
      }
      const ext =
        r.content_type === 'application/pdf' ? 'pdf' : r.content_type === 'image/png' ? 'png' : 'jpg';
      return {
        contentType: r.content_type,
        filename: `written-authorization-${r.id}.${ext}`,
        stream: fs.createReadStream(path.join(deps.dataDir, r.blob_path)),
      };
    },

    /** The operator confirms: the consent is created from the terms on the scan, in one transaction. */
    async confirm(
      actor: AuthenticatedActor,
      id: number,
      note?: string | null,
    ): Promise<{ written: WrittenAuthorization; consent: Consent }> {
      if (actor.type !== 'operator') throw new AppError('forbidden');
      return db.transaction().execute(async (trx) => {
        const r = await findWrittenAuthorization(trx, id, true);
        if (!r) throw new AppError('not_found', { what: `书面授权 / written authorization ${id}` });
        if (r.status !== 'pending') {
          throw new AppError('conflict', { detail: `书面授权已处理（${r.status}） / already ${r.status}` });
        }
        const terms = toWritten(r).terms;
        const consentRow = await deps.consent.grantWithin(
          trx,
          r.uscc,
          { ...terms, institutionId: r.institution_id },
          { kind: 'written', grantedBy: actor.id, writtenAuthorizationId: Number(r.id) },
        );
        const updated = await reviewWrittenAuthorization(trx, id, {
          status: 'confirmed',
          by: actor.id,
          note: note?.trim() || null,
          consentId: consentRow.id,
          at: clock(),
        });
        return { written: toWritten(updated), consent: toConsent(consentRow, clock()) };
      });
    },

    async reject(actor: AuthenticatedActor, id: number, note: string): Promise<WrittenAuthorization> {
      if (actor.type !== 'operator') throw new AppError('forbidden');
      return db.transaction().execute(async (trx) => {
        const r = await findWrittenAuthorization(trx, id, true);
        if (!r) throw new AppError('not_found', { what: `书面授权 / written authorization ${id}` });
        if (r.status !== 'pending') {
          throw new AppError('conflict', { detail: `书面授权已处理（${r.status}） / already ${r.status}` });
        }
        const updated = await reviewWrittenAuthorization(trx, id, {
          status: 'rejected',
          by: actor.id,
          note: note.trim(),
          consentId: null,
          at: clock(),
        });
        return toWritten(updated);
      });
    },
  };
}

export type WrittenAuthorizationService = ReturnType<typeof createWrittenAuthorizationService>;
