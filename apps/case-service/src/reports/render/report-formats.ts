/** The formats the monthly report is served in (SPEC §5). */
export const REPORT_FORMATS = ['json', 'csv', 'xlsx', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportFormatMedia {
  /** The Content-Type header value. */
  contentType: string;
  /** The file name extension, without the dot. */
  extension: string;
}

export const REPORT_FORMAT_MEDIA: Record<ReportFormat, ReportFormatMedia> = {
  json: { contentType: 'application/json', extension: 'json' },
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' },
  html: { contentType: 'text/html; charset=utf-8', extension: 'html' },
};
