import { Workbook, type Worksheet } from 'exceljs';
import { toXlsx } from './monthly-report.xlsx';
import { FORMULA_TITLE, MARCH_REPORT, NOISE_TITLE, REPORT_CONTEXT, SCRIPT_TITLE } from './testing/monthly-report.fixture';

const HEADER_ROW = 3;

/** Row values without exceljs's unused index 0, so that index 0 is column A. */
function rowValues(sheet: Worksheet, rowNumber: number): unknown[] {
  return (sheet.getRow(rowNumber).values as unknown[]).slice(1);
}

describe('monthly report as XLSX', () => {
  let workbook: Workbook;

  beforeAll(async () => {
    const buffer = await toXlsx(MARCH_REPORT, REPORT_CONTEXT);
    workbook = new Workbook();
    // exceljs types its input as its own ArrayBuffer-like Buffer; a Node Buffer is what it reads.
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  });

  const sheet = (name: string): Worksheet => {
    const found = workbook.getWorksheet(name);
    if (!found) throw new Error(`no sheet named ${name}`);
    return found;
  };

  it('has the three sheets in order', () => {
    expect(workbook.worksheets.map((worksheet) => worksheet.name)).toEqual(['单位排名', '超期清单', '不满意清单']);
  });

  it('names the org, the month and the log position above the table on every sheet', () => {
    for (const worksheet of workbook.worksheets) {
      expect(worksheet.getCell('A1').value).toBe('大雁塔街道 2026年3月 超期/不满意工单通报');
      expect(worksheet.getCell('A1').font.bold).toBe(true);
      expect(worksheet.getCell('A2').value).toBe('日志位置：1048576　生成时间：2026-04-01 08:30');
    }
  });

  it('has bold Chinese headers, frozen with the rows above them and filtered down to the last row', () => {
    const expected = {
      单位排名: { headers: ['单位', '应办结数', '按期', '超期办结', '超期未办结', '不满意', '按期率', '排名'], filter: 'A3:H6' },
      超期清单: { headers: ['案件编号', '类型', '标题', '承办单位', '节点', '期限', '超期天数', '督办', '催办次数'], filter: 'A3:I5' },
      不满意清单: { headers: ['案件编号', '标题', '承办单位', '回访时间'], filter: 'A3:D4' },
    };
    for (const [name, { headers, filter }] of Object.entries(expected)) {
      const worksheet = sheet(name);
      expect(rowValues(worksheet, HEADER_ROW)).toEqual(headers);
      expect(worksheet.getCell(HEADER_ROW, 1).font.bold).toBe(true);
      expect(worksheet.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROW });
      expect(worksheet.autoFilter).toBe(filter);
    }
  });

  it('puts the unit figures in their cells, the rate as a number with a percent format', () => {
    const units = sheet('单位排名');
    expect(rowValues(units, 4)).toEqual(['曲江社区', 13, 12, 1, 0, 0, 12 / 13, 1]);
    expect(rowValues(units, 5)).toEqual(['城市管理科', 10, 7, 2, 1, 1, 0.7, 2]);
    expect(rowValues(units, 6)).toEqual(['雁南社区', 0, 0, 0, 1, 0, '—', '—']);
    expect(units.getCell('G4').numFmt).toBe('0.0%');
    expect(units.rowCount).toBe(6);
  });

  it('lists the overdue milestones with deadlines as Excel dates in Shanghai wall-clock time', () => {
    const overdue = sheet('超期清单');
    expect(rowValues(overdue, 4)).toEqual([
      'RX2026-0042',
      '12345工单',
      NOISE_TITLE,
      '城市管理科',
      '办结',
      new Date(Date.UTC(2026, 2, 20, 18, 0)),
      11,
      '2026-03-24 09:30 请于3日内办结并回复（限 2026-03-27 18:00；未答复）',
      2,
    ]);
    expect(rowValues(overdue, 5)).toEqual([
      'XF2026-0007',
      '信访',
      FORMULA_TITLE,
      '雁南社区',
      '办结答复',
      new Date(Date.UTC(2026, 2, 29, 0, 0)),
      3,
      undefined,
      0,
    ]);
    expect(overdue.getCell('H5').value).toBeNull();
    expect(overdue.getCell('F4').numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(overdue.getCell('C4').alignment.wrapText).toBe(true);
  });

  it('keeps a title that looks like a formula as text, never as a formula', () => {
    expect(sheet('超期清单').getCell('C5').formula).toBeUndefined();
  });

  it('lists the unsatisfied call-backs', () => {
    const unsatisfied = sheet('不满意清单');
    expect(rowValues(unsatisfied, 4)).toEqual(['RX2026-0101', SCRIPT_TITLE, '城市管理科', new Date(Date.UTC(2026, 2, 15, 14, 5))]);
  });

  it('sizes columns to their content, counting a Chinese character twice and capping long text', () => {
    const units = sheet('单位排名');
    // '超期未办结' is five characters, ten columns wide, plus room for the filter button.
    expect(units.getColumn(5).width).toBe(14);
    expect(units.getColumn(8).width).toBe(8);
    const overdue = sheet('超期清单');
    expect(overdue.getColumn(3).width).toBeGreaterThan(overdue.getColumn(1).width ?? 0);
    expect(overdue.getColumn(8).width).toBe(50);
  });

  it('prints each sheet on A4 landscape, repeating the header row', () => {
    for (const worksheet of workbook.worksheets) {
      expect(worksheet.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', printTitlesRow: '3:3' });
    }
  });
});
