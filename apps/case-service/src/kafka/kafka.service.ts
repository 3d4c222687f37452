import { join } from 'node:path';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LeaseKeeper, type Lease, type LeaseProvider } from '@cases/coordination';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import type { MessagingClient } from '@cases/messaging';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { LEASE_RETRY_INTERVAL_MS, LEASES } from '../infrastructure/leases.provider';
import { ServiceMetrics } from '../observability/metrics';
import { KAFKA_CONFIG, type KafkaConfig } from './kafka.config';
import { registerKafkaMetrics } from './kafka-metrics';
import { CaseEventRelay, type RelayStatus } from './relay/case-event-relay';
import { PersonPseudonyms, pseudonymKey } from './relay/person-pseudonyms';
import { PostgresRelayCheckpoint, SqliteRelayCheckpoint, type RelayCheckpoint } from './relay/relay-checkpoint';
import { HOTLINE_TICKET_INTAKE, type HotlineTicketIntake } from './tickets/hotline-ticket-intake';
import { TicketConsumer, type TicketConsumerStatus } from './tickets/ticket-consumer';

export const MESSAGING_CLIENT = Symbol('MESSAGING_CLIENT');

/** The relay's file in DATA_DIR (embedded store) and its row. */
const RELAY_CHECKPOINT_FILE = 'kafka-relay.db';
export const RELAY_NAME = 'case-events';
/** The lease whose holder runs the relay: one instance publishes. */
export const RELAY_LEASE = 'kafka-relay:case-events';

/** Where the relay's checkpoint lives: beside the log, where every instance that may take the relay over reads it. */
export function relayCheckpointFor(config: AppConfig, relay = RELAY_NAME): RelayCheckpoint {
  if (config.eventStore !== 'sqlite' && config.databaseUrl !== undefined) return new PostgresRelayCheckpoint(config.databaseUrl, relay);
  return new SqliteRelayCheckpoint(join(config.dataDir, RELAY_CHECKPOINT_FILE), relay);
}

export type KafkaHealthState = 'off' | 'ok' | 'degraded';

/** What readiness reports about Kafka: positions and lags as bigint, the caller serialises them. */
export interface KafkaHealth {
  status: KafkaHealthState;
  tickets?: TicketConsumerStatus | { state: 'off' };
  /** `standby`: another instance holds the relay's lease and publishes. */
  relay?: RelayStatus | { state: 'off' } | { state: 'standby' };
}

export interface KafkaHealthSource {
  health(): Promise<KafkaHealth>;
}

export const KAFKA_HEALTH = Symbol('KAFKA_HEALTH');

/** Kafka is not configured (no KAFKA_BROKERS). */
export const KAFKA_OFF: KafkaHealthSource = { health: async () => ({ status: 'off' }) };

/**
 * Runs the ticket consumer and the event relay for the life of the application. Neither blocks
 * the start: a broker that cannot be reached is retried in the background and reported by
 * `health()`, while HTTP commands go on being accepted. The relay runs only in the instance holding
 * its lease (docs/decisions/0011): another instance takes it over, from the shared checkpoint,
 * within seconds of the holder's death. The ticket consumer runs everywhere: the consumer group
 * shares the partitions out.
 */
@Injectable()
export class KafkaService implements KafkaHealthSource, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Kafka');
  private readonly tickets: TicketConsumer | undefined;
  private readonly relay: CaseEventRelay | undefined;
  private readonly relayLease: Lease | undefined;
  private readonly relayKeeper: LeaseKeeper | undefined;

  constructor(
    @Inject(KAFKA_CONFIG) config: KafkaConfig,
    @Inject(APP_CONFIG) appConfig: AppConfig,
    @Inject(MESSAGING_CLIENT) client: MessagingClient,
    @Inject(HOTLINE_TICKET_INTAKE) intake: HotlineTicketIntake,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(LEASES) leases: LeaseProvider,
    // Absent where no metrics are served.
    @Optional() metrics?: ServiceMetrics,
  ) {
    const now = () => clock.now();
    const retry = { initialMs: 200, maxMs: config.retryBackoffMaxMs };
    if (config.consumeTickets) {
      this.tickets = new TicketConsumer({
        client,
        intake,
        topic: config.topics.tickets,
        deadLetterTopic: config.topics.ticketsDeadLetter,
        groupId: config.ticketsGroup,
        now,
        logger: this.logger,
        retry,
      });
    }
    if (config.relay) {
      this.relay = new CaseEventRelay({
        store,
        producer: client.producer(),
        checkpoint: relayCheckpointFor(appConfig),
        pseudonyms: new PersonPseudonyms(pseudonymKey(config.pseudonymKey, appConfig.dataDir)),
        topics: { caseEvents: config.topics.caseEvents, status: config.topics.status },
        batchSize: config.relayBatchSize,
        retry,
        logger: this.logger,
        now,
      });
      const relay = this.relay;
      this.relayLease = leases.lease(RELAY_LEASE);
      this.relayKeeper = new LeaseKeeper({
        lease: this.relayLease,
        retryIntervalMs: LEASE_RETRY_INTERVAL_MS,
        logger: this.logger,
        run: async () => {
          await relay.start();
          return () => relay.stop();
        },
      });
    }
    if (metrics) registerKafkaMetrics(metrics.registry, this);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.relayKeeper?.start();
    await this.tickets?.start();
  }

  /** Before the event store closes: the intake in flight finishes, the relay's batch settles and its lease is given up. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([
      this.tickets?.stop(),
      (async () => {
        await this.relayKeeper?.stop();
        await this.relay?.close();
        await this.relayLease?.close();
      })(),
    ]);
  }

  async health(): Promise<KafkaHealth> {
    const tickets = this.tickets?.status();
    const relay =
      this.relay === undefined ? undefined : this.relayKeeper?.running ? this.relay.status(await this.store.headPosition()) : null;
    const degraded = (tickets !== undefined && tickets.state !== 'running') || (relay != null && relay.state !== 'running');
    return {
      status: degraded ? 'degraded' : 'ok',
      tickets: tickets ?? { state: 'off' },
      relay: relay === undefined ? { state: 'off' } : relay === null ? { state: 'standby' } : relay,
    };
  }
}
