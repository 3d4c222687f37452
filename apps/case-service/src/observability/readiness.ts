import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ServiceError } from '@cases/domain';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ProjectionRunner } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { KAFKA_HEALTH, type KafkaHealthSource } from '../kafka/kafka.service';

/** How long the store may take to answer a readiness probe before it counts as down. */
const STORE_TIMEOUT_MS = 2_000;

/**
 * What readiness checks: the store answers, and every read model is following the log (none is
 * failing, none trails it by more than READINESS_MAX_LAG events, none has parked events: cases
 * whose views stop short of the log, docs/architecture.md "Parked events"). Liveness checks none of it: a
 * slow store or a failing projection is a reason to take the instance out of rotation, not to
 * restart it.
 */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly projections: ProjectionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(KAFKA_HEALTH) private readonly kafkaHealth?: KafkaHealthSource,
  ) {}

  /**
   * Kafka's state, never down: the service takes commands without it (tickets wait on their
   * topic, case events in the log), so an unreachable broker makes the relay and the consumer
   * `degraded`, which this reports without taking the instance out of rotation.
   */
  async kafka(): Promise<HealthIndicatorResult<'kafka'>> {
    const check = this.indicators.check('kafka');
    const health = this.kafkaHealth === undefined ? { status: 'off' as const } : await this.kafkaHealth.health();
    return check.up({
      state: health.status,
      ...(health.tickets !== undefined ? { tickets: health.tickets.state } : {}),
      ...(health.relay !== undefined ? { relay: health.relay.state } : {}),
    });
  }

  async store(): Promise<HealthIndicatorResult<'store'>> {
    const check = this.indicators.check('store');
    try {
      const head = await withTimeout(
        (async () => {
          await this.eventStore.ping();
          return this.eventStore.headPosition();
        })(),
        STORE_TIMEOUT_MS,
      );
      return check.up({ head: Number(head) });
    } catch (error) {
      return check.down({ reason: error instanceof Error ? error.message : String(error) });
    }
  }

  async readModels(): Promise<HealthIndicatorResult<'readModels'>> {
    const check = this.indicators.check('readModels');
    let head: bigint;
    try {
      head = await withTimeout(this.eventStore.headPosition(), STORE_TIMEOUT_MS);
    } catch {
      return check.down({ reason: 'the log head could not be read' });
    }
    const failing = new Set(this.projections.failing());
    const parked = new Map((await this.projections.parkedCounts()).map((count) => [count.projection, count]));
    const maxLag = this.config.readinessMaxLag;
    const models = this.projections.status(head).map((status) => ({
      projection: status.projection,
      position: Number(status.position),
      lag: Number(status.lag),
      failing: failing.has(status.projection),
      parkedEvents: parked.get(status.projection)?.events ?? 0,
    }));
    const behind = models.filter((model) => model.lag > maxLag).map((model) => model.projection);
    if (failing.size > 0 || behind.length > 0 || parked.size > 0) {
      const reasons = [
        ...(failing.size > 0 ? [`failing: ${[...failing].join(', ')}`] : []),
        ...(behind.length > 0 ? [`more than ${maxLag} events behind: ${behind.join(', ')}`] : []),
        ...(parked.size > 0
          ? [
              `parked events: ${[...parked.values()].map((count) => `${count.projection} (${count.events} in ${count.cases} cases)`).join(', ')}`,
            ]
          : []),
      ];
      return check.down({ reason: reasons.join('; '), maxLag, models });
    }
    return check.up({ maxLag, models });
  }
}

/** Not ready: the answer of GET /health/ready, as problem details carrying each check's result. */
export class NotReadyError extends ServiceError {
  constructor(checks: Record<string, unknown>) {
    const down = Object.entries(checks)
      .filter(([, result]) => (result as { status?: string }).status === 'down')
      .map(([name, result]) => `${name} (${String((result as { reason?: unknown }).reason ?? 'down')})`);
    super('SERVICE.NOT_READY', 503, 'Not ready', `The service is not ready: ${down.join('; ')}`, { checks });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
