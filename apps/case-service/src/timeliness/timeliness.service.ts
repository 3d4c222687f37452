import { Inject, Injectable } from '@nestjs/common';
import {
  BusinessCalendar,
  ConfiguredDeadlinePolicy,
  computeMonthlyReport,
  computeTimeliness,
  parsePolicyConfig,
  shanghaiMonth,
  type CaseFacts,
  type KpiDefinitions,
  type TimelinessDimension,
  type TimelinessGroup,
} from '@cases/domain';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { REPORT_FORMAT_MEDIA, toCsv, toHtml, toXlsx, type MonthlyReport, type ReportFormat } from '../reports/render';
import { KPI_DEFINITIONS } from './kpi-definitions.provider';
import { TimelinessFactsSource, type ReplayProgress } from './timeliness-facts.source';

export interface TimelinessRequest {
  from: Date;
  to: Date;
  groupBy?: TimelinessDimension[];
  position?: bigint;
}

export interface TimelinessAnswer {
  from: string;
  to: string;
  /** The global log position computed at, as a decimal string to pass back as `position`. */
  position: string;
  /** The judging instant: the moment asked for the live log, the recording time of the event at `position` when one was given. */
  judgedAt: string;
  groups: TimelinessGroup[];
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
  ) {}

  async kpis(request: TimelinessRequest): Promise<TimelinessAnswer> {
    const { position, facts } = await this.source.facts(request.position);
    const judgedAt = await this.judgingInstant(request.position);
    return this.answer(request, position, judgedAt, facts);
  }

  /**
   * The KPIs as they would have been under another deadline policy: the log replayed with every
   * deadline recomputed, the live read models untouched. `policyJson` is validated like POLICY_FILE.
   */
  async whatIf(request: TimelinessRequest, policyJson: unknown, onProgress?: ReplayProgress): Promise<TimelinessAnswer> {
    const policy = new ConfiguredDeadlinePolicy(parsePolicyConfig(policyJson), this.calendar);
    const { position, facts } = await this.source.factsUnderPolicy(policy, request.position, onProgress);
    const judgedAt = await this.judgingInstant(request.position);
    return this.answer(request, position, judgedAt, facts);
  }

  async monthlyReport(month: string, position?: bigint, onProgress?: ReplayProgress): Promise<MonthlyReport> {
    shanghaiMonth(month);
    const facts = await this.source.facts(position, onProgress);
    const judgedAt = await this.judgingInstant(position);
    const report = computeMonthlyReport(facts.facts, month, { judgedAt, deskLabel: this.config.org.name });
    return { ...report, position: facts.position.toString() };
  }

  async render(report: MonthlyReport, format: ReportFormat): Promise<RenderedReport> {
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

  /** Taken once the facts are read, so everything the live facts hold was recorded by the judging instant. */
  private async judgingInstant(position: bigint | undefined): Promise<Date> {
    return position === undefined ? this.clock.now() : this.source.recordedAt(position);
  }

  private answer(request: TimelinessRequest, position: bigint, judgedAt: Date, facts: CaseFacts[]): TimelinessAnswer {
    const { groups } = computeTimeliness(
      facts,
      { from: request.from, to: request.to, judgedAt, ...(request.groupBy !== undefined && { groupBy: request.groupBy }) },
      { definitions: this.definitions, deskLabel: this.config.org.name },
    );
    return {
      from: request.from.toISOString(),
      to: request.to.toISOString(),
      position: position.toString(),
      judgedAt: judgedAt.toISOString(),
      groups,
    };
  }
}
