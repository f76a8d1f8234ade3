import type { ReadRecord, ReadRecordsResult } from '../access/read-path.types.ts';
import { maskName, maskStyleOf, maskValue } from '../access/masking.ts';
import type { Catalog, CatalogKind } from '../catalog/catalog.schema.ts';
import type { PullSection } from '../connectors/connectors.schemas.ts';
import type { ResolvedSection } from './report-layout.ts';
import {
  REPORT_FORMAT,
  reportTypeLabels,
  type Bilingual,
  type ReportDocument,
  type ReportEvaluation,
  type ReportField,
  type ReportKind,
  type ReportRecord,
  type ReportSection,
  type ReportType,
} from './report.types.ts';

/**
 * Builds the report document from what the one read path returned (and, for full and self reports,
 * the on-demand pulls and the evaluation). Pure: no database, no clock — the service passes the time.
 * Rules per type (docs/decisions/0091-report-types-and-access.md):
 * - public: the read path's public view (公开 kinds, personal fields masked, repaired and expired
 *   records left out); the legal representative's name masked.
 * - full: the read path under the consent, plus pulled sections (unavailable ones with the reason).
 * - self: everything the read path shows the subject, marks 已修复 / 异议处理中 / 已撤回 / 公示期满 kept.
 * - special: penalties, enforcement, serious-dishonesty lists, court enforcement and criminal judgments
 *   dated within the window; repaired records kept and marked 已修复; withdrawn ones left out (a
 *   provider withdrew them: they are not findings); personal fields masked (the report is handed to third
 *   parties).
 */

export const EMPTY_NOTE: Bilingual = { zh: '本节无记录', en: 'No records in this section' };
export const NO_RECORD_NOTE: Bilingual = { zh: '无记录', en: 'No records' };

export interface BuildInput {
  type: ReportType;
  number: string;
  issuedAt: Date;
  issuer: Bilingual;
  requester: { type: string; name: string; orgId: string | null };
  purpose: { code: string; zh: string; en: string } | null;
  consent: { id: string; validUntil: string | null } | null;
  window: { years: number; from: string; to: string } | null;
  catalog: Catalog;
  read: ReadRecordsResult;
  sections: ResolvedSection[];
  /** Pulled sections by kind (full and self reports). */
  pulls?: Map<string, PullSection>;
  evaluation?: ReportEvaluation | null;
  verifyUrl: string;
}

function chinaDateTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function fieldsOf(kind: CatalogKind): ReportField[] {
  return kind.fields.map((f) => {
    const out: ReportField = { code: f.code, zh: f.label_zh, en: f.label_en, type: f.type };
    if (f.unit) out.unit = f.unit;
    if (f.enum?.length) out.labels = Object.fromEntries(f.enum.map((e) => [e.value, e.label_zh]));
    return out;
  });
}

function maskPersonal(
  kind: CatalogKind,
  data: Record<string, unknown>,
): { data: Record<string, unknown>; masked: string[] } {
  const out = { ...data };
  const masked: string[] = [];
  for (const f of kind.fields) {
    if (f.sensitivity !== 'personal') continue;
    const v = out[f.code];
    if (v === undefined || v === null || v === '') continue;
    const m = maskValue(maskStyleOf(f), v);
    if (m !== v) {
      out[f.code] = m;
      masked.push(f.code);
    }
  }
  return { data: out, masked };
}

function toRecord(r: ReadRecord, kind: CatalogKind, type: ReportType): ReportRecord {
  let data = r.data;
  let masked = r.maskedFields;
  if (type === 'special') {
    const m = maskPersonal(kind, data);
    data = m.data;
    masked = [...new Set([...masked, ...m.masked])].sort();
  }
  return {
    recordId: r.recordId,
    version: r.version,
    occurredOn: r.occurredOn,
    marks: r.marks.map((m) => ({ code: m.code, zh: m.zh, en: m.en })),
    data,
    maskedFields: masked,
    leafIndex: r.leafIndex,
  };
}

function typeNotes(input: BuildInput): Bilingual[] {
  const notes: Bilingual[] = [
    {
      zh: `本报告由${input.issuer.zh}依据归集的信用信息生成，内容以报告生成时（${chinaDateTime(input.issuedAt)}）平台掌握的信息为准；各信息由数据提供单位负责（谁产生谁负责），如有异议可向平台提出。`,
      en: `Issued by ${input.issuer.en} from the credit information it holds at the time of issue; each provider is responsible for its data, and objections can be filed with the platform.`,
    },
  ];
  switch (input.type) {
    case 'public':
      notes.push({
        zh: '公开版仅包含依法公开的信息，自然人信息已脱敏；有条件共享信息须经信用主体授权方可查询；已修复及公示期满的信息不予展示。',
        en: 'The public edition holds public information only, with personal data masked; conditionally shared information needs the subject’s consent; repaired and expired records are not shown.',
      });
      break;
    case 'full':
      notes.push({
        zh: `本报告依据信用主体授权（授权编号 ${input.consent?.id ?? '—'}）生成，仅限授权用途使用，不得向第三方提供；按需调用的信息注明调用结果，无法获取的注明原因。`,
        en: `Issued under the subject’s consent ${input.consent?.id ?? '—'}, for the consented purpose only; on-demand sections state their outcome and why any could not be obtained.`,
      });
      break;
    case 'self':
      notes.push({
        zh: '本人查询版包含平台掌握的该主体全部信息；已修复、异议处理中、已撤回及公示期满的记录已分别标注。',
        en: 'The self edition holds everything the platform has on the subject; repaired, disputed, withdrawn and expired records are marked.',
      });
      break;
    case 'special':
      notes.push({
        zh: `本报告覆盖 ${input.window?.from} 至 ${input.window?.to}（${input.window?.years} 年），载明该期间的行政处罚（含简易程序）、行政强制、严重失信主体名单、法院强制执行与失信被执行人、刑事裁判信息，可替代相关领域无违法违规证明（发改财金〔2025〕565号）；已修复的信息标注“已修复”，各节无记录的注明“无记录”。`,
        en: `Covers ${input.window?.from} to ${input.window?.to} (${input.window?.years} years): administrative penalties, enforcement, serious-dishonesty lists, court enforcement and dishonest debtors, criminal judgments; it replaces certificates of no violations (发改财金〔2025〕565号). Repaired items are marked; clean sections say “no records”.`,
      });
      break;
  }
  notes.push({
    zh: `报告真伪可访问 ${input.verifyUrl} 或扫描二维码核验；PDF 文件内嵌报告数据和账本证明，可使用 xinrong report verify 离线核验。`,
    en: `Verify at ${input.verifyUrl} or by the QR code; the PDF embeds the report data and a ledger proof for offline checking (xinrong report verify).`,
  });
  return notes;
}

export function buildReportDocument(input: BuildInput): ReportDocument {
  const { type, catalog, read } = input;
  const kindsByCode = new Map(catalog.kinds.map((k) => [k.code, k]));
  const shownRecords = new Map<string, ReadRecord[]>();
  for (const s of read.sections) for (const k of s.kinds) shownRecords.set(k.code, k.records);
  const withheld = new Map(read.withheld.map((w) => [w.kind, w.reason]));

  const sections: ReportSection[] = [];
  let total = 0;
  for (const rs of input.sections) {
    const def = rs.def;
    const no = sections.length + 1;
    if (def.synthetic === 'evaluation') {
      if (type === 'special') continue;
      const ev = input.evaluation ?? {
        available: false,
        note: { zh: '本报告类型不含信用评价', en: 'Not part of this report type' },
      };
      sections.push({
        code: def.code,
        no,
        title: def.title,
        kinds: [],
        recordCount: 0,
        emptyNote: ev.available ? null : (ev.note ?? EMPTY_NOTE),
        evaluation: ev,
      });
      continue;
    }
    const kinds: ReportKind[] = [];
    let count = 0;
    for (const code of rs.kinds) {
      const kind = kindsByCode.get(code)!;
      const reason = withheld.get(code);
      const shown = shownRecords.get(code);
      if (!shown) {
        kinds.push({
          code,
          title: { zh: kind.name_zh, en: kind.name_en },
          status: 'withheld',
          reason: reason ?? { zh: '本报告类型不含该信息项', en: 'Not part of this report type' },
          fields: [],
          records: [],
        });
        continue;
      }
      let records = shown;
      if (type === 'special') {
        records = records.filter((r) => r.status !== 'withdrawn');
        const f = def.recordFilter;
        if (f) records = records.filter((r) => String(r.data[f.field] ?? '').includes(f.contains));
      }
      const rk: ReportKind = {
        code,
        title: { zh: kind.name_zh, en: kind.name_en },
        status: 'shown',
        reason: def.recordFilter?.note ?? null,
        fields: fieldsOf(kind),
        records: records.map((r) => toRecord(r, kind, type)),
      };
      const pulled = input.pulls?.get(code);
      if (pulled) {
        rk.pulled = {
          status: pulled.status,
          reason: pulled.reason,
          providerId: pulled.providerId,
          fetchedAt: pulled.fetchedAt,
          digest: pulled.digest,
          records: pulled.data ?? [],
        };
      }
      count += rk.records.length + (rk.pulled?.records.length ?? 0);
      kinds.push(rk);
    }
    total += count;
    let emptyNote: Bilingual | null = null;
    if (count === 0) {
      if (def.synthetic === 'commitments' && kinds.length === 0) {
        emptyNote = {
          zh: '本节无记录（信用承诺和自愿填报信息尚未开通报送）',
          en: 'No records in this section (commitments and voluntary declarations are not collected yet)',
        };
      } else if (type === 'special') {
        emptyNote = {
          zh: `无记录：${input.window?.from} 至 ${input.window?.to} 期间未发现${def.title.zh}`,
          en: `No records: none found between ${input.window?.from} and ${input.window?.to}`,
        };
      } else if (kinds.length > 0 && kinds.every((k) => k.status === 'withheld')) {
        emptyNote = {
          zh: '本节信息不在本报告类型的范围内（见各项说明）',
          en: 'This section is outside this report type (see each item)',
        };
      } else {
        emptyNote = EMPTY_NOTE;
      }
    }
    sections.push({ code: def.code, no, title: def.title, kinds, recordCount: count, emptyNote });
  }

  const s = read.subject;
  return {
    format: REPORT_FORMAT,
    number: input.number,
    type,
    title: reportTypeLabels[type],
    issuer: input.issuer,
    issuedAt: input.issuedAt.toISOString(),
    issuedAtChina: chinaDateTime(input.issuedAt),
    requester: input.requester,
    purpose: input.purpose,
    consent: input.consent,
    window: input.window,
    catalogVersion: read.catalogVersion,
    subject: {
      uscc: s.uscc,
      name: s.name,
      subjectType: s.subjectType,
      regionCode: s.regionCode,
      industryCode: s.industryCode,
      legalRepName:
        s.legalRepName && (type === 'public' || type === 'special')
          ? maskName(s.legalRepName)
          : s.legalRepName,
      registrationStatus: s.registrationStatus,
      establishedOn: s.establishedOn,
    },
    sections,
    recordCount: total,
    notes: typeNotes(input),
    verifyUrl: input.verifyUrl,
  };
}
