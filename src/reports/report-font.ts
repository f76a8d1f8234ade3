import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';

/**
 * The CJK font reports are set in: Noto Sans CJK SC (思源黑体, SIL Open Font Licence 1.1) from the npm
 * package @embedpdf/fonts-sc, so `npm install` is enough on a fresh machine (no system fonts needed).
 * REPORT_FONT may name another TTF/OTF file. It is parsed once per process; pdfkit embeds only the
 * glyphs a report uses (a subset), with a ToUnicode map, so the text stays extractable.
 */

export interface ReportFont {
  font: fontkit.Font;
  /** SHA-256 (hex, first 16) of the font file: part of the renderer's identity. */
  fileDigest: string;
  /** Advance width of a character at size 1 (pt per pt of font size). */
  advance(ch: string): number;
  path: string;
}

let cached: ReportFont | undefined;

export function reportFontPath(): string {
  if (process.env.REPORT_FONT) return path.resolve(process.env.REPORT_FONT);
  const require = createRequire(import.meta.url);
  // The package exports only its index (dist/index.cjs); the fonts sit in fonts/ beside dist/.
  const pkg = path.dirname(path.dirname(require.resolve('@embedpdf/fonts-sc')));
  return path.join(pkg, 'fonts', 'NotoSansHans-Regular.otf');
}

export function loadReportFont(): ReportFont {
  if (cached) return cached;
  const file = reportFontPath();
  const bytes = fs.readFileSync(file);
  const font = fontkit.create(bytes);
  const widths = new Map<number, number>();
  const scale = 1 / font.unitsPerEm;
  cached = {
    font,
    fileDigest: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
    path: file,
    advance(ch) {
      const cp = ch.codePointAt(0)!;
      let w = widths.get(cp);
      if (w === undefined) {
        w = font.glyphForCodePoint(cp).advanceWidth * scale;
        widths.set(cp, w);
      }
      return w;
    },
  };
  return cached;
}
