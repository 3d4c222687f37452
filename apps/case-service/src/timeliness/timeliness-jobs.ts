import {
  ConfiguredDeadlinePolicy,
  computeMonthlyReport,
  computeTimeliness,
  evolve,
  factsChargedToUnit,
  monthlyReportForUnit,
  replayUnderPolicy,
  type BusinessCalendar,
  type CaseFacts,
  type CaseState,
  type KpiDefinitions,
  type OpenedCase,
  type PolicyConfig,
  type TimelinessDimension,
  type TimelinessGroup,
} from '@cases/domain';
import type { EventStore } from '@cases/event-store';
import { toCsv, toXlsx, type MonthlyReport, type ReportRenderContext } from '../reports/render';
import { FactsSnapshots } from './replay/facts-snapshots';
import { replayFacts, type ReplayProgress } from './replay/facts-replay';

/*
 * The long timeliness jobs (docs/statistics.md, "Long work"): a what-if replay of the log, the
 * KPIs or the monthly report at a past position, and a report's CSV or XLSX export. They run on the long-work thread
 * (timeliness.worker.ts) with a store connection of their own, and post back only the answer;
 * nothing here depends on NestJS. Jobs and answers are plain data (structured clone: Dates and
 * bigints pass as they are).
 */

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

/** What the long-work thread needs of the service's configuration: plain data. */
export interface TimelinessJobSettings {
  dataDir: string;
  orgId: string;
  orgName: string;
  definitions: KpiDefinitions;
  timelinessSnapshotEvery: number;
}

/** Where a job's facts come from: the log up to `upTo`, judged at `judgedAt` (both fixed by the caller). */
interface JobBase {
  upTo: bigint;
  judgedAt: Date;
}

export type TimelinessJob =
  | (JobBase & { kind: 'kpis-at'; request: TimelinessRequest; generation: number })
  | (JobBase & { kind: 'report-at'; month: string; unit?: string; generation: number })
  | (JobBase & { kind: 'what-if'; request: TimelinessRequest; policy: PolicyConfig })
  | { kind: 'export'; format: 'csv' | 'xlsx'; report: MonthlyReport; context: ReportRenderContext };

/** An export's bytes arrive as a Uint8Array (structured clone does not keep Buffer). */
export type TimelinessJobAnswer = TimelinessAnswer | MonthlyReport | Uint8Array;

/** The KPIs of `facts` as the API answers them. */
export function timelinessAnswer(
  request: TimelinessRequest,
  position: bigint,
  judgedAt: Date,
  facts: readonly CaseFacts[],
  options: { definitions: KpiDefinitions; deskLabel: string },
): TimelinessAnswer {
  const { groups } = computeTimeliness(
    request.unit === undefined ? facts : factsChargedToUnit(facts, request.unit),
    { from: request.from, to: request.to, judgedAt, ...(request.groupBy !== undefined && { groupBy: request.groupBy }) },
    options,
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

/**
 * The monthly report of `facts` at `position`; `unit`: a handling unit's user asks, and reads its
 * own row, its rank and its own lists only (`monthlyReportForUnit`, docs/security.md).
 */
export function monthlyReportAt(
  facts: readonly CaseFacts[],
  month: string,
  position: bigint,
  options: { judgedAt: Date; deskLabel: string; unit?: string },
): MonthlyReport {
  const report = computeMonthlyReport(facts, month, { judgedAt: options.judgedAt, deskLabel: options.deskLabel });
  const positioned = { ...report, position: position.toString() };
  return options.unit === undefined ? positioned : monthlyReportForUnit(positioned, options.unit);
}

/** Runs one job against `store`; `afterAnswer` collects work left for once the answer is out (a snapshot to write). */
export async function runTimelinessJob(
  store: EventStore,
  settings: TimelinessJobSettings,
  calendar: BusinessCalendar,
  job: TimelinessJob,
  onProgress: ReplayProgress | undefined,
  afterAnswer: (work: () => Promise<void>) => void,
): Promise<TimelinessJobAnswer> {
  const options = { definitions: settings.definitions, deskLabel: settings.orgName };
  switch (job.kind) {
    case 'what-if': {
      // The snapshots hold the live policy's deadlines, so none is any use here: the whole log is replayed.
      const fold = replayUnderPolicy(new ConfiguredDeadlinePolicy(job.policy, calendar));
      const facts = await replayFacts(store, { after: 0n, upTo: job.upTo, orgId: settings.orgId, fold, facts: new Map(), onProgress });
      return timelinessAnswer(job.request, job.upTo, job.judgedAt, [...facts.values()], options);
    }
    case 'kpis-at': {
      const facts = await factsAt(store, settings, job.upTo, job.generation, onProgress, afterAnswer);
      return timelinessAnswer(job.request, job.upTo, job.judgedAt, facts, options);
    }
    case 'report-at': {
      const facts = await factsAt(store, settings, job.upTo, job.generation, onProgress, afterAnswer);
      return monthlyReportAt(facts, job.month, job.upTo, { judgedAt: job.judgedAt, deskLabel: settings.orgName, unit: job.unit });
    }
    case 'export':
      return job.format === 'csv' ? toCsv(job.report, job.context) : toXlsx(job.report, job.context);
  }
}

/**
 * The facts at a position before the read model's (docs/statistics.md, "Snapshots"): from the
 * nearest snapshot of the read model's `generation` at or before it, then the log after it
 * replayed; the replay leaves a snapshot where none is near, for the next report at or after it.
 */
async function factsAt(
  store: EventStore,
  settings: TimelinessJobSettings,
  upTo: bigint,
  generation: number,
  onProgress: ReplayProgress | undefined,
  afterAnswer: (work: () => Promise<void>) => void,
): Promise<CaseFacts[]> {
  const snapshots = new FactsSnapshots(settings.dataDir, settings.orgId);
  const every = settings.timelinessSnapshotEvery;
  const snapshot = every > 0 ? await snapshots.nearest(upTo, generation) : undefined;
  // The replay goes on from the snapshot's states of the cases in flight, rather than folding those cases from their streams.
  const base =
    snapshot === undefined ? { facts: new Map<string, CaseFacts>(), states: new Map<string, CaseState>() } : await snapshots.load(snapshot);
  const { states } = base;
  const after = snapshot?.position ?? 0n;
  const replayed = await replayFacts(store, { after, upTo, orgId: settings.orgId, fold: evolve, facts: base.facts, states, onProgress });
  const facts = [...replayed.values()];
  // The snapshot left where none is near holds the states the replay ends holding, for the next replay from it.
  if (every > 0 && upTo - after >= BigInt(every)) {
    afterAnswer(async () => void (await snapshots.save(upTo, generation, facts, [...states.values()].filter(isOpened))));
  }
  return facts;
}

function isOpened(state: CaseState): state is OpenedCase {
  return state.status !== 'none';
}
