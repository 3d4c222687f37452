import { Inject, Injectable } from '@nestjs/common';
import { parsePolicyConfig, shanghaiMonth, type CaseFacts, type KpiDefinitions } from '@cases/domain';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { LongWorkGate } from '../long-work/long-work.gate';
import { REPORT_FORMAT_MEDIA, toHtml, type MonthlyReport, type ReportFormat } from '../reports/render';
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
   * `unit`: a handling unit's user asks, and reads its own row, its rank out of the ranked units and
   * its own lists only (`monthlyReportForUnit`, docs/security.md); the ranking is computed over everyone.
   * At a past `position`: long work, like the KPIs there.
   */
  async monthlyReport(month: string, position?: bigint, onProgress?: ReplayProgress, unit?: string): Promise<MonthlyReport> {
    shanghaiMonth(month);
    const deskLabel = this.config.org.name;
    if (position === undefined) {
      const live = await this.source.facts();
      return monthlyReportAt(live.facts, month, live.position, { judgedAt: this.clock.now(), deskLabel, unit });
    }
    return this.longWork.run(async () => {
      const at = await this.source.factsAt(position);
      const judgedAt = await this.source.recordedAt(position);
      if ('facts' in at) return monthlyReportAt(at.facts.facts, month, position, { judgedAt, deskLabel, unit });
      return this.source.onThread<MonthlyReport>(
        { kind: 'report-at', month, unit, upTo: position, judgedAt, generation: at.generation },
        onProgress,
      );
    });
  }

  async render(report: MonthlyReport, format: ReportFormat): Promise<RenderedReport> {
    const context = { orgName: this.config.org.name, generatedAt: this.clock.now() };
    const media = REPORT_FORMAT_MEDIA[format];
    const fileName = `monthly-report-${report.month}-at-${report.position}.${media.extension}`;
    // An export is long work too, rendered on the long-work thread (docs/statistics.md, "Long work").
    const body =
      format === 'csv' || format === 'xlsx'
        ? await this.longWork.run(async () => {
            const bytes = await this.source.onThread<Uint8Array>({ kind: 'export', format, report, context });
            return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          })
        : format === 'html'
          ? toHtml(report, context)
          : report;
    return { body, contentType: media.contentType, fileName };
  }

  private answer(request: TimelinessRequest, position: bigint, judgedAt: Date, facts: CaseFacts[]): TimelinessAnswer {
    return timelinessAnswer(request, position, judgedAt, facts, { definitions: this.definitions, deskLabel: this.config.org.name });
  }
}
