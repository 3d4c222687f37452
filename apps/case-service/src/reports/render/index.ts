export * from './monthly-report.types';
export { toCsv } from './monthly-report.csv';
export { toXlsx } from './monthly-report.xlsx';
export { toHtml } from './monthly-report.html';
export { REPORT_FORMATS, REPORT_FORMAT_MEDIA, type ReportFormat, type ReportFormatMedia } from './report-formats';
