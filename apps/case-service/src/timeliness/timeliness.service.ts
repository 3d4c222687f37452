import { Inject, Injectable } from '@nestjs/common';
import {
  BusinessCalendar,
  ConfiguredDeadlinePolicy,
  computeMonthlyReport,
  computeTimeliness,
  factsChargedToUnit,
  monthlyReportForUnit,
  parsePolicyConfig,
  shanghaiMonth,
  type CaseFacts,
  type KpiDefinitions,
  type TimelinessDimension,
  type TimelinessGroup,
} from '@cases/domain';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { LongWorkGate } from '../long-work/long-work.gate';
import { REPORT_FORMAT_MEDIA, toCsv, toHtml, toXlsx, type MonthlyReport, type ReportFormat } from '../reports/render';
import { KPI_DEFINITIONS } from './kpi-definitions.provider';
import { TimelinessFactsSource, type FactsAtPosition, type ReplayProgress } from './timeliness-facts.source';

export interface TimelinessRequest {
  from: Date;
  to: Date;
  groupBy?: TimelinessDimension[];
  position?: bigint;
  /** A handling unit's user asks: the KPIs over only what is charged to this unit (docs/security.md). */
  unit?: string;
}

export interface TimelinessAnswer {
  from: string;
  to: string;
  /** The global log position computed at, as a decimal string to pass back as `position`. */
  position: string;
  /** The judging instant: the moment asked for the live log, the recording time of the event at `position` when one was given. */
  judgedAt: string;
  groups: TimelinessGroup[];
  /** Present when the figures are narrowed to one handling unit's own (a `unit` user asked). */
  scope?: { unit: string };
}

export interface RenderedReport {
  body: Buffer | string | MonthlyReport;
  contentType: string;
  fileName: string;
}

/**
 * The timeliness KPIs and the monthly report (docs/timeliness-rules.md), each computed at a stated
 * log position and judged at a stated instant: the moment asked for the live log, the recording
 * time of the event at `position` when one is given, so asking for a position again later gives
 * the same answer.
 */
@Injectable()
export class TimelinessService {
  constructor(
    private readonly source: TimelinessFactsSource,
    @Inject(KPI_DEFINITIONS) private readonly definitions: KpiDefinitions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendar: BusinessCalendar,
    private readonly longWork: LongWorkGate,
  ) {}

  async kpis(request: TimelinessRequest): Promise<TimelinessAnswer> {
    const { position, facts } = await this.factsAt(request.position);
    const judgedAt = await this.judgingInstant(request.position);
    return this.answer(request, position, judgedAt, facts);
  }

  /**
   * The KPIs as they would have been under another deadline policy: the log replayed with every
   * deadline recomputed, the live read models untouched. `policyJson` is validated like POLICY_FILE.
   */
  async whatIf(request: TimelinessRequest, policyJson: unknown, onProgress?: ReplayProgress): Promise<TimelinessAnswer> {
    const policy = new ConfiguredDeadlinePolicy(parsePolicyConfig(policyJson), this.calendar);
    // A replay of the whole log: long work, one at a time (docs/statistics.md, "Long work").
    return this.longWork.run(async () => {
      const { position, facts } = await this.source.factsUnderPolicy(policy, request.position, onProgress);
      const judgedAt = await this.judgingInstant(request.position);
      return this.answer(request, position, judgedAt, facts);
    });
  }

  /**
   * The monthly report in `format`. A report at a past position (a replay from the nearest
   * snapshot) and an export (CSV, XLSX) are long work (docs/statistics.md, "Long work"), and one
   * that is both takes a single turn at the gate, so no other job runs between its replay and its
   * rendering and it is never refused halfway. `unit`: a handling unit's user asks, and reads its
   * own row, its rank out of the ranked units and its own lists only (`monthlyReportForUnit`,
   * docs/security.md); the ranking is computed over everyone.
   */
  async renderedMonthlyReport(
    month: string,
    format: ReportFormat,
    options: { position?: bigint; onProgress?: ReplayProgress; unit?: string } = {},
  ): Promise<{ report: MonthlyReport; rendered: RenderedReport }> {
    shanghaiMonth(month);
    const work = async () => {
      const report = await this.computeReport(month, options.position, options.onProgress, options.unit);
      return { report, rendered: await this.render(report, format) };
    };
    return options.position !== undefined || format === 'csv' || format === 'xlsx' ? this.longWork.run(work) : work();
  }

  private async computeReport(month: string, position?: bigint, onProgress?: ReplayProgress, unit?: string): Promise<MonthlyReport> {
    const facts = await this.source.facts(position, onProgress);
    const judgedAt = await this.judgingInstant(position);
    const report = computeMonthlyReport(facts.facts, month, { judgedAt, deskLabel: this.config.org.name });
    const positioned = { ...report, position: facts.position.toString() };
    return unit === undefined ? positioned : monthlyReportForUnit(positioned, unit);
  }

  /** Renders without the gate: `renderedMonthlyReport` has taken its turn for it when the rendering is long work. */
  private async render(report: MonthlyReport, format: ReportFormat): Promise<RenderedReport> {
    const context = { orgName: this.config.org.name, generatedAt: this.clock.now() };
    const media = REPORT_FORMAT_MEDIA[format];
    const fileName = `monthly-report-${report.month}-at-${report.position}.${media.extension}`;
    const body =
      format === 'csv'
        ? toCsv(report, context)
        : format === 'xlsx'
          ? await toXlsx(report, context)
          : format === 'html'
            ? toHtml(report, context)
            : report;
    return { body, contentType: media.contentType, fileName };
  }

  /** The live facts, or at a past `position` a replay from the nearest snapshot: long work, one at a time (docs/statistics.md). */
  private factsAt(position: bigint | undefined, onProgress?: ReplayProgress): Promise<FactsAtPosition> {
    return position === undefined ? this.source.facts() : this.longWork.run(() => this.source.facts(position, onProgress));
  }

  /** Taken once the facts are read, so everything the live facts hold was recorded by the judging instant. */
  private async judgingInstant(position: bigint | undefined): Promise<Date> {
    return position === undefined ? this.clock.now() : this.source.recordedAt(position);
  }

  private answer(request: TimelinessRequest, position: bigint, judgedAt: Date, facts: CaseFacts[]): TimelinessAnswer {
    const { groups } = computeTimeliness(
      request.unit === undefined ? facts : factsChargedToUnit(facts, request.unit),
      { from: request.from, to: request.to, judgedAt, ...(request.groupBy !== undefined && { groupBy: request.groupBy }) },
      { definitions: this.definitions, deskLabel: this.config.org.name },
    );
    return {
      from: request.from.toISOString(),
      to: request.to.toISOString(),
      position: position.toString(),
      judgedAt: judgedAt.toISOString(),
      groups,
      ...(request.unit !== undefined && { scope: { unit: request.unit } }),
    };
  }
}
