import { Inject, Injectable } from '@nestjs/common';
import { parsePolicyConfig, shanghaiMonth, type CaseFacts, type KpiDefinitions } from '@cases/domain';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { LongWorkGate } from '../long-work/long-work.gate';
import { REPORT_FORMAT_MEDIA, toHtml, type MonthlyReport, type ReportFormat, type ReportRenderContext } from '../reports/render';
import { KPI_DEFINITIONS } from './kpi-definitions.provider';
import { TimelinessFactsSource, type ReplayProgress } from './timeliness-facts.source';
import { monthlyReportAt, timelinessAnswer, type TimelinessAnswer, type TimelinessRequest } from './timeliness-jobs';

export type { TimelinessAnswer, TimelinessRequest };

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
    private readonly longWork: LongWorkGate,
  ) {}

  /**
   * The live KPIs, or at a past `position`: long work, one at a time (docs/statistics.md, "Long
   * work"), replayed on the long-work thread unless the read model is exactly there.
   */
  async kpis(request: TimelinessRequest): Promise<TimelinessAnswer> {
    const { position } = request;
    if (position === undefined) {
      const live = await this.source.facts();
      return this.answer(request, live.position, this.clock.now(), live.facts);
    }
    return this.longWork.run(async () => {
      const at = await this.source.factsAt(position);
      const judgedAt = await this.source.recordedAt(position);
      if ('facts' in at) return this.answer(request, position, judgedAt, at.facts.facts);
      return this.source.onThread<TimelinessAnswer>({ kind: 'kpis-at', request, upTo: position, judgedAt, generation: at.generation });
    });
  }

  /**
   * The KPIs as they would have been under another deadline policy: the log replayed on the
   * long-work thread with every deadline recomputed, the live read models untouched. `policyJson`
   * is validated like POLICY_FILE, here, before the job takes its turn.
   */
  async whatIf(request: TimelinessRequest, policyJson: unknown, onProgress?: ReplayProgress): Promise<TimelinessAnswer> {
    const policy = parsePolicyConfig(policyJson);
    // A replay of the whole log: long work, one at a time (docs/statistics.md, "Long work").
    return this.longWork.run(async () => {
      const upTo = await this.source.upTo(request.position);
      // Taken once the log's end is fixed, so everything replayed was recorded by the judging instant.
      const judgedAt = request.position === undefined ? this.clock.now() : await this.source.recordedAt(request.position);
      return this.source.onThread<TimelinessAnswer>({ kind: 'what-if', request, policy, upTo, judgedAt }, onProgress);
    });
  }

  /**
   * The monthly report in `format`. A report at a past position (replayed on the long-work thread
   * from the nearest snapshot) and an export (CSV, XLSX, rendered on that thread) are long work
   * (docs/statistics.md, "Long work"), and one that is both takes a single turn at the gate, so no
   * other job runs between its replay and its rendering and it is never refused halfway. `unit`: a
   * handling unit's user asks, and reads its own row, its rank out of the ranked units and its own
   * lists only (`monthlyReportForUnit`, docs/security.md); the ranking is computed over everyone.
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

  /** Runs inside the caller's turn at the gate when `position` is given. */
  private async computeReport(month: string, position?: bigint, onProgress?: ReplayProgress, unit?: string): Promise<MonthlyReport> {
    const deskLabel = this.config.org.name;
    if (position === undefined) {
      const live = await this.source.facts();
      return monthlyReportAt(live.facts, month, live.position, { judgedAt: this.clock.now(), deskLabel, unit });
    }
    const at = await this.source.factsAt(position);
    const judgedAt = await this.source.recordedAt(position);
    if ('facts' in at) return monthlyReportAt(at.facts.facts, month, position, { judgedAt, deskLabel, unit });
    return this.source.onThread<MonthlyReport>(
      { kind: 'report-at', month, unit, upTo: position, judgedAt, generation: at.generation },
      onProgress,
    );
  }

  /** Renders without the gate: `renderedMonthlyReport` has taken its turn for it when the rendering is long work. */
  private async render(report: MonthlyReport, format: ReportFormat): Promise<RenderedReport> {
    const context = { orgName: this.config.org.name, generatedAt: this.clock.now() };
    const media = REPORT_FORMAT_MEDIA[format];
    const fileName = `monthly-report-${report.month}-at-${report.position}.${media.extension}`;
    const body =
      format === 'csv' || format === 'xlsx'
        ? await this.exported(report, format, context)
        : format === 'html'
          ? toHtml(report, context)
          : report;
    return { body, contentType: media.contentType, fileName };
  }

  /** An export's bytes, rendered on the long-work thread; they arrive as a Uint8Array, wrapped here without a copy. */
  private async exported(report: MonthlyReport, format: 'csv' | 'xlsx', context: ReportRenderContext): Promise<Buffer> {
    const bytes = await this.source.onThread<Uint8Array>({ kind: 'export', format, report, context });
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private answer(request: TimelinessRequest, position: bigint, judgedAt: Date, facts: CaseFacts[]): TimelinessAnswer {
    return timelinessAnswer(request, position, judgedAt, facts, { definitions: this.definitions, deskLabel: this.config.org.name });
  }
}
