import QRCode from 'qrcode';
import { pageArtifacts, reportBlocks, watermarkText, type Block } from './report-blocks.ts';
import type { ReportDocument } from './report.types.ts';

/**
 * The HTML edition: print-ready (A4 page box, margins, repeated watermark, page numbers through CSS
 * paged media), self-contained (inline CSS and SVG QR code, no scripts), showing the same blocks as the
 * PDF (report-blocks.ts). Every value is HTML-escaped: record data comes from providers.
 */

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function blockHtml(b: Block): string {
  switch (b.t) {
    case 'title':
      return `<header class="title"><h1>${esc(b.text)}</h1><p class="sub">${esc(b.sub)}</p></header>`;
    case 'meta':
      return `<div class="meta"><span class="label">${esc(b.label)}</span><span class="value">${esc(b.value)}</span></div>`;
    case 'h1':
      return `<h2>${esc(b.text)}</h2>`;
    case 'h2':
      return `<h3>${esc(b.text)}</h3>`;
    case 'note':
      return `<p class="note">${esc(b.text)}</p>`;
    case 'record':
      return `<div class="record${b.marked ? ' marked' : ''}"><div class="head">${esc(b.head)}</div>${
        b.body ? `<div class="body">${esc(b.body)}</div>` : ''
      }</div>`;
    case 'p':
      return `<p>${esc(b.text)}</p>`;
  }
}

export async function renderReportHtml(doc: ReportDocument): Promise<string> {
  const qr = await QRCode.toString(doc.verifyUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 0 });
  const [, header] = pageArtifacts(doc, 1, 1);
  const body = reportBlocks(doc).map(blockHtml).join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="report-number" content="${esc(doc.number)}">
<title>${esc(doc.title.zh)} ${esc(doc.number)}</title>
<style>
@page { size: A4; margin: 20mm 18mm 20mm 18mm;
  @top-left { content: "${esc(header ?? '')}"; font-size: 8pt; color: #777; }
  @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 8pt; color: #777; } }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 10pt; color: #000; }
body { margin: 0 auto; max-width: 174mm; }
.watermark { position: fixed; top: 45%; left: 0; right: 0; text-align: center; transform: rotate(-30deg);
  font-size: 18pt; color: rgba(120, 135, 150, 0.18); pointer-events: none; z-index: 10; white-space: nowrap; }
.title { text-align: center; margin: 8mm 0 6mm; }
.title h1 { font-size: 18pt; margin: 0; font-weight: 600; }
.sub { color: #555; margin: 2mm 0 0; }
.qr { float: right; width: 26mm; height: 26mm; }
.meta { display: flex; gap: 4mm; line-height: 1.6; }
.meta .label { width: 52mm; color: #555; font-size: 9pt; flex: none; }
h2 { font-size: 13pt; color: #1a3c6e; border-bottom: 0.5pt solid #1a3c6e; margin: 6mm 0 2mm; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 3mm 0 1mm 2mm; break-after: avoid; }
.note { color: #666; font-size: 9pt; margin: 1mm 0 1mm 4mm; }
.record { margin: 1.5mm 0 0 4mm; font-size: 9pt; break-inside: avoid; }
.record .head { color: #333; }
.record.marked .head { color: #b00020; }
.record .body { margin-left: 4mm; line-height: 1.5; }
p { line-height: 1.5; }
@media screen { body { padding: 10mm; } }
</style>
</head>
<body>
<div class="watermark" aria-hidden="true">${esc(watermarkText(doc))}</div>
<div class="qr" title="${esc(doc.verifyUrl)}"><a href="${esc(doc.verifyUrl)}">${qr}</a></div>
${body}
</body>
</html>
`;
}
