import type { MonthlyReport } from './monthly-report.types';
import { formatRate, formatShanghaiMinute, formatSupervision, KIND_LABELS, MILESTONE_LABELS } from './report-formatting';

/**
 * A cell says what its value is, not how it looks: each format presents it in its own way
 * (CSV and HTML as text, XLSX as a number, a percentage or a date a spreadsheet can sort).
 */
export type ReportCell =
  | { type: 'text'; value: string }
  | { type: 'number'; value: number }
  | { type: 'rate'; value: number | null }
  | { type: 'instant'; value: string }
  | { type: 'lines'; value: string[] };

/** One of the report's three tables, laid out once so the three formats cannot drift apart. */
export interface ReportTable {
  /** The heading in CSV and HTML. */
  title: string;
  /** The worksheet name in XLSX (at most 31 characters, none of \ / ? * [ ]). */
  sheetName: string;
  headers: string[];
  rows: ReportCell[][];
}

const text = (value: string): ReportCell => ({ type: 'text', value });
const number = (value: number): ReportCell => ({ type: 'number', value });

export function reportTables(report: MonthlyReport): ReportTable[] {
  return [
    {
      title: '单位排名',
      sheetName: '单位排名',
      headers: ['单位', '应办结数', '按期', '超期办结', '超期未办结', '不满意', '按期率', '排名'],
      rows: report.units.map((unit) => [
        text(unit.unit),
        number(unit.due),
        number(unit.onTime),
        number(unit.late),
        number(unit.openOverdue),
        number(unit.unsatisfied),
        { type: 'rate', value: unit.onTimeRate },
        unit.rank === null ? text('—') : number(unit.rank),
      ]),
    },
    {
      title: '超期未办结清单',
      sheetName: '超期清单',
      headers: ['案件编号', '类型', '标题', '承办单位', '节点', '期限', '超期天数', '督办', '催办次数'],
      rows: report.overdue.map((item) => [
        text(item.number),
        text(KIND_LABELS[item.kind]),
        text(item.title),
        text(item.unit),
        text(MILESTONE_LABELS[item.milestone]),
        { type: 'instant', value: item.deadline },
        number(item.daysOverdue),
        { type: 'lines', value: item.supervisions.map(formatSupervision) },
        number(item.urged),
      ]),
    },
    {
      title: '不满意工单清单',
      sheetName: '不满意清单',
      headers: ['案件编号', '标题', '承办单位', '回访时间'],
      rows: report.unsatisfied.map((item) => [
        text(item.number),
        text(item.title),
        text(item.unit),
        { type: 'instant', value: item.reviewedAt },
      ]),
    },
  ];
}

/** The cell as plain text, as CSV and the printable page show it; lines are joined by '\n'. */
export function cellText(cell: ReportCell): string {
  switch (cell.type) {
    case 'text':
      return cell.value;
    case 'number':
      return String(cell.value);
    case 'rate':
      return formatRate(cell.value);
    case 'instant':
      return formatShanghaiMinute(cell.value);
    case 'lines':
      return cell.value.join('\n');
  }
}
