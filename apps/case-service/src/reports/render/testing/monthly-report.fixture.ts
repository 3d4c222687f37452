import type { MonthlyReport, ReportRenderContext } from '../monthly-report.types';

/** A hand-built March 2026 report: three units, two overdue milestones, one unsatisfied call-back. */

/** Carries a comma, quotes and a line break: every RFC 4180 quoting rule at once. */
export const NOISE_TITLE = '夜市"烧烤"噪音扰民,\n凌晨仍未停止';
/** A citizen's title that a spreadsheet would otherwise run as a formula. */
export const FORMULA_TITLE = '=HYPERLINK("http://evil.example","点击查看")';
/** A citizen's title that a browser would otherwise run as a script. */
export const SCRIPT_TITLE = '<script>alert("x")</script>楼道堆物';

export const REPORT_CONTEXT: ReportRenderContext = {
  orgName: '大雁塔街道',
  generatedAt: new Date('2026-04-01T00:30:00.000Z'),
};

export const MARCH_REPORT: MonthlyReport = {
  month: '2026-03',
  judgedAt: '2026-03-31T16:00:00.000Z',
  position: '1048576',
  units: [
    { unit: '曲江社区', due: 13, onTime: 12, late: 1, openOverdue: 0, unsatisfied: 0, onTimeRate: 12 / 13, rank: 1 },
    { unit: '城市管理科', due: 10, onTime: 7, late: 2, openOverdue: 1, unsatisfied: 1, onTimeRate: 0.7, rank: 2 },
    { unit: '雁南社区', due: 0, onTime: 0, late: 0, openOverdue: 1, unsatisfied: 0, onTimeRate: null, rank: null },
  ],
  overdue: [
    {
      caseId: 'case-hotline-0042',
      number: 'RX2026-0042',
      kind: 'hotline',
      title: NOISE_TITLE,
      unit: '城市管理科',
      milestone: 'resolve',
      deadline: '2026-03-20T10:00:00.000Z',
      daysOverdue: 11,
      supervisions: [
        {
          instruction: '请于3日内办结并回复',
          issuedAt: '2026-03-24T01:30:00.000Z',
          dueAt: '2026-03-27T10:00:00.000Z',
          answered: false,
        },
      ],
      urged: 2,
    },
    {
      caseId: 'case-petition-0007',
      number: 'XF2026-0007',
      kind: 'petition',
      title: FORMULA_TITLE,
      unit: '雁南社区',
      milestone: 'reply',
      deadline: '2026-03-28T16:00:00.000Z',
      daysOverdue: 3,
      supervisions: [],
      urged: 0,
    },
  ],
  unsatisfied: [
    {
      caseId: 'case-hotline-0101',
      number: 'RX2026-0101',
      title: SCRIPT_TITLE,
      unit: '城市管理科',
      reviewedAt: '2026-03-15T06:05:00.000Z',
    },
  ],
};
