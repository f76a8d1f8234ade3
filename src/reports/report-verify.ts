import { createHash } from 'node:crypto';
import { canonicalJson } from '../ledger/canonical.ts';
import { verifyBundle, type LedgerBundle, type LedgerPublicKey } from '../ledger/verify-offline.ts';
import { readPdf, PdfReadError } from './pdf-extract.ts';
import { blockTexts, pageArtifacts, reportBlocks, squash } from './report-blocks.ts';
import { EMBEDDED_BUNDLE, EMBEDDED_REPORT, rendererId, renderReportPdf } from './report-pdf.ts';
import { REPORT_FORMAT, type Bilingual, type ReportDocument } from './report.types.ts';

/**
 * Offline verification of a report file (docs/decisions/0092-report-verification.md). No database, no
 * network: a PDF carries its canonical JSON and a ledger bundle. A report is authentic when
 * 1. the bundle's checkpoint is signed and its inclusion proof leads from the entry to the signed root
 *    (`verifyBundle`; pass the platform's published key to rule out a re-signed bundle);
 * 2. the entry is a `report` entry about this report number, and its `json_sha256` is the SHA-256 of
 *    the embedded JSON, which is in canonical form;
 * 3. the text drawn on the pages equals the text the JSON yields (report-blocks.ts), whitespace aside,
 *    and every page carries the expected header, page number and watermark.
 * 4. a PDF made by this very renderer re-renders byte for byte from its embedded JSON and bundle.
 * No database and no network; keep it that way (the CLI runs it on files from anywhere).
 */

export interface VerifyCheck {
  code:
    | 'readable'
    | 'embedded_json'
    | 'embedded_bundle'
    | 'ledger_proof'
    | 'digest'
    | 'visible_text'
    | 'page_furniture'
    | 'rendering';
  ok: boolean;
  message: Bilingual;
}

export interface ReportVerdict {
  valid: boolean;
  message: Bilingual;
  checks: VerifyCheck[];
  /** Whether the checkpoint was checked against a key the caller trusts (else the bundle's own key). */
  keyTrusted: boolean;
  number?: string;
  type?: string;
  uscc?: string;
  subjectName?: string;
  issuedAt?: string;
  digest?: string;
  leafIndex?: number;
  treeSize?: number;
  checkpointAt?: string;
}

export const sha256Hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function finish(checks: VerifyCheck[], base: Partial<ReportVerdict>, keyTrusted: boolean): ReportVerdict {
  const failed = checks.filter((c) => !c.ok);
  const valid = failed.length === 0 && checks.length > 0;
  return {
    ...base,
    valid,
    keyTrusted,
    checks,
    message: valid
      ? {
          zh: `报告真实有效：报告数据与账本记录一致，页面文字与报告数据一致${keyTrusted ? '' : '（检查点由文件自带公钥签名，请与平台公布的公钥核对）'}`,
          en: `authentic: the report data matches the ledger and the pages match the data${keyTrusted ? '' : " (checkpoint signed by the key inside the file: compare it with the platform's published key)"}`,
        }
      : {
          zh: `报告未通过验证：${failed.map((c) => c.message.zh).join('；')}`,
          en: `not authentic: ${failed.map((c) => c.message.en).join('; ')}`,
        },
  };
}

/** Checks the canonical JSON against a ledger bundle (steps 1 and 2). */
export function verifyReportJson(
  json: string,
  bundle: unknown,
  publicKey?: LedgerPublicKey,
): { checks: VerifyCheck[]; doc?: ReportDocument; base: Partial<ReportVerdict> } {
  const checks: VerifyCheck[] = [];
  let doc: ReportDocument | undefined;
  try {
    const parsed = JSON.parse(json) as ReportDocument;
    if (parsed?.format !== REPORT_FORMAT || typeof parsed.number !== 'string') throw new Error('format');
    if (canonicalJson(parsed) !== json) throw new Error('not canonical');
    doc = parsed;
    checks.push({
      code: 'embedded_json',
      ok: true,
      message: { zh: '报告数据完整', en: 'report data present' },
    });
  } catch {
    checks.push({
      code: 'embedded_json',
      ok: false,
      message: {
        zh: '报告数据缺失、无法解析或不是规范格式',
        en: 'report data missing, unreadable or not canonical',
      },
    });
  }
  const digest = sha256Hex(json);
  const base: Partial<ReportVerdict> = { digest };
  if (doc) {
    Object.assign(base, {
      number: doc.number,
      type: doc.type,
      uscc: doc.subject?.uscc,
      subjectName: doc.subject?.name,
      issuedAt: doc.issuedAt,
    });
  }
  if (bundle === undefined) {
    checks.push({
      code: 'embedded_bundle',
      ok: false,
      message: { zh: '缺少账本证明包', en: 'no ledger bundle' },
    });
    return { checks, doc, base };
  }
  const v = verifyBundle(bundle, publicKey);
  checks.push({ code: 'ledger_proof', ok: v.valid, message: v.message });
  if (v.valid && v.entry) {
    base.leafIndex = (bundle as { leafIndex: number }).leafIndex;
    base.treeSize = v.treeSize;
    base.checkpointAt = v.timestamp;
    const e = v.entry;
    const p = e.payload;
    const problems: string[] = [];
    if (e.entryType !== 'report' || e.refTable !== 'reports') problems.push('entry type');
    if (doc && e.refId !== doc.number) problems.push('number');
    if (doc && (p.number !== doc.number || p.type !== doc.type || e.uscc !== doc.subject.uscc)) {
      problems.push('subject/type');
    }
    if (p.json_sha256 !== digest) problems.push('digest');
    checks.push(
      problems.length
        ? {
            code: 'digest',
            ok: false,
            message: {
              zh: `报告数据与账本记录不符（${problems.join('、')}）`,
              en: `the report data differs from the ledger entry (${problems.join(', ')})`,
            },
          }
        : {
            code: 'digest',
            ok: true,
            message: { zh: '报告数据摘要与账本一致', en: 'report digest matches the ledger' },
          },
    );
  }
  return { checks, doc, base };
}

/** Verifies a report PDF from its bytes alone. */
export async function verifyReportPdf(pdf: Buffer, publicKey?: LedgerPublicKey): Promise<ReportVerdict> {
  const checks: VerifyCheck[] = [];
  let contents: ReturnType<typeof readPdf>;
  try {
    contents = readPdf(pdf);
    checks.push({ code: 'readable', ok: true, message: { zh: 'PDF 可读取', en: 'PDF readable' } });
  } catch (e) {
    const why = e instanceof PdfReadError ? e.message : 'unreadable';
    checks.push({
      code: 'readable',
      ok: false,
      message: { zh: `PDF 文件已损坏（${why}）`, en: `the PDF is damaged (${why})` },
    });
    return finish(checks, {}, publicKey !== undefined);
  }
  const jsonBuf = contents.files.get(EMBEDDED_REPORT);
  const bundleBuf = contents.files.get(EMBEDDED_BUNDLE);
  let bundle: unknown;
  if (bundleBuf) {
    try {
      bundle = JSON.parse(bundleBuf.toString('utf8'));
    } catch {
      bundle = null;
    }
  }
  const json = jsonBuf?.toString('utf8') ?? '';
  const r = verifyReportJson(json, bundle, publicKey);
  checks.push(...r.checks);
  if (r.doc) {
    const doc = r.doc;
    const expected = squash(reportBlocks(doc).flatMap(blockTexts).join(''));
    const drawn = squash(contents.pages.flatMap((p) => p.body).join(''));
    checks.push(
      expected === drawn
        ? {
            code: 'visible_text',
            ok: true,
            message: { zh: '页面文字与报告数据一致', en: 'the visible text matches the data' },
          }
        : {
            code: 'visible_text',
            ok: false,
            message: {
              zh: '页面文字与报告数据不一致（页面被改动）',
              en: 'the visible text differs from the data (pages altered)',
            },
          },
    );
    const n = contents.pages.length;
    const furnitureOk = contents.pages.every(
      (p, i) => squash(p.artifacts.join('')) === squash(pageArtifacts(doc, i + 1, n).join('')),
    );
    checks.push(
      furnitureOk
        ? {
            code: 'page_furniture',
            ok: true,
            message: { zh: '页眉、页码和水印一致', en: 'headers, page numbers and watermark match' },
          }
        : {
            code: 'page_furniture',
            ok: false,
            message: { zh: '页眉、页码或水印被改动', en: 'a header, page number or watermark was altered' },
          },
    );
  }
  // 4. Re-rendering: a PDF made by this renderer (same layout, pdfkit and font) must come out byte for
  // byte from its own JSON and bundle; this also covers what text extraction cannot see (glyph outlines
  // of the embedded font, drawings, the QR code). A PDF from another renderer version is judged by 1–3.
  if (r.doc && bundle && checks.every((c) => c.ok)) {
    if (contents.producer === rendererId()) {
      const again = await renderReportPdf({ doc: r.doc, json, bundle: bundle as LedgerBundle });
      checks.push(
        again.equals(pdf)
          ? {
              code: 'rendering',
              ok: true,
              message: { zh: '重新生成的 PDF 与文件逐字节一致', en: 're-rendered PDF is byte-identical' },
            }
          : {
              code: 'rendering',
              ok: false,
              message: {
                zh: 'PDF 与依据其内嵌数据重新生成的文件不一致（字体、图形或结构被改动）',
                en: 'the PDF differs from its re-rendering (font, drawings or structure altered)',
              },
            },
      );
    }
  }
  return finish(checks, r.base, publicKey !== undefined);
}

/** A report JSON file with its bundle (both from the platform): steps 1 and 2. */
export function verifyReportJsonFile(
  json: string,
  bundle: unknown,
  publicKey?: LedgerPublicKey,
): ReportVerdict {
  const r = verifyReportJson(json, bundle, publicKey);
  return finish(r.checks, r.base, publicKey !== undefined);
}
