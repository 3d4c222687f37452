import { PassThrough } from 'node:stream';
import { stream, type Borders, type Cell, type Row, type Style, type Worksheet } from 'exceljs';
import { displayWidth } from './display-width';
import type { MonthlyReport, ReportRenderContext } from './monthly-report.types';
import { formatGeneratedAt, formatPosition, formatScope, NOT_APPLICABLE, reportTitle, shanghaiWallClock } from './report-formatting';
import { cellText, reportTables, type ReportCell, type ReportTable } from './report-tables';

/** Every sheet: the report title, then the log position and generation time, then the header row. */
const TITLE_ROW = 1;
const DETAILS_ROW = 2;
const HEADER_ROW = 3;
const RATE_FORMAT = '0.0%';
const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm';
/** Room for the filter button beside a header and a margin beside the widest value. */
const COLUMN_PADDING = 4;
/** Beyond this a column (titles, supervision orders) wraps instead of pushing the rest off screen. */
const MAX_COLUMN_WIDTH = 50;
const A4_PAPER = 9;
const THIN_BORDER: Partial<Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

/**
 * The report as a workbook with one sheet per table (单位排名, 超期清单, 不满意清单).
 *
 * Rates are numbers with a percent format and times are real Excel dates, so a reader can sort,
 * filter and compute with them. An Excel date has no time zone: cells hold the Shanghai wall-clock
 * time, which is what every reader of a sub-district report expects whatever their computer's zone.
 */
export async function toXlsx(report: MonthlyReport, ctx: ReportRenderContext): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  const workbook = new stream.xlsx.WorkbookWriter({
    stream: sink,
    useStyles: true,
    useSharedStrings: false,
    zip: { zlib: { level: 1 } },
  } as ConstructorParameters<typeof stream.xlsx.WorkbookWriter>[0]);
  workbook.creator = ctx.orgName;
  workbook.created = ctx.generatedAt;
  workbook.modified = ctx.generatedAt;
  const title = reportTitle(ctx.orgName, report.month);
  const scope = report.scope === undefined ? '' : `　${formatScope(report.scope)}`;
  const details = `${formatPosition(report.position)}　${formatGeneratedAt(ctx.generatedAt)}${scope}`;
  for (const table of reportTables(report)) {
    addTableSheet(workbook, table, title, details);
  }
  await workbook.commit();
  await finished;
  return Buffer.concat(chunks);
}

function addTableSheet(workbook: stream.xlsx.WorkbookWriter, table: ReportTable, title: string, details: string): void {
  const sheet = workbook.addWorksheet(table.sheetName, {
    views: [{ state: 'frozen', ySplit: HEADER_ROW }],
    pageSetup: {
      paperSize: A4_PAPER,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
    },
  });
  // Column widths must be known before the first row is written out.
  fitColumnWidths(sheet, table);
  // The title and details are left unmerged so they overflow into the empty cells beside them
  // instead of being clipped to a narrow sheet's columns.
  const titleCell = sheet.getCell(TITLE_ROW, 1);
  titleCell.value = title;
  titleCell.font = { bold: true, size: 14 };
  sheet.getCell(DETAILS_ROW, 1).value = details;

  writeHeaderRow(sheet.getRow(HEADER_ROW), table.headers);
  for (const cells of table.rows) {
    const row = sheet.addRow(cells.map(xlsxValue));
    cells.forEach((cell, index) => styleDataCell(row.getCell(index + 1), cell));
    row.commit();
  }
  sheet.autoFilter = {
    from: { row: HEADER_ROW, column: 1 },
    to: { row: HEADER_ROW + table.rows.length, column: table.headers.length },
  };
  sheet.commit();
}

function writeHeaderRow(row: Row, headers: string[]): void {
  row.values = headers;
  row.eachCell((cell) => {
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } };
    cell.border = THIN_BORDER;
  });
}

function xlsxValue(cell: ReportCell): string | number | Date | null {
  switch (cell.type) {
    case 'text':
      return cell.value;
    case 'number':
      return cell.value;
    case 'rate':
      return cell.value ?? NOT_APPLICABLE;
    case 'instant':
      return shanghaiWallClock(cell.value);
    case 'lines':
      // A blank cell rather than an empty string, so Excel's filter offers it as (空白).
      return cell.value.length === 0 ? null : cell.value.join('\n');
  }
}

/**
 * One whole style per kind of cell, assigned in a single step: setting border, alignment and
 * number format one by one makes exceljs merge styles three times per cell, which dominated the
 * time of a large report.
 */
const DATA_CELL_STYLES: Record<ReportCell['type'], Partial<Style>> = {
  // Titles may hold line breaks and supervision orders are one per line: wrap to show them.
  text: { border: THIN_BORDER, alignment: { vertical: 'top', wrapText: true } },
  lines: { border: THIN_BORDER, alignment: { vertical: 'top', wrapText: true } },
  rate: { border: THIN_BORDER, numFmt: RATE_FORMAT, alignment: { vertical: 'top', horizontal: 'right' } },
  instant: { border: THIN_BORDER, numFmt: DATE_TIME_FORMAT, alignment: { vertical: 'top' } },
  number: { border: THIN_BORDER, alignment: { vertical: 'top' } },
};

function styleDataCell(excelCell: Cell, cell: ReportCell): void {
  excelCell.style = DATA_CELL_STYLES[cell.type];
}

/** Widths in Excel's unit (one digit of the default font), where a CJK character needs two. */
function fitColumnWidths(sheet: Worksheet, table: ReportTable): void {
  table.headers.forEach((header, index) => {
    let widest = displayWidth(header);
    for (const row of table.rows) widest = Math.max(widest, cellWidth(row[index]));
    sheet.getColumn(index + 1).width = Math.min(widest + COLUMN_PADDING, MAX_COLUMN_WIDTH);
  });
}

/** What `displayWidth(cellText(cell))` gives, without formatting a date just to count its characters. */
function cellWidth(cell: ReportCell): number {
  return cell.type === 'instant' ? DATE_TIME_FORMAT.length : displayWidth(cellText(cell));
}
