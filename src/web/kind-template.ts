import ExcelJS from 'exceljs';
import type { CatalogField, CatalogKind } from '../catalog/catalog.schema.ts';
import { idCheckDigit, usccCheckChar } from '../shared/identifiers.ts';

/**
 * The XLSX template a provider fills for one kind (报送模板):
 * - sheet 1 「数据」: a title row, then the header row with the fields' Chinese labels exactly as the
 *   catalog names them (ingestion matches headers by label or code and skips title rows); required
 *   columns in red; enum columns with a drop-down; empty below. Ingestion reads the first sheet only,
 *   so nothing on it can become a record by accident.
 * - sheet 2 「填写示例」: the same header and one example row of valid values.
 * - sheet 3 「字段说明」: every field with its code, type, whether required, sensitivity, allowed values.
 */

const typeLabels: Record<CatalogField['type'], string> = {
  string: '文本',
  text: '长文本',
  integer: '整数',
  number: '数值',
  boolean: '是/否',
  date: '日期（YYYY-MM-DD）',
  datetime: '日期时间（YYYY-MM-DD HH:mm:ss）',
  year: '年度（YYYY）',
  enum: '代码值（见可选值）',
  uscc: '统一社会信用代码（18 位）',
  id_number: '居民身份证号码（18 位）',
  uscc_or_id: '统一社会信用代码或身份证号码',
  region: '行政区划代码（GB/T 2260，6 位）',
  industry: '行业代码（GB/T 4754-2017）',
};

const sensitivityLabels: Record<CatalogField['sensitivity'], string> = {
  public: '一般',
  restricted: '受限（仅授权可见）',
  personal: '个人敏感（加密存储、脱敏展示）',
};

/** A syntactically valid example USCC (郑州市 region prefix, check character computed). */
function exampleUscc(): string {
  const first17 = '91410100MA44ABCD1';
  return first17 + usccCheckChar(first17);
}

/** A syntactically valid example ID number (郑州市, 1985-06-15, check digit computed). */
function exampleIdNumber(): string {
  const first17 = '41010219850615123';
  return first17 + idCheckDigit(first17);
}

/** Values tried, in order, when a field's own pattern rejects the type's default example. */
const patternCandidates = ['2024-03', '2024', '202403', 'A', 'ZZ-2024-0001', '1', '0001', '是'];

export function exampleValue(field: CatalogField): string | number {
  const base = baseExample(field);
  if (!field.pattern) return clip(base, field.max_length);
  const re = new RegExp(field.pattern);
  if (re.test(String(base))) return clip(base, field.max_length);
  return patternCandidates.find((c) => re.test(c)) ?? clip(base, field.max_length);
}

function clip(v: string | number, max: number | undefined): string | number {
  return typeof v === 'string' && max !== undefined && v.length > max ? v.slice(0, max) : v;
}

function baseExample(field: CatalogField): string | number {
  switch (field.type) {
    case 'uscc':
    case 'uscc_or_id':
      return exampleUscc();
    case 'id_number':
      return exampleIdNumber();
    case 'date':
      return '2024-03-15';
    case 'datetime':
      return '2024-03-15 09:30:00';
    case 'year':
      return 2024;
    case 'integer':
      return 12;
    case 'number':
      return 50000;
    case 'boolean':
      return '是';
    case 'enum':
      return field.enum?.[0]?.label_zh ?? field.enum?.[0]?.value ?? '';
    case 'region':
      return '410100';
    case 'industry':
      return 'I6510';
    case 'text':
      return `（${field.label_zh}示例内容）`;
    default:
      if (/名称|单位|机关|机构/.test(field.label_zh)) return '郑州示例科技有限公司';
      if (/姓名|法定代表人|负责人/.test(field.label_zh)) return '张三';
      if (/号|编号|文号|代码/.test(field.label_zh)) return 'ZZ-2024-0001';
      return `示例${field.label_zh}`;
  }
}

const headerFill: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F8' } };
const thinBorder: Partial<ExcelJS.Borders> = {
  top: { style: 'thin', color: { argb: 'FFB0B8C8' } },
  bottom: { style: 'thin', color: { argb: 'FFB0B8C8' } },
  left: { style: 'thin', color: { argb: 'FFB0B8C8' } },
  right: { style: 'thin', color: { argb: 'FFB0B8C8' } },
};

function columnWidth(field: CatalogField): number {
  const label = field.label_zh.length * 2 + 4;
  const byType = field.type === 'text' ? 40 : field.type === 'uscc' || field.type === 'id_number' ? 22 : 14;
  return Math.min(48, Math.max(label, byType));
}

function writeHeader(ws: ExcelJS.Worksheet, rowNumber: number, kind: CatalogKind): void {
  const row = ws.getRow(rowNumber);
  kind.fields.forEach((f, i) => {
    const cell = row.getCell(i + 1);
    cell.value = f.label_zh;
    cell.font = { bold: true, color: { argb: f.required ? 'FFC00000' : 'FF1F2937' } };
    cell.fill = headerFill;
    cell.border = thinBorder;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    const note = [
      f.required ? '必填' : '选填',
      typeLabels[f.type],
      f.unit ? `单位：${f.unit}` : '',
      f.description ?? '',
      f.enum ? `可选值：${f.enum.map((e) => e.label_zh).join('、')}` : '',
    ].filter(Boolean);
    cell.note = note.join('\n');
  });
  row.height = 24;
}

function writeTitle(ws: ExcelJS.Worksheet, kind: CatalogKind, catalogVersion: number, text: string): void {
  ws.mergeCells(1, 1, 1, Math.max(1, kind.fields.length));
  const title = ws.getCell(1, 1);
  title.value = `${kind.name_zh}${text}（信息项 ${kind.code}，目录第 ${catalogVersion} 版）`;
  title.font = { bold: true, size: 14 };
  title.alignment = { vertical: 'middle', horizontal: 'left' };
  ws.getRow(1).height = 28;
}

/** Builds the template workbook for one kind; returns the XLSX bytes. */
export async function buildKindTemplate(kind: CatalogKind, catalogVersion: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '信融 xinrong';
  wb.created = new Date(0); // stable bytes for the same catalog version
  wb.modified = new Date(0);

  const data = wb.addWorksheet('数据', { views: [{ state: 'frozen', ySplit: 2 }] });
  data.columns = kind.fields.map((f) => ({ key: f.code, width: columnWidth(f) }));
  writeTitle(data, kind, catalogVersion, ' 报送模板');
  writeHeader(data, 2, kind);
  // Drop-downs for enum columns and text format for codes (Excel would drop leading zeros).
  kind.fields.forEach((f, i) => {
    const col = data.getColumn(i + 1);
    if (['uscc', 'id_number', 'uscc_or_id', 'region', 'industry', 'string'].includes(f.type)) {
      col.numFmt = '@';
    }
    if (f.type === 'enum' && f.enum && f.enum.length > 0) {
      const list = f.enum.map((e) => e.label_zh).join(',');
      // Excel limits an inline list to 255 characters; longer lists are documented on sheet 3.
      if (list.length <= 255) {
        for (let r = 3; r <= 1002; r++) {
          data.getCell(r, i + 1).dataValidation = {
            type: 'list',
            allowBlank: !f.required,
            formulae: [`"${list}"`],
            showErrorMessage: true,
            errorTitle: '可选值',
            error: `请从下拉列表选择：${list}`.slice(0, 255),
          };
        }
      }
    }
  });

  const example = wb.addWorksheet('填写示例');
  example.columns = kind.fields.map((f) => ({ key: f.code, width: columnWidth(f) }));
  writeTitle(example, kind, catalogVersion, ' 填写示例');
  writeHeader(example, 2, kind);
  const exRow = example.getRow(3);
  kind.fields.forEach((f, i) => {
    const cell = exRow.getCell(i + 1);
    cell.value = exampleValue(f);
    cell.border = thinBorder;
    cell.font = { color: { argb: 'FF4B5563' } };
  });
  example.getCell(5, 1).value =
    '注：示例数据仅供参考，请在「数据」工作表中填写；红色表头为必填项；日期填写为 YYYY-MM-DD。';

  const fields = wb.addWorksheet('字段说明');
  fields.columns = [
    { header: '字段名称', key: 'label', width: 24 },
    { header: '字段代码', key: 'code', width: 24 },
    { header: '类型', key: 'type', width: 30 },
    { header: '必填', key: 'required', width: 8 },
    { header: '敏感程度', key: 'sensitivity', width: 28 },
    { header: '可选值', key: 'enum', width: 40 },
    { header: '说明', key: 'description', width: 48 },
  ];
  fields.getRow(1).eachCell((c) => {
    c.font = { bold: true };
    c.fill = headerFill;
    c.border = thinBorder;
  });
  for (const f of kind.fields) {
    fields.addRow({
      label: f.label_zh,
      code: f.code,
      type: f.unit ? `${typeLabels[f.type]}，单位：${f.unit}` : typeLabels[f.type],
      required: f.required ? '是' : '否',
      sensitivity: sensitivityLabels[f.sensitivity],
      enum: f.enum?.map((e) => `${e.value}=${e.label_zh}`).join('；') ?? '',
      description: f.description ?? '',
    });
  }
  fields.addRow({});
  fields.addRow({ label: `记录标识字段：${kind.natural_key.join('、')}（同一标识再次报送即为新版本）` });
  if (kind.note) fields.addRow({ label: `说明：${kind.note}` });

  return Buffer.from(await wb.xlsx.writeBuffer());
}
