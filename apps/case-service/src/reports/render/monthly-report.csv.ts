import type { MonthlyReport, ReportRenderContext } from './monthly-report.types';
import { formatGeneratedAt, formatPosition, formatScope, reportTitle } from './report-formatting';
import { cellText, reportTables, type ReportCell } from './report-tables';

/** Excel only reads a CSV as UTF-8 when it starts with the byte order mark; without it Chinese is garbled. */
const UTF8_BOM = '\uFEFF';
const CRLF = '\r\n';
const NEEDS_QUOTING = /[",\r\n]/;
/**
 * Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection"); tab
 * and carriage return are on the list because some spreadsheets strip them and read what follows.
 */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/**
 * The report as one CSV file for Excel: a title and the log position, then the unit ranking, the
 * overdue list and the unsatisfied list, each under its own title line, separated by a blank line.
 */
export function toCsv(report: MonthlyReport, ctx: ReportRenderContext): Buffer {
  const records: string[][] = [
    [neutraliseFormula(reportTitle(ctx.orgName, report.month))],
    [formatPosition(report.position)],
    [formatGeneratedAt(ctx.generatedAt)],
    ...(report.scope === undefined ? [] : [[neutraliseFormula(formatScope(report.scope))]]),
  ];
  for (const table of reportTables(report)) {
    records.push([], [table.title], table.headers, ...table.rows.map((row) => row.map(csvCellText)));
  }
  const body = records.map((record) => record.map(quoteCsvField).join(',')).join(CRLF) + CRLF;
  return Buffer.from(UTF8_BOM + body, 'utf8');
}

/**
 * Free text (titles and units come from citizens and the 12345 platform) is neutralised; numbers,
 * rates and times are written by this module and never start a formula.
 */
function csvCellText(cell: ReportCell): string {
  const textValue = cellText(cell);
  return cell.type === 'text' || cell.type === 'lines' ? neutraliseFormula(textValue) : textValue;
}

/** A leading apostrophe makes a spreadsheet show the text as it is instead of evaluating it. */
export function neutraliseFormula(value: string): string {
  return FORMULA_TRIGGER.test(value) ? `'${value}` : value;
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, and its quotes doubled. */
export function quoteCsvField(value: string): string {
  return NEEDS_QUOTING.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
