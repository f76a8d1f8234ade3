import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LedgerBundle } from '../ledger/verify-offline.ts';
import { blockTexts, pageArtifacts, reportBlocks, type Block } from './report-blocks.ts';
import type * as fontkit from 'fontkit';
import { loadReportFont, type ReportFont } from './report-font.ts';
import type { ReportDocument } from './report.types.ts';

/**
 * The PDF edition (A4). Deterministic: the same report document, JSON and bundle give the same bytes
 * (creation date and file ID come from the issue time; the font subset is named from its id; no
 * random or clock input), so a frozen PDF can be re-rendered to the same digest.
 *
 * Embedded (PDF attachments, also listed in the document's AF array):
 * - `report.json`: the canonical report JSON (its SHA-256 is the ledger entry's digest);
 * - `ledger-bundle.json`: the ledger bundle (entry, inclusion proof, signed checkpoint, public key).
 * Body text is drawn in the order of `reportBlocks`; the header, footer (第 x 页 / 共 y 页) and the
 * watermark are marked content `/Artifact`, so the verifier can tell them from the body.
 */

// pdfkit exports no package.json subpath: read it beside its entry point (js/pdfkit.js).
const pdfkitVersion = (
  JSON.parse(
    fs.readFileSync(
      path.join(path.dirname(path.dirname(createRequire(import.meta.url).resolve('pdfkit'))), 'package.json'),
      'utf8',
    ),
  ) as { version: string }
).version;

export const EMBEDDED_REPORT = 'report.json';
export const EMBEDDED_BUNDLE = 'ledger-bundle.json';

/**
 * Identity of this renderer: layout version, pdfkit version and font file. The same identity renders the
 * same bytes from the same inputs, so the verifier re-renders and compares (a PDF made by another
 * identity is checked on its text only).
 */
export const RENDERER_LAYOUT = 'xinrong-report-pdf/2';
export function rendererId(): string {
  return `${RENDERER_LAYOUT} pdfkit/${pdfkitVersion} font/${loadReportFont().fileDigest}`;
}

const A4 = { w: 595.28, h: 841.89 };
const M = { left: 56, right: 56, top: 60, bottom: 60 };
const WIDTH = A4.w - M.left - M.right;

interface Style {
  size: number;
  color: string;
  indent: number;
  before: number;
  lead: number;
}
const styles: Record<string, Style> = {
  title: { size: 18, color: '#000000', indent: 0, before: 0, lead: 1.5 },
  sub: { size: 10, color: '#555555', indent: 0, before: 0, lead: 1.6 },
  label: { size: 9, color: '#555555', indent: 0, before: 2, lead: 1.45 },
  value: { size: 9.5, color: '#000000', indent: 150, before: 0, lead: 1.45 },
  h1: { size: 13, color: '#1a3c6e', indent: 0, before: 12, lead: 1.5 },
  h2: { size: 10.5, color: '#000000', indent: 6, before: 6, lead: 1.5 },
  note: { size: 9, color: '#666666', indent: 12, before: 1, lead: 1.45 },
  head: { size: 9, color: '#333333', indent: 12, before: 3, lead: 1.45 },
  headMarked: { size: 9, color: '#b00020', indent: 12, before: 3, lead: 1.45 },
  body: { size: 9, color: '#000000', indent: 24, before: 0, lead: 1.45 },
  p: { size: 9.5, color: '#000000', indent: 0, before: 3, lead: 1.5 },
};

const cjk = /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F]/u;

/** Greedy line breaking: breaks after any CJK character or punctuation, or at spaces. */
export function wrapText(font: ReportFont, text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    // Units: one CJK character, a space, or a run of other characters (a Latin word, a number).
    const units =
      para.match(
        /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F]|\s+|[^\s\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F]+/gu,
      ) ?? [];
    let line = '';
    let w = 0;
    const widthOf = (s: string) => {
      let x = 0;
      for (const ch of s) x += font.advance(ch);
      return x * size;
    };
    for (const u of units) {
      const uw = widthOf(u);
      if (w + uw <= width || line === '') {
        if (line === '' && /^\s+$/u.test(u)) continue;
        if (uw > width && !cjk.test(u)) {
          // A word wider than the line: split it by character.
          for (const ch of u) {
            const cw = font.advance(ch) * size;
            if (w + cw > width && line !== '') {
              lines.push(line);
              line = '';
              w = 0;
            }
            line += ch;
            w += cw;
          }
          continue;
        }
        line += u;
        w += uw;
        continue;
      }
      lines.push(line.trimEnd());
      if (/^\s+$/u.test(u)) {
        line = '';
        w = 0;
      } else {
        line = u;
        w = uw;
      }
    }
    if (line.trim() !== '') lines.push(line.trimEnd());
  }
  return lines;
}

function verifyQr(url: string): { size: number; data: Uint8Array } {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
  return { size: qr.modules.size, data: qr.modules.data };
}

interface SimpleRun {
  glyphs: fontkit.Glyph[];
  positions: { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number; advanceWidth: number }[];
  advanceWidth: number;
}

/**
 * One glyph per character, advance widths from the font, no OpenType shaping. Report text is Chinese,
 * digits and Latin labels: shaping only adds Latin kerning and ligatures (fi, fl), and a ligature glyph
 * maps back to two characters, which is worse for text extraction. Shaping each line with fontkit's
 * GSUB/GPOS engine was most of the layout time (about 0.1–0.2 ms per line, a 300-record report has
 * ~1,000 lines). pdfkit's EmbeddedFont calls `layoutRun` for every uncached run; we replace it on this
 * document's font instance only (pdfkit's version is part of the renderer id, so a pdfkit upgrade that
 * changed this contract shows up as a different renderer, and the tests render and verify PDFs).
 */
function useSimpleLayout(pdf: PDFKit.PDFDocument, font: ReportFont): void {
  const embedded = (pdf as unknown as { _font: { scale: number; layoutRun: (text: string) => SimpleRun } })
    ._font;
  const scale = embedded.scale;
  embedded.layoutRun = (text: string): SimpleRun => {
    const glyphs: fontkit.Glyph[] = [];
    const positions: SimpleRun['positions'] = [];
    let advanceWidth = 0;
    for (const ch of text) {
      const g = font.font.glyphForCodePoint(ch.codePointAt(0)!);
      const w = g.advanceWidth * scale;
      glyphs.push(g);
      positions.push({ xAdvance: w, yAdvance: 0, xOffset: 0, yOffset: 0, advanceWidth: w });
      advanceWidth += w;
    }
    return { glyphs, positions, advanceWidth };
  };
}

export interface PdfInput {
  doc: ReportDocument;
  /** The canonical JSON text of `doc` (embedded as is). */
  json: string;
  bundle: LedgerBundle;
}

export async function renderReportPdf(input: PdfInput): Promise<Buffer> {
  const { doc } = input;
  const font = loadReportFont();
  const issued = new Date(doc.issuedAt);
  const pdf = new PDFDocument({
    size: 'A4',
    margins: M,
    bufferPages: true,
    autoFirstPage: true,
    compress: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: `${doc.title.zh} ${doc.number}`,
      Author: doc.issuer.zh,
      Subject: `${doc.subject.name} ${doc.subject.uscc}`,
      Keywords: `xinrong-report ${doc.number}`,
      Creator: 'xinrong',
      Producer: rendererId(),
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    pdf.on('end', () => resolve());
    pdf.on('error', reject);
  });

  pdf.registerFont('cjk', font.font as unknown as Buffer);
  pdf.font('cjk');
  useSimpleLayout(pdf, font);

  let y = M.top;
  const bottom = A4.h - M.bottom;
  const draw = (text: string, st: Style, extraIndent = 0) => {
    const x = M.left + st.indent + extraIndent;
    const lines = wrapText(font, text, st.size, WIDTH - st.indent - extraIndent);
    const lh = st.size * st.lead;
    pdf.fontSize(st.size).fillColor(st.color);
    for (const line of lines) {
      if (y + lh > bottom) {
        pdf.addPage();
        y = M.top;
        pdf.fontSize(st.size).fillColor(st.color);
      }
      pdf.text(line, x, y, { lineBreak: false });
      y += lh;
    }
  };

  // QR code (top right of the first page) linking to the verification page.
  const qr = verifyQr(doc.verifyUrl);
  const qrSize = 72;
  const cell = qrSize / qr.size;
  const qx = A4.w - M.right - qrSize;
  const qy = M.top - 10;
  for (let r = 0; r < qr.size; r++) {
    for (let c = 0; c < qr.size; c++) {
      if (qr.data[r * qr.size + c]) pdf.rect(qx + c * cell, qy + r * cell, cell + 0.01, cell + 0.01);
    }
  }
  pdf.fillColor('#000000').fill();
  pdf.link(qx, qy, qrSize, qrSize, doc.verifyUrl);

  const blocks: Block[] = reportBlocks(doc);
  for (const b of blocks) {
    switch (b.t) {
      case 'title':
        y += 18;
        draw(b.text, styles.title!);
        draw(b.sub, styles.sub!);
        y += 24;
        break;
      case 'meta': {
        const startPage = pdf.bufferedPageRange().count;
        const y0 = y;
        draw(b.label, styles.label!);
        const afterLabel = y;
        if (pdf.bufferedPageRange().count === startPage) y = y0;
        draw(b.value, styles.value!);
        y = Math.max(y, afterLabel);
        break;
      }
      case 'h1':
        y += styles.h1!.before;
        if (y + 60 > bottom) {
          pdf.addPage();
          y = M.top;
        }
        draw(b.text, styles.h1!);
        pdf
          .moveTo(M.left, y - 2)
          .lineTo(A4.w - M.right, y - 2)
          .lineWidth(0.5)
          .strokeColor('#1a3c6e')
          .stroke();
        y += 3;
        break;
      case 'h2':
        y += styles.h2!.before;
        draw(b.text, styles.h2!);
        break;
      case 'note':
        y += styles.note!.before;
        draw(b.text, styles.note!);
        break;
      case 'record':
        y += styles.head!.before;
        draw(b.head, b.marked ? styles.headMarked! : styles.head!);
        if (b.body) draw(b.body, styles.body!);
        break;
      case 'p':
        y += styles.p!.before;
        draw(b.text, styles.p!);
        break;
    }
  }
  void blockTexts;

  // Page furniture on every page, as artifacts: watermark (requester and time), header, page numbers.
  const range = pdf.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    pdf.switchToPage(range.start + i);
    const texts = pageArtifacts(doc, i + 1, range.count);
    pdf.markContent('Artifact', { type: 'Pagination' });
    pdf.save();
    pdf.fillColor('#9aa5b1').opacity(0.18).fontSize(18);
    pdf.rotate(-30, { origin: [A4.w / 2, A4.h / 2] });
    pdf.text(texts[0]!, 0, A4.h / 2 - 9, { width: A4.w, align: 'center', lineBreak: false });
    pdf.restore();
    pdf.fillColor('#777777').opacity(1).fontSize(8);
    pdf.text(texts[1]!, M.left, 30, { lineBreak: false });
    pdf.text(texts[2]!, A4.w / 2 - 40, A4.h - 38, { lineBreak: false });
    pdf.endMarkedContent();
  }

  const at = { creationDate: issued, modifiedDate: issued };
  // pdfkit supports AFRelationship; its type definitions do not list the option.
  const attach = (data: Buffer, opts: Record<string, unknown>) =>
    pdf.file(data, opts as PDFKit.Mixins.PDFAttachmentOptions);
  attach(Buffer.from(input.json, 'utf8'), {
    name: EMBEDDED_REPORT,
    type: 'application/json',
    description: '信用报告数据（规范化 JSON）/ canonical report JSON',
    relationship: 'Source',
    ...at,
  });
  attach(Buffer.from(JSON.stringify(input.bundle), 'utf8'), {
    name: EMBEDDED_BUNDLE,
    type: 'application/json',
    description: '账本证明包 / ledger proof bundle',
    relationship: 'Supplement',
    ...at,
  });
  pdf.end();
  await ended;
  return Buffer.concat(chunks);
}
