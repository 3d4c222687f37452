import { neutraliseFormula, quoteCsvField, toCsv } from './monthly-report.csv';
import { FORMULA_TITLE, MARCH_REPORT, NOISE_TITLE, REPORT_CONTEXT, SCRIPT_TITLE } from './testing/monthly-report.fixture';

/** A strict RFC 4180 reader, so the specs check what a spreadsheet would actually read back. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let index = 0;
  while (index < text.length) {
    if (text[index] === '"') {
      const closingQuote = findClosingQuote(text, index + 1);
      field = text.slice(index + 1, closingQuote).replaceAll('""', '"');
      index = closingQuote + 1;
    } else {
      const stop = text.slice(index).search(/,|\r\n/);
      const end = stop === -1 ? text.length : index + stop;
      field = text.slice(index, end);
      index = end;
    }
    record.push(field);
    if (text.startsWith(',', index)) {
      index += 1;
    } else if (text.startsWith('\r\n', index)) {
      records.push(record);
      record = [];
      index += 2;
    } else if (index < text.length) {
      throw new Error(`unexpected character after a field at ${index}`);
    }
  }
  return records;
}

function findClosingQuote(text: string, from: number): number {
  let index = from;
  for (;;) {
    const quote = text.indexOf('"', index);
    if (quote === -1) throw new Error('unterminated quoted field');
    if (text[quote + 1] !== '"') return quote;
    index = quote + 2;
  }
}

describe('monthly report as CSV', () => {
  const csv = toCsv(MARCH_REPORT, REPORT_CONTEXT);
  const text = csv.toString('utf8').slice(1);
  const records = parseCsv(text);

  it('starts with the UTF-8 byte order mark so Excel reads the Chinese', () => {
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('ends every record with CRLF; the only bare line feed is the one inside the quoted title', () => {
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.match(/(?<!\r)\n/g)).toHaveLength(1);
  });

  it('opens with the org, the month and the log position', () => {
    expect(records.slice(0, 3)).toEqual([
      ['大雁塔街道 2026年3月 超期/不满意工单通报'],
      ['日志位置：1048576'],
      ['生成时间：2026-04-01 08:30'],
    ]);
  });

  it('ranks the units under a title line and Chinese headers, rates with one decimal and — for none due', () => {
    const start = records.findIndex((record) => record[0] === '单位排名');
    expect(records.slice(start, start + 5)).toEqual([
      ['单位排名'],
      ['单位', '应办结数', '按期', '超期办结', '超期未办结', '不满意', '按期率', '排名'],
      ['曲江社区', '13', '12', '1', '0', '0', '92.3%', '1'],
      ['城市管理科', '10', '7', '2', '1', '1', '70.0%', '2'],
      ['雁南社区', '0', '0', '0', '1', '0', '—', '—'],
    ]);
  });

  it('lists the overdue milestones with Chinese labels and Shanghai times', () => {
    const start = records.findIndex((record) => record[0] === '超期未办结清单');
    expect(records.slice(start, start + 4)).toEqual([
      ['超期未办结清单'],
      ['案件编号', '类型', '标题', '承办单位', '节点', '期限', '超期天数', '督办', '催办次数'],
      [
        'RX2026-0042',
        '12345工单',
        NOISE_TITLE,
        '城市管理科',
        '办结',
        '2026-03-20 18:00',
        '11',
        '2026-03-24 09:30 请于3日内办结并回复（限 2026-03-27 18:00；未答复）',
        '2',
      ],
      ['XF2026-0007', '信访', `'${FORMULA_TITLE}`, '雁南社区', '办结答复', '2026-03-29 00:00', '3', '', '0'],
    ]);
  });

  it('lists the unsatisfied call-backs last', () => {
    const start = records.findIndex((record) => record[0] === '不满意工单清单');
    expect(records.slice(start)).toEqual([
      ['不满意工单清单'],
      ['案件编号', '标题', '承办单位', '回访时间'],
      ['RX2026-0101', SCRIPT_TITLE, '城市管理科', '2026-03-15 14:05'],
    ]);
  });

  it('quotes a title holding a comma, quotes and a line break, doubling the quotes', () => {
    expect(text).toContain('"夜市""烧烤""噪音扰民,\n凌晨仍未停止"');
  });

  it('puts an apostrophe before a title a spreadsheet would run as a formula', () => {
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""点击查看"")"`);
  });

  it('keeps the sections apart with a blank line', () => {
    const titles = ['单位排名', '超期未办结清单', '不满意工单清单'];
    for (const title of titles) {
      const start = records.findIndex((record) => record[0] === title);
      expect(records[start - 1]).toEqual(['']);
    }
  });
});

describe('CSV fields', () => {
  it.each(['=1+1', '+8613800000000', '-2+3', '@SUM(A1:A2)', '\tcmd', '\rcmd'])('neutralises %j', (value) => {
    expect(neutraliseFormula(value)).toBe(`'${value}`);
  });

  it('leaves ordinary text, an em dash and inner operators alone', () => {
    expect(neutraliseFormula('路灯不亮 a=b')).toBe('路灯不亮 a=b');
    expect(neutraliseFormula('—')).toBe('—');
  });

  it('quotes only what RFC 4180 requires', () => {
    expect(quoteCsvField('曲江社区')).toBe('曲江社区');
    expect(quoteCsvField('a,b')).toBe('"a,b"');
    expect(quoteCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteCsvField('line\r\nbreak')).toBe('"line\r\nbreak"');
  });
});
