import { Workbook } from 'exceljs';
import { monthlyReportForUnit } from '@cases/domain';
import { toCsv } from './monthly-report.csv';
import { toHtml } from './monthly-report.html';
import { toXlsx } from './monthly-report.xlsx';
import { MARCH_REPORT, REPORT_CONTEXT } from './testing/monthly-report.fixture';

/** A report narrowed to one unit (docs/security.md, "What a unit sees") says whose it is and where the unit stands, in every format. */
describe('a monthly report narrowed to one unit', () => {
  const ranked = MARCH_REPORT.units.filter((row) => row.rank !== null);
  const own = ranked[ranked.length - 1];
  const scoped = monthlyReportForUnit(MARCH_REPORT, own.unit);
  const line = `本单位：${own.unit}　排名：${own.rank} / ${ranked.length}`;
  const others = MARCH_REPORT.units.map((row) => row.unit).filter((unit) => unit !== own.unit);

  it('prints the scope line in CSV and HTML, and no other unit', () => {
    for (const text of [toCsv(scoped, REPORT_CONTEXT).toString('utf8'), toHtml(scoped, REPORT_CONTEXT)]) {
      expect(text).toContain(line);
      for (const unit of others) expect(text).not.toContain(unit);
    }
    expect(toHtml(MARCH_REPORT, REPORT_CONTEXT)).not.toContain('本单位：');
  });

  it('puts it in every sheet’s details row of the workbook', async () => {
    const workbook = new Workbook();
    await workbook.xlsx.load((await toXlsx(scoped, REPORT_CONTEXT)) as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    workbook.eachSheet((sheet) => expect(String(sheet.getCell('A2').value)).toContain(line));
  });
});
