import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Actor } from '../access/actor.ts';
import { addMonths, chinaDay } from '../access/china-time.ts';
import type { FieldCrypto } from '../access/field-crypto.ts';
import { loadCatalogView } from '../access/catalog-view.ts';
import { readRecords } from '../access/read-path.ts';
import type { ReadRecordsResult } from '../access/read-path.types.ts';
import { findOrganisation } from '../accounts/organisations.repository.ts';
import type { CatalogService } from '../catalog/catalog.service.ts';
import type { Config } from '../config/config.ts';
import type { ConnectorService } from '../connectors/connector.service.ts';
import type { PullSection } from '../connectors/connectors.schemas.ts';
import { sectionReason } from '../connectors/pull-reasons.ts';
import { authorizeUse } from '../consent/consent.service.ts';
import {
  consentPurposeLabels,
  type AuthorizeUseResult,
  type ConsentPurpose,
} from '../consent/consent.types.ts';
import type { Db } from '../db/database.ts';
import type { EvaluationService } from '../evaluation/evaluation.service.ts';
import { canonicalJson } from '../ledger/canonical.ts';
import { encodeLedgerEntries, enqueueLedgerEntries } from '../ledger/ledger-queue.ts';
import type { LedgerService } from '../ledger/ledger.service.ts';
import { parseBundle, type LedgerBundle } from '../ledger/verify-offline.ts';
import { AppError, isAppError } from '../shared/errors.ts';
import { checkUscc, normalizeCode } from '../shared/identifiers.ts';
import { buildReportDocument } from './report-builder.ts';
import { renderReportHtml } from './report-html.ts';
import { resolveSections, resolveSpecialSections, specialReportSections } from './report-layout.ts';
import { formatReportNumber, parseReportNumber } from './report-number.ts';
import { renderReportPdf } from './report-pdf.ts';
import { sha256Hex, verifyReportJsonFile, verifyReportPdf, type ReportVerdict } from './report-verify.ts';
import { canIssue, canRead } from './reports.policy.ts';
import * as repo from './reports.repository.ts';
import {
  reportTypeLabels,
  type Bilingual,
  type ReportDocument,
  type ReportEvaluation,
  type ReportFormat,
  type ReportType,
} from './report.types.ts';

/**
 * Reports (信用报告): issue (read path → frozen canonical JSON → ledger entry), fetch in JSON, HTML or
 * PDF (rendered once, then frozen), list, and verify by number or by file.
 *
 * The ledger commits to the canonical JSON: entry `report` (ref `reports`/number) with its SHA-256 and
 * SM3, queued in the transaction that stores the report. Renditions are committed by a second entry
 * (`report_renditions`/number:format) with the file's digests when first rendered. A PDF embeds the JSON
 * and the bundle of the first entry (it cannot embed a proof of its own bytes). Decision 0092.
 */

export interface ReportsServiceDeps {
  db: Db;
  config: Pick<Config, 'dataDir' | 'publicUrl'>;
  catalog: CatalogService;
  fieldCrypto: FieldCrypto;
  ledger: LedgerService;
  connectors?: ConnectorService | undefined;
  evaluation?: EvaluationService | undefined;
  clock?: () => Date;
}

export interface CreateReportInput {
  uscc: string;
  type: ReportType;
  /** Rendered right away when html or pdf (json is always stored). */
  format?: ReportFormat | undefined;
  consentId?: string | undefined;
  purpose?: ConsentPurpose | undefined;
  /** Special reports: 1–5 years back from the issue day; default 3. */
  windowYears?: number | undefined;
}

export interface ReportMeta {
  number: string;
  type: ReportType;
  typeLabel: Bilingual;
  uscc: string;
  subjectName: string;
  issuedAt: string;
  requester: string;
  purpose: string | null;
  consentId: string | null;
  window: { from: string; to: string } | null;
  recordCount: number;
  sha256: string;
  sm3: string;
  links: { json: string; html: string; pdf: string; verify: string; verifyPage: string };
}

export interface ReportFile {
  meta: ReportMeta;
  format: ReportFormat;
  contentType: string;
  filename: string;
  body: Buffer;
}

export interface VerifyByNumberView {
  authentic: boolean;
  valid: boolean;
  reason: Bilingual;
  number: string;
  type: string;
  typeLabel: Bilingual;
  uscc: string;
  subjectName: string;
  issuedAt: string;
  /** SHA-256 of the canonical JSON (what the ledger commits to). */
  digest: string;
  sm3: string;
  renditions: { format: string; sha256: string }[];
  leafIndex: number;
  treeSize: number;
  hashAlgorithm: string;
  leafHash: string;
  rootHash: string;
  inclusionProof: string[];
  checkpoint: string | null;
  entry: string;
}

export interface VerifyUploadView extends ReportVerdict {
  /** The file is byte for byte a rendition the platform issued. */
  exactCopy: boolean;
  /** A report with this number and this JSON digest is registered here. */
  registered: boolean;
}

const contentTypes: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

const sm3Hex = (b: Buffer | string) => createHash('sm3').update(b).digest('hex');

function requesterRef(actor: Actor): { type: string; id: string | null; org: string | null } {
  if (actor.type === 'anonymous') return { type: 'anonymous', id: null, org: null };
  if (actor.type === 'system') return { type: 'system', id: actor.name, org: null };
  return { type: actor.type, id: actor.id, org: actor.orgId ?? actor.uscc ?? null };
}

export function createReportsService(deps: ReportsServiceDeps) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const issuer: Bilingual = { zh: '信融融资信用服务平台', en: 'xinrong financing credit service platform' };
  const base = deps.config.publicUrl.replace(/\/+$/, '');

  function metaOf(r: repo.ReportRow): ReportMeta {
    const api = `/api/v1/reports/${r.number}`;
    const type = r.report_type as ReportType;
    return {
      number: r.number,
      type,
      typeLabel: reportTypeLabels[type],
      uscc: r.uscc,
      subjectName: r.subject_name,
      issuedAt: new Date(r.issued_at).toISOString(),
      requester: r.requester_name,
      purpose: r.purpose,
      consentId: r.consent_id,
      window: r.window_from && r.window_to ? { from: r.window_from, to: r.window_to } : null,
      recordCount: r.record_count,
      sha256: r.json_sha256,
      sm3: r.json_sm3,
      links: {
        json: `${api}.json`,
        html: `${api}.html`,
        pdf: `${api}.pdf`,
        verify: `/api/v1/reports/verify/${r.number}`,
        verifyPage: `${base}/verify/${r.number}`,
      },
    };
  }

  /** The requester as printed (the organisation's name is read before the report's transaction). */
  async function requesterNamer(actor: Actor, uscc: string): Promise<(subjectName: string) => string> {
    const org =
      (actor.type === 'institution' ||
        actor.type === 'institution_system' ||
        actor.type === 'provider' ||
        actor.type === 'recommender') &&
      actor.orgId
        ? await findOrganisation(db, actor.orgId)
        : undefined;
    return (subjectName) => requesterName(actor, subjectName, uscc, org?.name_zh);
  }

  function requesterName(
    actor: Actor,
    subjectName: string,
    uscc: string,
    orgName: string | undefined,
  ): string {
    switch (actor.type) {
      case 'anonymous':
        return '社会公众 / Public';
      case 'system':
        return `平台 / Platform (${actor.name})`;
      case 'enterprise':
        return actor.uscc === uscc ? subjectName : (actor.displayName ?? `企业用户 ${actor.id}`);
      case 'operator':
        return `平台运营人员 / Operator ${actor.displayName ?? actor.id}`;
      default:
        return orgName ?? actor.orgId ?? actor.id;
    }
  }

  function blobPath(number: string, ext: string): { abs: string; rel: string } {
    const day = number.slice(3, 11);
    const rel = path.join('reports', day.slice(0, 4), day.slice(4, 6), `${number}.${ext}`);
    return { abs: path.join(deps.config.dataDir, rel), rel };
  }

  const madeDirs = new Set<string>();
  async function writeBlob(abs: string, body: Buffer | string): Promise<void> {
    const dir = path.dirname(abs);
    if (!madeDirs.has(dir)) {
      await fs.promises.mkdir(dir, { recursive: true });
      madeDirs.add(dir);
    }
    const tmp = `${abs}.${process.pid}.${Date.now()}.tmp`;
    await fs.promises.writeFile(tmp, body);
    await fs.promises.rename(tmp, abs);
  }

  async function readBlob(number: string, rel: string, sha256: string): Promise<Buffer> {
    let body: Buffer;
    try {
      body = await fs.promises.readFile(path.join(deps.config.dataDir, rel));
    } catch {
      throw new AppError('report_integrity_failed', { number });
    }
    if (sha256Hex(body) !== sha256) throw new AppError('report_integrity_failed', { number });
    return body;
  }

  async function evaluationFor(
    type: ReportType,
    uscc: string,
    auth: AuthorizeUseResult | undefined,
    publicKinds: Set<string>,
  ): Promise<ReportEvaluation | null> {
    if (type === 'special') return null;
    if (type === 'public') {
      return {
        available: false,
        note: {
          zh: '公开版不含信用评价（评价须经授权或本人查询）',
          en: 'Not in the public edition (consent or self view only)',
        },
      };
    }
    if (!deps.evaluation) {
      return { available: false, note: { zh: '暂无信用评价', en: 'No evaluation yet' } };
    }
    try {
      const v = await deps.evaluation.getSubjectEvaluation({ type: 'system', name: 'reports' }, uscc);
      let reasons = v.reasons ?? [];
      if (type === 'full') {
        // Explained only where every kind behind the indicator is public or allowed by the consent.
        const model = await deps.evaluation.getModel(v.modelVersion);
        const allowed = new Set([...publicKinds, ...(auth?.allowedKinds ?? [])]);
        const byCode = new Map(model.indicators.map((i) => [i.code, i]));
        reasons = reasons.filter((r) => {
          const ind = byCode.get(r.indicator);
          // Features over no record kinds (subject facts, commitments) are explained to the consent holder.
          const f = ind?.feature as { kinds?: string[] } | undefined;
          return !!ind && (!f?.kinds || f.kinds.every((k) => allowed.has(k)));
        });
      }
      return {
        available: true,
        note: null,
        score: v.score,
        grade: v.grade,
        gradeLabel: { zh: v.gradeZh, en: v.gradeEn },
        modelVersion: v.modelVersion,
        asOf: v.asOf,
        reasons: reasons.map((r) => ({ zh: r.zh, en: r.en, pointsLost: r.pointsLost, disputed: r.disputed })),
      };
    } catch (e) {
      if (isAppError(e) && e.code === 'evaluation_not_found') {
        return { available: false, note: { zh: '暂无信用评价', en: 'No evaluation yet' } };
      }
      throw e;
    }
  }

  let enabledCache: { at: number; kinds: Set<string> } | undefined;
  async function enabledPullKinds(): Promise<Set<string>> {
    if (enabledCache && Date.now() - enabledCache.at < 5_000) return enabledCache.kinds;
    const list = await deps.connectors!.listInterfaces({ type: 'system', name: 'reports' });
    enabledCache = { at: Date.now(), kinds: new Set(list.filter((i) => i.enabled).map((i) => i.kind)) };
    return enabledCache.kinds;
  }

  /** The actor whose view the read path applies for a report type (decision 0091). */
  function readerFor(actor: Actor, type: ReportType, uscc: string): Actor {
    if (type === 'public') {
      // The public view, whoever asks: privileged callers read as the public would.
      const privileged =
        actor.type === 'system' ||
        actor.type === 'operator' ||
        (actor.type === 'enterprise' && actor.uscc === uscc);
      return privileged || actor.type === 'provider' ? { type: 'anonymous' } : actor;
    }
    if (type === 'self' || type === 'special') {
      return actor.type === 'enterprise' ? actor : { type: 'system', name: 'reports' };
    }
    return actor;
  }

  async function createReport(actor: Actor, input: CreateReportInput): Promise<ReportMeta> {
    const uscc = normalizeCode(input.uscc);
    const problem = checkUscc(uscc);
    if (problem) {
      throw new AppError('uscc_invalid', {
        value: input.uscc,
        rule: problem.rule,
        reason_zh: problem.zh,
        reason_en: problem.en,
      });
    }
    const type = input.type;
    const allowed = canIssue(actor, type, uscc);
    if (!allowed.ok) throw new AppError('report_type_forbidden', { detail: `${allowed.zh} / ${allowed.en}` });
    let windowYears: number | null = null;
    if (type === 'special') {
      windowYears = input.windowYears ?? 3;
      if (!Number.isInteger(windowYears) || windowYears < 1 || windowYears > 5) {
        throw new AppError('report_window_invalid', { value: String(input.windowYears) });
      }
    }
    const catalog = await deps.catalog.getCurrent();
    const now = clock();
    const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const today = chinaDay(issuedAt);
    const window =
      windowYears !== null
        ? { years: windowYears, from: addMonths(addMonths(today, -12 * windowYears), 0), to: today }
        : null;
    if (window) {
      // Inclusive window of N years ending today: starts the day after the same date N years ago.
      const d = new Date(`${window.from}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + 1);
      window.from = d.toISOString().slice(0, 10);
    }
    const reader = readerFor(actor, type, uscc);
    // The catalog view is resolved here, outside the transaction (inside it the read path would ask
    // the database for the current version again), and ledger positions are cached per database.
    const view = await loadCatalogView(db, deps.catalog);
    const readDeps = { fieldCrypto: deps.fieldCrypto, view, rootDb: db, clock: () => now };
    const publicKinds = new Set(catalog.kinds.filter((k) => k.openness === 'public').map((k) => k.code));

    // Full reports: one counted use of the consent covers the read and the pulls (authorizeUse locks the
    // consent row, so concurrent reports cannot exceed max_uses).
    let authorization: AuthorizeUseResult | undefined;
    if (type === 'full') {
      const conditional = catalog.kinds.filter((k) => k.openness === 'conditional').map((k) => k.code);
      authorization = await db.transaction().execute((trx) =>
        authorizeUse(trx, {
          actor,
          uscc,
          kinds: conditional,
          purpose: input.purpose,
          mode: 'full_report',
          consentId: input.consentId,
        }),
      );
    }

    // On-demand sections (full and self): every pull kind the reader may have.
    let pulls: Map<string, PullSection> | undefined;
    if (
      (type === 'full' || type === 'self') &&
      deps.connectors &&
      actor.type !== 'system' &&
      actor.type !== 'operator'
    ) {
      const pullKinds = catalog.kinds
        .filter((k) => k.share_mode !== 'push')
        .map((k) => k.code)
        .filter((k) => type === 'self' || authorization?.allowedKinds.includes(k));
      // Kinds without an enabled interface are reported as such without a call (and without 13 empty
      // pull_calls rows per report); the interface list is re-read at most every 5 s.
      const enabled = await enabledPullKinds();
      pulls = new Map();
      const now = issuedAt.toISOString();
      for (const k of pullKinds.filter((x) => !enabled.has(x))) {
        pulls.set(k, {
          kind: k,
          status: 'unavailable',
          code: 'no_interface',
          reason: sectionReason('no_interface'),
          data: null,
          providerId: null,
          requestId: '',
          fetchedAt: now,
          cached: false,
          stored: false,
          digest: null,
        });
      }
      const toCall = pullKinds.filter((x) => enabled.has(x));
      if (toCall.length) {
        const r = await deps.connectors.pull({
          actor,
          uscc,
          kinds: toCall,
          mode: 'full_report',
          authorization,
          purpose: authorization?.consent.purpose,
        });
        for (const sec of r.sections) pulls.set(sec.kind, sec);
      }
    }

    // Independent lookups, concurrently: on PostgreSQL each takes its own pool connection (three
    // round trips cost about one); PGlite queues them on its one connection.
    const [evaluation, nameOf, serial] = await Promise.all([
      evaluationFor(type, uscc, authorization, publicKinds),
      requesterNamer(actor, uscc),
      repo.nextReportSerial(db),
    ]);
    const sections = type === 'special' ? resolveSpecialSections(catalog) : resolveSections(catalog);
    const known = new Set(catalog.kinds.map((k) => k.code));
    const specialKinds = specialReportSections.flatMap((s) => s.kinds ?? []).filter((k) => known.has(k));

    const number = formatReportNumber(today, serial);

    const row = await db.transaction().execute(async (trx) => {
      const read: ReadRecordsResult = await readRecords(
        { ...readDeps, db: trx },
        {
          actor: reader,
          uscc,
          ...(type === 'special'
            ? { kinds: specialKinds, dateRange: { from: window!.from, to: window!.to } }
            : {}),
          ...(authorization ? { authorization, consentId: authorization.consent.id } : {}),
          internalPurpose: `report:${type}:${number}`,
        },
      );
      const subjectName = read.subject.name;
      const purposeCode = authorization?.consent.purpose ?? null;
      const purpose = purposeCode
        ? { code: purposeCode, ...consentPurposeLabels[purposeCode] }
        : type === 'self'
          ? { code: 'self_view', zh: '本人查询', en: 'Self view' }
          : type === 'special'
            ? {
                code: 'special_certificate',
                zh: '专项信用报告（替代无违法违规证明）',
                en: 'Special report (in lieu of certificates)',
              }
            : null;
      const requester = {
        type: requesterRef(actor).type,
        name: nameOf(subjectName),
        orgId: requesterRef(actor).org,
      };
      const doc: ReportDocument = buildReportDocument({
        type,
        number,
        issuedAt,
        issuer,
        requester,
        purpose,
        consent: authorization
          ? { id: authorization.consent.id, validUntil: authorization.consent.validUntil }
          : null,
        window,
        catalog,
        read,
        sections,
        pulls,
        evaluation,
        verifyUrl: `${base}/verify/${number}`,
      });
      // Encoded to UTF-8 once for both digests and the file.
      const json = Buffer.from(canonicalJson(doc), 'utf8');
      const sha256 = sha256Hex(json);
      const sm3 = sm3Hex(json);
      const blob = blobPath(number, 'json');
      await writeBlob(blob.abs, json);
      const ref = requesterRef(actor);
      const leaves = encodeLedgerEntries([
        {
          entryType: 'report',
          refTable: 'reports',
          refId: number,
          uscc,
          payload: {
            number,
            type,
            uscc,
            issued_at: issuedAt.toISOString(),
            json_sha256: sha256,
            json_sm3: sm3,
            record_count: doc.recordCount,
          },
        },
      ]);
      return repo.insertReportWithLeaves(
        trx,
        {
          number,
          uscc,
          report_type: type,
          subject_name: subjectName,
          requester_type: ref.type,
          requester_id: ref.id,
          requester_org: ref.org,
          requester_name: requester.name,
          purpose: purpose?.code ?? null,
          consent_id: authorization?.consent.id ?? null,
          window_from: window?.from ?? null,
          window_to: window?.to ?? null,
          issued_at: issuedAt,
          json_path: blob.rel,
          json_sha256: sha256,
          json_sm3: sm3,
          json_bytes: json.length,
          record_count: doc.recordCount,
          access_log_id: read.accessLogId,
        },
        leaves,
      );
    });
    // Asked for HTML or PDF: render (and freeze) it now, so the download link answers at once.
    if (input.format === 'html' || input.format === 'pdf') await rendition(row, input.format);
    return metaOf(row);
  }

  async function getRow(actor: Actor, rawNumber: string): Promise<repo.ReportRow> {
    const number = parseReportNumber(rawNumber);
    if (!number) throw new AppError('report_number_invalid', { number: rawNumber });
    const row = await repo.findReport(db, number);
    if (!row) throw new AppError('report_not_found', { number });
    const p = canRead(actor, {
      type: row.report_type,
      uscc: row.uscc,
      requesterId: row.requester_id,
      requesterOrg: row.requester_org,
    });
    if (!p.ok) throw new AppError('report_type_forbidden', { detail: `${p.zh} / ${p.en}` });
    return row;
  }

  async function documentOf(row: repo.ReportRow): Promise<{ json: string; doc: ReportDocument }> {
    const body = await readBlob(row.number, row.json_path, row.json_sha256);
    const json = body.toString('utf8');
    return { json, doc: JSON.parse(json) as ReportDocument };
  }

  /** Renders a format once and freezes it; later calls return the stored bytes. */
  async function rendition(row: repo.ReportRow, format: 'html' | 'pdf'): Promise<Buffer> {
    const existing = await repo.findRendition(db, row.number, format);
    if (existing) return readBlob(row.number, existing.path, existing.sha256);
    const { json, doc } = await documentOf(row);
    let body: Buffer;
    let bundle: LedgerBundle | null = null;
    if (format === 'pdf') {
      // The inclusion proof exists once the entry is sequenced: bundleFor sequences on demand.
      bundle = await deps.ledger.bundleFor('reports', row.number);
      body = await renderReportPdf({ doc, json, bundle });
    } else {
      body = Buffer.from(await renderReportHtml(doc), 'utf8');
    }
    const blob = blobPath(row.number, format);
    const sha256 = sha256Hex(body);
    const sm3 = sm3Hex(body);
    const inserted = await db.transaction().execute(async (trx) => {
      const ok = await repo.insertRendition(trx, {
        number: row.number,
        format,
        uscc: row.uscc,
        path: blob.rel,
        sha256,
        sm3,
        bytes: body.length,
        ledger_bundle: bundle ? JSON.stringify(bundle) : null,
      });
      if (ok) {
        await writeBlob(blob.abs, body);
        await enqueueLedgerEntries(trx, [
          {
            entryType: 'report',
            refTable: 'report_renditions',
            refId: `${row.number}:${format}`,
            uscc: row.uscc,
            payload: { number: row.number, format, sha256, sm3, json_sha256: row.json_sha256 },
          },
        ]);
      }
      return ok;
    });
    if (inserted) return body;
    const stored = await repo.findRendition(db, row.number, format);
    return readBlob(row.number, stored!.path, stored!.sha256);
  }

  async function getReportFile(actor: Actor, rawNumber: string, format: ReportFormat): Promise<ReportFile> {
    const row = await getRow(actor, rawNumber);
    const body =
      format === 'json'
        ? await readBlob(row.number, row.json_path, row.json_sha256)
        : await rendition(row, format);
    return {
      meta: metaOf(row),
      format,
      contentType: contentTypes[format],
      filename: `${row.number}.${format}`,
      body,
    };
  }

  async function verifyNumber(rawNumber: string): Promise<VerifyByNumberView> {
    const number = parseReportNumber(rawNumber);
    if (!number) throw new AppError('report_number_invalid', { number: rawNumber });
    const row = await repo.findReport(db, number);
    if (!row) throw new AppError('report_not_found', { number });
    let index = await deps.ledger.leafIndexFor('reports', number);
    // Size of the latest signed checkpoint (0 before the first one).
    const signed = async () => {
      try {
        return (await deps.ledger.latestCheckpoint()).treeSize;
      } catch (e) {
        if (isAppError(e) && e.code === 'ledger_empty') return 0;
        throw e;
      }
    };
    if (index === undefined || index >= (await signed())) {
      await deps.ledger.sequenceNow();
      index = await deps.ledger.leafIndexFor('reports', number);
    }
    if (index === undefined) {
      throw new AppError('ledger_entry_not_found', { refTable: 'reports', refId: number });
    }
    const proof = await deps.ledger.inclusionProof(index);
    const entry = await deps.ledger.entry(index);
    const cp = await deps.ledger.latestCheckpoint();
    // Authentic when the ledger's entry names this report and commits to the digest stored for it, and
    // the stored JSON still has that digest.
    const p = entry.payload;
    let blobOk = true;
    try {
      await readBlob(row.number, row.json_path, row.json_sha256);
    } catch {
      blobOk = false;
    }
    const ledgerOk = p.json_sha256 === row.json_sha256 && p.number === number && p.type === row.report_type;
    const valid = ledgerOk && blobOk;
    const renditions = await Promise.all(
      (['html', 'pdf'] as const).map(async (f) => {
        const r = await repo.findRendition(db, number, f);
        return r ? { format: f, sha256: r.sha256 } : null;
      }),
    );
    return {
      authentic: valid,
      valid,
      reason: valid
        ? {
            zh: `报告由本平台于 ${new Date(row.issued_at).toISOString()} 出具，摘要已记入账本第 ${index} 号叶子`,
            en: `issued by this platform at ${new Date(row.issued_at).toISOString()}; its digest is ledger leaf ${index}`,
          }
        : {
            zh: '报告登记信息与账本或存储文件不一致',
            en: 'the registered report differs from the ledger or its stored file',
          },
      number,
      type: row.report_type,
      typeLabel: reportTypeLabels[row.report_type as ReportType],
      uscc: row.uscc,
      subjectName: row.subject_name,
      issuedAt: new Date(row.issued_at).toISOString(),
      digest: row.json_sha256,
      sm3: row.json_sm3,
      renditions: renditions.filter((r): r is { format: 'html' | 'pdf'; sha256: string } => r !== null),
      leafIndex: index,
      treeSize: proof.treeSize,
      hashAlgorithm: proof.hashAlgorithm,
      leafHash: proof.leafHash,
      rootHash: proof.rootHash,
      inclusionProof: proof.proof,
      checkpoint: proof.checkpoint ?? cp.note,
      entry: entry.canonical,
    };
  }

  async function verifyFile(bytes: Buffer): Promise<VerifyUploadView> {
    const pk = deps.ledger.publicKey();
    const key = {
      keyName: pk.keyName,
      algorithm: pk.algorithm,
      publicKeyHex: pk.publicKeyHex,
      ...(pk.userId ? { userId: pk.userId } : {}),
    };
    const digest = sha256Hex(bytes);
    if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
      const v = await verifyReportPdf(bytes, key);
      const exact = await repo.findRenditionByDigest(db, digest);
      const row = v.number ? await repo.findReport(db, v.number) : undefined;
      return { ...v, exactCopy: !!exact, registered: !!row && row.json_sha256 === v.digest };
    }
    const text = bytes.toString('utf8').trim();
    if (!text.startsWith('{')) {
      // An HTML (or any stored) rendition: authentic when it is byte for byte one the platform issued.
      const copy = await repo.findRenditionByDigest(db, digest);
      if (!copy) throw new AppError('report_file_unrecognized');
      const byNumber = await verifyNumber(copy.number);
      return {
        valid: byNumber.valid,
        message: byNumber.reason,
        keyTrusted: true,
        checks: [
          {
            code: 'digest',
            ok: true,
            message: {
              zh: `文件与报告 ${copy.number} 的 ${copy.format} 版本逐字节一致`,
              en: `byte-identical to the ${copy.format} of ${copy.number}`,
            },
          },
        ],
        number: byNumber.number,
        type: byNumber.type,
        uscc: byNumber.uscc,
        subjectName: byNumber.subjectName,
        issuedAt: byNumber.issuedAt,
        digest,
        leafIndex: byNumber.leafIndex,
        treeSize: byNumber.treeSize,
        exactCopy: true,
        registered: true,
      };
    }
    const row = await repo.findReportByJsonDigest(db, digest);
    if (!row) {
      return {
        valid: false,
        keyTrusted: true,
        checks: [],
        digest,
        message: {
          zh: '本平台未出具摘要为该值的报告（文件被改动或不是本平台的报告）',
          en: 'no report with this digest was issued here (altered, or not ours)',
        },
        exactCopy: false,
        registered: false,
      };
    }
    const bundle = await deps.ledger.bundleFor('reports', row.number);
    const v = verifyReportJsonFile(bytes.toString('utf8'), bundle, key);
    return { ...v, exactCopy: true, registered: true };
  }

  async function listMine(
    actor: Actor,
    q: { uscc?: string | undefined; limit?: number | undefined; before?: string | undefined },
  ): Promise<ReportMeta[]> {
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const before = q.before ? new Date(q.before) : undefined;
    let rows: repo.ReportRow[];
    switch (actor.type) {
      case 'enterprise':
        if (!actor.uscc) throw new AppError('forbidden');
        rows = await repo.listReports(db, {
          uscc: actor.uscc,
          subjectTypes: ['self', 'special'],
          requesterId: actor.id,
          beforeIssuedAt: before,
          limit,
        });
        break;
      case 'institution':
      case 'institution_system':
        if (!actor.orgId) throw new AppError('forbidden');
        rows = await repo.listReports(db, {
          requesterOrg: actor.orgId,
          uscc: q.uscc,
          beforeIssuedAt: before,
          limit,
        });
        break;
      case 'operator':
      case 'system':
        rows = await repo.listReports(db, { uscc: q.uscc, beforeIssuedAt: before, limit });
        break;
      case 'anonymous':
        throw new AppError('unauthenticated');
      default:
        rows = await repo.listReports(db, { requesterId: actor.id, beforeIssuedAt: before, limit });
    }
    return rows.map(metaOf);
  }

  return {
    createReport,
    getReportFile,
    /** The frozen document (parsed JSON), for callers that need fields rather than bytes. */
    async getDocument(actor: Actor, number: string): Promise<ReportDocument> {
      return (await documentOf(await getRow(actor, number))).doc;
    },
    async getMeta(actor: Actor, number: string): Promise<ReportMeta> {
      return metaOf(await getRow(actor, number));
    },
    listMine,
    verifyNumber,
    verifyFile,
    /** The stored ledger bundle of a report's entry (PDF renditions embed it). */
    async bundle(actor: Actor, number: string): Promise<LedgerBundle> {
      const row = await getRow(actor, number);
      const b = parseBundle(await deps.ledger.bundleFor('reports', row.number));
      if (!b) throw new AppError('ledger_entry_not_found', { refTable: 'reports', refId: row.number });
      return b;
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
