import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { KafkaJsMessagingClient } from '@cases/messaging';
import { KAFKA_CONFIG, type KafkaConfig } from './kafka.config';
import { KafkaHealthController } from './kafka-health.controller';
import { KAFKA_HEALTH, KAFKA_OFF, KafkaService, MESSAGING_CLIENT } from './kafka.service';
import { CommandBusTicketIntake } from './tickets/command-bus-ticket-intake';
import { HOTLINE_TICKET_INTAKE } from './tickets/hotline-ticket-intake';

/**
 * Kafka integration (SPEC §8): 12345 tickets in, case events and ticket statuses out, and
 * `GET /health/kafka`. With `null` (no KAFKA_BROKERS) only the health endpoint is there, saying
 * Kafka is off. Needs the global event store, configuration, clock and command bus.
 */
@Module({})
export class KafkaModule {
  static forRoot(kafka: KafkaConfig | null): DynamicModule {
    // Global, for readiness to report Kafka's state (KAFKA_HEALTH).
    if (kafka === null) {
      return {
        module: KafkaModule,
        global: true,
        controllers: [KafkaHealthController],
        providers: [{ provide: KAFKA_HEALTH, useValue: KAFKA_OFF }],
        exports: [KAFKA_HEALTH],
      };
    }
    const logger = new Logger('Kafka');
    return {
      module: KafkaModule,
      global: true,
      exports: [KAFKA_HEALTH],
      controllers: [KafkaHealthController],
      providers: [
        { provide: KAFKA_CONFIG, useValue: kafka },
        {
          provide: MESSAGING_CLIENT,
          useFactory: () =>
            new KafkaJsMessagingClient({
              brokers: kafka.brokers,
              clientId: kafka.clientId,
              ssl: kafka.ssl,
              ...(kafka.sasl ? { sasl: kafka.sasl } : {}),
              sessionTimeoutMs: kafka.sessionTimeoutMs,
              heartbeatIntervalMs: kafka.heartbeatIntervalMs,
              fetchMaxWaitMs: kafka.fetchMaxWaitMs,
              partitionsConsumedConcurrently: kafka.ticketsConcurrency,
              logger,
            }),
        },
        { provide: HOTLINE_TICKET_INTAKE, useClass: CommandBusTicketIntake },
        KafkaService,
        { provide: KAFKA_HEALTH, useExisting: KafkaService },
      ],
    };
  }
}
