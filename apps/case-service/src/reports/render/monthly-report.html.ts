import type { MonthlyReport, ReportRenderContext } from './monthly-report.types';
import { formatGeneratedAt, formatPosition, formatScope, reportTitle } from './report-formatting';
import { cellText, reportTables, type ReportCell, type ReportTable } from './report-tables';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * A4 landscape fits the eight-column overdue list; header rows repeat on every printed page, and
 * `pre-line` keeps the line breaks of titles and of one-order-per-line supervision cells.
 */
const PRINT_STYLES = `
  @page { size: A4 landscape; margin: 12mm }
  body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "SimSun", sans-serif;
         font-size: 10.5pt; color: #000; margin: 0 }
  h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm }
  h2 { font-size: 12pt; margin: 6mm 0 2mm }
  table { width: 100%; border-collapse: collapse }
  thead { display: table-header-group }
  tr { break-inside: avoid; page-break-inside: avoid }
  th, td { border: 1px solid #000; padding: 1mm 2mm; vertical-align: top; white-space: pre-line }
  th { background: #e7e6e6; -webkit-print-color-adjust: exact; print-color-adjust: exact }
  td.number { text-align: right; white-space: nowrap }
  td.empty { text-align: center; color: #555 }
  footer { margin-top: 6mm; font-size: 9pt; color: #555 }
`;

/** The report as a self-contained page to read in a browser and print, with no script or asset. */
export function toHtml(report: MonthlyReport, ctx: ReportRenderContext): string {
  const title = escapeHtml(reportTitle(ctx.orgName, report.month));
  const tables = reportTables(report).map(renderTable).join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>${PRINT_STYLES}</style>
</head>
<body>
<h1>${title}</h1>
${report.scope === undefined ? '' : `<p>${escapeHtml(formatScope(report.scope))}</p>\n`}${tables}
<footer>${escapeHtml(formatPosition(report.position))}　${escapeHtml(formatGeneratedAt(ctx.generatedAt))}</footer>
</body>
</html>
`;
}

function renderTable(table: ReportTable): string {
  const headerCells = table.headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const bodyRows =
    table.rows.length === 0
      ? `<tr><td class="empty" colspan="${table.headers.length}">无</td></tr>`
      : table.rows.map((row) => `<tr>${row.map(renderCell).join('')}</tr>`).join('\n');
  return `<section>
<h2>${escapeHtml(table.title)}</h2>
<table>
<thead><tr>${headerCells}</tr></thead>
<tbody>
${bodyRows}
</tbody>
</table>
</section>`;
}

function renderCell(cell: ReportCell): string {
  const alignsRight = cell.type === 'number' || cell.type === 'rate';
  return `<td${alignsRight ? ' class="number"' : ''}>${escapeHtml(cellText(cell))}</td>`;
}

/** Titles and instructions are free text from citizens and staff: nothing in them may become markup. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}
