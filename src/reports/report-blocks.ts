import type { ReportDocument, ReportField, ReportRecord } from './report.types.ts';

/**
 * The visible content of a report as a flat list of blocks, derived from the report document alone.
 * The HTML and the PDF draw exactly these texts, in this order; the offline verifier recomputes them
 * from the JSON embedded in a PDF and compares them with the text drawn on its pages
 * (docs/decisions/0092-report-verification.md). Page furniture (watermark, page numbers) is separate:
 * `pageArtifacts`.
 */

export type Block =
  | { t: 'title'; text: string; sub: string }
  | { t: 'meta'; label: string; value: string }
  | { t: 'h1'; text: string }
  | { t: 'h2'; text: string }
  | { t: 'note'; text: string }
  | { t: 'record'; head: string; body: string; marked: boolean }
  | { t: 'p'; text: string };

const numerals = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
export function chineseNumeral(n: number): string {
  if (n <= 10) return numerals[n]!;
  if (n < 20) return `十${numerals[n - 10]}`;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${numerals[tens]}十${ones ? numerals[ones] : ''}`;
}

export function displayValue(field: ReportField | undefined, v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number') return field?.unit ? `${v} ${field.unit}` : String(v);
  if (typeof v === 'string') {
    const label = field?.labels?.[v];
    return label ?? v;
  }
  return JSON.stringify(v);
}

/** "label：value；label：value" of the fields that have a value, in catalog order. */
export function recordText(fields: ReportField[], data: Record<string, unknown>): string {
  const parts: string[] = [];
  const known = new Set<string>();
  for (const f of fields) {
    known.add(f.code);
    const s = displayValue(f, data[f.code]);
    if (s) parts.push(`${f.zh}：${s}`);
  }
  // Values of fields the catalog no longer lists are still shown (nothing held is hidden).
  for (const k of Object.keys(data).sort()) {
    if (known.has(k)) continue;
    const s = displayValue(undefined, data[k]);
    if (s) parts.push(`${k}：${s}`);
  }
  return parts.join('；');
}

function recordHead(i: number, r: ReportRecord): string {
  const marks = r.marks.map((m) => `【${m.zh}】`).join('');
  return `${i}. ${marks}${r.occurredOn ? `日期 ${r.occurredOn}` : '日期未载明'}`;
}

export const typeShort: Record<string, string> = {
  public: '公开版',
  full: '授权查询版',
  self: '本人查询版',
  special: '专项信用报告',
};

export function reportBlocks(doc: ReportDocument): Block[] {
  const b: Block[] = [];
  b.push({ t: 'title', text: doc.title.zh, sub: doc.title.en });
  const meta = (label: string, value: string | null | undefined) => {
    if (value) b.push({ t: 'meta', label, value });
  };
  meta('报告编号 Report No.', doc.number);
  meta('信用主体 Subject', doc.subject.name);
  meta('统一社会信用代码 USCC', doc.subject.uscc);
  meta('法定代表人 Legal representative', doc.subject.legalRepName);
  meta('登记状态 Status', doc.subject.registrationStatus);
  meta('成立日期 Established', doc.subject.establishedOn);
  meta('报告时间 Issued at', `${doc.issuedAtChina}（北京时间 UTC+8）`);
  meta('查询方 Requester', doc.requester.name);
  meta('查询用途 Purpose', doc.purpose ? `${doc.purpose.zh} ${doc.purpose.en}` : null);
  meta('授权编号 Consent', doc.consent?.id);
  meta(
    '报告期间 Period',
    doc.window ? `${doc.window.from} 至 ${doc.window.to}（${doc.window.years} 年）` : null,
  );
  meta('出具机构 Issuer', doc.issuer.zh);
  meta('信息条数 Records', String(doc.recordCount));

  for (const s of doc.sections) {
    b.push({ t: 'h1', text: `${chineseNumeral(s.no)}、${s.title.zh}  ${s.title.en}` });
    if (s.evaluation?.available) {
      const e = s.evaluation;
      b.push({
        t: 'p',
        text: `信用评分 Score：${e.score}；等级 Grade：${e.grade}${e.gradeLabel ? `（${e.gradeLabel.zh}）` : ''}；模型版本 Model：${e.modelVersion}；评价基准日 As of：${e.asOf}`,
      });
      for (const r of e.reasons ?? []) {
        b.push({
          t: 'p',
          text: `· ${r.zh}（扣 ${r.pointsLost} 分${r.disputed ? '，涉及异议处理中的信息' : ''}）`,
        });
      }
      continue;
    }
    if (s.emptyNote && s.kinds.length === 0) {
      b.push({ t: 'note', text: `${s.emptyNote.zh} / ${s.emptyNote.en}` });
      continue;
    }
    if (s.emptyNote && doc.type === 'special') {
      b.push({ t: 'note', text: `${s.emptyNote.zh} / ${s.emptyNote.en}` });
      continue;
    }
    for (const k of s.kinds) {
      if (k.status === 'withheld') {
        b.push({ t: 'h2', text: `${k.title.zh}` });
        b.push({ t: 'note', text: `未列示：${k.reason?.zh ?? ''} / Not shown: ${k.reason?.en ?? ''}` });
        continue;
      }
      b.push({ t: 'h2', text: `${k.title.zh}（${k.records.length} 条）` });
      if (k.reason) b.push({ t: 'note', text: `${k.reason.zh} / ${k.reason.en}` });
      if (k.records.length === 0) b.push({ t: 'note', text: `无记录 / No records` });
      k.records.forEach((r, i) => {
        b.push({
          t: 'record',
          head: recordHead(i + 1, r),
          body: recordText(k.fields, r.data),
          marked: r.marks.length > 0,
        });
      });
      if (k.pulled) {
        const p = k.pulled;
        if (p.status === 'ok') {
          b.push({
            t: 'note',
            text: `按需调用（接口调用）结果：成功，${p.records.length} 条，获取时间 ${p.fetchedAt}，提供单位 ${p.providerId ?? '—'}`,
          });
          p.records.forEach((r, i) => {
            b.push({ t: 'record', head: `调用 ${i + 1}.`, body: recordText(k.fields, r), marked: false });
          });
        } else {
          b.push({
            t: 'note',
            text: `按需调用（接口调用）未获取：${p.reason?.zh ?? p.status} / On-demand data unavailable: ${p.reason?.en ?? p.status}`,
          });
        }
      }
    }
    if (s.emptyNote) b.push({ t: 'note', text: `${s.emptyNote.zh} / ${s.emptyNote.en}` });
  }
  b.push({ t: 'h1', text: '报告说明  Notes' });
  for (const n of doc.notes) b.push({ t: 'p', text: n.zh });
  b.push({ t: 'p', text: `核验地址 Verify：${doc.verifyUrl}` });
  return b;
}

/** Every text of a block, in drawing order. */
export function blockTexts(block: Block): string[] {
  switch (block.t) {
    case 'title':
      return [block.text, block.sub];
    case 'meta':
      return [block.label, block.value];
    case 'record':
      return block.body ? [block.head, block.body] : [block.head];
    default:
      return [block.text];
  }
}

/** The watermark drawn across every page (requester and time: who printed this, when). */
export function watermarkText(doc: ReportDocument): string {
  return `${doc.requester.name} ${doc.issuedAtChina} ${doc.number}`;
}

/** Page furniture: header, footer with page numbers, and the watermark, as drawn on page i of n. */
export function pageArtifacts(doc: ReportDocument, page: number, pages: number): string[] {
  return [watermarkText(doc), `${doc.title.zh}  ${doc.number}`, `第 ${page} 页 / 共 ${pages} 页`];
}

/** Text compared by the verifier: whitespace is layout, not content. */
export function squash(s: string): string {
  return s.replace(/\s+/gu, '');
}
