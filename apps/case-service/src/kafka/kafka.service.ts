import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import type { MessagingClient } from '@cases/messaging';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { KAFKA_CONFIG, type KafkaConfig } from './kafka.config';
import { CaseEventRelay, type RelayStatus } from './relay/case-event-relay';
import { PersonPseudonyms, pseudonymKey } from './relay/person-pseudonyms';
import { RelayCheckpoint } from './relay/relay-checkpoint';
import { HOTLINE_TICKET_INTAKE, type HotlineTicketIntake } from './tickets/hotline-ticket-intake';
import { TicketConsumer, type TicketConsumerStatus } from './tickets/ticket-consumer';

export const MESSAGING_CLIENT = Symbol('MESSAGING_CLIENT');

/** The relay's file in DATA_DIR and its row in it. */
const RELAY_CHECKPOINT_FILE = 'kafka-relay.db';
const RELAY_NAME = 'case-events';

export type KafkaHealthState = 'off' | 'ok' | 'degraded';

/** What readiness reports about Kafka: positions and lags as bigint, the caller serialises them. */
export interface KafkaHealth {
  status: KafkaHealthState;
  tickets?: TicketConsumerStatus | { state: 'off' };
  relay?: RelayStatus | { state: 'off' };
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
 * `health()`, while HTTP commands go on being accepted.
 */
@Injectable()
export class KafkaService implements KafkaHealthSource, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Kafka');
  private readonly tickets: TicketConsumer | undefined;
  private readonly relay: CaseEventRelay | undefined;

  constructor(
    @Inject(KAFKA_CONFIG) config: KafkaConfig,
    @Inject(APP_CONFIG) appConfig: AppConfig,
    @Inject(MESSAGING_CLIENT) client: MessagingClient,
    @Inject(HOTLINE_TICKET_INTAKE) intake: HotlineTicketIntake,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) clock: Clock,
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
        checkpoint: new RelayCheckpoint(join(appConfig.dataDir, RELAY_CHECKPOINT_FILE), RELAY_NAME),
        pseudonyms: new PersonPseudonyms(pseudonymKey(config.pseudonymKey, appConfig.dataDir)),
        topics: { caseEvents: config.topics.caseEvents, status: config.topics.status },
        batchSize: config.relayBatchSize,
        retry,
        logger: this.logger,
        now,
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    this.relay?.start();
    await this.tickets?.start();
  }

  /** Before the event store closes: the intake in flight finishes, the relay's batch settles. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.tickets?.stop(), this.relay?.stop()]);
  }

  async health(): Promise<KafkaHealth> {
    const tickets = this.tickets?.status();
    const relay = this.relay?.status(await this.store.headPosition());
    const degraded = (tickets !== undefined && tickets.state !== 'running') || (relay !== undefined && relay.state !== 'running');
    return {
      status: degraded ? 'degraded' : 'ok',
      tickets: tickets ?? { state: 'off' },
      relay: relay ?? { state: 'off' },
    };
  }
}
