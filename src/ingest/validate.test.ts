import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogField, CatalogKind } from '../catalog/catalog.schema.ts';
import { idCheckDigit, usccCheckChar } from '../shared/identifiers.ts';
import { checkValue, createRowValidator } from './validate.ts';

const uscc = (s: string) => s + usccCheckChar(s);
const idNo = (s: string) => s + idCheckDigit(s);

function field(type: CatalogField['type'], extra: Partial<CatalogField> = {}): CatalogField {
  return {
    code: 'f',
    label_zh: '字段',
    label_en: 'Field',
    type,
    required: false,
    sensitivity: 'public',
    aliases: [],
    ...extra,
  };
}

function ok(f: CatalogField, raw: unknown): unknown {
  const r = checkValue(f, raw);
  assert.ok(r.ok, `${JSON.stringify(raw)} should pass as ${f.type}: ${r.ok ? '' : r.zh}`);
  return r.value;
}

function bad(f: CatalogField, raw: unknown): string {
  const r = checkValue(f, raw);
  assert.ok(!r.ok, `${JSON.stringify(raw)} should fail as ${f.type}`);
  assert.ok(r.zh.length > 0 && r.en.length > 0, 'bilingual message');
  return r.rule;
}

describe('validate: values by catalog field type', () => {
  it('string and text: trimmed, max_length in characters, SQL and HTML kept verbatim', () => {
    assert.equal(ok(field('string'), '  郑州市  '), '郑州市');
    assert.equal(bad(field('string', { max_length: 3 }), '郑州市市'), 'max_length');
    assert.equal(ok(field('string', { max_length: 4 }), '郑州市市'), '郑州市市');
    const evil = "'); DROP TABLE records; -- <script>alert(1)</script>";
    assert.equal(ok(field('text'), evil), evil);
    // Characters, not UTF-16 units: an emoji is one.
    assert.equal(ok(field('string', { max_length: 3 }), '郑😀州'), '郑😀州');
    assert.equal(bad(field('string', { max_length: 2 }), '郑😀州'), 'max_length');
  });

  it('a cell of 150 million characters is refused by max_length without running out of memory', () => {
    // Counting its characters by spreading it into an array aborted the whole process (heap out of memory).
    const r = checkValue(field('string', { max_length: 200 }), 'x'.repeat(150_000_000));
    assert.ok(!r.ok);
    assert.equal(r.rule, 'max_length');
    assert.match(r.en, /150000000/);
  });

  it('a text field without a maximum length takes up to 1,000,000 characters', () => {
    // One value of 60 million characters was a 500 (PGlite: out of memory) with its whole chunk lost.
    assert.equal(ok(field('text'), '违'.repeat(1_000_000)), '违'.repeat(1_000_000));
    assert.equal(bad(field('text'), '违'.repeat(1_000_001)), 'max_length');
    assert.equal(bad(field('string', { max_length: 5_000_000 }), 'x'.repeat(1_000_001)), 'max_length');
  });

  it('NUL and lone surrogates are refused by name; other control characters are kept', () => {
    assert.equal(bad(field('string'), 'a\u0000b'), 'invalid_character');
    assert.equal(bad(field('text'), 'a\ud800b'), 'invalid_character');
    assert.equal(bad(field('text'), 'a\udc00'), 'invalid_character');
    assert.equal(ok(field('text'), '😀\u0001'), '😀\u0001');
  });

  it('integer: separators and full-width digits, no decimals', () => {
    assert.equal(ok(field('integer'), '1,234'), 1234);
    assert.equal(ok(field('integer'), '１２３'), 123);
    assert.equal(ok(field('integer'), 42), 42);
    assert.equal(bad(field('integer'), '12.5'), 'integer');
    assert.equal(bad(field('integer'), 'abc'), 'integer');
  });

  it('number: 1,234.50, full-width, the field’s own unit only', () => {
    assert.equal(ok(field('number'), '1,234.50'), 1234.5);
    assert.equal(ok(field('number'), '１２．５'), 12.5);
    assert.equal(ok(field('number'), ' -3 '), -3);
    assert.equal(ok(field('number', { unit: '万元' }), '12.5万元'), 12.5);
    assert.equal(ok(field('number', { label_zh: '罚款金额（万元）' }), '12.5万元'), 12.5);
    assert.equal(bad(field('number', { unit: '元' }), '12.5万元'), 'unit');
    assert.equal(bad(field('number'), '12.5万元'), 'unit');
    assert.equal(bad(field('number'), '1.2.3'), 'number');
    assert.equal(bad(field('number'), true), 'number');
    // Commas only as thousands separators: 1,5 (a decimal comma) would otherwise be read as 15.
    assert.equal(bad(field('number'), '1,5'), 'number');
    assert.equal(bad(field('number'), '1,2,3'), 'number');
    assert.equal(bad(field('integer'), '12,34'), 'integer');
    assert.equal(ok(field('number'), '12,345,678'), 12345678);
    assert.equal(ok(field('number'), '１，２３４．５'), 1234.5);
    assert.equal(ok(field('number', { unit: '万元' }), '1,234.5万元'), 1234.5);
  });

  it('number and integer: more digits than a double holds is refused (precision), never rounded', () => {
    // 12345678901234567890 would be stored as 12345678901234567000.
    assert.equal(bad(field('number'), '12345678901234567890'), 'precision');
    assert.equal(bad(field('integer'), '9007199254740993'), 'precision');
    assert.equal(bad(field('number'), '0.1000000000000000000001'), 'precision');
    assert.equal(bad(field('number'), '1e400'), 'number');
    // What a double represents exactly passes, however it is written.
    assert.equal(ok(field('integer'), '9007199254740992'), 9007199254740992);
    assert.equal(ok(field('number'), '0.30000000000000004'), 0.1 + 0.2); // as JavaScript and Excel write doubles
    assert.equal(ok(field('number'), '1,234,567,890,123.45'), 1234567890123.45);
    assert.equal(ok(field('number'), '1.000000000000000000'), 1);
    assert.equal(ok(field('number'), '1e300'), 1e300);
    assert.equal(ok(field('number'), '-000123.4500'), -123.45);
  });

  it('boolean: 是/否, Y/N, true/false, 1/0', () => {
    for (const t of ['是', 'Y', 'y', 'true', 'TRUE', '1', true]) assert.equal(ok(field('boolean'), t), true);
    for (const f of ['否', 'N', 'false', '0', false]) assert.equal(ok(field('boolean'), f), false);
    assert.equal(bad(field('boolean'), '也许'), 'boolean');
  });

  it('date: ISO, slashes, compact, Chinese, Excel serials (number or text), Date cells', () => {
    const d = field('date');
    assert.equal(ok(d, '2024-03-05'), '2024-03-05');
    assert.equal(ok(d, '2024/3/5'), '2024-03-05');
    assert.equal(ok(d, '20240305'), '2024-03-05');
    assert.equal(ok(d, '2024年3月5日'), '2024-03-05');
    assert.equal(ok(d, '２０２４年３月５日'), '2024-03-05');
    assert.equal(ok(d, 45356), '2024-03-05');
    assert.equal(ok(d, '45356'), '2024-03-05');
    assert.equal(ok(d, 59), '1900-02-28');
    assert.equal(ok(d, 61), '1900-03-01');
    assert.equal(ok(d, new Date(Date.UTC(2024, 2, 5))), '2024-03-05');
    assert.equal(ok(d, '2024/3/5 0:00'), '2024-03-05');
    assert.equal(bad(d, '2024-02-30'), 'date');
    assert.equal(bad(d, '2024-13-01'), 'date');
    assert.equal(bad(d, 'yesterday'), 'date');
    assert.equal(bad(d, 999999), 'date');
  });

  it('datetime: Beijing time unless a zone is given', () => {
    const d = field('datetime');
    assert.equal(ok(d, '2024-03-05 14:30:00'), '2024-03-05T14:30:00+08:00');
    assert.equal(ok(d, '2024-03-05T06:30:00Z'), '2024-03-05T14:30:00+08:00');
    assert.equal(ok(d, '2024/3/5 9:05'), '2024-03-05T09:05:00+08:00');
    assert.equal(ok(d, 45356.5), '2024-03-05T12:00:00+08:00');
    assert.equal(bad(d, '2024-03-05 25:00'), 'datetime');
    // A zone that does not exist is refused, not applied as a shift of four days.
    assert.equal(ok(d, '2024-03-05 14:30:00+14:00'), '2024-03-05T08:30:00+08:00');
    assert.equal(ok(d, '2024-03-05 14:30:00-0530'), '2024-03-06T04:00:00+08:00');
    assert.equal(bad(d, '2024-03-05 14:30:00+99:99'), 'datetime');
    assert.equal(bad(d, '2024-03-05 14:30:00+08:60'), 'datetime');
  });

  it('year', () => {
    assert.equal(ok(field('year'), '2023'), 2023);
    assert.equal(ok(field('year'), '2023年度'), 2023);
    assert.equal(ok(field('year'), 2023), 2023);
    assert.equal(bad(field('year'), '23'), 'year');
  });

  it('enum: value, Chinese label or alias', () => {
    const f = field('enum', {
      enum: [
        { value: 'a', label_zh: '甲级', label_en: 'Grade A', aliases: ['A级'] },
        { value: 'b', label_zh: '乙级', label_en: 'Grade B', aliases: [] },
      ],
    } as Partial<CatalogField>);
    assert.equal(ok(f, 'a'), 'a');
    assert.equal(ok(f, ' 乙级 '), 'b');
    assert.equal(ok(f, 'Ａ级'), 'a');
    assert.equal(bad(f, '丙级'), 'enum');
  });

  it('uscc: normalised (full-width, spaces, lower case), GB 32100 check character', () => {
    const code = uscc('91410100MA0000001');
    assert.equal(ok(field('uscc'), code.toLowerCase()), code);
    const fullWidth = [...code].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    assert.equal(ok(field('uscc'), ` ${fullWidth.slice(0, 9)} ${fullWidth.slice(9)} `), code);
    const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
    assert.equal(bad(field('uscc'), wrong), 'uscc');
    assert.equal(bad(field('uscc'), '12345'), 'uscc');
  });

  it('id_number: GB 11643 check digit and birth date; uscc_or_id takes either', () => {
    const id = idNo('41010219900307123');
    assert.equal(ok(field('id_number'), id.toLowerCase()), id);
    assert.equal(bad(field('id_number'), id.slice(0, 17) + (id[17] === '1' ? '2' : '1')), 'id_number');
    assert.equal(bad(field('id_number'), idNo('41010219901307123')), 'id_number');
    assert.equal(ok(field('uscc_or_id'), id), id);
    assert.equal(ok(field('uscc_or_id'), uscc('91410100MA0000001')), uscc('91410100MA0000001'));
    assert.equal(bad(field('uscc_or_id'), id.slice(0, 17) + (id[17] === '1' ? '2' : '1')), 'uscc_or_id');
  });

  it('region (GB/T 2260) and industry (GB/T 4754-2017) codes', () => {
    assert.equal(ok(field('region'), '410102'), '410102');
    assert.equal(bad(field('region'), '4101'), 'region');
    assert.equal(ok(field('industry'), 'c3011'), 'C3011');
    assert.equal(ok(field('industry'), '3011'), '3011');
    assert.equal(bad(field('industry'), 'Z99'), 'industry');
    const strict = checkValue(field('region'), '999999', { isRegion: (c) => c.startsWith('41') });
    assert.equal(strict.ok, false);
  });
});

const kind: CatalogKind = {
  code: 'k',
  name_zh: '测试',
  name_en: 'Test',
  category: 'c',
  share_mode: 'push',
  openness: 'public',
  providers: [{ id: 'p', name_zh: '单位', name_en: '' }],
  subject_field: 'uscc',
  subject_name_field: 'name',
  natural_key: ['doc_no'],
  negative: false,
  sources: [],
  fields: [
    field('string', { code: 'name', label_zh: '企业名称', required: true }),
    field('uscc', { code: 'uscc', label_zh: '统一社会信用代码', required: true }),
    field('string', { code: 'doc_no', label_zh: '文书号', required: true }),
    field('date', { code: 'decided_on', label_zh: '决定日期', required: true }),
    field('number', { code: 'amount', label_zh: '金额' }),
  ],
} as CatalogKind;

describe('validate: rows', () => {
  const validate = createRowValidator(kind);
  const good = { name: '甲公司', uscc: uscc('91410100MA0000001'), doc_no: 'A-1', decided_on: '2024/1/2' };

  it('accepts a valid row, normalises values and omits empty cells', () => {
    const r = validate(3, { ...good, amount: '' });
    assert.ok(r.ok);
    assert.deepEqual(r.value.data, {
      name: '甲公司',
      uscc: good.uscc,
      doc_no: 'A-1',
      decided_on: '2024-01-02',
    });
    assert.equal(r.value.op, 'upsert');
  });

  it('reports every failing field with row, field, rule, value and zh/en message', () => {
    const r = validate(7, { name: ' ', uscc: 'bad', doc_no: 'A-1', decided_on: '2024-02-30', amount: 'x' });
    assert.ok(!r.ok);
    assert.deepEqual(
      r.errors.map((e) => [e.row, e.field, e.rule, e.value]),
      [
        [7, 'name', 'required', null],
        [7, 'uscc', 'uscc', 'bad'],
        [7, 'decided_on', 'date', '2024-02-30'],
        [7, 'amount', 'number', 'x'],
      ],
    );
    for (const e of r.errors) assert.ok(e.message.zh && e.message.en);
  });

  it('withdraw rows need only the subject and key fields; a reason is carried', () => {
    const r = validate(2, { uscc: good.uscc, doc_no: 'A-1', _op: '撤销', _reason: '重复报送' });
    assert.ok(r.ok);
    assert.equal(r.value.op, 'withdraw');
    assert.equal(r.value.reason, '重复报送');
    const missing = validate(2, { uscc: good.uscc, _op: 'withdraw' });
    assert.ok(!missing.ok);
    assert.equal(missing.errors[0]!.field, 'doc_no');
    const unknownOp = validate(2, { ...good, _op: 'delete' });
    assert.ok(!unknownOp.ok);
    assert.equal(unknownOp.errors[0]!.rule, 'op');
  });

  it('an `_op` naming a property every object inherits (constructor, __proto__) is an unknown operation', () => {
    // Such a row used to get a function as its operation: neither applied, nor unchanged, nor rejected.
    for (const op of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const r = validate(2, { ...good, _op: op, _reason: '更正' });
      assert.ok(!r.ok, op);
      assert.deepEqual([r.errors[0]!.field, r.errors[0]!.rule, r.errors[0]!.value], ['_op', 'op', op]);
    }
  });
});
