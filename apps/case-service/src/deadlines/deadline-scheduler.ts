import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { LeaseKeeper, type Lease, type LeaseProvider } from '@cases/coordination';
import { SCHEDULER_ACTOR, dueDeadlineAlerts, type CaseEvent, type CaseState, type DeadlineAlert, type DeadlinePolicy } from '@cases/domain';
import { ReadModels } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CaseCommandPipeline } from '../cases/commands/case-command.pipeline';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { DEADLINE_POLICY } from '../infrastructure/deadline-policy.provider';
import { LEASE_RETRY_INTERVAL_MS, LEASES } from '../infrastructure/leases.provider';
import { ServiceMetrics } from '../observability/metrics';

const ALERT_ID_NAMESPACE = 'a3c1e0f2-6d55-4b8e-9a7e-1c2b3d4e5f60';
/** The lease whose holder runs the ticks. */
export const SCHEDULER_LEASE = 'deadline-scheduler';

interface KnownCase {
  revision: bigint;
  /** Earliest instant the case may owe an alert; null when it owes none until it changes. */
  nextAlertAt: number | null;
}

export interface SchedulerRun {
  casesChecked: number;
  alertsRecorded: number;
}

/**
 * Records deadline warnings (预警) and misses as events so the history shows who was warned and
 * when (SPEC §3). Exactly once per milestone and deadline version, across restarts and any
 * number of instances: each alert's event id is derived from (case, alert type, milestone,
 * version), and the store keeps an append whose ids it already holds only once.
 *
 * Each tick asks the case read model, once it has caught up with the log, for the open cases with
 * an unreached deadline, and reads a case's stream only when it changed since last seen or its
 * next alert time has come.
 *
 * The ticks run in the one instance holding the scheduler's lease (docs/decisions/0011): the
 * derived ids already make a second instance's alerts harmless, the lease saves it the work.
 */
@Injectable()
export class DeadlineScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineScheduler.name);
  private readonly known = new Map<string, KnownCase>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SchedulerRun> | undefined;
  private lease: Lease | undefined;
  private keeper: LeaseKeeper | undefined;

  constructor(
    private readonly pipeline: CaseCommandPipeline,
    private readonly readModels: ReadModels,
    @Inject(DEADLINE_POLICY) private readonly policy: DeadlinePolicy,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LEASES) private readonly leases: LeaseProvider,
    // Absent where no metrics are served (the CLI).
    @Optional() private readonly metrics?: ServiceMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.schedulerIntervalMs <= 0) return;
    this.lease = this.leases.lease(SCHEDULER_LEASE);
    this.keeper = new LeaseKeeper({
      lease: this.lease,
      retryIntervalMs: LEASE_RETRY_INTERVAL_MS,
      logger: this.logger,
      run: () => {
        this.timer = setInterval(() => {
          this.runOnce().catch((error: unknown) => this.logger.error(`Deadline check failed: ${String(error)}`));
        }, this.config.schedulerIntervalMs);
        this.timer.unref();
        return async () => {
          clearInterval(this.timer);
          this.timer = undefined;
          await this.running?.catch(() => undefined);
        };
      },
    });
    this.keeper.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.keeper?.stop();
    await this.lease?.close();
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over the open deadlines; concurrent calls share the pass in flight. */
  runOnce(): Promise<SchedulerRun> {
    this.running ??= this.pass()
      .then((run) => {
        this.metrics?.schedulerRun(run);
        return run;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<SchedulerRun> {
    const now = this.clock.now();
    const candidates = await this.readModels.cases.casesWithOpenDeadlines();
    let casesChecked = 0;
    let alertsRecorded = 0;
    for (const { caseId, revision } of candidates) {
      const known = this.known.get(caseId);
      if (known && known.revision === revision && (known.nextAlertAt === null || known.nextAlertAt > now.getTime())) continue;
      casesChecked++;
      alertsRecorded += await this.alert(caseId, now);
    }
    return { casesChecked, alertsRecorded };
  }

  private async alert(caseId: string, now: Date): Promise<number> {
    let recorded = 0;
    const outcome = await this.pipeline.execute({
      caseId,
      command: 'scheduler',
      request: { actor: SCHEDULER_ACTOR, correlationId: randomUUID(), causationId: null, requestHash: '' },
      decide: (state) => {
        const alerts = dueDeadlineAlerts(state, now, this.policy);
        recorded = alerts.length;
        return alerts;
      },
      eventId: (event) => alertEventId(caseId, event),
    });
    // The pipeline hands back the state the alerts left, so the stream is not read again just to
    // know when the case's next alert is due.
    this.known.set(caseId, { revision: outcome.revision, nextAlertAt: this.nextAlertAt(outcome.state) });
    return outcome.replayed ? 0 : recorded;
  }

  private nextAlertAt(state: CaseState): number | null {
    if (state.status === 'none') return null;
    const times = state.deadlines
      .filter(
        (deadline) =>
          deadline.reachedAt === undefined && deadline.endedAt === undefined && (deadline.missedVersion ?? 0) < deadline.version,
      )
      .map((deadline) => {
        const due = Date.parse(deadline.dueAt);
        const warning = this.policy.warningAt(new Date(deadline.startedAt), new Date(due)).getTime();
        return (deadline.warnedVersion ?? 0) < deadline.version && warning < due ? warning : due;
      });
    return times.length === 0 ? null : Math.min(...times);
  }
}

function alertEventId(caseId: string, event: CaseEvent): string {
  const { milestone, version } = (event as DeadlineAlert).data;
  return uuidv5(`${caseId}/${event.type}/${milestone}/${version}`, ALERT_ID_NAMESPACE);
}
